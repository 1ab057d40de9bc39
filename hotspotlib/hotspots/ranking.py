"""Rank places by a score with rank intervals by simulation, and sort them into tiers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from hotspotlib._validation import (
    as_rng,
    check_option,
    require_allocation,
    require_draws,
    require_given,
    require_probability,
)
from hotspotlib.hotspots._rates_math import global_eb, local_eb
from hotspotlib.hotspots._scores import Scores, column_or_values, resolve_scores
from hotspotlib.hotspots.ranking_result import PlaceRanking

__all__ = ["rank_places"]

Uncertainty = Literal["auto", "poisson", "std_error", "none"]


def _competition_ranks(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """Ranks along the last axis, highest first; ties share the best (smallest) rank."""
    return np.asarray(stats.rankdata(-values, method="min", axis=-1), dtype=np.int64)


def _poisson_draws(
    scores: Scores, count: NDArray[np.float64], n_sim: int, rng: np.random.Generator
) -> NDArray[np.float64]:
    """Return simulated scores from Poisson re-draws of the counts, one row per simulation."""
    drawn = rng.poisson(count, size=(n_sim, len(count))).astype(float)
    rates = scores.rates
    if rates is not None and scores.by == "smoothed_rate":
        per = rates.per
        hood = rates.neighbourhood  # held for local smoothing only
        if hood is None:
            smoothed = global_eb(drawn, rates.population)[0]
        else:
            smoothed = local_eb(drawn, rates.population, hood)[0]
        return np.asarray(smoothed * per)
    # the score is proportional to the count (a count, a rate, or harm at its mean per event)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(count > 0, scores.values / np.where(count > 0, count, 1), 0.0)
    return drawn * factor


def _check_proportional(scores: Scores, count: NDArray[np.float64]) -> None:
    """Poisson re-draws scale a score with its count: a place with no events must score 0."""
    if scores.by == "smoothed_rate" and scores.rates is not None:
        return  # smoothed again on every draw instead
    bad = (count == 0) & (scores.values != 0)
    if bad.any():
        raise ValueError(
            f"Poisson re-draws scale each score with its count, but {int(bad.sum())} places "
            f"have no events and a non-zero `{scores.by}` (first: {scores.index[bad][0]!r}). "
            "Pass `std_error` with uncertainty='std_error', or rank a score proportional to "
            "the count (a count, a rate per resident or harm)."
        )


def _method(
    uncertainty: str, count: NDArray[np.float64] | None, errors: NDArray[np.float64] | None
) -> str:
    """How the scores are re-drawn: ``"auto"`` takes Poisson when counts are known."""
    if uncertainty == "auto":
        require_given(
            count if count is not None else errors,
            name="count",
            when="`std_error` is not given either (uncertainty='auto')",
            fix="Rank intervals need the scores' uncertainty: pass `count` (events per place, "
            "for Poisson re-draws) or `std_error`, or uncertainty='none' for ranks alone.",
        )
        return "poisson" if count is not None else "std_error"
    if uncertainty == "poisson":
        require_given(
            count, name="count", when="uncertainty='poisson'", fix="Pass events per place."
        )
    if uncertainty == "std_error":
        require_given(
            errors,
            name="std_error",
            when="uncertainty='std_error'",
            fix="Pass one standard error per place.",
        )
    return uncertainty


def _intervals(
    scores: Scores,
    method: str,
    count: NDArray[np.float64] | None,
    errors: NDArray[np.float64] | None,
    *,
    confidence: float,
    n_sim: int,
    rng: int | np.random.Generator | None,
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Rank intervals and median ranks over ``n_sim`` re-draws of the scores."""
    n = len(scores.values)
    require_allocation(
        float(n_sim) * n,
        40,
        name="n_simulations",
        what="simulated scores",
        fix="Use fewer simulations or fewer places.",
    )
    generator = as_rng(rng)
    if method == "poisson" and count is not None:
        _check_proportional(scores, count)
        drawn = _poisson_draws(scores, count, n_sim, generator)
    else:  # "std_error": checked given by _method
        spread = errors if errors is not None else np.zeros(n)
        drawn = scores.values + spread * generator.standard_normal((n_sim, n))
    ranks = _competition_ranks(drawn)
    tail = (1 - confidence) / 2
    low = np.quantile(ranks, tail, axis=0, method="lower").astype(np.int64)
    high = np.quantile(ranks, 1 - tail, axis=0, method="higher").astype(np.int64)
    return low, high, np.asarray(np.median(ranks, axis=0), dtype=float)


