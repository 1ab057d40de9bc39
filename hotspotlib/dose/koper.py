"""The Koper curve: residual deterrence after a patrol visit, by visit length.

Koper (1995) measured, for each police presence at a hot spot, the time from departure
until the next crime or disorder there, and found survival longest after stops of
about 10-15 minutes. This module repeats that survival analysis on measured visits.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_columns,
    require_draws,
    require_increasing,
    require_join,
    require_nonempty,
    require_numbers,
    require_positive,
    require_range,
    require_timestamp,
    require_type,
    require_whole,
    require_within,
    wall_clock,
)
from hotspotlib.dose._pings import describe_extent, event_times
from hotspotlib.dose._survival import cox_hazard_ratios, cox_optimum, departures
from hotspotlib.dose.visits import PatrolVisits
from hotspotlib.hotspots.grid.counts import locate_events

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KoperCurve", "koper_curve"]

_DEFAULT_BINS = (0.0, 1.0, 5.0, 10.0, 15.0, 20.0, np.inf)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class KoperCurve(FrozenResult):
    """Survival after police departures by visit length, and the best visit length.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per visit-length bin ``(lower, upper]`` minutes: ``n_visits``,
        ``n_events``, ``event_within_30_minutes`` (Kaplan-Meier probability of a crime
        within 30 minutes of departure), ``survival_at_follow_up``, and the Cox
        ``hazard_ratio`` against the shortest bin that has events (its ratio is 1),
        with ``ci_low``, ``ci_high`` and ``p_value`` (two-sided Wald).
    departures : pandas.DataFrame
        One row per visit used: place id, ``departure``, ``duration_minutes``,
        ``bin``, ``time_minutes`` (to the event or censoring) and ``event``.
    survival : dict
        Kaplan-Meier curves per bin label: DataFrames of ``minutes`` and ``survival``.
    optimum_minutes : float
        Visit length with the lowest hazard under a Cox model quadratic in length
        (within the 1st-99th percentile of observed lengths).
    optimum_ci : tuple of float
        Percentile bootstrap 95% interval of the optimum (places resampled).
    counts : dict
        Visits joined at midnight, left out (after the end, outside the bins) and
        failed bootstrap fits.
    parameters : dict
        Parameters used.
    notes : tuple of str
        How times and hazard ratios are measured, the optimum and its interval, and
        caveats such as hazard ratios the data cannot estimate.

    See Also
    --------
    koper_curve : Estimate it.

    References
    ----------
    .. [1] Koper (1995). https://doi.org/10.1080/07418829500096231
    """

    _title: ClassVar[str] = "Koper curve: residual deterrence by visit length"

    table: pd.DataFrame
    departures: pd.DataFrame
    survival: dict[str, pd.DataFrame]
    optimum_minutes: float
    optimum_ci: tuple[float, float]
    counts: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Return the table by visit-length bin (a copy)."""
        return self.table.copy()

    def _summary_table(self) -> pd.DataFrame | None:
        return self.table

    def plot(self, ax: Axes | None = None, *, kind: str = "survival", **kwargs: Any) -> Axes:
        """Draw Kaplan-Meier curves by bin (``kind="survival"``) or hazard ratios."""
        from hotspotlib._plotting import get_axes

        check_option(kind, ("survival", "hazard_ratio"), name="kind")
        axes = get_axes(ax, figsize=(7.0, 4.5))
        if kind == "survival":
            for label, curve in self.survival.items():
                if len(curve) < 2:  # a bin with no departures has no curve to draw
                    continue
                axes.step(curve["minutes"], curve["survival"], where="post", label=label, **kwargs)
            axes.set_xlabel("minutes since departure")
            axes.set_ylabel("share with no crime yet")
            axes.legend(title="visit minutes")
        elif kind == "hazard_ratio":
            table = self.table
            spots = np.arange(len(table))
            hr = table["hazard_ratio"].to_numpy()
            error = np.vstack([hr - table["ci_low"], table["ci_high"] - hr])
            axes.errorbar(spots, hr, yerr=error, fmt="o", capsize=3, **kwargs)
            axes.axhline(1.0, color="0.4", linewidth=0.8, linestyle="--")
            axes.set_xticks(spots, table.index)
            axes.set_xlabel("visit minutes")
            axes.set_ylabel("hazard ratio vs shortest visits")
        return axes


