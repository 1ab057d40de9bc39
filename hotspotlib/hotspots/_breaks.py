"""Class breaks for tiers: exact Fisher-Jenks natural breaks, quantiles, thresholds, top k.

Every rule returns the tier of each value (1 = the highest scores) and the cut values
actually used, so a result can state its rule in numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from hotspotlib._validation import require_allocation

__all__ = ["fisher_jenks", "tiers_from_cuts", "tiers_top_k"]


def fisher_jenks(values: NDArray[np.float64], n_classes: int) -> NDArray[np.float64]:
    """Return the exact Fisher (1958) / Jenks optimal breaks: each class's upper bound.

    Minimises the total within-class sum of squared deviations by dynamic programming
    over the sorted distinct values, weighted by how often each occurs (so equal values
    are never split between classes). Memory grows with the square of the number of
    distinct values and is estimated before allocating.

    Examples
    --------
    >>> fisher_jenks(np.array([1.0, 2, 3, 10, 11, 12, 30]), 3).tolist()
    [3.0, 12.0, 30.0]
    """
    distinct, weight = np.unique(values, return_counts=True)
    m = len(distinct)
    require_allocation(
        float(m) * m,
        48,  # about six m-by-m float arrays at once
        name="by",
        what="pairs of distinct values",
        fix="Natural breaks are exact and quadratic in the number of distinct scores; "
        "round the scores or use rule='quantiles'.",
    )
    w = np.concatenate([[0.0], np.cumsum(weight)])
    s1 = np.concatenate([[0.0], np.cumsum(weight * distinct)])
    s2 = np.concatenate([[0.0], np.cumsum(weight * distinct**2)])
    start = np.arange(m)[:, None]
    end = np.arange(m)[None, :]
    with np.errstate(invalid="ignore", divide="ignore"):
        count = w[end + 1] - w[start]
        total = s1[end + 1] - s1[start]
        cost = s2[end + 1] - s2[start] - total**2 / count
    cost = np.where(start <= end, np.maximum(cost, 0.0), np.inf)
    best = cost[0].copy()  # best[j]: one class covering values 0..j
    back = np.zeros((n_classes, m), dtype=np.int64)
    for k in range(1, n_classes):  # a loop over classes, not over values
        # candidate: classes 0..k-1 cover values 0..i-1, class k covers i..j
        previous = np.concatenate([[np.inf], best[:-1]])
        candidate = previous[:, None] + cost
        back[k] = np.argmin(candidate, axis=0)
        best = candidate[back[k], np.arange(m)]
    uppers = [distinct[-1]]
    j = m - 1
    for k in range(n_classes - 1, 0, -1):
        j = int(back[k, j]) - 1
        uppers.append(distinct[j])
    return np.asarray(uppers[::-1], dtype=float)


def tiers_from_cuts(values: NDArray[np.float64], cuts: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return tiers from ascending lower bounds: ``values >= cuts[-1]`` is tier 1.

    With ``c`` cuts there are ``c + 1`` tiers; values below ``cuts[0]`` are the last.

    Examples
    --------
    >>> tiers_from_cuts(np.array([1.0, 5, 9]), np.array([5.0, 9.0])).tolist()
    [3, 2, 1]
    """
    above = np.searchsorted(np.asarray(cuts, dtype=float), values, side="right")
    return (len(cuts) + 1 - above).astype(np.int64)


def tiers_top_k(values: NDArray[np.float64], sizes: list[int]) -> tuple[NDArray[np.int64], Any]:
    """Tier by rank: ranks ``1..k[0]`` tier 1, ``k[0]+1..k[1]`` tier 2, the rest last.

    Ranks are competition ranks of the scores, highest first (ties share the best rank),
    so a tie at a boundary joins the higher tier. Returns the tiers and each tier's
    lowest score.

    Examples
    --------
    >>> tiers_top_k(np.array([9.0, 7, 7, 1]), [1, 2])[0].tolist()
    [1, 2, 2, 3]
    """
    rank = stats.rankdata(-values, method="min")
    tier = np.full(len(values), len(sizes) + 1, dtype=np.int64)
    for position, size in enumerate(sizes[::-1]):
        tier[rank <= size] = len(sizes) - position
    lowest = [
        float(values[tier == t].min()) if (tier == t).any() else np.nan
        for t in range(1, len(sizes) + 2)
    ]
    return tier, lowest
