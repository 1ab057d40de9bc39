"""Local Moran's I on a Grid leaves the cell outlines unbuilt until the geometry is asked for."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs


@pytest.mark.parametrize(
    "weights", [{"spatial_weights": "queen"}, {"distance_m": 600.0}], ids=["queen", "band"]
)
def test_local_moran_on_a_grid_builds_no_outlines_and_frames_as_eagerly(
    weights: dict[str, object],
) -> None:
    city = hs.synthetic_city(n_events=3_000, rng=1)
    lazy_grid = hs.make_grid(city.boundary, cell_size_m=400)
    eager_grid = hs.make_grid(city.boundary, cell_size_m=400)
    values = np.asarray(hs.count_events(city.events, eager_grid).count)
    assert len(eager_grid.cells) == eager_grid.n_cells and eager_grid._outlines  # built, kept

    lazy = hs.local_moran(lazy_grid, value=values, n_permutations=99, rng=7, **weights)
    assert not lazy_grid._outlines  # statistics, counts, index and summary need no outline
    assert lazy.index.equals(eager_grid.cells.index) and lazy.counts["n_units"] == values.size
    repr(lazy)
    lazy.summary()
    assert not lazy_grid._outlines

    eager = hs.local_moran(eager_grid, value=values, n_permutations=99, rng=7, **weights)
    for name in ("local_i", "z_score", "p_value", "q_value", "standardised_lag"):
        np.testing.assert_allclose(getattr(lazy, name), getattr(eager, name), rtol=0, atol=1e-10)
    frame = lazy.to_frame()
    assert lazy_grid._outlines  # built by to_frame, then kept
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == eager_grid.crs
    pd.testing.assert_frame_equal(frame, eager.to_frame())
    assert lazy.geometry.geom_equals(eager.geometry).all()


def test_local_moran_on_a_frame_keeps_its_geometry() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=1)
    cells = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=400)).to_frame()
    result = hs.local_moran(cells, value="count", spatial_weights="queen", rng=1)
    assert result.geometry is result.units
    assert result.index.equals(cells.index)
    assert result.to_frame().geometry.geom_equals(cells.geometry).all()
