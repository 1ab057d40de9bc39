"""Multiple-testing adjustment of p-values: one implementation for the whole library."""

from __future__ import annotations

import inspect

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hotspotlib._options import Adjustment
from hotspotlib._validation import (
    check_option,
    require_array,
    require_nonempty,
    require_numbers,
)

__all__ = [
    "adjust_pvalues",
    "ascending_order",
    "fdr_of_distinct",
    "fdr_of_sorted_distinct",
    "permutation_floor_note",
]


def adjust_pvalues(p_values: ArrayLike, *, method: Adjustment = "holm") -> NDArray[np.float64]:
    """Adjust p-values for multiple testing; NaN entries are ignored and stay NaN.

    ``"holm"`` controls the family-wise error rate (Holm 1979, step-down);
    ``"bonferroni"`` multiplies by the number of tests; ``"fdr_bh"`` gives
    Benjamini-Hochberg q-values (a test is rejected at false discovery rate alpha by the
    step-up procedure exactly when its q-value is <= alpha); ``"none"`` returns a copy.
    The number of tests is the number of finite p-values. Adjusted values are capped at
    1 and returned in the input order; they equal those of
    ``statsmodels.stats.multitest.multipletests``.

    Parameters
    ----------
    p_values : array-like
        Unadjusted p-values in [0, 1] (NaN for untested units, e.g. Gi* islands).
    method : {"holm", "fdr_bh", "bonferroni", "none"}
        Adjustment.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape as the input.

    Raises
    ------
    ValueError
        For an empty input, values outside [0, 1] or an unknown method.

    See Also
    --------
    estimate_effects : Effects on several outcomes, adjusted.
    estimate_arms : Arm comparisons, adjusted.
    gi_star : Local statistics with FDR q-values.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics 6(2), 65-70. https://www.jstor.org/stable/4615733
    .. [2] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a
       practical and powerful approach to multiple testing. Journal of the Royal Statistical
       Society B 57(1), 289-300. https://doi.org/10.1111/j.2517-6161.1995.tb02031.x

    Examples
    --------
    >>> from hotspotlib import adjust_pvalues
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_pvalues([0.01, 0.04, float("nan")], method="bonferroni").round(3).tolist()
    [0.02, 0.08, nan]
    """
    check_option(method, Adjustment, name="method")
    values = require_numbers(p_values, name="p_values")
    require_nonempty(values, name="p_values", fix="pass at least one p-value.")
    finite = np.isfinite(values)
    every = bool(finite.all())  # then no masked copy in or out (each costs a pass of 16M)
    tested = require_array(
        values.ravel() if every else values[finite],
        name="p_values",
        min_length=0,
        low=0,
        high=1,
        fix="P-values lie in [0, 1].",
    )
    m = tested.size
    if m == 0 or method == "none":
        adjusted = tested.copy()
        return _in_place(adjusted, values.shape, finite, every)
    if method == "bonferroni":
        adjusted = np.minimum(1.0, tested * m)
    else:
        order, stepped = ascending_order(tested)  # a fresh array: stepped in place
        if method == "fdr_bh":
            stepped *= m
            stepped /= np.arange(1, m + 1, dtype=float)
            np.minimum.accumulate(stepped[::-1], out=stepped[::-1])
        else:
            stepped *= np.arange(m, 0, -1, dtype=float)
            np.maximum.accumulate(stepped, out=stepped)
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(stepped, 1.0, out=stepped)
    return _in_place(adjusted, values.shape, finite, every)


def _in_place(
    adjusted: NDArray[np.float64], shape: tuple[int, ...], finite: NDArray[np.bool_], every: bool
) -> NDArray[np.float64]:
    """Put the adjusted values of the finite entries back in the input's places (NaN elsewhere)."""
    if every:
        return adjusted.reshape(shape)
    result = np.full(shape, np.nan)
    result[finite] = adjusted
    return result


def permutation_floor_note(
    *,
    n_tests: int,
    n_permutations: int,
    alpha: float,
    n_found: int,
    method: str,
    tails: int = 1,
) -> str | None:
    """Explain, when it matters, that permutation p-values cannot pass the adjustment.

    With ``B`` permutations no p-value is below ``1 / (B + 1)``. Under Benjamini-Hochberg
    (``method="fdr_bh"``) over ``m`` tests a lone unit is significant at ``alpha`` only
    when ``p <= alpha / m``; under Bonferroni always so. Returns a sentence naming the
    number of permutations needed (``m / alpha - 1``), or None when a lone unit can pass.
    ``tails=2`` is for p-values that double the smaller tail (smallest ``2 / (B + 1)``).

    Examples
    --------
    >>> note = permutation_floor_note(
    ...     n_tests=30_000, n_permutations=999, alpha=0.05, n_found=0, method="fdr_bh")
    >>> "599,999" in note
    True
    """
    if n_permutations <= 0 or n_tests <= 1:
        return None
    floor = tails / (n_permutations + 1)
    if floor <= alpha / n_tests:
        return None
    needed = int(np.ceil(tails * n_tests / alpha)) - 1
    if method == "fdr_bh":
        together = int(np.ceil(floor * n_tests / alpha))
        how = (
            f"the Benjamini-Hochberg FDR over {n_tests:,} tests at {alpha:g} can call a test "
            f"significant only when at least {together:,} tests all reach that p-value"
        )
    else:
        how = f"a correction over {n_tests:,} tests at {alpha:g} needs p <= {alpha / n_tests:.2g}"
    return (
        f"With {n_permutations:,} permutations the smallest possible p-value is "
        f"{tails}/(B+1) = {floor:.2g}; {how}, so an isolated finding cannot be significant "
        f"({n_found:,} found). Use at least {needed:,} permutations."
    )


