"""EM fit and forecast of a space-time self-exciting (ETAS-style) point process.

Conditional intensity, in events per square metre per day::

    lambda(x, t) = mu(x) + sum_{t_j < t} theta * g(t - t_j) * f(x - x_j)

with ``g`` an exponential density of rate ``omega`` and ``f`` a circular Gaussian of
standard deviation ``sigma``, both cut off (and renormalised) at ``time_cutoff`` days and
``space_cutoff`` metres, so that only the sparse list of close pairs enters. The
background ``mu`` is a fixed-bandwidth Gaussian kernel estimate of the
background-weighted events ("kernel") or constant within each grid cell ("cell").
Times are in days relative to the forecast origin (all negative).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy.optimize import brentq
from scipy.spatial import cKDTree

from hotspotlib._threads import single_thread_blas
from hotspotlib._validation import require_allocation
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.forecast._spread import spread_gaussian
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["EtasFit", "Pairs", "close_pairs", "e_step", "fit_etas", "predict_etas"]

_FLAT = 1e-4  # scaled rate below which a cut-off exponential is taken as flat


@dataclass(frozen=True, slots=True)
class Pairs:
    """Possible parent-child pairs: parent before child, within both cut-offs."""

    parent: NDArray[np.int64]
    child: NDArray[np.int64]
    lag_days: NDArray[np.float64]
    distance2_m2: NDArray[np.float64]
    n_same_time: int


@dataclass(frozen=True, slots=True)
class EtasFit:
    """Fitted parameters and each event's probability of being a background event."""

    theta: float
    omega: float
    sigma_m: float
    background_share: NDArray[np.float64]
    background_rate: NDArray[np.float64]  # mu at each event, per m^2 per day
    log_likelihood: float
    n_iterations: int
    converged: bool
    last_change: float
    at_time_cutoff: bool
    at_space_cutoff: bool
    at_sigma_floor: bool


def close_pairs(
    xy: NDArray[np.float64], t: NDArray[np.float64], time_cutoff: float, space_cutoff: float
) -> Pairs:
    """Pairs closer than ``space_cutoff`` metres and ``0 < lag < time_cutoff`` days."""
    tree = cKDTree(xy)
    n_within = (float(tree.count_neighbors(tree, space_cutoff)) - len(xy)) / 2
    require_allocation(
        n_within,
        48,
        name="space_cutoff_m",
        what="pairs of events",
        fix="Use a smaller `space_cutoff_m` or fewer events (a shorter `window_days`).",
    )
    both = tree.query_pairs(space_cutoff, output_type="ndarray")
    first, second = both[:, 0], both[:, 1]
    lag = t[second] - t[first]
    later = lag > 0
    parent = np.where(later, first, second)
    child = np.where(later, second, first)
    lag = np.abs(lag)
    keep = (lag > 0) & (lag < time_cutoff)
    delta = xy[child[keep]] - xy[parent[keep]]
    return Pairs(
        parent=parent[keep],
        child=child[keep],
        lag_days=lag[keep],
        distance2_m2=np.einsum("ij,ij->i", delta, delta),
        n_same_time=int(np.count_nonzero(lag == 0)),
    )


def _exp_density(lag: NDArray[np.float64], rate: float, cutoff: float) -> NDArray[np.float64]:
    """Density of an exponential of ``rate`` cut off at ``cutoff`` (renormalised)."""
    if rate * cutoff < _FLAT:
        return np.full(lag.shape, 1.0 / cutoff)
    return np.asarray(rate * np.exp(-rate * lag) / -math.expm1(-rate * cutoff))


def _exp_cdf(lag: NDArray[np.float64], rate: float, cutoff: float) -> NDArray[np.float64]:
    """Distribution function of the cut-off exponential at ``lag`` (1 beyond the cut-off)."""
    clipped = np.clip(lag, 0.0, cutoff)
    if rate * cutoff < _FLAT:
        return np.asarray(clipped / cutoff)
    return np.asarray(np.expm1(-rate * clipped) / math.expm1(-rate * cutoff))


def _mean_scaled(z: float) -> float:
    """Mean of an exponential of rate ``z`` cut off at 1."""
    if z < 1e-3:
        return 0.5 - z / 12.0 + z**3 / 720.0
    if z > 700.0:
        return 1.0 / z
    return 1.0 / z - 1.0 / math.expm1(z)


