"""Shared pieces of the tiled path: the optional imports and lattice <-> xarray coordinates."""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspotlib._validation import require_module
from hotspotlib.scale._lattice import Lattice

__all__ = ["as_lattice_array", "lattice_coords", "need_dask", "stencil_radius"]

INSTALL = 'pip install "hotspotlib[dask]"'


def need_dask(feature: str) -> Any:
    """Import dask and xarray (the ``dask`` extra) or say how to install them."""
    require_module("xarray", feature=f"`{feature}`", install=INSTALL)
    require_module("dask.array", feature=f"`{feature}`", install=INSTALL)
    return require_module("dask", feature=f"`{feature}`", install=INSTALL)


def lattice_coords(lattice: Lattice) -> dict[str, Any]:
    """Cell-centre coordinates of a lattice as xarray ``coords`` (``y`` south to north)."""
    return {"y": lattice.y(), "x": lattice.x()}


def as_lattice_array(
    array: Any, *, name: str, dims: tuple[str, ...] = ("y", "x")
) -> tuple[Any, Lattice]:
    """Check an xarray DataArray on a lattice and return it with its :class:`Lattice`.

    The lattice is read from the ``x``/``y`` coordinates (evenly spaced, ascending, equal
    steps) and the ``crs_wkt`` attribute that :func:`~hotspotlib.scale.count_events`
    writes.
    """
    import xarray as xr

    if not isinstance(array, xr.DataArray):
        raise TypeError(
            f"`{name}` must be an xarray DataArray with dims {dims} (for example from "
            f"hotspotlib.scale.count_events); got {type(array).__name__}."
        )
    if tuple(array.dims) != dims:
        raise ValueError(
            f"`{name}` must have dims {dims}; got {tuple(array.dims)}. Use "
            f"`{name}.transpose{dims}`."
        )
    x = np.asarray(array["x"].values, dtype=float) if "x" in array.coords else None
    y = np.asarray(array["y"].values, dtype=float) if "y" in array.coords else None
    if x is None or y is None or len(x) < 1 or len(y) < 1:
        raise ValueError(f"`{name}` needs `x` and `y` coordinates (cell centres in metres).")
    size = _step(x, y, name=name)
    crs = array.attrs.get("crs_wkt")
    if crs is None:
        raise ValueError(
            f"`{name}` has no `crs_wkt` attribute; set it, e.g. "
            f"`{name}.attrs['crs_wkt'] = pyproj.CRS(27700).to_wkt()`."
        )
    lattice = Lattice(
        origin_x=float(x[0]),
        origin_y=float(y[0]),
        cell_size_m=size,
        n_rows=len(y),
        n_cols=len(x),
        crs=crs,
    )
    return array, lattice


def _step(x: Any, y: Any, *, name: str) -> float:
    steps = np.concatenate([np.diff(x), np.diff(y)])
    if len(steps) == 0:
        raise ValueError(f"`{name}` must be at least 1 x 2 cells to read its cell size.")
    size = float(np.median(steps))
    if not (size > 0 and np.allclose(steps, size, rtol=1e-9, atol=0)):
        raise ValueError(
            f"`{name}` coordinates `x` and `y` must both ascend in equal steps (square cells, "
            f"row 0 southernmost); got steps from {steps.min():g} to {steps.max():g}. Sort "
            f"with `{name}.sortby(['y', 'x'])`."
        )
    return size


def stencil_radius(stencil: Any) -> int:
    """Half-width of a square ``(2R + 1, 2R + 1)`` stencil, in cells."""
    return int(stencil.shape[0] // 2)
