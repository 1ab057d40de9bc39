"""Point-in-place lookup for millions of coordinates without building point geometries.

Same answer as :func:`hotspotlib.hotspots.locate_events` (its edge rule: a point on a
border shared by several places goes to the first that holds the point nudged a hair
north-east, else to the first of them; points on a boundary count as inside), but it
works on an ``(n, 2)`` array: grids by arithmetic, polygons by binning their bounding
boxes onto a coarse raster and testing only the candidate pairs with
:func:`shapely.intersects_xy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib.hotspots.grid._cell_geometry import NUDGE
from hotspotlib.hotspots.grid.cells import Grid

_MAX_BINS = 4_000_000


@dataclass(frozen=True, slots=True)
class PolygonIndex:
    """Polygons binned by bounding box onto a coarse raster, prepared for point tests."""

    prepared: NDArray[Any]
    origin: tuple[float, float]
    extent: tuple[float, float]
    cell: float
    n_x: int
    bin_poly: NDArray[np.int64]
    count: NDArray[np.int64]
    first: NDArray[np.int64]


def polygon_index(geoms: NDArray[Any]) -> PolygonIndex:
    """Bin polygons once, so that many batches of points can be located against them."""
    geoms = np.asarray(geoms, dtype=object)
    bounds = shapely.bounds(geoms)
    x0, y0 = bounds[:, 0].min(), bounds[:, 1].min()
    width, height = bounds[:, 2].max() - x0, bounds[:, 3].max() - y0
    extent = np.maximum(bounds[:, 2] - bounds[:, 0], bounds[:, 3] - bounds[:, 1])
    cell = max(float(np.median(extent)), np.sqrt(width * height / _MAX_BINS), 1e-9)
    n_x = int(width // cell) + 1
    n_y = int(height // cell) + 1

    # Every raster bin a polygon's bounding box touches, as (bin, polygon) pairs.
    ix0 = ((bounds[:, 0] - x0) // cell).astype(np.int64)
    iy0 = ((bounds[:, 1] - y0) // cell).astype(np.int64)
    nx = ((bounds[:, 2] - x0) // cell).astype(np.int64) - ix0 + 1
    ny = ((bounds[:, 3] - y0) // cell).astype(np.int64) - iy0 + 1
    per_poly = nx * ny
    poly = np.repeat(np.arange(len(geoms), dtype=np.int64), per_poly)
    k = np.arange(len(poly)) - np.repeat(np.cumsum(per_poly) - per_poly, per_poly)
    bins = (iy0[poly] + k // nx[poly]) * n_x + ix0[poly] + k % nx[poly]
    order = np.lexsort((poly, bins))
    count = np.bincount(bins, minlength=n_x * n_y)
    # Prepared copies (not the caller's objects) make each test about twice as fast.
    prepared = shapely.from_wkb(shapely.to_wkb(geoms))
    shapely.prepare(prepared)
    return PolygonIndex(
        prepared=prepared,
        origin=(float(x0), float(y0)),
        extent=(float(width), float(height)),
        cell=cell,
        n_x=n_x,
        bin_poly=poly[order],
        count=count,
        first=np.cumsum(count) - count,
    )


def locate_xy(
    xy: NDArray[np.float64], places: Grid | PolygonIndex | NDArray[Any]
) -> NDArray[np.int64]:
    """Return the position of the place holding each point, -1 when none does."""
    if isinstance(places, Grid):
        return places.locate(xy)
    if isinstance(places, PolygonIndex):
        return _locate_polygons(xy, places)
    geoms = np.asarray(places, dtype=object)
    if len(xy) == 0 or len(geoms) == 0:
        return np.full(len(xy), -1, dtype=np.int64)
    return _locate_polygons(xy, polygon_index(geoms))


def _locate_polygons(xy: NDArray[np.float64], index: PolygonIndex) -> NDArray[np.int64]:
    position = np.full(len(xy), -1, dtype=np.int64)
    if len(xy) == 0:
        return position
    (x0, y0), (width, height), cell, n_x = index.origin, index.extent, index.cell, index.n_x
    x, y = xy[:, 0], xy[:, 1]
    near = np.flatnonzero((x >= x0) & (x <= x0 + width) & (y >= y0) & (y <= y0 + height))
    point_bin = ((y[near] - y0) // cell).astype(np.int64) * n_x + ((x[near] - x0) // cell).astype(
        np.int64
    )
    n_candidates = index.count[point_bin]
    has = n_candidates > 0
    near, point_bin, n_candidates = near[has], point_bin[has], n_candidates[has]
    pair_point = np.repeat(near, n_candidates)
    offset = np.arange(len(pair_point)) - np.repeat(
        np.cumsum(n_candidates) - n_candidates, n_candidates
    )
    pair_poly = index.bin_poly[np.repeat(index.first[point_bin], n_candidates) + offset]
    prepared = index.prepared
    hit = shapely.intersects_xy(prepared[pair_poly], x[pair_point], y[pair_point])
    # Pairs are grouped by point with polygons ascending: the first hit is the lowest.
    points_hit, first_hit = np.unique(pair_point[hit], return_index=True)
    position[points_hit] = pair_poly[hit][first_hit]
    # The edge rule of locate_events: among the outlines holding a point, the first that
    # also holds it nudged a hair north-east (only points held by several can differ).
    several = np.flatnonzero(np.bincount(pair_point[hit], minlength=len(xy)) > 1)
    if len(several):
        pick = hit & np.isin(pair_point, several)
        p_point, p_poly = pair_point[pick], pair_poly[pick]
        shifted = xy[p_point] + np.maximum(1.0, np.abs(xy[p_point])) * NUDGE
        owns = shapely.intersects_xy(prepared[p_poly], shifted[:, 0], shifted[:, 1])
        owners, first_owner = np.unique(p_point[owns], return_index=True)
        position[owners] = p_poly[owns][first_owner]
    return position
