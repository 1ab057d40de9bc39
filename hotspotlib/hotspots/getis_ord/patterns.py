"""Mann-Kendall trends and the emerging hot-spot pattern rules, vectorised over locations.

The categories follow ArcGIS's Emerging Hot Spot Analysis definitions. Where those
definitions overlap or leave gaps, this module decides by an explicit rule table,
checked in order; the first rule that matches names the pattern. Hot-spot rules need
the final time step to be a significant hot spot, cold-spot rules a significant cold
spot; "90 %" means at least 90 % of all time steps.

=====  =====================  ===========================================================
order  pattern                rule (cold spots: swap hot and cold, and the trend's sign)
=====  =====================  ===========================================================
1      intensifying hot spot  final hot; >= 90 % of steps hot; Mann-Kendall trend of the
                              Gi* z-scores significant and increasing
2      diminishing hot spot   final hot; >= 90 % hot; trend significant and decreasing
3      persistent hot spot    final hot; >= 90 % hot; no significant trend
4      new hot spot           final hot; no earlier step hot
5      consecutive hot spot   final hot; the hot steps form one uninterrupted run of at
                              least two steps ending at the final step
6      oscillating hot spot   final hot; < 90 % hot; some earlier step significantly cold
7      sporadic hot spot      final hot; < 90 % hot; never significantly cold
8      historical hot spot    final step not hot; >= 90 % of steps hot
9      no pattern detected    none of the above
=====  =====================  ===========================================================

Differences from ArcGIS's wording: "persistent" here requires the final step to be hot
(a location hot in >= 90 % of steps but not in the final one is "historical", which
ArcGIS would also allow to be "persistent"); "new" and "consecutive" take precedence
over "oscillating" when the location was cold before (ArcGIS does not say). sfdep
(R) checks the rules in a different order, omits the final-step requirement for
"sporadic" and requires a negative final z for "historical".
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hotspotlib.hotspots.getis_ord._kendall import kendall_s_and_ties, labelled_s_and_ties
from hotspotlib.hotspots.inference import normal_p

__all__ = ["PATTERNS", "classify_patterns", "mann_kendall"]

_HOT = (
    "intensifying",
    "diminishing",
    "persistent",
    "new",
    "consecutive",
    "oscillating",
    "sporadic",
    "historical",
)
PATTERNS: tuple[str, ...] = (
    *(f"{name} hot spot" for name in _HOT),
    *(f"{name} cold spot" for name in _HOT),
    "no pattern detected",
)
"""The 17 pattern names, hot first, then cold, then no pattern."""


def mann_kendall(series: NDArray[np.float64]) -> dict[str, NDArray[np.float64]]:
    """Mann-Kendall trend test on each row of a ``(locations, steps)`` array.

    ``S = sum_{s<t} sign(x_t - x_s)``; ``Var(S) = [m(m-1)(2m+5) - sum_g g(g-1)(2g+5)]
    / 18`` with m the number of non-NaN values and g the sizes of groups of tied
    values; ``z = (S - sign(S)) / sqrt(Var(S))`` (continuity correction); two-sided
    normal p; Kendall's ``tau = S / (m(m-1)/2)``. NaN values are skipped. ``S`` is
    summed on within-row ranks (one sort per row, which also gives the tied groups).

    Returns
    -------
    dict
        ``s``, ``variance``, ``z_score``, ``p_value``, ``tau`` per row.

    Examples
    --------
    >>> import numpy as np
    >>> result = mann_kendall(np.array([[1.0, 2, 3, 4, 5], [3.0, 1, 4, 1, 5]]))
    >>> result["s"].tolist(), result["z_score"].round(4).tolist()
    ([10.0, 3.0], [2.2045, 0.5053])
    """
    values = np.asarray(series, dtype=float)
    s, tie_term = kendall_s_and_ties(values)
    return _trend(s, tie_term, np.sum(np.isfinite(values), axis=1))


def mann_kendall_labelled(
    labels: NDArray[np.integer], values: NDArray[np.float64], nonfinite: NDArray[np.bool_]
) -> dict[str, NDArray[np.float64]]:
    """:func:`mann_kendall` of ``values`` given integer ``labels`` in the values' order.

    ``labels`` is ``(steps, locations)``, equal exactly where ``values`` (``(locations,
    steps)``) are; rows flagged in ``nonfinite`` hold NaN or infinite values (see
    :func:`hotspotlib.hotspots.getis_ord._kendall.labelled_s_and_ties`).

    Examples
    --------
    >>> values = np.array([[1.0, 2, 3, 4, 5], [3.0, 1, 4, 1, 5]])
    >>> labels = np.array([[0, 2], [1, 0], [2, 3], [3, 0], [4, 4]], dtype=np.int16)
    >>> result = mann_kendall_labelled(labels, values, np.zeros(2, bool))
    >>> result["s"].tolist(), result["z_score"].round(4).tolist()
    ([10.0, 3.0], [2.2045, 0.5053])
    """
    s, tie_term = labelled_s_and_ties(labels, values, nonfinite)
    m = np.full(values.shape[0], values.shape[1])
    m[nonfinite] = np.sum(np.isfinite(values[nonfinite]), axis=1)
    return _trend(s, tie_term, m)


def _trend(
    s_whole: NDArray[np.int64], tie_term: NDArray[np.float64], finite: NDArray[np.integer]
) -> dict[str, NDArray[np.float64]]:
    s = s_whole.astype(float)
    m = finite.astype(float)
    variance = (m * (m - 1) * (2 * m + 5) - tie_term) / 18.0
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(variance > 0, (s - np.sign(s)) / np.sqrt(variance), 0.0)
        tau = np.where(m > 1, s / (m * (m - 1) / 2.0), np.nan)
    return {
        "s": s,
        "variance": np.asarray(variance, dtype=float),
        "z_score": np.asarray(z, dtype=float),
        "p_value": normal_p(z),
        "tau": np.asarray(tau, dtype=float),
    }


def classify_patterns(
    hot: NDArray[np.bool_],
    cold: NDArray[np.bool_],
    trend_z: NDArray[np.float64],
    trend_p: NDArray[np.float64],
    *,
    alpha: float = 0.05,
) -> NDArray[np.str_]:
    """Name each location's pattern from its significant hot/cold steps and trend.

    Parameters
    ----------
    hot, cold : numpy.ndarray of bool
        ``(locations, steps)``: significant hot / cold bins, oldest step first.
    trend_z, trend_p : numpy.ndarray
        Mann-Kendall z and p of each location's Gi* z-score series.
    alpha : float
        Level at which a trend is significant.

    Returns
    -------
    numpy.ndarray of str
        One of :data:`PATTERNS` per location, by the rule table of this module.

    Examples
    --------
    >>> import numpy as np
    >>> hot = np.zeros((2, 10), bool); hot[0, -1] = True; hot[1, 7:] = True
    >>> cold = np.zeros((2, 10), bool)
    >>> classify_patterns(hot, cold, np.zeros(2), np.ones(2)).tolist()
    ['new hot spot', 'consecutive hot spot']
    """
    hot = np.asarray(hot, dtype=bool)
    cold = np.asarray(cold, dtype=bool)
    steps = hot.shape[1]
    result = np.full(hot.shape[0], "no pattern detected", dtype=object)
    trending = np.asarray(trend_p) <= alpha
    rising = trending & (np.asarray(trend_z) > 0)
    falling = trending & (np.asarray(trend_z) < 0)
    for same, other, up, down, kind in (
        (hot, cold, rising, falling, "hot"),
        (cold, hot, falling, rising, "cold"),
    ):
        count = same.sum(axis=1)
        final = same[:, -1]
        mostly = count * 10 >= 9 * steps
        trailing = _trailing_run(same)
        earlier_other = other[:, :-1].any(axis=1)
        rules = [
            ("intensifying", final & mostly & up),
            ("diminishing", final & mostly & down),
            ("persistent", final & mostly),
            ("new", final & (count == 1)),
            ("consecutive", final & (trailing >= 2) & (trailing == count)),
            ("oscillating", final & earlier_other),
            ("sporadic", final),
            ("historical", ~final & mostly),
        ]
        unset = result == "no pattern detected"
        for name, match in rules:  # the fixed rule table, in order
            chosen = unset & match
            result[chosen] = f"{name} {kind} spot"
            unset &= ~chosen
    return result.astype(str)


def _trailing_run(flags: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Length of the run of True ending at the last step, per row."""
    reversed_flags = flags[:, ::-1]
    first_false = np.argmin(reversed_flags, axis=1)
    all_true = reversed_flags.all(axis=1)
    return np.where(all_true, flags.shape[1], first_false).astype(np.int64)
