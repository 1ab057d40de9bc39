"""Sort places into tiers by a stated rule: thresholds, quantiles, natural breaks or top k."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import (
    check_option,
    require_array,
    require_exclusive,
    require_given,
    require_increasing,
    require_relevant,
    require_shape,
    require_unique,
    require_varying,
    require_whole,
)
from hotspotlib.hotspots._breaks import fisher_jenks, tiers_from_cuts, tiers_top_k
from hotspotlib.hotspots._scores import Scores, resolve_scores
from hotspotlib.hotspots.ranking_result import PlaceRanking, PlaceTiers

__all__ = ["assign_tiers"]

TierRule = Literal["thresholds", "quantiles", "natural_breaks", "top_k"]

_NEEDS = {
    "thresholds": "breaks=[5, 10] (ascending score thresholds)",
    "quantiles": "n_tiers=3 (equal-count tiers) or breaks=[0.5, 0.9] (probabilities)",
    "natural_breaks": "n_tiers=3",
    "top_k": "k=32 or k=[16, 32] (cumulative numbers of places)",
}
_ALLOWED = {
    "thresholds": ("breaks",),
    "quantiles": ("n_tiers", "breaks"),
    "natural_breaks": ("n_tiers",),
    "top_k": ("k",),
}


def _ascending(values: Any, *, name: str, share: bool = False) -> NDArray[np.float64]:
    """Ascending cut values (or probabilities, with ``share``), at least one."""
    array = require_array(
        values,
        name=name,
        low=0 if share else None,
        high=1 if share else None,
        low_open=True,
        high_open=True,
        fix="Give probabilities, e.g. [0.5, 0.9] rather than [50, 90]." if share else "",
    )
    return require_increasing(array.tolist(), name=name)


def _check_arguments(rule: str, given: dict[str, Any]) -> None:
    """Refuse numbers the rule does not take; ask for the one it needs."""
    takes = f"rule={rule!r} takes {_NEEDS[rule]}."
    for name, value in given.items():
        require_relevant(
            value, name=name, used=name in _ALLOWED[rule], context=f"to rule={rule!r}", fix=takes
        )
    needed = _ALLOWED[rule]
    if len(needed) == 1:
        require_given(given[needed[0]], name=needed[0], when=f"rule={rule!r}", fix=takes)
    else:
        require_exclusive({name: given[name] for name in needed}, required=True, fix=takes)


def _tiers(
    rule: str, values: NDArray[np.float64], breaks: Any, n_tiers: Any, k: Any
) -> tuple[NDArray[np.int64], list[float], list[int], str]:
    """Tiers, each upper tier's lowest admitted score, top-k sizes, and the cut wording."""
    if rule == "top_k":
        sizes = require_array(
            k,
            name="k",
            low=1,
            high=len(values),
            whole=True,
            fix=f"Each k is a number of places, at most the {len(values)} places there are.",
        )
        ranks = [int(size) for size in require_increasing(sizes.tolist(), name="k")]
        tier, lowest = tiers_top_k(values, ranks)
        return tier, lowest[:-1], ranks, "by rank"
    if rule == "thresholds":
        cuts = _ascending(breaks, name="breaks")
        how = "score thresholds"
    elif rule == "quantiles" and breaks is not None:
        probabilities = _ascending(breaks, name="breaks", share=True)
        cuts = np.quantile(values, probabilities)
        how = f"quantiles {', '.join(f'{p:g}' for p in probabilities)} of the scores"
    else:
        require_varying(values, name="scores", fix="Tiers need scores that differ.")
        distinct = np.unique(values)
        count = require_whole(
            n_tiers,
            name="n_tiers",
            minimum=2,
            maximum=len(distinct),
            fix=f"There are {len(distinct)} distinct scores: at most that many tiers.",
        )
        if rule == "quantiles":
            cuts = np.quantile(values, np.arange(1, count) / count)
            how = f"{count} equal-count groups (quantiles)"
        else:
            uppers = fisher_jenks(values, count)
            cuts = distinct[np.searchsorted(distinct, uppers[:-1], side="right")]
            how = "natural breaks (Fisher-Jenks, exact)"
    tier = tiers_from_cuts(values, cuts)
    return tier, [float(c) for c in cuts[::-1]], [], how


