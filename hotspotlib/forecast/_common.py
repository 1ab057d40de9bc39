"""Shared preparation for the forecast scores: which events count, how old they are, where."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_days,
    require_moment,
    require_positive,
    require_timestamps,
    require_type,
    require_weights,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import locate_events

__all__ = ["Training", "prepare", "require_grid"]

Weights: TypeAlias = str | Sequence[float] | NDArray[Any] | pd.Series | None
_DAY_NS = 86_400 * 10**9


@dataclass(frozen=True, slots=True)
class Training:
    """Events that inform the scores: their cell, age in days and weight.

    ``used`` marks, for every row of the events passed in, whether it is one of them.
    """

    position: NDArray[np.int64]
    age_days: NDArray[np.float64]
    weight: NDArray[np.float64]
    origin: pd.Timestamp
    counts: dict[str, int]
    notes: list[str]
    parameters: dict[str, Any]
    used: NDArray[np.bool_]


def require_grid(grid: Any, *, square: bool = False) -> Grid:
    """Refuse anything but a :class:`Grid` (of square cells when ``square``), with the fix.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from hotspotlib.hotspots.grid.make import make_grid
    >>> area = gpd.GeoSeries([box(0, 0, 400, 400)], crs=27700)
    >>> require_grid(make_grid(area, cell_size_m=200, cell_shape="hex"), square=True)
    Traceback (most recent call last):
    ...
    ValueError: `grid` must have square cells (cell_shape='square'); got 'hex'. ...
    """
    build = "`hotspotlib.make_grid(area, cell_size_m=150)`"
    require_type(grid, Grid, name="grid", expected=f"a Grid from make_grid; build one with {build}")
    if square and grid.cell_shape != "square":
        raise ValueError(
            f"`grid` must have square cells (cell_shape='square'); got {grid.cell_shape!r}. "
            f"Build it with {build}."
        )
    return grid


def prepare(
    events: gpd.GeoDataFrame,
    grid: Grid,
    *,
    time: str,
    origin: Any,
    window_days: float | None,
    weights: Weights,
    dayfirst: bool | None = None,
    daily: str | None = None,
    windows: Mapping[str, float | None] | None = None,
    spans: Mapping[str, float | None] | None = None,
) -> Training:
    """Validate the common inputs and keep the events before ``origin`` inside the window.

    Events at or after ``origin`` are counted as ``n_after_origin`` and left out; events
    older than ``window_days`` as ``n_too_old``; events in no cell as ``n_outside``.
    On month-stamped times (police.uk), ``origin`` and ``window_days`` must give whole
    months, and so must the caller's other ``windows`` (counted back from the origin)
    and ``spans`` (windows laid back to back); ``daily`` (what needs dates) refuses them.
    """
    require_grid(grid)
    position = locate_events(events, grid)  # checks points, CRS, and both CRSs agree
    require_type(time, str, name="time", expected="a column name")
    require_columns(events, [time], name="events")
    stamps = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    moment = require_moment(origin, name="origin", like=stamps, dayfirst=dayfirst)
    window = (
        None
        if window_days is None
        else require_positive(window_days, name="window_days", fix="E.g. 365 for one year.")
    )
    require_days(
        stamps, name=f"events[{time!r}]", frame=events, column=time, daily=daily,
        origin=moment, windows={"window_days": window, **(windows or {})}, spans=spans,
    )  # fmt: skip
    values = require_weights(events, weights)
    age_days = (moment - stamps).to_numpy(dtype="timedelta64[ns]").astype(np.int64) / _DAY_NS
    after, too_old, outside = _left_out(age_days, window, position)
    used = ~after & ~too_old & ~outside
    counts = {
        "n_events": len(position),
        "n_used": int(used.sum()),
        "n_after_origin": int(after.sum()),
        "n_too_old": int(too_old.sum()),
        "n_outside": int(outside.sum()),
    }
    if counts["n_used"] == 0:
        raise ValueError(
            f"No event of `events` informs the scores: of {len(position)} events (times "
            f"{stamps.min()} to {stamps.max()}), {counts['n_after_origin']} are at or after "
            f"`origin` ({moment}), {counts['n_too_old']} are older than `window_days` "
            f"({window}) and {counts['n_outside']} fall outside the grid. Check `origin` and "
            "`window_days`."
        )
    weight = np.ones(len(position)) if values is None else values
    parameters: dict[str, Any] = {
        "time": time,
        "origin": moment,
        "window_days": window,
        "weights": None if weights is None else (weights if isinstance(weights, str) else "array"),
        "cell_size_m": grid.cell_size_m,
        "n_cells": grid.n_cells,
    }
    return Training(
        position=position[used],
        age_days=age_days[used],
        weight=weight[used],
        origin=moment,
        counts=counts,
        notes=_notes(counts, moment, window),
        parameters=parameters,
        used=used,
    )


def _left_out(
    age_days: NDArray[np.float64], window: float | None, position: NDArray[np.int64]
) -> tuple[NDArray[np.bool_], NDArray[np.bool_], NDArray[np.bool_]]:
    """Flag events at or after the origin, older than the window, and outside every cell."""
    after = age_days <= 0
    too_old = ~after & (age_days > window) if window is not None else np.zeros_like(after)
    outside = ~after & ~too_old & (position < 0)
    return after, too_old, outside


def _notes(counts: dict[str, int], moment: pd.Timestamp, window: float | None) -> list[str]:
    """Say, in words, which events were left out and why."""
    notes = []
    if counts["n_after_origin"]:
        notes.append(
            f"{counts['n_after_origin']} events at or after the origin ({moment}) were left "
            "out: the scores use only the past."
        )
    if counts["n_too_old"]:
        notes.append(f"{counts['n_too_old']} events older than {window:g} days were left out.")
    if counts["n_outside"]:
        notes.append(f"{counts['n_outside']} events fell outside every cell and were left out.")
    return notes
