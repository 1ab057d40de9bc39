"""Gi* on a Grid leaves the cell outlines unbuilt until the geometry is asked for."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

import hotspotlib as hs


def test_gi_star_on_a_grid_builds_no_outlines_and_frames_as_eagerly() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=1)
    lazy_grid = hs.make_grid(city.boundary, cell_size_m=400)
    eager_grid = hs.make_grid(city.boundary, cell_size_m=400)
    values = hs.count_events(city.events, eager_grid).count
    assert len(eager_grid.cells) == len(values) and eager_grid._outlines  # built, kept

    lazy = hs.gi_star(lazy_grid, value=np.asarray(values), distance_m=600)
    assert not lazy_grid._outlines  # statistics, counts, index and summary need no outline
    assert lazy.index.equals(eager_grid.cells.index) and lazy.counts["n_units"] == len(values)
    repr(lazy)
    assert not lazy_grid._outlines

    eager = hs.gi_star(eager_grid, value=np.asarray(values), distance_m=600)
    frame = lazy.to_frame()
    assert lazy_grid._outlines  # built by to_frame, then kept
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == eager_grid.crs
    pd.testing.assert_frame_equal(frame, eager.to_frame())
    assert lazy.geometry.geom_equals(eager.geometry).all()
    pd.testing.assert_frame_equal(lazy.significant(0.90), eager.significant(0.90))
