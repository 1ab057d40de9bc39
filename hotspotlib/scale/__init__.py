"""The optional Dask path: the same analyses on data larger than one machine's memory.

Install with ``pip install "hotspotlib[dask]"``. Every function here gives the same
result as its in-memory counterpart on data that fit in memory; the in-memory verbs
stay the default and need none of this. Dask, distributed, dask-geopandas and xarray
are imported only when a function here is called.
"""

__all__: list[str] = []

# archive input and parallel work
from hotspotlib.scale._archive import police_uk_to_parquet, read_events  # noqa: E402
from hotspotlib.scale._archive_result import PoliceArchive  # noqa: E402

__all__ += ["PoliceArchive", "police_uk_to_parquet", "read_events"]