def koper_curve(
    visits: PatrolVisits,
    events: gpd.GeoDataFrame,
    *,
    time: str = "timestamp",
    follow_up_minutes: float = 120.0,
    bins: Sequence[float] = _DEFAULT_BINS,
    end: str | pd.Timestamp | None = None,
    n_bootstrap: int = 200,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
    dayfirst: bool | None = None,
) -> KoperCurve:
    """Estimate residual deterrence by visit length (the Koper curve).

    For every departure, the time to the next event at that place is measured,
    censored at the next arrival there, after ``follow_up_minutes`` or at ``end``.
    Visits split at midnight are joined back first. Survival is summarised per
    visit-length bin by Kaplan-Meier (statsmodels ``SurvfuncRight``) and compared with
    the shortest bin with events (usually the "drive-bys"; an earlier bin without
    events gets NaN) by a Cox model stratified by place (statsmodels ``PHReg``). The
    best visit length minimises a Cox log-hazard quadratic in length, with a bootstrap
    CI over places.

    Parameters
    ----------
    visits : PatrolVisits
        From :func:`patrol_visits` (all visits, qualifying or not).
    events : GeoDataFrame
        Crime or disorder events (points in the same CRS) with a timestamp column.
    time : str
        Timestamp column of ``events``.
    follow_up_minutes : float
        Longest follow-up after a departure.
    bins : sequence of float
        Increasing bin edges in minutes, from 0 (``np.inf`` allowed last); bins are
        ``(lower, upper]``.
    end : str or Timestamp, optional
        End of observation; defaults to the last event.
    n_bootstrap : int
        Bootstrap replicates for the optimum's CI (0 to skip).
    rng : int, Generator or None
        Seed or generator for the bootstrap.
    progress : bool
        Show a progress bar over bootstrap replicates.
    dayfirst : bool, optional
        Read slash dates (``end``, ``events[time]``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.
        Aware times are read on their own local clock, like the visits.

    Returns
    -------
    KoperCurve
        Table by bin, survival curves, the optimum and its CI.

    See Also
    --------
    KoperCurve : The returned curve and best visit length.
    patrol_visits : The visits whose departures are followed.
    dose_response : Crime against the daily dose.

    References
    ----------
    .. [1] Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
       behavior by optimizing patrol time in crime hot spots. Justice Quarterly 12(4),
       649-672. https://doi.org/10.1080/07418829500096231
    .. [2] Telep, C. W., Mitchell, R. J. and Weisburd, D. (2014). How much time should the
       police spend at crime hot spots? Answers from a police agency directed randomized
       field trial in Sacramento, California. Justice Quarterly 31(5), 905-933.
    .. [3] Kaplan, E. L. and Meier, P. (1958). Nonparametric estimation from incomplete
       observations. Journal of the American Statistical Association 53(282), 457-481.
       https://doi.org/10.1080/01621459.1958.10501452
    .. [4] Cox, D. R. (1972). Regression models and life-tables. Journal of the Royal
       Statistical Society B 34(2), 187-220.
       https://doi.org/10.1111/j.2517-6161.1972.tb00899.x

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=4_000, days=60, rng=0)
    >>> arrival = pd.date_range("2024-01-01 09:00", periods=300, freq="97min")
    >>> schedule = pd.DataFrame({"officer_id": "A", "hotspot_id": range(300),
    ...     "arrival": arrival, "minutes": [1, 4, 8, 12, 16, 25] * 50})
    >>> schedule["hotspot_id"] %= 20
    >>> sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=1)
    >>> visits = hs.patrol_visits(sim.pings, city.hotspots)
    >>> curve = hs.koper_curve(visits, city.events, n_bootstrap=0)
    >>> curve.table["n_visits"].tolist()
    [50, 50, 50, 50, 50, 50]
    """
    require_type(
        visits, PatrolVisits, name="visits", expected="a PatrolVisits result from `patrol_visits`"
    )
    require_columns(events, [time], name="events")
    follow_up = require_positive(follow_up_minutes, name="follow_up_minutes")
    edges = _edges(bins)
    require_draws(n_bootstrap, name="n_bootstrap", usual=200)
    generator = as_rng(rng)
    require_nonempty(visits.visits, name="visits.visits", fix="there is no departure to follow up.")
    position, stamps, stop = _events_at_places(visits, events, time, end, dayfirst)
    _require_follow_up(visits, stamps[position >= 0], stop, follow_up, time)
    frame, counts = departures(visits, position, stamps, stop, follow_up, edges)
    require_nonempty(
        frame,
        name="departures",
        fix="no departure is left to analyse: check `end`, `bins` and that visits and "
        "events overlap in time.",
    )
    labels = _labels(edges)
    table = _km_table(frame, labels, follow_up)
    survival = _curves(frame, labels)
    ratios, notes = cox_hazard_ratios(frame, len(labels))
    for column in ratios.columns:
        table[column] = ratios[column].to_numpy()
    optimum, ci, failed = cox_optimum(frame, n_bootstrap, generator, progress)
    counts["n_failed_bootstrap_fits"] = failed
    return KoperCurve(
        table=table,
        departures=frame.assign(bin=pd.Categorical.from_codes(frame["bin"], labels)),
        survival=survival,
        optimum_minutes=optimum,
        optimum_ci=ci,
        counts=counts,
        parameters={
            "follow_up_minutes": follow_up,
            "bins": tuple(float(e) for e in edges),
            "end": str(pd.Timestamp(stop)),
            "n_bootstrap": int(n_bootstrap),
        },
        notes=(*_NOTES, _optimum_note(optimum, ci), *notes),
    )


