"""Ranking cells by score and reading hit rate, PAI, PPAI, PEI and RRI at coverages.

The arithmetic behind :func:`~hotspotlib.metrics.accuracy_curve`: cells in rank order
(ties by ascending observed count), whole cells within each coverage, and the best
possible hits in the same area for the PEI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["Curve", "best_hits", "coverage_table", "ranked_curve"]


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


def ranked_curve(
    values: NDArray[np.float64], observed: NDArray[np.float64], size: NDArray[np.float64]
) -> Curve:
    """Rank cells by score (ties: ascending observed count, then cell order)."""
    order = np.lexsort((np.arange(values.size), observed, -values))
    total_area = float(size.sum())
    area = np.concatenate([[0.0], np.cumsum(size[order])]) / total_area
    hits = np.concatenate([[0.0], np.cumsum(observed[order])])
    return Curve(order, area, hits, observed, size, total_area, float(observed.sum()))


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
            cumulative = np.cumsum(train.count.astype(float)[curve.order])
            train_hits = np.concatenate([[0.0], cumulative])[k]
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
