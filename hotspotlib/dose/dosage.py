"""From visits to a place x day dosage panel, with compliance against an assignment."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    check_option,
    require_join,
    require_known,
    require_polygons,
    require_range,
    require_timestamp,
    require_type,
    require_unique,
    wall_clock,
)
from hotspotlib.dose._dosage_inputs import add_events, read_assignment
from hotspotlib.dose.visits import PatrolVisits
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DosagePanel", "dosage_panel"]

_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class DosagePanel(FrozenResult):
    """Patrol dose per place and day.

    Attributes
    ----------
    panel : pandas.DataFrame
        One row per place and day (place-major): the place id column, ``date``,
        ``n_visits``, ``n_qualifying_visits``, ``n_koper_visits``, ``patrol_minutes``,
        ``officer_minutes``, ``longest_visit_minutes``, ``first_arrival``,
        ``last_departure`` and ``days_since_last_visit`` (days since the last
        qualifying visit, 0 on a day with one, NaN before the first); with an
        assignment also ``treated`` (nullable boolean; NA where unassigned) and
        ``delivered`` (at least one qualifying visit); with events ``count`` (and
        the summed weight).
    place_column : str
        Name of the place id column.
    start, end : pandas.Timestamp
        The days covered, ``[start, end)``.
    by_arm : pandas.DataFrame or None
        With an assignment: place-days, share delivered and mean dose per arm.
    compliance : float
        Share of treated place-days with a qualifying visit (NaN without an assignment).
    background_patrol_minutes : float
        Mean patrol minutes on control place-days (NaN without an assignment).
    counts : dict
        Place-days, the share with a qualifying visit, mean patrol and officer minutes,
        compliance and background dose (with an assignment), visits outside the period,
        assignment rows outside the period, events outside every place or the period.
    parameters : dict
        Parameters used.
    notes : tuple of str
        The day convention, what compliance means and visits outside the period.

    See Also
    --------
    dosage_panel : Build one.

    References
    ----------
    .. [1] Ariel, Weinborn and Sherman (2016). https://doi.org/10.1007/s11292-016-9260-4
    """

    _title: ClassVar[str] = "Dosage panel"

    panel: pd.DataFrame
    place_column: str
    start: pd.Timestamp
    end: pd.Timestamp
    by_arm: pd.DataFrame | None
    compliance: float
    background_patrol_minutes: float
    counts: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the panel (a copy)."""
        return self.panel.copy()

    def _summary_table(self) -> pd.DataFrame | None:
        return self.by_arm

    @property
    def notes(self) -> tuple[str, ...]:
        """The day convention, what compliance means and visits outside the period."""
        notes = ["Days run [start, end) in local time; visits were split at midnight."]
        if self.by_arm is not None:
            notes.append(
                "compliance = share of treated place-days with at least one qualifying "
                "visit (Southend reported 98%); background = mean patrol minutes on "
                "control place-days."
            )
        if self.counts.get("n_visits_outside_period"):
            notes.append(
                f"{self.counts['n_visits_outside_period']} visits fall outside the period; "
                "qualifying ones before it still count for days_since_last_visit."
            )
        return tuple(notes)

    def plot(
        self, ax: Axes | None = None, *, column: str = "patrol_minutes", **kwargs: Any
    ) -> Axes:
        """Draw ``column`` as a place x day heat map."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(9.0, 5.0))
        n_places = self.panel[self.place_column].nunique()
        values = self.panel[column].to_numpy(dtype=float).reshape(n_places, -1)
        kwargs.setdefault("cmap", "viridis")
        kwargs.setdefault("aspect", "auto")
        kwargs.setdefault("interpolation", "nearest")
        image = axes.imshow(values, **kwargs)
        axes.figure.colorbar(image, ax=axes, label=column.replace("_", " "))
        axes.set_xlabel(f"day since {self.start.date()}")
        axes.set_ylabel("place (panel order)")
        return axes


def dosage_panel(
    visits: PatrolVisits,
    places: Grid | gpd.GeoDataFrame | None = None,
    *,
    start: str | pd.Timestamp,
    end: str | pd.Timestamp,
    freq: str = "D",
    assignment: pd.DataFrame | None = None,
    events: gpd.GeoDataFrame | None = None,
    time: str = "timestamp",
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    dayfirst: bool | None = None,
) -> DosagePanel:
    """Aggregate visits into a place x day panel of patrol dose.

    Parameters
    ----------
    visits : PatrolVisits
        From :func:`patrol_visits`.
    places : Grid or GeoDataFrame, optional
        The places in the panel (all of them, visited or not); defaults to
        ``visits.places``. Every visited place must be among them.
    start, end : str or Timestamp
        First day and the day after the last (``[start, end)``).
    freq : {"D"}
        Panel period; only days for now (visits are split at midnight).
    assignment : DataFrame, optional
        Randomised assignment with the place id column, ``date`` and ``treated``
        (bool or 0/1), e.g. from a crossover trial. Adds ``treated`` and
        ``delivered`` columns, compliance and background dose.
    events : GeoDataFrame, optional
        Crime events (points, same CRS) to count per place-day as ``count``, the
        outcome for :func:`dose_response`.
    time : str
        Timestamp column of ``events``.
    weights : str or array-like, optional
        A weight of ``events`` to sum per place-day as well (e.g. ``"harm"``; needs
        ``events``); the column is named after it (``"weight_sum"`` for an array).
    dayfirst : bool, optional
        Read slash dates (``start``, ``end``, ``assignment['date']``, ``events[time]``)
        day-first (UK) or month-first; None lets the data settle it (refusing dates that
        could be either). Days are local calendar days (aware times on their own clock).

    Returns
    -------
    DosagePanel
        The panel; ``.to_frame()`` gives one row per place and day.

    See Also
    --------
    patrol_visits : The visits to aggregate.
    dose_response : Fit crime against the dose.

    References
    ----------
    .. [1] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots.
       J. Exp. Criminol. 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_000, rng=0)
    >>> schedule = pd.DataFrame({"officer_id": ["A", "A"], "hotspot_id": [0, 1],
    ...     "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"]),
    ...     "minutes": [15, 10]})
    >>> sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=1)
    >>> visits = hs.patrol_visits(sim.pings, city.hotspots)
    >>> panel = hs.dosage_panel(visits, start="2024-01-01", end="2024-01-04")
    >>> panel.to_frame().query("hotspot_id < 2")["patrol_minutes"].tolist()
    [15.0, 0.0, 0.0, 0.0, 10.0, 0.0]
    """
    require_type(
        visits, PatrolVisits, name="visits", expected="a PatrolVisits result from `patrol_visits`"
    )
    check_option(freq, ("D",), name="freq")
    if weights is not None:
        require_type(
            events,
            gpd.GeoDataFrame,
            name="events",
            expected="a GeoDataFrame of crimes when `weights` is given (the weights are "
            "summed over events); pass `events=` or drop `weights`",
        )
    cells = visits.places if places is None else _cells(places)
    column = place_column(cells)
    first_day, stop = _period(start, end, dayfirst)
    n_days = int((stop - first_day) // pd.Timedelta(days=1))
    frame, within = _dose_frame(visits, cells.index, column, first_day, n_days)
    counts: dict[str, Any] = {"n_visits_outside_period": int((~within).sum())}
    by_arm, compliance, background = None, float("nan"), float("nan")
    if assignment is not None:
        treated, counts["n_assignment_rows_outside_period"] = read_assignment(
            assignment, cells.index, column, first_day, n_days, dayfirst
        )
        by_arm = _compliance(frame, treated)
        if "treated" in by_arm.index:
            compliance = float(by_arm.loc["treated", "share_delivered"])
        if "control" in by_arm.index:
            background = float(by_arm.loc["control", "mean_patrol_minutes"])
    if events is not None:
        counts.update(
            add_events(frame, events, cells, time, weights, (first_day, n_days, dayfirst), places)
        )
    counts = {**_dose_figures(frame, compliance, background, by_arm is not None), **counts}
    return DosagePanel(
        panel=frame,
        place_column=column,
        start=first_day,
        end=stop,
        by_arm=by_arm,
        compliance=compliance,
        background_patrol_minutes=background,
        counts=counts,
        parameters={"n_places": len(cells), "n_days": n_days, "freq": freq},
    )


def _dose_frame(
    visits: PatrolVisits, ids: pd.Index, column: str, first_day: pd.Timestamp, n_days: int
) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    """Sum the visits per place and day; return the panel and which visits fell inside."""
    table = visits.visits
    position = require_known(
        table[visits.place_column],
        ids,
        name="visits",
        known_name="places",
        what="place ids",
        fix="pass the places the visits were measured on.",
    )
    day = ((table["date"].to_numpy() - first_day.to_datetime64()) // _DAY).astype(np.int64)
    within = (day >= 0) & (day < n_days)
    period = f"days from {first_day.date()} ({n_days} days)"
    require_join(
        table["date"],
        period,
        left="visits",
        right="start/end",
        matched=within,
        share=1,
        what="visits",
    )
    flat = (position * n_days + day)[within]
    size = len(ids) * n_days
    rows = table[within]

    def total(values: Any) -> NDArray[np.float64]:
        return np.bincount(flat, np.asarray(values, dtype=float), minlength=size).astype(float)

    dates = pd.date_range(first_day, periods=n_days, freq="D")
    frame = pd.DataFrame(
        {
            column: np.repeat(ids.to_numpy(), n_days),
            "date": np.tile(dates.to_numpy(), len(ids)),
            "n_visits": np.bincount(flat, minlength=size),
            "n_qualifying_visits": total(rows["qualifying"]).astype(np.int64),
            "n_koper_visits": total(rows["koper_compliant"] & rows["qualifying"]).astype(np.int64),
            "patrol_minutes": total(rows["patrol_minutes"]),
            "officer_minutes": total(rows["officer_minutes"]),
            "longest_visit_minutes": _extreme(flat, rows["duration_minutes"], size, np.maximum),
            "first_arrival": _extreme_time(flat, rows["arrival"], size, np.minimum),
            "last_departure": _extreme_time(flat, rows["departure"], size, np.maximum),
            "days_since_last_visit": _days_since(
                position, day, table["qualifying"].to_numpy(), len(ids), n_days
            ),
        }
    )
    return frame, within


def _compliance(frame: pd.DataFrame, treated: NDArray[np.float64]) -> pd.DataFrame:
    """Add ``treated`` and ``delivered`` to the panel; return place-days and dose by arm."""
    frame["treated"] = pd.array(np.where(np.isnan(treated), None, treated == 1), dtype="boolean")
    frame["delivered"] = frame["n_qualifying_visits"] > 0
    by_arm = (
        frame.dropna(subset=["treated"])
        .groupby("treated")
        .agg(
            n_place_days=("delivered", "size"),
            share_delivered=("delivered", "mean"),
            mean_visits=("n_visits", "mean"),
            mean_patrol_minutes=("patrol_minutes", "mean"),
            mean_officer_minutes=("officer_minutes", "mean"),
        )
    )
    by_arm.index = by_arm.index.map({True: "treated", False: "control"}).rename("arm")
    return by_arm


def _dose_figures(
    frame: pd.DataFrame, compliance: float, background: float, assigned: bool
) -> dict[str, Any]:
    """Place-days, the share with a qualifying visit and the mean dose (and compliance)."""
    figures: dict[str, Any] = {
        "n_place_days": len(frame),
        "share_with_qualifying_visit": float((frame["n_qualifying_visits"] > 0).mean()),
        "mean_patrol_minutes": float(frame["patrol_minutes"].mean()),
        "mean_officer_minutes": float(frame["officer_minutes"].mean()),
    }
    if assigned:
        figures["compliance"] = compliance
        figures["background_patrol_minutes"] = background
    return figures


def _cells(places: Grid | gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if isinstance(places, Grid):
        return places.cells
    require_polygons(places, name="places")
    require_unique(places.index, name="places", what="index values (place ids)")
    return places


def _period(start: Any, end: Any, dayfirst: bool | None) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Read ``[start, end)`` as local calendar days (aware dates on their own clock)."""
    first = wall_clock(require_timestamp(start, name="start", dayfirst=dayfirst)).normalize()
    stop = wall_clock(require_timestamp(end, name="end", dayfirst=dayfirst)).normalize()
    require_range(
        (stop - first) / pd.Timedelta(days=1),
        name="end - start (days)",
        low=0,
        low_open=True,
        fix=f"`end` ({stop.date()}) must be after `start` ({first.date()}); the period "
        "is [start, end).",
    )
    return first, stop


