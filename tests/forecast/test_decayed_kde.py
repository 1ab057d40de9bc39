"""decayed_kde: brute-force kernel x decay, validation by hand, no leakage from the future."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon, box

import hotspotlib as hs


def _brute_force(
    events: gpd.GeoDataFrame,
    grid: hs.Grid,
    origin: pd.Timestamp,
    bandwidth: float,
    half_life: float,
    stay: float,
    own_half_life: float | None = None,
) -> np.ndarray:
    """Sum over events of stay x own decay in the own cell + spread decay x quartic kernel."""
    own_half_life = half_life if own_half_life is None else own_half_life
    size = grid.cell_size_m
    reach = int(bandwidth // size) + 2
    steps = np.arange(-reach, reach + 1) * size
    d2 = steps[:, None] ** 2 + steps[None, :] ** 2
    norm = float(np.sum(np.clip(1 - d2 / bandwidth**2, 0, None) ** 2))
    centres = grid.centroids()
    xy = np.column_stack([events.geometry.x, events.geometry.y])
    cells = grid.locate(xy)
    scores = np.zeros(grid.n_cells)
    for k in range(len(events)):  # brute force on a tiny case
        age = (origin - events["timestamp"].iloc[k]) / pd.Timedelta(days=1)
        if age <= 0 or cells[k] < 0:
            continue
        decay, own_decay = 0.5 ** (age / half_life), 0.5 ** (age / own_half_life)
        dist2 = np.sum((centres - centres[cells[k]]) ** 2, axis=1)
        kernel = np.clip(1 - dist2 / bandwidth**2, 0, None) ** 2 / norm
        own = (np.arange(grid.n_cells) == cells[k]).astype(float)
        scores += stay * own_decay * own + (1 - stay) * decay * kernel
    return scores


def _tiny() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    """An L-shaped area of 100 m cells (some clipped away) and 40 dated events."""
    area = gpd.GeoDataFrame(
        geometry=[Polygon([(0, 0), (1200, 0), (1200, 500), (500, 500), (500, 900), (0, 900)])],
        crs=27700,
    )
    grid = hs.make_grid(area, cell_size_m=100)
    rng = np.random.default_rng(3)
    xy = np.column_stack([rng.uniform(0, 500, 40), rng.uniform(0, 500, 40)])
    xy[:10] += [700, 0]
    days = rng.integers(0, 400, 40)
    events = gpd.GeoDataFrame(
        {"timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    return events, grid


@pytest.mark.parametrize(
    ("bandwidth", "half_life", "stay"), [(250.0, 30.0, 0.0), (330.0, 200.0, 0.4), (100.0, 9.0, 0.5)]
)
def test_equals_brute_force(bandwidth: float, half_life: float, stay: float) -> None:
    events, grid = _tiny()
    origin = pd.Timestamp("2024-11-15")
    surface = hs.decayed_kde(
        events, grid, origin=origin, bandwidths_m=bandwidth, half_lives_days=half_life,
        own_half_lives_days=None, stay_shares=stay,
    )  # fmt: skip
    expected = _brute_force(events, grid, origin, bandwidth, half_life, stay)
    np.testing.assert_allclose(surface.scores, expected, rtol=0, atol=1e-10)
    assert surface.counts["n_candidates"] == 1
    assert surface.counts["n_validation_windows"] == 0
    assert surface.counts["n_after_origin"] > 0
    assert surface.parameters["bandwidth_m"] == bandwidth
    assert surface.parameters["own_half_life_days"] == half_life


@pytest.mark.parametrize(
    ("bandwidth", "half_life", "own_half_life", "stay"),
    [(250.0, 365.0, 20.0, 0.5), (330.0, 30.0, 400.0, 0.8), (100.0, 60.0, 7.0, 0.3)],
)
def test_separate_half_lives_equal_brute_force(
    bandwidth: float, half_life: float, own_half_life: float, stay: float
) -> None:
    events, grid = _tiny()
    origin = pd.Timestamp("2024-11-15")
    surface = hs.decayed_kde(
        events, grid, origin=origin, bandwidths_m=bandwidth, half_lives_days=half_life,
        own_half_lives_days=own_half_life, stay_shares=stay,
    )  # fmt: skip
    expected = _brute_force(events, grid, origin, bandwidth, half_life, stay, own_half_life)
    np.testing.assert_allclose(surface.scores, expected, rtol=0, atol=1e-10)
    tied = _brute_force(events, grid, origin, bandwidth, half_life, stay)
    assert np.abs(surface.scores - tied).max() > 1e-3  # the own half-life matters
    assert surface.parameters["own_half_life_days"] == own_half_life
    assert surface.parameters["half_life_days"] == half_life
    assert "own count" in surface.notes[0]


def test_small_radius_gives_recency_counts() -> None:
    events, grid = _tiny()
    kde = hs.decayed_kde(
        events, grid, origin="2024-11-15", bandwidths_m=60, half_lives_days=45, stay_shares=0,
        own_half_lives_days=None,
    )  # fmt: skip
    recency = hs.recency_counts(events, grid, origin="2024-11-15", half_life_days=45)
    np.testing.assert_allclose(kde.scores, recency.scores, rtol=1e-12)


def test_smoothing_keeps_mass_away_from_edges() -> None:
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 2000, 2000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    events = gpd.GeoDataFrame(
        {"timestamp": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"])},
        geometry=[Point(1000, 1000), Point(950, 1020), Point(1130, 870)],
        crs=27700,
    )
    surface = hs.decayed_kde(
        events, grid, origin="2024-04-01", bandwidths_m=400, half_lives_days=30, stay_shares=0,
        own_half_lives_days=None,
    )  # fmt: skip
    ages = np.array([91.0, 60.0, 31.0])  # days from each event to the origin
    assert surface.scores.sum() == pytest.approx(np.sum(0.5 ** (ages / 30)), rel=1e-12)
    assert (surface.scores > 0).sum() > 3


def _validation_by_hand(
    events: gpd.GeoDataFrame, grid: hs.Grid, origin: pd.Timestamp, n: int, **candidate: float
) -> float:
    """Mean over the windows of accuracy_curve's hit rate of the candidate at each start."""
    rates = []
    for j in range(1, n + 1):  # a handful of windows
        start = origin - pd.Timedelta(days=28 * j)
        test = events[
            (events["timestamp"] >= start) & (events["timestamp"] < start + pd.Timedelta(days=28))
        ]
        candidate = {"own_half_lives_days": None, **candidate}
        surface = hs.decayed_kde(
            events[events["timestamp"] < start], grid, origin=start, **candidate
        )
        table = hs.accuracy_curve(surface.scores, test, grid=grid, coverage=(0.01, 0.05)).table
        rates.append(table["hit_rate"].mean())
    return float(np.mean(rates))


