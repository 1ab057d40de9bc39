"""The emerging hot-spot engine before the distinct-code and rank engines, kept as it was.

Used by ``benchmarks/bench_emerging.py`` (timed beside the current engine, results
compared) and by the tests of the current engine (equal on the same cubes): Gi* of every
bin from full-size neighbourhood sums, Benjamini-Hochberg by ``adjust_pvalues`` over the
whole cube, and Mann-Kendall S by comparing every pair of steps, one lag at a time.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from hotspotlib.hotspots.getis_ord import emerging as current
from hotspotlib.hotspots.getis_ord.emerging_result import EmergingHotspots
from hotspotlib.hotspots.getis_ord.gi import local_g_scores
from hotspotlib.hotspots.getis_ord.patterns import classify_patterns
from hotspotlib.hotspots.inference import adjust_pvalues, normal_p
from hotspotlib.hotspots.weights import band_offsets

__all__ = [
    "previous_bin_scores",
    "previous_cube_sums",
    "previous_emerging_hotspots",
    "previous_kendall_s",
    "previous_mann_kendall",
    "previous_tie_term",
]


def previous_emerging_hotspots(
    events: Any,
    *,
    interval: str,
    cell_size_m: float,
    distance_m: float,
    area: Any = None,
    time: str = "timestamp",
    time_window: int = 1,
    alpha: float = 0.05,
    time_neighbours: str = "both",
) -> EmergingHotspots:
    """``emerging_hotspots`` as it was (FDR on, defaults): the same cube, the previous scores."""
    xy = np.column_stack([events.geometry.x, events.geometry.y])
    times = current._event_times(events, time, None)
    first, last = current._window(times, None, None, None)
    step, periods, in_window = current._time_steps(times, interval, first, last)
    grid, cube, n_outside = current._space_time_cube(
        events, xy[in_window], step[in_window], area=area, size=cell_size_m, n_steps=len(periods)
    )
    z, p, q = previous_bin_scores(grid, cube, distance_m, time_window, time_neighbours)
    with np.errstate(invalid="ignore"):
        significant = q <= alpha
    hot, cold = (significant & (z > 0)).T, (significant & (z < 0)).T
    trend = previous_mann_kendall(z.T)
    return EmergingHotspots(
        locations=grid.cells,
        periods=periods,
        count=cube,
        z_score=z,
        p_value=p,
        q_value=q,
        trend_z=trend["z_score"],
        trend_p=trend["p_value"],
        trend_tau=trend["tau"],
        n_hot=hot.sum(axis=1),
        n_cold=cold.sum(axis=1),
        pattern=classify_patterns(hot, cold, trend["z_score"], trend["p_value"], alpha=alpha),
        interval=interval,
        cell_size_m=cell_size_m,
        distance_m=distance_m,
        time_window=time_window,
        time_neighbours=time_neighbours,
        alpha=alpha,
        fdr=True,
        n_events=len(in_window),
        n_outside=n_outside,
        n_outside_window=int((~in_window).sum()),
        area_given=area is not None,
    )


def previous_bin_scores(
    grid: Any, cube: NDArray[np.int64], band: float, window: int, direction: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Gi* z, two-sided p and Benjamini-Hochberg q of every bin (the previous engine)."""
    x = cube.astype(float).ravel()
    lag, weight_sum = previous_cube_sums(grid, cube.astype(float), band, window, direction)
    scores = local_g_scores(
        lag=lag.ravel(),
        weight_sum=weight_sum.ravel(),
        weight_sq_sum=weight_sum.ravel(),
        n_neighbours=np.rint(weight_sum.ravel() - 1).astype(np.int64),
        x=x,
        star=True,
    )
    z = scores["z_score"].reshape(cube.shape)
    p = normal_p(z)
    q = adjust_pvalues(p.ravel(), method="fdr_bh").reshape(p.shape)
    return z, p, q


def previous_cube_sums(
    grid: Any, cube: NDArray[np.float64], band: float, window: int, direction: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Neighbourhood sums of counts and weights of every bin, as full-size float arrays."""
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
    stencil = band_offsets(grid.cell_size_m, band)
    through_time = ndimage.correlate1d(raster, temporal, axis=0, mode="constant", cval=0.0)
    lag = ndimage.correlate(through_time, stencil[None, :, :], mode="constant", cval=0.0)
    spatial_weight = ndimage.correlate(mask, stencil, mode="constant", cval=0.0)[rows, cols]
    steps_in_window = ndimage.correlate1d(np.ones(n_steps), temporal, mode="constant", cval=0.0)
    weight_sum = steps_in_window[:, None] * spatial_weight[None, :]
    return lag[:, rows, cols], weight_sum


def previous_kendall_s(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Mann-Kendall S per row by comparing every pair of steps (NaN: neither)."""
    by_step = np.ascontiguousarray(values.T)
    s = np.zeros(values.shape[0], dtype=np.int64)
    for lag in range(1, by_step.shape[0]):
        later, earlier = by_step[lag:], by_step[:-lag]
        s += np.count_nonzero(later > earlier, axis=0)
        s -= np.count_nonzero(later < earlier, axis=0)
    return s


def previous_tie_term(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """``sum_g g(g-1)(2g+5)`` over each row's groups of tied values (the previous engine)."""
    rows, steps = values.shape
    ordered = np.sort(values, axis=1)
    starts = np.ones((rows, steps), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    run_id = np.cumsum(starts.ravel()) - 1
    size = np.bincount(run_id).astype(float)
    run_row = np.flatnonzero(starts.ravel()) // steps
    return np.bincount(run_row, weights=size * (size - 1) * (2 * size + 5), minlength=rows)


def previous_mann_kendall(series: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    """Mann-Kendall z, p and tau per row (the previous engine)."""
    values = np.asarray(series, dtype=float)
    s = previous_kendall_s(values).astype(float)
    m = np.sum(np.isfinite(values), axis=1).astype(float)
    variance = (m * (m - 1) * (2 * m + 5) - previous_tie_term(values)) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(variance > 0, (s - np.sign(s)) / np.sqrt(variance), 0.0)
        tau = np.where(m > 1, s / (m * (m - 1) / 2.0), np.nan)
    return {"s": s, "variance": variance, "z_score": z, "p_value": normal_p(z), "tau": tau}
