"""Ranking cells by score and reading hit rate, PAI, PPAI, PEI and RRI at coverages.

The arithmetic behind :func:`~hotspotlib.metrics.accuracy_curve`: cells in rank order,
whole cells within each coverage, and the best possible hits in the same area for the
PEI. Tied scores either share their events in proportion to the area taken from them
(``"expected"``: the mean over random orders of the tied cells) or are ordered by
ascending observed count (``"conservative"``, ptools).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = [
    "TIE_RULES",
    "Curve",
    "Ties",
    "best_hits",
    "coverage_table",
    "ranked_curve",
    "spread_ties",
    "tie_starts",
]

Ties = Literal["expected", "conservative"]
TIE_RULES: tuple[Ties, ...] = ("expected", "conservative")


@dataclass(frozen=True, slots=True)
class Curve:
    """Cells in rank order: cumulative area share and hits, and what ``pei`` needs."""

    order: NDArray[np.int64]
    area: NDArray[np.float64]
    hits: NDArray[np.float64]
    observed: NDArray[np.float64]
    size: NDArray[np.float64]
    total_area: float
    total_events: float
    group_start: NDArray[np.int64] | None  # per curve position: where its tie group starts


def ranked_curve(
    values: NDArray[np.float64],
    observed: NDArray[np.float64],
    size: NDArray[np.float64],
    ties: Ties = "expected",
) -> Curve:
    """Rank cells by score, highest first, with cumulative area share and hits.

    ``"conservative"`` orders tied scores by ascending observed count (then cell order).
    ``"expected"`` orders tied cells by size (smallest first, so as many as fit are taken
    whole, whatever their numbering), then cell order, and spreads each tie group's events
    over its area: after taking part of a group, the hits are the group's events times
    the share of its area taken, which is the mean over random orders of the tied cells
    (exact for equal cells).
    """
    cells = np.arange(values.size)
    keys = (cells, size, -values) if ties == "expected" else (cells, observed, -values)
    order = np.lexsort(keys)
    total_area = float(size.sum())
    area = np.concatenate([[0.0], np.cumsum(size[order])]) / total_area
    hits = np.concatenate([[0.0], np.cumsum(observed[order])])
    start = None
    if ties == "expected":
        start = tie_starts(values[order])
        hits = spread_ties(hits, area, start)
    return Curve(order, area, hits, observed, size, total_area, float(observed.sum()), start)


def tie_starts(ranked: NDArray[np.float64]) -> NDArray[np.int64]:
    """Return where each curve position's tie group starts.

    For j cells taken (``ranked`` holds the scores in rank order), the position at which
    the tie group of the j-th cell begins; 0 for j = 0.
    """
    same = (ranked[1:] == ranked[:-1]) | (np.isnan(ranked[1:]) & np.isnan(ranked[:-1]))
    first = np.flatnonzero(np.concatenate([[True], ~same]))
    within = np.searchsorted(first, np.arange(ranked.size), side="right") - 1
    return np.concatenate([[0], first[within]])


def spread_ties(
    cumulative: NDArray[np.float64], area: NDArray[np.float64], start: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Cumulative totals interpolated by area inside each tie group (ends unchanged).

    ``cumulative``, ``area`` and ``start`` (from :func:`tie_starts`) have one entry per
    curve position, 0 .. n cells taken.
    """
    n = cumulative.size - 1
    groups = np.flatnonzero(np.concatenate([[True], start[2:] != start[1:-1]])) + 1
    ends = np.append(groups[1:] - 1, n)  # last curve position of each group
    end = np.zeros(n + 1, dtype=np.int64)
    end[1:] = np.repeat(ends, np.diff(np.append(groups, n + 1)))
    span = area[end] - area[start]
    share = np.divide(area - area[start], span, out=np.ones_like(span), where=span > 0)
    return cumulative[start] + share * (cumulative[end] - cumulative[start])


def coverage_table(
    curve: Curve, shares: NDArray[np.float64], train: Any, power: float
) -> pd.DataFrame:
    """Compute the metrics at each coverage, taking whole cells within the coverage."""
    # Whole cells while the area share stays within the coverage (tolerance for rounding).
    k = np.searchsorted(curve.area, shares * (1 + 1e-9), side="right") - 1
    area_share, hits = curve.area[k], curve.hits[k]
    best = best_hits(curve.observed, curve.size, area_share * curve.total_area)
    rate = hits / curve.total_events
    train_hits = rri_value = np.full(shares.size, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        if train is not None and train.count.sum() > 0:
            cumulative = np.concatenate([[0.0], np.cumsum(train.count.astype(float)[curve.order])])
            if curve.group_start is not None:
                cumulative = spread_ties(cumulative, curve.area, curve.group_start)
            train_hits = cumulative[k]
            share = train_hits / float(train.count.sum())
            rri_value = np.where(train_hits > 0, rate / share, np.nan)
        return pd.DataFrame(
            {
                "coverage": shares,
                "area_share": area_share,
                "n_cells": k.astype(np.int64),
                "hits": hits,
                "n_events": np.full(shares.size, curve.total_events),
                "hit_rate": rate,
                "pai": np.where(area_share > 0, rate / area_share, np.nan),
                "ppai": np.where(area_share > 0, rate / area_share**power, np.nan),
                "pei": np.where(best > 0, hits / best, np.nan),
                "max_hits": best,
                "pai_max": np.where(area_share > 0, best / curve.total_events / area_share, np.nan),
                "train_hits": train_hits,
                "rri": rri_value,
            }
        )


def best_hits(
    observed: NDArray[np.float64], size: NDArray[np.float64], budget: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Most events any cells of total size ``budget`` could hold (fractional cells allowed).

    Densest cells first; exact for equal cells at whole-cell budgets and an upper bound
    on any whole-cell selection otherwise.
    """
    order = np.argsort(-(observed / size), kind="stable")
    cum_size = np.concatenate([[0.0], np.cumsum(size[order])])
    cum_hits = np.concatenate([[0.0], np.cumsum(observed[order])])
    return np.interp(budget, cum_size, cum_hits)
