"""Ensemble forecast: several methods' scores combined, weights chosen before the origin."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._validation import (
    check_option,
    require_array,
    require_columns,
    require_days,
    require_moment,
    require_nonempty,
    require_positive,
    require_subset,
    require_timestamps,
    require_type,
    require_whole,
    require_within,
)
from hotspotlib.forecast._common import require_grid
from hotspotlib.forecast._ensemble_weights import (
    Method,
    best_weights,
    run_members,
    validation_windows,
)
from hotspotlib.forecast._members import default_methods, named, simplex
from hotspotlib.forecast.surface import ForecastSurface
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import locate_events

__all__ = ["ensemble"]

Combine = Literal["rank", "mean"]


def ensemble(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str = "timestamp",
    origin: Any,
    methods: Mapping[str, Method] | Sequence[Method] | None = None,
    combine: Combine = "rank",
    method_weights: Literal["validation"] | Mapping[str, float] | None = "validation",
    validation_days: float = 28.0,
    n_validation: int = 3,
    coverage: float | ArrayLike = (0.01, 0.05),
    weight_step: float = 0.25,
    dayfirst: bool | None = None,
) -> ForecastSurface:
    """Combine several forecast methods' scores per cell, by rank or weighted average.

    Every method is run on the events before ``origin``; its scores are turned into
    rank shares (``combine="rank"``) or shares of its total (``"mean"``) and averaged
    with weights chosen on validation windows just before the origin: the weights (on a
    grid of step ``weight_step``) with the highest mean hit rate over the windows and
    ``coverage``. No event at or after ``origin`` is used, in fitting or in choosing.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid
        Cells to score, from :func:`hotspotlib.make_grid`.
    time : str
        Column of ``events`` with the event times.
    origin : date or time
        Start of the window being forecast. Only events strictly before it are used.
    methods : mapping or sequence of callables, optional
        At least two functions ``f(training_events, origin) -> scores`` (as in
        :func:`hotspotlib.rolling_evaluation`): one score per cell, or a result with a
        ``scores`` attribute such as a :class:`ForecastSurface`. Default: counts over 3
        years, local empirical-Bayes counts of all past events
        (:func:`shrunken_counts` with ``prior="local"``) and :func:`self_exciting` with
        its defaults (see Notes).
    combine : {"rank", "mean"}
        Average rank shares (robust to each method's scale) or shares of each method's
        total score (non-negative scores only).
    method_weights : "validation", mapping or None
        ``"validation"`` chooses the weights on the validation windows; None gives
        every method the same weight; a mapping ``{name: weight}`` fixes them (scaled
        to sum to 1).
    validation_days : float
        Length of each validation window, in days.
    n_validation : int
        Number of validation windows: the ``n_validation`` windows of
        ``validation_days`` ending at ``origin``, each scored by the methods trained
        on the events before its start.
    coverage : float or sequence of float
        Shares of the area at which the validation hit rate is measured (averaged).
    weight_step : float
        Step of the weight grid searched (1 / step must be whole).
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origin``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ForecastSurface
        ``scores`` are the combined rank shares or score shares; with ``"rank"``, a
        cell lowest in every method given a positive weight scores 0 (see Notes).
        ``parameters`` holds the ``methods``, the ``chosen_weights`` and how they were
        set (``weights_from``), each method's ``validation_hit_rate`` and the
        ensemble's (``ensemble_validation_hit_rate``); ``counts`` the validation
        windows used and the cells scoring 0 (``n_cells_scored_zero``).

    Raises
    ------
    ValueError
        For fewer than two methods, unknown ``combine``, bad weights, windows or
        coverage, scores of the wrong length, or (with ``"validation"``) no
        validation window with training events before it and test events in it.

    See Also
    --------
    hotspotlib.rolling_evaluation : Judge the ensemble against its members.
    self_exciting : A model-based member.

    Notes
    -----
    Hit rates follow :func:`hotspotlib.metrics.accuracy_curve`: whole cells,
    highest score first, tied cells counted by their expected share.
    Among weight vectors with the same validation hit rate the one closest to equal
    weights is kept. The members are re-run at every validation start, so a method
    with a slow fit costs ``n_validation + 1`` fits.

    A rank share gives the cells tied at a method's lowest score (with counts, the
    cells with none) their average rank: 0.35 when 70% of the cells have none. A cell
    lowest in every method with a positive weight (a lake, a park) would so score a
    third or more and look middling on a map; it scores 0 instead. Those cells already
    tie for the ensemble's lowest score and every other cell scores more, so no order
    or tie changes: hit rates, the weights chosen and :func:`hotspotlib.select_places`
    are the same. With ``"mean"`` a cell that every weighted method scores 0 scores 0.

    The default members come from the Chicago burglaries (150 m cells, monthly
    origins over 2017, 28-day tests; ``python -m benchmarks forecast``): this ensemble
    had a mean hit rate of 13.2% at 1% of the area and 37.9% at 5%, against 12.7% and
    36.6% for the better of one and three years' counts (+3.5% and +3.5%; tied counts
    by their expected share); one of counts over 1 and 3 years, recency counts and
    local empirical Bayes over 3 years gave 12.9% and 37.4%. The members were chosen on
    the same year, so expect less elsewhere.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.

    Mohler, G. & Porter, M. D. (2018). Rotational grid, PAI-maximizing crime forecasts.
    Statistical Analysis and Data Mining, 11(5), 227-236.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=2)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=400)
    >>> methods = {
    ...     "counts": lambda train, origin: hs.window_counts(train, grid, origin=origin),
    ...     "recent": lambda train, origin: hs.recency_counts(
    ...         train, grid, origin=origin, half_life_days=60),
    ... }
    >>> surface = hs.ensemble(city.events, grid, origin="2024-10-01", methods=methods)
    >>> round(sum(surface.parameters["chosen_weights"].values()), 6)
    1.0
    >>> surface.counts["n_validation_windows"]
    3
    """
    check_option(combine, Combine, name="combine")
    require_grid(grid)
    members = default_methods(grid, time) if methods is None else named(methods)
    names = list(members)
    fixed = _fixed_weights(method_weights, names)
    span = pd.Timedelta(days=require_positive(validation_days, name="validation_days"))
    n_windows = require_whole(n_validation, name="n_validation", minimum=1)
    shares = require_array(
        coverage, name="coverage", low=0, low_open=True, high=1, fix="E.g. 0.01."
    )
    step = require_positive(weight_step, name="weight_step", fix="E.g. 0.25.")
    moment, before, stamps, position = _split_at_origin(events, grid, time, origin, dayfirst)
    require_days(
        stamps, name=f"events[{time!r}]", frame=events, column=time, origin=moment,
        daily=None if fixed is not None else "the validation windows start inside months, "
        "so a month's events would be both before and after a start. Pass "
        "`method_weights=None` (equal) or a mapping of weights",
    )  # fmt: skip
    train = events[before]
    final = run_members(members, train, moment, grid.n_cells, combine)
    counts = {
        "n_events": len(events),
        "n_used": int(before.sum()),
        "n_after_origin": int((~before).sum()),
        "n_validation_windows": 0,
        "n_validation_skipped": 0,
    }
    rates: dict[str, float] = {}
    ensemble_rate = float("nan")
    if fixed is not None:
        weights, source = fixed, "given" if method_weights is not None else "equal"
    else:
        windows, counts["n_validation_skipped"] = validation_windows(
            members, train, stamps[before], position[before], moment, span, n_windows,
            grid.n_cells, combine,
        )  # fmt: skip
        counts["n_validation_windows"] = len(windows)
        require_nonempty(
            windows,
            name="validation windows",
            fix=f"No validation window of {validation_days:g} days before `origin` ({moment}) "
            "has both earlier events and events in the cells; use fewer or shorter windows, "
            "or `method_weights=None`.",
        )
        candidates = simplex(len(names), step, grid.n_cells)
        counts["n_candidates"] = len(candidates)
        size = grid.cells["area_share"].to_numpy(dtype=float)
        weights, single, ensemble_rate = best_weights(candidates, windows, size, shares)
        source = "validation"
        rates = dict(zip(names, single.tolist(), strict=True))
    chosen = dict(zip(names, np.asarray(weights, dtype=float).tolist(), strict=True))
    scores = np.asarray(weights @ final, dtype=float)
    if combine == "rank":  # lowest in every weighted member: the joint lowest already
        used = final[np.asarray(weights) > 0]
        scores[(used == used.min(axis=1, keepdims=True)).all(axis=0)] = 0.0
    counts["n_cells_scored_zero"] = int((scores == 0).sum())
    parameters = {
        "time": time,
        "origin": moment,
        "methods": tuple(names),
        "combine": combine,
        "weights_from": source,
        "chosen_weights": chosen,
        "validation_days": float(validation_days),
        "n_validation": n_windows,
        "coverage": tuple(shares.tolist()),
        "weight_step": step,
        "validation_hit_rate": rates,
        "ensemble_validation_hit_rate": ensemble_rate,
        "cell_size_m": grid.cell_size_m,
        "n_cells": grid.n_cells,
    }
    return ForecastSurface(
        scores=scores,
        grid=grid,
        method="ensemble",
        parameters=parameters,
        counts=counts,
        notes=_notes(parameters, counts, float(weights @ final.min(axis=1))),
    )


def _split_at_origin(
    events: gpd.GeoDataFrame, grid: Grid, time: str, origin: Any, dayfirst: bool | None
) -> tuple[pd.Timestamp, NDArray[np.bool_], pd.Series, NDArray[np.int64]]:
    """Return the origin, which events come before it, their times and their cells."""
    position = locate_events(events, grid)
    require_columns(events, [time], name="events")
    stamps = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    moment = require_moment(origin, name="origin", like=stamps, dayfirst=dayfirst)
    before = (stamps < moment).to_numpy()
    require_nonempty(
        stamps[before],
        name=f"events before origin {moment}",
        fix=f"the events run from {stamps.min()} to {stamps.max()}. Check `origin`.",
    )
    return moment, before, stamps, position


def _notes(parameters: dict[str, Any], counts: dict[str, int], floor: float) -> tuple[str, ...]:
    """Say how scores were combined and weights chosen, which score 0, what was left out."""
    source, rates = parameters["weights_from"], parameters["validation_hit_rate"]
    notes = [
        f"Scores are a weighted average of the methods' {_KIND[parameters['combine']]}; "
        f"weights {_describe(parameters['chosen_weights'])} ({source}).",
    ]
    if source == "validation":
        notes.append(
            f"Weights chosen on {counts['n_validation_windows']} windows of "
            f"{parameters['validation_days']:g} days before the origin by mean hit rate at "
            f"{', '.join(f'{s:.0%}' for s in parameters['coverage'])} of the area: ensemble "
            f"{parameters['ensemble_validation_hit_rate']:.3f}, best single method "
            f"{max(rates.values()):.3f}."
        )
    zero, n_cells = counts["n_cells_scored_zero"], parameters["n_cells"]
    if zero == n_cells:
        notes.append("Every weighted method scored every cell the same: the scores rank nothing.")
    elif zero and parameters["combine"] == "rank":
        notes.append(
            f"{zero} cells ({zero / n_cells:.0%}) score 0, not their tied rank share "
            f"{floor:.2f}: each is lowest in every weighted method (with counts, no events). "
            "They were the lowest cells already: no order changes."
        )
    elif zero:
        notes.append(f"{zero} cells score 0: every weighted method scored them 0.")
    if counts["n_after_origin"]:
        notes.append(
            f"{counts['n_after_origin']} events at or after the origin ({parameters['origin']}) "
            "were left out: the scores and the weights use only the past."
        )
    return tuple(notes)


_KIND = {"rank": "rank shares", "mean": "shares of their total score"}


def _describe(weights: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in weights.items())


def _fixed_weights(given: Any, names: list[str]) -> NDArray[np.float64] | None:
    """Equal weights (None), the given ones scaled to sum 1, or None for "validation"."""
    if isinstance(given, str):
        check_option(given, ("validation",), name="method_weights")
        return None
    if given is None:
        return np.full(len(names), 1.0 / len(names))
    require_type(
        given,
        Mapping,
        name="method_weights",
        expected="'validation', None or a mapping {name: weight}",
    )
    fix = f"Give one weight per method: {names}."
    require_subset(
        list(given), names, name="method_weights", among="the methods", what="names", fix=fix
    )
    require_subset(
        names,
        list(given),
        name="methods",
        among="the names in `method_weights`",
        what="names",
        fix=fix,
    )
    values = require_within([given[name] for name in names], name="method_weights", low=0)
    total = require_positive(
        float(values.sum()), name="sum of method_weights", fix="Weigh some method."
    )
    return np.asarray(values / total, dtype=float)
