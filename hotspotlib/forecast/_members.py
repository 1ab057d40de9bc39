"""Ensemble members: the default methods, their scores, the validation hit rates."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import rankdata

from hotspotlib._validation import require_allocation
from hotspotlib.forecast.recency import window_counts
from hotspotlib.forecast.self_exciting import self_exciting
from hotspotlib.forecast.shrinkage import shrunken_counts
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["default_methods", "hit_rates", "member_scores", "named", "normalise", "simplex"]

Method = Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]
_YEAR = 365.0


def default_methods(grid: Grid, time: str) -> dict[str, Method]:
    """Return 3-year counts, local empirical Bayes on all events, the self-exciting model."""
    return {
        "counts_3y": lambda train, origin: window_counts(
            train, grid, time=time, origin=origin, window_days=3 * _YEAR
        ),
        "shrunken_local": lambda train, origin: shrunken_counts(
            train, grid, time=time, origin=origin, prior="local"
        ),
        "self_exciting": lambda train, origin: self_exciting(train, grid, time=time, origin=origin),
    }


def named(methods: Any) -> dict[str, Method]:
    """``methods`` as a name -> function mapping, checked."""
    if isinstance(methods, Mapping):
        items = [(str(k), v) for k, v in methods.items()]
    elif callable(methods) or isinstance(methods, (str, bytes)) or not hasattr(methods, "__iter__"):
        raise TypeError(
            "`methods` must be a mapping {name: f} or a list of functions "
            f"f(training_events, origin) -> scores; got {type(methods).__name__}."
        )
    else:
        items = [(getattr(m, "__name__", f"method_{k + 1}"), m) for k, m in enumerate(methods)]
    if len(items) < 2:
        raise ValueError(
            f"`methods` must hold at least two methods to combine; got {len(items)}. "
            "Pass e.g. {'counts': f, 'recency': g}."
        )
    for name, method in items:
        if not callable(method):
            raise TypeError(
                f"`methods` entry {name!r} must be a function f(training_events, origin) -> "
                f"scores; got {type(method).__name__}."
            )
    if len(dict(items)) != len(items):
        raise ValueError("`methods` has duplicate names; pass a mapping to name them.")
    return dict(items)


def member_scores(name: str, output: Any, n_cells: int) -> NDArray[np.float64]:
    """One finite score per cell from a method's output (array, surface or counts)."""
    raw = getattr(output, "scores", None)
    if raw is None:
        raw = getattr(output, "count", output)
    values = np.asarray(raw, dtype=float) if not isinstance(raw, pd.Series) else raw.to_numpy(float)
    if values.shape != (n_cells,):
        raise ValueError(
            f"Method {name!r} must return one score per cell ({n_cells}); got shape "
            f"{values.shape}. Score the same grid."
        )
    if not np.isfinite(values).all():
        raise ValueError(f"Method {name!r} returned NaN or infinite scores; fill them.")
    return values


def normalise(values: NDArray[np.float64], combine: str, name: str) -> NDArray[np.float64]:
    """Rank share in (0, 1] (ties averaged), or share of the method's total score."""
    if combine == "rank":
        return np.asarray(rankdata(values) / values.size)
    total = float(values.sum())
    if total <= 0 or (values < 0).any():
        raise ValueError(
            f"Method {name!r} has negative scores or a total of {total:g}; "
            "`combine='mean'` needs non-negative scores with a positive total. "
            "Use `combine='rank'`."
        )
    return values / total


def simplex(n_methods: int, step: float, n_cells: int) -> NDArray[np.float64]:
    """Every weight vector on the simplex with entries in multiples of ``step``."""
    parts = round(1.0 / step)
    if not math.isclose(parts * step, 1.0, rel_tol=1e-9):
        raise ValueError(
            f"`weight_step` must divide 1 into whole parts (e.g. 0.25, 0.1); got {step!r}."
        )
    n_candidates = math.comb(parts + n_methods - 1, n_methods - 1)
    require_allocation(
        float(n_candidates) * n_cells,
        24,
        name="weight_step",
        what="candidate scores",
        fix="Use a coarser `weight_step` or fewer methods.",
    )
    bars = np.array(list(itertools.combinations(range(parts + n_methods - 1), n_methods - 1)))
    bars = bars.reshape(n_candidates, n_methods - 1)  # stars and bars: one row per candidate
    edges = np.column_stack(
        [np.full(n_candidates, -1), bars, np.full(n_candidates, parts + n_methods - 1)]
    )
    return np.asarray((np.diff(edges, axis=1) - 1) / parts, dtype=float)


def hit_rates(
    scores: NDArray[np.float64],
    observed: NDArray[np.float64],
    size: NDArray[np.float64],
    coverages: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Hit rate of each row of ``scores`` at each coverage: (candidates, coverages).

    The rule of :func:`hotspotlib.metrics.accuracy_curve`: highest score first, ties by
    ascending observed count then cell order, whole cells while their area share stays
    within the coverage.
    """
    settle = np.lexsort((np.arange(observed.size), observed))  # tie order, then stable sort
    order = settle[np.argsort(-scores[:, settle], axis=1, kind="stable")]
    cum_area = np.cumsum(size[order], axis=1) / size.sum()
    cum_hits = np.cumsum(observed[order], axis=1)
    taken = (cum_area[:, :, None] <= coverages[None, None, :] * (1 + 1e-9)).sum(axis=1)
    padded = np.concatenate([np.zeros((scores.shape[0], 1)), cum_hits], axis=1)
    return np.take_along_axis(padded, taken, axis=1) / observed.sum()
