"""Inputs of rolling_evaluation: the named methods, the origins, a method's scores."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._validation import require_timestamps, wall_clock
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["ForecastMethod", "named_methods", "parse_origins", "per_cell"]

ForecastMethod: TypeAlias = Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]


def named_methods(methods: Any) -> dict[str, ForecastMethod]:
    if isinstance(methods, Mapping):
        items = [(str(k), v) for k, v in methods.items()]
    elif callable(methods) or isinstance(methods, (str, bytes)):
        raise TypeError(
            "`methods` must be a mapping {name: f} or a list of functions "
            "f(training_events, origin) -> scores; got a single "
            f"{type(methods).__name__}. Wrap it in a list."
        )
    else:
        items = [(getattr(m, "__name__", f"method_{k + 1}"), m) for k, m in enumerate(methods)]
    if not items:
        raise ValueError("`methods` is empty; pass e.g. {'counts': f, 'recency': g}.")
    for name, method in items:
        if not callable(method):
            raise TypeError(
                f"`methods` entry {name!r} must be a function f(training_events, origin) -> "
                f"scores; got {type(method).__name__}."
            )
    named = dict(items)
    if len(named) != len(items):
        raise ValueError("`methods` has duplicate names; pass a mapping to name them.")
    return named


def parse_origins(origins: Any, zone: Any, dayfirst: bool | None) -> list[pd.Timestamp]:
    """Parse the origins onto the events' clock (aware origins read in the events' zone)."""
    if isinstance(origins, (str, bytes)) or not hasattr(origins, "__iter__"):
        raise TypeError(
            "`origins` must be a sequence of dates, e.g. "
            f"`pd.date_range('2017-01-01', periods=12, freq='MS')`; got {origins!r}."
        )
    given = list(origins)
    stamps = require_timestamps(given, name="origins", dayfirst=dayfirst) if given else []
    parsed = [pd.Timestamp(stamp) for stamp in wall_clock(pd.DatetimeIndex(stamps), zone)]
    if not parsed:
        raise ValueError("`origins` is empty; pass at least one date.")
    if len(set(parsed)) != len(parsed):
        raise ValueError("`origins` has repeated dates; give each origin once.")
    return sorted(parsed)


def per_cell(result: Any, *, name: str, n_cells: int) -> Any:
    """Return the per-cell scores of a method's answer (array, Series, or a result)."""
    if isinstance(result, EventCounts):
        values: Any = result.count
    elif hasattr(result, "scores"):
        values = result.scores
    else:
        values = result
    if isinstance(values, pd.Series):
        return values  # matched to the cells by cell id in accuracy_curve
    array = np.asarray(values, dtype=float)
    if array.shape != (n_cells,):
        raise ValueError(
            f"Method {name!r} returned scores of shape {array.shape}; `methods` must give "
            f"one score per cell ({n_cells}), e.g. `ForecastSurface.scores`."
        )
    return array
