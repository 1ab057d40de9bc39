"""The synthetic city: a simulated police area with planted hot spots and known truth.

Tests, tutorials, the demo and power simulations use it because the truth is known:
where the hot spots are, how intense they are, and (with
:func:`hotspotlib.data.plant_patrol_effect`) what a patrol did.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._validation import (
    as_rng,
    require_allocation,
    require_finite,
    require_positive,
    require_projected_crs,
    require_range,
    require_timestamp,
    require_whole,
    wall_clock,
)
from hotspotlib.data._city_layout import Area, event_points, plant_hotspots, town_centres
from hotspotlib.data.harm import CRIME_TYPES, harm_weights

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SyntheticCity", "synthetic_city"]

# Crime-type mix (share of events) away from and inside hot spots. Hot spots of serious
# violence hold more violence, robbery, drugs and public order than the background.
_BACKGROUND_MIX = {
    "Anti-social behaviour": 0.28,
    "Bicycle theft": 0.02,
    "Burglary": 0.06,
    "Criminal damage and arson": 0.09,
    "Drugs": 0.03,
    "Other crime": 0.02,
    "Other theft": 0.08,
    "Possession of weapons": 0.01,
    "Public order": 0.07,
    "Robbery": 0.01,
    "Shoplifting": 0.07,
    "Theft from the person": 0.01,
    "Vehicle crime": 0.06,
    "Violence and sexual offences": 0.19,
}
_HOTSPOT_MIX = {
    "Anti-social behaviour": 0.22,
    "Bicycle theft": 0.01,
    "Burglary": 0.02,
    "Criminal damage and arson": 0.06,
    "Drugs": 0.08,
    "Other crime": 0.01,
    "Other theft": 0.06,
    "Possession of weapons": 0.04,
    "Public order": 0.10,
    "Robbery": 0.05,
    "Shoplifting": 0.05,
    "Theft from the person": 0.04,
    "Vehicle crime": 0.02,
    "Violence and sexual offences": 0.24,
}
_DAY_OF_WEEK = np.array([0.90, 0.88, 0.92, 0.98, 1.15, 1.25, 1.02])  # Monday first
_HOURS = np.arange(24)
_HOUR_OF_DAY = 0.35 + (1 + np.cos(2 * np.pi * (_HOURS - 21) / 24)) / 2  # evening peak


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class SyntheticCity(FrozenResult):
    """A simulated police area with known hot spots.

    Attributes
    ----------
    boundary : geopandas.GeoDataFrame
        One polygon: the police area (a square with an estuary bitten out of a corner).
    events : geopandas.GeoDataFrame
        One row per event: ``timestamp``, ``month`` (first day of the month, as
        from :func:`read_police_uk`), ``crime_type``
        (police.uk labels), ``harm`` (indicative CCHI days), ``hotspot_id`` (-1 for
        background events) and point geometry.
    hotspots : geopandas.GeoDataFrame
        The planted hot spots, indexed by ``hotspot_id``: ``expected_per_day`` (mean
        events a day), ``rank`` (1 = most intense) and square polygons.
    start, end : pandas.Timestamp
        The period simulated, ``[start, end)``.
    parameters : dict
        The arguments that made the city (for the record).
    counts : dict
        Area, events and hot spots, and the hot spots' share of area, events and harm.
    notes : tuple of str
        Where the harm weights come from.

    See Also
    --------
    synthetic_city : Build one.
    plant_patrol_effect : Plant a known patrol effect in it.

    References
    ----------
    .. [1] Weisburd, D. (2015). The law of crime concentration and the criminology of place.
       Criminology 53(2), 133-157. https://doi.org/10.1111/1745-9125.12070
    """

    _title: ClassVar[str] = "Synthetic city"

    boundary: gpd.GeoDataFrame
    events: gpd.GeoDataFrame
    hotspots: gpd.GeoDataFrame
    start: pd.Timestamp
    end: pd.Timestamp
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def crs(self) -> Any:
        """The city's CRS (British National Grid by default)."""
        return self.boundary.crs

    @property
    def days(self) -> pd.DatetimeIndex:
        """Every day of the simulated period."""
        return pd.date_range(self.start, self.end, freq="D", inclusive="left")

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the events (a copy)."""
        return self.events.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Area, events and hot spots, and the hot spots' share of area, events and harm."""
        in_hot = self.events["hotspot_id"].to_numpy() >= 0
        harm = self.events["harm"].to_numpy()
        area_km2 = float(self.boundary.area.sum()) / 1e6
        hot_area = float(self.hotspots.area.sum()) / 1e6
        return frozen_mapping(
            {
                "area_km2": area_km2,
                "n_events": len(self.events),
                "n_hotspots": len(self.hotspots),
                "hotspot_share_of_area": hot_area / area_km2,
                "hotspot_share_of_events": float(in_hot.mean()),
                "hotspot_share_of_harm": float(harm[in_hot].sum() / harm.sum()),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Where the harm weights come from."""
        return ("Harm uses the indicative CCHI table (hotspotlib.data.harm_table).",)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the boundary, events (grey) and planted hot spots (red outlines).

        Parameters
        ----------
        {map_axes}
        {map_furniture}
        **kwargs
            Passed to the events' :meth:`geopandas.GeoDataFrame.plot`.

        {map_returns}
        """
        from matplotlib.lines import Line2D

        from hotspotlib._maps import finish_map, map_axes, map_style

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        axes = map_axes(ax)
        self.boundary.boundary.plot(ax=axes, color="black", linewidth=1)
        kwargs.setdefault("markersize", 0.5)
        kwargs.setdefault("color", "0.45")
        kwargs.setdefault("alpha", 0.4)
        self.events.plot(ax=axes, **kwargs)
        self.hotspots.boundary.plot(ax=axes, color="red", linewidth=1)
        handles = [
            Line2D([], [], marker="o", linestyle="", color="0.45", markersize=3, label="event"),
            Line2D([], [], color="red", label="planted hot spot"),
            Line2D([], [], color="black", label="boundary"),
        ]
        axes.set_anchor("W")
        axes.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.02, 1.0),
            frameon=False,
            fontsize=8,
        )
        title = "Synthetic city: events and planted hot spots"
        return finish_map(axes, self.events.crs, title=title, style=style)

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the events (popups) and the planted hot spots.

        ``tiles`` and other keyword arguments go to the events'
        :meth:`geopandas.GeoDataFrame.explore`.
        """
        from hotspotlib._explore import _require_folium

        _require_folium()
        kwargs.setdefault("color", "#555555")
        kwargs.setdefault("marker_kwds", {"radius": 2})
        kwargs.setdefault("tooltip", ["timestamp", "crime_type", "harm"])
        events = self.events.assign(timestamp=self.events["timestamp"].astype(str))
        events = events.drop(columns=[c for c in ("month",) if c in events])
        layer = events.explore(tiles=tiles, **kwargs)
        return self.hotspots.explore(m=layer, color="red", style_kwds={"fill": False})


def synthetic_city(
    *,
    n_events: int = 20_000,
    n_hotspots: int = 20,
    hotspot_share: float = 0.2,
    hotspot_size_m: float = 150.0,
    size_m: float = 10_000.0,
    start: str | pd.Timestamp = "2024-01-01",
    days: int = 365,
    origin: tuple[float, float] = (580_000.0, 180_000.0),
    crs: Any = "EPSG:27700",
    rng: int | np.random.Generator | None = None,
) -> SyntheticCity:
    """Simulate a police area: a year of events with planted micro hot spots.

    Events come from a smooth background (a few town centres on a uniform floor) plus
    ``n_hotspots`` square hot spots that hold ``hotspot_share`` of all events, with
    log-normal intensities. Timestamps follow day-of-week (weekend peak), hour-of-day
    (evening peak) and a mild summer seasonality. Crime types follow police.uk labels,
    with more violence, robbery and drugs inside hot spots; harm is the indicative CCHI.

    Parameters
    ----------
    n_events : int
        Expected number of events in the period (the realised number is Poisson).
    n_hotspots : int
        Number of planted hot spots (0 for none).
    hotspot_share : float
        Share of events, in expectation, inside the hot spots (0 to 1).
    hotspot_size_m : float
        Side of each square hot spot, in metres.
    size_m : float
        Side of the (square) police area before the estuary is removed.
    start : str or Timestamp
        First day simulated.
    days : int
        Number of days simulated.
    origin : tuple of float
        South-west corner of the area in ``crs`` coordinates.
    crs : str or CRS
        A projected CRS in metres (British National Grid by default).
    rng : int, Generator or None
        Seed or generator; the same ``rng`` gives the same city.

    Returns
    -------
    SyntheticCity
        Boundary, events, hot spots (the truth) and the parameters used.

    See Also
    --------
    SyntheticCity : The returned area, events and planted hot spots.
    plant_patrol_effect : Plant a known patrol effect in the city.
    simulate_patrol_pings : GPS pings for patrols of the city's hot spots.

    References
    ----------
    .. [1] Weisburd, D. (2015). The law of crime concentration and the criminology of place.
       Criminology 53(2), 133-157. https://doi.org/10.1111/1745-9125.12070
    .. [2] Sherman, L. W., Neyroud, P. W. and Neyroud, E. (2016). The Cambridge Crime Harm
       Index: measuring total harm from crime based on sentencing guidelines. Policing
       10(3), 171-183. https://doi.org/10.1093/police/paw003

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=5_000, rng=42)
    >>> len(city.hotspots)
    20
    >>> bool(city.events["timestamp"].is_monotonic_increasing)
    True
    """
    generator = as_rng(rng)
    n_events = require_whole(n_events, name="n_events", minimum=1)
    n_hotspots = require_whole(n_hotspots, name="n_hotspots")
    share = require_range(hotspot_share, name="hotspot_share", low=0, high=1, high_open=True)
    require_allocation(
        n_events, 200, name="n_events", what="events", fix="Draw fewer events (or fewer days)."
    )
    size = require_positive(size_m, name="size_m")
    spot = require_positive(hotspot_size_m, name="hotspot_size_m")
    require_whole(days, name="days", minimum=1)
    first_day = wall_clock(require_timestamp(start, name="start")).normalize()
    corner = require_finite(origin, name="origin").ravel()
    require_whole(
        corner.size,
        name="len(origin)",
        minimum=2,
        maximum=2,
        fix="Give one (x, y) pair in metres, e.g. (580000, 180000).",
    )
    area = Area(float(corner[0]), float(corner[1]), size, crs)
    require_projected_crs(area.boundary(), name="crs")
    centres = town_centres(generator, area)
    hotspots = plant_hotspots(generator, centres, n_hotspots, spot, area)
    xy, hotspot_id = event_points(generator, n_events, share, centres, hotspots, spot, area)
    events = _event_table(generator, xy, hotspot_id, first_day, days, crs)
    hotspots["expected_per_day"] = hotspots["expected_per_day"] * (n_events * share / days)
    params = {
        "n_events": n_events,
        "n_hotspots": n_hotspots,
        "hotspot_share": hotspot_share,
        "hotspot_size_m": spot,
        "size_m": size,
        "start": str(first_day.date()),
        "days": days,
    }
    return SyntheticCity(
        boundary=area.boundary(),
        events=events,
        hotspots=hotspots,
        start=first_day,
        end=first_day + pd.Timedelta(days=days),
        parameters=params,
    )


def _event_table(
    generator: np.random.Generator,
    xy: NDArray[np.float64],
    hotspot_id: NDArray[np.int64],
    first_day: pd.Timestamp,
    days: int,
    crs: Any,
) -> gpd.GeoDataFrame:
    """Give the events crime types, harm and times; return them sorted by time."""
    in_hot = hotspot_id >= 0
    types = np.array(CRIME_TYPES, dtype=object)
    crime_type = np.empty(len(xy), dtype=object)
    for inside, mix in ((False, _BACKGROUND_MIX), (True, _HOTSPOT_MIX)):  # two mixes
        weights = np.array([mix[t] for t in CRIME_TYPES])
        rows = np.flatnonzero(in_hot == inside)
        crime_type[rows] = types[
            generator.choice(len(types), size=len(rows), p=weights / weights.sum())
        ]
    timestamp = _sample_times(generator, len(xy), first_day, days)
    harm = harm_weights("cchi").reindex(crime_type).to_numpy(dtype=float)
    order = np.argsort(timestamp, kind="stable")
    events = gpd.GeoDataFrame(
        {
            "timestamp": pd.DatetimeIndex(timestamp[order]),
            "crime_type": pd.array(crime_type[order], dtype="string"),
            "harm": harm[order],
            "hotspot_id": hotspot_id[order],
        },
        geometry=gpd.points_from_xy(xy[order, 0], xy[order, 1]),
        crs=crs,
    )
    events["month"] = events["timestamp"].dt.to_period("M").dt.to_timestamp()
    events.index = pd.RangeIndex(len(events), name="event_id")
    return events


def _sample_times(
    generator: np.random.Generator, n: int, first_day: pd.Timestamp, days: int
) -> NDArray[np.datetime64]:
    """Timestamps with weekend, evening and summer peaks, to the second."""
    day_index = np.arange(days)
    dates = first_day + pd.to_timedelta(day_index, unit="D")
    season = 1.0 + 0.15 * np.cos(2 * np.pi * (dates.day_of_year.to_numpy() - 196) / 365.25)
    day_weight = _DAY_OF_WEEK[dates.day_of_week.to_numpy()] * season
    day = generator.choice(days, size=n, p=day_weight / day_weight.sum())
    hour = generator.choice(24, size=n, p=_HOUR_OF_DAY / _HOUR_OF_DAY.sum())
    seconds = day * 86_400 + hour * 3_600 + generator.integers(0, 3_600, size=n)
    return np.datetime64(first_day.to_datetime64(), "s") + seconds.astype("timedelta64[s]")
