"""Neighbourhood sums on a regular square grid by correlation with a stencil.

On a square :class:`~hotspotlib.hotspots.grid.cells.Grid` a distance band (or a distance
kernel) between cell centres is the same stencil for every cell, so the Gi* sums
``sum_j w_ij x_j``, ``sum_j w_ij`` and ``sum_j w_ij^2`` are correlations of rasters
with that stencil: no weights matrix is built. Cells outside the lattice count as
absent (zero padding) and clipped cells are masked out, so the sums equal those of the
explicit weights matrix over the kept cells.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from hotspotlib._frozen import FrozenResult
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["LatticeSums", "lattice_sums", "subgrid"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class LatticeSums(FrozenResult):
    """Neighbourhood sums per kept cell (self-weight included when the stencil has one)."""

    lag: NDArray[np.float64]
    weight_sum: NDArray[np.float64]
    weight_sq_sum: NDArray[np.float64]
    n_neighbours: NDArray[np.int64]
    self_weight: NDArray[np.float64]


def _correlate(raster: NDArray[np.float64], stencil: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(ndimage.correlate(raster, stencil, mode="constant", cval=0.0))


def lattice_sums(
    grid: Grid, values: NDArray[np.float64], stencil: NDArray[np.float64]
) -> LatticeSums:
    """Return neighbourhood sums of ``values`` over ``grid`` for a square ``stencil``.

    ``stencil`` is ``(2R + 1, 2R + 1)`` with the self-weight at its centre; a stacked
    ``(T, 2R + 1, 2R + 1)`` array is not accepted here (see the space-time cube).

    Examples
    --------
    >>> import geopandas as gpd, numpy as np
    >>> from shapely.geometry import box
    >>> from hotspotlib.hotspots.grid.cells import make_grid
    >>> grid = make_grid(gpd.GeoSeries([box(0, 0, 300, 100)], crs=27700), cell_size_m=100)
    >>> sums = lattice_sums(grid, np.array([1.0, 2.0, 4.0]), np.ones((3, 3)))
    >>> sums.lag.tolist(), sums.weight_sum.tolist()
    ([3.0, 7.0, 6.0], [2.0, 3.0, 2.0])
    """
    rows, cols = grid.rows, grid.cols
    shape = (grid.n_rows, grid.n_cols)
    raster = np.zeros(shape)
    raster[rows, cols] = values
    mask = np.zeros(shape)
    mask[rows, cols] = 1.0
    centre = stencil[stencil.shape[0] // 2, stencil.shape[1] // 2]
    lag = _correlate(raster, stencil)[rows, cols]
    weight_sum = _correlate(mask, stencil)[rows, cols]
    binary = bool(np.all((stencil == 0) | (stencil == 1)))
    weight_sq_sum = weight_sum if binary else _correlate(mask, stencil**2)[rows, cols]
    links = (stencil != 0).astype(float)
    links[stencil.shape[0] // 2, stencil.shape[1] // 2] = 0.0
    if binary:
        n_neighbours = np.rint(weight_sum - centre).astype(np.int64)
    else:
        n_neighbours = np.rint(_correlate(mask, links)[rows, cols]).astype(np.int64)
    return LatticeSums(
        lag=lag,
        weight_sum=weight_sum,
        weight_sq_sum=weight_sq_sum,
        n_neighbours=n_neighbours,
        self_weight=np.full(len(rows), float(centre)),
    )


def subgrid(grid: Grid, keep: NDArray[np.bool_]) -> Grid:
    """Return the grid restricted to the cells where ``keep`` is True (same lattice).

    Cell ids, rows and columns are unchanged, so rasters of the full lattice still
    apply; the dropped cells behave like clipped ones.
    """
    mask = np.asarray(keep, dtype=bool)
    lookup = np.full(grid.n_rows * grid.n_cols, -1, dtype=np.int64)
    lookup[grid.cell_ids[mask]] = np.arange(int(mask.sum()))
    outlines = [grid._outlines[0][mask]] if grid._outlines else []
    return dataclasses.replace(
        grid,
        rows=grid.rows[mask],
        cols=grid.cols[mask],
        area_share=grid.area_share[mask],
        lookup=lookup,
        _outlines=outlines,
    )