def test_validation_hit_rates_by_hand() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    origin = pd.Timestamp("2024-10-01")
    surface = hs.decayed_kde(
        city.events, grid, origin=origin, bandwidths_m=(250, 600), half_lives_days=(30, 365),
        stay_shares=(0.0, 0.5), n_validation=3, own_half_lives_days=None, coverage=(0.01, 0.05),
    )  # fmt: skip
    table = surface.parameters["validation_table"]
    assert len(table) == 8 == surface.counts["n_candidates"]
    for half_life, own, bandwidth, stay, rate in table[::3]:  # a few candidates
        assert own == half_life  # tied when no own half-lives are given
        expected = _validation_by_hand(
            city.events, grid, origin, 3, bandwidths_m=bandwidth, half_lives_days=half_life,
            stay_shares=stay,
        )  # fmt: skip
        assert rate == pytest.approx(expected, abs=1e-12)
    best = max(row[4] for row in table)
    assert surface.parameters["validation_hit_rate"] == best
    first = next(row for row in table if row[4] == best)
    p = surface.parameters
    assert (p["half_life_days"], p["own_half_life_days"], p["bandwidth_m"]) == first[:3]
    assert surface.parameters["stay_share"] == first[3]


def test_separate_half_lives_validation_by_hand() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    origin = pd.Timestamp("2024-10-01")
    surface = hs.decayed_kde(
        city.events, grid, origin=origin, bandwidths_m=(250, 600), half_lives_days=(60, 365),
        own_half_lives_days=(20, 60, 365), stay_shares=(0.3, 0.7), n_validation=3,
        coverage=(0.01, 0.05),
    )  # fmt: skip
    table = surface.parameters["validation_table"]
    assert len(table) == 24 == surface.counts["n_candidates"]
    assert {row[:2] for row in table} == {(s, o) for s in (60, 365) for o in (20, 60, 365)}
    for half_life, own, bandwidth, stay, rate in table[1::5]:  # a few candidates
        expected = _validation_by_hand(
            city.events, grid, origin, 3, bandwidths_m=bandwidth, half_lives_days=half_life,
            own_half_lives_days=own, stay_shares=stay,
        )  # fmt: skip
        assert rate == pytest.approx(expected, abs=1e-12)
    best = max(row[4] for row in table)
    first = next(row for row in table if row[4] == best)
    p = surface.parameters
    chosen = (p["half_life_days"], p["own_half_life_days"], p["bandwidth_m"], p["stay_share"])
    assert chosen == first[:4]
    assert p["validation_hit_rate"] == best