def cutoff_rate(mean: float, cutoff: float) -> tuple[float, bool]:
    """Rate of the exponential cut off at ``cutoff`` with this mean (and whether flat).

    The maximum-likelihood rate of weighted lags whose weighted mean is ``mean``; a mean
    of half the cut-off or more means no decay (returned as flat).
    """
    share = max(mean / cutoff, 1e-12)
    if share >= _mean_scaled(_FLAT):
        return _FLAT / cutoff, True
    z = brentq(lambda v: _mean_scaled(v) - share, _FLAT, 1.0 / share + 10.0, xtol=1e-12)
    return float(z) / cutoff, False


def e_step(
    pairs: Pairs,
    background_rate: NDArray[np.float64],
    theta: float,
    omega: float,
    sigma_m: float,
    time_cutoff: float,
    space_cutoff: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Branching probabilities: per pair (parent triggered child), per event (background).

    Also returns the intensity at each event.
    """
    beta = 1.0 / (2.0 * sigma_m**2)
    spatial = _exp_density(pairs.distance2_m2, beta, space_cutoff**2) / math.pi
    trigger = theta * _exp_density(pairs.lag_days, omega, time_cutoff) * spatial
    intensity = background_rate + np.bincount(
        pairs.child, weights=trigger, minlength=background_rate.size
    )
    return trigger / intensity[pairs.child], background_rate / intensity, intensity


def _kernel_matrix(xy: NDArray[np.float64], bandwidth: float) -> sparse.csr_matrix:
    """Gaussian kernel densities (per m^2) between events within 5 bandwidths, self included."""
    tree = cKDTree(xy)
    n = len(xy)
    n_within = (float(tree.count_neighbors(tree, 5.0 * bandwidth)) - n) / 2
    require_allocation(
        n_within,
        48,
        name="background_bandwidth_m",
        what="pairs of events",
        fix="Use a smaller `background_bandwidth_m` or the 'cell' background.",
    )
    both = tree.query_pairs(5.0 * bandwidth, output_type="ndarray")
    delta = xy[both[:, 0]] - xy[both[:, 1]]
    value = np.exp(-np.einsum("ij,ij->i", delta, delta) / (2 * bandwidth**2))
    scale = 1.0 / (2 * math.pi * bandwidth**2)
    rows = np.concatenate([both[:, 0], both[:, 1], np.arange(n)])
    cols = np.concatenate([both[:, 1], both[:, 0], np.arange(n)])
    data = np.concatenate([value, value, np.ones(n)]) * scale
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, n))


@single_thread_blas()
def fit_etas(
    xy: NDArray[np.float64],
    t: NDArray[np.float64],
    *,
    duration: float,
    background: str,
    bandwidth: float,
    cell: NDArray[np.int64],
    cell_area: NDArray[np.float64],
    pairs: Pairs,
    time_cutoff: float,
    space_cutoff: float,
    n_iterations: int,
    tolerance: float,
    min_sigma: float,
) -> EtasFit:
    """Expectation-maximisation over the branching structure (Veen & Schoenberg 2008).

    ``t`` are event times in days before the end of the window ``[-duration, 0)``;
    ``cell``/``cell_area`` give each event's cell and its area in m^2 (for the "cell"
    background). Stops when theta, omega and sigma all change by less than
    ``tolerance`` (relative) in one iteration. Runs with one BLAS thread
    (:func:`hotspotlib._threads.single_thread_blas`).
    """
    n = len(t)
    if background == "kernel":
        kernel = _kernel_matrix(xy, bandwidth)

        def background_rate(share: NDArray[np.float64]) -> NDArray[np.float64]:
            return np.asarray(kernel @ share) / duration

    else:

        def background_rate(share: NDArray[np.float64]) -> NDArray[np.float64]:
            per_cell = np.bincount(cell, weights=share)
            return per_cell[cell] / (duration * cell_area)

    # expected offspring window of each event: the part of its kernel before the end
    remaining = -t
    theta, omega, sigma = 0.5, 10.0 / time_cutoff, space_cutoff / 5.0
    share = np.full(n, 0.5)
    mu = background_rate(share)
    converged, change, iteration = False, math.inf, 0
    at_time = at_space = at_floor = False
    p_pair = np.zeros(pairs.parent.size)
    for iteration in range(1, n_iterations + 1):  # noqa: B007 (EM iterations, not events)
        p_pair, share, _ = e_step(pairs, mu, theta, omega, sigma, time_cutoff, space_cutoff)
        triggered = float(p_pair.sum())
        mu = background_rate(share)
        if triggered <= 0:
            new = (0.0, omega, sigma)
        else:
            new_omega, at_time = cutoff_rate(
                float(p_pair @ pairs.lag_days) / triggered, time_cutoff
            )
            beta, at_space = cutoff_rate(
                float(p_pair @ pairs.distance2_m2) / triggered, space_cutoff**2
            )
            at_floor = beta > 1.0 / (2.0 * min_sigma**2)
            beta = min(beta, 1.0 / (2.0 * min_sigma**2))
            exposure = float(_exp_cdf(remaining, new_omega, time_cutoff).sum())
            new = (triggered / exposure, new_omega, math.sqrt(1.0 / (2.0 * beta)))
        old = np.array([theta, omega, sigma])
        change = float(np.max(np.abs(np.array(new) - old) / np.maximum(old, 1e-12)))
        theta, omega, sigma = new
        if change < tolerance:
            converged = True
            break
    _, share, intensity = e_step(pairs, mu, theta, omega, sigma, time_cutoff, space_cutoff)
    compensator = float(share.sum()) + theta * float(_exp_cdf(remaining, omega, time_cutoff).sum())
    return EtasFit(
        theta=theta,
        omega=omega,
        sigma_m=sigma,
        background_share=share,
        background_rate=mu,
        log_likelihood=float(np.log(intensity).sum()) - compensator,
        n_iterations=iteration,
        converged=converged,
        last_change=change,
        at_time_cutoff=at_time,
        at_space_cutoff=at_space,
        at_sigma_floor=at_floor,
    )


def predict_etas(
    fit: EtasFit,
    xy: NDArray[np.float64],
    t: NDArray[np.float64],
    *,
    grid: Grid,
    duration: float,
    horizon: float,
    background: str,
    bandwidth: float,
    cell: NDArray[np.int64],
    time_cutoff: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the expected events per cell in ``[0, horizon)``: background, triggered."""
    per_day = fit.background_share / duration
    if background == "kernel":
        base = spread_gaussian(xy, per_day * horizon, bandwidth, grid)
    else:
        base = np.bincount(cell, weights=per_day * horizon, minlength=grid.n_cells).astype(float)
    age = -t
    offspring = fit.theta * (
        _exp_cdf(age + horizon, fit.omega, time_cutoff) - _exp_cdf(age, fit.omega, time_cutoff)
    )
    active = offspring > 0
    triggered = spread_gaussian(xy[active], offspring[active], fit.sigma_m, grid)
    return base, triggered


