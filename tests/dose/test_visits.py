import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import hotspotlib as hs
from hotspotlib.dose._locate import locate_xy


def _pings(rows, crs=27700):
    """Pings from (officer, 'HH:MM[:SS]', x, y) on 2024-01-01."""
    officer, clock, x, y = zip(*rows, strict=True)
    return gpd.GeoDataFrame(
        {
            "officer_id": list(officer),
            "timestamp": pd.to_datetime([f"2024-01-01 {c}" for c in clock], format="ISO8601"),
        },
        geometry=gpd.points_from_xy(x, y),
        crs=crs,
    )


@pytest.fixture
def two_places():
    return gpd.GeoDataFrame(
        {"name": ["a", "b"]},
        geometry=[box(0, 0, 100, 100), box(1_000, 0, 1_100, 100)],
        crs=27700,
        index=pd.Index([10, 20], name="place_id"),
    )


def _brute_visits(truth, column, merge_gap_minutes=3.0):
    """Union of true intervals per place and day, merged across gaps <= merge_gap (loops)."""
    rows = []
    for (place, _date), group in truth.groupby([column, truth["arrival"].dt.normalize()]):
        spans = sorted(zip(group["arrival"], group["departure"], strict=True))
        current = [spans[0][0], spans[0][1], [(spans[0][0], spans[0][1])]]
        merged = []
        for a, d in spans[1:]:
            if a <= current[1] + pd.Timedelta(minutes=merge_gap_minutes):
                current[1] = max(current[1], d)
                current[2].append((a, d))
            else:
                merged.append(current)
                current = [a, d, [(a, d)]]
        merged.append(current)
        for a, d, parts in merged:
            blocks = []
            for s, e in sorted(parts):
                if blocks and s <= blocks[-1][1]:
                    blocks[-1][1] = max(blocks[-1][1], e)
                else:
                    blocks.append([s, e])
            rows.append(
                {
                    column: place,
                    "arrival": a,
                    "departure": d,
                    "patrol_minutes": sum((e - s).total_seconds() for s, e in blocks) / 60,
                    "officer_minutes": sum((e - s).total_seconds() for s, e in parts) / 60,
                }
            )
    return pd.DataFrame(rows)


def test_clean_pings_recover_truth_exactly(city, schedule_factory):
    schedule = schedule_factory(n_officers=6, place_ids=np.arange(4), seed=2)
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=3)
    result = hs.patrol_visits(sim.pings, city.hotspots)
    episodes = result.episodes.sort_values(["officer_id", "arrival"]).reset_index(drop=True)
    truth = sim.visits.sort_values(["officer_id", "arrival"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(
        episodes[["officer_id", "hotspot_id", "arrival", "departure", "minutes", "n_pings"]],
        truth[["officer_id", "hotspot_id", "arrival", "departure", "minutes", "n_pings"]],
        check_dtype=False,
    )
    expected = _brute_visits(truth, "hotspot_id").sort_values(["hotspot_id", "arrival"])
    got = result.visits.reset_index(drop=True)
    assert len(got) == len(expected) < len(truth)  # some visits overlap across officers
    for name in ["hotspot_id", "arrival", "departure"]:
        assert got[name].tolist() == expected[name].tolist()
    np.testing.assert_allclose(got["patrol_minutes"], expected["patrol_minutes"])
    np.testing.assert_allclose(got["officer_minutes"], expected["officer_minutes"])
    assert result.counts["n_outside"] > 0 and result.counts["n_duplicates"] == 0
    assert result.parameters["ping_interval_seconds"] == 60.0


def test_grid_fast_path_matches_polygons(city, schedule_factory):
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    busy = grid.cells.index.to_numpy()[::7][:30]
    schedule = schedule_factory(place_ids=busy, column="cell_id", seed=11)
    sim = hs.simulate_patrol_pings(grid.cells, schedule, noise_m=3, rng=4)
    by_grid = hs.patrol_visits(sim.pings, grid)
    by_polygon = hs.patrol_visits(sim.pings, grid.cells)
    assert by_grid.grid is grid and by_polygon.grid is None
    # Points on a shared edge: grids give them to the north/east cell, polygons to the
    # first; with continuous noise no ping sits exactly on an edge.
    pd.testing.assert_frame_equal(by_grid.visits, by_polygon.visits)
    assert by_grid.place_column == "cell_id"


def test_noise_and_gaps_within_tolerance(city, schedule_factory):
    schedule = schedule_factory(n_officers=6, seed=5)
    clean = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=8)
    noisy = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=5, gap_rate=0.05, rng=8)
    assert noisy.n_dropped > 0
    truth = hs.patrol_visits(clean.pings, city.hotspots).visits
    got = hs.patrol_visits(noisy.pings, city.hotspots).visits
    ratio = got["officer_minutes"].sum() / truth["officer_minutes"].sum()
    assert 0.9 < ratio <= 1.0
    qualifying_truth = int(truth["qualifying"].sum())
    assert abs(int(got["qualifying"].sum()) - qualifying_truth) <= 0.1 * qualifying_truth
    # The 150 m hot spots plus a 10 m buffer absorb the noise: minutes come back.
    buffered = hs.patrol_visits(noisy.pings, city.hotspots, buffer_m=10).visits
    assert buffered["officer_minutes"].sum() / truth["officer_minutes"].sum() > ratio


