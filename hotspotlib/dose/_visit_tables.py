"""The visits and episodes tables of :func:`hotspotlib.patrol_visits`, built once.

Each column is built in one pass from the kernels' arrays and the frame is assembled
without copying them into blocks of one dtype.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hotspotlib.dose._episodes import DAY_NS, Episodes
from hotspotlib.dose._union import Visits


def _stamp(t0: np.datetime64, nanoseconds: Any, *, day: bool = False, reuse: bool = False) -> Any:
    """Return times (ns since ``t0``, a midnight) as ``datetime64[ns]``, or their midnights.

    ``reuse`` converts ``nanoseconds`` (an int64 array no longer needed) in place.
    """
    if day:
        out = np.floor_divide(nanoseconds, DAY_NS)
        out *= DAY_NS
        out += t0.astype(np.int64)
    elif reuse:
        out = nanoseconds
        out += t0.astype(np.int64)
    else:
        out = np.add(nanoseconds, t0.astype(np.int64))
    return out.view("datetime64[ns]")


def _officer_labels(officers: Any, codes: Any) -> Any:
    """Return the officer ids of ``codes``, with the dtype pandas gives a column of them."""
    values = np.asarray(officers)
    if isinstance(officers, pd.Index) and pd.Series(values).dtype == officers.dtype:
        return officers.take(codes).array  # e.g. Arrow strings taken without Python objects
    return np.take(values, codes)


def visit_table(
    joined: Visits, ids: Any, column: str, t0: np.datetime64, settings: dict[str, Any]
) -> pd.DataFrame:
    """Build the visits table: one row per visit, with its minutes and flags."""
    duration = (joined.departure - joined.arrival) / 60e9
    low, high = settings["target_minutes"]
    koper = duration >= low
    koper &= duration <= high
    columns = {
        column: np.take(ids, joined.place),
        "date": _stamp(t0, joined.arrival, day=True),
        "arrival": _stamp(t0, joined.arrival),
        "departure": _stamp(t0, joined.departure),
        "duration_minutes": duration,
        "patrol_minutes": joined.patrol_ns / 60e9,
        "officer_minutes": joined.officer_ns / 60e9,
        "n_officers": joined.n_officers,
        "n_episodes": joined.n_episodes,
        "qualifying": duration >= settings["min_dwell_minutes"],
        "koper_compliant": koper,
    }
    index = pd.RangeIndex(len(duration), name="visit_id")
    return pd.DataFrame(columns, index=index, copy=False)


def episode_table(
    episodes: Episodes, ids: Any, column: str, t0: np.datetime64, officers: Any
) -> pd.DataFrame:
    """Build the episodes table: one row per officer episode inside a place.

    The episodes' start and end arrays become the arrival and departure columns.
    """
    minutes = episodes.end - episodes.start
    columns = {  # built in this order: the date before the start becomes the arrival
        "officer_id": _officer_labels(officers, episodes.officer),
        column: np.take(ids, episodes.place),
        "date": _stamp(t0, episodes.start, day=True),
        "arrival": _stamp(t0, episodes.start, reuse=True),
        "departure": _stamp(t0, episodes.end, reuse=True),
        "minutes": minutes / 60e9,
        "n_pings": episodes.n_pings,
        "speed_kmh": episodes.speed_kmh,
    }
    index = pd.RangeIndex(len(minutes), name="episode_id")
    return pd.DataFrame(columns, index=index, copy=False)


def visit_figures(visits: pd.DataFrame) -> dict[str, Any]:
    """Visits, qualifying visits, the Koper-compliant share and minutes in all."""
    qualifying = visits["qualifying"]
    return {
        "n_visits": len(visits),
        "n_qualifying_visits": int(qualifying.sum()),
        "share_koper_compliant": (
            float(visits.loc[qualifying, "koper_compliant"].mean())
            if qualifying.any()
            else float("nan")
        ),
        "patrol_minutes": float(visits["patrol_minutes"].sum()),
        "officer_minutes": float(visits["officer_minutes"].sum()),
    }
