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
from scipy import ndimage, signal

from hotspotlib._frozen import FrozenResult, lock_in_place
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["LatticeSums", "lattice_sums", "subgrid"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class LatticeSums(FrozenResult):
    """Neighbourhood sums per kept cell (self-weight included when the stencil has one)."""

    lag: NDArray[np.float64]
    weight_sum: NDArray[np.float64]
    weight_sq_sum: NDArray[np.float64]
    n_neighbours: NDArray[np.int64]


_RUN_SIDE = 7  # binary stencils this wide or wider: sums of row runs from prefix sums
_FFT_SIDE = 25  # weighted stencils this wide or wider: correlation by overlap-add FFT


def _correlate(raster: NDArray[np.float64], stencil: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correlate ``raster`` with ``stencil`` (zero outside), in time linear in the cells.

    Small stencils go to :func:`scipy.ndimage.correlate`. A wide binary stencil (a
    distance band) is a few runs of ones per stencil row: each run is the difference of
    two row prefix sums, so the cost is cells x stencil rows, not cells x stencil cells.
    A wide weighted stencil (a kernel) is correlated by overlap-add FFT.
    """
    side = stencil.shape[1]
    binary = bool(np.all((stencil == 0) | (stencil == 1)))
    if binary and side >= _RUN_SIDE:
        return _run_sums(raster, stencil)
    if side >= _FFT_SIDE:
        half_r, half_c = stencil.shape[0] // 2, side // 2
        full = signal.oaconvolve(raster, stencil[::-1, ::-1], mode="full")
        return np.ascontiguousarray(
            full[half_r : half_r + raster.shape[0], half_c : half_c + raster.shape[1]]
        )
    return np.asarray(ndimage.correlate(raster, stencil, mode="constant", cval=0.0))


def _run_sums(raster: NDArray[np.float64], stencil: NDArray[np.float64]) -> NDArray[np.float64]:
    """Correlation with a 0/1 stencil as sums over its runs of ones (row prefix sums)."""
    half_r, half_c = stencil.shape[0] // 2, stencil.shape[1] // 2
    n_rows, n_cols = raster.shape
    prefix = np.zeros((n_rows + 2 * half_r, n_cols + stencil.shape[1] + 1))
    np.cumsum(
        raster, axis=1, out=prefix[half_r : half_r + n_rows, half_c + 1 : half_c + 1 + n_cols]
    )
    prefix[half_r : half_r + n_rows, half_c + 1 + n_cols :] = prefix[
        half_r : half_r + n_rows, half_c + n_cols : half_c + 1 + n_cols
    ]
    edges = np.diff(np.pad(stencil != 0, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    out = np.zeros(raster.shape)
    for d_row, start in zip(*np.nonzero(edges == 1), strict=True):
        stop = start + int(np.argmax(edges[d_row, start:] == -1))  # run is start..stop - 1
        band = prefix[d_row : d_row + n_rows]
        out += band[:, stop : stop + n_cols]
        out -= band[:, start : start + n_cols]
    return out


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
    >>> from hotspotlib.hotspots.grid.make import make_grid
    >>> grid = make_grid(gpd.GeoSeries([box(0, 0, 300, 100)], crs=27700), cell_size_m=100)
    >>> sums = lattice_sums(grid, np.array([1.0, 2.0, 4.0]), np.ones((3, 3)))
    >>> sums.lag.tolist(), sums.weight_sum.tolist()
    ([3.0, 7.0, 6.0], [2.0, 3.0, 2.0])
    """
    shape = (grid.n_rows, grid.n_cols)
    whole = grid.n_cells == grid.n_rows * grid.n_cols  # every cell kept, in id order
    ids = None if whole else grid.cell_ids

    def spread(at_cells: NDArray[np.float64]) -> NDArray[np.float64]:
        if ids is None:
            return np.asarray(at_cells, dtype=float).reshape(shape)
        raster = np.zeros(shape)
        raster.ravel()[ids] = at_cells
        return raster

    def gather(raster: NDArray[np.float64]) -> NDArray[np.float64]:
        return raster.reshape(-1) if ids is None else raster.ravel()[ids]

    centre = stencil[stencil.shape[0] // 2, stencil.shape[1] // 2]
    lag = gather(_correlate(spread(values), stencil))
    mask = spread(np.ones(grid.n_cells))
    weight_sum = gather(_correlate(mask, stencil))
    binary = bool(np.all((stencil == 0) | (stencil == 1)))
    weight_sq_sum = weight_sum if binary else gather(_correlate(mask, stencil**2))
    links = (stencil != 0).astype(float)
    links[stencil.shape[0] // 2, stencil.shape[1] // 2] = 0.0
    if binary:
        n_neighbours = np.rint(weight_sum - centre).astype(np.int64)
    else:
        n_neighbours = np.rint(gather(_correlate(mask, links))).astype(np.int64)
    return LatticeSums(  # fresh arrays, locked where they are (no copies at scale)
        lag=lock_in_place(lag),
        weight_sum=lock_in_place(weight_sum),
        weight_sq_sum=lock_in_place(weight_sq_sum),
        n_neighbours=lock_in_place(n_neighbours),
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
