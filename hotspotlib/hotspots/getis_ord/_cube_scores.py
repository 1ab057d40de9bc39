"""Gi* z, p and Benjamini-Hochberg q of every bin of a space-time cube of counts.

A bin's Gi* z depends only on its neighbourhood sum of counts (an integer) and its
weight sum W, which is the number of steps in its time window times the number of
locations within the band: a product of two small sets of values. So every bin maps to
a code ``(W class, neighbourhood sum)``, and z, p and q are computed once per distinct
code and gathered back, bit for bit the values the per-bin formula gives. The
Benjamini-Hochberg q-values over the whole cube need only the distinct p-values and how
many bins hold each (``q(p) = min over v >= p of m v / F(v)``), so no sort of the cube's
p-values is needed: the same products and running minimum as ``adjust_pvalues``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from hotspotlib._multiple_testing import fdr_of_distinct
from hotspotlib.hotspots.getis_ord._g_scores import local_g_scores
from hotspotlib.hotspots.inference import normal_p
from hotspotlib.hotspots.weights import band_offsets

__all__ = ["CubeScores", "cube_scores"]


@dataclass(slots=True)
class CubeScores:
    """Per-code tables and each bin's code: ``z = z_table[code]`` and so on."""

    code: NDArray[np.integer]
    counts: NDArray[np.int64]
    z_table: NDArray[np.float64]
    p_table: NDArray[np.float64]
    q_table: NDArray[np.float64]

    def gather(self, table: NDArray[Any]) -> NDArray[Any]:
        """Return the value of ``table`` (one entry per code) at every bin."""
        return table[self.code]

    def labels(self) -> tuple[NDArray[np.integer], NDArray[np.bool_]]:
        """Return dense ranks of z at every bin, and the locations with a NaN z somewhere.

        Ranks are over the distinct z of the whole cube (equal exactly where z is), in
        the smallest integer type that holds them and the number of steps.
        """
        held = self.counts > 0
        finite = np.isfinite(self.z_table)
        distinct, rank = np.unique(self.z_table[held & finite], return_inverse=True)
        top = max(len(distinct), self.code.shape[0])
        table = np.zeros(len(self.z_table), dtype=np.int16 if top < 2**15 else np.int64)
        table[held & finite] = rank.ravel()
        nonfinite = np.zeros(self.code.shape[1], dtype=bool)
        if (held & ~finite).any():
            nonfinite = np.asarray(self.gather(~finite).any(axis=0), dtype=bool)
        return self.gather(table), nonfinite


def cube_scores(
    grid: Any,
    cube: NDArray[np.int64],
    x: NDArray[np.float64],
    band: float,
    window: int,
    direction: str,
    *,
    table_limit: int | None = None,
) -> CubeScores:
    """Score every bin of ``cube`` (steps, locations) through its distinct codes.

    ``x`` is the cube's counts as floats, flattened (the Gi* mean and spread are those
    of the whole cube). Codes index a dense table of every ``(W class, sum)`` pair when
    it holds at most ``table_limit`` entries (default: the number of bins, at least
    2**20); otherwise the distinct codes are found by sorting.
    """
    lag, step_weight, cell_weight = _cube_sums(grid, cube, band, window, direction)
    step_values, step_class = np.unique(step_weight, return_inverse=True)
    cell_values, cell_class = np.unique(cell_weight, return_inverse=True)
    n_sums = int(lag.max()) + 1 if lag.size else 1
    n_classes = len(step_values) * len(cell_values)
    size = n_classes * n_sums
    limit = max(cube.size, 1 << 20) if table_limit is None else table_limit
    dtype = np.int32 if size < 2**31 else np.int64
    code = step_class.astype(dtype)[:, None] * dtype(len(cell_values)) + cell_class.astype(dtype)
    code *= dtype(n_sums)
    np.add(code, lag, out=code, casting="unsafe")  # + the sum: whole numbers, exact
    if size <= limit:
        counts = np.bincount(code.ravel(), minlength=size)
        table_code = np.arange(size, dtype=np.int64)
    else:
        table_code, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
        code = inverse.reshape(code.shape).astype(np.int64)
    classes, sums = np.divmod(table_code, n_sums)
    steps_of, cells_of = np.divmod(classes, len(cell_values))
    weight_sum = step_values[steps_of] * cell_values[cells_of]  # as steps * cells per bin
    scores = local_g_scores(
        lag=sums.astype(float),
        weight_sum=weight_sum,
        weight_sq_sum=weight_sum,
        n_neighbours=np.rint(weight_sum - 1).astype(np.int64),
        x=x,
        star=True,
    )
    z_table = scores["z_score"]
    p_table = normal_p(z_table)
    return CubeScores(code, counts, z_table, p_table, fdr_of_distinct(p_table, counts))


def _cube_sums(
    grid: Any, cube: NDArray[np.int64], band: float, window: int, direction: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Neighbourhood sums of counts (self included) and the two factors of the weight sum.

    Returns the sums per bin ``(steps, locations)``, the number of steps in each step's
    time window and the number of locations within the band of each location.
    """
    rows = grid.cells["row"].to_numpy()
    cols = grid.cells["col"].to_numpy()
    n_steps = cube.shape[0]
    temporal = np.ones(2 * window + 1)
    if direction == "previous":
        temporal[window + 1 :] = 0.0
    raster = np.zeros((n_steps, grid.n_rows, grid.n_cols))
    raster[:, rows, cols] = cube
    mask = np.zeros((grid.n_rows, grid.n_cols))
    mask[rows, cols] = 1.0
    stencil = band_offsets(grid.cell_size_m, band, extent=(grid.n_rows, grid.n_cols))
    through_time = ndimage.correlate1d(raster, temporal, axis=0, mode="constant", cval=0.0)
    ndimage.correlate(through_time, stencil[None, :, :], output=raster, mode="constant", cval=0.0)
    lag = raster[:, rows, cols]  # sums of counts: whole numbers, exact in floats
    cell_weight = ndimage.correlate(mask, stencil, mode="constant", cval=0.0)[rows, cols]
    step_weight = ndimage.correlate1d(np.ones(n_steps), temporal, mode="constant", cval=0.0)
    return lag, step_weight, cell_weight
