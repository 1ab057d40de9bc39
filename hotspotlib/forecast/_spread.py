"""Spread Gaussian masses centred on points over the cells of a square grid, exactly.

A circular Gaussian is the product of two one-dimensional Gaussians, so the mass it puts
in the square ``[x0, x1) x [y0, y1)`` is ``(Phi((x1 - x) / s) - Phi((x0 - x) / s)) *
(Phi((y1 - y) / s) - Phi((y0 - y) / s))``. Each point gets a band of rows and of columns
within ``reach`` standard deviations; the cell masses of all points are then one sparse
product ``rows.T @ diag(mass) @ cols`` on the grid's full lattice.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.special import ndtr

from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["spread_gaussian"]

REACH = 5.0  # standard deviations: the mass beyond is below 1e-6 per axis


def _band(
    centre: NDArray[np.float64], first_edge: float, size: float, scale: float, n_bins: int
) -> sparse.csr_matrix:
    """(points, bins) matrix: the share of each 1-D Gaussian in each bin of the lattice."""
    half = math.ceil(REACH * scale / size) + 1
    offsets = np.arange(-half, half + 1)
    home = np.floor((centre - first_edge) / size).astype(np.int64)
    bins = home[:, None] + offsets[None, :]
    low = first_edge + bins * size
    share = ndtr((low + size - centre[:, None]) / scale) - ndtr((low - centre[:, None]) / scale)
    keep = (bins >= 0) & (bins < n_bins) & (share > 0)
    point = np.broadcast_to(np.arange(centre.size)[:, None], bins.shape)
    return sparse.csr_matrix((share[keep], (point[keep], bins[keep])), shape=(centre.size, n_bins))


def spread_gaussian(
    xy: NDArray[np.float64], mass: NDArray[np.float64], scale_m: float, grid: Grid
) -> NDArray[np.float64]:
    """Return the mass per kept cell of Gaussians (sd ``scale_m``) at ``xy`` with ``mass``.

    Mass falling outside the lattice or in cells clipped away is lost (the caller can
    compare the total with ``mass.sum()``). Square grids only.
    """
    size = grid.cell_size_m
    if xy.shape[0] == 0:
        return np.zeros(grid.n_cells)
    rows = _band(xy[:, 1], grid.origin_y - size / 2, size, scale_m, grid.n_rows)
    cols = _band(xy[:, 0], grid.origin_x - size / 2, size, scale_m, grid.n_cols)
    raster = (rows.T @ sparse.diags(mass) @ cols).toarray()
    return grid.from_array(raster)
