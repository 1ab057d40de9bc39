"""The rolling-origin protocol shared by rolling_evaluation and compare_methods.

At each origin every method scores the cells from the events before it (all of them,
or a training window) and is judged on the test window after it with
:func:`~hotspotlib.metrics.accuracy_curve`. An origin is skipped, and counted by
reason, when no training event precedes it, when its test window runs past the end of
the data, or when its test window holds no event inside the cells.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import require_some_inside
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import locate_events
from hotspotlib.metrics.accuracy import accuracy_curve

__all__ = ["SKIP_REASONS", "OriginRun", "Windows", "run_origins"]

SKIP_REASONS = ("n_origins_no_training", "n_origins_past_end", "n_origins_no_test_event")
Period: TypeAlias = pd.Timedelta | pd.DateOffset
Score: TypeAlias = Callable[[str, Any, gpd.GeoDataFrame, pd.Timestamp], Any]


@dataclass(frozen=True, slots=True)
class Windows:
    """Training window (None: all past events), test window and the end of the data."""

    train: Period | None
    test: Period
    end: pd.Timestamp


@dataclass(frozen=True, slots=True)
class OriginRun:
    """What the protocol found: one table row per method x origin x coverage, and counts."""

    table: pd.DataFrame
    kept: tuple[pd.Timestamp, ...]
    skipped: tuple[str, ...]
    counts: dict[str, int]


def run_origins(
    events: gpd.GeoDataFrame,
    grid: Grid | gpd.GeoDataFrame,
    *,
    stamps: pd.Series,
    starts: Sequence[pd.Timestamp],
    windows: Windows,
    methods: dict[str, Any],
    score: Score,
    accuracy: dict[str, Any],
    progress: bool,
    hint: str,
) -> OriginRun:
    """Evaluate every method at every usable origin; refuse when no origin is usable.

    ``score(name, method, train_events, origin)`` returns a method's scores per cell;
    ``accuracy`` holds the options of :func:`accuracy_curve` (``coverage``, ``areas``,
    ``ties`` and ``with_train``: whether to pass the training events for the RRI). ``hint``
    ends the message when no origin can be evaluated.
    """
    in_cells = _in_cells(events, grid)
    times = stamps.to_numpy()
    options = dict(accuracy)
    with_train = options.pop("with_train", False)
    rows: list[pd.DataFrame] = []
    kept: list[pd.Timestamp] = []
    skipped: list[str] = []
    counts = dict.fromkeys(SKIP_REASONS, 0)
    n_test = 0
    for origin in _steps(starts, progress):  # forecast origins: a few dozen at most
        in_train, in_test = _masks(times, origin, windows)
        reason, why = _skip_reason(origin, in_train, in_test, in_cells, windows)
        if reason:
            counts[reason] += 1
            skipped.append(f"{origin}: {why}")
            continue
        train_events, test_events = events[in_train], events[in_test]
        for name, method in methods.items():  # a handful of methods
            table = accuracy_curve(
                score(name, method, train_events, origin),
                test_events,
                grid=grid,
                train_events=train_events if with_train else None,
                **options,
            ).table
            table.insert(0, "origin", origin)
            table.insert(0, "method", name)
            rows.append(table)
        n_test += int(np.count_nonzero(in_test & in_cells))
        kept.append(origin)
    if not kept:
        raise ValueError(
            f"No origin could be evaluated ({len(skipped)} skipped): {' '.join(skipped[:5])} "
            f"Events run from {stamps.min()} to {stamps.max()}. {hint}"
        )
    counts.update(
        n_events=len(in_cells),
        n_events_outside=int(len(in_cells) - np.count_nonzero(in_cells)),
        n_test_events=n_test,
    )
    return OriginRun(pd.concat(rows, ignore_index=True), tuple(kept), tuple(skipped), counts)


def _in_cells(events: gpd.GeoDataFrame, grid: Grid | gpd.GeoDataFrame) -> NDArray[np.bool_]:
    """Which events fall in a cell; refuse when none does (checks events and CRSs once)."""
    position = locate_events(events, grid)
    in_cells = position >= 0
    cells = grid.cells if isinstance(grid, Grid) else grid
    require_some_inside(
        len(position) - int(np.count_nonzero(in_cells)),
        len(position),
        events_bounds=events.total_bounds,
        area_bounds=cells.total_bounds,
        area="grid" if isinstance(grid, Grid) else "places",
        warn_share=0.5 if isinstance(grid, Grid) else 1.0,
    )
    return in_cells


def _steps(starts: Sequence[pd.Timestamp], progress: bool) -> Any:
    if not progress:
        return starts
    from tqdm.auto import tqdm

    return tqdm(starts, desc="origins")


def _masks(
    times: NDArray[Any], origin: pd.Timestamp, windows: Windows
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Events in the training window before ``origin`` and in the test window after it."""
    in_train = times < origin.to_datetime64()
    if windows.train is not None:
        in_train &= times >= (origin - windows.train).to_datetime64()
    close = (origin + windows.test).to_datetime64()
    in_test = (times >= origin.to_datetime64()) & (times < close)
    return in_train, in_test


def _skip_reason(
    origin: pd.Timestamp,
    in_train: NDArray[np.bool_],
    in_test: NDArray[np.bool_],
    in_cells: NDArray[np.bool_],
    windows: Windows,
) -> tuple[str, str]:
    """Why ``origin`` cannot be evaluated (the counts key and the words), or empty."""
    close = origin + windows.test
    if not in_train.any():
        return "n_origins_no_training", "no training event before it."
    if close > windows.end:
        return "n_origins_past_end", (
            f"its test window runs to {close}, past the end of the data ({windows.end}); "
            "pass an earlier origin, a shorter test window or `end=`."
        )
    if not (in_test & in_cells).any():
        outside = int(np.count_nonzero(in_test))
        return "n_origins_no_test_event", (
            f"no test event in the cells ({outside} test events, all outside)."
            if outside
            else "no test event."
        )
    return "", ""
