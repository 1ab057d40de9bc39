"""Where the synthetic city's events fall: its boundary, town centres and hot spots.

The area is a square with an estuary bitten out of its south-east corner. Background
events come from a few town centres (Gaussian) on a uniform floor; hot spots are squares
placed near the town centres, well apart, and their events are uniform inside them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import require_range


@dataclass(frozen=True)
class Area:
    """The police area: its south-west corner, side and CRS."""

    x0: float
    y0: float
    size: float
    crs: Any

    @property
    def shape(self) -> Any:
        """The area as a shapely polygon (the square less the estuary)."""
        square = shapely.box(self.x0, self.y0, self.x0 + self.size, self.y0 + self.size)
        estuary = shapely.Point(self.x0 + self.size, self.y0).buffer(0.35 * self.size, quad_segs=32)
        return square.difference(estuary)

    def boundary(self) -> gpd.GeoDataFrame:
        """Return the area as a one-row GeoDataFrame."""
        return gpd.GeoDataFrame({"name": ["Synthetic city"]}, geometry=[self.shape], crs=self.crs)


def event_points(
    generator: np.random.Generator,
    n_events: int,
    share: float,
    centres: NDArray[np.float64],
    hotspots: gpd.GeoDataFrame,
    spot: float,
    area: Area,
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Draw the events' points; return them with their hot spot (-1 for the background).

    The number of events is Poisson; each falls in a hot spot with probability
    ``share`` (hot spots chosen by intensity), else in the background.
    """
    n_hotspots = len(hotspots)
    total = generator.poisson(n_events)
    n_hot = generator.binomial(total, share) if n_hotspots else 0
    n_background = total - n_hot
    xy_background = _sample_background(
        generator, n_background, centres, area.x0, area.y0, area.size, area.shape
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
    return xy, hotspot_id


def town_centres(generator: np.random.Generator, area: Area) -> NDArray[np.float64]:
    """Draw five town centres (x, y, spread, weight) well inside the area."""
    x0, y0, size, shape = area.x0, area.y0, area.size, area.shape
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


def plant_hotspots(
    generator: np.random.Generator,
    centres: NDArray[np.float64],
    n: int,
    spot: float,
    area: Area,
) -> gpd.GeoDataFrame:
    """Place ``n`` square hot spots near town centres, at least 4 hot-spot widths apart."""
    shape, size, crs = area.shape, area.size, area.crs
    columns = {"expected_per_day": np.empty(0), "rank": np.empty(0, dtype=np.int64)}
    if n == 0:
        return gpd.GeoDataFrame(columns, geometry=[], crs=crs).rename_axis("hotspot_id")
    inner = shape.buffer(-spot)
    require_range(
        inner.area / shape.area,
        name="hotspot_size_m (as the share of the area left for hot spots)",
        low=0.01,
        fix=f"`hotspot_size_m` = {spot:g} m is too large for a city of `size_m` = {size:g} m: "
        "no room is left for hot spots a hot-spot width inside the boundary. Use "
        f"`hotspot_size_m` <= {size / 20:g} (a twentieth of `size_m`), a larger "
        "`size_m`, or `n_hotspots=0`.",
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
