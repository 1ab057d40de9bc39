import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import hotspotlib as hs
from hotspotlib.metrics import accuracy_curve, prospective_hotspots

AT = pd.Timestamp("2024-03-01")


def make_events(xy, stamps, crs=27700):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        {"timestamp": pd.to_datetime(stamps)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def brute_risk(grid, xy, stamps, at, radius, weeks):
    centres = grid.centroids()
    distance = np.hypot(*(centres[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    days = (at - pd.to_datetime(stamps)).total_seconds().to_numpy() / 86_400
    t = np.floor(days / 7)
    ok = (days > 0) & (t < weeks)
    t = np.where(ok, t, 0)
    weight = np.where(
        (distance <= radius) & ok[None, :],
        1 / (1 + np.floor(distance / grid.cell_size_m)) / (1 + t[None, :]),
        0.0,
    )
    return weight.sum(axis=1)


def test_hand_worked_weights(square_area):
    grid = hs.make_grid(square_area, cell_size_m=100)
    events = make_events(
        [[50, 50], [50, 50], [50, 50], [50, 50]],
        [
            AT - pd.Timedelta(days=3),  # this week: t = 0
            AT - pd.Timedelta(days=10),  # last week: t = 1
            AT - pd.Timedelta(days=56),  # 8 whole weeks: too old
            AT + pd.Timedelta(hours=1),  # after `at`: not used
        ],
    )
    result = prospective_hotspots(events, origin=AT, grid=grid, bandwidth_m=250)
    risk = grid.to_array(result.risk)
    both = 1 + 1 / 2
    assert risk[0, 0] == pytest.approx(both)  # same cell, d = 0
    assert risk[0, 1] == pytest.approx(both / 2)  # 100 m: one complete cell width
    assert risk[1, 1] == pytest.approx(both / 2)  # 141 m
    assert risk[0, 2] == pytest.approx(both / 3)  # 200 m
    assert risk[2, 2] == 0.0  # 283 m > bandwidth
    assert risk[0, 3] == 0.0  # 300 m > bandwidth
    assert (result.n_used, result.n_after_origin, result.n_too_old) == (2, 1, 1)


@given(st.integers(0, 2**32 - 1), st.integers(1, 10), st.floats(50, 600))
@settings(max_examples=25, deadline=None)
def test_matches_brute_force(seed, weeks, radius):
    gen = np.random.default_rng(seed)
    xy = gen.uniform(0, 1_000, size=(60, 2))
    stamps = AT - pd.to_timedelta(gen.uniform(-20, 90, size=60), unit="D")
    # a window with no events is refused by design; about 2% of draws give one
    assume(((stamps < AT) & (stamps >= AT - pd.Timedelta(weeks=weeks))).any())
    events = make_events(xy, stamps)
    area = gpd.GeoSeries.from_wkt(["POLYGON ((0 0, 1000 0, 1000 1000, 0 1000, 0 0))"], crs=27700)
    grid = hs.make_grid(area, cell_size_m=125)
    result = prospective_hotspots(
        events, origin=AT, grid=grid, bandwidth_m=radius, bandwidth_weeks=weeks
    )
    np.testing.assert_allclose(
        result.risk, brute_risk(grid, xy, stamps, AT, radius, weeks), atol=1e-12
    )


def test_builds_grid_from_area_or_events(city):
    by_area = prospective_hotspots(
        city.events, origin="2024-06-01", cell_size_m=500, area=city.boundary
    )
    assert by_area.grid.n_cells == hs.make_grid(city.boundary, cell_size_m=500).n_cells
    by_events = prospective_hotspots(city.events, origin="2024-06-01", cell_size_m=500)
    assert by_events.grid.cell_size_m == 500
    assert by_events.risk.sum() == pytest.approx(by_area.risk.sum(), rel=0.05)


def test_predicts_next_month_on_planted_city(city):
    grid = hs.make_grid(city.boundary, cell_size_m=150)
    result = prospective_hotspots(city.events, origin="2024-09-01", grid=grid, bandwidth_m=300)
    september = city.events[city.events["month"] == "2024-09"]
    table = accuracy_curve(result.risk, september, grid=grid, coverage=[0.02]).table
    assert table["pai"].iloc[0] > 5  # planted hot spots persist


def test_inputs_unchanged_and_results(city):
    events = city.events.copy()
    before = events.copy()
    result = prospective_hotspots(events, origin="2024-05-01", cell_size_m=400)
    pd.testing.assert_frame_equal(events, before)
    assert not result.risk.flags.writeable
    frame = result.to_frame()
    assert "risk" in frame and frame.crs.equals(events.crs)
    text = str(result.summary())
    assert "complete cell widths" in text and "complete weeks" in text
    assert result.plot() is not None


def test_no_events_in_window(square_area):
    grid = hs.make_grid(square_area, cell_size_m=500)
    events = make_events([[10, 10]], [AT + pd.Timedelta(days=1)])
    with pytest.raises(ValueError, match=r"No events of `events\['timestamp'\]` match"):
        prospective_hotspots(events, origin=AT, grid=grid)  # an all-zero map is refused


def test_prospective_errors(square_area, points_lonlat):
    grid = hs.make_grid(square_area, cell_size_m=500)
    events = make_events([[10, 10], [20, 20]], [AT, AT])
    with pytest.raises(ValueError, match="exactly one"):
        prospective_hotspots(events, origin=AT)
    with pytest.raises(ValueError, match="exactly one"):
        prospective_hotspots(events, origin=AT, grid=grid, cell_size_m=50)
    with pytest.raises(ValueError, match="bandwidth_m"):
        prospective_hotspots(events, origin=AT, grid=grid, bandwidth_m=0)
    with pytest.raises(ValueError, match="bandwidth_weeks"):
        prospective_hotspots(events, origin=AT, grid=grid, bandwidth_weeks=0)
    with pytest.raises(ValueError, match="bandwidth_weeks.*whole number"):
        prospective_hotspots(events, origin=AT, grid=grid, bandwidth_weeks=2.5)
    with pytest.raises(ValueError, match="`origin`"):
        prospective_hotspots(events, origin="not a date", grid=grid)
    with pytest.raises(ValueError, match="time zone"):
        prospective_hotspots(events, origin=pd.Timestamp("2024-01-01", tz="UTC"), grid=grid)
    with pytest.raises(ValueError, match="missing column"):
        prospective_hotspots(events, origin=AT, grid=grid, time="when")
    with pytest.raises(ValueError, match="geographic"):
        prospective_hotspots(points_lonlat, origin=AT, cell_size_m=50)
    with pytest.raises(ValueError, match="share one CRS"):
        prospective_hotspots(events.to_crs(32630), origin=AT, grid=grid)
    with pytest.raises(TypeError, match="Grid"):
        prospective_hotspots(events, origin=AT, grid=grid.cells)


def test_hand_worked_cell_with_both_distance_readings(square_area):
    # Cell 0 has its centre at (50, 50); events lie along the x axis from it.
    grid = hs.make_grid(square_area, cell_size_m=100)
    days = pd.to_timedelta([3, 10, 55, 56, 1, 0], unit="D")
    metres = np.array([30.0, 160.0, 245.0, 350.0, 410.0, 20.0])
    events = make_events(np.column_stack([50 + metres, np.full(6, 50.0)]), AT - days)
    result = prospective_hotspots(events, origin=AT, grid=grid, bandwidth_m=400)
    # d = floor(m / 100) = 0, 1, 2; t = floor(days / 7) = 0, 1, 7; the 56-day event has
    # t = 8 (too old), the 410 m one is beyond 400 m, the one at `at` is not before it.
    assert result.risk[0] == pytest.approx(1 / 1 / 1 + 1 / 2 / 2 + 1 / 3 / 8)
    assert (result.n_used, result.n_too_old, result.n_after_origin) == (4, 1, 1)
    halves = prospective_hotspots(events, origin=AT, grid=grid, bandwidth_m=400, distance_unit_m=50)
    # complete half widths: d = floor(m / 50) = 0, 3, 4
    assert halves.risk[0] == pytest.approx(1 / 1 / 1 + 1 / 4 / 2 + 1 / 5 / 8)
    assert halves.distance_unit_m == 50 and result.distance_unit_m == 100
    nine = prospective_hotspots(events, origin=AT, grid=grid, bandwidth_m=400, bandwidth_weeks=9)
    # "t <= 8 whole weeks": the 56-day event (t = 8, d = 3) joins
    assert nine.risk[0] == pytest.approx(result.risk[0] + 1 / 4 / 9)
    assert "less than 56 days old" in str(result.summary())
    assert "half cell widths" in str(halves.summary())
    with pytest.raises(ValueError, match="distance_unit_m"):
        prospective_hotspots(events, origin=AT, grid=grid, distance_unit_m=0)


def test_select_places_takes_the_riskiest_cells(city):
    # One way to pick top places: select_places ranks a result by its `_place_score`.
    result = prospective_hotspots(city.events, origin="2024-05-01", cell_size_m=400)
    top = hs.select_places(result, n=5)
    assert len(top) == 5 and top["risk"].is_monotonic_decreasing
    assert top["risk"].iloc[0] == result.risk.max()
