"""Inputs of a dosage panel: the randomised assignment and the events (internal)."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_id_type,
    require_join,
    require_known,
    require_timestamps,
    require_unique,
    require_weights,
    wall_clock,
)
from hotspotlib.dose._pings import describe_extent, event_times
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import locate_events

_DAY = np.timedelta64(1, "D")


def read_assignment(
    assignment: pd.DataFrame,
    ids: pd.Index,
    column: str,
    first_day: pd.Timestamp,
    n_days: int,
    dayfirst: bool | None,
) -> tuple[NDArray[np.float64], int]:
    require_columns(assignment, [column, "date", "treated"], name="assignment")
    require_id_type(assignment[column], name=f"assignment[{column!r}]")
    left = f"assignment[{column!r}]"
    require_join(assignment[column], ids, left=left, right="places", share=1)
    position = require_known(assignment[column], ids, name=left, known_name="places")
    treated = assignment["treated"]
    require_known(
        treated,
        [False, True],
        name="assignment['treated']",
        known_name="True/False",
        what="values",
        fix="use True/False (or 1/0), with no missing values.",
    )
    stamps = require_timestamps(assignment["date"], name="assignment['date']", dayfirst=dayfirst)
    dates = wall_clock(stamps).dt.normalize().to_numpy()
    day = ((dates - first_day.to_datetime64()) // _DAY).astype(np.int64)
    within = (day >= 0) & (day < n_days)
    period = f"days from {first_day.date()} ({n_days} days)"
    require_join(stamps, period, left="assignment['date']", right="start/end", matched=within)
    flat = position[within] * n_days + day[within]
    require_unique(
        pd.MultiIndex.from_arrays([assignment[column], dates])[within],
        name="assignment",
        what="(place, date) rows",
    )
    out = np.full(len(ids) * n_days, np.nan)
    out[flat] = treated.to_numpy(dtype=float)[within]
    return out, int((~within).sum())


def add_events(
    frame: pd.DataFrame,
    events: gpd.GeoDataFrame,
    cells: gpd.GeoDataFrame,
    time: str,
    weights: Any,
    period: tuple[pd.Timestamp, int, bool | None],
    places: Any,
) -> dict[str, int]:
    first_day, n_days, dayfirst = period
    require_columns(events, [time], name="events")
    weight_values = require_weights(events, weights)
    position = locate_events(events, places if isinstance(places, Grid) else cells)
    stamps = event_times(events, time, dayfirst)
    day = ((stamps - first_day.to_datetime64()) // _DAY).astype(np.int64)
    keep = (position >= 0) & (day >= 0) & (day < n_days)
    require_join(
        describe_extent(events.geometry.get_coordinates().to_numpy()),
        describe_extent(cells.total_bounds.reshape(2, 2)),
        left="events",
        right="places",
        matched=position >= 0,
        what="events",
        share=1,
    )
    require_join(
        pd.Series(stamps[position >= 0]),
        f"days from {first_day.date()} ({n_days} days)",
        left=f"events[{time!r}]",
        right="start/end",
        matched=keep[position >= 0],
        what="events",
        share=1,
    )
    flat = position[keep] * n_days + day[keep]
    size = len(frame)
    frame["count"] = np.bincount(flat, minlength=size)
    if weight_values is not None:
        name = weights if isinstance(weights, str) else "weight_sum"
        frame[name] = np.bincount(flat, weight_values[keep], minlength=size)
    return {
        "n_events_outside_places": int((position < 0).sum()),
        "n_events_outside_period": int(((position >= 0) & ~keep).sum()),
    }
