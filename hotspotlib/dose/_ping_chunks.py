"""Sorted pings a chunk of whole officers at a time: duplicates, places, episodes.

After the pings are ordered by officer and time, every later step looks only at a ping
and the one before it of the same officer. The pings are therefore handled in chunks of
a few hundred thousand that hold whole officers: each chunk is gathered in sorted
order, cleared of exact duplicates, located and (in a second pass, once the ping
interval is known) cut into episodes. The temporaries of every step stay small and
are reused from chunk to chunk; the results equal those of one pass over all pings.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib.dose._episodes import Episodes, IntArray, find_episodes, neighbour_steps
from hotspotlib.dose._locate import locate_xy

CHUNK = 1 << 18  # pings per chunk, roughly (chunks hold whole officers)
_SAMPLE = 65_536  # gaps sampled to guess the median ping interval


@dataclass(slots=True)
class PingChunk:
    """Sorted, de-duplicated pings of some whole officers, with the place of each."""

    officer: IntArray
    time: IntArray
    xy: NDArray[np.float64]
    place: IntArray


@dataclass(slots=True)
class GapCount:
    """Positive gaps between an officer's pings: how many, and below/at a guessed median."""

    guess: int | None
    n: int = 0
    below: int = 0
    equal: int = 0


def chunk_edges(per_officer: IntArray, size: int) -> IntArray:
    """Boundaries (in sorted order) of chunks of about ``size`` pings of whole officers."""
    ends = np.cumsum(per_officer)
    n = int(ends[-1]) if len(ends) else 0
    cuts = ends[np.searchsorted(ends, np.arange(size, n, size))]
    return np.unique(np.concatenate([[0], cuts, [n]]).astype(np.int64))


def guess_interval(officer: IntArray, time: IntArray, order: IntArray | None) -> int | None:
    """Median of a sample of the positive gaps between an officer's consecutive pings."""
    at = np.arange(1, len(time), max(1, len(time) // _SAMPLE))
    before = at - 1
    if order is not None:
        at, before = np.take(order, at), np.take(order, before)
    gap = np.take(time, at) - np.take(time, before)
    gap = gap[(np.take(officer, at) == np.take(officer, before)) & (gap > 0)]
    if len(gap) == 0:
        return None
    return int(np.partition(gap, len(gap) // 2)[len(gap) // 2])


def sorted_chunks(
    officer: IntArray,
    time: IntArray,
    xy: NDArray[np.float64],
    order: IntArray | None,
    *,
    n_officers: int,
    locator: Any,
    gaps: GapCount | None,
) -> tuple[list[PingChunk], dict[str, int]]:
    """Gather, de-duplicate and locate the pings chunk by chunk, in sorted order.

    Exact duplicates (same officer and time) keep the first. ``gaps`` (when given) is
    filled with the counts that confirm or refute its guessed median gap. Returns the
    chunks and the counts of duplicates, pings used and pings outside every place.
    """
    edges = chunk_edges(np.bincount(officer, minlength=n_officers), CHUNK)
    chunks = []
    counts = {"n_duplicates": 0, "n_used": 0, "n_outside": 0}
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if order is None:
            part = (officer[lo:hi], time[lo:hi], xy[lo:hi])
        else:
            members = order[lo:hi]
            part = (
                np.take(officer, members),
                np.take(time, members),
                np.take(xy, members, axis=0),
            )
        gap, same = neighbour_steps(part[0], part[1])
        duplicate = gap == 0
        duplicate &= same
        n_duplicates = int(np.count_nonzero(duplicate))
        if n_duplicates:
            np.logical_not(duplicate, out=duplicate)
            part = (part[0][duplicate], part[1][duplicate], part[2][duplicate])
            gap, same = neighbour_steps(part[0], part[1])
        if gaps is not None:
            _count_gaps(gaps, gap, same)
        place = locate_xy(part[2], locator)
        outside = place < 0
        counts["n_duplicates"] += n_duplicates
        counts["n_used"] += len(place)
        counts["n_outside"] += int(np.count_nonzero(outside))
        chunks.append(PingChunk(*part, place.astype(np.int32)))
    return chunks, counts


def _count_gaps(gaps: GapCount, gap: IntArray, same: NDArray[np.bool_]) -> None:
    counted = gap > 0
    counted &= same
    gaps.n += int(np.count_nonzero(counted))
    if gaps.guess is not None:
        gaps.below += int(np.count_nonzero(counted & (gap < gaps.guess)))
        gaps.equal += int(np.count_nonzero(counted & (gap == gaps.guess)))


def median_interval(chunks: list[PingChunk], gaps: GapCount) -> float | None:
    """Return the median positive gap (ns) between an officer's pings, or None.

    The guessed median is the median when it holds both middle ranks (a tracker's
    fixed interval); otherwise the gaps are gathered and their median computed.
    """
    if gaps.n == 0:
        return None
    low, high = (gaps.n - 1) // 2, gaps.n // 2  # the middle ranks
    if gaps.guess is not None and gaps.below <= low and gaps.below + gaps.equal > high:
        return float(gaps.guess)
    positive = []
    for chunk in chunks:
        gap, same = neighbour_steps(chunk.officer, chunk.time)
        positive.append(gap[same & (gap > 0)])
    return float(np.median(np.concatenate(positive)))


def chunk_episodes(
    chunks: list[PingChunk], *, step_ns: int, max_gap_ns: int, max_speed_kmh: float | None
) -> Episodes:
    """Episodes of every chunk, in order (the chunks are released as they are used)."""
    parts = []
    chunks.reverse()
    while chunks:
        chunk = chunks.pop()
        parts.append(
            find_episodes(
                chunk.officer,
                chunk.time,
                chunk.place,
                chunk.xy,
                step_ns=step_ns,
                max_gap_ns=max_gap_ns,
                max_speed_kmh=max_speed_kmh,
            )
        )
    arrays = {
        item.name: np.concatenate([getattr(part, item.name) for part in parts])
        for item in fields(Episodes)
        if item.name != "n_too_fast"
    }
    return Episodes(**arrays, n_too_fast=sum(part.n_too_fast for part in parts))
