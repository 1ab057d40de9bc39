"""Clipping a grid by scan lines gives the cells and shares of clipping every outline."""

import geopandas as gpd
import numpy as np
import pytest
import shapely

import hotspotlib as hs
from hotspotlib.hotspots.grid._cell_geometry import cell_polygons


def _outline_clip(area, size, shape):
    """The cells kept and their area shares, by clipping the outline of every cell."""
    whole = hs.make_grid(area, cell_size_m=size, cell_shape=shape, clip=False)
    polygons = cell_polygons(whole, whole.rows, whole.cols)
    union = shapely.union_all(area.to_numpy())
    shapely.prepare(union)
    keep = shapely.intersects(union, polygons) & ~shapely.touches(union, polygons)
    polygons = polygons[keep]
    share = np.ones(len(polygons))
    edge = ~shapely.contains_properly(union, polygons)
    share[edge] = shapely.area(shapely.intersection(polygons[edge], union)) / whole.cell_area_m2
    return whole.cell_ids[keep], share


def _irregular_area(rng, offset):
    """A star-shaped polygon with a hole, a separate island and a square on the lattice."""
    k = rng.integers(5, 40)
    angle = np.sort(rng.uniform(0, 2 * np.pi, k))
    radius = rng.uniform(300, 1000, k)
    star = shapely.make_valid(
        shapely.Polygon(np.c_[1000 + radius * np.cos(angle), 1000 + radius * np.sin(angle)])
    )
    centre = 1000 + rng.uniform(-100, 100, 2)
    hole = shapely.Point(*centre).buffer(rng.uniform(50, 250), quad_segs=3)
    corner = rng.uniform(1500, 2500, 2)
    island = shapely.box(*corner, *(corner + 300))
    union = shapely.union_all([star.difference(hole), island, shapely.box(200, 200, 500, 500)])
    return gpd.GeoSeries([shapely.affinity.translate(union, *offset)], crs=27700)


@pytest.mark.parametrize("shape", ["square", "hex"])
@pytest.mark.parametrize("offset", [(0.0, 0.0), (431_217.5, 286_003.25)])
def test_scan_line_clip_matches_outline_clip(shape, offset):
    rng = np.random.default_rng(7)
    for _ in range(4):
        area = _irregular_area(rng, offset)
        for size in (37.3, 50.0, 100.0):
            ids, share = _outline_clip(area, size, shape)
            grid = hs.make_grid(area, cell_size_m=size, cell_shape=shape)
            np.testing.assert_array_equal(grid.cell_ids, ids)
            np.testing.assert_allclose(grid.area_share, share, rtol=0, atol=1e-10)


def test_clip_of_several_rows_with_holes_and_touching_parts():
    ring = shapely.Point(0, 0).buffer(800).difference(shapely.Point(0, 0).buffer(300))
    parts = [ring, shapely.box(800, -100, 1200, 100), shapely.box(-1000, 900, -500, 1000)]
    area = gpd.GeoSeries(parts, crs=27700)
    for shape in ("square", "hex"):
        ids, share = _outline_clip(area, 100.0, shape)
        grid = hs.make_grid(area, cell_size_m=100, cell_shape=shape)
        np.testing.assert_array_equal(grid.cell_ids, ids)
        np.testing.assert_allclose(grid.area_share, share, rtol=0, atol=1e-10)
        assert grid.cells.geometry.notna().all()
