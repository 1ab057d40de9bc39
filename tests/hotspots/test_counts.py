import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import hotspotlib as hs


def _events(xy, **columns):
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def test_counts_match_spatial_join(city):
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    counts = hs.count_events(city.events, grid, weights="harm")
    joined = gpd.sjoin(city.events, grid.cells, predicate="within")
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


def test_count_onto_polygons_first_match():
    places = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[box(0, 0, 10, 10), box(10, 0, 20, 10)], crs=27700
    )
    events = _events(np.array([[10.0, 5.0], [15.0, 5.0], [50.0, 50.0]]), harm=[1.0, 2.0, 3.0])
    counts = hs.count_events(events, places, weights="harm")
    assert counts.count.tolist() == [1, 1]
    assert counts.weight_sum.tolist() == [1.0, 2.0]
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


def test_top_is_sorted(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    counts = hs.count_events(city.events, grid, weights="harm")
    top = counts.top(10)
    assert len(top) == 10
    assert top["weight_sum"].is_monotonic_decreasing
    assert counts.plot() is not None


def test_results_read_only(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    counts = hs.count_events(_events(np.array([[1.0, 1.0]])), grid)
    with pytest.raises(ValueError):
        counts.count[0] = 5


def test_hex_counts(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300, shape="hex")
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


def test_top_and_plot_check_their_column(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    counts = hs.count_events(_events(np.array([[1.0, 1.0]])), grid)
    with pytest.raises(ValueError, match="`by` must be one of"):
        counts.top(5, by="row")
    with pytest.raises(ValueError, match="needs counts made with weights"):
        counts.top(5, by="weight_sum")
    with pytest.raises(ValueError, match="`column` must be one of"):
        counts.plot(column="geometry")