def diagnose(fit: Any, n_pairs: int, time_cutoff: float, space_cutoff: float) -> list[str]:
    """Describe the fit in notes; warn about what makes it untrustworthy."""
    notes = [
        f"Fitted theta {fit.theta:.3g} (offspring per event), mean lag {1 / fit.omega:.3g} "
        f"days, sigma {fit.sigma_m:.3g} m; {fit.background_share.mean():.1%} of events are "
        "background.",
    ]
    problems = []
    if not fit.converged:
        problems.append(
            f"EM did not converge in {fit.n_iterations} iterations: the parameters still "
            f"changed by {fit.last_change:.2g} (relative) in the last one. Raise `n_iterations`."
        )
    if n_pairs == 0:
        problems.append(
            "No pair of events lies within the cut-offs, so no triggering can be estimated "
            "(theta 0): the scores are the background alone. Raise the cut-offs."
        )
    if fit.theta >= 1:
        problems.append(
            f"theta is {fit.theta:.3g} >= 1: an explosive process, so the fit is not "
            "trustworthy (the background is likely too smooth; use a smaller bandwidth)."
        )
    if fit.at_time_cutoff and n_pairs:
        problems.append(
            f"The fitted triggering does not decay within `time_cutoff_days` ({time_cutoff:g}): "
            "it is flat up to the cut-off. Raise `time_cutoff_days`."
        )
    if fit.at_space_cutoff and n_pairs:
        problems.append(
            f"The fitted triggering does not decay within `space_cutoff_m` ({space_cutoff:g}): "
            "it is flat up to the cut-off. Raise `space_cutoff_m`."
        )
    if fit.at_sigma_floor:
        notes.append(
            f"sigma is held at its floor `min_sigma_m` ({fit.sigma_m:.3g} m): many triggering "
            "pairs are at (nearly) the same point, e.g. repeats at one address or coordinates "
            "snapped to blocks, and without the floor the likelihood grows without bound."
        )
    for problem in problems:
        warnings.warn(problem, HotspotlibWarning, stacklevel=3)
    if not math.isfinite(fit.log_likelihood):
        problems.append("The log-likelihood is not finite.")
    return notes + problems
