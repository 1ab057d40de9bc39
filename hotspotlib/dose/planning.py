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
from hotspotlib._validation import (
    as_rng,
    require_id_type,
    require_polygons,
    require_positive,
    require_timestamp,
    wall_clock,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PatrolPlan", "plan_patrols"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
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

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Map each officer's route between place centroids."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax)
        column = self.parameters["place_column"]
        xy = np.column_stack([self.centroids.x, self.centroids.y])
        position = self.centroids.index.get_indexer(self.schedule[column])
        for officer, rows in self.schedule.groupby("officer_id", sort=False):
            route = xy[position[rows.index.to_numpy()]]
            axes.plot(route[:, 0], route[:, 1], marker="o", label=str(officer), **kwargs)
        axes.set_aspect("equal")
        axes.legend(title="officer", fontsize="small")
        axes.set_title("Patrol routes")
        return axes


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

    Notes
    -----
    The greedy timing loops over visits (a shift has tens to hundreds), O(visits).
    It does not search for the shortest route: randomness, not efficiency, is the
    point (officers should be unpredictable).

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
    if not places.index.is_unique:
        raise ValueError("`places` has duplicate index values; place ids must be unique.")
    ids = _officers(officers)
    start = wall_clock(require_timestamp(shift_start, name="shift_start", dayfirst=dayfirst))
    end = wall_clock(require_timestamp(shift_end, name="shift_end", dayfirst=dayfirst))
    shift = (end - start).total_seconds() / 60
    if not shift > 0:
        raise ValueError(f"`shift_end` ({end}) must be after `shift_start` ({start}).")
    visit = require_positive(visit_minutes, name="visit_minutes")
    gap = require_positive(min_gap_minutes, name="min_gap_minutes", allow_zero=True)
    speed = require_positive(walking_speed_kmh, name="walking_speed_kmh")
    if (
        isinstance(visits_per_place, bool)
        or not isinstance(visits_per_place, (int, np.integer))
        or visits_per_place < 1
    ):
        raise ValueError(
            f"`visits_per_place` must be a whole number >= 1; got {visits_per_place!r}."
        )
    generator = as_rng(rng)
    n_places, rounds = len(places), int(visits_per_place)

    span = (rounds - 1) * max(gap, visit) + visit
    if span > shift:
        raise ValueError(
            f"{rounds} visits of {visit:g} minutes, starting {gap:g} minutes apart, need "
            f"{span:g} minutes at each place but the shift is {shift:g} minutes. Lower "
            "`visits_per_place` or `min_gap_minutes`."
        )
    needed = n_places * rounds * visit
    available = len(ids) * shift
    if needed > available:
        raise ValueError(
            f"{n_places} places x {rounds} visits x {visit:g} minutes need {needed:g} "
            f"officer-minutes (before travel) but {len(ids)} officers have {available:g} in "
            "the shift. Add officers, or lower `visits_per_place` or `visit_minutes`."
        )

    centroids = geoms.centroid
    xy = shapely.get_coordinates(centroids.to_numpy())
    metres_per_minute = speed * 1000 / 60
    groups = _compact_groups(xy, np.arange(n_places), len(ids))
    dealt = generator.permutation(len(groups))
    rows = []
    last_start = np.full(n_places, -np.inf)
    for k, officer in enumerate(ids):  # officers and their visits: tens to hundreds
        mine = groups[dealt[k]]
        clock, here, order = 0.0, -1, 0
        for round_number in range(1, rounds + 1):
            for place in generator.permutation(mine):
                travel = 0.0 if here < 0 else float(np.hypot(*(xy[place] - xy[here])))
                travel /= metres_per_minute
                arrival = max(clock + travel, last_start[place] + gap)
                if arrival + visit > shift + 1e-9:
                    raise ValueError(
                        f"Officer {officer!r} cannot fit visit {round_number} to place "
                        f"{places.index[place]!r}: it would end {arrival + visit - shift:.0f} "
                        f"minutes after the shift ends. Add officers, lower "
                        "`visits_per_place`, `visit_minutes` or `min_gap_minutes`, or raise "
                        "`walking_speed_kmh` if officers drive between places."
                    )
                order += 1
                rows.append(
                    (officer, place, round_number, order, arrival, travel, arrival - clock - travel)
                )
                last_start[place] = arrival
                clock, here = arrival + visit, place
    officer_col, place_pos, number, order_col, arrival_min, travel_col, wait_col = zip(
        *rows, strict=True
    )
    column = place_column(places)
    arrival = start + pd.to_timedelta(np.asarray(arrival_min), unit="min")
    schedule = pd.DataFrame(
        {
            "officer_id": list(officer_col),
            column: places.index.to_numpy()[np.asarray(place_pos)],
            "visit_number": np.asarray(number),
            "order": np.asarray(order_col),
            "arrival": arrival.round("s"),
            "departure": (arrival + pd.Timedelta(minutes=visit)).round("s"),
            "minutes": np.full(len(rows), visit),
            "travel_minutes": np.asarray(travel_col),
            "wait_minutes": np.asarray(wait_col),
        }
    )
    return PatrolPlan(
        schedule=schedule,
        centroids=centroids,
        parameters={
            "n_places": n_places,
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


def _compact_groups(xy: Any, index: Any, k: int) -> list[Any]:
    """Split places into ``k`` groups of near-equal size by recursive median cuts."""
    if k == 1:
        return [index]
    first = k // 2
    points = xy[index]
    axis = int(np.argmax(np.ptp(points, axis=0))) if len(index) else 0
    ordered = index[np.argsort(points[:, axis], kind="stable")]
    cut = int(round(len(index) * first / k))
    return _compact_groups(xy, ordered[:cut], first) + _compact_groups(xy, ordered[cut:], k - first)


def _officers(officers: Any) -> list[Any]:
    if isinstance(officers, (int, np.integer)) and not isinstance(officers, bool):
        if officers < 1:
            raise ValueError(f"`officers` must be >= 1; got {officers!r}.")
        return [f"officer_{i}" for i in range(1, int(officers) + 1)]
    if isinstance(officers, (str, bytes)) or not isinstance(officers, Sequence):
        raise TypeError(f"`officers` must be a number or a sequence of ids; got {officers!r}.")
    ids = list(officers)
    require_id_type(ids, name="officers")
    if not ids or len(set(ids)) < len(ids):
        raise ValueError(f"`officers` must be non-empty, unique ids; got {officers!r}.")
    return ids