def test_unsorted_duplicated_and_missing_pings_are_counted(city, schedule):
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=3)
    expected = hs.patrol_visits(sim.pings, city.hotspots).visits
    messy = pd.concat([sim.pings, sim.pings.iloc[:50]]).sample(frac=1.0, random_state=1)
    bad = sim.pings.iloc[:3].copy()
    bad["timestamp"] = pd.NaT
    no_officer = sim.pings.iloc[:2].copy()
    no_officer["officer_id"] = None
    nowhere = sim.pings.iloc[:4].copy()
    nowhere.geometry = [None, Point(), Point(np.nan, 1.0), None]
    messy = pd.concat([messy, bad, no_officer, nowhere], ignore_index=True)
    before = messy.copy()
    result = hs.patrol_visits(messy, city.hotspots)
    # not mutated (geometry compared as WKB: older geopandas finds POINT (NaN 1) unequal to itself)
    pd.testing.assert_frame_equal(messy.drop(columns="geometry"), before.drop(columns="geometry"))
    assert messy.geometry.to_wkb().equals(before.geometry.to_wkb())
    pd.testing.assert_frame_equal(result.visits, expected)
    counts = result.counts
    assert counts["n_duplicates"] == 50
    assert counts["n_out_of_order"] > 0
    assert (counts["n_missing_time"], counts["n_missing_officer"]) == (3, 2)
    assert counts["n_missing_position"] == 4
    assert counts["n_used"] == len(sim.pings)
    text = str(result.summary())
    assert "n_duplicates=50" in text and "out of time order" in text


def test_merge_gap_and_union(two_places):
    # A steps out for 2 minutes (merged); B overlaps A; a later visit after 10 minutes.
    rows = [("A", f"10:{m:02d}", 50, 50) for m in range(0, 5)]
    rows += [("A", "10:05", 500, 500), ("A", "10:06", 500, 500)]
    rows += [("A", f"10:{m:02d}", 50, 50) for m in range(7, 10)]
    rows += [("B", f"10:{m:02d}", 60, 60) for m in range(8, 15)]
    rows += [("A", "10:10", 500, 500), ("A", f"10:{25:02d}", 50, 50)]
    result = hs.patrol_visits(_pings(rows), two_places)
    v = result.visits
    assert v["place_id"].tolist() == [10, 10]
    assert v["duration_minutes"].tolist() == [15.0, 1.0]
    assert v["patrol_minutes"].tolist() == [13.0, 1.0]  # 10:00-10:05 and 10:07-10:15
    assert v["officer_minutes"].tolist() == [5.0 + 3.0 + 7.0, 1.0]
    assert v["n_officers"].tolist() == [2, 1] and v["n_episodes"].tolist() == [3, 1]
    assert v["qualifying"].tolist() == [True, False]
    assert v["koper_compliant"].tolist() == [True, False]
    strict = hs.patrol_visits(_pings(rows), two_places, merge_gap_minutes=1).visits
    assert len(strict) == 3


