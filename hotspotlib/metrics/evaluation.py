"""Rolling-origin evaluation of forecast methods, with a bootstrap over origins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    as_rng,
    check_option,
    data_end,
    require_draws,
    require_month_windows,
    require_positive,
    require_probability,
    require_timestamp,
    wall_clock,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.metrics._evaluation_inputs import (
    ForecastMethod,
    local_times,
    name_methods,
    parse_origins,
    per_cell,
)
from hotspotlib.metrics._inputs import as_share
from hotspotlib.metrics._origin_bootstrap import METRICS, origin_means
from hotspotlib.metrics._ranking import TIE_RULES, Ties
from hotspotlib.metrics._rolling import SKIP_REASONS, OriginRun, Windows, run_origins

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RollingEvaluation", "rolling_evaluation"]

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class RollingEvaluation(FrozenResult):
    """Accuracy of forecast methods over rolling origins, with bootstrap intervals.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per method x origin x coverage: ``method``, ``origin``, ``coverage``,
        ``area_share``, ``n_cells``, ``hits``, ``n_events``, ``hit_rate``, ``pai``, ``pei``
        (as :func:`~hotspotlib.metrics.accuracy_curve` computes them).
    means : pandas.DataFrame
        One row per method x coverage: the mean of each metric over origins, its
        standard deviation across origins (``*_sd``), a percentile bootstrap interval
        over origins (``*_ci_low``, ``*_ci_high``), ``rank`` (1 = highest mean hit rate
        at that coverage) and ``p_best`` (share of bootstrap resamples in which the
        method has the highest mean hit rate).
    grid : Grid or GeoDataFrame
        The cells every method scored.
    methods : tuple of str
        Method names, in the order given.
    origins : tuple of Timestamp
        Origins evaluated.
    parameters : Mapping
        Read-only: every input and automatic choice.
    counts : Mapping
        Read-only: origins asked, evaluated and skipped (in all, and by reason:
        ``n_origins_no_training``, ``n_origins_past_end``, ``n_origins_no_test_event``);
        events, events outside the cells, and test events used.
    notes : tuple of str
        Conventions and skipped origins.

    See Also
    --------
    rolling_evaluation : Compute one.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    """

    table: pd.DataFrame
    means: pd.DataFrame
    grid: Grid | gpd.GeoDataFrame
    methods: tuple[str, ...]
    origins: tuple[pd.Timestamp, ...]
    parameters: Mapping[str, Any]
    counts: Mapping[str, int]
    notes: tuple[str, ...]

    _title: ClassVar[str] = "Rolling-origin evaluation of forecast methods"

    def __repr__(self) -> str:
        best = self.means.sort_values(["coverage", "rank"]).iloc[0]
        return (
            f"RollingEvaluation(methods={len(self.methods)}, origins={len(self.origins)}, "
            f"n_coverage={self.means['coverage'].nunique()}, best={best['method']!r} "
            f"(hit_rate={best['hit_rate']:.4g} at coverage {best['coverage']:g}))"
        )

    def to_frame(self) -> pd.DataFrame:
        """Return the per-origin table (a copy), one row per method x origin x coverage."""
        return self.table.copy()

    def _summary_table(self) -> pd.DataFrame:
        columns = ["method", "coverage", "rank", "p_best", "hit_rate", "hit_rate_ci_low"]
        columns += ["hit_rate_ci_high", "hit_rate_sd", "pai", "pei"]
        return self.means[columns].round(4)

    def plot(self, ax: Axes | None = None, *, metric: str = "hit_rate", **kwargs: Any) -> Axes:
        """Plot a metric's mean against coverage, one line per method, with bootstrap bars."""
        from hotspotlib._plotting import get_axes

        check_option(metric, METRICS, name="metric")
        axes = get_axes(ax)
        for name in self.methods:  # a handful of methods
            rows = self.means[self.means["method"] == name]
            rows = rows[np.isfinite(rows[metric].to_numpy())]  # undrawable; matplotlib 3.7 warns
            mean = rows[metric].to_numpy()
            errors = np.vstack(
                [mean - rows[f"{metric}_ci_low"].to_numpy(), rows[f"{metric}_ci_high"] - mean]
            )
            axes.errorbar(
                rows["coverage"], mean, yerr=errors, marker="o", capsize=3, label=name, **kwargs
            )
        axes.set_xlabel("coverage (share of area searched)")
        axes.set_ylabel(f"mean {metric.replace('_', ' ')} over origins")
        axes.legend()
        return axes


