"""From officers' GPS pings to visits, patrol minutes and officer minutes per place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult
from hotspotlib._summary import Summary
from hotspotlib._validation import (
    require_columns,
    require_join,
    require_nonempty,
    require_polygons,
    require_positive,
    require_projected_crs,
    require_same_crs,
)
from hotspotlib.dose._episodes import (
    DAY_NS,
    find_episodes,
    ping_interval,
    sort_order,
    union_visits,
)
from hotspotlib.dose._locate import locate_xy
from hotspotlib.dose._pings import clean_pings, describe_extent
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PatrolVisits", "patrol_visits"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PatrolVisits(FrozenResult):
    """Visits to places measured from GPS pings.

    Attributes
    ----------
    visits : pandas.DataFrame
        One row per visit (place and day): the place id column, ``date``, ``arrival``,
        ``departure``, ``duration_minutes`` (departure - arrival, including merged gaps),
        ``patrol_minutes`` (time with at least one officer present), ``officer_minutes``
        (summed over officers), ``n_officers``, ``n_episodes``, ``qualifying``
        (duration >= ``min_dwell_minutes``) and ``koper_compliant`` (duration within
        ``target_minutes``).
    episodes : pandas.DataFrame
        One row per officer episode inside a place (split at midnight): ``officer_id``,
        the place id column, ``date``, ``arrival``, ``departure``, ``minutes``,
        ``n_pings`` and ``speed_kmh``.
    places : geopandas.GeoDataFrame
        The places (grid cells for a :class:`~hotspotlib.Grid`), not modified.
    grid : Grid or None
        The grid, when the places were grid cells.
    place_column : str
        Name of the place id column (the places' index name, ``"place"`` if unnamed).
    parameters : dict
        Parameters used, including the inferred ``ping_interval_seconds``.
    counts : dict
        Pings read, dropped (and why), out of order, outside every place, and
        episodes dropped as too fast.
    """

    visits: pd.DataFrame
    episodes: pd.DataFrame
    places: gpd.GeoDataFrame
    grid: Grid | None
    place_column: str
    parameters: dict[str, Any] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the visits table (a copy)."""
        return self.visits.copy()

    def summary(self) -> Summary:
        """Summarise visits and dose, with the pings dropped and the conventions used."""
        v = self.visits
        params: dict[str, Any] = {**self.parameters, **self.counts}
        params["n_visits"] = len(v)
        params["n_qualifying_visits"] = int(v["qualifying"].sum())
        params["share_koper_compliant"] = (
            float(v.loc[v["qualifying"], "koper_compliant"].mean())
            if v["qualifying"].any()
            else float("nan")
        )
        params["patrol_minutes"] = float(v["patrol_minutes"].sum())
        params["officer_minutes"] = float(v["officer_minutes"].sum())
        notes = [
            "Episode length = last ping - first ping + one ping interval (the inferred "
            "median gap unless given); visits are split at midnight.",
            "patrol_minutes: time with at least one officer present; officer_minutes: "
            "summed over officers (Williams & Coupe 2017).",
            "Qualifying and Koper flags use duration_minutes (arrival to departure, "
            "including merged gaps).",
        ]
        dropped = {k: val for k, val in self.counts.items() if k.startswith("n_missing")}
        if any(dropped.values()) or self.counts.get("n_duplicates"):
            notes.append(
                "Dropped pings: "
                + ", ".join(f"{k}={val}" for k, val in dropped.items())
                + f", n_duplicates={self.counts.get('n_duplicates', 0)}."
            )
        if self.counts.get("n_out_of_order"):
            notes.append(f"{self.counts['n_out_of_order']} pings arrived out of time order.")
        if self.counts.get("n_episodes_too_fast"):
            notes.append(
                f"{self.counts['n_episodes_too_fast']} episodes faster than "
                f"{self.parameters['max_speed_kmh']} km/h were dropped (vehicles passing)."
            )
        if self.parameters["ping_interval_seconds"] > 60 * self.parameters["max_gap_minutes"]:
            notes.append("The ping interval exceeds max_gap_minutes: every episode is one ping.")
        return Summary(title="Patrol visits from GPS pings", parameters=params, notes=notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Histogram of visit durations, with the Koper target window shaded."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(7.0, 4.0))
        low, high = self.parameters["target_minutes"]
        axes.axvspan(low, high, color="tab:green", alpha=0.15, label="target window")
        kwargs.setdefault("bins", 40)
        kwargs.setdefault("color", "tab:blue")
        axes.hist(self.visits["duration_minutes"], **kwargs)
        axes.set_xlabel("visit duration (minutes)")
        axes.set_ylabel("visits")
        axes.legend()
        return axes


def patrol_visits(
    pings: gpd.GeoDataFrame,
    places: Grid | gpd.GeoDataFrame,
    *,
    officer: str = "officer_id",
    time: str = "timestamp",
    max_gap_minutes: float = 2.0,
    min_dwell_minutes: float = 2.0,
    merge_gap_minutes: float = 3.0,
    buffer_m: float = 0.0,
    max_speed_kmh: float | None = None,
    target_minutes: tuple[float, float] = (10.0, 20.0),
    ping_interval_seconds: float | None = None,
    dayfirst: bool | None = None,
) -> PatrolVisits:
    """Turn officers' GPS pings into visits to places, with patrol and officer minutes.

    1. Clean: pings with a missing time, position or officer are dropped and counted;
       pings are sorted by officer and time (out-of-order arrivals are counted); exact
       duplicates (same officer, same time) keep the first and are counted.
    2. Locate each ping in a place (grid arithmetic, or polygons, optionally grown by
       ``buffer_m`` for GPS error). Pings outside every place are counted, not errors.
    3. Episodes: consecutive pings of one officer in one place, each at most
       ``max_gap_minutes`` after the previous. Length = last ping - first ping + one
       ping interval (the median gap between an officer's pings unless
       ``ping_interval_seconds`` is given), the "pings x interval" convention of the
       Peterborough trial for regular pings. Episodes are split at midnight.
    4. Visits per place and day: the union of all officers' episodes (patrol minutes:
       at least one officer present) and their sum (officer minutes), merged when
       separated by at most ``merge_gap_minutes``.
    5. Flags: ``qualifying`` when the visit lasts at least ``min_dwell_minutes``
       (excludes drive-throughs), ``koper_compliant`` when its length is within
       ``target_minutes``.

    Parameters
    ----------
    pings : GeoDataFrame
        Point pings in a projected CRS with an officer column and a time column.
    places : Grid or GeoDataFrame
        Grid cells, or place polygons (e.g. ``city.hotspots``) indexed by place id.
    officer, time : str
        Names of the officer id and timestamp columns.
    max_gap_minutes : float
        Longest gap between pings that keeps an episode going.
    min_dwell_minutes : float
        Shortest qualifying visit.
    merge_gap_minutes : float
        Visits to a place separated by at most this are one visit (below one day).
    buffer_m : float
        Grow polygons by this many metres before locating (polygons only).
    max_speed_kmh : float or None
        Drop episodes whose speed over the steps into their pings exceeds this (e.g.
        8 for foot patrol); None keeps all.
    target_minutes : tuple of float
        The Koper window ``(low, high)``, inclusive.
    ping_interval_seconds : float or None
        The tracker's ping interval; inferred as the median gap when None.
    dayfirst : bool, optional
        Read slash dates in ``pings[time]`` day-first (UK) or month-first; None lets
        the data settle it and refuses dates that could be either. Time-zone-aware
        times are read on their local clock (the day is the local day).

    Returns
    -------
    PatrolVisits
        Visits and episodes tables, with everything dropped counted.

    Raises
    ------
    ValueError
        Missing columns, a geographic CRS, different CRSs, non-point geometry,
        unparseable or ambiguous times, officer ids mixing text and numbers (``1``
        and ``"1"`` would be two officers: give them one type), bad parameters, no
        usable ping, or no ping inside any place (both extents are shown).

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_000, rng=0)
    >>> schedule = pd.DataFrame({"officer_id": ["A", "B"], "hotspot_id": [3, 3],
    ...     "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 10:05"]),
    ...     "minutes": [15, 15]})
    >>> sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=1)
    >>> visits = hs.patrol_visits(sim.pings, city.hotspots)
    >>> visits.visits[["patrol_minutes", "officer_minutes", "n_officers"]].values.tolist()
    [[20.0, 30.0, 2.0]]
    """
    if not isinstance(pings, gpd.GeoDataFrame):
        raise TypeError(f"`pings` must be a GeoDataFrame; got {type(pings).__name__}.")
    require_columns(pings, [officer, time], name="pings")
    require_nonempty(pings, name="pings")
    require_projected_crs(pings, name="pings")
    if isinstance(places, Grid):
        if buffer_m:
            raise ValueError("`buffer_m` needs polygons; pass `grid.cells` to buffer cells.")
        require_same_crs(places.cells, pings, names=("places", "pings"))
        cells, locator = places.cells, places
    else:
        geoms = require_polygons(places, name="places").to_numpy()
        require_same_crs(places, pings, names=("places", "pings"))
        if not places.index.is_unique:
            raise ValueError("`places` has duplicate index values; place ids must be unique.")
        cells = places
        buffer = require_positive(buffer_m, name="buffer_m", allow_zero=True)
        locator = shapely.buffer(geoms, buffer) if buffer > 0 else geoms
    max_gap = require_positive(max_gap_minutes, name="max_gap_minutes")
    min_dwell = require_positive(min_dwell_minutes, name="min_dwell_minutes", allow_zero=True)
    merge_gap = require_positive(merge_gap_minutes, name="merge_gap_minutes", allow_zero=True)
    if merge_gap >= 1440:
        raise ValueError(f"`merge_gap_minutes` must be under a day; got {merge_gap_minutes!r}.")
    if max_speed_kmh is not None:
        require_positive(max_speed_kmh, name="max_speed_kmh")
    low, high = _window(target_minutes)

    times, codes, xy, counts, t0, uniques = clean_pings(
        pings, officer=officer, time=time, dayfirst=dayfirst
    )
    order, counts["n_out_of_order"] = sort_order(codes, times)
    if order is not None:
        codes, times, xy = codes[order], times[order], xy[order]
    duplicate = np.zeros(len(times), dtype=bool)
    duplicate[1:] = (codes[1:] == codes[:-1]) & (times[1:] == times[:-1])
    counts["n_duplicates"] = int(duplicate.sum())
    if duplicate.any():
        codes, times, xy = codes[~duplicate], times[~duplicate], xy[~duplicate]
    place = locate_xy(xy, locator)
    counts["n_used"] = len(times)
    counts["n_outside"] = int((place < 0).sum())
    require_join(
        describe_extent(xy),
        describe_extent(cells.total_bounds.reshape(2, 2)),
        left="pings",
        right="places",
        matched=place >= 0,
        what="pings",
        share=1.0,  # patrols travel between places: pings outside are usual, counted
    )

    if ping_interval_seconds is None:
        inferred = ping_interval(codes, times)
        if inferred is None:
            raise ValueError(
                "Cannot infer the ping interval: no officer has two pings at different "
                "times. Pass `ping_interval_seconds`."
            )
        step_ns = int(round(inferred))
    else:
        step_ns = int(
            round(require_positive(ping_interval_seconds, name="ping_interval_seconds") * 1e9)
        )

    episodes = find_episodes(
        codes,
        times,
        place,
        xy,
        step_ns=step_ns,
        max_gap_ns=int(round(max_gap * 60e9)),
        max_speed_kmh=max_speed_kmh,
    )
    counts["n_episodes_too_fast"] = episodes.n_too_fast
    joined = union_visits(
        episodes, merge_gap_ns=int(round(merge_gap * 60e9)), n_officers=max(len(uniques), 1)
    )
    column = place_column(cells)
    ids = cells.index.to_numpy()
    duration = (joined.departure - joined.arrival) / 60e9
    visits = pd.DataFrame(
        {
            column: ids[joined.place],
            "date": _stamp(t0, joined.arrival // DAY_NS * DAY_NS),
            "arrival": _stamp(t0, joined.arrival),
            "departure": _stamp(t0, joined.departure),
            "duration_minutes": duration,
            "patrol_minutes": joined.patrol_ns / 60e9,
            "officer_minutes": joined.officer_ns / 60e9,
            "n_officers": joined.n_officers,
            "n_episodes": joined.n_episodes,
            "qualifying": duration >= min_dwell,
            "koper_compliant": (duration >= low) & (duration <= high),
        }
    ).rename_axis("visit_id")
    episode_frame = pd.DataFrame(
        {
            "officer_id": np.asarray(uniques)[episodes.officer],
            column: ids[episodes.place],
            "date": _stamp(t0, episodes.start // DAY_NS * DAY_NS),
            "arrival": _stamp(t0, episodes.start),
            "departure": _stamp(t0, episodes.end),
            "minutes": (episodes.end - episodes.start) / 60e9,
            "n_pings": episodes.n_pings,
            "speed_kmh": episodes.speed_kmh,
        }
    ).rename_axis("episode_id")
    return PatrolVisits(
        visits=visits,
        episodes=episode_frame,
        places=cells,
        grid=places if isinstance(places, Grid) else None,
        place_column=column,
        parameters={
            "ping_interval_seconds": step_ns / 1e9,
            "ping_interval_inferred": ping_interval_seconds is None,
            "max_gap_minutes": max_gap,
            "min_dwell_minutes": min_dwell,
            "merge_gap_minutes": merge_gap,
            "buffer_m": float(buffer_m),
            "max_speed_kmh": max_speed_kmh,
            "target_minutes": (low, high),
            "n_places": len(cells),
        },
        counts=counts,
    )


def _window(target_minutes: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in target_minutes)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"`target_minutes` must be a pair (low, high) of minutes; got {target_minutes!r}."
        ) from error
    if not (np.isfinite([low, high]).all() and 0 <= low <= high):
        raise ValueError(f"`target_minutes` must satisfy 0 <= low <= high; got {target_minutes!r}.")
    return low, high


def _stamp(t0: np.datetime64, nanoseconds: Any) -> Any:
    return t0 + np.asarray(nanoseconds, dtype=np.int64).astype("timedelta64[ns]")
