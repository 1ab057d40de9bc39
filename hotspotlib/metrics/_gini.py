"""Gini arithmetic on grouped data (distinct values and their frequencies).

Crime counts per place take few distinct values (mostly 0, 1, 2 ...), so the Gini, its
bootstrap and its jackknife work on ``(values, frequencies)``: a bootstrap resample is a
multinomial draw of frequencies, O(distinct values) per replicate instead of O(places).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import special

__all__ = ["adjust", "bca_levels", "gini_grouped", "jackknife_grouped"]


def gini_grouped(values: NDArray[np.float64], freq: NDArray[np.float64]) -> NDArray[np.float64]:
    """Compute the standard Gini of grouped data; ``freq`` may be ``(..., K)`` samples.

    With ``values`` sorted ascending and ``c`` the cumulative frequencies, the sum of all
    ordered absolute differences is ``2 * sum_k v_k f_k (c_{k-1} + c_k - n)`` and
    ``G = that / (2 n S)`` with ``S`` the total. NaN where the total is zero.
    """
    freq = np.asarray(freq, dtype=float)
    n = freq.sum(axis=-1)
    cum = np.cumsum(freq, axis=-1)
    before = cum - freq
    total = (freq * values).sum(axis=-1)
    spread = 2.0 * (values * freq * (before + cum - n[..., None])).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, spread / (2.0 * n * total), np.nan)


def adjust(
    gini: NDArray[np.float64] | float,
    n_units: NDArray[np.float64] | float,
    total: NDArray[np.float64] | float,
    *,
    generalized: bool,
    unbiased: bool,
) -> NDArray[np.float64]:
    """Turn the standard Gini into the requested variant.

    Generalised (Bernasco & Steenbeek 2017): ``G' = max(1, n/N) (G - 1) + 1``; its
    unbiased form multiplies by ``m / (m - 1)`` with ``m = min(n, N)``. The standard
    unbiased Gini multiplies by ``n / (n - 1)``. NaN where the factor is undefined.
    """
    g = np.asarray(gini, dtype=float)
    n = np.asarray(n_units, dtype=float)
    big_n = np.asarray(total, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        if generalized:
            g = np.maximum(1.0, n / big_n) * (g - 1.0) + 1.0
            m = np.minimum(n, big_n)
        else:
            m = n
        if unbiased:
            g = np.where(m > 1, g * m / (m - 1.0), np.nan)
    return np.asarray(g, dtype=float)


def jackknife_grouped(
    values: NDArray[np.float64], freq: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Compute the standard Gini with one place of each group left out, in O(K).

    Returns the leave-one-out Gini per group, the number of places and the total left.
    Removing place ``k`` removes ``2 * sum_j |x_k - x_j|`` from the sum of differences.
    """
    n = freq.sum()
    cum = np.cumsum(freq)
    before = cum - freq
    mass = freq * values
    total = mass.sum()
    mass_before = np.cumsum(mass) - mass
    mass_after = total - mass_before - mass
    distance_sum = values * before - mass_before + mass_after - values * (n - cum)
    spread = 2.0 * (values * freq * (before + cum - n)).sum()
    left_total = total - values
    with np.errstate(invalid="ignore", divide="ignore"):
        loo = np.where(
            left_total > 0,
            (spread - 2.0 * distance_sum) / (2.0 * (n - 1.0) * left_total),
            np.nan,
        )
    return loo, np.full_like(loo, n - 1.0), left_total


def bca_levels(
    estimate: float,
    boot: NDArray[np.float64],
    jack: NDArray[np.float64],
    weights: NDArray[np.float64],
    level: float,
) -> tuple[float, float]:
    """Quantile levels of the BCa interval (Efron 1987) from bootstrap and jackknife values.

    The bias correction counts ties with the estimate as half (mid-rank), which matters
    for small counts where many replicates repeat the estimate exactly.
    """
    finite = boot[np.isfinite(boot)]
    below = (finite < estimate).sum() + 0.5 * (finite == estimate).sum()
    proportion = np.clip(below / finite.size, 0.5 / finite.size, 1 - 0.5 / finite.size)
    z0 = float(special.ndtri(proportion))
    ok = np.isfinite(jack)
    mean = np.average(jack[ok], weights=weights[ok])
    dev = mean - jack[ok]
    denom = 6.0 * (np.sum(weights[ok] * dev**2)) ** 1.5
    accel = float(np.sum(weights[ok] * dev**3) / denom) if denom > 0 else 0.0
    alpha = (1.0 - level) / 2.0
    out = []
    for z_alpha in (special.ndtri(alpha), special.ndtri(1.0 - alpha)):
        shifted = z0 + z_alpha
        out.append(float(special.ndtr(z0 + shifted / (1.0 - accel * shifted))))
    return out[0], out[1]
