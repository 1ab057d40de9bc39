"""Array kernels of the Knox test: pairs, bands, marginal totals and permutations.

Only pairs closer than the largest spatial band are ever listed (a KD-tree query).
Everything about the pairs beyond it follows from totals: shuffling times across
places does not change the multiset of time gaps over *all* pairs, so the number of
pairs in each time band is fixed, and the "more than" distance row is that total
minus the pairs listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import KDTree

from hotspotlib._validation import (
    require_array,
    require_days,
    require_finite,
    require_increasing,
    require_timestamps,
)

__all__ = [
    "GapPlan",
    "KnoxPairs",
    "PairBlock",
    "band_labels",
    "band_of_distance",
    "band_of_time",
    "count_table",
    "estimate_pairs",
    "gap_plan",
    "list_pairs",
    "parse_edges",
    "parse_times",
    "time_band_totals",
]

_CHUNK = 2_000_000  # pairs per vectorised step: bounded temporaries
_MAX_HISTOGRAM = 4_000_000  # whole-day gap histogram bins; beyond, compare gaps
_EDGES_FIX = "Give positive, strictly increasing band edges, e.g. [100, 200, 300]."


@dataclass(frozen=True, slots=True)
class PairBlock:
    """A chunk of pairs grouped in runs sharing their first event.

    The first endpoints are stored once per run (``heads``) and expanded with
    ``numpy.repeat``, which is much cheaper than a second random gather per pair.
    """

    heads: NDArray[np.int32]
    run_lengths: NDArray[np.int64]
    tails: NDArray[np.int32]
    band: NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class KnoxPairs:
    """Pairs within the largest spatial band (band 0 = same location), in chunks."""

    blocks: tuple[PairBlock, ...]
    n_bands: int


def estimate_pairs(xy: NDArray[np.float64], radius: float, p: float) -> float:
    """Estimate the number of pairs within ``radius`` from an even sample of points."""
    tree = KDTree(xy)
    n = len(xy)
    sample = np.unique(np.linspace(0, n - 1, min(n, 2_000)).astype(np.int64))
    neighbours = tree.query_ball_point(xy[sample], radius, p=p, return_length=True)
    return float((np.asarray(neighbours) - 1).mean() * n / 2.0)


def list_pairs(
    xy: NDArray[np.float64],
    edges: NDArray[np.float64],
    *,
    p: float,
    nrc: bool,
) -> KnoxPairs:
    """List all pairs ``i < j`` in a spatial band below the largest edge, in blocks."""
    n = len(xy)
    tree = KDTree(xy)
    # A hair beyond the largest edge so that rounding inside the tree loses no pair;
    # the band assignment below decides membership exactly.
    reach = float(edges[-1]) * (1 + 1e-9) + 1e-9
    pairs = tree.query_pairs(reach, p=p, output_type="ndarray")
    first = pairs[:, 0].astype(np.int32)
    second = pairs[:, 1].astype(np.int32)
    del pairs
    dx = xy[:, 0][first] - xy[:, 0][second]
    dy = xy[:, 1][first] - xy[:, 1][second]
    distance = np.abs(dx) + np.abs(dy) if p == 1 else np.hypot(dx, dy)
    del dx, dy
    band = band_of_distance(distance, edges, nrc=nrc)
    del distance
    n_bands = len(edges) + 1
    keep = band < n_bands
    # Group pairs by their first event with a sparse-matrix conversion (a counting sort,
    # O(pairs + events)); pairs are unique, so nothing is summed. Bands are stored + 1
    # so that no stored value is zero.
    grouped = sparse.coo_array(
        ((band[keep] + 1).astype(np.int16), (first[keep], second[keep])), shape=(n, n)
    ).tocsr()
    del first, second, band, keep
    indptr = grouped.indptr.astype(np.int64)
    cuts = np.unique(np.searchsorted(indptr, np.arange(0, indptr[-1], _CHUNK), side="right") - 1)
    cuts = np.append(cuts, n)
    blocks = []
    for row_lo, row_hi in zip(cuts[:-1], cuts[1:], strict=True):  # a few chunks
        lengths = np.diff(indptr[row_lo : row_hi + 1])
        busy = np.flatnonzero(lengths)
        lo, hi = indptr[row_lo], indptr[row_hi]
        blocks.append(
            PairBlock(
                heads=(busy + row_lo).astype(np.int32),
                run_lengths=lengths[busy],
                tails=grouped.indices[lo:hi].astype(np.int32),
                band=(grouped.data[lo:hi] - 1).astype(np.int16),
            )
        )
    return KnoxPairs(tuple(blocks), n_bands)


def band_of_distance(
    distance: NDArray[np.float64], edges: NDArray[np.float64], *, nrc: bool
) -> NDArray[np.int64]:
    """Spatial band: 0 same location, 1..K the bands, K + 1 beyond the largest edge.

    Label-consistent: same location is distance 0, band k is ``(e_{k-1}, e_k]``.
    NRC-compatible: same location is distance < 1, band k is ``[e_{k-1}, e_k)`` with
    ``e_0 = 1``.
    """
    if nrc:
        band = 1 + np.searchsorted(edges, distance, side="right")
        return np.where(distance < 1.0, 0, band)
    band = 1 + np.searchsorted(edges, distance, side="left")
    return np.where(distance == 0.0, 0, band)


def band_of_time(gap: NDArray[Any], edges: NDArray[np.float64], *, nrc: bool) -> NDArray[Any]:
    """Time band: 0..L-1 the bands, L beyond the largest edge.

    Label-consistent: ``[0, f_1], (f_1, f_2], ...``; NRC-compatible: ``[0, f_1), [f_1,
    f_2), ...``.
    """
    return np.searchsorted(edges, gap, side="right" if nrc else "left")


def time_band_totals(
    times: NDArray[np.float64], edges: NDArray[np.float64], *, nrc: bool
) -> NDArray[np.float64]:
    """Count pairs (over all ``n(n-1)/2``) in each time band, in O(n log n).

    With times sorted, the pairs starting at ``i`` whose gap is at most ``c`` are the
    later times up to ``t_i + c``: one ``searchsorted`` per threshold.
    """
    ordered = np.sort(times)
    n = ordered.size
    start = np.arange(1, n + 1)
    side: Literal["left", "right"] = "left" if nrc else "right"
    within = np.array(
        [float((np.searchsorted(ordered, ordered + c, side=side) - start).sum()) for c in edges]
    )
    all_pairs = n * (n - 1) / 2.0
    cumulative = np.concatenate([within, [all_pairs]])
    return np.diff(cumulative, prepend=0.0)


@dataclass(frozen=True, slots=True)
class GapPlan:
    """How to turn time gaps into time bands for one data set and one set of edges.

    With whole days, signed gaps ``t_i - t_j`` go straight into a histogram per spatial
    band (shifted by the span of the data so that they are non-negative), and the
    histogram is mapped to time bands afterwards: no per-pair band lookup at all.
    """

    times: NDArray[Any]
    shift: int
    gap_onehot: NDArray[np.int64] | None
    offsets: tuple[NDArray[np.int32], ...]
    edges: NDArray[np.float64]
    nrc: bool
    n_time: int


def gap_plan(
    times: NDArray[Any],
    edges: NDArray[np.float64],
    pairs: KnoxPairs,
    *,
    nrc: bool,
    whole_days: bool,
) -> GapPlan:
    """Prepare :func:`count_table` for these times, pairs and time-band edges."""
    n_time = len(edges) + 1
    if whole_days:
        span = int(times.max() - times.min())
        width = 2 * span + 1
        if width * pairs.n_bands <= _MAX_HISTOGRAM:
            diffs = np.abs(np.arange(-span, span + 1, dtype=float))
            onehot = np.zeros((width, n_time), dtype=np.int64)
            onehot[np.arange(width), band_of_time(diffs, edges, nrc=nrc)] = 1
            days = (times - times.min()).astype(np.int32)
            offsets = tuple((block.band.astype(np.int32) * width) for block in pairs.blocks)
            return GapPlan(days, span, onehot, offsets, edges, nrc, n_time)
    return GapPlan(np.asarray(times, dtype=float), 0, None, (), edges, nrc, n_time)


def count_table(pairs: KnoxPairs, order: NDArray[np.int64] | None, plan: GapPlan) -> NDArray[Any]:
    """Count listed pairs per (spatial band, time band), times permuted by ``order``."""
    times = plan.times if order is None else plan.times[order]
    if plan.gap_onehot is not None:
        head_times = times + np.int32(plan.shift)
        width = 2 * plan.shift + 1
        histogram = np.zeros(pairs.n_bands * width, dtype=np.int64)
        for block, offset in zip(pairs.blocks, plan.offsets, strict=True):  # a few chunks
            signed = np.repeat(head_times[block.heads], block.run_lengths)
            signed -= times[block.tails]
            signed += offset
            histogram += np.bincount(signed, minlength=histogram.size)
        by_gap = histogram.reshape(pairs.n_bands, width)
        # Map each signed gap to its band: one small matrix product, no per-pair lookup.
        return by_gap @ plan.gap_onehot
    table = np.zeros(pairs.n_bands * plan.n_time, dtype=np.int64)
    for block in pairs.blocks:  # a few chunks, each vectorised over its pairs
        gap = np.abs(np.repeat(times[block.heads], block.run_lengths) - times[block.tails])
        code = block.band.astype(np.int64) * plan.n_time + band_of_time(
            gap, plan.edges, nrc=plan.nrc
        )
        table += np.bincount(code, minlength=table.size)
    return table.reshape(pairs.n_bands, plan.n_time)


def parse_edges(values: Any, *, name: str) -> NDArray[np.float64]:
    """Check band edges: positive and strictly increasing."""
    edges = require_array(values, name=name, low=0, low_open=True, fix=_EDGES_FIX)
    return require_increasing(edges, name=name, fix=_EDGES_FIX)


def parse_times(
    column: pd.Series, *, name: str, dayfirst: bool | None = None, frame: Any = None
) -> tuple[NDArray[Any], bool, str]:
    """Return times as whole days since the first date (datetimes) or as given (numbers).

    ``frame`` (the events) lets a column that ``read_police_uk`` marked as months be
    refused however few months it spans.
    """
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = require_finite(column.to_numpy(dtype=float), name=name)
        whole = bool(np.array_equal(values, np.round(values)))
        if whole:
            return values.astype(np.int64), True, "days (as given)"
        return values, False, "days (as given)"
    stamps = require_timestamps(column, name=name, dayfirst=dayfirst)
    require_days(
        stamps, name=name, frame=frame, column=None if frame is None else str(column.name),
        daily="a Knox test counts pairs by the days between them, and a "
        "month's events would all be 0 days apart",
    )  # fmt: skip
    days = stamps.dt.normalize().to_numpy(dtype="datetime64[D]").astype(np.int64)
    return days - days.min(), True, "calendar days"


def band_labels(
    spatial: NDArray[np.float64], temporal: NDArray[np.float64], *, nrc: bool
) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """Return calculator-style labels and the intervals actually used."""
    whole = bool(np.array_equal(spatial, np.round(spatial))) and bool(
        np.array_equal(temporal, np.round(temporal))
    )
    low_s = np.concatenate([[0.0], spatial[:-1]])
    low_t = np.concatenate([[0.0], temporal[:-1]])
    if whole:
        d_labels = [f"{lo + 1:g} to {hi:g}" for lo, hi in zip(low_s, spatial, strict=True)]
        t_labels = [f"0 to {temporal[0]:g}"] + [
            f"{lo + 1:g} to {hi:g}" for lo, hi in zip(low_t[1:], temporal[1:], strict=True)
        ]
    else:
        d_labels = [f"{lo:g} to {hi:g}" for lo, hi in zip(low_s, spatial, strict=True)]
        t_labels = [f"{lo:g} to {hi:g}" for lo, hi in zip(low_t, temporal, strict=True)]
    distance = ("same location", *d_labels, f"more than {spatial[-1]:g}")
    time = (*t_labels, f"more than {temporal[-1]:g}")
    if nrc:
        low_s[0] = 1.0
        d_int = (
            "[0, 1)",
            *[f"[{lo:g}, {hi:g})" for lo, hi in zip(low_s, spatial, strict=True)],
            f"[{spatial[-1]:g}, inf)",
        )
        t_int = (
            *[f"[{lo:g}, {hi:g})" for lo, hi in zip(low_t, temporal, strict=True)],
            f"[{temporal[-1]:g}, inf)",
        )
    else:
        d_int = (
            "[0, 0]",
            *[f"({lo:g}, {hi:g}]" for lo, hi in zip(low_s, spatial, strict=True)],
            f"({spatial[-1]:g}, inf)",
        )
        t_int = (
            f"[0, {temporal[0]:g}]",
            *[f"({lo:g}, {hi:g}]" for lo, hi in zip(low_t[1:], temporal[1:], strict=True)],
            f"({temporal[-1]:g}, inf)",
        )
    return distance, time, d_int, t_int
