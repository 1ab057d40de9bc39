import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import hotspotlib as hs


def _events(xy, **columns):
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def test_counts_match_spatial_join(city):
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    counts = hs.count_events(city.events, grid, weights="harm")
    joined = gpd.sjoin(city.events, grid.cells, predicate="within")
    joined = joined.rename(columns={"index_right": "cell_id"})  # geopandas < 1.0
    expected = joined.groupby("cell_id").size().reindex(grid.cells.index, fill_value=0)
    np.testing.assert_array_equal(counts.count, expected.to_numpy())
    harm = joined.groupby("cell_id")["harm"].sum().reindex(grid.cells.index, fill_value=0)
    np.testing.assert_allclose(counts.weight_sum, harm.to_numpy())
    assert counts.count.sum() + counts.n_outside == len(city.events)


def test_events_outside_are_counted(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    events = _events(np.array([[100.0, 100.0], [5_000.0, 5_000.0], [900.0, 100.0]]))
    counts = hs.count_events(events, grid)
    assert counts.n_outside == 1
    assert counts.count.tolist() == [1, 1, 0, 0]
    assert "1 events fell outside" in str(counts.summary())


def test_count_onto_polygons_edge_rule():
    places = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700
    )
    events = _events(np.array([[10.0, 5.0], [15.0, 5.0], [50.0, 50.0]]), harm=[1.0, 2.0, 3.0])
    counts = hs.count_events(events, places, weights="harm")
    assert counts.count.tolist() == [0, 2]  # the shared border x = 10 belongs to the east
    assert counts.weight_sum.tolist() == [0.0, 3.0]
    assert counts.n_outside == 1
    frame = counts.to_frame()
    assert list(frame["name"]) == ["a", "b"] and frame.crs.equals(places.crs)


def test_inputs_not_mutated(city):
    events = city.events.copy()
    before = events.copy()
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    cells_before = grid.cells.copy()
    hs.count_events(events, grid, weights="harm").to_frame()
    pd.testing.assert_frame_equal(events, before)
    pd.testing.assert_frame_equal(grid.cells, cells_before)


def test_count_errors(square_area, points_lonlat):
    grid = hs.make_grid(square_area, cell_size_m=500)
    with pytest.raises(ValueError, match="geographic"):
        hs.count_events(points_lonlat, grid)
    other = _events(np.array([[1.0, 1.0]])).to_crs(32630)
    with pytest.raises(ValueError, match="share one CRS"):
        hs.count_events(other, grid)
    with pytest.raises(ValueError, match="negative"):
        hs.count_events(_events(np.array([[1.0, 1.0]]), w=[-1.0]), grid, weights="w")


