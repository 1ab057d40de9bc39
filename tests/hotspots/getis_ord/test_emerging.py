"""Emerging hot spots: one unit test per pattern rule (domain.md section 6 E1), the
Mann-Kendall test, the space-time Gi* against brute force, planted truth, errors."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.hotspots.getis_ord.patterns import PATTERNS, classify_patterns, mann_kendall

STEPS = 10


def _series(hot_steps=(), cold_steps=()):
    hot = np.zeros((1, STEPS), bool)
    cold = np.zeros((1, STEPS), bool)
    hot[0, list(hot_steps)] = True
    cold[0, list(cold_steps)] = True
    return hot, cold


def _classify(hot_steps=(), cold_steps=(), trend_z=0.0, trend_p=1.0):
    hot, cold = _series(hot_steps, cold_steps)
    return classify_patterns(hot, cold, np.array([trend_z]), np.array([trend_p]))[0]


ALL = tuple(range(STEPS))
# (hot steps, cold steps, trend z, trend p) -> pattern; one case per rule, hot side
HOT_CASES = [
    ((9,), (), 0.0, 1.0, "new hot spot"),
    ((7, 8, 9), (), 0.0, 1.0, "consecutive hot spot"),
    (ALL, (), 3.0, 0.001, "intensifying hot spot"),
    (ALL, (), -3.0, 0.001, "diminishing hot spot"),
    (ALL[1:], (), 1.0, 0.3, "persistent hot spot"),
    ((1, 4, 5, 9), (), 0.0, 1.0, "sporadic hot spot"),
    ((4, 9), (1,), 0.0, 1.0, "oscillating hot spot"),
    (ALL[:-1], (), 0.0, 1.0, "historical hot spot"),
    ((), (), 0.0, 1.0, "no pattern detected"),
    ((3,), (), 0.0, 1.0, "no pattern detected"),  # hot once, not at the end
]


@pytest.mark.parametrize(("hot", "cold", "tz", "tp", "expected"), HOT_CASES)
def test_each_hot_rule(hot, cold, tz, tp, expected):
    assert _classify(hot, cold, tz, tp) == expected


@pytest.mark.parametrize(("hot", "cold", "tz", "tp", "expected"), HOT_CASES)
def test_each_cold_rule_mirrors_the_hot_rule(hot, cold, tz, tp, expected):
    mirrored = expected.replace("hot spot", "cold spot")
    assert _classify(cold, hot, -tz, tp) == mirrored


@pytest.mark.parametrize(
    ("hot", "cold", "tz", "tp", "expected"),
    [
        ((9,), (2, 3), 0.0, 1.0, "new hot spot"),  # new beats oscillating
        ((8, 9), (2,), 0.0, 1.0, "consecutive hot spot"),  # consecutive beats oscillating
        (ALL[1:], (0,), 0.0, 1.0, "persistent hot spot"),  # 90 % rules come first
        (ALL[1:], (), 3.0, 0.001, "intensifying hot spot"),
        (ALL[:-1], (), 3.0, 0.001, "historical hot spot"),  # final step not hot
        ((2, 3, 4, 5, 6, 7, 9), (), 0.0, 1.0, "sporadic hot spot"),  # broken run, 70 %
        ((1, 8, 9), (), 0.0, 1.0, "sporadic hot spot"),  # hot before the final run
        ((2, 3, 4, 5, 6, 7, 8, 9), (), 0.0, 1.0, "consecutive hot spot"),  # 80 % run
        (ALL[2:], (), 0.0, 1.0, "consecutive hot spot"),  # 80 %: below the 90 % rules
        (ALL, (), 3.0, 0.2, "persistent hot spot"),  # trend not significant
    ],
)
def test_precedence_and_boundaries(hot, cold, tz, tp, expected):
    assert _classify(hot, cold, tz, tp) == expected


def test_classification_is_vectorised_over_locations():
    hot = np.zeros((len(HOT_CASES), STEPS), bool)
    cold = np.zeros_like(hot)
    trend_z = np.zeros(len(HOT_CASES))
    trend_p = np.ones(len(HOT_CASES))
    for row, (h, c, tz, tp, _) in enumerate(HOT_CASES):
        hot[row, list(h)] = True
        cold[row, list(c)] = True
        trend_z[row], trend_p[row] = tz, tp
    result = classify_patterns(hot, cold, trend_z, trend_p)
    assert result.tolist() == [case[-1] for case in HOT_CASES]
    assert set(result) <= set(PATTERNS) and len(PATTERNS) == 17


def test_mann_kendall_against_brute_force_and_scipy():
    rng = np.random.default_rng(0)
    series = rng.integers(0, 5, (50, 12)).astype(float)  # many ties
    series[3, [2, 7]] = np.nan
    result = mann_kendall(series)
    for row in range(50):
        values = series[row][np.isfinite(series[row])]
        m = len(values)
        s = sum(np.sign(values[j] - values[i]) for i in range(m) for j in range(i + 1, m))
        _, ties = np.unique(values, return_counts=True)
        var = (m * (m - 1) * (2 * m + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18
        assert result["s"][row] == s
        assert result["variance"][row] == pytest.approx(var)
        z = (s - np.sign(s)) / np.sqrt(var)
        assert result["z_score"][row] == pytest.approx(z)
        assert result["p_value"][row] == pytest.approx(2 * stats.norm.sf(abs(z)))
    distinct = rng.normal(size=(5, 15))
    tau = mann_kendall(distinct)["tau"]
    for row in range(5):
        expected = stats.kendalltau(np.arange(15), distinct[row]).statistic
        assert tau[row] == pytest.approx(expected)


def _planted_events():
    """Background all year, a steady cluster, and a cluster that appears in October."""
    rng = np.random.default_rng(42)
    days = pd.date_range("2023-01-01", "2023-12-31 23:00", freq="h")
    parts = []
    background = rng.uniform(0, 5_000, (6_000, 2))
    parts.append((background, rng.choice(days, 6_000)))
    steady = rng.normal(1_125, 60, (1_200, 2))
    parts.append((steady, rng.choice(days, 1_200)))
    late = days[days >= "2023-10-01"]
    emerging = rng.normal(3_875, 60, (600, 2))
    parts.append((emerging, rng.choice(late, 600)))
    xy = np.vstack([p[0] for p in parts])
    when = np.concatenate([p[1] for p in parts])
    events = gpd.GeoDataFrame({"when": when}, geometry=gpd.points_from_xy(*xy.T), crs="EPSG:27700")
    return events[(xy >= 0).all(axis=1) & (xy < 5_000).all(axis=1)]


@pytest.fixture(scope="module")
def planted():
    events = _planted_events()
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 5_000, 5_000)], crs="EPSG:27700")
    before = events.copy()
    result = hs.emerging_hotspots(
        events, time="when", interval="M", cell_size_m=250, distance_m=260, area=area
    )
    pd.testing.assert_frame_equal(events, before)
    return result


def test_planted_patterns_are_recovered(planted):
    frame = planted.to_frame()
    cells = frame.geometry
    steady = frame[cells.contains(gpd.points_from_xy([1_125], [1_125])[0])]
    emerging = frame[cells.contains(gpd.points_from_xy([3_875], [3_875])[0])]
    assert steady["pattern"].iloc[0] in {
        "persistent hot spot",
        "intensifying hot spot",
        "diminishing hot spot",
    }
    assert emerging["pattern"].iloc[0] == "consecutive hot spot"
    assert (frame["pattern"] == "no pattern detected").mean() > 0.9
    assert planted.n_steps == 12 and planted.n_outside_window == 0


def test_space_time_gi_star_equals_brute_force():
    rng = np.random.default_rng(7)
    n = 400
    xy = rng.uniform(0, 1_000, (n, 2))
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 42, n), unit="D")
    events = gpd.GeoDataFrame({"t": when}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    for direction, window in (("both", 1), ("previous", 2), ("both", 0)):
        result = hs.emerging_hotspots(
            events,
            time="t",
            interval="W",
            cell_size_m=200,
            distance_m=290,
            time_window=window,
            alpha=0.1,
            time_neighbours=direction,
        )
        centres = np.column_stack(
            [result.locations.geometry.centroid.x, result.locations.geometry.centroid.y]
        )
        steps, cells = result.count.shape
        x = result.count.astype(float).ravel()
        t = np.repeat(np.arange(steps), cells)
        c = np.tile(np.arange(cells), steps)
        near = np.hypot(*(centres[c][:, None] - centres[c][None, :]).transpose(2, 0, 1)) <= 290
        lag_t = t[None, :] - t[:, None]
        in_time = (
            (np.abs(lag_t) <= window)
            if direction == "both"
            else ((lag_t <= 0) & (lag_t >= -window))
        )
        w = (near & in_time).astype(float)
        N = x.size
        wsum = w.sum(1)
        z = (w @ x - x.mean() * wsum) / (x.std() * np.sqrt((N * wsum - wsum**2) / (N - 1)))
        np.testing.assert_allclose(result.z_score.ravel(), z, atol=1e-10)


def test_result_methods(planted):
    frame = planted.to_frame()
    assert list(frame.columns[:4]) == ["pattern", "n_hot", "n_cold", "trend_z"]
    assert frame.crs == planted.locations.crs
    cube = planted.cube_frame()
    assert len(cube) == planted.n_steps * len(frame)
    assert cube["count"].sum() == planted.count.sum()
    summary = planted.summary()
    assert summary.table["n_locations"].sum() == len(frame)
    assert "consecutive hot spot" in str(summary)
    assert planted.plot() is not None
    with pytest.raises(ValueError):
        planted.z_score[0, 0] = 1.0


def test_without_area_only_cells_with_incidents_are_locations():
    events = _planted_events().iloc[::5]
    result = hs.emerging_hotspots(
        events, time="when", interval="M", cell_size_m=250, distance_m=260
    )
    assert (result.count.sum(axis=0) > 0).all()
    assert result.parameters["locations"] == "cells with >= 1 incident"


def test_partial_periods_are_left_out_and_counted():
    events = _planted_events()
    result = hs.emerging_hotspots(
        events, time="when", interval="W", cell_size_m=500, distance_m=600
    )
    # 2023-01-01 is a Sunday: its week is partial; 2023-12-31 is a Sunday: last week whole
    assert str(result.periods[0]).startswith("2023-01-02")
    assert result.n_outside_window == int((events["when"] < "2023-01-02").sum())
    windowed = hs.emerging_hotspots(
        events,
        time=events["when"].to_numpy(),
        interval="M",
        cell_size_m=500,
        distance_m=600,
        start="2023-03-01",
        end="2023-09-01",
    )
    assert windowed.n_steps == 6


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"interval": "Y"}, ValueError, "at least 4"),
        ({"interval": "fortnight"}, ValueError, "interval"),
        ({"time": "nope"}, ValueError, "missing column"),
        ({"time_window": -1}, ValueError, "time_window"),
        ({"distance_m": 0}, ValueError, "distance_m"),
        ({"alpha": 2}, ValueError, "alpha"),
        ({"time_neighbours": "after"}, ValueError, "time_neighbours"),
        ({"start": "2023-06-01", "end": "2023-05-01"}, ValueError, "before"),
        ({"time": ["2023-01-01"]}, ValueError, "one entry per event"),
    ],
)
def test_errors(kwargs, error, match):
    events = _planted_events().iloc[:500]
    arguments = {"time": "when", "interval": "M", "cell_size_m": 500, "distance_m": 600}
    arguments.update(kwargs)
    with pytest.raises(error, match=match):
        hs.emerging_hotspots(events, **arguments)


def test_events_on_the_north_east_edge_are_kept():
    # Coordinates snapped to 100 m with 100 m cells: the events at the largest x or y
    # lie on the extent's edge and used to fall outside every cell (35 of 600 here).
    rng = np.random.default_rng(0)
    xy = rng.integers(0, 50, (600, 2)) * 100.0
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 120, 600), unit="D")
    events = gpd.GeoDataFrame({"when": when}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    on_edge = int(((xy[:, 0] == xy[:, 0].max()) | (xy[:, 1] == xy[:, 1].max())).sum())
    assert on_edge == 35
    result = hs.emerging_hotspots(
        events, time="when", interval="W", cell_size_m=100, distance_m=150
    )
    assert result.n_outside == 0
    assert int(result.count.sum()) + result.n_outside_window == len(events)
