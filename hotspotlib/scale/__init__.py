"""The optional Dask path: the same analyses on data larger than one machine's memory.

Install with ``pip install "hotspotlib[dask]"``. Every function here gives the same
result as its in-memory counterpart on data that fit in memory; the in-memory verbs
stay the default and need none of this. Dask, distributed, dask-geopandas and xarray
are imported only when a function here is called.
"""

from hotspotlib.scale._archive import police_uk_to_parquet, read_events
from hotspotlib.scale._archive_result import PoliceArchive
from hotspotlib.scale._counts import count_events
from hotspotlib.scale._emerging import emerging_hotspots
from hotspotlib.scale._gi import gi_star
from hotspotlib.scale._kde import kde
from hotspotlib.scale._lattice import Lattice
from hotspotlib.scale._writers import to_geotiff

__all__: list[str] = [
    "Lattice",
    "PoliceArchive",
    "count_events",
    "emerging_hotspots",
    "gi_star",
    "kde",
    "police_uk_to_parquet",
    "read_events",
    "to_geotiff",
]
