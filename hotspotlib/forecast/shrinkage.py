"""Empirical-Bayes (Poisson-Gamma) shrinkage of counts per cell towards a prior mean."""

from __future__ import annotations

from typing import Any, Literal

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from hotspotlib._validation import check_option, require_positive, require_type
from hotspotlib.forecast._common import Weights, prepare
from hotspotlib.forecast.surface import ForecastSurface
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["shrunken_counts"]

Prior = Literal["global", "local"]


def moment_shape(
    count: NDArray[np.float64], exposure: NDArray[np.float64], prior_mean: NDArray[np.float64]
) -> float:
    """Method-of-moments shape ``alpha`` of the Gamma prior (``inf``: no over-dispersion).

    Under ``y_i ~ Poisson(e_i * theta_i)`` with ``theta_i ~ Gamma(alpha, alpha / m_i)``,
    ``E(y_i - e_i m_i)^2 = e_i m_i + e_i^2 m_i^2 / alpha``; summing over cells and
    solving gives ``alpha = sum(e^2 m^2) / (sum((y - e m)^2) - sum(e m))``.
    """
    expected = exposure * prior_mean
    excess = float(np.sum((count - expected) ** 2) - np.sum(expected))
    if excess <= 0:
        return float("inf")
    return float(np.sum(expected**2) / excess)


def shrunken_counts(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str = "timestamp",
    origin: Any,
    window_days: float | None = None,
    prior: Prior = "global",
    prior_radius_m: float | None = None,
    weights: Weights = None,
    dayfirst: bool | None = None,
) -> ForecastSurface:
    """Shrink counts per cell towards a prior mean (empirical Bayes, Poisson-Gamma).

    A cell with few events has a noisy count: one burglary last year says little. The
    posterior mean pulls each cell's rate towards the prior mean, the more so the less
    the data vary beyond Poisson noise, and ranks cells more reliably than raw counts.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid
        Cells to score, from :func:`hotspotlib.make_grid`.
    time : str
        Column of ``events`` with the event times.
    origin : date or time
        Start of the window being forecast; only events strictly before it are counted.
    window_days : float, optional
        Count only events at most this many days before ``origin`` (all when omitted).
    prior : {"global", "local"}
        Shrink towards the mean rate of all cells, or towards the mean rate of the
        cells whose centres lie within ``prior_radius_m`` (the cell itself left out).
    prior_radius_m : float, optional
        Neighbourhood radius of the local prior, in metres (default 3 cell sizes).
    weights : None
        Not supported: the Poisson-Gamma model is for event counts. Passing weights
        raises a TypeError (use :func:`recency_counts` or :func:`window_counts`).
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origin``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ForecastSurface
        ``scores`` are posterior mean rates, in events per whole cell over the counting
        window. ``parameters`` holds the estimated ``prior_shape`` (alpha), the global
        ``prior_mean`` and ``prior_rate`` (alpha / prior_mean).

    Raises
    ------
    ValueError
        For an unknown ``prior``, a non-positive ``prior_radius_m``, bad events, grid,
        times or ``origin``, or when no event is left to count.
    TypeError
        For weights, or a ``prior_radius_m`` with the global prior.

    See Also
    --------
    window_counts : The raw counts being shrunk.
    recency_counts : Decayed counts.

    Notes
    -----
    Cell ``i`` has count ``y_i`` and exposure ``e_i`` (its ``area_share``: 1 for whole
    cells). The model is ``y_i ~ Poisson(e_i theta_i)``, ``theta_i ~ Gamma(alpha,
    alpha / m_i)`` (shape, rate), so the prior mean of ``theta_i`` is ``m_i``. With the
    global prior ``m_i = sum(y) / sum(e)``; with the local prior ``m_i = (Y_i + m) /
    (E_i + 1)`` where ``Y_i``, ``E_i`` sum counts and exposures of the neighbours and
    the global mean ``m`` counts as one pseudo-cell (so an empty neighbourhood still
    has a positive mean). The shape is estimated by the method of moments::

        alpha = sum(e_i^2 m_i^2) / (sum((y_i - e_i m_i)^2) - sum(e_i m_i))

    which for the global prior and whole cells is the classic ``m^2 / (s^2 - m)`` with
    ``s^2`` the variance of the counts (divisor n). The score is the posterior mean
    ``(alpha + y_i) / (alpha / m_i + e_i)``, i.e. the shrinkage
    ``w_i (y_i / e_i) + (1 - w_i) m_i`` with ``w_i = e_i / (e_i + alpha / m_i)``. When
    the counts vary no more than Poisson noise (denominator <= 0) every cell gets its
    prior mean, and a note says so.

    With the global prior and whole cells the posterior mean is increasing in the count,
    so the ranking (and every hit rate) equals that of the raw counts: only clipped edge
    cells, or the local prior, change which cells come first.

    References
    ----------
    Clayton, D. & Kaldor, J. (1987). Empirical Bayes estimates of age-standardized
    relative risks for use in disease mapping. Biometrics, 43(3), 671-681.

    Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes
    estimators. Applied Statistics, 40(2), 283-294.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> surface = hs.shrunken_counts(city.events, grid, origin="2024-07-01")
    >>> bool(surface.parameters["prior_shape"] > 0)
    True
    >>> local = hs.shrunken_counts(city.events, grid, origin="2024-07-01", prior="local")
    >>> local.parameters["prior_radius_m"]
    1500.0
    """
    check_option(prior, Prior, name="prior")
    require_type(
        weights,
        type(None),
        name="weights",
        expected="None: the Poisson-Gamma model is for event counts (use recency_counts or "
        "window_counts for harm)",
    )
    radius = _prior_radius(prior, prior_radius_m, grid)
    training = prepare(
        events,
        grid,
        time=time,
        origin=origin,
        window_days=window_days,
        weights=None,
        dayfirst=dayfirst,
    )
    count = np.bincount(training.position, minlength=grid.n_cells).astype(float)
    exposure = grid.cells["area_share"].to_numpy(dtype=float)
    global_mean = float(count.sum() / exposure.sum())
    if radius is None:
        prior_mean = np.full(grid.n_cells, global_mean)
    else:
        prior_mean = _local_mean(grid, count, exposure, radius, global_mean)
    alpha = moment_shape(count, exposure, prior_mean)
    notes = [
        "Scores are posterior mean rates (events per whole cell over the counting window) "
        f"under a Poisson-Gamma model with a {prior} prior; shape by the method of moments.",
    ]
    if np.isinf(alpha):
        scores = prior_mean.copy()
        notes.append(
            "The counts vary no more than Poisson noise, so every cell gets its prior mean."
        )
    else:
        scores = (alpha + count) / (alpha / prior_mean + exposure)
    extra = {
        "prior": prior,
        "prior_radius_m": radius,
        "prior_mean": global_mean,
        "prior_shape": alpha,
        "prior_rate": alpha / global_mean,
    }
    return ForecastSurface(
        scores=scores,
        grid=grid,
        method="shrunken_counts",
        parameters={**training.parameters, **extra},
        counts=training.counts,
        notes=tuple(notes + training.notes),
    )


