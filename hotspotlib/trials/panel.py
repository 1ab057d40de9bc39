"""The place-day panel of a crossover trial: events counted per hot spot per day."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hotspotlib._columns import PLACE, TIME
from hotspotlib._validation import (
    require_columns,
    require_id_type,
    require_join,
    require_timestamps,
    require_type,
    require_weights,
    wall_clock,
)
from hotspotlib.trials.schedule import DayAssignment

__all__ = ["trial_panel"]


def trial_panel(
    events: pd.DataFrame,
    schedule: DayAssignment,
    *,
    place: str = PLACE,
    time: str = TIME,
    weights: str | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Count events per place and day of a crossover schedule.

    Parameters
    ----------
    events : DataFrame or GeoDataFrame
        One row per event, with the place it happened in (``place``; ids not in the
        schedule, such as -1 for "no hot spot", are ignored) and a timestamp.
    schedule : DayAssignment
        The schedule from :func:`assign_days`.
    place, time : str
        Column names of the place id and the timestamp in ``events``.
    weights : str, optional
        A column to sum per place-day as well (e.g. ``"harm"``), named
        ``<weights>`` in the panel.
    dayfirst : bool, optional
        Read slash dates in ``events[time]`` day-first (UK) or month-first; None
        lets the data settle it and refuses dates that could be either.

    Returns
    -------
    pandas.DataFrame
        One row per place-day of the schedule (all of them, zeros included), with the
        schedule's place column, ``date``, ``treated``, ``count`` (and ``weights``),
        ordered by place then date. ``attrs["n_events_outside"]`` counts events
        outside the trial's places or days (read it straight away: pandas drops
        ``attrs`` in many operations; nothing in the library reads it).

    Raises
    ------
    ValueError
        When no event's place id is a place of the schedule (e.g. ids as text on one
        side and numbers on the other), or no event of the trial's places falls on a
        trial day; both sides' ids or date ranges are shown.

    Warns
    -----
    UserWarning
        When more than half of the events with a place id match no place of the
        schedule (ids -1 and missing ids mean "no hot spot" and are not counted).
        Events outside the trial's days are usual (a year of crime for a 90-day
        trial) and only counted.

    Notes
    -----
    Days are local calendar days: time-zone-aware event times are read on their own
    local clock (10:00+01:00 is 10:00 that day), like the schedule's dates.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=4_000, days=30, rng=3)
    >>> plan = hs.assign_days(city.hotspots, start=city.start, days=30, treated_per_day=8, rng=1)
    >>> panel = hs.trial_panel(city.events, plan, weights="harm")
    >>> panel.shape
    (600, 5)
    """
    require_type(
        schedule, DayAssignment, name="schedule", expected="a DayAssignment (from assign_days)"
    )
    require_columns(events, [place, time], name="events")
    values = require_weights(events, weights, name="weights") if weights is not None else None
    stamps = wall_clock(
        require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    )
    n_places, n_days = schedule.treated.shape
    ids = events[place]
    require_id_type(ids, name=f"events[{place!r}]")
    has_place = (ids.notna() & ~ids.isin([-1, "-1"])).to_numpy()  # -1: in no hot spot
    place_pos = schedule.place_ids.get_indexer(ids.to_numpy())
    require_join(
        ids[has_place],
        schedule.place_ids,
        left=f"events[{place!r}]",
        right="schedule.place_ids",
        matched=place_pos[has_place] >= 0,
        what="events",
    )
    day_pos = schedule.dates.get_indexer(pd.DatetimeIndex(stamps.dt.normalize()))
    inside = (place_pos >= 0) & (day_pos >= 0)
    require_join(
        stamps[place_pos >= 0],
        schedule.dates,
        left=f"events[{time!r}]",
        right="schedule.dates",
        matched=inside[place_pos >= 0],
        what="events at the trial's places",
        share=1.0,  # events beyond the trial period are usual: counted, not warned
    )
    flat = place_pos[inside] * n_days + day_pos[inside]
    frame = schedule.to_frame()
    frame["count"] = np.bincount(flat, minlength=n_places * n_days)
    if values is not None and weights is not None:
        frame[weights] = np.bincount(flat, weights=values[inside], minlength=n_places * n_days)
    frame.attrs["n_events_outside"] = int((~inside).sum())
    return frame
