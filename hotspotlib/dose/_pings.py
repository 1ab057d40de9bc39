"""Reading a ping table: times, officers and coordinates, with what was dropped counted."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray


def clean_pings(
    pings: gpd.GeoDataFrame, *, officer: str, time: str
) -> tuple[Any, Any, Any, dict[str, int], np.datetime64, Any]:
    """Extract valid times (ns since t0), officer codes and coordinates; count drops.

    Returns times, officer codes (into the returned ids), coordinates, counts, t0 and
    the officer ids.
    """
    raw = pings[time]
    if not pd.api.types.is_datetime64_any_dtype(raw):
        try:
            raw = pd.to_datetime(raw, format="ISO8601")
        except (ValueError, TypeError) as error:
            raise ValueError(
                f"`pings[{time!r}]` could not be parsed as times ({error}); "
                "pass datetimes or ISO 8601 strings."
            ) from error
    if getattr(raw.dt, "tz", None) is not None:
        raw = raw.dt.tz_localize(None)  # local wall-clock time decides the day
    stamps = raw.to_numpy().astype("datetime64[ns]")
    missing_time = np.isnat(stamps)
    codes, officer_ids = pd.factorize(pings[officer])  # missing ids get code -1
    codes = codes.astype(np.int64)
    missing_officer = codes < 0

    geometry = np.asarray(pings.geometry.values, dtype=object)
    kind = shapely.get_type_id(geometry)
    if (kind > 0).any():
        raise ValueError(
            f"`pings` must hold Point geometries; {int((kind > 0).sum())} do not. "
            "Use `pings.centroid` for other shapes."
        )
    missing_position = (kind < 0) | shapely.is_empty(geometry)
    if missing_position.any():
        xy = np.full((len(geometry), 2), np.nan)
        has = ~missing_position
        xy[has, 0] = shapely.get_x(geometry[has])
        xy[has, 1] = shapely.get_y(geometry[has])
    else:
        xy = np.column_stack([shapely.get_x(geometry), shapely.get_y(geometry)])
    missing_position |= ~np.isfinite(xy).all(axis=1)
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


def event_times(events: pd.DataFrame, time: str) -> NDArray[np.datetime64]:
    """Event times as ``datetime64[ns]`` in local wall-clock time, like the pings.

    Time-zone-aware times keep their local clock reading (the zone is dropped), so
    events and visits compare on the same clock; missing times are an error.
    """
    stamps = pd.to_datetime(events[time])
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_localize(None)
    values = stamps.to_numpy().astype("datetime64[ns]")
    if np.isnat(values).any():
        raise ValueError(
            f"`events[{time!r}]` has {int(np.isnat(values).sum())} missing times; "
            "drop those rows first."
        )
    return values