_NOTES = (
    "Time from each departure to the next event at the place, censored at the "
    "next arrival, the follow-up limit or the end of observation.",
    "Bins are (lower, upper] minutes; hazard ratios from a Cox model "
    "stratified by place (Breslow ties) against the shortest bin that has "
    "events (ratio 1).",
    "The optimum minimises a Cox log-hazard quadratic in visit length; its CI "
    "is a percentile bootstrap over places.",
)


def _optimum_note(optimum: float, ci: tuple[float, float]) -> str:
    """Say the best visit length and its bootstrap interval in words."""
    low, high = ci
    return f"optimum_minutes = {optimum:.1f}, 95% bootstrap CI ({low:.1f}, {high:.1f})."


def _events_at_places(
    visits: PatrolVisits,
    events: gpd.GeoDataFrame,
    time: str,
    end: Any,
    dayfirst: bool | None,
) -> tuple[NDArray[np.int64], NDArray[np.datetime64], np.datetime64]:
    """Locate events in the places and read their times; the end of observation."""
    position = locate_events(events, visits.grid if visits.grid is not None else visits.places)
    stamps = event_times(events, time, dayfirst)
    stop = stamps.max()
    if end is not None:
        stop = wall_clock(require_timestamp(end, name="end", dayfirst=dayfirst)).to_datetime64()
    require_join(
        describe_extent(events.geometry.get_coordinates().to_numpy()),
        describe_extent(visits.places.total_bounds.reshape(2, 2)),
        left="events",
        right="visits.places",
        matched=position >= 0,
        what="events",
        share=1,
    )
    return position, stamps, stop


def _require_follow_up(
    visits: PatrolVisits, stamps: Any, stop: Any, follow_up: float, time: str
) -> None:
    """Refuse events none of which falls in the follow-up after the visits (or before end)."""
    first_arrival = visits.visits["arrival"].min()
    follow = pd.Timedelta(minutes=follow_up)
    last_watch = min(visits.visits["departure"].max() + follow, pd.Timestamp(stop))
    require_range(
        (pd.Timestamp(stop) - first_arrival) / pd.Timedelta(minutes=1),
        name="end - first arrival (minutes)",
        low=0,
        low_open=True,
        fix=f"No departure is left to analyse: `end` ({pd.Timestamp(stop)}) is not after "
        f"the first arrival ({first_arrival}).",
    )
    require_join(
        pd.Series(stamps),
        pd.Series([first_arrival, last_watch]),
        left=f"events[{time!r}]",
        right="the follow-up of the visits",
        what="events",
        matched=(stamps > first_arrival.to_datetime64()) & (stamps <= last_watch.to_datetime64()),
        share=1,
    )


def _edges(bins: Sequence[float]) -> NDArray[np.float64]:
    """Return the bin edges: at least three, increasing from >= 0 (only the last may be inf)."""
    fix = "Give at least three increasing edges in minutes from 0, e.g. (0, 5, 10, np.inf)."
    edges = require_numbers(bins, name="bins", fix=fix)
    require_whole(edges.size, name="len(bins)", minimum=3, fix=fix)
    require_increasing(edges[:-1], name="bins", fix=fix)
    require_within(edges[:1], name="bins", low=0, fix=fix)
    require_range(edges[-1], name="bins[-1]", low=edges[-2], low_open=True, fix=fix)
    return edges


def _labels(edges: NDArray[np.float64]) -> list[str]:
    return [
        f"{lo:g}+" if np.isinf(hi) else f"{lo:g}-{hi:g}"
        for lo, hi in zip(edges[:-1], edges[1:], strict=True)
    ]


def _kaplan_meier(part: pd.DataFrame) -> Any:
    from statsmodels.duration.survfunc import SurvfuncRight  # slow to import: on use

    return SurvfuncRight(part["time_minutes"].to_numpy(), part["event"].to_numpy())


def _km_table(frame: pd.DataFrame, labels: list[str], follow_up: float) -> pd.DataFrame:
    rows = []
    for code, label in enumerate(labels):  # a handful of bins
        part = frame[frame["bin"] == code]
        row = {"bin": label, "n_visits": len(part), "n_events": int(part["event"].sum())}
        row["event_within_30_minutes"] = np.nan
        row["survival_at_follow_up"] = np.nan
        if len(part):
            km = _kaplan_meier(part)
            row["event_within_30_minutes"] = 1.0 - _survival_at(km, 30.0)
            row["survival_at_follow_up"] = _survival_at(km, follow_up)
        rows.append(row)
    return pd.DataFrame(rows).set_index("bin")


def _survival_at(km: Any, minutes: float) -> float:
    times = np.asarray(km.surv_times)
    before = np.flatnonzero(times <= minutes)
    return float(km.surv_prob[before[-1]]) if len(before) else 1.0


def _curves(frame: pd.DataFrame, labels: list[str]) -> dict[str, pd.DataFrame]:
    curves = {}
    for code, label in enumerate(labels):
        part = frame[frame["bin"] == code]
        if len(part) == 0:
            continue
        km = _kaplan_meier(part)
        curves[label] = pd.DataFrame(
            {
                "minutes": np.concatenate([[0.0], km.surv_times]),
                "survival": np.concatenate([[1.0], km.surv_prob]),
            }
        )
    return curves
