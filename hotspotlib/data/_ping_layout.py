"""How simulated pings are laid out: the visit schedule, dwell and transit pings.

Used by :func:`hotspotlib.simulate_patrol_pings`: the checked schedule of visits, pings
while an officer dwells in a place, and pings in transit between places.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_complete,
    require_id_type,
    require_join,
    require_known,
    require_nonempty,
    require_timestamps,
    require_within,
    wall_clock,
)


def _timed_visits(
    schedule: pd.DataFrame,
    place_ids: pd.Index,
    column: str,
    interval: float,
    dayfirst: bool | None,
) -> dict[str, Any]:
    """Check the schedule; return its visits sorted by officer and arrival, with their pings."""
    require_columns(schedule, ["officer_id", column, "arrival", "minutes"], name="schedule")
    require_nonempty(schedule, name="schedule")
    require_id_type(schedule["officer_id"], name="schedule['officer_id']")
    require_complete(schedule["officer_id"], name="schedule['officer_id']")
    left = f"schedule[{column!r}]"
    require_join(  # nothing matching: both sides shown; any unknown id is refused below
        schedule[column], place_ids, left=left, right="places.index", what="visits", share=1.0
    )
    position = require_known(
        schedule[column],
        place_ids,
        name=left,
        known_name="places.index",
        fix="schedule only places you pass.",
    )
    minutes = require_within(schedule["minutes"], name="schedule['minutes']", low=0, low_open=True)
    arrival = wall_clock(  # pings are on the local clock
        require_timestamps(schedule["arrival"], name="schedule['arrival']", dayfirst=dayfirst)
    )
    step_ns = int(round(interval * 1e9))
    arrival_ns = arrival.to_numpy().astype("datetime64[ns]").astype(np.int64)
    officer_ids = schedule["officer_id"].to_numpy()
    codes = pd.factorize(officer_ids)[0]
    order = np.lexsort((arrival_ns, codes))
    codes, arrival_ns, position = codes[order], arrival_ns[order], position[order]
    n_pings = np.maximum(1, np.rint(minutes[order] * 60.0 / interval)).astype(np.int64)
    departure_ns = arrival_ns + n_pings * step_ns
    same = codes[1:] == codes[:-1]
    gap_minutes = (arrival_ns[1:] - departure_ns[:-1])[same] / 60e9
    overlapping = pd.unique(officer_ids[order][1:][same][gap_minutes < 0])[:3].tolist()
    require_within(
        gap_minutes,
        name="schedule: the minutes from the end of each visit to the same officer's next",
        low=0,
        fix=f"Those visits start before the same officer's previous visit ends (officers "
        f"{overlapping}); space the visits out.",
    )
    return {
        "codes": codes,
        "officer_values": pd.unique(officer_ids),
        "position": position,
        "arrival_ns": arrival_ns,
        "departure_ns": departure_ns,
        "n_pings": n_pings,
        "step_ns": step_ns,
        "same": same,
    }


def _dwell_pings(
    visits: dict[str, Any], geoms: NDArray[Any], generator: np.random.Generator
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """Pings during visits: one per interval from arrival, uniform inside the place."""
    n_pings = visits["n_pings"]
    dwell_visit = np.repeat(np.arange(len(n_pings)), n_pings)
    dwell_step = np.arange(len(dwell_visit)) - np.repeat(np.cumsum(n_pings) - n_pings, n_pings)
    dwell_time = visits["arrival_ns"][dwell_visit] + dwell_step * visits["step_ns"]
    dwell_xy = _uniform_inside(geoms, visits["position"][dwell_visit], generator)
    return dwell_time, dwell_xy, visits["codes"][dwell_visit]


def _transit_pings(
    visits: dict[str, Any], geoms: NDArray[Any]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64]]:
    """Pings between an officer's visits, evenly spaced on the line between centroids."""
    step_ns, position = visits["step_ns"], visits["position"]
    arrival_ns, departure_ns = visits["arrival_ns"], visits["departure_ns"]
    centroids = shapely.get_coordinates(shapely.centroid(geoms))
    leg = np.flatnonzero(visits["same"])  # visit leg -> leg + 1
    span = arrival_ns[leg + 1] - departure_ns[leg]
    n_leg = (span + step_ns - 1) // step_ns
    leg_id = np.repeat(np.arange(len(leg)), n_leg)
    leg_step = np.arange(len(leg_id)) - np.repeat(np.cumsum(n_leg) - n_leg, n_leg)
    transit_time = departure_ns[leg[leg_id]] + leg_step * step_ns
    share = ((transit_time - departure_ns[leg[leg_id]]) / np.maximum(span[leg_id], 1))[:, None]
    start_xy = centroids[position[leg[leg_id]]]
    transit_xy = start_xy + share * (centroids[position[leg[leg_id] + 1]] - start_xy)
    return transit_time, transit_xy, visits["codes"][leg[leg_id]]


def _transit_inside(
    xy: NDArray[np.float64], n_dwell: int, geoms: NDArray[Any]
) -> NDArray[np.bool_]:
    """Mark the transit pings (after the first ``n_dwell``) that land inside a place."""
    inside = np.zeros(len(xy), dtype=bool)
    if len(xy) > n_dwell:
        points = shapely.points(xy[n_dwell:])
        hit = shapely.STRtree(geoms).query(points, predicate="intersects")[0]
        inside[n_dwell + hit] = True
    return inside


def _uniform_inside(
    geoms: NDArray[Any], which: NDArray[np.int64], generator: np.random.Generator
) -> NDArray[np.float64]:
    """Draw one point uniformly inside ``geoms[which[i]]`` for each i (rejection sampling)."""
    bounds = shapely.bounds(geoms)
    box_area = (bounds[:, 2] - bounds[:, 0]) * (bounds[:, 3] - bounds[:, 1])
    is_box = np.isclose(shapely.area(geoms), box_area, rtol=1e-12)
    out = np.empty((len(which), 2))
    todo = np.arange(len(which))
    for _ in range(200):  # acceptance is the area share of the bounding box
        low = bounds[which[todo], :2]
        draw = low + generator.random((len(todo), 2)) * (bounds[which[todo], 2:] - low)
        ok = is_box[which[todo]]
        check = ~ok
        ok[check] = shapely.contains_xy(geoms[which[todo[check]]], draw[check, 0], draw[check, 1])
        out[todo[ok]] = draw[ok]
        todo = todo[~ok]
        if len(todo) == 0:
            return out
    raise ValueError(
        "Could not sample points inside some places (they are slivers of their bounding "
        "box); simplify or buffer those polygons."
    )
