"""Array kernels behind :func:`hotspotlib.patrol_visits`: ordering, episodes, unions.

Times are int64 nanoseconds since the midnight before the first ping, so a day index is
``t // DAY_NS``. Every step is a sort or flat numpy passes; nothing loops over pings,
episodes or visits. Officer and place codes may be int32 or int64.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

DAY_NS = 86_400 * 10**9

IntArray = NDArray[np.integer]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

_FIRST_BLOCK = 4_096  # sortedness is checked on growing blocks, so a mixed order fails fast
_LAST_BLOCK = 1 << 22


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


def _every_block(holds: Callable[[int, int], bool], n: int) -> bool:
    """Whether ``holds(lo, hi)`` is true for blocks covering 1..n, stopping at the first no."""
    lo, size = 1, _FIRST_BLOCK
    while lo < n:
        hi = min(n, lo + size)
        if not holds(lo, hi):
            return False
        lo, size = hi, min(2 * size, _LAST_BLOCK)
    return True


def sort_order(officer: IntArray, time: IntArray) -> tuple[IntArray | None, int]:
    """Order pings by officer then time; also count pings that arrived out of time order.

    A ping is out of order when, in the sorted sequence, it came earlier in the input
    than the ping before it of the same officer. None means already in order.
    """
    n = len(time)
    if n < 2:
        return None, 0

    def by_officer(lo: int, hi: int) -> bool:
        before, after = officer[lo - 1 : hi - 1], officer[lo:hi]
        later = time[lo:hi] >= time[lo - 1 : hi - 1]
        return bool(((after > before) | ((after == before) & later)).all())

    if _every_block(by_officer, n):
        return None, 0
    if officer.max() < 2**16 and _every_block(
        lambda lo, hi: bool((time[lo:hi] >= time[lo - 1 : hi - 1]).all()), n
    ):
        # A live feed is in time order: a stable radix sort by officer finishes the job.
        return np.argsort(officer.astype(np.uint16), kind="stable"), 0
    order = np.lexsort((time, officer))
    sorted_officer = np.take(officer, order)
    back = (np.diff(order) < 0) & (sorted_officer[1:] == sorted_officer[:-1])
    return order, int(np.count_nonzero(back))


def neighbour_steps(officer: IntArray, time: IntArray) -> tuple[IntArray, BoolArray]:
    """Gap (ns) from the ping before, and whether that ping is the same officer's."""
    n = len(time)
    gap = np.empty(n, dtype=np.int64)
    gap[:1] = 0
    np.subtract(time[1:], time[:-1], out=gap[1:])
    same = np.empty(n, dtype=bool)
    same[:1] = False
    np.equal(officer[1:], officer[:-1], out=same[1:])
    return gap, same


def find_episodes(
    officer: IntArray,
    time: IntArray,
    place: IntArray,
    xy: FloatArray,
    *,
    step_ns: int,
    max_gap_ns: int,
    max_speed_kmh: float | None,
    steps: tuple[IntArray, BoolArray] | None = None,
) -> Episodes:
    """Group sorted, de-duplicated pings into episodes and split them at midnight.

    An episode is a run of consecutive pings of one officer inside one place, each no
    more than ``max_gap_ns`` after the previous; it lasts from its first ping to its last
    ping plus one ping interval, split at midnight (the interval after the last ping is
    credited only up to midnight). An episode's speed is the distance over time of the
    steps into its pings (steps within ``max_gap_ns`` of the previous ping of the same
    officer); episodes faster than ``max_speed_kmh`` are dropped. ``steps`` are the
    pings' :func:`neighbour_steps`, when already known.
    """
    gap, same = neighbour_steps(officer, time) if steps is None else steps
    # A ping continues an episode when the ping before it is the same officer's, at most
    # max_gap_ns earlier and in the same place; one compression to the pings inside.
    valid = gap <= max_gap_ns
    valid &= same
    cont = valid.copy()
    cont[1:] &= place[1:] == place[:-1]
    inside = place >= 0
    at = np.flatnonzero(inside)  # positions of the pings inside a place
    new = np.take(cont, at)
    np.logical_not(new, out=new)
    del cont
    starts = np.flatnonzero(new)
    n_episodes = len(starts)
    stops = np.empty_like(starts)
    stops[:-1] = starts[1:]
    stops[-1:] = len(at)
    lengths = stops - starts
    first, last = np.take(at, starts), np.take(at, stops - 1)
    del stops

    # Speed: distance over time of the counted steps into an episode's pings, summed in
    # ping order (steps that are not counted would add exact zeros, so they are skipped).
    valid &= gap > 0
    valid &= inside
    step_at = np.flatnonzero(valid)
    episode_of_ping = np.cumsum(new)
    episode_of_ping -= 1
    step_episode = episode_of_ping[np.take(valid, at)]
    del valid, new, inside
    here = np.take(xy, step_at, axis=0)
    step_at -= 1
    delta = np.take(xy, step_at, axis=0)
    np.subtract(here, delta, out=delta)
    del here
    np.multiply(delta, delta, out=delta)
    step = delta[:, 0] + delta[:, 1]  # metres squared; hypot's overflow care is not needed
    del delta
    np.sqrt(step, out=step)
    metres = np.bincount(step_episode, step, minlength=n_episodes)
    step_at += 1
    seconds_step = np.take(gap, step_at) / 1e9
    del step, step_at
    seconds = np.bincount(step_episode, seconds_step, minlength=n_episodes)
    del seconds_step, step_episode
    with np.errstate(invalid="ignore", divide="ignore"):
        speed = np.where(seconds > 0, metres / seconds * 3.6, np.nan)
    keep = None if max_speed_kmh is None else ~(speed > max_speed_kmh)

    start = np.take(time, first)
    end = np.take(time, last)
    end += step_ns
    fields: dict[str, Any] = {
        "officer": np.take(officer, first),
        "place": np.take(place, first),
        "start": start,
        "end": end,
        "n_pings": lengths,
        "speed_kmh": speed,
    }
    del first, last
    n_too_fast = 0 if keep is None else n_episodes - int(np.count_nonzero(keep))
    day0 = start // DAY_NS
    day1 = end - 1
    day1 //= DAY_NS
    cross = np.flatnonzero(day1 > day0)
    if len(cross) == 0:  # nothing crosses midnight: one piece per episode
        if keep is not None and n_too_fast:
            fields = {name: values[keep] for name, values in fields.items()}
        return Episodes(**fields, n_too_fast=n_too_fast)
    pieces = _midnight_pieces(cross, day0, day1, starts, lengths, time, at, keep)
    return Episodes(**_lay_out(fields, pieces, keep), n_too_fast=n_too_fast)