def assign_tiers(
    scores: Any,
    *,
    rule: TierRule,
    by: str | None = None,
    breaks: Sequence[float] | None = None,
    n_tiers: int | None = None,
    k: int | Sequence[int] | None = None,
    labels: Sequence[str] | None = None,
) -> PlaceTiers:
    """Sort places into tiers (Tier 1 = the highest scores) by a stated rule.

    Parameters
    ----------
    scores : PlaceRanking, CrimeRates, DataFrame, Series or array-like
        A :func:`rank_places` result (its scores, with rank intervals carried over), a
        :func:`crime_rates` result, a (Geo)DataFrame with the score in column ``by``,
        or one score per place.
    rule : {"thresholds", "quantiles", "natural_breaks", "top_k"}
        ``"thresholds"``: ``breaks`` are ascending score thresholds, a score at or above
        the highest is Tier 1. ``"quantiles"``: ``n_tiers`` equal-count groups, or
        ``breaks`` as ascending probabilities. ``"natural_breaks"``: ``n_tiers`` classes
        by exact Fisher-Jenks (least squares within tiers). ``"top_k"``: Tier 1 holds
        ranks ``1..k[0]``, Tier 2 ``k[0]+1..k[1]`` ..., the last tier the rest.
    by : str, optional
        The score's column, as in :func:`rank_places`.
    breaks, n_tiers, k : optional
        The rule's numbers (only those the rule takes).
    labels : sequence of str, optional
        One label per tier, Tier 1 first (default ``"Tier 1"``, ``"Tier 2"`` ...; with
        top k the last is ``"below the top k"``).

    Returns
    -------
    PlaceTiers
        Tier and label per place, with the rule in words and numbers (``rule``).

    Raises
    ------
    ValueError
        For an unknown rule, numbers the rule does not take or missing ones, breaks that
        are not increasing (probabilities outside (0, 1)), more tiers than distinct
        scores (or scores all equal), ``k`` larger than the number of places, or labels
        that are not one per tier or not distinct.

    See Also
    --------
    rank_places : Ranks with rank intervals, to tier by ``top_k``.
    crime_rates : Rates per resident to tier.

    Notes
    -----
    Ties never straddle a tier boundary: with ``top_k`` a place tied with the k-th
    joins the higher tier (which then holds more than k, counted and noted); with cut
    values a score equal to a cut joins the higher tier. Quantile cuts use numpy's
    linear interpolation. Fisher-Jenks is exact (dynamic programming over the distinct
    scores), not the iterative Jenks approximation of some GIS tools.

    References
    ----------
    Fisher, W. D. (1958). On grouping for maximum homogeneity. *Journal of the American
    Statistical Association* 53(284), 789-798.

    Examples
    --------
    >>> import pandas as pd
    >>> rates = pd.Series([2.0, 3, 4, 11, 12, 30], index=list("ABCDEF"), name="rate")
    >>> tiers = assign_tiers(rates, rule="natural_breaks", n_tiers=3)
    >>> tiers.tier.tolist()
    [3, 3, 3, 2, 2, 1]
    >>> tiers.rule
    'natural breaks (Fisher-Jenks, exact): Tier 1 rate >= 30; Tier 2 rate >= 11; Tier 3 the rest'
    >>> assign_tiers(rates, rule="top_k", k=[1, 3]).tier.tolist()
    [3, 3, 3, 2, 2, 1]
    """
    ranking = scores if isinstance(scores, PlaceRanking) else None
    if ranking is not None:
        require_relevant(
            by, name="by", used=False, context="to a ranking", fix="It tiers the ranking's score."
        )
        resolved = Scores(ranking.score, ranking.place, ranking.geometry, ranking.by, None, None)
    else:
        resolved = resolve_scores(scores, by)
    check_option(rule, TierRule, name="rule")
    _check_arguments(rule, {"breaks": breaks, "n_tiers": n_tiers, "k": k})
    values = resolved.values
    tier, lowest, sizes, how = _tiers(rule, values, breaks, n_tiers, k)
    count = len(lowest) + 1
    names = _labels(labels, count, sizes)
    if rule == "top_k":
        spans = [
            f"{names[i]} ranks {1 + (sizes[i - 1] if i else 0)}-{size}"
            for i, size in enumerate(sizes)
        ]
        statement = f"top k {how}: {'; '.join(spans)}; {names[-1]} the rest"
    else:
        spans = [f"{names[i]} {resolved.by} >= {bound:.6g}" for i, bound in enumerate(lowest)]
        statement = f"{how}: {'; '.join(spans)}; {names[-1]} the rest"
    per_tier = np.bincount(tier, minlength=count + 1)[1:]
    counts = {
        "n_places": len(values),
        **{f"n_tier_{i + 1}": int(n) for i, n in enumerate(per_tier)},
    }
    extra: dict[str, Any] = {}
    if ranking is not None:
        extra = {"rank_low": ranking.rank_low, "rank_high": ranking.rank_high}
        if rule == "top_k":
            extra["tier_best"] = _tier_of_rank(ranking.rank_low, sizes)
            extra["tier_worst"] = _tier_of_rank(ranking.rank_high, sizes)
            counts["n_tier_certain"] = int((extra["tier_best"] == extra["tier_worst"]).sum())
    parameters = {
        "rule": rule,
        "by": resolved.by,
        "breaks": None if breaks is None else tuple(float(b) for b in np.atleast_1d(breaks)),
        "n_tiers": count,
        "k": None if k is None else tuple(sizes),
        "labels": tuple(names),
        "lower_bounds": tuple(lowest),
    }
    return PlaceTiers(
        place=resolved.index,
        geometry=resolved.geometry,
        score=values,
        tier=tier,
        tier_label=np.asarray(names, dtype=object)[tier - 1],
        rule=statement,
        lower_bounds=tuple(lowest),
        parameters=parameters,
        counts=counts,
        notes=tuple(_notes(rule, statement, per_tier, sizes, ranking is not None)),
        **extra,
    )


