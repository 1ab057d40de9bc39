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
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    as_rng,
    require_allocation,
    require_finite,
    require_number,
    require_positive,
    require_projected_crs,
    require_timestamp,
    require_whole,
    wall_clock,
)
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


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
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

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Map the boundary, events (grey) and planted hot spots (red outlines)."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax)
        self.boundary.boundary.plot(ax=axes, color="black", linewidth=1)
        kwargs.setdefault("markersize", 0.5)
        kwargs.setdefault("color", "0.55")
        kwargs.setdefault("alpha", 0.4)
        self.events.plot(ax=axes, **kwargs)
        self.hotspots.boundary.plot(ax=axes, color="red", linewidth=1)
        axes.set_aspect("equal")
        axes.set_title("Synthetic city: events and planted hot spots")
        return axes


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
    if isinstance(n_events, bool) or not isinstance(n_events, (int, np.integer)) or n_events < 1:
        raise ValueError(f"`n_events` must be a whole number >= 1; got {n_events!r}.")
    if (
        isinstance(n_hotspots, bool)
        or not isinstance(n_hotspots, (int, np.integer))
        or n_hotspots < 0
    ):
        raise ValueError(f"`n_hotspots` must be a whole number >= 0; got {n_hotspots!r}.")
    if not 0.0 <= require_number(hotspot_share, name="hotspot_share") < 1.0:
        raise ValueError(f"`hotspot_share` must be in [0, 1); got {hotspot_share!r}.")
    require_allocation(
        n_events, 200, name="n_events", what="events", fix="Draw fewer events (or fewer days)."
    )
    size = require_positive(size_m, name="size_m")
    spot = require_positive(hotspot_size_m, name="hotspot_size_m")
    require_whole(days, name="days", minimum=1)
    first_day = wall_clock(require_timestamp(start, name="start")).normalize()
    corner = require_finite(origin, name="origin")
    if corner.shape != (2,):
        raise ValueError(
            f"`origin` must be one (x, y) pair in metres, e.g. (580000, 180000); got {origin!r}."
        )
    x0, y0 = float(corner[0]), float(corner[1])

    boundary_shape = shapely.box(x0, y0, x0 + size, y0 + size).difference(
        shapely.Point(x0 + size, y0).buffer(0.35 * size, quad_segs=32)
    )
    boundary = gpd.GeoDataFrame({"name": ["Synthetic city"]}, geometry=[boundary_shape], crs=crs)
    require_projected_crs(boundary, name="crs")

    centres = _town_centres(generator, x0, y0, size, boundary_shape)
    hotspots = _plant_hotspots(generator, centres, n_hotspots, spot, size, boundary_shape, crs)

    total = generator.poisson(n_events)
    n_hot = generator.binomial(total, hotspot_share) if n_hotspots else 0
    n_background = total - n_hot
    xy_background = _sample_background(
        generator, n_background, centres, x0, y0, size, boundary_shape
    )
    hot_weights = hotspots["expected_per_day"].to_numpy()
    hot_id = (
        generator.choice(n_hotspots, size=n_hot, p=hot_weights / hot_weights.sum())
        if n_hot
        else np.empty(0, int)
    )
    bounds = shapely.bounds(hotspots.geometry.to_numpy()) if n_hotspots else np.empty((0, 4))
    xy_hot = bounds[hot_id, :2] + generator.random((n_hot, 2)) * spot if n_hot else np.empty((0, 2))
    xy = np.vstack([xy_background, xy_hot])
    hotspot_id = np.concatenate([np.full(n_background, -1), hot_id]).astype(np.int64)

    types = np.array(CRIME_TYPES, dtype=object)
    mix_back = np.array([_BACKGROUND_MIX[t] for t in CRIME_TYPES])
    mix_hot = np.array([_HOTSPOT_MIX[t] for t in CRIME_TYPES])
    crime_type = np.concatenate(
        [
            types[generator.choice(len(types), size=n_background, p=mix_back / mix_back.sum())],
            types[generator.choice(len(types), size=n_hot, p=mix_hot / mix_hot.sum())],
        ]
    )
    timestamp = _sample_times(generator, total, first_day, days)
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
    hotspots["expected_per_day"] = hotspots["expected_per_day"] * (n_events * hotspot_share / days)
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
        boundary=boundary,
        events=events,
        hotspots=hotspots,
        start=first_day,
        end=first_day + pd.Timedelta(days=days),
        parameters=params,
    )


