"""ensemble: hit rates as accuracy_curve, the weight grid, weights chosen on the past only."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.forecast._members import hit_rates, simplex

ORIGIN = pd.Timestamp("2024-10-01")


@pytest.fixture(scope="module")
def city() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    made = hs.synthetic_city(n_events=3_000, rng=2)
    return made.events, hs.make_grid(made.boundary, cell_size_m=400)


def test_hit_rates_follow_accuracy_curve(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    rng = np.random.default_rng(1)
    test = events.iloc[:800]
    observed = hs.count_events(test, grid).count.astype(float)
    size = grid.cells["area_share"].to_numpy(dtype=float)
    assert (size < 1).any()  # clipped cells count their share
    scores = rng.integers(0, 4, (5, grid.n_cells)).astype(float)  # many ties
    coverages = np.array([0.01, 0.05, 0.2])
    got = hit_rates(scores, observed, size, coverages)
    for row, values in zip(scores, got, strict=True):
        table = hs.accuracy_curve(row, test, grid=grid, coverage=coverages).table
        np.testing.assert_allclose(values, table["hit_rate"].to_numpy(), rtol=1e-12)


def test_weight_grid_is_the_whole_simplex() -> None:
    weights = simplex(3, 0.25, 10)
    assert weights.shape == (math.comb(6, 2), 3)
    np.testing.assert_allclose(weights.sum(axis=1), 1.0)
    np.testing.assert_allclose(weights * 4, np.round(weights * 4))
    assert len({tuple(row) for row in weights.tolist()}) == len(weights)
    with pytest.raises(ValueError, match="weight_step"):
        simplex(3, 0.3, 10)


def test_equal_weights_average_the_ranks(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    recent = hs.recency_counts(events, grid, origin=ORIGIN, half_life_days=30).scores
    counts = hs.window_counts(events, grid, origin=ORIGIN).scores
    methods = {
        "recent": lambda train, origin: hs.recency_counts(
            train, grid, origin=origin, half_life_days=30
        ),
        "counts": lambda train, origin: hs.window_counts(train, grid, origin=origin),
    }
    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, method_weights=None)
    expected = (rankdata(recent) + rankdata(counts)) / (2 * grid.n_cells)
    lowest = (recent == recent.min()) & (counts == counts.min())  # lowest in both: 0
    expected[lowest] = 0.0
    assert lowest.any()
    np.testing.assert_allclose(surface.scores, expected)
    assert surface.parameters["weights_from"] == "equal"
    given = hs.ensemble(
        events,
        grid,
        origin=ORIGIN,
        methods=methods,
        combine="mean",
        method_weights={"recent": 3, "counts": 1},
    )
    np.testing.assert_allclose(
        given.scores, 0.75 * recent / recent.sum() + 0.25 * counts / counts.sum()
    )
    assert given.parameters["chosen_weights"] == {"recent": 0.75, "counts": 0.25}


def test_validation_drops_a_useless_method(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    noise = np.random.default_rng(0).random(grid.n_cells)
    methods = {
        "counts": lambda train, origin: hs.window_counts(train, grid, origin=origin),
        "noise": lambda train, origin: noise,
    }
    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, coverage=0.05)
    rates = surface.parameters["validation_hit_rate"]
    assert rates["counts"] > 2 * rates["noise"]
    assert surface.parameters["chosen_weights"]["noise"] == 0.0
    assert surface.parameters["ensemble_validation_hit_rate"] >= rates["counts"]
    assert surface.counts["n_validation_windows"] == 3
    assert any("Weights chosen on 3 windows" in note for note in surface.notes)


def test_no_future_event_leaks(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    latest: list[pd.Timestamp] = []

    def spy(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        latest.append(train["timestamp"].max())
        assert train["timestamp"].max() < origin
        return hs.recency_counts(train, grid, origin=origin, half_life_days=60).scores

    methods = {
        "spy": spy,
        "counts": lambda train, origin: hs.window_counts(train, grid, origin=origin),
    }
    first = hs.ensemble(events, grid, origin=ORIGIN, methods=methods)
    assert len(latest) == 4 and max(latest) < ORIGIN
    # a burst of future events in one cold cell changes neither scores nor weights
    cold = int(np.argmin(first.scores))
    x, y = grid.centroids()[cold]
    planted = gpd.GeoDataFrame(
        {"timestamp": [ORIGIN + pd.Timedelta(days=d) for d in range(10)]},
        geometry=gpd.points_from_xy([x] * 10, [y] * 10),
        crs=events.crs,
    )
    again = hs.ensemble(pd.concat([events, planted]), grid, origin=ORIGIN, methods=methods)
    np.testing.assert_array_equal(first.scores, again.scores)
    assert first.parameters["chosen_weights"] == again.parameters["chosen_weights"]
    assert again.counts["n_after_origin"] == first.counts["n_after_origin"] + 10


def test_default_methods_and_result(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    before = events.copy()
    surface = hs.ensemble(events, grid, origin=ORIGIN, n_validation=1)
    pd.testing.assert_frame_equal(events, before)
    assert surface.method == "ensemble"
    assert surface.parameters["methods"] == ("counts_3y", "shrunken_local", "self_exciting")
    assert sum(surface.parameters["chosen_weights"].values()) == pytest.approx(1.0)
    assert surface.counts["n_candidates"] == math.comb(6, 2)
    assert "ensemble" in repr(surface)
    assert "chosen_weights" in str(surface.summary())
    top = hs.select_places(surface, n=5)  # ranked by `score`, highest first
    assert (
        top["score"].min()
        >= np.delete(surface.scores, grid.cells.index.get_indexer(top.index)).max()
    )
    np.testing.assert_array_equal(top["score"], np.sort(surface.scores)[::-1][:5])


def test_no_usable_validation_window_is_refused() -> None:
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 300, 100)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    events = gpd.GeoDataFrame(
        {"timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03"])},
        geometry=gpd.points_from_xy([50, 150, 250], [50, 50, 50]),
        crs=27700,
    )
    methods = {
        "all": lambda train, origin: hs.window_counts(train, grid, origin=origin),
        "recent": lambda train, origin: hs.window_counts(train, grid, origin=origin, window_days=1),
    }
    with pytest.raises(ValueError, match="No validation window"):
        hs.ensemble(
            events, grid, origin="2024-01-04", methods=methods, n_validation=1, validation_days=3
        )
