"""Array kernels of the Knox test: pairs, bands, marginal totals and permutations.

Only pairs closer than the largest spatial band are ever listed (a KD-tree query).
Everything about the pairs beyond it follows from totals: shuffling times across
places does not change the multiset of time gaps over *all* pairs, so the number of
pairs in each time band is fixed, and the "more than" distance row is that total
minus the pairs listed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import KDTree

from hotspotlib._validation import require_finite, require_timestamps

__all__ = [
    "KnoxPairs",
    "band_labels",
    "band_of_distance",
    "band_of_time",
    "count_table",
    "estimate_pairs",
    "list_pairs",
    "parse_edges",
    "parse_times",
    "time_band_function",
    "time_band_totals",
]

_CHUNK = 2_000_000  # pairs per vectorised step: bounded temporaries


@dataclass(frozen=True, slots=True)
class KnoxPairs:
    """Pairs within the largest spatial band: endpoints and spatial band (0 = same place)."""

    first: NDArray[np.int32]
    second: NDArray[np.int32]
    spatial_band: NDArray[np.int32]


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
    """All pairs ``i < j`` that fall in a spatial band below the largest edge."""
    tree = KDTree(xy)
    # A hair beyond the largest edge so that rounding inside the tree loses no pair;
    # the band assignment below decides membership exactly.
    reach = float(edges[-1]) * (1 + 1e-9) + 1e-9
    pairs = tree.query_pairs(reach, p=p, output_type="ndarray")
    first = pairs[:, 0].astype(np.int32)
    second = pairs[:, 1].astype(np.int32)
    del pairs
    delta = xy[first] - xy[second]
    distance = np.abs(delta).sum(axis=1) if p == 1 else np.hypot(delta[:, 0], delta[:, 1])
    band = band_of_distance(distance, edges, nrc=nrc)
    keep = band <= len(edges)
    return KnoxPairs(first[keep], second[keep], band[keep].astype(np.int32))


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


def time_band_function(
    edges: NDArray[np.float64], *, nrc: bool, whole_days: bool
) -> Callable[[NDArray[Any]], NDArray[Any]]:
    """Return a fast gap -> band function (a lookup table when gaps are whole days)."""
    if not whole_days:
        return lambda gap: band_of_time(gap, edges, nrc=nrc)
    cap = int(np.floor(edges[-1])) + 1
    lookup = band_of_time(np.arange(cap + 1, dtype=float), edges, nrc=nrc).astype(np.int32)

    def lut(gap: NDArray[Any]) -> NDArray[Any]:
        return lookup[np.minimum(gap, cap)]

    return lut


def count_table(
    pairs: KnoxPairs,
    times: NDArray[Any],
    n_spatial: int,
    n_time: int,
    to_band: Callable[[NDArray[Any]], NDArray[Any]],
) -> NDArray[np.int64]:
    """Pairs per (spatial band, time band) among the listed pairs, in chunks."""
    table = np.zeros(n_spatial * n_time, dtype=np.int64)
    for start in range(0, pairs.first.size, _CHUNK):  # a few chunks, each vectorised
        stop = start + _CHUNK
        gap = np.abs(times[pairs.first[start:stop]] - times[pairs.second[start:stop]])
        code = pairs.spatial_band[start:stop] * n_time + to_band(gap)
        table += np.bincount(code, minlength=n_spatial * n_time)
    return table.reshape(n_spatial, n_time)


def parse_edges(values: Any, *, name: str) -> NDArray[np.float64]:
    """Check band edges: positive and strictly increasing."""
    edges = np.atleast_1d(require_finite(values, name=name)).astype(float)
    if edges.ndim != 1 or edges.size == 0 or (edges <= 0).any() or (np.diff(edges) <= 0).any():
        raise ValueError(
            f"`{name}` must be positive, strictly increasing band edges, e.g. [100, 200, 300]; "
            f"got {values!r}."
        )
    return edges


def parse_times(column: pd.Series, *, name: str) -> tuple[NDArray[Any], bool, str]:
    """Return times as whole days since the first date (datetimes) or as given (numbers)."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        values = require_finite(column.to_numpy(dtype=float), name=name)
        whole = bool(np.array_equal(values, np.round(values)))
        if whole:
            return values.astype(np.int64), True, "days (as given)"
        return values, False, "days (as given)"
    stamps = require_timestamps(column, name=name)
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
