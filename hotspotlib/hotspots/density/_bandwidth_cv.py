"""Likelihood cross-validation of a Gaussian bandwidth, fast on binned data."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.fft
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from hotspotlib.hotspots.density._engines import bounds_of

__all__ = ["likelihood_cv_sd"]

_CANDIDATES = 30
_LOW, _HIGH = 1.0 / 30.0, 3.0  # search range, as multiples of Scott's rule
_BINS_PER_SD = 8.0
_MAX_NODES = 4_000_000  # larger lattices switch to exact pair sums
_MAX_PAIRS = 30_000_000  # ... and candidates needing more pairs than this are skipped
_REACH = 5.0  # the Gaussian is cut off at 5 SD, as in the density engines


def likelihood_cv_sd(
    xy: NDArray[np.float64], w: NDArray[np.float64], scott_sd: float
) -> tuple[float, dict[str, Any]]:
    """Return the Gaussian SD maximising the leave-one-out log-likelihood, and the trace.

    The candidates run geometrically from 1/30 to 3 times Scott's SD. Large SDs use
    linear binning and an FFT; small ones, whose lattice would be too fine, use exact
    sums over pairs of events within 5 SD (KD-tree).
    """
    if len(xy) < 2 or scott_sd <= 0 or not np.isfinite(scott_sd):  # refused by the caller
        return 0.0, {}
    low, high = _LOW * scott_sd, _HIGH * scott_sd
    candidates = np.geomspace(low, high, _CANDIDATES)
    exact = [sd for sd in candidates if _lattice_nodes(xy, sd) > _MAX_NODES]
    pairs = _close_pairs(xy, exact)
    scores = np.array([_score(xy, w, sd, pairs) for sd in candidates])
    if not np.isfinite(scores).any():
        return 0.0, {}
    best = int(np.nanargmax(scores))
    tried = np.flatnonzero(np.isfinite(scores))
    return float(candidates[best]), {
        "gaussian_sd_m": float(candidates[best]),
        "search_low_m": float(low),
        "search_high_m": float(high),
        "at_search_boundary": best in (int(tried[0]), int(tried[-1])),
        "n_candidates_skipped": int(len(candidates) - len(tried)),
        "cv_sd_m": candidates,
        "cv_log_likelihood": scores,
    }


def _lattice_nodes(xy: NDArray[np.float64], sd: float) -> float:
    """Nodes of the binning lattice for ``sd`` over the events' extent."""
    xmin, ymin, xmax, ymax = bounds_of(xy)
    span = np.array([xmax - xmin, ymax - ymin])
    return float(np.prod(span / (sd / _BINS_PER_SD) + 2))


_Pairs = tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.float64], float]


def _close_pairs(xy: NDArray[np.float64], sds: list[float]) -> _Pairs | None:
    """Pairs ``i < j`` within 5 SD of the largest ``sd`` whose pairs stay under the cap.

    Sorted by distance, nearest first.

    Returns the two ends, their distances and that largest SD (None when no SD is
    exact or every one is over the cap). The cap counts ordered pairs and each event
    with itself, as the per-SD check did.
    """
    if not sds:
        return None
    tree = cKDTree(xy)
    radii = _REACH * np.asarray(sds, dtype=float)
    counts = np.atleast_1d(tree.count_neighbors(tree, radii))  # one traversal, all radii
    allowed = radii[counts <= _MAX_PAIRS]
    if allowed.size == 0:
        return None
    found = tree.query_pairs(float(allowed.max()), output_type="ndarray")
    distance = np.hypot(*(xy[found[:, 0]] - xy[found[:, 1]]).T)
    order = np.argsort(distance)  # nearest first: each SD reads a leading slice
    first, second = found[order, 0], found[order, 1]
    return first, second, distance[order], float(allowed.max()) / _REACH


def _score(
    xy: NDArray[np.float64], w: NDArray[np.float64], sd: float, pairs: _Pairs | None
) -> float:
    xmin, ymin, xmax, ymax = bounds_of(xy)
    span = np.array([xmax - xmin, ymax - ymin])
    if _lattice_nodes(xy, sd) <= _MAX_NODES:
        loo = _binned_loo_density(xy, w, sd)
    else:
        if pairs is None or sd > pairs[3] * (1 + 1e-12):
            return float("nan")
        loo = _pairs_loo_density(pairs, w, sd)
    floor = 1e-12 / max(float(span[0] * span[1]), 1.0)
    return float((w * np.log(np.maximum(loo, floor))).sum() / w.sum())


