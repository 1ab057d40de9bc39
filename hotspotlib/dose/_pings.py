"""Reading a ping table: times, officers and coordinates, with what was dropped counted."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import require_id_type, require_points, require_timestamps, wall_clock


def clean_pings(
    pings: gpd.GeoDataFrame, *, officer: str, time: str, dayfirst: bool | None = None
) -> tuple[Any, Any, Any, dict[str, int], np.datetime64, Any]:
    """Extract valid times (ns since t0), officer codes and coordinates; count drops.

    Returns times, officer codes (into the returned ids), coordinates, counts, t0 and
    the officer ids.
    """
    raw = pings[time]
    present = raw.notna().to_numpy()  # pings without a time are dropped and counted below
    parsed = wall_clock(  # local wall-clock time decides the day
        require_timestamps(raw[present], name=f"pings[{time!r}]", dayfirst=dayfirst)
    )
    if present.all():
        stamps = np.asarray(parsed.to_numpy().astype("datetime64[ns]"))
    else:
        stamps = np.full(len(raw), np.datetime64("NaT", "ns"))
        stamps[present] = parsed.to_numpy().astype("datetime64[ns]")
    require_id_type(pings[officer], name=f"pings[{officer!r}]")
    missing_time = np.isnat(stamps)
    codes, officer_ids = pd.factorize(pings[officer])  # missing ids get code -1
    codes = codes.astype(np.int64)
    missing_officer = codes < 0

    geometry = np.asarray(pings.geometry.values, dtype=object)
    kind = shapely.get_type_id(geometry)
    if (kind > 0).any():  # refused with their count and the fix
        require_points(pings[kind > 0], name="pings")
    coordinates = shapely.get_coordinates(geometry) if (kind == 0).all() else None
    if coordinates is not None and len(coordinates) == len(geometry):  # no empty point
        xy = coordinates
        missing_position = np.zeros(len(geometry), dtype=bool)
    elif (missing_position := (kind < 0) | shapely.is_empty(geometry)).any():
        xy = np.full((len(geometry), 2), np.nan)
        has = ~missing_position
        xy[has, 0] = shapely.get_x(geometry[has])
        xy[has, 1] = shapely.get_y(geometry[has])
    else:
        xy = np.column_stack([shapely.get_x(geometry), shapely.get_y(geometry)])
    missing_position |= ~(np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1]))
    valid = ~(missing_time | missing_officer | missing_position)
    counts = {
        "n_pings": len(pings),
        "n_missing_time": int(missing_time.sum()),
        "n_missing_position": int((missing_position & ~missing_time).sum()),
        "n_missing_officer": int((missing_officer & ~missing_time & ~missing_position).sum()),
    }
    if not valid.any():
        raise ValueError(
            f"`pings` has no usable row: {counts['n_missing_time']} without a time, "
            f"{counts['n_missing_position']} without a position, "
            f"{counts['n_missing_officer']} without an officer."
        )
    if not valid.all():
        stamps, codes, xy = stamps[valid], codes[valid], xy[valid]
    t0 = stamps.min().astype("datetime64[D]").astype("datetime64[ns]")
    times = (stamps - t0).astype(np.int64)
    return times, codes, xy, counts, t0, np.asarray(officer_ids)


def event_times(
    events: pd.DataFrame, time: str, dayfirst: bool | None = None
) -> NDArray[np.datetime64]:
    """Event times as ``datetime64[ns]`` in local wall-clock time, like the pings.

    Time-zone-aware times keep their local clock reading (the zone is dropped), so
    events and visits compare on the same clock; missing times are an error.
    """
    stamps = wall_clock(
        require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    )
    return np.asarray(stamps.to_numpy().astype("datetime64[ns]"))


def describe_extent(xy: Any) -> str:
    """Describe the bounding box of points (an ``(n, 2)`` array) for messages."""
    columns = np.asarray(xy, dtype=float).reshape(-1, 2).T  # one column at a time: fast
    low = np.array([np.nanmin(column) for column in columns])
    high = np.array([np.nanmax(column) for column in columns])
    return f"x {low[0]:.0f} to {high[0]:.0f}, y {low[1]:.0f} to {high[1]:.0f} (CRS units)"