def rolling_evaluation(
    events: gpd.GeoDataFrame,
    grid: Grid | gpd.GeoDataFrame,
    *,
    methods: Mapping[str, ForecastMethod] | Sequence[ForecastMethod],
    time: str = "timestamp",
    origins: Sequence[Any] | pd.DatetimeIndex,
    test_days: float = 28,
    train_days: float | None = None,
    coverage: float | ArrayLike = (0.01, 0.05),
    areas: str = "area",
    ties: Ties = "expected",
    n_bootstrap: int = 999,
    confidence: float = 0.95,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
    end: Any = None,
    dayfirst: bool | None = None,
) -> RollingEvaluation:
    """Evaluate forecast methods at rolling origins: hit rate, PAI and PEI, with intervals.

    At each origin ``t`` every method gets the training events (all events before
    ``t``, or the last ``train_days``) and ``t`` itself, and returns one score per cell;
    the scores are judged on the test events in ``[t, t + test_days)`` by
    :func:`~hotspotlib.metrics.accuracy_curve`.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the grid's projected CRS, with a time column.
    grid : Grid or GeoDataFrame
        The cells the methods score (e.g. from :func:`hotspotlib.make_grid`).
    methods : mapping or sequence of callables
        Functions ``f(training_events, origin) -> scores``, named by the mapping's keys
        (or by their ``__name__``). ``scores`` is one value per cell (array or Series
        indexed by cell id), or a result holding them: anything with a ``scores``
        attribute (e.g. :class:`hotspotlib.forecast.ForecastSurface`), an
        :class:`~hotspotlib.hotspots.grid.counts.EventCounts`, or, on a Grid, a
        :class:`~hotspotlib.DensitySurface` on its lattice (``hs.kde(train, grid=grid)``).
    time : str
        Column of ``events`` with the event times.
    origins : sequence of dates
        Forecast origins, e.g. ``pd.date_range("2017-01-01", periods=12, freq="MS")``.
    test_days : float
        Length of each test window in days.
    train_days : float, optional
        Give methods only the last ``train_days`` before each origin (all past events
        when omitted).
    coverage : float or sequence of float
        Share(s) of the area searched, in (0, 1].
    areas : {"area", "equal"}
        Cell sizes for coverage (see :func:`accuracy_curve`).
    ties : {"expected", "conservative"}
        Tied scores at the edge of a coverage (see :func:`accuracy_curve`): their share
        of the tied cells' events (``"expected"``), or fewest events first.
    n_bootstrap : int
        Bootstrap resamples of the origins (0 for none: the intervals are NaN).
    confidence : float
        Level of the percentile intervals, in (0, 1).
    rng : int or numpy.random.Generator, optional
        Seed for the bootstrap; the same seed gives the same result.
    progress : bool
        Show a progress bar over origins.
    end : date or time, optional
        End of the data (exclusive): an origin counts only if ``[t, t + test_days)``
        ends by it. Default: the day after the last event, or the month after the last
        month when the times are months (police.uk's ``Month``; origins must be 1sts).
    dayfirst : bool, optional
        Read slash dates (``events[time]``, ``origins``, ``end``) day-first (UK) or
        month-first; None lets the data settle it and refuses dates that could be
        either.

    Returns
    -------
    RollingEvaluation
        Per-origin table, means with bootstrap intervals, and the ranking.

    Raises
    ------
    ValueError
        For no methods, duplicate names, bad origins, ``end``, ``test_days``,
        ``train_days``, ``coverage``, ``n_bootstrap`` or ``confidence``, events all
        outside the cells, scores of the wrong length, or no origin with training events
        and a whole test window holding events in the cells.
    TypeError
        For methods that are not functions, or origins that are not a sequence.

    See Also
    --------
    hotspotlib.metrics.accuracy_curve : The metrics at one origin.
    hotspotlib.metrics.compare_methods : Built-in map methods on fixed training windows.
    hotspotlib.forecast.recency_counts : A forecast method to plug in.

    Notes
    -----
    Metrics follow :func:`accuracy_curve`: whole cells are taken, highest score first,
    while their area share stays within the coverage; cells with tied scores share their
    test events in proportion to the area taken from them (``ties="expected"``), so
    counts, whose scores tie in large groups, are compared fairly with tie-free
    surfaces. The bootstrap resamples origins with replacement, the same resample for
    every method (paired), so ``p_best`` and the intervals reflect variation across test
    windows, not within them; a resample in which several methods tie for the highest
    mean hit rate shares its win equally among them, so ``p_best`` sums to 1 over
    methods at each coverage.

    An origin is skipped, counted in ``counts`` and listed in the notes when no
    training event precedes it (``n_origins_no_training``), when its test window runs
    past the end of the data (``n_origins_past_end``: a shorter window would hold
    fewer events and not be comparable with the others), or when its test window
    holds no event inside the cells (``n_origins_no_test_event``).

    Time-zone-aware event times (and origins, and ``end``) are read on the events'
    local wall clock, as everywhere in the package; the methods get training events
    whose time column holds these local times, and naive origins.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.

    Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the modifiable
    areal unit problem and modifiable temporal unit problem on crime hot spot
    stability. PhD thesis, American University (PEI).

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=4)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=400)
    >>> def counts(train, origin):
    ...     return hs.count_events(train, grid)
    >>> def recent(train, origin):
    ...     return hs.recency_counts(train, grid, origin=origin, half_life_days=30)
    >>> result = rolling_evaluation(
    ...     city.events, grid, methods={"counts": counts, "recent": recent},
    ...     origins=pd.date_range("2024-07-01", periods=4, freq="MS"), rng=1)
    >>> result.to_frame().shape[0]  # 2 methods x 4 origins x 2 coverages
    16
    >>> sorted(result.means["rank"].unique().tolist())
    [1, 2]
    """
    named = name_methods(
        methods,
        expected="a function f(training_events, origin) -> scores",
        example="{'counts': f, 'recency': g}",
    )
    events, stamps, zone = local_times(events, time, dayfirst)
    starts = parse_origins(origins, zone, dayfirst)
    last = data_end(stamps, frame=events, column=time)  # month-stamped: the month after
    windows = _windows(last, test_days, train_days, end, zone, dayfirst)
    require_month_windows(
        stamps, name=f"events[{time!r}]", origins=starts, frame=events, column=time,
        ahead={"test_days": windows.test / _DAY},
        back={"train_days": None if windows.train is None else windows.train / _DAY},
    )  # fmt: skip
    shares = as_share(coverage, name="coverage")
    check_option(areas, ("area", "equal"), name="areas")
    check_option(ties, TIE_RULES, name="ties")
    n_boot = require_draws(n_bootstrap, name="n_bootstrap")
    level = require_probability(confidence, name="confidence")
    generator = as_rng(rng)

    def score(name: str, method: Any, train: gpd.GeoDataFrame, origin: pd.Timestamp) -> Any:
        return per_cell(method(train, origin), name=name, grid=grid)

    run = run_origins(
        events,
        grid,
        stamps=stamps,
        starts=starts,
        windows=windows,
        methods=named,
        score=score,
        accuracy={"coverage": shares, "areas": areas, "ties": ties},
        progress=progress,
        hint="Check `origins` and `test_days`.",
    )
    columns = ["method", "origin", "coverage", "area_share", "n_cells", "hits", "n_events"]
    table = run.table[[*columns, *METRICS]]
    parameters = {
        "time": time,
        "test_days": windows.test / _DAY,
        "end": windows.end,
        "train_days": None if windows.train is None else windows.train / _DAY,
        "coverage": tuple(float(s) for s in shares),
        "areas": areas,
        "ties": ties,
        "n_bootstrap": n_boot,
        "confidence": level,
        "methods": ", ".join(named),
        "first_origin": run.kept[0],
        "last_origin": run.kept[-1],
    }
    return RollingEvaluation(
        table=table,
        means=origin_means(table, tuple(named), generator, n_boot, level),
        grid=grid,
        methods=tuple(named),
        origins=run.kept,
        parameters=parameters,
        counts=_counts(run, n_asked=len(starts)),
        notes=_notes(run, windows.end, level, n_boot),
    )


