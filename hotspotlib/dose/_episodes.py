"""Array kernels behind :func:`hotspotlib.patrol_visits`: episodes, day splits, unions.

Times are int64 nanoseconds since the midnight before the first ping, so a day index is
``t // DAY_NS``. Every step is a sort followed by flat numpy passes; nothing loops over
pings, episodes or visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

DAY_NS = 86_400 * 10**9

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Episodes:
    """Officer episodes inside places (already split at midnight)."""

    officer: IntArray
    place: IntArray
    start: IntArray
    end: IntArray
    n_pings: IntArray
    speed_kmh: FloatArray
    n_too_fast: int


@dataclass(frozen=True, slots=True)
class Visits:
    """Visits per place and day: unions of episodes, merged across short gaps."""

    place: IntArray
    arrival: IntArray
    departure: IntArray
    patrol_ns: FloatArray
    officer_ns: FloatArray
    n_officers: IntArray
    n_episodes: IntArray


def sort_order(officer: IntArray, time: IntArray) -> tuple[IntArray | None, int]:
    """Order pings by officer then time; also count pings that arrived out of time order.

    A ping is out of order when, in the sorted sequence, it came earlier in the input
    than the ping before it of the same officer. None means already in order.
    """
    n = len(time)
    if n < 2:
        return None, 0
    same = officer[1:] == officer[:-1]
    if ((officer[1:] > officer[:-1]) | (same & (time[1:] >= time[:-1]))).all():
        return None, 0
    if officer.max() < 2**16 and (time[1:] >= time[:-1]).all():
        # A live feed is in time order: a stable radix sort by officer finishes the job.
        return np.argsort(officer.astype(np.uint16), kind="stable"), 0
    order = np.lexsort((time, officer))
    back = (np.diff(order) < 0) & (officer[order][1:] == officer[order][:-1])
    return order, int(back.sum())


def ping_interval(officer: IntArray, time: IntArray) -> float | None:
    """Median positive gap (ns) between consecutive pings of the same officer."""
    gaps = np.diff(time)[officer[1:] == officer[:-1]]
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else None


def find_episodes(
    officer: IntArray,
    time: IntArray,
    place: IntArray,
    xy: FloatArray,
    *,
    step_ns: int,
    max_gap_ns: int,
    max_speed_kmh: float | None,
) -> Episodes:
    """Group sorted, de-duplicated pings into episodes and split them at midnight.

    An episode is a run of consecutive pings of one officer inside one place, each no
    more than ``max_gap_ns`` after the previous; it lasts from its first ping to its last
    ping plus one ping interval, split at midnight (the interval after the last ping is
    credited only up to midnight). An episode's speed is the distance over time of the
    steps into its pings (steps within ``max_gap_ns`` of the previous ping of the same
    officer); episodes faster than ``max_speed_kmh`` are dropped.
    """
    # Streaming passes over neighbouring pings (no gathers), then one compression to
    # the pings inside a place: a ping continues an episode when the ping before it is
    # the same officer's, in the same place and at most ``max_gap_ns`` earlier.
    n = len(time)
    gap = np.zeros(n, dtype=np.int64)
    np.subtract(time[1:], time[:-1], out=gap[1:])
    valid = np.zeros(n, dtype=bool)  # same officer, at most max_gap_ns after
    np.equal(officer[1:], officer[:-1], out=valid[1:])
    valid &= gap <= max_gap_ns
    cont = valid.copy()
    cont[1:] &= place[1:] == place[:-1]
    valid &= gap > 0
    inside = place >= 0
    at = np.flatnonzero(inside)  # positions of the pings inside a place
    new = ~cont[at]
    del cont
    starts = np.flatnonzero(new)
    n_episodes = len(starts)
    lengths = np.diff(np.append(starts, len(at)))
    episode_of_ping = np.cumsum(new) - 1
    del new
    first, last = at[starts], at[starts + lengths - 1]

    # Speed: distance over time of the steps into an episode's pings; steps that are
    # not counted would add exact zeros, so they are skipped.
    counted = valid & inside
    step_at = np.flatnonzero(counted)
    step_episode = episode_of_ping[counted[at]]
    del counted, valid
    x, y = xy[:, 0], xy[:, 1]
    dx = x[step_at] - x[step_at - 1]
    dy = y[step_at] - y[step_at - 1]
    step = np.sqrt(dx * dx + dy * dy)  # metres; hypot's overflow care is not needed here
    del dx, dy
    metres = np.bincount(step_episode, step, minlength=n_episodes)
    del step
    seconds = np.bincount(step_episode, gap[step_at] / 1e9, minlength=n_episodes)
    del step_episode, step_at, gap
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = np.where(seconds > 0, metres / seconds * 3.6, np.nan)
    keep = np.ones(n_episodes, dtype=bool)
    if max_speed_kmh is not None:
        keep = ~(speed > max_speed_kmh)

    start = time[first]
    end = time[last] + step_ns
    officer_first, place_first = officer[first], place[first]
    day0 = start // DAY_NS
    n_days = (end - 1) // DAY_NS - day0 + 1
    if (n_days == 1).all():  # nothing crosses midnight: one piece per episode
        return Episodes(
            officer=officer_first[keep],
            place=place_first[keep],
            start=start[keep],
            end=end[keep],
            n_pings=lengths[keep].astype(np.int64),
            speed_kmh=speed[keep],
            n_too_fast=int((~keep).sum()),
        )
    # Pieces: one per episode and day it spans; only the pings of the episodes that
    # cross midnight are counted day by day.
    piece_offset = np.cumsum(n_days) - n_days
    crosses = n_days > 1
    piece_pings = np.zeros(int(n_days.sum()), dtype=np.int64)
    piece_pings[piece_offset[~crosses]] = lengths[~crosses]
    split = np.flatnonzero(crosses[episode_of_ping])
    owner = episode_of_ping[split]
    piece_pings += np.bincount(
        piece_offset[owner] + time[at[split]] // DAY_NS - day0[owner],
        minlength=len(piece_pings),
    )
    source = np.repeat(np.arange(n_episodes), n_days)
    day = day0[source] + np.arange(len(source)) - np.repeat(piece_offset, n_days)
    # The interval credited after an episode's last ping stops at midnight.
    chosen = keep[source] & (piece_pings > 0)
    source, day, piece_pings = source[chosen], day[chosen], piece_pings[chosen]
    return Episodes(
        officer=officer_first[source],
        place=place_first[source],
        start=np.maximum(start[source], day * DAY_NS),
        end=np.minimum(end[source], (day + 1) * DAY_NS),
        n_pings=piece_pings.astype(np.int64),
        speed_kmh=speed[source],
        n_too_fast=int((~keep).sum()),
    )


def union_visits(episodes: Episodes, *, merge_gap_ns: int, n_officers: int) -> Visits:
    """Union episodes per place and day (patrol time), merging gaps up to ``merge_gap_ns``.

    Sort-and-sweep: within each (place, day) group sorted by start, an episode opens a
    new block of presence when it starts after the running maximum of earlier ends, and
    a new visit when it starts more than ``merge_gap_ns`` after it. The running maximum
    is one cumulative max over the whole array, with each group shifted two days past
    the previous one so groups never interact.
    """
    if len(episodes.start) == 0:
        empty_i = np.empty(0, dtype=np.int64)
        empty_f = np.empty(0)
        return Visits(empty_i, empty_i, empty_i, empty_f, empty_f, empty_i, empty_i)
    day = episodes.start // DAY_NS
    start_s = (episodes.start - day * DAY_NS) / 1e9  # seconds into the day
    end_s = (episodes.end - day * DAY_NS) / 1e9
    # One float sort key: group (place, day) then seconds into the day, two days a group.
    group = episodes.place * (int(day.max()) - int(day.min()) + 1) + (day - day.min())
    order = np.argsort(group * 172_800.0 + start_s)
    group = group[order]
    start, end = episodes.start[order], episodes.end[order]
    officer = episodes.officer[order]
    new_group = np.ones(len(start), dtype=bool)
    np.not_equal(group[1:], group[:-1], out=new_group[1:])
    shift = (np.cumsum(new_group) - 1) * 172_800.0  # seconds; two days per group
    shifted_start = shift + start_s[order]
    running_end = np.maximum.accumulate(shift + end_s[order])
    previous_end = np.concatenate([[-np.inf], running_end[:-1]])
    new_block = new_group | (shifted_start > previous_end)
    new_visit = new_group | (shifted_start > previous_end + merge_gap_ns / 1e9)

    block_first = np.flatnonzero(new_block)
    block_end = np.maximum.reduceat(end, block_first)
    visit_of_piece = np.cumsum(new_visit) - 1
    visit_first = np.flatnonzero(new_visit)
    n_visits = len(visit_first)
    patrol: FloatArray = np.bincount(
        visit_of_piece[block_first],
        (block_end - start[block_first]).astype(np.float64),
        minlength=n_visits,
    ).astype(np.float64)
    officer_time: FloatArray = np.bincount(
        visit_of_piece, (end - start).astype(np.float64), n_visits
    ).astype(np.float64)
    n_episodes = np.diff(np.append(visit_first, len(start))).astype(np.int64)
    # Distinct officers per visit; only visits with several episodes need a sort.
    n_distinct = np.ones(n_visits, dtype=np.int64)
    shared = n_episodes[visit_of_piece] > 1
    if shared.any():
        pairs = np.sort(visit_of_piece[shared] * np.int64(n_officers) + officer[shared])
        pairs = pairs[np.append(True, pairs[1:] != pairs[:-1])]
        counted = np.bincount(pairs // n_officers, minlength=n_visits)
        n_distinct = np.where(n_episodes > 1, counted, 1).astype(np.int64)
    return Visits(
        place=episodes.place[order[visit_first]],
        arrival=start[visit_first],
        departure=np.maximum.reduceat(end, visit_first),
        patrol_ns=patrol,
        officer_ns=officer_time,
        n_officers=n_distinct,
        n_episodes=n_episodes,
    )


def _stamp(t0: np.datetime64, nanoseconds: Any) -> Any:
    return t0 + np.asarray(nanoseconds, dtype=np.int64).astype("timedelta64[ns]")


def visit_table(
    joined: Visits, ids: Any, column: str, t0: np.datetime64, settings: dict[str, Any]
) -> pd.DataFrame:
    """Build the visits table: one row per visit, with its minutes and flags."""
    duration = (joined.departure - joined.arrival) / 60e9
    low, high = settings["target_minutes"]
    return pd.DataFrame(
        {
            column: ids[joined.place],
            "date": _stamp(t0, joined.arrival // DAY_NS * DAY_NS),
            "arrival": _stamp(t0, joined.arrival),
            "departure": _stamp(t0, joined.departure),
            "duration_minutes": duration,
            "patrol_minutes": joined.patrol_ns / 60e9,
            "officer_minutes": joined.officer_ns / 60e9,
            "n_officers": joined.n_officers,
            "n_episodes": joined.n_episodes,
            "qualifying": duration >= settings["min_dwell_minutes"],
            "koper_compliant": (duration >= low) & (duration <= high),
        }
    ).rename_axis("visit_id")


def episode_table(
    episodes: Episodes, ids: Any, column: str, t0: np.datetime64, officers: Any
) -> pd.DataFrame:
    """Build the episodes table: one row per officer episode inside a place."""
    return pd.DataFrame(
        {
            "officer_id": np.asarray(officers)[episodes.officer],
            column: ids[episodes.place],
            "date": _stamp(t0, episodes.start // DAY_NS * DAY_NS),
            "arrival": _stamp(t0, episodes.start),
            "departure": _stamp(t0, episodes.end),
            "minutes": (episodes.end - episodes.start) / 60e9,
            "n_pings": episodes.n_pings,
            "speed_kmh": episodes.speed_kmh,
        }
    ).rename_axis("episode_id")
