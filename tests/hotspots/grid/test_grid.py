import pickle

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import hotspotlib as hs


def test_square_grid_ids_and_area(square_area):
    grid = hs.make_grid(square_area, cell_size_m=100)
    assert (grid.n_rows, grid.n_cols, grid.n_cells) == (10, 10, 100)
    assert grid.cells.index.name == "cell_id"
    np.testing.assert_allclose(grid.cells.area, 10_000)
    np.testing.assert_allclose(grid.cells["area_share"], 1.0)
    assert grid.crs.equals(square_area.crs)
    # ids are row * n_cols + col and row 0 is south
    first = grid.cells.loc[0].geometry.bounds
    assert first == (0.0, 0.0, 100.0, 100.0)


def test_clip_keeps_whole_cells_and_area_share():
    circle = gpd.GeoSeries([Point(0, 0).buffer(1_000, quad_segs=64)], crs=27700)
    grid = hs.make_grid(circle, cell_size_m=100)
    unclipped = hs.make_grid(circle, cell_size_m=100, clip=False)
    assert unclipped.n_cells == 400 and grid.n_cells < 400
    np.testing.assert_allclose(grid.cells.area, 10_000)
    # the shares of area inside add up to the circle's area
    np.testing.assert_allclose(
        (grid.cells["area_share"] * 10_000).sum(), circle.area.iloc[0], rtol=1e-9
    )


def test_grid_from_points_covers_far_edge():
    pts = gpd.GeoSeries([Point(0, 0), Point(300, 200)], crs=27700)
    grid = hs.make_grid(pts, cell_size_m=100)
    assert (grid.locate([[300, 200], [0, 0]]) >= 0).all()


def test_hex_grid_locates_nearest_centre(rng):
    area = gpd.GeoSeries([box(0, 0, 2_000, 2_000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=120, cell_shape="hex", clip=False)
    np.testing.assert_allclose(grid.cells.area, np.sqrt(3) / 2 * 120**2)
    pts = rng.uniform(100, 1_900, size=(2_000, 2))
    pos = grid.locate(pts)
    centres = grid.centroids()
    # brute force: the hexagon holding a point has the nearest centre
    nearest = np.argmin(((pts[:, None, :] - centres[None, :, :]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(pos, nearest)
    # and that hexagon's polygon contains the point
    import shapely

    assert shapely.contains_xy(grid.cells.geometry.to_numpy()[pos], pts[:, 0], pts[:, 1]).all()


def test_to_array_round_trip(square_area):
    grid = hs.make_grid(square_area, cell_size_m=250)
    values = np.arange(grid.n_cells, dtype=float)
    raster = grid.to_array(values)
    assert raster.shape == (4, 4)
    np.testing.assert_array_equal(grid.from_array(raster), values)
    with pytest.raises(ValueError, match="one value per cell"):
        grid.to_array(values[:3])


def test_grid_errors(square_area, points_lonlat):
    with pytest.raises(ValueError, match="geographic CRS"):
        hs.make_grid(points_lonlat, cell_size_m=100)
    with pytest.raises(ValueError, match="> 0"):
        hs.make_grid(square_area, cell_size_m=0)
    with pytest.raises(ValueError, match="'square', 'hex'"):
        hs.make_grid(square_area, cell_size_m=100, cell_shape="triangle")
    with pytest.raises(ValueError, match="over the limit"):
        hs.make_grid(square_area, cell_size_m=0.01)
    with pytest.raises(ValueError, match="empty"):
        hs.make_grid(gpd.GeoSeries([], crs=27700), cell_size_m=10)
    with pytest.raises(TypeError, match="GeoDataFrame"):
        hs.make_grid([box(0, 0, 1, 1)], cell_size_m=10)


def test_grid_summary_and_plot(square_area):
    grid = hs.make_grid(square_area, cell_size_m=250)
    assert "cell_size_m" in str(grid.summary())
    ax = grid.plot()
    assert ax is not None


@settings(max_examples=30, deadline=None)
@given(
    size=st.floats(min_value=5, max_value=500),
    x=st.floats(min_value=-1e5, max_value=1e5),
    y=st.floats(min_value=-1e5, max_value=1e5),
)
@example(size=5.000000000000001, x=0.5, y=0.0)  # a point one ulp from a cell edge
def test_square_locate_matches_polygon(size, x, y):
    area = gpd.GeoSeries([box(x, y, x + 3 * size, y + 2 * size)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=size, clip=False)
    pts = np.array([[x + 0.5 * size, y + 0.5 * size], [x + 2.9 * size, y + 1.9 * size]])
    pos = grid.locate(pts)
    import shapely

    assert (pos >= 0).all()
    # a point within rounding (1e-9 of a cell) of an edge may fall on either side of it:
    # e.g. size=5.000000000000001, x=0.5 puts the second point one ulp from an edge
    cells = grid.cells.geometry.to_numpy()[pos]
    assert shapely.dwithin(cells, shapely.points(pts), 1e-9 * size).all()


def test_grid_contract_and_lazy_outlines(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    assert grid.parameters["cell_shape"] == "square" and grid.parameters["cell_size_m"] == 500
    assert grid.counts["n_cells"] == grid.n_cells
    assert grid.counts["n_clipped"] == grid.n_rows * grid.n_cols - grid.n_cells
    assert "cell_id" in grid.notes[0] and "n_clipped" in str(grid.summary())
    np.testing.assert_array_equal(grid.cell_ids, grid.cells.index.to_numpy())
    np.testing.assert_array_equal(grid.rows, grid.cells["row"].to_numpy())
    again = pickle.loads(pickle.dumps(grid))
    assert again.cells.equals(grid.cells) and not again.rows.flags.writeable
