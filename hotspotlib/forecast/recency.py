"""Counts per cell before a forecast origin: plain (a window) or exponentially decayed."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from hotspotlib._validation import require_positive
from hotspotlib.forecast._common import Training, Weights, prepare
from hotspotlib.forecast.surface import ForecastSurface
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["recency_counts", "window_counts"]


def _surface(
    training: Training,
    grid: Grid,
    method: str,
    weight: Any,
    extra: dict[str, Any],
    notes: list[str],
) -> ForecastSurface:
    scores = np.bincount(training.position, weights=weight, minlength=grid.n_cells)
    return ForecastSurface(
        scores=scores.astype(float),
        grid=grid,
        method=method,
        parameters={**training.parameters, **extra},
        counts=training.counts,
        notes=tuple(notes + training.notes),
    )


def window_counts(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str = "timestamp",
    origin: Any,
    window_days: float | None = None,
    weights: Weights = None,
    dayfirst: bool | None = None,
) -> ForecastSurface:
    """Events (or summed weights such as harm) per cell in the window before ``origin``.

    The usual baseline: "last year's counts" is ``window_days=365``.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid
        Cells to score, from :func:`hotspotlib.make_grid`.
    time : str
        Column of ``events`` with the event times.
    origin : date or time
        Start of the window being forecast. Only events strictly before it are used;
        later ones are counted in ``counts["n_after_origin"]`` and left out.
    window_days : float, optional
        Use only events at most this many days before ``origin`` (all past events when
        omitted).
    weights : str or array-like, optional
        A column of ``events`` or one non-negative value per event (e.g. harm).
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origin``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ForecastSurface
        ``scores`` are counts (or weight sums) per cell.

    Raises
    ------
    ValueError
        For bad events, grid, times, ``origin``, ``window_days`` or weights, or when no
        event is left to score.

    See Also
    --------
    recency_counts : Older events weigh less instead of being cut off.
    shrunken_counts : Counts shrunk towards a prior (empirical Bayes).
    hotspotlib.count_events : Counts of all events, with no time window.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> surface = hs.window_counts(city.events, grid, origin="2024-07-01", window_days=91)
    >>> int(surface.scores.sum()) == surface.counts["n_used"]
    True
    """
    training = prepare(
        events,
        grid,
        time=time,
        origin=origin,
        window_days=window_days,
        weights=weights,
        dayfirst=dayfirst,
    )
    what = "weight sums" if weights is not None else "event counts"
    span = "all past events" if window_days is None else f"the last {window_days:g} days"
    notes = [f"Scores are {what} per cell over {span} before the origin."]
    return _surface(training, grid, "window_counts", training.weight, {}, notes)


def recency_counts(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str = "timestamp",
    origin: Any,
    half_life_days: float,
    window_days: float | None = None,
    weights: Weights = None,
    dayfirst: bool | None = None,
) -> ForecastSurface:
    """Exponentially decayed counts per cell: recent events weigh more.

    Each event before ``origin`` adds ``weight * 0.5 ** (age_days / half_life_days)`` to
    its cell, where ``age_days`` is the time from the event to ``origin`` in days
    (fractional).

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid
        Cells to score, from :func:`hotspotlib.make_grid`.
    time : str
        Column of ``events`` with the event times.
    origin : date or time
        Start of the window being forecast. Only events strictly before it are used;
        later ones are counted in ``counts["n_after_origin"]`` and left out.
    half_life_days : float
        Age at which an event counts half, in days (> 0).
    window_days : float, optional
        Also leave out events older than this many days.
    weights : str or array-like, optional
        A column of ``events`` or one non-negative value per event (e.g. harm),
        multiplied by the decay.
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origin``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ForecastSurface
        ``scores`` are decayed counts per cell.

    Raises
    ------
    ValueError
        For a non-positive ``half_life_days``, bad events, grid, times, ``origin`` or
        weights, or when no event is left to score.

    See Also
    --------
    window_counts : Plain counts over a window.
    shrunken_counts : Counts shrunk towards a prior (empirical Bayes).
    hotspotlib.prospective_hotspots : Decay in weeks and space (Bowers et al. 2004).

    Notes
    -----
    A very long half-life gives plain counts; a short one follows the latest weeks. The
    decay is the temporal part of self-exciting models (Mohler et al. 2011) without the
    triggering, and a smooth version of Bowers, Johnson & Pease's (2004) weighting of
    recent burglaries.

    References
    ----------
    Bowers, K. J., Johnson, S. D. & Pease, K. (2004). Prospective hot-spotting: the
    future of crime mapping? British Journal of Criminology, 44(5), 641-658.

    Mohler, G. O., Short, M. B., Brantingham, P. J., Schoenberg, F. P. & Tita, G. E.
    (2011). Self-exciting point process modeling of crime. JASA, 106(493), 100-108.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> surface = hs.recency_counts(city.events, grid, origin="2024-07-01", half_life_days=30)
    >>> bool(0 < surface.scores.sum() < surface.counts["n_used"])
    True
    >>> surface.counts["n_after_origin"] > 0
    True
    """
    half_life = require_positive(half_life_days, name="half_life_days", fix="E.g. 90 days.")
    training = prepare(
        events,
        grid,
        time=time,
        origin=origin,
        window_days=window_days,
        weights=weights,
        dayfirst=dayfirst,
    )
    decay = np.exp2(-training.age_days / half_life)
    notes = [
        f"Each event counts 0.5 ** (age_days / {half_life:g}); age is measured to the "
        "origin in days."
    ]
    return _surface(
        training,
        grid,
        "recency_counts",
        training.weight * decay,
        {"half_life_days": half_life},
        notes,
    )