def ascending_order(
    values: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Positions that sort non-negative finite ``values`` ascending, and the sorted values.

    Tied p-values get equal adjusted values whatever their order, so no stable sort is
    needed. Each value's bit pattern (monotone for non-negative floats) keeps its high
    bits and gives its low bits to the position, so one integer sort, much faster than
    an argsort, orders everything except values equal in those high bits. Only the runs
    of such values that came out of order are then sorted among themselves: each run
    is found by binary search, as every value before it is smaller and every value
    after it larger.

    Examples
    --------
    >>> order, ranked = ascending_order(np.array([0.5, 0.1, 0.3, 0.1]))
    >>> order.tolist(), ranked.tolist()
    ([1, 3, 2, 0], [0.1, 0.1, 0.3, 0.5])
    """
    n = len(values)
    shift = max(int(n - 1).bit_length(), 1)
    order = (values + 0.0).view(np.int64)  # + 0.0 turns -0.0 into 0.0; a fresh array
    order >>= shift
    order <<= shift
    order |= np.arange(n, dtype=np.int64)
    order.sort()
    order &= (1 << shift) - 1  # the keys' low bits: the positions
    ranked = values[order]
    behind = np.flatnonzero(ranked[1:] < ranked[:-1]) if n > 1 else np.empty(0, np.int64)
    if not behind.size:
        return order, ranked
    # The runs of values sharing their high bits with an out-of-order pair.
    run = np.unique((ranked[behind] + 0.0).view(np.int64) >> shift)
    start = np.searchsorted(ranked, (run << shift).view(np.float64), side="left")
    stop = np.searchsorted(ranked, ((run + 1) << shift).view(np.float64), side="left")
    size = stop - start
    at = np.arange(int(size.sum())) + np.repeat(start - (np.cumsum(size) - size), size)
    fixed = np.argsort(ranked[at], kind="stable")  # the runs are ordered among themselves
    order[at] = order[at][fixed]
    ranked[at] = ranked[at][fixed]
    return order, ranked


def fdr_of_sorted_distinct(
    values: NDArray[np.float64], counts: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Benjamini-Hochberg q of sorted distinct p-values ``values``, held ``counts`` times each.

    ``q(v) = min over values u >= v of m u / F(u)``, capped at 1, where ``F(u)`` counts
    the tests with p <= u and m all of them: the same products and running minimum as
    :func:`adjust_pvalues` with ``method="fdr_bh"`` on the p-values repeated, so equal
    to it bit for bit, with no sort of the repeated values.

    Examples
    --------
    >>> q = fdr_of_sorted_distinct(np.array([0.01, 0.03, 0.04]), np.array([1, 1, 1]))
    >>> q.round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    below = np.cumsum(counts)  # F(v): how many p-values are <= v
    if not len(below):
        return np.empty(0)
    stepped = np.minimum.accumulate((values * int(below[-1]) / below)[::-1])[::-1]
    return np.minimum(1.0, stepped)


def fdr_of_distinct(p: NDArray[np.float64], counts: NDArray[np.int64]) -> NDArray[np.float64]:
    """Benjamini-Hochberg q of each entry of ``p`` held by ``counts`` tests (NaN: untested).

    Equals ``adjust_pvalues`` on the p-values repeated ``counts`` times: the same products
    ``v * m / F(v)`` at each distinct value, the same running minimum from the top.

    Examples
    --------
    >>> fdr_of_distinct(np.array([0.01, 0.04, 0.03]), np.array([1, 1, 1])).round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    tested = np.isfinite(p) & (counts > 0)
    values, where = np.unique(p[tested], return_inverse=True)
    held = np.bincount(where.ravel(), weights=counts[tested], minlength=len(values))
    q = np.full(p.shape, np.nan)
    q[tested] = fdr_of_sorted_distinct(values, held.astype(np.int64))[where.ravel()]
    return q


def dunnett_pvalues(
    z: NDArray[np.float64], correlation: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Single-step Dunnett adjusted p-values: ``P(max |Z| >= |z_i|)``, Z ~ N(0, correlation)."""
    return np.array([max_abs_exceedance(abs(t), correlation) for t in z])


def max_abs_exceedance(c: float, correlation: NDArray[np.float64]) -> float:
    """P(max |Z_i| >= c) for Z ~ N(0, correlation): the tail behind Dunnett's test."""
    if len(correlation) == 1:
        return float(2 * stats.norm.sf(c))
    law = stats.multivariate_normal(
        mean=np.zeros(len(correlation)), cov=correlation, allow_singular=True
    )
    upper, lower = np.full(len(correlation), c), np.full(len(correlation), -c)
    # a fixed seed for the quasi-Monte Carlo integration where scipy takes one (1.15+)
    seeded = "rng" in inspect.signature(law.cdf).parameters
    inside = law.cdf(upper, lower_limit=lower, **({"rng": 0} if seeded else {}))
    return float(min(1.0, max(0.0, 1.0 - inside)))
