"""ensemble: cells lowest in every weighted method score 0, and no order or hit rate moves."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

import hotspotlib as hs
from tests.conftest import SHARED_DATA

ORIGIN = pd.Timestamp("2024-10-01")
COVERAGE = (0.01, 0.05, 0.2, 0.5, 0.8, 0.95)  # past the busy cells, into the tied zeros
CHICAGO = SHARED_DATA / "chicago_burglary_2014_2017.csv"


@pytest.fixture(scope="module")
def city() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    made = hs.synthetic_city(n_events=3_000, rng=2)
    return made.events, hs.make_grid(made.boundary, cell_size_m=200)


def _counts_methods(grid: hs.Grid) -> dict[str, Callable[..., hs.ForecastSurface]]:
    return {
        "counts 1y": lambda train, origin: hs.window_counts(
            train, grid, origin=origin, window_days=365
        ),
        "counts 90d": lambda train, origin: hs.window_counts(
            train, grid, origin=origin, window_days=90
        ),
    }


def _same_order_and_hit_rates(
    old: np.ndarray, new: np.ndarray, test: gpd.GeoDataFrame, grid: hs.Grid
) -> None:
    """Every cell keeps its rank (ties included) and every hit rate is the same."""
    np.testing.assert_array_equal(rankdata(new), rankdata(old))
    for ties in ("expected", "conservative"):
        before = hs.accuracy_curve(old, test, grid=grid, coverage=COVERAGE, ties=ties).table
        after = hs.accuracy_curve(new, test, grid=grid, coverage=COVERAGE, ties=ties).table
        np.testing.assert_array_equal(after["hit_rate"], before["hit_rate"])


def test_cells_lowest_in_every_method_score_zero(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    train = events[events["timestamp"] < ORIGIN]
    test = events[events["timestamp"] >= ORIGIN]
    methods = _counts_methods(grid)
    raw = np.vstack([f(train, ORIGIN).scores for f in methods.values()])
    ranks = np.vstack([rankdata(row) / grid.n_cells for row in raw])
    old = np.full(2, 0.5) @ ranks  # the rank shares averaged as the library does
    empty = (raw == 0).all(axis=0)
    assert 0.2 < empty.mean() < 0.9  # a real set of cells with no events in either
    assert old[empty].min() > 0.2  # that would look middling on a map

    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, method_weights=None)
    np.testing.assert_array_equal(surface.scores[empty], 0.0)
    np.testing.assert_allclose(surface.scores[~empty], old[~empty], rtol=1e-12)
    assert surface.scores[~empty].min() > 0
    assert surface.counts["n_cells_scored_zero"] == empty.sum()
    note = next(text for text in surface.notes if "score 0" in text)
    assert f"{empty.sum()} cells" in note and f"{old[empty][0]:.2f}" in note
    _same_order_and_hit_rates(old, surface.scores, test, grid)
    top = hs.select_places(surface, n=20)
    np.testing.assert_array_equal(np.sort(top["score"]), np.sort(old)[-20:])


def test_a_method_with_no_weight_does_not_hold_cells_up(
    city: tuple[gpd.GeoDataFrame, hs.Grid],
) -> None:
    events, grid = city
    train = events[events["timestamp"] < ORIGIN]
    test = events[events["timestamp"] >= ORIGIN]
    counts = hs.window_counts(train, grid, origin=ORIGIN, window_days=365).scores
    noise = np.random.default_rng(3).random(grid.n_cells)  # no ties: one lowest cell
    methods = {
        "counts": lambda train, origin: hs.window_counts(
            train, grid, origin=origin, window_days=365
        ),
        "noise": lambda train, origin: noise,
    }
    share = rankdata(counts) / grid.n_cells
    unweighted = hs.ensemble(
        events, grid, origin=ORIGIN, methods=methods, method_weights={"counts": 1, "noise": 0}
    )
    # the noise's weight is 0: the cells without events are the lowest, and score 0
    assert unweighted.counts["n_cells_scored_zero"] == (counts == 0).sum()
    _same_order_and_hit_rates(share, unweighted.scores, test, grid)

    both = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, method_weights=None)
    old = (share + rankdata(noise) / grid.n_cells) / 2
    lowest = (counts == 0) & (noise == noise.min())  # one cell at most
    assert both.counts["n_cells_scored_zero"] == lowest.sum() <= 1
    np.testing.assert_allclose(both.scores[~lowest], old[~lowest], rtol=1e-12)
    _same_order_and_hit_rates(old, both.scores, test, grid)


def test_weights_chosen_on_validation_are_unchanged(
    city: tuple[gpd.GeoDataFrame, hs.Grid],
) -> None:
    events, grid = city
    train = events[events["timestamp"] < ORIGIN]
    test = events[events["timestamp"] >= ORIGIN]
    methods = _counts_methods(grid)
    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, weight_step=0.1)
    weights = np.array(list(surface.parameters["chosen_weights"].values()))
    assert surface.parameters["weights_from"] == "validation"
    ranks = np.vstack([rankdata(f(train, ORIGIN).scores) / grid.n_cells for f in methods.values()])
    old = weights @ ranks
    zero = surface.scores == 0
    assert zero.sum() == surface.counts["n_cells_scored_zero"] > 0
    np.testing.assert_allclose(surface.scores[~zero], old[~zero], rtol=1e-12)
    _same_order_and_hit_rates(old, surface.scores, test, grid)


def test_mean_combination_already_gives_zero(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    train = events[events["timestamp"] < ORIGIN]
    methods = _counts_methods(grid)
    raw = np.vstack([f(train, ORIGIN).scores for f in methods.values()])
    surface = hs.ensemble(
        events, grid, origin=ORIGIN, methods=methods, combine="mean", method_weights=None
    )
    expected = (raw / raw.sum(axis=1, keepdims=True)).mean(axis=0)
    np.testing.assert_array_equal(surface.scores, expected)  # no rule applied: none needed
    empty = (raw == 0).all(axis=0)
    assert surface.counts["n_cells_scored_zero"] == empty.sum() > 0
    assert any(f"{empty.sum()} cells score 0: every weighted" in n for n in surface.notes)


def test_methods_that_rank_nothing_say_so(city: tuple[gpd.GeoDataFrame, hs.Grid]) -> None:
    events, grid = city
    flat = np.ones(grid.n_cells)
    methods = {"a": lambda train, origin: flat, "b": lambda train, origin: 2 * flat}
    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, method_weights=None)
    np.testing.assert_array_equal(surface.scores, 0.0)
    assert any("rank nothing" in note for note in surface.notes)


@pytest.mark.shared_data
@pytest.mark.skipif(not CHICAGO.exists(), reason="shared Chicago file absent")
def test_chicago_lake_scores_zero_and_hit_rates_are_unchanged() -> None:
    frame = pd.read_csv(CHICAGO)
    frame["timestamp"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    events = gpd.GeoDataFrame(
        frame[["timestamp"]], geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=26971
    )
    grid = hs.make_grid(events, cell_size_m=150)
    origin = pd.Timestamp("2017-10-01")
    train = events[events["timestamp"] < origin]
    test = events[(events["timestamp"] >= origin) & (events["timestamp"] < "2017-10-29")]
    methods = {
        "counts 3y": lambda train, origin: hs.window_counts(
            train, grid, origin=origin, window_days=3 * 365
        ),
        "recency": lambda train, origin: hs.recency_counts(
            train, grid, origin=origin, half_life_days=365
        ),
        "shrunk": lambda train, origin: hs.shrunken_counts(
            train, grid, origin=origin, window_days=3 * 365, prior="local"
        ),
    }
    surface = hs.ensemble(events, grid, origin=origin, methods=methods, method_weights=None)
    ranks = np.vstack([rankdata(f(train, origin).scores) / grid.n_cells for f in methods.values()])
    old = np.full(3, 1 / 3) @ ranks  # as the library sums them, before the rule
    zero = surface.scores == 0
    assert old[zero].min() > 0.3  # a third, drawn mid-range before the rule
    assert zero.mean() > 0.3  # the lake and the empty land around the city
    _same_order_and_hit_rates(old, surface.scores, test, grid)


def test_map_draws_zero_palest_on_the_whole_rank_range(
    city: tuple[gpd.GeoDataFrame, hs.Grid],
) -> None:
    plt = pytest.importorskip("matplotlib.pyplot")
    from matplotlib import colormaps
    from matplotlib.colors import PowerNorm

    events, grid = city
    methods = _counts_methods(grid)
    surface = hs.ensemble(events, grid, origin=ORIGIN, methods=methods, method_weights=None)
    zero = surface.scores == 0
    axes = surface.plot()
    cells = axes.collections[0]
    assert not isinstance(cells.norm, PowerNorm)  # rank shares are even: a linear ramp
    assert (cells.norm.vmin, cells.norm.vmax) == (0.0, 1.0)
    colours = cells.get_facecolors()
    np.testing.assert_allclose(colours[zero], [colormaps["YlOrRd"](0.0)] * zero.sum())
    lowest_other = np.argmin(np.where(zero, np.inf, surface.scores))
    assert colours[lowest_other, 2] < colours[zero][0, 2] - 0.2  # visibly warmer
    label = axes.figure.axes[-1].get_ylabel()
    assert label.startswith("rank share") and "0: lowest in every method" in label
    plt.close(axes.figure)

    mean = hs.ensemble(
        events, grid, origin=ORIGIN, methods=methods, combine="mean", method_weights=None
    )
    axes = mean.plot()
    assert isinstance(axes.collections[0].norm, PowerNorm)  # skewed shares: square root
    assert "0: every method scored 0" in axes.figure.axes[-1].get_ylabel()
    plt.close(axes.figure)