def test_future_events_change_nothing() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=5)
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    origin = pd.Timestamp("2024-09-01")
    past = city.events[city.events["timestamp"] < origin]
    options = {
        "bandwidths_m": (250, 500),
        "half_lives_days": (30, 180),
        "own_half_lives_days": (15, 180),
        "n_validation": 4,
    }
    with_future = hs.decayed_kde(city.events, grid, origin=origin, **options)
    without = hs.decayed_kde(past, grid, origin=origin, **options)
    assert with_future.counts["n_after_origin"] > 0 == without.counts["n_after_origin"]
    np.testing.assert_array_equal(with_future.scores, without.scores)
    assert with_future.parameters["validation_table"] == without.parameters["validation_table"]
    # events right after the origin moved onto one cell: still nothing changes
    future = city.events[city.events["timestamp"] >= origin].copy()
    future["geometry"] = Point(*grid.centroids()[0])
    moved = pd.concat([past, future])
    again = hs.decayed_kde(moved, grid, origin=origin, **options)
    np.testing.assert_array_equal(again.scores, without.scores)
    assert again.parameters["validation_table"] == without.parameters["validation_table"]


def test_planted_move_prefers_short_half_life() -> None:
    """A hot spot that moved recently: a short half-life wins on the validation windows."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 3000, 3000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    rng = np.random.default_rng(8)
    n = 1_500
    old = rng.normal([700, 700], 60, size=(n, 2))
    new = rng.normal([2300, 2300], 60, size=(n // 3, 2))
    noise = rng.uniform(0, 3000, size=(n, 2))
    xy = np.vstack([old, new, noise])
    days = np.concatenate(
        [rng.uniform(0, 600, n), rng.uniform(600, 730, n // 3), rng.uniform(0, 730, n)]
    )
    events = gpd.GeoDataFrame(
        {"timestamp": pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    surface = hs.decayed_kde(
        events, grid, origin="2024-01-01", half_lives_days=(14, 1000), n_validation=3,
        own_half_lives_days=None,
    )  # fmt: skip
    assert surface.parameters["half_life_days"] == 14
    top = np.argsort(-surface.scores)[:10]
    assert np.all(np.hypot(*(grid.centroids()[top] - [2300, 2300]).T) < 400)


def test_planted_steady_cells_prefer_long_own_half_life() -> None:
    """Steady hot cells among noise: the long own memory wins on the validation windows."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 3000, 3000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    rng = np.random.default_rng(11)
    hot = rng.choice(grid.n_cells, 40, replace=False)
    per_hot = 25  # about one event a month in each hot cell over two years
    centres = grid.centroids()[np.repeat(hot, per_hot)]
    steady = centres + rng.uniform(-40, 40, centres.shape)
    noise = rng.uniform(0, 3000, size=(3_000, 2))
    xy = np.vstack([steady, noise])
    days = rng.uniform(0, 730, len(xy))
    events = gpd.GeoDataFrame(
        {"timestamp": pd.Timestamp("2022-01-01") + pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    surface = hs.decayed_kde(
        events, grid, origin="2024-01-01", bandwidths_m=250, half_lives_days=30,
        own_half_lives_days=(7, 1000), stay_shares=0.75, n_validation=6,
    )  # fmt: skip
    assert surface.parameters["own_half_life_days"] == 1000
    rates = {row[1]: row[4] for row in surface.parameters["validation_table"]}
    assert rates[1000] > 1.15 * rates[7]
    top = np.argsort(-surface.scores)[:40]
    assert np.isin(top, hot).mean() > 0.9
