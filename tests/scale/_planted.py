"""Small events on a small unclipped grid, shared by the tiled-path tests."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import box

import hotspotlib as hs


def rectangle_grid(n_rows: int = 45, n_cols: int = 61, size: float = 100.0) -> hs.Grid:
    area = gpd.GeoSeries([box(1_000, 2_000, 1_000 + n_cols * size, 2_000 + n_rows * size)])
    return hs.make_grid(area.set_crs(27700), cell_size_m=size)


def clustered_events(grid: hs.Grid, n: int = 20_000, *, rng: int = 0) -> gpd.GeoDataFrame:
    """Events in the grid's box: a cluster, a uniform background and points on edges."""
    gen = np.random.default_rng(rng)
    west, south, east, north = grid.cells.total_bounds
    centre = ((west + east) / 2, (south + north) / 2)
    x = np.r_[gen.normal(centre[0], 800, n // 2), gen.uniform(west, east, n // 2)]
    y = np.r_[gen.normal(centre[1], 600, n // 2), gen.uniform(south, north, n // 2)]
    snap = gen.random(len(x)) < 0.05  # on cell edges and corners, incl. the outer ones
    size = grid.cell_size_m
    x[snap] = np.round(x[snap] / size) * size
    y[snap[::-1]] = np.round(y[snap[::-1]] / size) * size
    inside = (x >= west) & (x <= east) & (y >= south) & (y <= north)
    harm = gen.exponential(2.0, int(inside.sum()))
    points = gpd.points_from_xy(x[inside], y[inside])
    return gpd.GeoDataFrame({"harm": harm}, geometry=points, crs=27700)