def test_split_at_midnight(two_places):
    rows = [("A", t, 50, 50) for t in pd.date_range("2024-01-01 23:50", periods=20, freq="min")]
    pings = gpd.GeoDataFrame(
        {"officer_id": "A", "timestamp": [r[1] for r in rows]},
        geometry=[Point(50, 50)] * 20,
        crs=27700,
    )
    v = hs.patrol_visits(pings, two_places).visits
    assert v["date"].dt.day.tolist() == [1, 2]
    assert v["duration_minutes"].tolist() == [10.0, 10.0]
    # The interval after a last ping before midnight is credited only up to midnight.
    late = pings.iloc[:10]
    assert hs.patrol_visits(late, two_places).visits["duration_minutes"].tolist() == [10.0]
    tail = pings.iloc[:9]
    assert hs.patrol_visits(tail, two_places, ping_interval_seconds=90).visits[
        "duration_minutes"
    ].tolist() == [9.5]


def test_speed_filter_drops_drive_throughs(two_places):
    walk = [("A", f"10:{m:02d}", 10 + 8 * m, 50) for m in range(6)]
    drive = [("B", f"11:00:{s:02d}", -60 + 11 * s, 50) for s in (0, 10, 20)]
    pings = _pings(walk + drive)
    everything = hs.patrol_visits(pings, two_places, ping_interval_seconds=60)
    assert len(everything.episodes) == 2
    foot = hs.patrol_visits(pings, two_places, ping_interval_seconds=60, max_speed_kmh=8)
    assert foot.episodes["officer_id"].tolist() == ["A"]
    assert foot.counts["n_episodes_too_fast"] == 1
    assert "km/h were dropped" in str(foot.summary())
    np.testing.assert_allclose(everything.episodes["speed_kmh"], [8 * 60 / 1000, 39.6])


def test_buffer_catches_pings_just_outside(two_places):
    rows = [("A", f"10:{m:02d}", 103, 50) for m in range(5)]
    with pytest.raises(ValueError, match="No pings of `pings` match `places`"):
        hs.patrol_visits(_pings(rows), two_places)  # every ping outside: an error, not 0 visits
    assert len(hs.patrol_visits(_pings(rows), two_places, buffer_m=5).visits) == 1


def test_timezone_aware_times_use_local_days(two_places):
    pings = _pings([("A", f"23:{m:02d}", 50, 50) for m in range(30, 40)])
    pings["timestamp"] = pings["timestamp"].dt.tz_localize("Europe/London")
    v = hs.patrol_visits(pings, two_places).visits
    assert v["date"].tolist() == [pd.Timestamp("2024-01-01")]


def test_second_resolution_times_are_read_or_refused_beyond_nanoseconds(two_places):
    pings = _pings([("A", f"10:{m:02d}", 50, 50) for m in range(5)])
    pings["timestamp"] = pings["timestamp"].astype("datetime64[s]")
    assert hs.patrol_visits(pings, two_places).visits["patrol_minutes"].tolist() == [5.0]
    far = pings["timestamp"].to_numpy() + np.timedelta64(365 * 300, "D")  # 2323: past ns
    pings["timestamp"] = pd.Series(far, index=pings.index)
    with pytest.raises(ValueError, match=r"\['timestamp'\]` runs from 2323-.* column's year"):
        hs.patrol_visits(pings, two_places)


