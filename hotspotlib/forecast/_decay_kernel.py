"""Engine of the decayed KDE: decayed counts on the lattice, quartic smoothing, validation.

Events are binned to their cell with weight ``w * 0.5 ** (age / half_life)``; the
decayed counts on the grid's full lattice are smoothed by a quartic kernel evaluated at
the offsets between cell centres (normalised to sum 1, so the smoothing moves mass and
does not create it), by FFT convolution; a share ``stay`` of each cell's own decayed
count, with its own half-life, is kept in the cell. Scores of every (spread half-life,
own half-life, bandwidth, stay share) candidate are judged by hit rate on validation
windows before the origin.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.signal import fftconvolve

from hotspotlib.forecast._members import hit_rates
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["candidate_scores", "decayed_counts", "quartic_stencil", "smooth", "validate"]

_SNAP = 1e-12  # FFT round-off below this share of the largest score is set to 0


def quartic_stencil(bandwidth_m: float, cell_size_m: float) -> NDArray[np.float64]:
    """Quartic kernel ``(1 - (d/h)^2)^2`` at cell-centre offsets, summing to 1.

    ``d`` is the distance between cell centres and ``h`` the search radius
    ``bandwidth_m``; the stencil is ``(2m + 1, 2m + 1)`` with ``m`` the whole cells
    within ``h``. A radius below one cell keeps all mass in the cell.
    """
    reach = math.floor(bandwidth_m / cell_size_m * (1 + 1e-12))
    offsets = np.arange(-reach, reach + 1) * cell_size_m
    distance2 = offsets[:, None] ** 2 + offsets[None, :] ** 2
    weight = np.clip(1.0 - distance2 / bandwidth_m**2, 0.0, None) ** 2
    return np.asarray(weight / weight.sum(), dtype=float)


def decayed_counts(
    grid: Grid,
    position: NDArray[np.int64],
    age_days: NDArray[np.float64],
    weight: NDArray[np.float64],
    half_life_days: float,
) -> NDArray[np.float64]:
    """Decayed counts (or weight sums) per kept cell: ``sum w * 0.5 ** (age / half_life)``."""
    decayed = weight * np.exp2(-age_days / half_life_days)
    return np.asarray(np.bincount(position, weights=decayed, minlength=grid.n_cells), dtype=float)


def smooth(lattice: NDArray[np.float64], stencil: NDArray[np.float64]) -> NDArray[np.float64]:
    """Convolve the lattice with the stencil (FFT), round-off snapped to zero."""
    if stencil.size == 1:
        return lattice * stencil[0, 0]
    out = fftconvolve(lattice, stencil, mode="same")
    top = float(np.abs(out).max()) if out.size else 0.0
    out[np.abs(out) <= _SNAP * top] = 0.0
    return np.clip(out, 0.0, None)


def candidate_scores(
    own: NDArray[np.float64],
    spread: NDArray[np.float64],
    stay_shares: NDArray[np.float64],
) -> NDArray[np.float64]:
    """(own rows x stay shares, cells) scores ``stay * own + (1 - stay) * spread``.

    ``own`` is ``(n_own, n_cells)`` decayed counts per kept cell (one row per own
    half-life), ``spread`` the ``(n_cells,)`` smoothed decayed counts; rows run over the
    own half-lives, then the stay shares.
    """
    stay = stay_shares[None, :, None]
    scores = stay * own[:, None, :] + (1.0 - stay) * spread[None, None, :]
    return np.asarray(scores.reshape(-1, spread.size))


def validate(
    grid: Grid,
    position: NDArray[np.int64],
    age_days: NDArray[np.float64],
    weight: NDArray[np.float64],
    *,
    bandwidths_m: NDArray[np.float64],
    pairs: NDArray[np.float64],
    stay_shares: NDArray[np.float64],
    window_days: float | None,
    validation_days: float,
    n_validation: int,
    coverage: NDArray[np.float64],
) -> tuple[NDArray[np.float64], int, int]:
    """Mean hit rate of every candidate over the validation windows before the origin.

    ``pairs`` holds one ``(spread half-life, own half-life)`` row per half-life
    candidate. Window ``j`` (1 = latest) covers ages ``((j - 1) * span, j * span]``
    days before the origin; it is scored from the events older than ``j * span``
    (within ``window_days`` of its start), their ages measured to its start. A window
    with no earlier event or no event in it is skipped. Returns the (pairs, bandwidths,
    stay shares) mean hit rates (NaN when every window was skipped), the windows used
    and those skipped.
    """
    size = grid.cells["area_share"].to_numpy(dtype=float)
    stencils = [quartic_stencil(h, grid.cell_size_m) for h in bandwidths_m]
    spread_values, spread_of = np.unique(pairs[:, 0], return_inverse=True)
    own_values, own_of = np.unique(pairs[:, 1], return_inverse=True)
    total = np.zeros((pairs.shape[0], bandwidths_m.size, stay_shares.size))
    used = skipped = 0
    for j in range(1, n_validation + 1):  # a handful of validation windows
        lag = j * validation_days
        inside = (age_days > lag - validation_days) & (age_days <= lag)
        earlier = age_days > lag
        if window_days is not None:
            earlier &= age_days - lag <= window_days
        observed = np.bincount(position[inside], minlength=grid.n_cells).astype(float)
        if not earlier.any() or observed.sum() == 0:
            skipped += 1
            continue
        used += 1
        where, age, mass = position[earlier], age_days[earlier] - lag, weight[earlier]
        owns = np.array([decayed_counts(grid, where, age, mass, h) for h in own_values])
        for a, half_life in enumerate(spread_values):  # a handful of candidates
            rows = np.flatnonzero(spread_of == a)
            lattice = grid.to_array(decayed_counts(grid, where, age, mass, half_life), fill=0.0)
            for b, stencil in enumerate(stencils):
                spread = grid.from_array(smooth(lattice, stencil))
                scores = candidate_scores(owns[own_of[rows]], spread, stay_shares)
                rates = hit_rates(scores, observed, size, coverage).mean(axis=1)
                total[rows, b] += rates.reshape(rows.size, stay_shares.size)
    mean = total / used if used else np.full_like(total, np.nan)
    return mean, used, skipped