def test_select_places_on_counts_is_sorted(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    counts = hs.count_events(city.events, grid, weights="harm")
    top = hs.select_places(counts, n=10)
    assert len(top) == 10
    assert top["weight_sum"].is_monotonic_decreasing
    assert counts.plot() is not None


def test_results_read_only(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    counts = hs.count_events(_events(np.array([[1.0, 1.0]])), grid)
    with pytest.raises(ValueError):
        counts.count[0] = 5


def test_hex_counts(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300, cell_shape="hex")
    counts = hs.count_events(city.events, grid)
    joined = gpd.sjoin(city.events, grid.cells, predicate="intersects")
    # every event inside a kept hexagon is counted exactly once
    assert counts.count.sum() == joined.index.nunique()


def test_weights_series_is_matched_by_label(city):
    # A Series in another order than the events is matched by label, not by position.
    grid = hs.make_grid(city.boundary, cell_size_m=1_000)
    harm = city.events["harm"]
    reversed_harm = harm.iloc[::-1]
    assert not np.array_equal(reversed_harm.to_numpy(), harm.to_numpy())
    by_label = hs.count_events(city.events, grid, weights=reversed_harm)
    np.testing.assert_allclose(
        by_label.weight_sum, hs.count_events(city.events, grid, weights=harm).weight_sum
    )
    with pytest.raises(ValueError, match="Series whose index labels are not the rows"):
        hs.count_events(city.events, grid, weights=harm.set_axis(harm.index + 1))
    with pytest.raises(ValueError, match="Series whose index labels are not the rows"):
        hs.count_events(city.events, grid, weights=harm.iloc[:-1])


def test_plot_checks_its_column(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    counts = hs.count_events(_events(np.array([[1.0, 1.0]])), grid)
    with pytest.raises(ValueError, match="`column` must be one of 'auto', 'count'; got"):
        counts.plot(column="weight_sum")
    with pytest.raises(ValueError, match="`column` must be one of"):
        counts.plot(column="geometry")


# The edge rule: a point on an edge belongs to the cell just north-east of it (square cells
# are [x0, x1) x [y0, y1)); where there is none, to the first cell whose outline holds it.
_EDGE_AREA = gpd.GeoSeries([box(0, 0, 300, 200)], crs=27700)  # 3 x 2 cells of 100 m


@pytest.mark.parametrize(
    ("x", "y", "cell"),
    [
        (0, 0, 0),  # south-west corner: inside
        (100, 50, 1),  # shared west/east edge: the east cell
        (50, 100, 3),  # shared south/north edge: the north cell
        (100, 100, 4),  # inner corner: the north-east cell
        (300, 50, 2),  # east edge of the grid: closed
        (50, 200, 3),  # north edge of the grid: closed
        (300, 200, 5),  # north-east corner of the grid
        (200, 200, 4),  # north edge, on a vertical edge: the first outline holding it
        (300, 100, 2),  # east edge, on a horizontal edge: the first outline holding it
        (300.5, 50, -1),  # beyond the east edge
        (-0.5, 150, -1),  # beyond the west edge
    ],
)
def test_edge_rule_hand_worked(x, y, cell):
    grid = hs.make_grid(_EDGE_AREA, cell_size_m=100)
    events = _events(np.array([[float(x), float(y)]]))
    on_grid = hs.locate_events(events, grid)
    on_polygons = hs.locate_events(events, grid.cells)
    assert on_grid.tolist() == [cell]
    assert on_polygons.tolist() == [cell]


def test_edge_rule_with_clipped_cells():
    # An L-shaped area: the north-east cell is clipped away, so the north edge of the
    # cell below it is an outer edge of the grid and is closed.
    area = gpd.GeoSeries([box(0, 0, 200, 100).union(box(0, 100, 100, 200))], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    assert grid.n_cells == 3
    events = _events(np.array([[150.0, 100.0], [100.0, 150.0], [200.0, 200.0]]))
    for places in (grid, grid.cells):
        assert hs.locate_events(events, places).tolist() == [1, 2, -1]


def test_edge_rule_hex_grid_matches_polygons():
    grid = hs.make_grid(_EDGE_AREA, cell_size_m=100, cell_shape="hex")
    corners = np.vstack(
        [np.asarray(g.exterior.coords)[:-1] for g in grid.cells.geometry.to_numpy()]
    )
    centres = grid.centroids()
    xy = np.vstack([corners, centres, (corners[:-1] + corners[1:]) / 2])
    events = _events(xy)
    np.testing.assert_array_equal(
        hs.locate_events(events, grid), hs.locate_events(events, grid.cells)
    )


def test_kde_counts_follow_the_edge_rule():
    grid = hs.make_grid(_EDGE_AREA, cell_size_m=100)
    events = _events(np.array([[300.0, 200.0], [100.0, 100.0], [0.0, 0.0]]))
    surface = hs.kde(events, grid=grid, bandwidth_m=150)
    counts = hs.count_events(events, grid)
    assert int(np.nansum(surface.event_count)) == 3
    np.testing.assert_array_equal(grid.from_array(surface.event_count), counts.count)


# on and off the 100 m edges (offset so that no sample reads as longitude/latitude)
_coordinate = st.integers(-4, 28).map(lambda k: 1_000 + k * 12.5)


@settings(max_examples=60, deadline=None)
@given(
    points=st.lists(st.tuples(_coordinate, _coordinate), min_size=1, max_size=40),
    weights=st.lists(st.floats(0, 100), min_size=41, max_size=41),
    clip=st.booleans(),
)
def test_conservation_and_paths_agree(points, weights, clip):
    area = gpd.GeoSeries([Point(1_150, 1_100).buffer(120)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100, clip=clip)
    xy = np.vstack([[1_150.0, 1_100.0], np.array(points, dtype=float)])  # one inside
    harm = np.array(weights[: len(xy)])
    harm[0] += 1.0  # not all zero
    events = _events(xy, harm=harm)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # most events outside: warned, counted
        on_grid = hs.count_events(events, grid, weights="harm")
        on_polygons = hs.count_events(events, grid.cells, weights="harm")
    for counts in (on_grid, on_polygons):
        assert int(counts.count.sum()) + counts.n_outside == len(xy)
        outside = harm[hs.locate_events(events, grid) < 0].sum()
        np.testing.assert_allclose(counts.weight_sum.sum() + outside, harm.sum())
    np.testing.assert_array_equal(on_grid.count, on_polygons.count)
    np.testing.assert_allclose(on_grid.weight_sum, on_polygons.weight_sum)
    # every point of the grid's bounding box is counted
    x0, y0, x1, y1 = grid.cells.total_bounds
    in_box = (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)
    if not clip:
        assert on_grid.n_outside == int((~in_box).sum())


def _corners_and_midpoints(grid):
    """Every vertex of every cell outline and the midpoint of every edge."""
    rings = [np.asarray(g.exterior.coords) for g in grid.cells.geometry.to_numpy()]
    corners = np.vstack([ring[:-1] for ring in rings])
    middles = np.vstack([(ring[:-1] + ring[1:]) / 2 for ring in rings])
    return np.unique(np.vstack([corners, middles]), axis=0)


def _assert_paths_agree(grid, xy):
    events = _events(xy)
    on_grid = hs.locate_events(events, grid)
    np.testing.assert_array_equal(on_grid, hs.locate_events(events, grid.cells))
    return on_grid


# Cell sizes that are not whole numbers of metres: the arithmetic must still put every
# corner and edge where the outlines put it (the north-east cell, else the first holding it).
@pytest.mark.parametrize("size", [100.3, 33.3, 150.0, 0.5, 1.5, 3.5, 12.5, 0.1, 7.7])
@pytest.mark.parametrize("clip", [True, False])
def test_square_corners_located_as_the_outlines(size, clip):
    centre = Point(580_000 + 0.37 * size, 180_000 + 0.81 * size)
    area = gpd.GeoSeries([centre.buffer(9.6 * size)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=size, clip=clip)
    xy = _corners_and_midpoints(grid)
    on_grid = _assert_paths_agree(grid, xy)
    assert (on_grid >= 0).all()  # every corner of a kept cell is counted
    # corners computed from the origin and the size, as a user would
    west, south = grid.origin_x - size / 2, grid.origin_y - size / 2
    k = np.arange(grid.n_cols + 1)
    row = np.full(len(k), grid.n_rows // 2)
    _assert_paths_agree(grid, np.column_stack([west + k * size, south + row * size]))


@settings(max_examples=40, deadline=None)
@given(
    size=st.floats(0.05, 500.0, allow_nan=False),
    x=st.floats(-1e6, 1e6, allow_nan=False),
    y=st.floats(-1e6, 1e6, allow_nan=False),
    cell_shape=st.sampled_from(["square", "hex"]),
)
def test_corners_located_as_the_outlines_any_size(size, x, y, cell_shape):
    x, y = 500_000 + x / 2.5, 500_000 + y / 2.5  # inside the British National Grid
    area = gpd.GeoSeries([Point(x, y).buffer(4.3 * size)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=size, cell_shape=cell_shape)
    _assert_paths_agree(grid, _corners_and_midpoints(grid))


@pytest.mark.parametrize("size", [150.0, 100.3, 33.3, 0.5])
def test_hex_locate_matches_outlines(size):
    centre = Point(580_000 + 0.37 * size, 180_000 + 0.81 * size)
    area = gpd.GeoSeries([centre.buffer(12.2 * size)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=size, cell_shape="hex")
    rng = np.random.default_rng(7)
    x0, y0, x1, y1 = grid.cells.total_bounds
    random = np.column_stack([rng.uniform(x0, x1, 20_000), rng.uniform(y0, y1, 20_000)])
    # points along the edges (vertices, midpoints and random fractions of each edge)
    rings = np.stack([np.asarray(g.exterior.coords) for g in grid.cells.geometry.to_numpy()])
    start, end = rings[:, :-1].reshape(-1, 2), rings[:, 1:].reshape(-1, 2)
    share = rng.uniform(0, 1, (len(start), 1))
    on_edges = np.vstack([start, (start + end) / 2, start + share * (end - start)])
    for xy in (random, on_edges, _corners_and_midpoints(grid)):
        _assert_paths_agree(grid, xy)


def test_counts_contract_mappings(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    counts = hs.count_events(city.events, grid, weights="harm")
    assert counts.parameters["weights"] == "harm"
    assert counts.parameters["places"] == "square grid of 500 m cells"
    tallies = counts.counts
    assert tallies["n_inside"] + tallies["n_outside"] == tallies["n_events"] == len(city.events)
    assert tallies["max_count"] == counts.count.max()
    assert 0 < tallies["share_in_top_5pct_cells"] <= 1
    assert tallies["total_weight_inside"] == pytest.approx(counts.weight_sum.sum())
    assert counts._place_score == "weight_sum"
    assert hs.count_events(city.events, grid)._place_score == "count"
