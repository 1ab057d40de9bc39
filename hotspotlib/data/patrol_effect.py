"""Plant a known patrol effect in the synthetic city (the truth for trial tests).

A randomised schedule says which hot spots were patrolled on which days; this module
thins the hot-spot events of the synthetic city so that patrol days carry a known
incident rate ratio (IRR), optionally with residual deterrence that decays over the
following unpatrolled days. Trial estimators can then be checked against the truth.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import place_column
from hotspotlib._validation import (
    as_rng,
    require_columns,
    require_known,
    require_positive,
    require_range,
    require_timestamps,
    require_type,
    require_unique,
)
from hotspotlib.data.synthetic import SyntheticCity

__all__ = ["plant_patrol_effect"]


def plant_patrol_effect(
    city: SyntheticCity,
    schedule: pd.DataFrame | Any,
    *,
    irr: float,
    residual_half_life_days: float = 0.0,
    rng: int | np.random.Generator | None = None,
) -> SyntheticCity:
    """Return a copy of ``city`` whose hot-spot events reflect a planted patrol effect.

    Each event in a hot spot on a patrolled (treated) day is kept with probability
    ``irr``, so the expected count on treated days is ``irr`` times the untreated
    count. On an unpatrolled day ``s >= 1`` days after that hot spot's last patrolled
    day, events are kept with probability ``1 - (1 - irr) * 2 ** (-s / half_life)``:
    residual deterrence that halves every ``residual_half_life_days`` (0 means none:
    the effect stops the day patrol stops). Background events (``hotspot_id == -1``)
    and hot spots or days absent from the schedule are untouched, apart from residual
    deterrence after the last scheduled patrol.

    Parameters
    ----------
    city : SyntheticCity
        The city (from :func:`hotspotlib.synthetic_city`); not modified.
    schedule : pandas.DataFrame
        One row per hot spot and day with columns ``hotspot_id``, ``date`` and
        ``treated`` (0/1 or bool); e.g. ``assign_days(city.hotspots, ...).to_frame()``.
        An object with a ``to_frame()`` method returning such a frame is accepted too.
    irr : float
        The planted incident rate ratio on treated days, in (0, 1]. Thinning cannot
        add events, so a backfire (IRR > 1) cannot be planted this way.
    residual_half_life_days : float
        Half-life of residual deterrence in days (0 = none).
    rng : int, Generator or None
        Seed or generator for the thinning draws.

    Returns
    -------
    SyntheticCity
        A new city (``dataclasses.replace``) with the kept events; ``parameters``
        records the truth under ``"patrol_effect"`` (IRR, half-life, schedule size,
        events removed) and the schedule under ``"patrol_schedule"``.

    See Also
    --------
    synthetic_city : The city to plant the effect in.
    estimate_effect : Estimate the planted effect back.
    koper_curve : Recover the residual deterrence.

    References
    ----------
    .. [1] Sherman, L. W. and Weisburd, D. (1995). General deterrent effects of police
       patrol in crime "hot spots": a randomized, controlled trial. Justice Quarterly 12(4),
       625-648. https://doi.org/10.1080/07418829500096221
    .. [2] Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
       behavior by optimizing patrol time in crime hot spots. Justice Quarterly 12(4),
       649-672. https://doi.org/10.1080/07418829500096231

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=4_000, days=10, rng=1)
    >>> schedule = pd.DataFrame({"hotspot_id": range(20), "date": city.start, "treated": 1})
    >>> treated = hs.plant_patrol_effect(city, schedule, irr=0.5, rng=2)
    >>> treated.parameters["patrol_effect"]["irr"]
    0.5
    >>> len(treated.events) < len(city.events)
    True
    """
    require_type(city, SyntheticCity, name="city", expected="a SyntheticCity (from synthetic_city)")
    frame = schedule.to_frame() if hasattr(schedule, "to_frame") else schedule
    require_type(
        frame, pd.DataFrame, name="schedule", expected="a DataFrame (or a trial assignment)"
    )
    effect = require_range(
        irr,
        name="irr",
        low=0,
        low_open=True,
        high=1,
        fix="Thinning events can only remove crime, so an increase (IRR > 1) cannot be "
        "planted; simulate extra events instead.",
    )
    half_life = require_positive(
        residual_half_life_days, name="residual_half_life_days", allow_zero=True
    )
    generator = as_rng(rng)
    days = city.days
    place_ids = city.hotspots.index.to_numpy()
    place_pos, day_pos, treated_values = _schedule_cells(frame, city)

    treated = np.zeros((len(place_ids), len(days)), dtype=bool)
    treated[place_pos, day_pos] = treated_values.astype(bool)
    keep_probability = _keep_probability(treated, effect, half_life)

    events = city.events
    hotspot = events["hotspot_id"].to_numpy()
    in_spot = hotspot >= 0
    event_day = days.get_indexer(pd.DatetimeIndex(events["timestamp"].dt.normalize()))
    probability = np.ones(len(events))
    probability[in_spot] = keep_probability[
        pd.Index(place_ids).get_indexer(hotspot[in_spot]), event_day[in_spot]
    ]
    keep = generator.random(len(events)) < probability
    kept = events.loc[keep].copy()

    truth = {
        "irr": effect,
        "residual_half_life_days": half_life,
        "n_schedule_rows": len(frame),
        "n_treated_place_days": int(treated.sum()),
        "n_events_removed": int((~keep).sum()),
    }
    parameters = {
        **city.parameters,
        "patrol_effect": truth,
        "patrol_schedule": frame[["hotspot_id", "date", "treated"]].copy(),
    }
    return dataclasses.replace(city, events=kept, parameters=parameters)


def _schedule_cells(
    frame: pd.DataFrame, city: SyntheticCity
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.bool_]]:
    """Return each schedule row's hot spot and day in the city, and whether it is treated."""
    column = place_column(city.hotspots)
    require_columns(frame, [column, "date", "treated"], name="schedule")
    place_pos = require_known(
        frame[column],
        city.hotspots.index,
        name=f"schedule[{column!r}]",
        known_name="city.hotspots",
        what="hot spots",
        fix=f"use the city's {column} values.",
    )
    dates = require_timestamps(frame["date"], name="schedule['date']").dt.normalize()
    day_pos = require_known(
        dates,
        city.days,
        name="schedule['date']",
        known_name="the city's days",
        what="dates",
        fix=f"keep the schedule inside the city's period [{city.start.date()}, {city.end.date()}).",
    )
    require_unique(
        pd.MultiIndex.from_arrays([frame[column], dates]),
        name="schedule",
        what=f"({column}, date) rows",
    )
    require_known(
        frame["treated"],
        [False, True],
        name="schedule['treated']",
        known_name="0/1",
        what="values",
        fix="use 0/1 (or booleans).",
    )
    return place_pos, day_pos, frame["treated"].to_numpy().astype(bool)


def _keep_probability(treated: np.ndarray, irr: float, half_life: float) -> np.ndarray:
    """Probability of keeping an event per place-day (rows places, columns days)."""
    n_days = treated.shape[1]
    day_index = np.arange(n_days)
    last = np.maximum.accumulate(np.where(treated, day_index, -1), axis=1)
    probability = np.ones(treated.shape)
    if half_life > 0:
        since = np.where(last >= 0, day_index - last, np.inf).astype(float)
        decay = np.exp2(-since / half_life)  # 0 where never treated (since = inf)
        probability = 1.0 - (1.0 - irr) * decay
    probability[treated] = irr
    return probability
