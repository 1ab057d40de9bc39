"""A grid whose cells are all whole keeps no per-cell area share, even at national coordinates."""

from __future__ import annotations

import geopandas as gpd
from shapely.geometry import box

import hotspotlib as hs


def test_cells_along_a_far_edge_are_whole_and_share_one_value() -> None:
    # a strip up the National Grid: the cover's rounding gave 1008 cells 1 - 1.3e-12 inside
    area = gpd.GeoSeries([box(500_000, 0, 501_000, 1_300_000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    assert grid.counts["n_cells_cut_by_area"] == 0
    assert (grid.area_share == 1.0).all() and grid.area_share.strides == (0,)
    cut = hs.make_grid(
        gpd.GeoSeries([box(500_000, 1_290_000, 520_050, 1_300_000)], crs=27700), cell_size_m=100
    )
    assert cut.counts["n_cells_cut_by_area"] == 100 and abs(cut.area_share.min() - 0.5) < 1e-9