def _pairs_loo_density(pairs: _Pairs, w: NDArray[np.float64], sd: float) -> NDArray[np.float64]:
    """Leave-one-out Gaussian density at each event from the listed pairs within 5 SD."""
    first, second, distance, _ = pairs
    stop = int(np.searchsorted(distance, _REACH * sd, side="right"))
    i, j, d = first[:stop], second[:stop], distance[:stop]
    kernel = np.exp(-0.5 * (d / sd) ** 2) / (2 * math.pi * sd * sd)
    total = np.bincount(i, kernel * w[j], minlength=w.size)
    total += np.bincount(j, kernel * w[i], minlength=w.size)
    return total / np.maximum(w.sum() - w, 1e-300)


def _exact_loo_density(
    xy: NDArray[np.float64], w: NDArray[np.float64], sd: float, tree: cKDTree
) -> NDArray[np.float64]:
    pairs = tree.sparse_distance_matrix(tree, _REACH * sd, output_type="ndarray")
    other = pairs["i"] != pairs["j"]
    i, j, d = pairs["i"][other], pairs["j"][other], pairs["v"][other]
    kernel = np.exp(-0.5 * (d / sd) ** 2) / (2 * math.pi * sd * sd)
    total = np.bincount(i, kernel * w[j], minlength=len(xy))
    return total / np.maximum(w.sum() - w, 1e-300)


def _binned_loo_density(
    xy: NDArray[np.float64], w: NDArray[np.float64], sd: float
) -> NDArray[np.float64]:
    """Leave-one-out Gaussian density at each event, from linearly binned events."""
    h = sd / _BINS_PER_SD
    pad = math.ceil(_REACH * sd / h) + 1
    xmin, ymin, xmax, ymax = bounds_of(xy)
    lo = (xmin, ymin)
    n_cols = int(math.ceil((xmax - xmin) / h)) + 2
    n_rows = int(math.ceil((ymax - ymin) / h)) + 2
    fx, fy = (xy[:, 0] - lo[0]) / h, (xy[:, 1] - lo[1]) / h
    ix, iy = fx.astype(np.int64), fy.astype(np.int64)
    tx, ty = fx - ix, fy - iy
    corners = ((0, 0), (0, 1), (1, 0), (1, 1))  # (row, col) steps
    share = ((1 - tx) * (1 - ty), tx * (1 - ty), (1 - tx) * ty, tx * ty)
    grid = np.zeros(n_rows * n_cols)
    for (dr, dc), part in zip(corners, share, strict=True):
        grid += np.bincount((iy + dr) * n_cols + ix + dc, part * w, minlength=grid.size)
    offsets = np.arange(-pad, pad + 1) * h
    stencil = np.exp(-0.5 * (offsets[:, None] ** 2 + offsets[None, :] ** 2) / sd**2)
    stencil /= 2 * math.pi * sd**2
    # Only the density at the events is read, so the lattice needs no padding: the
    # transform length alone keeps the circular wrap away from it. Threads: as kde's
    # (``scipy.fft.set_workers``, one unless set).
    shape = (
        scipy.fft.next_fast_len(n_rows + 2 * pad, real=True),
        scipy.fft.next_fast_len(n_cols + 2 * pad, real=True),
    )
    spectrum = scipy.fft.rfft2(grid.reshape(n_rows, n_cols), s=shape)
    spectrum *= scipy.fft.rfft2(stencil, s=shape)
    full = scipy.fft.irfft2(spectrum, s=shape)
    density = full[pad : pad + n_rows, pad : pad + n_cols]
    at_event = sum(
        density[iy + dr, ix + dc] * part for (dr, dc), part in zip(corners, share, strict=True)
    )
    # Each event's own contribution after binning and interpolation, removed exactly:
    # kernel values between corners 0, 1 (side) or 2 (diagonal) steps apart.
    by_steps = (stencil[pad, pad], stencil[pad, pad + 1], stencil[pad + 1, pad + 1])
    own = np.zeros(len(xy))
    for (ra, ca), sa in zip(corners, share, strict=True):
        for (rb, cb), sb in zip(corners, share, strict=True):
            own += sa * sb * by_steps[abs(ra - rb) + abs(ca - cb)]
    return np.asarray((at_event - w * own) / np.maximum(w.sum() - w, 1e-300))
