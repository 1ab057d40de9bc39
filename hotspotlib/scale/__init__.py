"""The optional Dask path: the same analyses on data larger than one machine's memory.

Install with ``pip install "hotspotlib[dask]"``. Every function here gives the same
result as its in-memory counterpart on data that fit in memory; the in-memory verbs
stay the default and need none of this. Dask, distributed, dask-geopandas and xarray
are imported only when a function here is called.
"""

__all__: list[str] = []
