"""Kernel density with a time decay: bandwidth and half-life chosen before the origin."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotspotlib._validation import (
    require_array,
    require_positive,
    require_unique,
    require_whole,
)
from hotspotlib.forecast._common import Training, Weights, prepare, require_grid
from hotspotlib.forecast._decay_kernel import (
    candidate_scores,
    decayed_counts,
    quartic_stencil,
    smooth,
    validate,
)
from hotspotlib.forecast.surface import ForecastSurface
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["decayed_kde"]


def decayed_kde(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str = "timestamp",
    origin: Any,
    bandwidths_m: float | ArrayLike = (150.0, 225.0, 300.0, 450.0),
    half_lives_days: float | ArrayLike = (30.0, 60.0, 90.0, 180.0),
    own_half_lives_days: float | ArrayLike | None = (365.0, 730.0, 1460.0, 3650.0),
    stay_shares: float | ArrayLike = (0.25, 0.5, 0.75, 0.9),
    window_days: float | None = None,
    validation_days: float = 28.0,
    n_validation: int = 8,
    coverage: float | ArrayLike = (0.005, 0.01, 0.02),
    weights: Weights = None,
    dayfirst: bool | None = None,
) -> ForecastSurface:
    """Kernel density of past events with a time decay, tuned on windows before the origin.

    Every event before ``origin`` adds ``weight * 0.5 ** (age_days / half_life)`` to its
    cell; a share ``stay`` of each cell's decayed count stays in the cell and the rest is
    spread over the cells around it by a quartic kernel of search radius ``bandwidth``
    (weights ``(1 - (d / bandwidth) ** 2) ** 2`` at the distances ``d`` between cell
    centres, scaled to sum to 1). The score of a cell is thus
    ``stay * own + (1 - stay) * smoothed``, in decayed events. With
    ``own_half_lives_days``, the own count decays at its own rate: ``own`` sums
    ``weight * 0.5 ** (age_days / own_half_life)`` over the cell's events, while
    ``smoothed`` keeps ``half_life`` (by default a long memory of the cell itself and
    a short one of the crime around it).

    When more than one candidate is given, the half-lives, bandwidth and stay share are
    chosen by mean hit rate (at ``coverage``) on the ``n_validation`` windows of
    ``validation_days`` just before the origin, each scored from the events before its
    start; no event at or after ``origin`` is used, in scoring or in choosing.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid
        Square cells to score, from :func:`hotspotlib.make_grid`.
    time : str
        Column of ``events`` with the event times.
    origin : date or time
        Start of the window being forecast. Only events strictly before it are used.
    bandwidths_m : float or sequence of float
        Candidate search radii of the quartic kernel, in metres (> 0). A radius below
        one cell size keeps every event in its own cell (no smoothing).
    half_lives_days : float or sequence of float
        Candidate half-lives of the decay, in days (> 0; a very long one gives plain
        counts): of the events spread by the kernel, and of the own count too unless
        ``own_half_lives_days`` is given.
    own_half_lives_days : float or sequence of float, optional
        Candidate half-lives of the decay of each cell's own count (the share ``stay``
        kept in the cell), in days (> 0). Every combination with ``half_lives_days`` is
        a candidate. None ties it to the spread's half-life (one decay for all).
    stay_shares : float or sequence of float
        Candidate shares of each cell's decayed count kept in the cell, in [0, 1).
    window_days : float, optional
        Leave out events older than this many days (before the origin, and before each
        validation window's start).
    validation_days : float
        Length of each validation window, in days.
    n_validation : int
        Number of validation windows before the origin (>= 1).
    coverage : float or sequence of float
        Shares of the area at which the validation hit rate is measured (averaged).
    weights : str or array-like, optional
        A column of ``events`` or one non-negative value per event (e.g. harm),
        multiplied by the decay. The validation hit rates count events.
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origin``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ForecastSurface
        ``scores`` are smoothed decayed counts per cell. ``parameters`` holds the
        chosen ``bandwidth_m``, ``half_life_days``, ``own_half_life_days`` and
        ``stay_share``, the candidates, the chosen candidate's ``validation_hit_rate``
        and the ``validation_table`` (one ``(half_life_days, own_half_life_days,
        bandwidth_m, stay_share, hit_rate)`` row per candidate);
        ``counts`` the events used and left out, the candidates and the validation
        windows used and skipped.

    Raises
    ------
    ValueError
        For bad events, grid (hexagonal cells), times, ``origin``, candidates,
        windows, coverage or weights; when no event is left to score; or, with more
        than one candidate, when no validation window has events before it and in it.

    See Also
    --------
    recency_counts : The decay without the smoothing (a radius below one cell).
    hotspotlib.kde : Kernel density of all events, in density units.
    ensemble : Combine this with other methods.
    hotspotlib.rolling_evaluation : Judge it against counts on rolling origins.

    Notes
    -----
    Events are placed at their cell's centre before smoothing (the kernel acts between
    cells), which makes the surface one FFT convolution per candidate bandwidth and
    half-life. Kernel mass falling outside the lattice or in clipped cells is lost.
    Scores below 1e-12 of the largest (FFT round-off) are set to zero, so cells no
    kernel reaches tie at zero. Hit rates follow
    :func:`hotspotlib.metrics.accuracy_curve`: whole cells, highest score first, tied
    cells counted by their expected share. Among candidates with the same validation hit rate the
    first in the order (half-lives, then own half-lives, then bandwidths, then stay
    shares, each as given) is kept. The cost is one FFT convolution per half-life,
    bandwidth and validation window (own half-lives add none): about 3 s for the 256
    default candidates on 50,000 cells and 45,000 events.

    The defaults were fixed on the Chicago burglaries (150 m cells, monthly origins,
    28-day tests; ``python -m benchmarks forecast``) with 2016 as the tuning year and
    2017 held out. Of the rules tried for choosing (4, 6, 8 or 12 windows; hit rate
    averaged at 1% and 5%, at 1% and 2%, at 0.5% to 2% or at 0.5% to 5%), 8 windows at
    0.5%, 1% and 2% had the best mean gain over counts in 2016 (measured while tied
    counts were ordered by fewest test events). Over 2016 the mean hit rate is 13.6% at
    1% of the area and 37.7% at 5%, against 12.8% and 36.1% for the better of one and
    three years' counts (+6%, +5%; tied counts by their expected share); over 2017
    (held out) 12.9% and 37.9% against 12.7% and 36.6% (+1.5%, +3.6%). The candidates
    pair a long memory of the cell's own events (1 to 10 years) with a short one for the
    spread (1 to 6 months), as the best fixed candidates over 2016 did; tied half-lives
    (``own_half_lives_days=None`` with the earlier candidates) gave +5% and +0.1% at 1%
    over 2016 and 2017. The evidence and its limits are in the explanation page on
    bandwidth and cell size.

    References
    ----------
    Johnson, S. D., Bowers, K. J., Birks, D. J. & Pease, K. (2009). Predictive mapping
    of crime by ProMap: accuracy, units of analysis, and the environmental backcloth. In
    D. Weisburd et al. (eds), Putting Crime in its Place, 171-198.
    https://doi.org/10.1007/978-0-387-09688-9_8

    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.
    https://doi.org/10.1057/palgrave.sj.8350066

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=2)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=250)
    >>> surface = hs.decayed_kde(
    ...     city.events, grid, origin="2024-10-01", bandwidths_m=(250, 500),
    ...     half_lives_days=(30, 90), own_half_lives_days=(365, 730),
    ...     stay_shares=(0.25, 0.75), n_validation=3)
    >>> surface.parameters["bandwidth_m"] in (250.0, 500.0)
    True
    >>> surface.counts["n_candidates"], surface.counts["n_validation_windows"]
    (16, 3)
    """
    require_grid(grid, square=True)
    bandwidths = _candidates(bandwidths_m, "bandwidths_m", "E.g. (150, 300) metres.")
    half_lives = _candidates(half_lives_days, "half_lives_days", "E.g. (90, 365) days.")
    own_half_lives = (
        None
        if own_half_lives_days is None
        else _candidates(own_half_lives_days, "own_half_lives_days", "E.g. (30, 180) days.")
    )
    pairs = _pairs(half_lives, own_half_lives)
    stays = _candidates(
        stay_shares, "stay_shares", "E.g. (0, 0.5): shares in [0, 1).", low=0.0, high=1.0
    )
    span = require_positive(validation_days, name="validation_days", fix="E.g. 28 days.")
    n_windows = require_whole(n_validation, name="n_validation", minimum=1, fix="E.g. 6.")
    shares = require_array(
        coverage, name="coverage", low=0, low_open=True, high=1, fix="E.g. 0.01."
    )
    window = (
        None
        if window_days is None
        else require_positive(window_days, name="window_days", fix="E.g. 1095 for 3 years.")
    )
    n_candidates = pairs.shape[0] * bandwidths.size * stays.size
    training = prepare(
        events, grid, time=time, origin=origin, window_days=None, weights=weights,
        dayfirst=dayfirst, windows={"window_days": window},
        spans={"validation_days": span if n_candidates > 1 else None},
    )  # fmt: skip
    counts: dict[str, int] = {**training.counts, "n_candidates": n_candidates}
    table: tuple[tuple[float, float, float, float, float], ...] = ()
    if n_candidates > 1:
        rates, counts["n_validation_windows"], counts["n_validation_skipped"] = validate(
            grid, training.position, training.age_days, training.weight,
            bandwidths_m=bandwidths, pairs=pairs, stay_shares=stays, window_days=window,
            validation_days=span, n_validation=n_windows, coverage=shares,
        )  # fmt: skip
        if counts["n_validation_windows"] == 0:
            raise ValueError(
                f"No validation window of {span:g} days before `origin` "
                f"({training.origin}) has both earlier events and events in the cells; "
                "use fewer or shorter windows (`n_validation`, `validation_days`), or "
                "give one candidate each."
            )
        best = int(np.argmax(np.round(rates, 12).ravel()))  # first of the best
        a, b, c = (int(i) for i in np.unravel_index(best, rates.shape))
        chosen_rate = float(rates[a, b, c])
        index = np.meshgrid(
            np.arange(pairs.shape[0]), np.arange(bandwidths.size), np.arange(stays.size),
            indexing="ij",
        )  # fmt: skip
        columns = (
            pairs[index[0], 0],
            pairs[index[0], 1],
            bandwidths[index[1]],
            stays[index[2]],
            rates,
        )
        table = tuple(zip(*(c.ravel().tolist() for c in columns), strict=True))
    else:
        a = b = c = 0
        chosen_rate = float("nan")
        counts["n_validation_windows"] = counts["n_validation_skipped"] = 0
    kept = _within(training, window)
    counts["n_too_old"] = int((~kept).sum())
    counts["n_used"] = int(kept.sum())
    if counts["n_used"] == 0:
        raise ValueError(
            f"No event of `events` informs the scores: none of the {training.age_days.size} "
            f"events before `origin` ({training.origin}) is within `window_days` ({window}). "
            "Use a longer `window_days`."
        )
    where, age, mass = training.position[kept], training.age_days[kept], training.weight[kept]
    lattice = grid.to_array(decayed_counts(grid, where, age, mass, pairs[a, 0]), fill=0.0)
    spread = grid.from_array(smooth(lattice, quartic_stencil(bandwidths[b], grid.cell_size_m)))
    own = decayed_counts(grid, where, age, mass, pairs[a, 1])
    scores = candidate_scores(own[None, :], spread, stays[c : c + 1])[0]
    parameters = {
        **training.parameters,
        "window_days": window,
        "bandwidth_m": float(bandwidths[b]),
        "half_life_days": float(pairs[a, 0]),
        "own_half_life_days": float(pairs[a, 1]),
        "stay_share": float(stays[c]),
        "kernel": "quartic",
        "bandwidths_m": tuple(bandwidths.tolist()),
        "half_lives_days": tuple(half_lives.tolist()),
        "own_half_lives_days": None if own_half_lives is None else tuple(own_half_lives.tolist()),
        "stay_shares": tuple(stays.tolist()),
        "validation_days": span,
        "n_validation": n_windows,
        "coverage": tuple(shares.tolist()),
        "validation_hit_rate": chosen_rate,
        "validation_table": table,
    }
    return ForecastSurface(
        scores=np.asarray(scores, dtype=float),
        grid=grid,
        method="decayed_kde",
        parameters=parameters,
        counts=counts,
        notes=_notes(parameters, counts, training),
    )


def _candidates(
    values: Any, name: str, fix: str, *, low: float = 0.0, high: float | None = None
) -> NDArray[np.float64]:
    """Candidate values as a 1-D array: finite, in range, no repeats."""
    array = require_array(
        values, name=name, low=low, low_open=high is None, high=high, high_open=True, fix=fix
    )
    require_unique(array.tolist(), name=name, what="values")
    return array


def _pairs(
    half_lives: NDArray[np.float64], own_half_lives: NDArray[np.float64] | None
) -> NDArray[np.float64]:
    """(spread half-life, own half-life) candidates: tied, or every combination."""
    if own_half_lives is None:
        return np.column_stack([half_lives, half_lives])
    spread, own = np.meshgrid(half_lives, own_half_lives, indexing="ij")
    return np.column_stack([spread.ravel(), own.ravel()])


def _within(training: Training, window: float | None) -> NDArray[np.bool_]:
    """Which training events lie within ``window`` days of the origin."""
    if window is None:
        return np.ones(training.age_days.size, dtype=bool)
    return np.asarray(training.age_days <= window)


def _notes(
    parameters: dict[str, Any], counts: dict[str, int], training: Training
) -> tuple[str, ...]:
    """Say what the scores are, how the candidate was chosen, and what was left out."""
    notes = [
        f"Each event counts 0.5 ** (age_days / {parameters['half_life_days']:g}); "
        f"{parameters['stay_share']:.0%} of a cell's decayed count stays in the cell, the "
        f"rest is spread by a quartic kernel of radius {parameters['bandwidth_m']:g} m over "
        "the cell centres."
        if parameters["own_half_life_days"] == parameters["half_life_days"]
        else f"{parameters['stay_share']:.0%} of the score is the cell's own count, each "
        f"event weighted 0.5 ** (age_days / {parameters['own_half_life_days']:g}); the rest "
        "is the events spread by a quartic kernel of radius "
        f"{parameters['bandwidth_m']:g} m over the cell centres, each weighted "
        f"0.5 ** (age_days / {parameters['half_life_days']:g})."
    ]
    if counts["n_candidates"] > 1:
        notes.append(
            f"Chosen from {counts['n_candidates']} candidates by mean hit rate at "
            f"{', '.join(f'{s:.0%}' for s in parameters['coverage'])} of the area on "
            f"{counts['n_validation_windows']} windows of {parameters['validation_days']:g} "
            f"days before the origin ({parameters['validation_hit_rate']:.3f})."
        )
    if counts["n_validation_skipped"]:
        notes.append(
            f"{counts['n_validation_skipped']} validation windows had no earlier event or no "
            "event in them and were skipped."
        )
    notes.extend(training.notes)
    if counts["n_too_old"]:
        notes.append(
            f"{counts['n_too_old']} events older than {parameters['window_days']:g} days "
            "were left out."
        )
    return tuple(notes)
