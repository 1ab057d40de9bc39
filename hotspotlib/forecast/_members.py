"""Ensemble members: the default methods, their scores, the validation hit rates."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.stats import rankdata

from hotspotlib._validation import (
    require_allocation,
    require_array,
    require_positive,
    require_type,
    require_unique,
    require_whole,
    require_within,
)
from hotspotlib.forecast.recency import window_counts
from hotspotlib.forecast.self_exciting import self_exciting
from hotspotlib.forecast.shrinkage import shrunken_counts
from hotspotlib.hotspots.density.surface import DensitySurface
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.metrics._ranking import spread_ties, tie_starts

__all__ = ["default_methods", "hit_rates", "member_scores", "named", "normalise", "simplex"]

Method = Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]
_YEAR = 365.0
_CALLABLE = cast(type, Callable)  # isinstance-checkable: any function or callable object


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
    require_type(
        methods,
        (Mapping, list, tuple),
        name="methods",
        expected="a mapping {name: f} or a list of functions f(training_events, origin) -> scores",
    )
    if isinstance(methods, Mapping):
        items = [(str(k), v) for k, v in methods.items()]
    else:
        items = [(getattr(m, "__name__", f"method_{k + 1}"), m) for k, m in enumerate(methods)]
    require_whole(
        len(items),
        name="len(methods)",
        minimum=2,
        fix="Pass at least two methods to combine, e.g. {'counts': f, 'recency': g}.",
    )
    for name, method in items:  # a handful of methods
        require_type(
            method,
            _CALLABLE,
            name=f"methods[{name!r}]",
            expected="a function f(training_events, origin) -> scores",
        )
    require_unique([name for name, _ in items], name="methods", what="names (pass a mapping)")
    return dict(items)


def member_scores(name: str, output: Any, n_cells: int) -> NDArray[np.float64]:
    """One finite score per cell from a method's output (array, surface or counts)."""
    if isinstance(output, DensitySurface):  # its raster is not in the grid's cell order
        raise TypeError(
            f"Method {name!r} returned a DensitySurface; return its densities in the "
            "grid's cell order instead: `hs.kde(train, grid=grid, ...).values_for(grid)`."
        )
    raw = getattr(output, "scores", None)
    if raw is None:
        raw = getattr(output, "count", output)
    values = raw.to_numpy(float) if isinstance(raw, pd.Series) else raw
    return require_array(
        values,
        name=f"scores of method {name!r}",
        length=n_cells,
        fix=f"Return one score per cell ({n_cells}) of the same grid, with no NaN.",
    )


def normalise(values: NDArray[np.float64], combine: str, name: str) -> NDArray[np.float64]:
    """Rank share in (0, 1] (ties averaged), or share of the method's total score."""
    if combine == "rank":
        return np.asarray(rankdata(values) / values.size)
    fix = "`combine='mean'` needs non-negative scores with a positive total; use `combine='rank'`."
    require_within(values, name=f"scores of method {name!r}", low=0, fix=fix)
    total = require_positive(float(values.sum()), name=f"total score of method {name!r}", fix=fix)
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
    coverage: NDArray[np.float64],
    *,
    full_sort: bool = False,
) -> NDArray[np.float64]:
    """Hit rate of each row of ``scores`` at each coverage: (candidates, coverage).

    The rule of :func:`hotspotlib.metrics.accuracy_curve` with its default
    ``ties="expected"``: highest score first, whole cells while their area share stays
    within the coverage, tied cells sharing their events in proportion to the area taken
    from them. Only the leading cells can be taken, so each row sorts just the cells
    scoring at least its ``k``-th highest score (every cell tied with the last of them
    included), ``k`` being enough cells to pass the largest coverage whatever their
    areas; the result equals a full sort (``full_sort=True``, also taken for large
    coverages and NaN scores, which a partition would rank above all).
    """
    n_cells = observed.size
    need = float(coverage.max()) * float(size.sum()) * (1 + 1e-6)
    k = int(np.searchsorted(np.cumsum(np.sort(size)), need, side="right")) + 2
    full_sort = full_sort or 4 * k >= n_cells or not np.isfinite(scores).all()
    kth = None if full_sort else np.partition(scores, n_cells - k, axis=1)[:, n_cells - k]
    share = size / float(size.sum())
    out = np.empty((scores.shape[0], coverage.size))
    for row in range(scores.shape[0]):  # one per candidate; cells are vectorised
        lead = np.arange(n_cells) if kth is None else np.flatnonzero(scores[row] >= kth[row])
        order = lead[np.lexsort((lead, size[lead], -scores[row, lead]))]  # ties: small first
        area = np.concatenate([[0.0], np.cumsum(share[order])])
        cumulative = np.concatenate([[0.0], np.cumsum(observed[order])])
        hits = spread_ties(cumulative, area, tie_starts(scores[row, order]))
        taken = (area[1:, None] <= coverage[None, :] * (1 + 1e-9)).sum(axis=0)
        out[row] = hits[taken]
    return out / float(observed.sum())
