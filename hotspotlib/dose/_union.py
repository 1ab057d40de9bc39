"""The union of officers' episodes into visits per place and day (patrol time).

Episodes are ordered by place and start and swept once: a running maximum of the ends
gives the blocks of presence and the visits. Large inputs are handled a band of places
at a time (a radix sort by band first), so every temporary stays small.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from hotspotlib.dose._episodes import DAY_NS, BoolArray, Episodes, FloatArray, IntArray

_BAND = 1 << 20  # episodes per band of places, roughly


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


def union_visits(
    episodes: Episodes, *, merge_gap_ns: int, n_officers: int, band: int | None = None
) -> Visits:
    """Union episodes per place and day (patrol time), merging gaps up to ``merge_gap_ns``.

    Sort-and-sweep: within each (place, day) group sorted by start, an episode opens a
    new block of presence when it starts after the running maximum of earlier ends, and
    a new visit when it starts more than ``merge_gap_ns`` after it. Times are compared
    exactly, in nanoseconds; minutes are sums of whole nanoseconds. Visits come ordered
    by place and arrival; bands of about ``band`` episodes (whole places; default
    ``2**20``) are swept one at a time.
    """
    n = len(episodes.start)
    if n == 0:
        empty_i = np.empty(0, dtype=np.int64)
        empty_f = np.empty(0)
        return Visits(empty_i, empty_i, empty_i, empty_f, empty_f, empty_i, empty_i)
    n_places = int(episodes.place.max()) + 1
    n_bands = min(n // (band or _BAND), n_places, 2**16 - 1)
    fields_in = (episodes.start, episodes.end, episodes.place, episodes.officer)
    if n_bands <= 1:
        return _sweep(*fields_in, merge_gap_ns=merge_gap_ns, n_officers=n_officers)
    # Bands of whole places, in place order: a stable radix sort by band, then each
    # band ordered by place and start on its own.
    band_of = episodes.place.astype(np.int64)
    band_of *= n_bands
    band_of //= n_places
    by_band = np.argsort(band_of.astype(np.uint16), kind="stable")
    edges = np.concatenate([[0], np.cumsum(np.bincount(band_of, minlength=n_bands))])
    del band_of
    parts = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if lo == hi:
            continue
        members = by_band[lo:hi]  # ascending within the band: gathered in one sweep
        band_fields = (np.take(values, members) for values in fields_in)
        parts.append(_sweep(*band_fields, merge_gap_ns=merge_gap_ns, n_officers=n_officers))
    return Visits(
        **{
            item.name: np.concatenate([getattr(part, item.name) for part in parts])
            for item in fields(Visits)
        }
    )


def _sweep(
    start: IntArray,
    end: IntArray,
    place: IntArray,
    officer: IntArray,
    *,
    merge_gap_ns: int,
    n_officers: int,
) -> Visits:
    """Visits of some episodes (all of any place they hold), in place and start order."""
    n = len(start)
    order = _place_time_order(place, start)
    start, end = np.take(start, order), np.take(end, order)
    place = np.take(place, order)
    day = start // DAY_NS
    new_group = np.empty(n, dtype=bool)
    new_group[0] = True
    np.not_equal(place[1:], place[:-1], out=new_group[1:])
    new_group[1:] |= day[1:] != day[:-1]
    day *= DAY_NS  # the group's midnight: times below are within the day
    previous_end = _previous_running_end(end - day, new_group)
    start_in_day = start - day
    del day
    new_block = start_in_day > previous_end
    new_block |= new_group
    previous_end += merge_gap_ns
    new_visit = start_in_day > previous_end
    new_visit |= new_group
    del previous_end, start_in_day, new_group

    block_first = np.flatnonzero(new_block)
    block_end = np.maximum.reduceat(end, block_first)
    visit_first = np.flatnonzero(new_visit)
    visit_block = np.flatnonzero(np.take(new_visit, block_first))
    n_visits = len(visit_first)
    patrol = np.add.reduceat(block_end - np.take(start, block_first), visit_block)
    officer_time = np.add.reduceat(end - start, visit_first)
    n_episodes = np.diff(visit_first, append=n).astype(np.int64)
    # Distinct officers per visit; only visits with several episodes need a sort.
    n_distinct = np.ones(n_visits, dtype=np.int64)
    several = np.flatnonzero(n_episodes > 1)
    if len(several):
        shared = np.flatnonzero(np.repeat(n_episodes > 1, n_episodes))
        visit = np.repeat(several, n_episodes[several])
        pairs = visit * np.int64(n_officers)
        pairs += np.take(officer, np.take(order, shared))
        pairs.sort()
        distinct = np.empty(len(pairs), dtype=bool)
        distinct[0] = True
        np.not_equal(pairs[1:], pairs[:-1], out=distinct[1:])
        first_pair = np.cumsum(n_episodes[several]) - n_episodes[several]
        n_distinct[several] = np.add.reduceat(distinct, first_pair, dtype=np.int64)
    return Visits(
        place=np.take(place, visit_first),
        arrival=np.take(start, visit_first),
        departure=np.maximum.reduceat(block_end, visit_block),
        patrol_ns=patrol.astype(np.float64),
        officer_ns=officer_time.astype(np.float64),
        n_officers=n_distinct,
        n_episodes=n_episodes,
    )


def _place_time_order(place: IntArray, start: IntArray) -> IntArray:
    """Order episodes by place, then start (ties in any order: they give the same union).

    When place, start in whole seconds and position fit in 63 bits together (trackers
    report whole seconds), the packed values are sorted directly, which is faster than
    an argsort; otherwise an argsort of place and start in nanoseconds (or a lexsort).
    """
    n = len(start)
    last = int(start.max())
    index_bits = max(1, (n - 1).bit_length())
    place_bits = int(place.max()).bit_length()
    time_bits = (last // 10**9).bit_length()
    if place_bits + time_bits + index_bits <= 63 and not (start % 10**9).any():
        key = place.astype(np.int64)
        key <<= time_bits + index_bits
        seconds = start // 10**9
        seconds <<= index_bits
        key |= seconds
        del seconds
        key |= np.arange(n, dtype=np.int64)
        key.sort()
        key &= (1 << index_bits) - 1
        return key
    span = last + 1
    if int(place.max()) < np.iinfo(np.int64).max // span - 1:
        key = place.astype(np.int64)
        key *= span
        key += start
        return np.argsort(key)
    return np.lexsort((start, place))


def _previous_running_end(end_in_day: IntArray, new_group: BoolArray) -> IntArray:
    """Return the latest end before each episode in its group (-1 for a group's first).

    A running maximum over the whole array with each group's values raised above all
    earlier groups' (the group's rank in the high bits; ends within a day fit in 47 bits);
    up to 2**15 groups at a time, so the raised values stay within int64.
    """
    group = np.cumsum(new_group, dtype=np.int64)
    group -= 1
    n_groups = int(group[-1]) + 1
    per_chunk = 1 << 15
    edges = np.searchsorted(group, np.arange(0, n_groups + per_chunk, per_chunk))
    running = np.empty(len(end_in_day) + 1, dtype=np.int64)
    running[0] = -1
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        if lo == hi:
            continue
        rank = group[lo:hi] - group[lo]
        rank <<= 47
        key = end_in_day[lo:hi] + rank
        np.maximum.accumulate(key, out=key)
        key -= rank
        running[lo + 1 : hi + 1] = key
    previous = running[:-1]
    previous[new_group] = -1
    return previous