def _extreme(flat: Any, values: Any, size: int, ufunc: Any) -> NDArray[np.float64]:
    out = np.full(size, np.nan)
    filled = np.zeros(size, dtype=bool)
    buffer = np.full(size, -np.inf if ufunc is np.maximum else np.inf)
    ufunc.at(buffer, flat, np.asarray(values, dtype=float))
    filled[flat] = True
    out[filled] = buffer[filled]
    return out


def _extreme_time(flat: Any, stamps: Any, size: int, ufunc: Any) -> Any:
    nanoseconds = np.asarray(stamps, dtype="datetime64[ns]").astype(np.int64)
    limit = np.iinfo(np.int64)
    buffer = np.full(size, limit.min if ufunc is np.maximum else limit.max, dtype=np.int64)
    ufunc.at(buffer, flat, nanoseconds)
    out = buffer.astype("datetime64[ns]")
    out[np.bincount(flat, minlength=size) == 0] = np.datetime64("NaT", "ns")
    return out


def _days_since(
    position: Any, day: Any, qualifying: Any, n_places: int, n_days: int
) -> NDArray[np.float64]:
    """Days since the last qualifying visit (0 on its day), counting visits before start."""
    last_before = np.full(n_places, -np.inf)
    earlier = qualifying & (day < 0)
    np.maximum.at(last_before, position[earlier], day[earlier].astype(float))
    seen = np.full((n_places, n_days), -np.inf)
    now = qualifying & (day >= 0) & (day < n_days)
    seen[position[now], day[now]] = day[now]
    seen = np.maximum.accumulate(np.maximum(seen, last_before[:, None]), axis=1)
    with np.errstate(invalid="ignore"):
        since = np.arange(n_days)[None, :] - seen
    since[np.isinf(since)] = np.nan
    return since.ravel()