def _town_centres(
    generator: np.random.Generator, x0: float, y0: float, size: float, shape: Any
) -> NDArray[np.float64]:
    """Five town centres (x, y, spread, weight) well inside the area."""
    candidates = np.column_stack(
        [
            x0 + size * generator.uniform(0.15, 0.85, 40),
            y0 + size * generator.uniform(0.15, 0.85, 40),
        ]
    )
    inside = shapely.contains_xy(shape, candidates[:, 0], candidates[:, 1])
    chosen = candidates[inside][:5]
    spread = size * generator.uniform(0.04, 0.12, len(chosen))
    weight = generator.dirichlet(np.full(len(chosen), 2.0))
    return np.column_stack([chosen, spread, weight])


_MAX_BATCHES = 200  # rejection rounds before giving up on a too-small area
_MAX_BATCH = 5_000_000  # points per round (bounded memory)


def _sample_background(
    generator: np.random.Generator,
    n: int,
    centres: NDArray[np.float64],
    x0: float,
    y0: float,
    size: float,
    shape: Any,
) -> NDArray[np.float64]:
    """Draw ``n`` points from 75% town-centre Gaussians and 25% uniform, inside ``shape``."""
    kept: list[NDArray[np.float64]] = []
    have = 0
    for _ in range(_MAX_BATCHES):  # a few batches, each fully vectorised
        if have >= n:
            break
        batch = min(int((n - have) * 1.4) + 16, _MAX_BATCH)
        component = generator.choice(
            len(centres) + 1, size=batch, p=np.append(0.75 * centres[:, 3], 0.25)
        )
        uniform = component == len(centres)
        pick = np.minimum(component, len(centres) - 1)
        xy = centres[pick, :2] + generator.standard_normal((batch, 2)) * centres[pick, 2:3]
        xy[uniform] = np.column_stack(
            [
                x0 + size * generator.random(int(uniform.sum())),
                y0 + size * generator.random(int(uniform.sum())),
            ]
        )
        xy = xy[shapely.contains_xy(shape, xy[:, 0], xy[:, 1])]
        kept.append(xy)
        have += len(xy)
    if have < n:
        raise ValueError(
            f"Could draw only {have:,} of {n:,} points inside the area after "
            f"{_MAX_BATCHES} rounds: it is too small or thin for the town centres. Raise "
            "`size_m` or lower `hotspot_size_m`."
        )
    return np.vstack(kept)[:n] if kept else np.empty((0, 2))


def _plant_hotspots(
    generator: np.random.Generator,
    centres: NDArray[np.float64],
    n: int,
    spot: float,
    size: float,
    shape: Any,
    crs: Any,
) -> gpd.GeoDataFrame:
    """Place ``n`` square hot spots near town centres, at least 4 hot-spot widths apart."""
    columns = {"expected_per_day": np.empty(0), "rank": np.empty(0, dtype=np.int64)}
    if n == 0:
        return gpd.GeoDataFrame(columns, geometry=[], crs=crs).rename_axis("hotspot_id")
    inner = shape.buffer(-spot)
    if inner.is_empty or inner.area < 0.01 * shape.area:
        raise ValueError(
            f"`hotspot_size_m` = {spot:g} m is too large for a city of `size_m` = {size:g} m: "
            "no room is left for hot spots a hot-spot width inside the boundary. Use "
            f"`hotspot_size_m` <= {size / 20:g} (a twentieth of `size_m`), a larger "
            "`size_m`, or `n_hotspots=0`."
        )
    candidates = _sample_background(generator, 50 * n, centres, *_bbox(shape), size, inner)
    min_gap = 4.0 * spot
    chosen: list[NDArray[np.float64]] = []
    for point in candidates:  # at most a few hundred candidates, not events
        if all(np.hypot(*(point - c)) >= min_gap for c in chosen):
            chosen.append(point)
            if len(chosen) == n:
                break
    if len(chosen) < n:
        raise ValueError(
            f"Could not place {n} hot spots {min_gap:.0f} m apart; lower `n_hotspots` "
            "or `hotspot_size_m`, or raise `size_m`."
        )
    xy = np.array(chosen)
    intensity = np.sort(generator.lognormal(0.0, 0.6, n))[::-1]
    half = spot / 2
    polygons = shapely.box(xy[:, 0] - half, xy[:, 1] - half, xy[:, 0] + half, xy[:, 1] + half)
    frame = gpd.GeoDataFrame(
        {"expected_per_day": intensity / intensity.sum(), "rank": np.arange(1, n + 1)},
        geometry=polygons,
        crs=crs,
    )
    return frame.rename_axis("hotspot_id")


def _bbox(shape: Any) -> tuple[float, float]:
    xmin, ymin, _, _ = shape.bounds
    return float(xmin), float(ymin)


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