def _midnight_pieces(
    cross: IntArray,
    day0: IntArray,
    day1: IntArray,
    starts: IntArray,
    lengths: IntArray,
    time: IntArray,
    at: IntArray,
    keep: BoolArray | None,
) -> tuple[IntArray, IntArray, IntArray]:
    """Return the pieces of the episodes that cross midnight: episode, day and pings.

    One piece per episode and day it spans, kept when it holds a ping (the interval
    credited after an episode's last ping stops at midnight) and its episode is kept.
    """
    n_days = day1[cross] - day0[cross] + 1
    offset = np.cumsum(n_days) - n_days
    source = np.repeat(cross, n_days)
    day = day0[source] + np.arange(len(source)) - np.repeat(offset, n_days)
    # The pings of the crossing episodes (runs of ``at``), counted by day.
    length = lengths[cross]
    owner = np.repeat(np.arange(len(cross)), length)
    ping = np.arange(len(owner)) + np.repeat(starts[cross] - (np.cumsum(length) - length), length)
    ping_day = np.take(time, np.take(at, ping)) // DAY_NS
    piece_pings = np.bincount(offset[owner] + ping_day - day0[cross][owner], minlength=len(source))
    chosen = piece_pings > 0
    if keep is not None:
        chosen &= keep[source]
    return source[chosen], day[chosen], piece_pings[chosen]


def _lay_out(
    fields: dict[str, Any],
    pieces: tuple[IntArray, IntArray, IntArray],
    keep: BoolArray | None,
) -> dict[str, Any]:
    """Episode fields, each kept episode that crosses midnight replaced by its pieces."""
    source, day, piece_pings = pieces
    start, end = fields["start"], fields["end"]
    piece_start = np.maximum(start[source], day * DAY_NS)
    piece_end = np.minimum(end[source], (day + 1) * DAY_NS)
    n_episodes = len(start)
    per_episode = np.ones(n_episodes, dtype=np.int64) if keep is None else keep.astype(np.int64)
    crossing, first_piece, n_pieces = np.unique(source, return_index=True, return_counts=True)
    per_episode[crossing] = n_pieces
    if per_episode.max() <= 1 and per_episode.min() == 1:  # the pieces replace episodes
        position = source
    elif per_episode.max() <= 1:  # some episodes dropped, none repeated
        kept = per_episode.astype(bool)
        fields = {name: values[kept] for name, values in fields.items()}
        position = np.cumsum(per_episode)[source] - 1
    else:
        repeat = np.repeat(np.arange(n_episodes), per_episode)
        fields = {name: np.take(values, repeat) for name, values in fields.items()}
        rank = np.arange(len(source)) - np.repeat(first_piece, n_pieces)
        position = (np.cumsum(per_episode) - per_episode)[source] + rank
    fields["start"][position] = piece_start
    fields["end"][position] = piece_end
    fields["n_pings"][position] = piece_pings
    return fields