def rank_places(
    scores: Any,
    *,
    by: str | None = None,
    count: str | Sequence[float] | NDArray[Any] | None = None,
    std_error: str | Sequence[float] | NDArray[Any] | None = None,
    uncertainty: Uncertainty = "auto",
    confidence: float = 0.95,
    n_simulations: int = 999,
    rng: int | np.random.Generator | None = None,
) -> PlaceRanking:
    """Rank places by a score, highest first, with a rank interval for each place.

    The uncertainty in the scores is carried to the ranks by simulation: the scores are
    drawn again ``n_simulations`` times, every draw is ranked, and the rank interval is
    the central ``confidence`` range of a place's simulated ranks.

    Parameters
    ----------
    scores : CrimeRates, DataFrame, Series or array-like
        A :func:`crime_rates` result, a (Geo)DataFrame with the score in column ``by``,
        or one score per place.
    by : str, optional
        The column to rank. For a :class:`CrimeRates`: ``"smoothed_rate"`` (the default
        when smoothed), ``"rate"``, ``"count"``, ``"harm"`` or ``"harm_rate"``.
    count : str or array-like, optional
        Events per place (a column or one number each), for Poisson re-draws of a score
        proportional to its count. Taken from a :class:`CrimeRates` result.
    std_error : str or array-like, optional
        Standard error of each score, for normal re-draws ``score + std_error * Z``.
    uncertainty : {"auto", "poisson", "std_error", "none"}, default "auto"
        How scores are re-drawn: Poisson re-draws of the counts (a smoothed rate is
        smoothed again on every draw), normal re-draws with the standard errors, or
        none (rank intervals are the ranks). ``"auto"`` takes Poisson when counts are
        known, else the standard errors, and refuses when there is neither.
    confidence : float, default 0.95
        Coverage of the rank intervals.
    n_simulations : int, default 999
        Number of re-draws.
    rng : int or numpy.random.Generator, optional
        Seed or generator; the same seed gives the same intervals.

    Returns
    -------
    PlaceRanking
        Score, rank, rank interval and median simulated rank per place.

    Raises
    ------
    ValueError
        For a missing or unknown ``by``, scores, counts or standard errors that are not
        finite or not one per place, negative or fractional counts, a score that is not
        proportional to its count (non-zero with no events) under Poisson re-draws, an
        ``uncertainty`` with nothing to draw from, or simulations too large for memory.

    See Also
    --------
    crime_rates : Rates per resident to rank.
    assign_tiers : Sort the ranked places into tiers by a stated rule.

    Notes
    -----
    Ranks are competition ranks: rank 1 is the highest score and tied places share the
    best rank. The Poisson re-draws are a parametric bootstrap with the observed count
    as the mean, so a place with no events keeps its score; rank intervals from such
    re-draws are approximate and are widest for places whose scores are close together.
    Rank intervals, not ranks, show which differences the data support (Goldstein &
    Spiegelhalter 1996).

    References
    ----------
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their limitations:
    statistical issues in comparisons of institutional performance. *Journal of the
    Royal Statistical Society A* 159(3), 385-443.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"crimes": [120, 40, 38, 5]}, index=["A", "B", "C", "D"])
    >>> ranking = rank_places(table, by="crimes", count="crimes", rng=1)
    >>> ranking.to_frame()[["score", "rank", "rank_low", "rank_high"]]
       score  rank  rank_low  rank_high
    A  120.0     1         1          1
    B   40.0     2         2          3
    C   38.0     3         2          3
    D    5.0     4         4          4
    """
    resolved = resolve_scores(scores, by)
    check_option(uncertainty, Uncertainty, name="uncertainty")
    confidence = require_probability(confidence, name="confidence")
    n_sim = require_draws(n_simulations, name="n_simulations", minimum=1)
    counts_given = _per_place(resolved, count, name="count", whole=True)
    if counts_given is None and resolved.rates is not None:
        counts_given = np.asarray(resolved.rates.count, dtype=float)
    errors = _per_place(resolved, std_error, name="std_error", whole=False)
    method = _method(uncertainty, counts_given, errors)
    rank = _competition_ranks(resolved.values)
    if method == "none":
        low = high = rank
        median = rank.astype(float)
        n_sim = 0
    else:
        low, high, median = _intervals(
            resolved, method, counts_given, errors, confidence=confidence, n_sim=n_sim, rng=rng
        )
    n = len(resolved.values)
    parameters = {
        "by": resolved.by,
        "uncertainty": method,
        "uncertainty_requested": uncertainty,
        "confidence": confidence,
        "n_simulations": n_sim,
        "rng": rng if rng is None or isinstance(rng, int) else type(rng).__name__,
        "ranks": "competition (1 = highest; ties share the best rank)",
    }
    width = np.asarray(high) - np.asarray(low)
    counts = {
        "n_places": n,
        "n_tied": int(n - len(np.unique(resolved.values))),
        "n_rank_certain": int((width == 0).sum()),
    }
    return PlaceRanking(
        geometry=resolved.geometry,
        place=resolved.index,
        score=resolved.values,
        rank=rank,
        rank_low=low,
        rank_high=high,
        rank_median=median,
        parameters=parameters,
        counts=counts,
        notes=tuple(_notes(method, resolved, confidence, counts)),
    )


def _per_place(scores: Scores, given: Any, *, name: str, whole: bool) -> NDArray[np.float64] | None:
    """Return counts (whole) or standard errors per place (>= 0), or None when not given."""
    if given is None:
        return None
    return column_or_values(scores.frame, given, name=name, index=scores.index, low=0, whole=whole)


def _notes(method: str, scores: Scores, confidence: float, counts: dict[str, int]) -> list[str]:
    notes = ["Rank 1 is the highest score; tied places share the best rank."]
    if method == "poisson":
        how = (
            "each draw smoothed again as the original"
            if scores.rates is not None and scores.by == "smoothed_rate"
            else "each score scaled with its count"
        )
        notes.append(
            f"Rank intervals: central {confidence:.0%} of ranks over Poisson re-draws of the "
            f"counts (mean = observed count; {how}). Places with no events keep their score."
        )
    elif method == "std_error":
        notes.append(
            f"Rank intervals: central {confidence:.0%} of ranks over normal re-draws "
            "score + std_error * Z (independent between places)."
        )
    else:
        notes.append("No uncertainty: rank intervals are the ranks themselves.")
    if scores.by in ("harm", "harm_rate") and method == "poisson":
        notes.append(
            "Harm is re-drawn as the count times the place's mean harm per event, which "
            "leaves out the spread of harm between events: its intervals are too narrow."
        )
    return notes
