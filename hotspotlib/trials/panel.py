"""Trial panels: events counted per hot spot per day, and step-change treatment columns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from hotspotlib._columns import PLACE, TIME
from hotspotlib._validation import (
    require_columns,
    require_days,
    require_id_type,
    require_join,
    require_timestamps,
    require_type,
    require_weights,
    wall_clock,
)
from hotspotlib.trials.schedule import DayAssignment

__all__ = ["step_treatment", "trial_panel"]


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
        trial day; both sides' ids or date ranges are shown. When the times are months
        written as their first day (police.uk's ``Month``; see Notes), which a daily
        panel would put on the 1st of each month.

    Warns
    -----
    HotspotlibWarning
        When more than half of the events with a place id match no place of the
        schedule (ids -1 and missing ids mean "no hot spot" and are not counted).
        Events outside the trial's days are usual (a year of crime for a 90-day
        trial) and only counted.

    See Also
    --------
    assign_days : The crossover schedule.
    estimate_effect : Estimate the effect from the panel.
    randomization_test : A randomisation test on the panel.

    Notes
    -----
    Days are local calendar days: time-zone-aware event times are read on their own
    local clock (10:00+01:00 is 10:00 that day), like the schedule's dates.

    police.uk crimes carry only their month, read as midnight on its 1st. Times are
    taken to be months when all are midnight on a 1st and either ``events.attrs``
    marks the column (as :func:`read_police_uk` does) or there are at least 10 of them
    over two or more months; such events are refused, since a daily crossover needs
    the day of each crime. A few dated events that fall on a 1st are counted as usual.

    References
    ----------
    .. [1] Basford, L., Sims, C., Agar, I., Harinam, V. and Strang, H. (2021). Effects of
       one-a-day foot patrols on hot spots of serious violence and crime harm: a randomised
       crossover trial. Cambridge Journal of Evidence-Based Policing 5(3), 119-133.
       https://doi.org/10.1007/s41887-021-00067-2
    .. [2] Bland, M., Leggetter, M., Cestaro, D. and Sebire, J. (2021). Fifteen minutes per
       day keeps the violence away: a crossover randomised controlled trial on the impact of
       foot patrols on serious violence in large hot spot areas. Cambridge Journal of
       Evidence-Based Policing 5(3-4), 93-118. https://doi.org/10.1007/s41887-021-00066-3

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
    raw = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    require_days(
        raw, name=f"events[{time!r}]", frame=events, column=time,
        daily="a daily trial panel would put each month's events on its 1st day and none "
        "on the others. Compare whole months instead (periods of a month or more)",
    )  # fmt: skip
    stamps = wall_clock(raw)
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


def step_treatment(
    panel: pd.DataFrame,
    starts: Mapping[Any, Any] | pd.Series,
    *,
    place: str = PLACE,
    date: str = "date",
) -> pd.Series:
    """Build a 0/1 column that switches on at each place's start date (a step change).

    Problem-oriented policing is not a daily dose: once the problem-solving starts at a
    place it stays in force. This returns, for every panel row, 1 on and after that
    place's start date and 0 before it (and 0 throughout for places without a start
    date, e.g. control and patrol-only places). Entered as the ``arm`` of
    :func:`estimate_arms` with the daily patrol column as a covariate and place and day
    fixed effects, its coefficient is the POP step change with patrol days held fixed.

    Parameters
    ----------
    panel : pandas.DataFrame
        Place-day panel with ``place`` and ``date`` columns.
    starts : mapping or pandas.Series
        Start date per place id (missing or NaT: never started).
    place, date : str
        The panel's place and day columns.

    Returns
    -------
    pandas.Series
        0/1 integers, aligned to ``panel.index``.

    See Also
    --------
    estimate_arms : Enter the step as an arm.
    trial_panel : The place-day panel to add it to.

    References
    ----------
    .. [1] Braga, A. A., Weisburd, D. L., Waring, E. J., Mazerolle, L. G., Spelman, W. and
       Gajewski, F. (1999). Problem-oriented policing in violent crime places: a randomized
       controlled experiment. Criminology 37(3), 541-580.

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> panel = pd.DataFrame({"hotspot_id": [1, 1, 1, 2],
    ...                       "date": pd.date_range("2024-01-01", periods=3).tolist()
    ...                       + [pd.Timestamp("2024-01-03")]})
    >>> hs.step_treatment(panel, {1: "2024-01-02"}).tolist()
    [0, 1, 1, 0]
    """
    require_type(panel, pd.DataFrame, name="panel", expected="a pandas DataFrame")
    require_columns(panel, [place, date], name="panel")
    given = pd.Series(starts, dtype=object) if not isinstance(starts, pd.Series) else starts
    start = require_timestamps(given.dropna(), name="starts").dt.normalize()
    days = require_timestamps(panel[date], name=f"panel[{date!r}]").dt.normalize()
    matched = panel[place].map(pd.Series(start.to_numpy(), index=given.dropna().index))
    on = (days.to_numpy() >= pd.to_datetime(matched).to_numpy()) & matched.notna().to_numpy()
    return pd.Series(on.astype(np.int64), index=panel.index, name="step")
