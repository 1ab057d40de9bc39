"""From officers' GPS pings to visits, patrol minutes and officer minutes per place."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    require_columns,
    require_increasing,
    require_join,
    require_nonempty,
    require_polygons,
    require_positive,
    require_projected_crs,
    require_range,
    require_same_crs,
    require_type,
    require_unique,
    require_whole,
    require_within,
)
from hotspotlib.dose._episodes import sort_order
from hotspotlib.dose._locate import polygon_index
from hotspotlib.dose._ping_chunks import (
    GapCount,
    PingChunk,
    chunk_episodes,
    guess_interval,
    median_interval,
    sorted_chunks,
)
from hotspotlib.dose._pings import PingPositions, clean_pings, describe_extent, ping_positions
from hotspotlib.dose._union import union_visits
from hotspotlib.dose._visit_tables import episode_table, visit_figures, visit_table
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PatrolVisits", "patrol_visits"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PatrolVisits(FrozenResult):
    """Visits to places measured from GPS pings.

    Attributes
    ----------
    visits : pandas.DataFrame
        One row per visit (place and day): the place id column, ``date``, ``arrival``,
        ``departure``, ``duration_minutes`` (departure - arrival, with merged gaps),
        ``patrol_minutes`` (at least one officer present), ``officer_minutes`` (summed
        over officers), ``n_officers``, ``n_episodes``, ``qualifying`` (duration >=
        ``min_dwell_minutes``), ``koper_compliant`` (duration in ``target_minutes``).
    episodes : pandas.DataFrame
        One row per officer episode in a place, split at midnight: ``officer_id``, place id,
        ``date``, ``arrival``, ``departure``, ``minutes``, ``n_pings``, ``speed_kmh``.
    places : geopandas.GeoDataFrame
        The places (grid cells for a :class:`~hotspotlib.Grid`), not modified.
    grid : Grid or None
        The grid, when the places were grid cells.
    place_column : str
        The place id column (the places' index name, or ``"hotspot_id"``).
    parameters : dict
        Parameters used, including the inferred ``ping_interval_seconds``.
    counts : dict
        Pings read, dropped (and why), out of order, outside every place; episodes too
        fast; visits, qualifying visits, the share in the Koper window, minutes in all.
    notes : tuple of str
        How episodes and minutes are measured, and what was dropped.

    See Also
    --------
    patrol_visits : Measure visits from pings.

    References
    ----------
    .. [1] Ariel, Weinborn and Sherman (2016). https://doi.org/10.1007/s11292-016-9260-4
    """

    _title: ClassVar[str] = "Patrol visits from GPS pings"

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

    @property
    def notes(self) -> tuple[str, ...]:
        """How episodes and minutes are measured, and what was dropped."""
        notes = [
            "Episode length = last ping - first ping + one ping interval (the inferred "
            "median gap unless given); visits are split at midnight.",
            "patrol_minutes: time with at least one officer present; officer_minutes: "
            "summed over officers (Williams & Coupe 2017).",
            "Qualifying and Koper flags use duration_minutes (arrival to departure, "
            "including merged gaps).",
        ]
        counts, parameters = self.counts, self.parameters
        dropped = {k: val for k, val in counts.items() if k.startswith("n_missing")}
        if any(dropped.values()) or counts.get("n_duplicates"):
            notes.append(
                "Dropped pings: "
                + ", ".join(f"{k}={val}" for k, val in dropped.items())
                + f", n_duplicates={counts.get('n_duplicates', 0)}."
            )
        if counts.get("n_out_of_order"):
            notes.append(f"{counts['n_out_of_order']} pings arrived out of time order.")
        if counts.get("n_episodes_too_fast"):
            notes.append(
                f"{counts['n_episodes_too_fast']} episodes faster than "
                f"{parameters['max_speed_kmh']} km/h were dropped (vehicles passing)."
            )
        if parameters["ping_interval_seconds"] > 60 * parameters["max_gap_minutes"]:
            notes.append("The ping interval exceeds max_gap_minutes: every episode is one ping.")
        return tuple(notes)

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

    1. Clean (all counted): pings missing a time, position or officer are dropped, the
       rest sorted by officer and time; exact duplicates keep the first.
    2. Locate each ping in a place (grid arithmetic, or polygons grown by ``buffer_m``
       for GPS error). Pings outside every place are counted, not errors.
    3. Episodes: one officer's consecutive pings in one place, at most ``max_gap_minutes``
       apart, split at midnight; length = last - first ping + one ping interval (the
       median gap unless ``ping_interval_seconds`` is given), as in the Peterborough trial.
    4. Visits per place and day: the union (patrol minutes) and sum (officer minutes) of
       the officers' episodes, merged across gaps up to ``merge_gap_minutes``; flagged
       ``qualifying`` (at least ``min_dwell_minutes``) and ``koper_compliant``.

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
        Drop episodes faster than this over their pings (8 for foot patrol); None: keep.
    target_minutes : tuple of float
        The Koper window ``(low, high)``, inclusive.
    ping_interval_seconds : float or None
        The tracker's ping interval; inferred as the median gap when None.
    dayfirst : bool, optional
        Read slash dates in ``pings[time]`` day-first (UK) or month-first; None lets the
        data settle it (refusing dates that could be either). Aware times: local days.

    Returns
    -------
    PatrolVisits
        Visits and episodes tables, with everything dropped counted.

    Raises
    ------
    ValueError
        Missing columns, a geographic CRS, different CRSs, non-point geometry, unparseable
        or ambiguous times, officer ids mixing text and numbers (give them one type), bad
        parameters, no usable ping, or no ping inside any place (both extents shown).

    See Also
    --------
    dosage_panel : Aggregate visits into a place x day dose panel.
    koper_curve : Residual deterrence by visit length.

    References
    ----------
    .. [1] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots.
       J. Exp. Criminol. 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4

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
    cells, locator, positions = _places(
        pings, places, officer=officer, time=time, buffer_m=buffer_m
    )
    settings = _settings(
        max_gap_minutes, min_dwell_minutes, merge_gap_minutes, max_speed_kmh, target_minutes
    )
    times, codes, xy, counts, t0, uniques = clean_pings(
        pings, positions, officer=officer, time=time, dayfirst=dayfirst
    )
    del positions
    order, counts["n_out_of_order"] = sort_order(codes, times)
    gaps = (
        None if ping_interval_seconds is not None else GapCount(guess_interval(codes, times, order))
    )
    chunks, located = sorted_chunks(
        codes, times, xy, order, n_officers=len(uniques), locator=locator, gaps=gaps
    )
    del codes, times, xy, order
    counts.update(located)
    if counts["n_outside"] == counts["n_used"]:  # nothing inside: refused with both extents
        require_join(
            describe_extent(np.concatenate([chunk.xy for chunk in chunks])),
            describe_extent(cells.total_bounds.reshape(2, 2)),
            left="pings",
            right="places",
            matched=np.zeros(counts["n_used"], dtype=bool),
            what="pings",
            share=1.0,  # patrols travel between places: pings outside are usual, counted
        )
    step_ns = _interval_ns(chunks, gaps, ping_interval_seconds)
    episodes = chunk_episodes(
        chunks,
        step_ns=step_ns,
        max_gap_ns=int(round(settings["max_gap_minutes"] * 60e9)),
        max_speed_kmh=max_speed_kmh,
    )
    counts["n_episodes_too_fast"] = episodes.n_too_fast
    merge_ns = int(round(settings["merge_gap_minutes"] * 60e9))
    joined = union_visits(episodes, merge_gap_ns=merge_ns, n_officers=max(len(uniques), 1))
    column, ids = place_column(cells), cells.index.to_numpy()
    visits = visit_table(joined, ids, column, t0, settings)
    return PatrolVisits(
        visits=visits,
        episodes=episode_table(episodes, ids, column, t0, uniques),
        places=cells,
        grid=places if isinstance(places, Grid) else None,
        place_column=column,
        parameters={
            "ping_interval_seconds": step_ns / 1e9,
            "ping_interval_inferred": ping_interval_seconds is None,
            **settings,
            "buffer_m": float(buffer_m),
            "n_places": len(cells),
        },
        counts={**counts, **visit_figures(visits)},
    )


def _places(
    pings: gpd.GeoDataFrame,
    places: Grid | gpd.GeoDataFrame,
    *,
    officer: str,
    time: str,
    buffer_m: float,
) -> tuple[gpd.GeoDataFrame, Any, PingPositions]:
    """Check the pings and places; return the places, their locator and the pings' points.

    The pings' coordinates are read once here; their bounds go to the CRS check.
    """
    require_type(pings, gpd.GeoDataFrame, name="pings", expected="a GeoDataFrame of points")
    require_columns(pings, [officer, time], name="pings")
    require_nonempty(pings, name="pings")
    positions = ping_positions(pings)
    require_projected_crs(pings, name="pings", bounds=positions.bounds)
    if isinstance(places, Grid):
        require_range(
            buffer_m,
            name="buffer_m",
            high=0,
            fix="Grid cells are located by arithmetic, not buffered; pass `grid.cells` "
            "to buffer them.",
        )
        require_same_crs(places.cells, pings, names=("places", "pings"))
        return places.cells, places, positions
    geoms = require_polygons(places, name="places").to_numpy()
    require_same_crs(places, pings, names=("places", "pings"))
    require_unique(places.index, name="places", what="index values (place ids)")
    buffer = require_positive(buffer_m, name="buffer_m", allow_zero=True)
    outlines = shapely.buffer(geoms, buffer) if buffer > 0 else geoms
    return places, polygon_index(outlines) if len(outlines) else outlines, positions


def _settings(
    max_gap_minutes: float,
    min_dwell_minutes: float,
    merge_gap_minutes: float,
    max_speed_kmh: float | None,
    target_minutes: Any,
) -> dict[str, Any]:
    """Check the episode and visit settings; return them as floats."""
    if max_speed_kmh is not None:
        require_positive(max_speed_kmh, name="max_speed_kmh")
    pair = "Give a pair (low, high) of minutes, e.g. (10, 20)."
    window = require_increasing(target_minutes, name="target_minutes", strict=False, fix=pair)
    require_whole(window.size, name="len(target_minutes)", minimum=2, maximum=2, fix=pair)
    low, high = require_within(window, name="target_minutes", low=0)
    return {
        "max_gap_minutes": require_positive(max_gap_minutes, name="max_gap_minutes"),
        "min_dwell_minutes": require_positive(
            min_dwell_minutes, name="min_dwell_minutes", allow_zero=True
        ),
        "merge_gap_minutes": require_range(
            merge_gap_minutes,
            name="merge_gap_minutes",
            low=0,
            high=1440,
            high_open=True,
            fix="Visits are per day: merge gaps under a day.",
        ),
        "max_speed_kmh": max_speed_kmh,
        "target_minutes": (float(low), float(high)),
    }


def _interval_ns(
    chunks: list[PingChunk], gaps: GapCount | None, ping_interval_seconds: float | None
) -> int:
    """Return the ping interval in nanoseconds: given, or the median gap between pings."""
    if ping_interval_seconds is not None or gaps is None:
        seconds = require_positive(ping_interval_seconds, name="ping_interval_seconds")
        return int(round(seconds * 1e9))
    inferred = median_interval(chunks, gaps)
    if inferred is None:
        raise ValueError(
            "Cannot infer the ping interval: no officer has two pings at different "
            "times. Pass `ping_interval_seconds`."
        )
    return int(round(inferred))
