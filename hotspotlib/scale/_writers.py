"""Write a tiled lattice array to GeoTIFF strip by strip (Zarr is xarray's own ``to_zarr``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspotlib._validation import require_module
from hotspotlib.scale._tiles import as_lattice_array

__all__ = ["to_geotiff"]

_RASTER_INSTALL = "pip install 'hotspotlib[raster]'"


def to_geotiff(array: Any, path: Any) -> None:
    """Write a ``(y, x)`` lattice array to a tiled, compressed GeoTIFF, one strip at a time.

    The array is computed one row of tiles (dask chunks) at a time, in parallel across
    the strip, and written north-up with the lattice's CRS; memory holds one strip.
    Floats are written as float64 with NaN as no-data, ``bin`` codes and booleans as
    int8, other integers (counts) as int32.

    Parameters
    ----------
    array : xarray.DataArray
        ``(y, x)`` values on a lattice, e.g. ``scale.count_events(...)`` or
        ``scale.gi_star(...)["z_score"]`` (``x``/``y`` cell centres ascending and a
        ``crs_wkt`` attribute).
    path : str or path-like
        The file to write (replaced if it exists).

    Raises
    ------
    ValueError
        For integer values beyond the int32 range.
    ImportError
        Without rasterio (the ``raster`` extra).

    Notes
    -----
    The file is a tiled (512 x 512), DEFLATE-compressed BigTIFF when needed. For a
    cloud-optimised GeoTIFF, add overviews afterwards (``rio cogeo create``); Zarr
    needs nothing extra: ``result.to_zarr(path)`` writes tile by tile in parallel.

    See Also
    --------
    hotspotlib.DensitySurface.to_geotiff : the in-memory surface's writer.
    xarray.Dataset.to_zarr : Zarr output of the same arrays.

    References
    ----------
    OGC (2019). GeoTIFF standard 1.1. https://docs.ogc.org/is/19-008r4/19-008r4.html

    Examples
    --------
    >>> import tempfile, pathlib
    >>> import numpy as np, pandas as pd, rasterio
    >>> from hotspotlib import scale
    >>> lattice = scale.Lattice(origin_x=50, origin_y=50, cell_size_m=100, n_rows=3,
    ...                         n_cols=4, crs=27700)
    >>> counts = scale.count_events(pd.DataFrame({"x": [50.0], "y": [250.0]}), lattice, tile=2)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "counts.tif"
    >>> scale.to_geotiff(counts, path)
    >>> with rasterio.open(path) as tif:
    ...     tif.read(1)[0].tolist(), tif.bounds.top
    ([1, 0, 0, 0], 300.0)
    """
    data_array, lattice = as_lattice_array(array, name="array")
    rasterio = require_module("rasterio", feature="`scale.to_geotiff`", install=_RASTER_INSTALL)
    from rasterio.transform import Affine
    from rasterio.windows import Window

    kind = np.dtype(data_array.dtype)
    if kind == np.bool_ or kind == np.int8:
        out_type, nodata = "int8", None
    elif np.issubdtype(kind, np.integer):
        out_type, nodata = "int32", None
    else:
        out_type, nodata = "float64", np.nan
    west, _, _, north = lattice.bounds
    size = lattice.cell_size_m
    data = data_array.data
    row_chunks = data.chunks[0] if hasattr(data, "chunks") and data.chunks else (lattice.n_rows,)
    profile = {
        "driver": "GTiff",
        "height": lattice.n_rows,
        "width": lattice.n_cols,
        "count": 1,
        "dtype": out_type,
        "crs": lattice.crs.to_wkt(),
        "transform": Affine(size, 0.0, west, 0.0, -size, north),
        "nodata": nodata,
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "BIGTIFF": "IF_SAFER",
    }
    with rasterio.open(path, "w", **profile) as dataset:
        start = 0
        for height in row_chunks:
            strip = np.asarray(data_array[start : start + height].values)
            if (
                out_type == "int32"
                and strip.size
                and (strip.min() < np.iinfo(np.int32).min or strip.max() > np.iinfo(np.int32).max)
            ):
                raise ValueError(
                    f"`array` holds integers beyond the GeoTIFF int32 range (up to "
                    f"{strip.max():,}); write `array.astype(float)` instead."
                )
            top = lattice.n_rows - (start + height)  # row 0 of the file is the north edge
            dataset.write(
                np.flipud(strip).astype(out_type), 1, window=Window(0, top, lattice.n_cols, height)
            )
            start += height
