"""Inputs of the rolling-origin evaluators: named methods, origins, times, a method's scores.

Shared by :func:`~hotspotlib.metrics.rolling_evaluation` and
:func:`~hotspotlib.metrics.compare_methods`, so that both name their methods, read their
origins and put aware times on one clock the same way.
"""

from __future__ import annotations

import collections.abc
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias, cast

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._validation import (
    check_option,
    require_array,
    require_columns,
    require_nonempty,
    require_timestamps,
    require_type,
    require_unique,
    wall_clock,
)
from hotspotlib.hotspots.density.surface import DensitySurface
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["ForecastMethod", "local_times", "name_methods", "parse_origins", "per_cell"]

ForecastMethod: TypeAlias = Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]
_FUNCTION = cast(type, collections.abc.Callable)
_SEQUENCES = (list, tuple, pd.Index, pd.Series, np.ndarray)


def name_methods(
    methods: Any, *, expected: str, builtins: Any = None, example: str
) -> dict[str, Any]:
    """Return ``{name: method}`` from a mapping or a sequence of methods.

    Unnamed functions are named by their ``__name__`` (``method_k`` for lambdas);
    ``builtins`` (a ``Literal`` of names) allows named built-in methods, which are then
    their own names. ``expected`` says what a method is; ``example`` what to pass.
    """
    if isinstance(methods, Mapping):
        items = [(str(key), method) for key, method in methods.items()]
    else:
        if builtins is not None and (isinstance(methods, str) or callable(methods)):
            methods = [methods]  # one method
        require_type(
            methods,
            _SEQUENCES,
            name="methods",
            expected=f"a mapping {{name: method}} or a list of methods, e.g. {example}",
        )
        items = [(_name(method, k), method) for k, method in enumerate(methods)]
    require_nonempty(items, name="methods", fix=f"pass e.g. {example}.")
    for name, method in items:
        if builtins is not None and isinstance(method, str):
            check_option(method, builtins, name="methods")
        else:
            require_type(method, _FUNCTION, name=f"methods[{name!r}]", expected=expected)
    names = [name for name, _ in items]
    require_unique(names, name="methods", what="names (pass a mapping to name them)")
    return dict(items)


def _name(method: Any, k: int) -> str:
    name = method if isinstance(method, str) else getattr(method, "__name__", "")
    return name if name and name != "<lambda>" else f"method_{k + 1}"


def local_times(
    events: gpd.GeoDataFrame, time: str, dayfirst: bool | None
) -> tuple[gpd.GeoDataFrame, pd.Series, Any]:
    """Read the event times on their local wall clock; return events, times and zone.

    When the times are time-zone aware, the events handed to the methods are a copy
    whose time column holds the local times.
    """
    require_columns(events, [time], name="events")
    raw = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    zone = getattr(raw.dt, "tz", None)
    stamps = wall_clock(raw)  # one clock: aware times read on their local clock
    if zone is not None:
        events = events.assign(**{time: stamps})  # a copy: the methods see local times
    return events, stamps, zone


def parse_origins(origins: Any, zone: Any, dayfirst: bool | None) -> list[pd.Timestamp]:
    """Parse the origins onto the events' clock (aware origins read in the events' zone)."""
    require_type(
        origins,
        _SEQUENCES,
        name="origins",
        expected="a sequence of dates, e.g. `pd.date_range('2017-01-01', periods=12, freq='MS')`",
    )
    require_nonempty(origins, name="origins", fix="pass at least one date.")
    stamps = require_timestamps(list(origins), name="origins", dayfirst=dayfirst)
    parsed = list(wall_clock(pd.DatetimeIndex(stamps), zone))
    require_unique(parsed, name="origins", what="dates")
    return sorted(pd.Timestamp(stamp) for stamp in parsed)


def per_cell(result: Any, *, name: str, grid: Grid | gpd.GeoDataFrame) -> Any:
    """Return the per-cell scores of a method's answer (array, Series, or a result).

    A :class:`DensitySurface` gives its densities at ``grid``'s cells, in the order of
    ``grid.cells`` (:meth:`DensitySurface.values_for`, which refuses a surface on another
    lattice); it scores a Grid only, not places.
    """
    n_cells = grid.n_cells if isinstance(grid, Grid) else len(grid)
    if isinstance(result, DensitySurface):
        if not isinstance(grid, Grid):
            raise TypeError(
                f"`methods[{name!r}]` returned a DensitySurface, which scores the cells of "
                "a Grid, but the cells here are a GeoDataFrame of places. Return the "
                "densities at the places, e.g. `surface.sample(places.representative_point())`."
            )
        return require_array(
            result.values_for(grid),
            name=f"methods[{name!r}] densities at the grid's cells",
            length=n_cells,
            fix="Some cells lie outside the surface: make it on these cells, e.g. "
            "`hs.kde(train, grid=grid, ...)`.",
        )
    if isinstance(result, EventCounts):
        values: Any = result.count
    elif hasattr(result, "scores"):
        values = result.scores
    else:
        values = result
    if isinstance(values, pd.Series):
        return values  # matched to the cells by cell id in accuracy_curve
    return require_array(
        values,
        name=f"methods[{name!r}] scores",
        length=n_cells,
        fix="`methods` must give one score per cell, e.g. `ForecastSurface.scores`.",
    )