def _windows(
    last: pd.Timestamp,
    test_days: float,
    train_days: float | None,
    end: Any,
    zone: Any,
    dayfirst: bool | None,
) -> Windows:
    """Return the test and training windows and the end of the data (``last`` by default)."""
    ending = (
        last
        if end is None
        else wall_clock(require_timestamp(end, name="end", dayfirst=dayfirst), zone)
    )
    test_span = pd.Timedelta(days=require_positive(test_days, name="test_days"))
    train_span = (
        None
        if train_days is None
        else pd.Timedelta(days=require_positive(train_days, name="train_days"))
    )
    return Windows(train=train_span, test=test_span, end=ending)


def _counts(run: OriginRun, *, n_asked: int) -> dict[str, int]:
    """Count the events and the origins asked, evaluated and skipped (by reason)."""
    return {
        "n_events": run.counts["n_events"],
        "n_events_outside": run.counts["n_events_outside"],
        "n_origins_asked": n_asked,
        "n_origins": len(run.kept),
        "n_origins_skipped": len(run.skipped),
        **{reason: run.counts[reason] for reason in SKIP_REASONS},
        "n_test_events": run.counts["n_test_events"],
    }


def _notes(run: OriginRun, data_end: pd.Timestamp, level: float, n_boot: int) -> tuple[str, ...]:
    """Say in words: the protocol, the metrics, the intervals and every skipped origin."""
    notes = [
        "Each origin: methods see only events before it; the next test_days are predicted.",
        "hit_rate = n/N; PAI = (n/N)/(a/A) (Chainey et al. 2008); PEI = n/n* (Hunt 2016); "
        "whole cells, tied scores as in accuracy_curve (parameters['ties']).",
        f"Intervals: {level:.0%} percentile bootstrap over origins ({n_boot} paired "
        "resamples); *_sd is the spread across origins.",
    ]
    if run.counts["n_origins_past_end"]:
        notes.append(
            f"{run.counts['n_origins_past_end']} origins were skipped because their test "
            f"window runs past the end of the data ({data_end}): a shortened window would "
            "not be comparable with the others."
        )
    if run.counts["n_origins_no_test_event"]:
        notes.append(
            f"{run.counts['n_origins_no_test_event']} origins were skipped because their "
            "test window holds no event inside the cells (nothing to judge)."
        )
    notes += [f"Skipped origin {reason}" for reason in run.skipped]
    return tuple(notes)
