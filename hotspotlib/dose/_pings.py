"""Reading a ping table: times, officers and coordinates, with what was dropped counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import require_id_type, require_points, require_timestamps, wall_clock


@dataclass(frozen=True, slots=True)
class PingPositions:
    """Coordinates of point pings, read once: ``xy`` is None when some are not points."""

    xy: NDArray[np.float64] | None
    missing: NDArray[np.bool_] | None
    bounds: tuple[float, float, float, float] | None


def ping_positions(pings: gpd.GeoDataFrame) -> PingPositions:
    """Read the pings' coordinates in one pass, with their bounds (None if unknown).

    Missing or empty points get NaN coordinates and are marked missing; ``bounds`` cover
    the coordinates that are not NaN (as ``total_bounds`` does). Any geometry that is not a point
    leaves ``xy`` None: such pings are refused later, with their count.
    """
    geometry = np.asarray(pings.geometry.values, dtype=object)
    kind = shapely.get_type_id(geometry)
    if (kind > 0).any():
        return PingPositions(None, None, None)
    xy = shapely.get_coordinates(geometry)
    missing: NDArray[np.bool_] | None = None
    if len(xy) != len(geometry):  # missing or empty points: NaN coordinates
        missing = (kind < 0) | shapely.is_empty(geometry)
        xy = np.full((len(geometry), 2), np.nan)
        has = ~missing
        xy[has, 0] = shapely.get_x(geometry[has])
        xy[has, 1] = shapely.get_y(geometry[has])
    x, y = xy[:, 0], xy[:, 1]  # one column at a time: a reduction across rows is slow
    bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
    if not np.isfinite(bounds).all():  # NaN or infinite values
        finite = np.isfinite(xy).all(axis=1)
        missing = ~finite if missing is None else np.logical_or(missing, ~finite)
        if np.isnan(x).all() or np.isnan(y).all():
            return PingPositions(xy, missing, None)
        low_x, low_y = float(np.nanmin(x)), float(np.nanmin(y))
        bounds = (low_x, low_y, float(np.nanmax(x)), float(np.nanmax(y)))
    return PingPositions(xy, missing, bounds)


def clean_pings(
    pings: gpd.GeoDataFrame,
    positions: PingPositions,
    *,
    officer: str,
    time: str,
    dayfirst: bool | None = None,
) -> tuple[Any, Any, Any, dict[str, int], np.datetime64, Any]:
    """Extract valid times (ns since t0), officer codes and coordinates; count drops.

    Returns times (int64), officer codes (int32, into the returned ids), coordinates,
    counts, t0 and the officer ids (as :func:`pandas.factorize` gives them).
    """
    stamps = _ping_stamps(pings[time], name=f"pings[{time!r}]", dayfirst=dayfirst)
    require_id_type(pings[officer], name=f"pings[{officer!r}]")
    missing_time = np.isnat(stamps)
    codes, officer_ids = pd.factorize(pings[officer])  # missing ids get code -1
    codes = codes.astype(np.int32 if len(officer_ids) < 2**31 else np.int64)
    missing_officer = codes < 0

    xy, missing_position = positions.xy, positions.missing
    if xy is None:  # some geometries are not points: refused with their count and the fix
        geometry = np.asarray(pings.geometry.values, dtype=object)
        require_points(pings[shapely.get_type_id(geometry) > 0], name="pings")
        xy = np.column_stack([shapely.get_x(geometry), shapely.get_y(geometry)])
        missing_position = np.logical_not(np.isfinite(xy).all(axis=1))
    if missing_position is None:
        missing_position = np.zeros(len(stamps), dtype=bool)
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
    times = np.subtract(stamps.view(np.int64), t0.astype(np.int64))
    return times, codes, xy, counts, t0, officer_ids


def _ping_stamps(raw: pd.Series, *, name: str, dayfirst: bool | None) -> NDArray[np.datetime64]:
    """Ping times as ``datetime64[ns]`` on the local wall clock, NaT where missing."""
    naive = isinstance(raw.dtype, np.dtype) and raw.dtype.kind == "M"
    if naive and (dayfirst is None or isinstance(dayfirst, bool | np.bool_)):
        # Naive datetimes are read as they are: nothing to parse or convert, once they
        # fit in nanoseconds (a coarser unit can hold years a cast would wrap around).
        values = np.asarray(raw.to_numpy())
        if values.dtype != np.dtype("datetime64[ns]") and len(values):
            low, high = raw.min(), raw.max()
            if pd.notna(low) and (low < pd.Timestamp.min or high > pd.Timestamp.max):
                raise ValueError(
                    f"`{name}` runs from {low} to {high}, outside the times this library "
                    f"holds ({pd.Timestamp.min:%Y-%m-%d} to {pd.Timestamp.max:%Y-%m-%d}); "
                    "check the column's year or unit."
                )
        return values.astype("datetime64[ns]", copy=False)
    present = raw.notna().to_numpy()  # pings without a time are dropped and counted
    parsed = wall_clock(  # local wall-clock time decides the day
        require_timestamps(raw[present], name=name, dayfirst=dayfirst)
    )
    if present.all():
        return np.asarray(parsed.to_numpy().astype("datetime64[ns]"))
    stamps = np.full(len(raw), np.datetime64("NaT", "ns"))
    stamps[present] = parsed.to_numpy().astype("datetime64[ns]")
    return stamps


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
