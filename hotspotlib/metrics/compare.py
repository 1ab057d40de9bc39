"""Compare hot-spot methods by how well last period's map predicts the next period."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._options import AreaMeasure, HotspotMethod
from hotspotlib._validation import (
    check_option,
    data_end,
    require_days,
    require_points,
    require_positive,
    require_same_crs,
    require_type,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import count_events
from hotspotlib.hotspots.grid.make import make_grid
from hotspotlib.metrics._evaluation_inputs import local_times, name_methods, parse_origins
from hotspotlib.metrics._ranking import TIE_RULES, Ties
from hotspotlib.metrics._rolling import Windows, run_origins
from hotspotlib.metrics.accuracy import DEFAULT_COVERAGES
from hotspotlib.metrics.prospective import prospective_hotspots

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MethodComparison", "compare_methods"]

ScoreFunction: TypeAlias = Callable[[gpd.GeoDataFrame, Grid], ArrayLike]
Period: TypeAlias = str | pd.Timedelta | pd.DateOffset


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
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
    parameters : Mapping
        Read-only: settings used (train and test lengths, cell size, bandwidth ...).
    counts : Mapping
        Read-only: origins asked, evaluated and skipped (in all, and by reason:
        ``n_origins_no_training``, ``n_origins_past_end``, ``n_origins_no_test_event``);
        events, events outside the cells, and test events used.
    notes : tuple of str
        The protocol and the skipped origins.

    See Also
    --------
    compare_methods : Compute one.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    """

    _title: ClassVar[str] = "Comparison of hot-spot methods (rolling origin)"

    table: pd.DataFrame
    grid: Grid
    origins: tuple[pd.Timestamp, ...]
    skipped: tuple[str, ...]
    methods: tuple[str, ...]
    parameters: Mapping[str, Any]
    counts: Mapping[str, int]
    notes: tuple[str, ...]

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

    def _summary_table(self) -> pd.DataFrame:
        return self.mean().round(4)

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
    coverage: float | ArrayLike = DEFAULT_COVERAGES,
    cell_size_m: float,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    origins: Sequence[str | pd.Timestamp] | None = None,
    time: str = "timestamp",
    bandwidth_m: float = 400.0,
    areas: AreaMeasure = "area",
    ties: Ties = "expected",
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
        ``"kde"`` (:func:`hotspotlib.kde` density) and ``"gi_star"``
        (:func:`hotspotlib.gi_star` z-scores of the counts, neighbours within 1.5
        cells).
    train, test : str, Timedelta or DateOffset
        Window lengths, e.g. ``"90D"``, ``"12W"`` or ``pd.DateOffset(months=3)``.
    coverage : float or sequence of float
        Share(s) of the area searched, in (0, 1].
    cell_size_m : float
        Side of the square cells every method is scored on.
    area : GeoDataFrame or GeoSeries, optional
        Study area for the grid (the events' bounding box when omitted).
    origins : sequence of dates, optional
        Forecast origins. By default, one every ``test`` from the first event plus
        ``train`` while the test window ends by the last event. An origin is skipped
        (counted and told in the notes) when no training event precedes it, when its
        test window runs past the last event's day, or when the test window holds no
        event inside the cells.
    time : str
        Column with the event times.
    bandwidth_m : float
        Bandwidth of the ``"kde"`` and ``"prospective"`` built-ins, in metres.
    areas : {"area", "equal"}
        Cell sizes for coverage (see :func:`accuracy_curve`).
    ties : {"expected", "conservative"}
        Tied scores at the edge of a coverage (see :func:`accuracy_curve`): their share
        of the tied cells' events (``"expected"``), or fewest events first.
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
    TypeError
        For methods that are neither built-in names nor functions, or window lengths
        that are not lengths of time.

    See Also
    --------
    hotspotlib.metrics.rolling_evaluation : Any forecast function, with bootstrap
        intervals over origins.
    hotspotlib.metrics.accuracy_curve : The metrics at one origin.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=4)
    >>> result = compare_methods(city.events, methods=["counts", "prospective"],
    ...                          train="90D", test="30D", cell_size_m=400,
    ...                          area=city.boundary, coverage=[0.05])
    >>> sorted(result.table["method"].unique())
    ['counts', 'prospective']
    >>> len(result.origins)
    9
    """
    require_points(events, name="events")
    size = require_positive(cell_size_m, name="cell_size_m")
    radius = require_positive(bandwidth_m, name="bandwidth_m")
    check_option(areas, AreaMeasure, name="areas")
    check_option(ties, TIE_RULES, name="ties")
    named = name_methods(
        methods,
        expected="a built-in name or a function f(train_events, grid) -> scores",
        builtins=HotspotMethod,
        example="['counts', 'prospective']",
    )
    train_len, test_len = _period(train, name="train"), _period(test, name="test")
    events, stamps, zone = local_times(events, time, dayfirst)
    if area is not None:
        require_same_crs(area, events, names=("area", "events"))
    grid = make_grid(area if area is not None else events, cell_size_m=size)
    ending = data_end(stamps, frame=events, column=time)  # months: the month after the last
    if origins is None:
        starts = _default_origins(stamps, train_len, test_len, ending)
    else:
        starts = parse_origins(origins, zone, dayfirst)
    in_days = [f"`{n}`={v!r}" for n, v in (("train", train), ("test", test)) if not _months(v)]
    require_days(
        stamps, name=f"events[{time!r}]", frame=events, column=time, origin=starts,
        daily=None if not in_days else f"windows of days ({', '.join(in_days)}) begin and "
        "end inside months, so origins drift through the months and a window holds one "
        "month or another. Pass whole months, e.g. `train=pd.DateOffset(months=3)`, "
        "`test=pd.DateOffset(months=1)`",
    )  # fmt: skip

    def score(name: str, method: Any, train_events: Any, origin: pd.Timestamp) -> Any:
        return _score(method, train_events, grid, origin, radius, time)

    run = run_origins(
        events,
        grid,
        stamps=stamps,
        starts=starts,
        windows=Windows(train_len, test_len, ending),
        methods=named,
        score=score,
        accuracy={"coverage": coverage, "areas": areas, "ties": ties, "with_train": True},
        progress=progress,
        hint=f"A `train` window of {train} followed by a `test` window of {test} must fit "
        "in the data; check `train`, `test`, `origins` and the event times.",
    )
    return MethodComparison(
        table=run.table,
        grid=grid,
        origins=run.kept,
        skipped=run.skipped,
        methods=tuple(named),
        parameters={
            "train": str(train),
            "test": str(test),
            "cell_size_m": size,
            "bandwidth_m": radius,
            "areas": areas,
            "ties": ties,
            "methods": ", ".join(named),
        },
        counts={"n_origins_asked": len(starts), "n_origins": len(run.kept), **run.counts},
        notes=(
            "Each origin: methods score the cells from the training window before it; "
            "the test window after it is predicted. Metrics as in accuracy_curve.",
            "Rows are averaged over origins (pooled_hit_rate pools hits and events).",
            *(f"Skipped origin {reason}" for reason in run.skipped),
        ),
    )


def _period(value: Any, *, name: str) -> pd.Timedelta | pd.DateOffset:
    """Read a window length: a string such as '90D', a Timedelta or a DateOffset, > 0."""
    require_type(
        value,
        (str, pd.Timedelta, pd.DateOffset),
        name=name,
        expected="a length of time such as '90D' or '12W', a pandas Timedelta or "
        "pd.DateOffset(months=3)",
    )
    try:
        period = pd.Timedelta(value) if isinstance(value, str) else value
        reference = pd.Timestamp("2000-01-01")
        positive = reference + period > reference
    except ValueError:
        positive = False
    if not positive:
        raise ValueError(
            f"`{name}` must be a positive length of time such as '90D' or '12W', or "
            f"pd.DateOffset(months=3); got {value!r}."
        )
    return period


def _months(period: Any) -> bool:
    """Whether a window length is whole months (``pd.DateOffset(months=k)``, no days)."""
    if not isinstance(period, pd.DateOffset):
        return False
    kwds = dict(getattr(period, "kwds", {}))
    return set(kwds) <= {"months", "years"} and bool(kwds) and int(getattr(period, "n", 1)) == 1


def _default_origins(
    stamps: pd.Series,
    train: pd.Timedelta | pd.DateOffset,
    test: pd.Timedelta | pd.DateOffset,
    end: pd.Timestamp,
) -> list[pd.Timestamp]:
    """One origin every ``test`` after the first training window, while the test ends by ``end``."""
    first = stamps.min().normalize()
    out = []
    origin = first + train
    while origin + test <= end:  # a few dozen windows
        out.append(origin)
        origin = origin + test
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
            train_events, origin=origin, grid=grid, bandwidth_m=radius, time=time
        )
        return np.asarray(result.risk)
    from hotspotlib.hotspots import gi_star, kde

    if method == "kde":
        frame = kde(train_events, grid=grid, bandwidth_m=radius).to_frame()
        return frame["density"].to_numpy(dtype=float)
    counts = count_events(train_events, grid)
    frame = gi_star(
        counts, value="count", spatial_weights="distance_band", distance_m=1.5 * grid.cell_size_m
    ).to_frame()
    z_score = frame["z_score"].to_numpy(dtype=float)
    # Cells without a defined z (e.g. no neighbours) rank last rather than failing.
    lowest = np.nanmin(z_score) if np.isfinite(z_score).any() else 0.0
    return np.where(np.isfinite(z_score), z_score, lowest - 1.0)
