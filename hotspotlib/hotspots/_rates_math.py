"""The arithmetic of :func:`~hotspotlib.crime_rates`: exact intervals and EB smoothing.

Exact Poisson intervals and empirical-Bayes smoothing of rates (global and local),
vectorised over areas and over simulated re-draws of the counts (rows of a 2-D array).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from scipy import sparse, stats

from hotspotlib.hotspots.weights import build_weights

__all__ = ["garwood_interval", "global_eb", "local_eb", "neighbourhood", "smooth_rates"]


def garwood_interval(
    count: NDArray[Any], confidence: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return the exact (Garwood 1936) two-sided interval for Poisson means.

    ``lower = chi2.ppf(a/2, 2k) / 2`` (0 when ``k = 0``) and ``upper =
    chi2.ppf(1 - a/2, 2k + 2) / 2`` with ``a = 1 - confidence``.

    Examples
    --------
    >>> low, high = garwood_interval(np.array([0, 3]), 0.95)
    >>> [round(float(v), 3) for v in (*low, *high)]
    [0.0, 0.619, 3.689, 8.767]
    """
    k = np.asarray(count, dtype=float)
    alpha = 1.0 - confidence
    with np.errstate(invalid="ignore"):
        low = np.where(k > 0, stats.chi2.ppf(alpha / 2, 2 * np.maximum(k, 1)) / 2, 0.0)
    high = stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2
    return low, high


def global_eb(
    count: NDArray[np.float64], population: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Marshall's (1991) global empirical-Bayes rates (per resident), row by row.

    ``count`` is ``(n,)`` or ``(s, n)`` (one row per simulated re-draw); ``population``
    ``(n,)``. Returns the smoothed rates, the between-area variance of the rates (one
    per row, after truncation) and whether the moment estimate was negative (then 0:
    every area gets the mean rate).
    """
    e = np.atleast_2d(np.asarray(count, dtype=float))
    b = np.asarray(population, dtype=float)
    mean = e.sum(axis=1, keepdims=True) / b.sum()
    rate = e / b
    spread = (b * (rate - mean) ** 2).sum(axis=1, keepdims=True) / b.sum()
    variance = spread - mean / b.mean()
    negative = variance < 0
    variance = np.where(negative, 0.0, variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = np.where(variance > 0, variance / (variance + mean / b), 0.0)
    smoothed = mean + shrink * (rate - mean)
    if np.ndim(count) == 1:
        return smoothed[0], variance[:, 0], negative[:, 0]
    return smoothed, variance[:, 0], negative[:, 0]


def neighbourhood(matrix: sparse.csr_array) -> sparse.csr_array:
    """Return the binary neighbourhood matrix: neighbours (any weight > 0) plus self."""
    entries = sparse.coo_array(matrix)
    off = (entries.row != entries.col) & (entries.data != 0)
    n = matrix.shape[0]
    rows = np.concatenate([entries.row[off], np.arange(n)])
    cols = np.concatenate([entries.col[off], np.arange(n)])
    return sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(n, n))


def local_eb(
    count: NDArray[np.float64], population: NDArray[np.float64], hood: sparse.csr_array
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Local (spatial) empirical-Bayes rates per resident, as Marshall (1991) and esda.

    For each area the prior mean and variance come from its neighbourhood ``hood``
    (binary, self included, see :func:`neighbourhood`): ``m_i = sum e / sum b`` and
    ``s2_i = sum b_j (r_j - m_i)^2 / sum b - m_i / mean b`` over the neighbourhood,
    truncated at 0. ``count`` may be ``(n,)`` or ``(s, n)``. Returns the smoothed rates
    and, per area, whether the local variance was truncated.
    """
    e = np.atleast_2d(np.asarray(count, dtype=float))
    b = np.asarray(population, dtype=float)
    rate = e / b
    sum_b = hood @ b
    size = hood @ np.ones_like(b)

    def total(values: NDArray[np.float64]) -> NDArray[np.float64]:
        # sums over each area's neighbourhood, for every row at once
        return np.asarray((hood @ values.T).T)

    mean = total(e) / sum_b
    first = total(b * rate)
    second = total(b * rate**2)
    spread = (second - 2 * mean * first + mean**2 * sum_b) / sum_b
    variance = spread - mean / (sum_b / size)
    truncated = variance < 0
    variance = np.where(truncated, 0.0, variance)
    with np.errstate(invalid="ignore", divide="ignore"):
        shrink = np.where(variance > 0, variance / (variance + mean / b), 0.0)
    smoothed = mean + shrink * (rate - mean)
    if np.ndim(count) == 1:
        return smoothed[0], truncated[0]
    return smoothed, truncated.any(axis=0)


def smooth_rates(
    count: NDArray[np.float64],
    people: NDArray[np.float64],
    smoothing: str | None,
    areas: gpd.GeoDataFrame,
    spatial_weights: Any,
    keep: NDArray[np.bool_],
) -> tuple[NDArray[np.float64] | None, sparse.csr_array | None, str | None, float, int]:
    """Return empirical-Bayes rates per resident of the kept areas (None without smoothing).

    ``smoothing`` is ``"global"``, ``"local"`` or None; ``keep`` marks the areas with a
    population, whose neighbourhoods are built on all ``areas``. Also returns the
    neighbourhoods and their description (local), the between-area variance (global)
    and how many variance estimates were truncated at 0.
    """
    if smoothing == "global":
        eb, between, negative = global_eb(count, people)
        return eb, None, None, float(between[0]), int(negative[0])
    if smoothing == "local":
        hood, described = _neighbourhood(areas, spatial_weights, keep)
        eb, flags = local_eb(count, people, hood)
        return eb, hood, described, float("nan"), int(flags.sum())
    return None, None, None, float("nan"), 0


def _neighbourhood(
    areas: gpd.GeoDataFrame, spatial_weights: Any, keep: NDArray[np.bool_]
) -> tuple[sparse.csr_array, str]:
    """Binary neighbourhoods (self included) of the kept areas, built on all areas."""
    geometry = areas.geometry.reset_index(drop=True)
    built = build_weights(
        "queen" if spatial_weights is None else spatial_weights,
        n=len(areas),
        index=areas.index,
        centroids=lambda: np.column_stack(
            [geometry.representative_point().x, geometry.representative_point().y]
        ),
        geometry=geometry,
        grid=None,
        distance_m=None,
        k=None,
        star=False,
    )
    where = np.flatnonzero(keep)
    matrix = sparse.csr_array(built.matrix)[where][:, where]
    return neighbourhood(sparse.csr_array(matrix)), built.description