def test_string_times_and_custom_columns(two_places):
    frame = _pings([("A", f"10:{m:02d}", 50, 50) for m in range(5)])
    frame = frame.rename(columns={"officer_id": "unit", "timestamp": "when"})
    frame["when"] = frame["when"].astype(str)
    v = hs.patrol_visits(frame, two_places, officer="unit", time="when").visits
    assert v["patrol_minutes"].tolist() == [5.0]


def test_locate_xy_matches_locate_events(rng):
    centres = rng.uniform(0, 2_000, size=(60, 2))
    polygons = shapely.buffer(shapely.points(centres), rng.uniform(20, 150, 60), quad_segs=4)
    places = gpd.GeoDataFrame(geometry=polygons, crs=27700)
    xy = np.vstack(
        [rng.uniform(-100, 2_100, size=(20_000, 2)), shapely.get_coordinates(polygons)[:500]]
    )
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    expected = hs.locate_events(events, places)
    np.testing.assert_array_equal(locate_xy(xy, polygons), expected)
    assert (expected >= 0).sum() > 1_000


def test_summary_and_plot(city, schedule):
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, rng=3)
    result = hs.patrol_visits(sim.pings, city.hotspots)
    assert "patrol_minutes" in str(result.summary())
    assert result.plot().get_xlabel() == "visit duration (minutes)"
    frame = result.to_frame()
    frame.loc[:, "patrol_minutes"] = 0.0
    assert result.visits["patrol_minutes"].sum() > 0


def test_errors(two_places, points_lonlat):
    good = _pings([("A", "10:00", 50, 50), ("A", "10:01", 50, 50)])
    with pytest.raises(TypeError, match="GeoDataFrame"):
        hs.patrol_visits(pd.DataFrame(good), two_places)
    with pytest.raises(ValueError, match="missing column"):
        hs.patrol_visits(good.drop(columns="officer_id"), two_places)
    with pytest.raises(ValueError, match="empty"):
        hs.patrol_visits(good.iloc[:0], two_places)
    with pytest.raises(ValueError, match="geographic"):
        hs.patrol_visits(good.to_crs(4326), two_places)
    with pytest.raises(ValueError, match="share one CRS"):
        hs.patrol_visits(good.to_crs(32630), two_places)
    with pytest.raises(ValueError, match="Polygon"):
        hs.patrol_visits(good, good)
    with pytest.raises(ValueError, match="repeated index values"):
        hs.patrol_visits(good, pd.concat([two_places, two_places]))
    lines = good.copy()
    lines.geometry = [shapely.LineString([(0, 0), (1, 1)])] * 2
    with pytest.raises(ValueError, match="Point geometries"):
        hs.patrol_visits(lines, two_places)
    text = good.copy()
    text["timestamp"] = ["not a time", "10:00"]
    with pytest.raises(ValueError, match="could not be parsed"):
        hs.patrol_visits(text, two_places)
    for name, value in [
        ("max_gap_minutes", 0),
        ("min_dwell_minutes", -1),
        ("merge_gap_minutes", 2_000),
        ("buffer_m", -5),
        ("max_speed_kmh", 0),
        ("ping_interval_seconds", float("nan")),
    ]:
        with pytest.raises(ValueError, match=name):
            hs.patrol_visits(good, two_places, **{name: value})
    for window in [(20, 10), (float("inf"), 1), (5, 10, 20), (-5, 10)]:
        with pytest.raises(ValueError, match="target_minutes"):
            hs.patrol_visits(good, two_places, target_minutes=window)
    with pytest.raises(TypeError, match="target_minutes"):
        hs.patrol_visits(good, two_places, target_minutes="ab")
    grid = hs.make_grid(two_places, cell_size_m=50)
    with pytest.raises(ValueError, match="buffer_m"):
        hs.patrol_visits(good, grid, buffer_m=5)
    with pytest.raises(ValueError, match="Cannot infer the ping interval"):
        hs.patrol_visits(good.iloc[:1], two_places)
    none = good.copy()
    none["timestamp"] = pd.NaT
    with pytest.raises(ValueError, match="no usable row"):
        hs.patrol_visits(none, two_places)
