"""Emerging hot-spot analysis: a space-time cube, Gi* per bin, trends and patterns."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import lock_in_place
from hotspotlib._options import TimeNeighbours
from hotspotlib._validation import (
    check_option,
    data_end,
    require_columns,
    require_days,
    require_grid_size,
    require_per_row,
    require_points,
    require_polygons,
    require_positive,
    require_probability,
    require_same_crs,
    require_some_inside,
    require_timestamp,
    require_timestamps,
    require_type,
    require_varying,
    require_whole,
    wall_clock,
)
from hotspotlib.hotspots.getis_ord._cube_scores import cube_scores
from hotspotlib.hotspots.getis_ord.emerging_result import EmergingHotspots
from hotspotlib.hotspots.getis_ord.patterns import classify_patterns, mann_kendall_labelled
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.lattice import subgrid
from hotspotlib.hotspots.grid.make import make_grid

__all__ = ["emerging_hotspots"]

MIN_STEPS = 4


def emerging_hotspots(
    events: gpd.GeoDataFrame,
    *,
    time: str | ArrayLike = "timestamp",
    interval: str = "W",
    cell_size_m: float,
    distance_m: float,
    time_window: int = 1,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    alpha: float = 0.05,
    fdr: bool = True,
    time_neighbours: TimeNeighbours = "both",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    dayfirst: bool | None = None,
) -> EmergingHotspots:
    """Emerging hot-spot analysis of incidents over time (space-time cube + Mann-Kendall).

    1. Incidents are counted in a space-time cube: square cells of ``cell_size_m``
       (over ``area``, or over the incidents' extent) by calendar periods of
       ``interval`` (pandas period codes: ``"D"``, ``"W"`` (Monday to Sunday), ``"M"``,
       ``"Q"``, ``"Y"``). The study window is ``[start, end)``, by default from the day
       of the first incident to the end of the day of the last; incidents outside it are
       left out (counted). A first or last period that the window covers only in part
       is left out too, with its incidents (counted): a half-empty final week would
       otherwise look like a cooling-off everywhere. Months written as their 1st
       (police.uk's ``Month``) run to the end of the last month, and need steps of
       whole months (``"M"``, ``"Q"``, ``"Y"``): weeks or days are refused.
    2. Locations: every cell inside ``area``; without an area, the cells with at least
       one incident in some period (ArcGIS's rule). Other cells are not in the cube.
    3. Gi* for every bin with space-time neighbours: the cells whose centres are
       within ``distance_m`` (inclusive, the bin's own cell included) in the steps
       within ``time_window`` of it (``time_neighbours="both"``: before and after;
       ``"previous"``: only earlier steps, as ArcGIS). Mean and variance are those of
       the whole cube. Two-sided p; with ``fdr`` Benjamini-Hochberg over all bins.
       A bin is a significant hot (cold) spot when its (q-)value is <= ``alpha`` and
       z > 0 (z < 0).
    4. Mann-Kendall trend test on each location's series of Gi* z-scores.
    5. A pattern per location by the rule table in :mod:`hotspotlib.hotspots.getis_ord.patterns`.

    Parameters
    ----------
    events : GeoDataFrame
        Incident points in a projected CRS in metres.
    time : str or array-like
        Column of ``events`` with the event times (default ``"timestamp"``), or one
        timestamp per event (a Series is matched to the events by index label).
    interval : str
        Length of a time step (pandas period code).
    cell_size_m : float
        Side of the square cells in metres.
    distance_m : float
        Spatial neighbourhood distance in metres (between cell centres, inclusive).
    time_window : int
        Number of neighbouring time steps on each side (0: the step itself only).
    area : GeoDataFrame or GeoSeries, optional
        Study area polygons.
    alpha : float
        Significance level of bins and of trends.
    fdr : bool
        Correct bin p-values with Benjamini-Hochberg across the cube.
    time_neighbours : {"both", "previous"}
        Whether the time window looks both ways or only back.
    start, end : str or Timestamp, optional
        Study window ``[start, end)``; by default the days spanned by the incidents.
    dayfirst : bool, optional
        Read slash dates (``time``, ``start``, ``end``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    EmergingHotspots
        Pattern, trend and counts per location, and the cube of z-scores.

    Raises
    ------
    ValueError
        For fewer than 4 time steps, unparseable times, a bad interval, a geographic
        CRS, non-positive sizes, or a cube with constant counts.

    See Also
    --------
    EmergingHotspots : The returned patterns and cube.
    gi_star : Gi* for one period.

    References
    ----------
    .. [1] Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference.
       https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm
    .. [2] Mann, H. B. (1945). Nonparametric tests against trend. Econometrica 13(3),
       245-259. https://doi.org/10.2307/1907187
    .. [3] Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics:
       distributional issues and an application. Geographical Analysis 27(4), 286-306.
       https://doi.org/10.1111/j.1538-4632.1995.tb00912.x

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, days=150, rng=3)
    >>> result = hs.emerging_hotspots(
    ...     city.events, interval="M", cell_size_m=500, distance_m=750, area=city.boundary)
    >>> result.n_steps
    4
    >>> result.n_outside_window  # the incidents of the part-covered fifth month
    701
    >>> "persistent hot spot" in set(result.to_frame()["pattern"])
    True
    """
    xy = require_points(events, name="events")
    size = require_positive(cell_size_m, name="cell_size_m")
    band = require_positive(distance_m, name="distance_m")
    level = require_probability(alpha, name="alpha")
    check_option(time_neighbours, TimeNeighbours, name="time_neighbours")
    window = require_whole(time_window, name="time_window")
    require_type(fdr, (bool, np.bool_), name="fdr", expected="True (Benjamini-Hochberg) or False")
    times = _event_times(events, time, dayfirst)
    column = time if isinstance(time, str) else None  # read_police_uk marks its `month`
    first, last = _window(times, start, end, dayfirst, data_end(times, frame=events, column=column))
    step, periods, in_window = _time_steps(times, interval, first, last)
    starts = periods.start_time
    require_days(
        times, name=f"events[{time!r}]" if column else "time", frame=events, column=column,
        daily=None if bool((starts == starts.normalize()).all() & (starts.day == 1).all())
        else f"`interval`={interval!r} steps start inside months, so each month's incidents "
        "fall in the step holding its 1st and the others are empty. Use interval='M' (or "
        "'Q', 'Y')",
    )  # fmt: skip
    if len(periods) < MIN_STEPS:
        raise ValueError(
            f"The study window [{first}, {last}) holds {len(periods)} whole time step(s) of "
            f"{interval!r}; emerging hot-spot analysis needs at least {MIN_STEPS} (10 or more "
            "is better). Use a shorter `interval` or a longer window (`start` before `end`)."
        )
    grid, cube, n_outside = _space_time_cube(
        events, xy[in_window], step[in_window], area=area, size=size, n_steps=len(periods)
    )
    x = require_varying(
        cube.astype(float).ravel(),
        name="space-time cube",
        fix="Every bin has the same count; nothing to test.",
    )
    scores = cube_scores(grid, cube, x, band, window, time_neighbours)
    z, p, q = (scores.gather(t) for t in (scores.z_table, scores.p_table, scores.q_table))
    with np.errstate(invalid="ignore"):
        significant = (scores.q_table if fdr else scores.p_table) <= level
    # (locations, steps) views of the bins' flags, looked up per code
    hot = scores.gather(significant & (scores.z_table > 0)).T
    cold = scores.gather(significant & (scores.z_table < 0)).T
    labels, nonfinite = scores.labels()
    trend = mann_kendall_labelled(labels, z.T, nonfinite)
    return EmergingHotspots(
        locations=grid.cells,
        periods=periods,
        count=lock_in_place(cube),  # built here and held by nothing else: no copy
        z_score=lock_in_place(z),
        p_value=lock_in_place(p),
        q_value=lock_in_place(q),
        trend_z=trend["z_score"],
        trend_p=trend["p_value"],
        trend_tau=trend["tau"],
        n_hot=hot.sum(axis=1),
        n_cold=cold.sum(axis=1),
        pattern=classify_patterns(hot, cold, trend["z_score"], trend["p_value"], alpha=level),
        interval=interval,
        cell_size_m=size,
        distance_m=band,
        time_window=window,
        time_neighbours=time_neighbours,
        alpha=level,
        fdr=bool(fdr),
        n_events=len(in_window),
        n_outside=n_outside,
        n_outside_window=int((~in_window).sum()),
        area_given=area is not None,
    )


def _event_times(events: gpd.GeoDataFrame, time: Any, dayfirst: bool | None) -> pd.Series:
    """Return the event times as wall-clock timestamps, one per event."""
    if isinstance(time, str):
        require_columns(events, [time], name="events")
        raw: Any = events[time].to_numpy()
    else:
        raw = require_per_row(time, events.index, name="time", what="event")
    times = require_timestamps(raw, name="time", dayfirst=dayfirst)
    if times.dt.tz is not None:
        times = times.dt.tz_localize(None)  # periods are in local wall-clock time
    return times


def _space_time_cube(
    events: gpd.GeoDataFrame,
    xy: NDArray[np.float64],
    step: NDArray[np.int64],
    *,
    area: Any,
    size: float,
    n_steps: int,
) -> tuple[Grid, NDArray[np.int64], int]:
    """Count incidents per cell and step; return the grid, the cube and those outside."""
    if area is not None:
        require_polygons(area, name="area")
        require_same_crs(events, area, names=("events", "area"))
        grid = make_grid(area, cell_size_m=size)
    else:
        # Built on the corner points, not a box: points on the north/east edge of the
        # extent then get a cell of their own instead of falling outside.
        corners = shapely.points([xy.min(axis=0), xy.max(axis=0)])
        grid = make_grid(gpd.GeoSeries(corners, crs=events.crs), cell_size_m=size)
    require_grid_size(grid.n_rows * grid.n_cols * n_steps, max_cells=50_000_000)
    position = grid.locate(xy)
    inside = position >= 0
    n_outside = len(xy) - int(np.count_nonzero(inside))
    if n_outside > len(xy) // 2:
        require_some_inside(
            n_outside,
            len(xy),
            events_bounds=events.total_bounds,
            area_bounds=grid.cells.total_bounds,
            area="area",
        )
    cube = np.bincount(
        step[inside] * grid.n_cells + position[inside], minlength=n_steps * grid.n_cells
    ).reshape(n_steps, grid.n_cells)
    if area is None:
        occupied = cube.sum(axis=0) > 0
        grid = subgrid(grid, occupied)
        cube = cube[:, occupied]
    return grid, cube, n_outside


def _window(
    times: pd.Series, start: Any, end: Any, dayfirst: bool | None, last: pd.Timestamp
) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the study window: ``start`` (or the first day) to ``end`` (or ``last``)."""
    first = times.min().normalize()
    if start is not None:  # on the incidents' local clock, like their times
        first = wall_clock(require_timestamp(start, name="start", dayfirst=dayfirst))
    if end is not None:
        last = wall_clock(require_timestamp(end, name="end", dayfirst=dayfirst))
    return first, last  # an empty window holds no time step: refused by the caller


def _time_steps(
    times: pd.Series, interval: str, start: pd.Timestamp, end: pd.Timestamp
) -> tuple[NDArray[np.int64], pd.PeriodIndex, NDArray[np.bool_]]:
    """Step of each event among the periods wholly inside ``[start, end)``."""
    try:
        span = pd.period_range(start, end - pd.Timedelta(microseconds=1), freq=interval)
    except (ValueError, TypeError, AttributeError) as error:
        raise ValueError(
            f"`interval` {interval!r} is not a pandas period code ({error}); use e.g. "
            "'D', 'W', 'M', 'Q' or 'Y'."
        ) from error
    whole = (span.start_time >= start) & (span.end_time < end)
    span = span[whole]
    stamps = pd.DatetimeIndex(times)
    if len(span) == 0:
        return np.zeros(len(stamps), np.int64), span, np.zeros(len(stamps), bool)
    first_ns = span[0].start_time.as_unit("ns").value
    edges = np.append(span.start_time.as_unit("ns").asi8, span[-1].end_time.as_unit("ns").value + 1)
    instants = stamps.as_unit("ns").asi8
    step = np.searchsorted(edges, instants, side="right") - 1
    in_window = (instants >= first_ns) & (step < len(span))
    return np.where(in_window, step, 0).astype(np.int64), span, in_window
