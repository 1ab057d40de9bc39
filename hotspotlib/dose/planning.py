"""Randomised patrol schedules: which officer visits which hot spot, when, for how long."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._validation import (
    as_rng,
    require_id_type,
    require_nonempty,
    require_polygons,
    require_positive,
    require_range,
    require_timestamp,
    require_type,
    require_unique,
    require_whole,
    wall_clock,
)
from hotspotlib.dose._plan_timing import compact_groups, schedule_frame, timetable

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PatrolPlan", "plan_patrols"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PatrolPlan(FrozenResult):
    """A randomised schedule of patrol visits for one shift.

    Attributes
    ----------
    schedule : pandas.DataFrame
        One row per visit: ``officer_id``, the place id column, ``visit_number`` (of
        that place), ``order`` (in the officer's route), ``arrival``, ``departure``,
        ``minutes``, ``travel_minutes`` (walk from the previous place) and
        ``wait_minutes`` (waiting for the spacing rule). It is the schedule format
        :func:`hotspotlib.simulate_patrol_pings` reads.
    centroids : geopandas.GeoSeries
        Place centroids (for maps).
    parameters : dict
        Parameters used.
    counts : dict
        Visits planned and officers given a route.
    notes : tuple of str
        How places are dealt to officers and how travel time is measured.

    See Also
    --------
    plan_patrols : Draw one.

    References
    ----------
    .. [1] Telep, Mitchell and Weisburd (2014). Justice Quarterly 31(5), 905-933.
    """

    _title: ClassVar[str] = "Randomised patrol plan"

    schedule: pd.DataFrame
    centroids: gpd.GeoSeries
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the schedule (a copy), ready for ``.to_csv()``."""
        return self.schedule.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Visits planned and officers given a route."""
        return frozen_mapping(
            {
                "n_visits": len(self.schedule),
                "n_officers": int(self.schedule["officer_id"].nunique()),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How places are dealt to officers and how travel time is measured."""
        return (
            "Compact groups of places are dealt to officers at random; each round visits "
            "them in a new random order; visits to one place start at least "
            "min_gap_minutes apart.",
            "Travel time = straight-line distance between centroids / walking speed.",
        )

    def _summary_table(self) -> pd.DataFrame | None:
        """Visits, patrol, travel and spare time per officer."""
        return self.schedule.groupby("officer_id").agg(
            n_visits=("minutes", "size"),
            patrol_minutes=("minutes", "sum"),
            travel_minutes=("travel_minutes", "sum"),
            wait_minutes=("wait_minutes", "sum"),
            last_departure=("departure", "max"),
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map each officer's route between the places, in visiting order.

        One line per officer through their places' centroids (the first a hollow square),
        each place labelled with its id; the legend gives each officer's visits and patrol
        minutes. ``basemap=True`` draws web tiles underneath (a note when offline) and
        ``north_arrow=True`` an arrow; other keyword arguments go to ``Axes.plot``.

        See Also
        --------
        plan_patrols : Draw the plan.
        SimulatedPings.plot : The pings of officers following a plan.

        References
        ----------
        .. [1] Telep, Mitchell and Weisburd (2014). Justice Quarterly 31(5), 905-933.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=0)
        >>> plan = hs.plan_patrols(city.hotspots, officers=["PC Ali", "PC Brown"],
        ...     shift_start="2024-06-01 14:00", shift_end="2024-06-01 22:00", rng=1)
        >>> [text.get_text() for text in plan.plot().get_legend().get_texts()]
        ['PC Ali: 10 visits, 150 min', 'PC Brown: 10 visits, 150 min', 'first visit']
        """
        from hotspotlib._maps import map_style
        from hotspotlib.dose._plan_map import plot_plan

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        return plot_plan(self, ax, style, **kwargs)

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of each officer's route, in visiting order.

        One line per officer through their places' centroids (a point for an officer with
        one visit), in the colours of ``.plot()``, each a layer named by its legend entry
        (visits and patrol minutes); the places are markers whose tooltip gives the place
        id, visits, officers, first arrival and patrol minutes. ``kwargs`` style the
        places (``m=`` draws onto an existing map).

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        PatrolPlan.plot : The static map for a briefing.
        hotspotlib.SimulatedPings.explore : The pings of officers following a plan.

        {explore_references}
        .. [2] Telep, Mitchell and Weisburd (2014). Justice Quarterly 31(5), 905-933.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=0)
        >>> plan = hs.plan_patrols(city.hotspots, officers=["PC Ali", "PC Brown"],
        ...     shift_start="2024-06-01 14:00", shift_end="2024-06-01 22:00", rng=1)
        >>> html = plan.explore(tiles=None).get_root().render()
        >>> "PC Ali: 10 visits, 150 min" in html and "first_arrival" in html
        True
        """
        from hotspotlib.dose._plan_explore import explore_plan

        return explore_plan(self, tiles=tiles, **kwargs)


def plan_patrols(
    places: gpd.GeoDataFrame,
    *,
    officers: int | Sequence[Any],
    shift_start: str | pd.Timestamp,
    shift_end: str | pd.Timestamp,
    visit_minutes: float = 15.0,
    visits_per_place: int = 1,
    min_gap_minutes: float = 120.0,
    walking_speed_kmh: float = 5.0,
    rng: int | np.random.Generator | None = None,
    dayfirst: bool | None = None,
) -> PatrolPlan:
    """Draw a randomised visit schedule for a shift (the Sacramento design).

    Places are split into one compact group per officer (recursive median cuts of the
    centroids, so nobody crosses the city between visits) and the groups are dealt to
    officers at random; each officer then makes ``visits_per_place`` rounds of their
    places, each round in a fresh random order.
    A visit starts on arrival (walking at ``walking_speed_kmh`` along the straight line
    between centroids), or later if the place was visited less than
    ``min_gap_minutes`` before, and lasts ``visit_minutes`` (the Koper curve suggests
    10-15; Southend used 15). Officers start at their first place at ``shift_start``.

    Parameters
    ----------
    places : GeoDataFrame
        Hot-spot polygons in a projected CRS, indexed by place id.
    officers : int or sequence
        Number of officers, or their ids.
    shift_start, shift_end : str or Timestamp
        The shift.
    visit_minutes : float
        Length of each visit.
    visits_per_place : int
        Visits to each place in the shift.
    min_gap_minutes : float
        Least time between the starts of two visits to one place.
    walking_speed_kmh : float
        Speed between places (about 5 on foot; 20-30 for officers who drive between
        hot spots and patrol each on foot, as in Southend).
    rng : int, Generator or None
        Seed or generator; the same ``rng`` gives the same plan.
    dayfirst : bool, optional
        Read slash dates in ``shift_start``/``shift_end`` day-first (UK) or
        month-first; None refuses a date that could be either. The plan is in local
        wall-clock time (aware times are read on their own clock).

    Returns
    -------
    PatrolPlan
        The schedule; ``.to_frame().to_csv(path)`` exports it.

    Raises
    ------
    ValueError
        When the request cannot fit: the message gives the minutes needed against
        those available, or which officer's visit runs past the end of the shift.

    See Also
    --------
    PatrolPlan : The returned schedule.
    assign_days : Randomise which places get patrol on each day.
    koper_curve : Choose the visit length.

    Notes
    -----
    The greedy timing loops over visits (a shift has tens to hundreds), O(visits).
    It does not search for the shortest route: randomness, not efficiency, is the
    point (officers should be unpredictable).

    References
    ----------
    .. [1] Telep, C. W., Mitchell, R. J. and Weisburd, D. (2014). How much time should the
       police spend at crime hot spots? Answers from a police agency directed randomized
       field trial in Sacramento, California. Justice Quarterly 31(5), 905-933.
    .. [2] Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
       behavior by optimizing patrol time in crime hot spots. Justice Quarterly 12(4),
       649-672. https://doi.org/10.1080/07418829500096231

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_000, rng=0)
    >>> plan = hs.plan_patrols(city.hotspots, officers=4, shift_start="2024-06-01 14:00",
    ...     shift_end="2024-06-01 22:00", visits_per_place=2, walking_speed_kmh=20, rng=1)
    >>> schedule = plan.to_frame()
    >>> len(schedule), float(schedule["minutes"].sum())
    (40, 600.0)
    """
    geoms = require_polygons(places, name="places")
    require_unique(places.index, name="places", what="index values (place ids)")
    ids = _officers(officers)
    start, end, shift = _shift(shift_start, shift_end, dayfirst)
    visit = require_positive(visit_minutes, name="visit_minutes")
    gap = require_positive(min_gap_minutes, name="min_gap_minutes", allow_zero=True)
    speed = require_positive(walking_speed_kmh, name="walking_speed_kmh")
    rounds = _rounds(visits_per_place, visit, gap, shift, n_places=len(places), n_officers=len(ids))
    generator = as_rng(rng)
    centroids = geoms.centroid
    xy = shapely.get_coordinates(centroids.to_numpy())
    groups = compact_groups(xy, np.arange(len(places)), len(ids))
    dealt = generator.permutation(len(groups))
    routes = [(officer, groups[dealt[k]]) for k, officer in enumerate(ids)]
    timing = {"visit": visit, "gap": gap, "shift": shift, "metres_per_minute": speed * 1000 / 60}
    rows = timetable(xy, routes, rounds, timing, generator, places.index)
    column = place_column(places)
    return PatrolPlan(
        schedule=schedule_frame(rows, places.index, column, start, visit),
        centroids=centroids,
        parameters={
            "n_places": len(places),
            "n_officers": len(ids),
            "shift_start": str(start),
            "shift_end": str(end),
            "visit_minutes": visit,
            "visits_per_place": rounds,
            "min_gap_minutes": gap,
            "walking_speed_kmh": speed,
            "place_column": column,
        },
    )


def _shift(
    shift_start: Any, shift_end: Any, dayfirst: bool | None
) -> tuple[pd.Timestamp, pd.Timestamp, float]:
    """Read the shift on the local clock; return its start, end and length in minutes."""
    start = wall_clock(require_timestamp(shift_start, name="shift_start", dayfirst=dayfirst))
    end = wall_clock(require_timestamp(shift_end, name="shift_end", dayfirst=dayfirst))
    shift = require_range(
        (end - start).total_seconds() / 60,
        name="shift_end - shift_start (minutes)",
        low=0,
        low_open=True,
        fix=f"`shift_end` ({end}) must be after `shift_start` ({start}).",
    )
    return start, end, shift


def _rounds(
    visits_per_place: Any,
    visit: float,
    gap: float,
    shift: float,
    *,
    n_places: int,
    n_officers: int,
) -> int:
    """Check that ``visits_per_place`` rounds fit the shift, at each place and in all."""
    by_span = int(np.floor((shift - visit) / max(gap, visit) + 1e-9)) + 1 if shift >= visit else 0
    available = n_officers * shift
    by_time = int(np.floor(available / (n_places * visit) + 1e-9))
    return require_whole(
        visits_per_place,
        name="visits_per_place",
        minimum=1,
        maximum=max(min(by_span, by_time), 1),
        fix=f"Visits of {visit:g} minutes starting at least {gap:g} minutes apart fit "
        f"{by_span} times at a place in the {shift:g}-minute shift; {n_officers} officers "
        f"have {available:g} officer-minutes, room for {by_time} visits to each of "
        f"{n_places} places (before travel). Add officers, or lower `visits_per_place`, "
        "`visit_minutes` or `min_gap_minutes`.",
    )


def _officers(officers: Any) -> list[Any]:
    """Return the officers' ids: ``officer_1`` ... for a number, else the ids given."""
    if isinstance(officers, (int, np.integer)) and not isinstance(officers, bool):
        count = require_whole(officers, name="officers", minimum=1)
        return [f"officer_{i}" for i in range(1, count + 1)]
    require_type(
        officers,
        (list, tuple, range, np.ndarray, pd.Series, pd.Index),
        name="officers",
        expected="a number of officers or a list of their ids",
    )
    ids = list(officers)
    require_nonempty(ids, name="officers", fix="pass a number of officers or their ids.")
    require_id_type(ids, name="officers")
    require_unique(ids, name="officers", what="ids")
    return ids
