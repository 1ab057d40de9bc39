"""The previous ``patrol_visits`` engine, kept verbatim as the reference for equality tests.

The kernels below are the engine as it stood before the single-pass rewrite (sort,
episodes, union and tables); the test compares the library's output with theirs
exactly on messy pings (out of order, duplicated, missing values, across midnight).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspotlib._validation import require_id_type, require_points, require_timestamps, wall_clock
from hotspotlib.dose._locate import locate_xy

DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class Episodes:
    """Officer episodes inside places (already split at midnight)."""

    officer: Any
    place: Any
    start: Any
    end: Any
    n_pings: Any
    speed_kmh: Any
    n_too_fast: int


@dataclass(frozen=True, slots=True)
class Visits:
    """Visits per place and day: unions of episodes, merged across short gaps."""

    place: Any
    arrival: Any
    departure: Any
    patrol_ns: Any
    officer_ns: Any
    n_officers: Any
    n_episodes: Any


def sort_order(officer: Any, time: Any) -> tuple[Any | None, int]:
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


def ping_interval(officer: Any, time: Any) -> float | None:
    """Median positive gap (ns) between consecutive pings of the same officer."""
    gaps = np.diff(time)[officer[1:] == officer[:-1]]
    gaps = gaps[gaps > 0]
    return float(np.median(gaps)) if len(gaps) else None


def find_episodes(
    officer: Any,
    time: Any,
    place: Any,
    xy: Any,
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
    patrol: Any = np.bincount(
        visit_of_piece[block_first],
        (block_end - start[block_first]).astype(np.float64),
        minlength=n_visits,
    ).astype(np.float64)
    officer_time: Any = np.bincount(
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


def previous_patrol_visits(
    pings: gpd.GeoDataFrame,
    places: Any,
    cells: gpd.GeoDataFrame,
    *,
    column: str,
    settings: dict[str, Any],
    officer: str = "officer_id",
    time: str = "timestamp",
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """Visits, episodes and ping counts as the previous engine computed them."""
    times, codes, xy, counts, t0, uniques = clean_pings(pings, officer=officer, time=time)
    order, counts["n_out_of_order"] = sort_order(codes, times)
    if order is not None:
        codes, times, xy = codes[order], times[order], xy[order]
    duplicate = np.zeros(len(times), dtype=bool)
    duplicate[1:] = (codes[1:] == codes[:-1]) & (times[1:] == times[:-1])
    counts["n_duplicates"] = int(duplicate.sum())
    if duplicate.any():
        codes, times, xy = codes[~duplicate], times[~duplicate], xy[~duplicate]
    place = locate_xy(xy, places)
    counts.update(n_used=len(times), n_outside=int((place < 0).sum()))
    step_ns = int(round(ping_interval(codes, times)))
    episodes = find_episodes(
        codes,
        times,
        place,
        xy,
        step_ns=step_ns,
        max_gap_ns=int(round(settings["max_gap_minutes"] * 60e9)),
        max_speed_kmh=settings["max_speed_kmh"],
    )
    counts["n_episodes_too_fast"] = episodes.n_too_fast
    joined = union_visits(
        episodes,
        merge_gap_ns=int(round(settings["merge_gap_minutes"] * 60e9)),
        n_officers=max(len(uniques), 1),
    )
    ids = cells.index.to_numpy()
    return (
        visit_table(joined, ids, column, t0, settings),
        episode_table(episodes, ids, column, t0, uniques),
        counts,
    )
