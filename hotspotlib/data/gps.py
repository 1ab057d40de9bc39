"""Simulated GPS pings of officers patrolling places, with the visits that produced them.

The simulator turns a schedule of planned visits into the kind of ping feed a force's
trackers record, so that visit and dosage measurement can be tested against a known truth.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._validation import (
    as_rng,
    require_polygons,
    require_positive,
    require_range,
    require_unique,
)
from hotspotlib.data._ping_layout import (
    _dwell_pings,
    _timed_visits,
    _transit_inside,
    _transit_pings,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SimulatedPings", "simulate_patrol_pings"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class SimulatedPings(FrozenResult):
    """Simulated GPS pings and the true visits behind them.

    Attributes
    ----------
    pings : geopandas.GeoDataFrame
        One row per ping, sorted by time: ``officer_id``, ``timestamp``, ``accuracy_m``
        and point geometry in the places' CRS.
    visits : pandas.DataFrame
        The truth, one row per scheduled visit: ``officer_id``, the place id column,
        ``arrival``, ``departure``, ``minutes`` (whole ping intervals, see
        :func:`simulate_patrol_pings`) and ``n_pings`` (before any were dropped).
    n_dropped : int
        Pings lost at random (``gap_rate``).
    n_transit_inside : int
        Pings on the way between places that fell inside a place and were removed.
    parameters : dict
        The arguments used.
    counts : dict
        Pings, officers and visits simulated, and pings dropped or removed.
    notes : tuple of str
        Where the pings are drawn and which transit pings are removed.

    See Also
    --------
    simulate_patrol_pings : Simulate them.
    patrol_visits : Measure visits from the pings.

    References
    ----------
    .. [1] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots:
       do police community support officers work? A randomized controlled trial. Journal of
       Experimental Criminology 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4
    """

    _title: ClassVar[str] = "Simulated patrol pings"

    pings: gpd.GeoDataFrame
    visits: pd.DataFrame
    n_dropped: int
    n_transit_inside: int
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the pings (a copy)."""
        return self.pings.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Pings, officers and visits simulated, and pings dropped or removed."""
        return frozen_mapping(
            {
                "n_pings": len(self.pings),
                "n_officers": int(self.pings["officer_id"].nunique()),
                "n_visits": len(self.visits),
                "n_dropped": self.n_dropped,
                "n_transit_inside": self.n_transit_inside,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Where the pings are drawn and which transit pings are removed."""
        return (
            "Dwell pings are drawn uniformly inside the place; transit pings lie on the "
            "straight line between place centroids; noise is Gaussian per axis.",
            "Transit pings that land inside any place are removed, so every in-place "
            "ping belongs to a scheduled visit.",
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the pings, coloured by officer, with the legend off the map.

        ``basemap=True`` draws web tiles underneath (a note when offline);
        ``north_arrow=True`` adds an arrow. Other keyword arguments go to
        :meth:`matplotlib.axes.Axes.scatter`.
        """
        from matplotlib import colormaps
        from matplotlib.lines import Line2D

        from hotspotlib._maps import finish_map, map_axes, map_style

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        axes = map_axes(ax)
        codes, officers = pd.factorize(self.pings["officer_id"])
        palette = colormaps["tab10"]
        kwargs.setdefault("s", 2)
        colours = palette(codes % 10)
        axes.scatter(self.pings.geometry.x, self.pings.geometry.y, c=colours, **kwargs)
        handles = [
            Line2D([], [], marker="o", linestyle="", color=palette(i % 10), label=str(officer))
            for i, officer in enumerate(officers[:10])
        ]
        axes.set_anchor("W")
        axes.legend(
            handles=handles,
            title="officer",
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
            fontsize=8,
            title_fontsize=8,
        )
        return finish_map(axes, self.pings.crs, title="Simulated GPS pings by officer", style=style)

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return a folium map of the pings by officer (``tiles`` etc. go to ``explore``)."""
        from hotspotlib._explore import _require_folium

        _require_folium()
        pings = self.pings.assign(timestamp=self.pings["timestamp"].astype(str))
        kwargs.setdefault("column", "officer_id")
        kwargs.setdefault("marker_kwds", {"radius": 2})
        kwargs.setdefault("tooltip", ["officer_id", "timestamp", "accuracy_m"])
        return pings.explore(tiles=tiles, **kwargs)


def simulate_patrol_pings(
    places: gpd.GeoDataFrame,
    schedule: pd.DataFrame,
    *,
    interval_seconds: float = 60.0,
    noise_m: float = 5.0,
    gap_rate: float = 0.0,
    rng: int | np.random.Generator | None = None,
    dayfirst: bool | None = None,
) -> SimulatedPings:
    """Simulate the GPS pings of officers carrying out a schedule of visits.

    Each officer's tracker pings every ``interval_seconds`` from the first arrival to the
    last departure of their schedule. While at a place (from ``arrival``, one ping per
    interval for ``minutes``) the officer walks about it: each ping lies uniformly at
    random inside the place polygon. Between two visits the pings lie on the straight
    line from one place's centroid to the next, evenly spaced in time. Gaussian noise
    (standard deviation ``noise_m`` per axis) is added to every ping, and each ping is
    lost with probability ``gap_rate``. Transit pings that land inside any place are
    removed, so every in-place ping belongs to a scheduled visit.

    Parameters
    ----------
    places : GeoDataFrame
        Place polygons in a projected CRS (e.g. ``city.hotspots`` or ``grid.cells``).
        Place ids are the index; the schedule refers to them in a column named after
        the index (``"hotspot_id"`` when it has no name).
    schedule : DataFrame
        Planned visits with columns ``officer_id``, the place id column, ``arrival``
        (datetimes) and ``minutes`` (> 0), e.g. ``plan_patrols(...).to_frame()``.
        Visits of one officer must not overlap.
    interval_seconds : float
        Time between pings.
    noise_m : float
        Standard deviation of the GPS error on each axis, in metres (0 for clean pings).
    gap_rate : float
        Probability that any one ping is lost (0 to < 1).
    rng : int, Generator or None
        Seed or generator.
    dayfirst : bool, optional
        Read slash dates in ``schedule['arrival']`` day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    SimulatedPings
        The pings (sorted by time, as a live feed arrives) and the true visits.

    See Also
    --------
    SimulatedPings : The returned pings and true visits.
    patrol_visits : Turn the pings back into visits.
    plan_patrols : A randomised schedule to simulate.

    Notes
    -----
    A visit of ``minutes`` gets ``n = max(1, round(minutes * 60 / interval_seconds))``
    pings at ``arrival + k * interval`` (k = 0 .. n - 1); its true length is
    ``n * interval_seconds / 60`` minutes and its departure ``arrival + n * interval``.
    That is the convention :func:`hotspotlib.patrol_visits` measures with
    (last ping - first ping + one interval), so clean pings are recovered exactly.
    Work is vectorised over pings (no per-visit loop); the only loop is rejection
    sampling for non-rectangular places, a handful of rounds.

    References
    ----------
    .. [1] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots:
       do police community support officers work? A randomized controlled trial. Journal of
       Experimental Criminology 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4
    .. [2] Zandbergen, P. A. (2009). Accuracy of iPhone locations: a comparison of assisted
       GPS, WiFi and cellular positioning. Transactions in GIS 13(s1), 5-25.

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_000, rng=0)
    >>> schedule = pd.DataFrame({"officer_id": ["A", "A"], "hotspot_id": [0, 1],
    ...     "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00"]),
    ...     "minutes": [15, 10]})
    >>> sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=1)
    >>> sim.visits["minutes"].tolist()
    [15.0, 10.0]
    """
    geoms = require_polygons(places, name="places").to_numpy()
    require_unique(places.index, name="places", what="index values (place ids)")
    column = place_column(places)
    interval = require_positive(interval_seconds, name="interval_seconds")
    noise = require_positive(noise_m, name="noise_m", allow_zero=True)
    gap = require_range(gap_rate, name="gap_rate", low=0, high=1, high_open=True)
    generator = as_rng(rng)
    visits = _timed_visits(schedule, places.index, column, interval, dayfirst)
    dwell = _dwell_pings(visits, geoms, generator)
    transit = _transit_pings(visits, geoms)
    time_ns = np.concatenate([dwell[0], transit[0]])
    xy = np.vstack([dwell[1], transit[1]])
    officer_code = np.concatenate([dwell[2], transit[2]])
    if noise > 0:
        xy = xy + generator.normal(0.0, noise, size=xy.shape)
    inside = _transit_inside(xy, len(dwell[0]), geoms)
    lost = ~inside & (generator.random(len(xy)) < gap)
    kept = np.flatnonzero(~inside & ~lost)
    kept = kept[np.lexsort((officer_code[kept], time_ns[kept]))]
    officers = visits["officer_values"]
    pings = gpd.GeoDataFrame(
        {
            "officer_id": officers[officer_code[kept]],
            "timestamp": time_ns[kept].astype("datetime64[ns]"),
            "accuracy_m": np.full(len(kept), noise),
        },
        geometry=gpd.points_from_xy(xy[kept, 0], xy[kept, 1]),
        crs=places.crs,
    )
    pings.index = pd.RangeIndex(len(pings), name="ping_id")
    truth = pd.DataFrame(
        {
            "officer_id": officers[visits["codes"]],
            column: places.index.to_numpy()[visits["position"]],
            "arrival": visits["arrival_ns"].astype("datetime64[ns]"),
            "departure": visits["departure_ns"].astype("datetime64[ns]"),
            "minutes": visits["n_pings"] * interval / 60.0,
            "n_pings": visits["n_pings"],
        }
    )
    return SimulatedPings(
        pings=pings,
        visits=truth,
        n_dropped=int(lost.sum()),
        n_transit_inside=int(inside.sum()),
        parameters={"interval_seconds": interval, "noise_m": noise, "gap_rate": gap},
    )