def _prior_radius(prior: str, prior_radius_m: Any, grid: Grid) -> float | None:
    """Radius of the local prior (3 cell sizes by default); None for the global prior."""
    if prior == "global":
        require_type(
            prior_radius_m,
            type(None),
            name="prior_radius_m",
            expected="None with `prior='global'` (the radius applies only to `prior='local'`)",
        )
        return None
    if prior_radius_m is None and isinstance(grid, Grid):
        return 3.0 * grid.cell_size_m
    return require_positive(prior_radius_m, name="prior_radius_m", fix="E.g. 450.")


def _local_mean(
    grid: Grid,
    count: NDArray[np.float64],
    exposure: NDArray[np.float64],
    radius: float,
    global_mean: float,
) -> NDArray[np.float64]:
    """Prior mean from the neighbours within ``radius`` plus one pseudo-cell at the mean."""
    pairs = cKDTree(grid.centroids()).query_pairs(radius, output_type="ndarray")
    first, second = pairs[:, 0], pairs[:, 1]
    n = grid.n_cells
    near_count = np.bincount(first, weights=count[second], minlength=n) + np.bincount(
        second, weights=count[first], minlength=n
    )
    near_exposure = np.bincount(first, weights=exposure[second], minlength=n) + np.bincount(
        second, weights=exposure[first], minlength=n
    )
    return np.asarray((near_count + global_mean) / (near_exposure + 1.0), dtype=float)
