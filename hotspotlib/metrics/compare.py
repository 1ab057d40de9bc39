"""Compare hot-spot methods by how well last period's map predicts the next period."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._options import AreaMeasure, HotspotMethod
from hotspotlib._summary import Summary
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_points,
    require_positive,
    require_same_crs,
    require_timestamps,
    wall_clock,
)
from hotspotlib.hotspots.grid.cells import Grid, make_grid
from hotspotlib.hotspots.grid.counts import count_events
from hotspotlib.metrics.accuracy import DEFAULT_COVERAGES, accuracy_curve
from hotspotlib.metrics.prospective import prospective_hotspots

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MethodComparison", "compare_methods"]

ScoreFunction: TypeAlias = Callable[[gpd.GeoDataFrame, Grid], ArrayLike]
Period: TypeAlias = str | pd.Timedelta | pd.DateOffset


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class MethodComparison(FrozenResult):
    """Rolling-origin accuracy of several hot-spot methods.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per origin x method x coverage with ``origin``, ``method`` and the
        columns of :class:`~hotspotlib.metrics.AccuracyCurve` (``hit_rate``, ``pai``,
        ``pei``, ``rri`` ...).
    grid : Grid
        The cells every method scored.
    origins : tuple of Timestamp
        Forecast origins evaluated (train before, test from each origin).
    skipped : tuple of str
        Origins left out and why (no training or no test events in the cells).
    methods : tuple of str
        Method names, in the order given.
    parameters : dict
        Settings used (train and test lengths, cell size, bandwidth ...).
    """

    table: pd.DataFrame
    grid: Grid
    origins: tuple[pd.Timestamp, ...]
    skipped: tuple[str, ...]
    methods: tuple[str, ...]
    parameters: dict[str, Any]

    def to_frame(self) -> pd.DataFrame:
        """Return the tidy table (a copy)."""
        return self.table.copy()

    def mean(self) -> pd.DataFrame:
        """Average each metric over origins: one row per method and coverage.

        ``pooled_hit_rate`` pools hits and events over origins (total hits / total
        events), which weighs busy months more than the plain mean of ``hit_rate``.
        """
        grouped = self.table.groupby(["method", "coverage"], sort=False)
        means = grouped[["area_share", "hit_rate", "pai", "ppai", "pei", "rri"]].mean()
        sums = grouped[["hits", "n_events"]].sum()
        means["pooled_hit_rate"] = sums["hits"] / sums["n_events"]
        means["n_origins"] = grouped.size()
        return means.reset_index()

    def summary(self) -> Summary:
        """Summarise the evaluation: settings, mean metrics and caveats."""
        notes = [
            "Each origin: methods score the cells from the training window before it; "
            "the test window after it is predicted. Metrics as in accuracy_curve.",
            "Rows are averaged over origins (pooled_hit_rate pools hits and events).",
        ]
        notes += [f"Skipped origin {reason}" for reason in self.skipped]
        return Summary(
            title="Comparison of hot-spot methods (rolling origin)",
            parameters={
                **self.parameters,
                "methods": ", ".join(self.methods),
                "n_origins": len(self.origins),
            },
            table=self.mean().round(4),
            notes=notes,
        )

    def plot(self, ax: Axes | None = None, *, metric: str = "hit_rate", **kwargs: Any) -> Axes:
        """Plot a metric against coverage: the mean over origins, shaded from min to max.

        ``metric`` is ``"hit_rate"`` (default), ``"pai"``, ``"ppai"``, ``"pei"`` or
        ``"rri"``; call twice for hit rate and PAI side by side.
        """
        from hotspotlib._plotting import get_axes

        check_option(metric, ("hit_rate", "pai", "ppai", "pei", "rri"), name="metric")
        axes = get_axes(ax)
        for name in self.methods:  # a handful of methods
            rows = self.table[self.table["method"] == name]
            stats = rows.groupby("coverage")[metric].agg(["mean", "min", "max"])
            (line,) = axes.plot(stats.index, stats["mean"], marker="o", label=name, **kwargs)
            axes.fill_between(
                stats.index, stats["min"], stats["max"], color=line.get_color(), alpha=0.15
            )
        axes.set_xlabel("coverage (share of area searched)")
        axes.set_ylabel(metric.replace("_", " "))
        axes.legend()
        return axes


def compare_methods(
    events: gpd.GeoDataFrame,
    *,
    methods: Sequence[HotspotMethod | ScoreFunction]
    | Mapping[str, HotspotMethod | ScoreFunction] = ("counts", "prospective"),
    train: Period = "90D",
    test: Period = "30D",
    coverages: float | ArrayLike = DEFAULT_COVERAGES,
    cell_size_m: float,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    origins: Sequence[str | pd.Timestamp] | None = None,
    time: str = "timestamp",
    bandwidth_m: float = 400.0,
    areas: AreaMeasure = "area",
    progress: bool = False,
    dayfirst: bool | None = None,
) -> MethodComparison:
    """Rolling-origin evaluation of hot-spot methods: hit rate, PAI, PEI, RRI by coverage.

    At each origin every method maps the cells from the training window
    ``[origin - train, origin)`` and is scored on the test window ``[origin, origin +
    test)`` with :func:`~hotspotlib.metrics.accuracy_curve`.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres) with a time column.
    methods : sequence or mapping
        Built-in names and/or functions ``f(train_events, grid) -> one score per cell``;
        a mapping gives them names. Built-ins: ``"counts"`` (training counts per cell),
        ``"prospective"`` (:func:`prospective_hotspots` at the origin, 8 weeks),
        ``"kde"`` (``hotspotlib.hotspots.density.kde`` density) and ``"gi_star"``
        (``hotspotlib.hotspots.gi_star`` z-scores of the counts, neighbours within 1.5
        cells); the last two need those functions installed.
    train, test : str, Timedelta or DateOffset
        Window lengths, e.g. ``"90D"``, ``"12W"`` or ``pd.DateOffset(months=3)``.
    coverages : float or sequence of float
        Shares of the area searched, in (0, 1].
    cell_size_m : float
        Side of the square cells every method is scored on.
    area : GeoDataFrame or GeoSeries, optional
        Study area for the grid (the events' bounding box when omitted).
    origins : sequence of dates, optional
        Forecast origins. By default, one every ``test`` from the first event plus
        ``train`` while the test window ends by the last event.
    time : str
        Column with the event times.
    bandwidth_m : float
        Bandwidth of the ``"kde"`` and ``"prospective"`` built-ins, in metres.
    areas : {"area", "equal"}
        Cell sizes for coverage (see :func:`accuracy_curve`).
    progress : bool
        Show a progress bar over origins.
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origins``) day-first (UK) or
        month-first; None lets the data settle it and refuses dates that could be
        either. Aware times (and origins) are compared on the events' local clock.

    Returns
    -------
    MethodComparison
        Tidy table per origin, method and coverage, with ``.mean()`` and ``.plot()``.

    Raises
    ------
    ValueError
        For unknown method names, bad window lengths, no usable origin, or the usual
        event and grid problems.
    ImportError
        For ``"kde"`` or ``"gi_star"`` when ``hotspotlib.hotspots`` does not provide them.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=4)
    >>> result = compare_methods(city.events, methods=["counts", "prospective"],
    ...                          train="90D", test="30D", cell_size_m=400,
    ...                          area=city.boundary, coverages=[0.05])
    >>> sorted(result.table["method"].unique())
    ['counts', 'prospective']
    >>> len(result.origins)
    9
    """
    require_points(events, name="events")
    require_columns(events, [time], name="events")
    size = require_positive(cell_size_m, name="cell_size_m")
    radius = require_positive(bandwidth_m, name="bandwidth_m")
    check_option(areas, AreaMeasure, name="areas")
    named = _methods(methods)
    train_len, test_len = _period(train, name="train"), _period(test, name="test")
    raw = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    stamps = wall_clock(raw)  # one clock: aware times read locally, origins too
    if getattr(raw.dt, "tz", None) is not None:
        events = events.assign(**{time: stamps})  # a copy: the methods see local times
    if area is not None:
        require_same_crs(area, events, names=("area", "events"))
    grid = make_grid(area if area is not None else events, cell_size_m=size)
    starts = _origins(origins, stamps, train_len, test_len, (raw.dt.tz, dayfirst))
    values = stamps.to_numpy()
    rows: list[pd.DataFrame] = []
    kept: list[pd.Timestamp] = []
    skipped: list[str] = []
    steps: Any = starts
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(starts, desc="origins")
    for origin in steps:  # forecast origins: a few dozen at most
        in_train = (values >= (origin - train_len).to_datetime64()) & (
            values < origin.to_datetime64()
        )
        in_test = (values >= origin.to_datetime64()) & (
            values < (origin + test_len).to_datetime64()
        )
        train_events, test_events = events[in_train], events[in_test]
        if len(train_events) == 0 or len(test_events) == 0:
            skipped.append(f"{origin.date()}: no training or no test events.")
            continue
        if count_events(test_events, grid).count.sum() == 0:
            skipped.append(f"{origin.date()}: no test event inside the cells.")
            continue
        for name, method in named.items():  # a handful of methods
            scores = _score(method, train_events, grid, origin, radius, time)
            table = accuracy_curve(
                scores,
                test_events,
                grid=grid,
                coverages=coverages,
                train_events=train_events,
                areas=areas,
            ).table
            table.insert(0, "method", name)
            table.insert(0, "origin", origin)
            rows.append(table)
        kept.append(origin)
    if not rows:
        raise ValueError(
            f"No origin could be evaluated ({len(skipped)} skipped: no training or test "
            f"events): `events[{time!r}]` runs from {stamps.min()} to {stamps.max()}, the "
            f"origins from {min(starts)} to {max(starts)}. Check `train`, `test`, "
            "`origins` and the event times."
        )
    return MethodComparison(
        table=pd.concat(rows, ignore_index=True),
        grid=grid,
        origins=tuple(kept),
        skipped=tuple(skipped),
        methods=tuple(named),
        parameters={
            "train": str(train),
            "test": str(test),
            "cell_size_m": size,
            "bandwidth_m": radius,
            "areas": areas,
        },
    )


def _methods(methods: Any) -> dict[str, Any]:
    items = list(methods.items()) if isinstance(methods, Mapping) else None
    if items is None:
        if isinstance(methods, str) or callable(methods):
            methods = [methods]
        items = []
        for k, method in enumerate(methods):
            name = method if isinstance(method, str) else getattr(method, "__name__", "")
            items.append((name if name and name != "<lambda>" else f"method_{k + 1}", method))
    if not items:
        raise ValueError("`methods` is empty; pass e.g. ['counts', 'prospective'].")
    for name, method in items:
        if isinstance(method, str):
            check_option(method, HotspotMethod, name="methods")
        elif not callable(method):
            raise TypeError(
                f"Method {name!r} must be a built-in name or a function "
                f"f(train_events, grid) -> scores; got {type(method).__name__}."
            )
    named = dict(items)
    if len(named) != len(items):
        raise ValueError("`methods` has duplicate names; pass a mapping to name them.")
    return named


def _period(value: Any, *, name: str) -> pd.Timedelta | pd.DateOffset:
    if isinstance(value, (pd.Timedelta, pd.DateOffset)):
        period = value
    elif isinstance(value, str):
        try:
            period = pd.Timedelta(value)
        except ValueError as error:
            raise ValueError(
                f"`{name}` must be a length of time such as '90D' or '12W', or "
                f"pd.DateOffset(months=3); got {value!r}."
            ) from error
    else:
        raise TypeError(
            f"`{name}` must be a string such as '90D', a pandas Timedelta or DateOffset; "
            f"got {type(value).__name__}."
        )
    reference = pd.Timestamp("2000-01-01")
    if not reference + period > reference:
        raise ValueError(f"`{name}` must be a positive length of time; got {value!r}.")
    return period


def _origins(
    origins: Sequence[Any] | None,
    stamps: pd.Series,
    train: pd.Timedelta | pd.DateOffset,
    test: pd.Timedelta | pd.DateOffset,
    clock: tuple[Any, bool | None],
) -> list[pd.Timestamp]:
    if origins is not None:
        if isinstance(origins, str) or not isinstance(origins, Sequence | pd.Index | np.ndarray):
            raise TypeError(f"`origins` must be a sequence of dates; got {origins!r}.")
        if len(origins) == 0:
            raise ValueError("`origins` is empty; pass at least one date, or None.")
        zone, dayfirst = clock
        stamps_given = require_timestamps(list(origins), name="origins", dayfirst=dayfirst)
        parsed = wall_clock(stamps_given, zone)  # aware origins: on the events' clock
        return list(pd.DatetimeIndex(parsed))
    first, last = stamps.min().normalize(), stamps.max()
    out = []
    origin = first + train
    while origin + test <= last + pd.Timedelta(days=1):  # a few dozen windows
        out.append(origin)
        origin = origin + test
    if not out:
        raise ValueError(
            f"The events span {first.date()} to {last.date()}: too short for a `train` "
            f"window of {train} followed by a `test` window of {test}."
        )
    return out


def _score(
    method: Any,
    train_events: gpd.GeoDataFrame,
    grid: Grid,
    origin: pd.Timestamp,
    radius: float,
    time: str,
) -> NDArray[np.float64]:
    """One score per cell from a built-in method or a user function."""
    if callable(method):
        return np.asarray(method(train_events, grid), dtype=float)
    if method == "counts":
        return count_events(train_events, grid).count.astype(float)
    if method == "prospective":
        result = prospective_hotspots(
            train_events, at=origin, grid=grid, bandwidth_m=radius, time=time
        )
        return np.asarray(result.risk)
    from hotspotlib import hotspots

    function = getattr(hotspots, "kde" if method == "kde" else "gi_star", None)
    if function is None:
        raise ImportError(
            f"The {method!r} method needs `hotspotlib.hotspots.{method}`, which this "
            "installation does not provide; use 'counts' or 'prospective', or pass a "
            "function f(train_events, grid) -> scores."
        )
    if method == "kde":
        frame = function(train_events, grid=grid, bandwidth_m=radius).to_frame()
        return frame["density"].to_numpy(dtype=float)
    counts = count_events(train_events, grid)
    frame = function(
        counts, value="count", spatial_weights="distance_band", distance_m=1.5 * grid.cell_size_m
    ).to_frame()
    z_score = frame["z_score"].to_numpy(dtype=float)
    # Cells without a defined z (e.g. no neighbours) rank last rather than failing.
    lowest = np.nanmin(z_score) if np.isfinite(z_score).any() else 0.0
    return np.where(np.isfinite(z_score), z_score, lowest - 1.0)