def _tier_of_rank(rank: NDArray[np.int64], sizes: list[int]) -> NDArray[np.int64]:
    return (np.searchsorted(np.asarray(sizes), rank, side="left") + 1).astype(np.int64)


def _labels(labels: Sequence[str] | None, count: int, sizes: list[int]) -> list[str]:
    if labels is None:
        names = [f"Tier {i + 1}" for i in range(count)]
        if sizes:
            names[-1] = f"below the top {sizes[-1]}"
        return names
    require_shape(labels, (count,), name="labels", what="one label per tier, Tier 1 first")
    names = [str(label) for label in labels]
    require_unique(names, name="labels", what="labels")
    return names


def _notes(rule: str, statement: str, per_tier: Any, sizes: list[int], ranked: bool) -> list[str]:
    notes = [f"Rule: {statement}."]
    empty = [i + 1 for i, n in enumerate(per_tier) if n == 0]
    if empty:
        notes.append(f"Tiers {empty} hold no place (cuts fall on tied or absent scores).")
    if sizes:
        asked = np.diff([0, *sizes])
        over = [i + 1 for i, (n, a) in enumerate(zip(per_tier, asked, strict=False)) if n > a]
        if over:
            notes.append(
                f"Tiers {over} hold more places than asked: places tied at the boundary "
                "join the higher tier."
            )
        if ranked:
            notes.append(
                "tier_best and tier_worst are the tiers of each place's rank interval; "
                "where they differ, the data do not settle the place's tier."
            )
    return notes
