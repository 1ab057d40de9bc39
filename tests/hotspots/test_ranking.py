"""rank_places and assign_tiers: competition ranks, rank intervals that cover the true
rank in simulation, and each tier rule (natural breaks against brute force)."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import hotspotlib as hs
from hotspotlib.hotspots._breaks import fisher_jenks


def rates_strip(people: list[float], in_area: list[int]) -> hs.CrimeRates:
    areas = gpd.GeoDataFrame(
        {"population": people},
        geometry=[box(100 * i, 0, 100 * i + 100, 100) for i in range(len(people))],
        crs=27700,
    )
    points = [Point(100 * i + 50, 50) for i, k in enumerate(in_area) for _ in range(k)]
    return hs.crime_rates(gpd.GeoDataFrame(geometry=points, crs=27700), areas)


def test_competition_ranks_and_no_uncertainty() -> None:
    ranking = hs.rank_places(pd.Series([5.0, 9, 9, 1], index=list("abcd")), uncertainty="none")
    np.testing.assert_array_equal(ranking.rank, [3, 1, 1, 4])
    np.testing.assert_array_equal(ranking.rank_low, ranking.rank)
    np.testing.assert_array_equal(ranking.rank_high, ranking.rank)
    assert list(ranking.to_frame().index) == ["b", "c", "a", "d"]
    assert ranking.counts["n_tied"] == 1


def test_std_error_draws() -> None:
    scores = pd.DataFrame({"score": [10.0, 9.9, 5.0, 1.0], "se": [1.0, 1.0, 0.01, 0.01]})
    ranking = hs.rank_places(scores, by="score", std_error="se", rng=3)
    assert ranking.uncertainty == "std_error"
    assert ranking.rank_low[0] == 1 and ranking.rank_high[0] == 2  # 10 vs 9.9: unsettled
    assert ranking.rank_low[2] == ranking.rank_high[2] == 3
    again = hs.rank_places(scores, by="score", std_error="se", rng=3)
    np.testing.assert_array_equal(again.rank_high, ranking.rank_high)


def test_rank_intervals_cover_the_true_rank() -> None:
    rng = np.random.default_rng(11)
    n = 15
    truth = np.linspace(20, 90, n)  # expected crimes per place, distinct
    true_rank = n - np.arange(n)  # the highest mean has rank 1
    covered = []
    for _ in range(40):
        crimes = rng.poisson(truth)
        table = pd.DataFrame({"crimes": crimes})
        ranking = hs.rank_places(table, by="crimes", count="crimes", n_simulations=299, rng=rng)
        covered.append((ranking.rank_low <= true_rank) & (true_rank <= ranking.rank_high))
    coverage = np.mean(covered)
    assert coverage >= 0.88, coverage


def test_smoothed_rates_are_smoothed_again_in_each_draw() -> None:
    people = [20.0, 20_000, 15_000, 25_000, 18_000, 16_000]
    rates = rates_strip(people, [3, 240, 100, 150, 160, 80])
    ranking = hs.rank_places(rates, rng=2, n_simulations=499)
    assert ranking.by == "smoothed_rate"
    assert any("smoothed again" in note for note in ranking.notes)
    # the small area ranks 2nd and its interval is wide; a large area's is narrow
    assert ranking.rank[0] == 2
    assert ranking.rank_low[0] == 1 and ranking.rank_high[0] >= 3
    assert ranking.rank_high[3] - ranking.rank_low[3] <= 2
    raw = hs.rank_places(rates, by="rate", rng=2)
    assert raw.rank[0] == 1 and raw.rank_high[0] >= 5  # first by rate, but it could be last


def test_ranking_errors() -> None:
    table = pd.DataFrame({"score": [1.0, 2.0], "crimes": [0, 3]})
    with pytest.raises(ValueError, match="need the scores' uncertainty"):
        hs.rank_places(table, by="score")
    with pytest.raises(ValueError, match="non-zero `score`"):
        hs.rank_places(table, by="score", count="crimes")
    with pytest.raises(ValueError, match="`by` is needed"):
        hs.rank_places(table)
    with pytest.raises(ValueError, match="`std_error` is needed when uncertainty='std_error'"):
        hs.rank_places(table, by="crimes", uncertainty="std_error")


def test_thresholds_rule() -> None:
    scores = pd.Series([1.0, 5, 7, 10, 12], name="rate")
    tiers = hs.assign_tiers(scores, rule="thresholds", breaks=[5, 10])
    np.testing.assert_array_equal(tiers.tier, [3, 2, 2, 1, 1])  # equal to a cut: higher tier
    assert tiers.rule == "score thresholds: Tier 1 rate >= 10; Tier 2 rate >= 5; Tier 3 the rest"
    assert tiers.counts["n_tier_1"] == 2
    table = tiers.tier_table()
    assert table["n_places"].tolist() == [2, 2, 1]


def test_quantile_rule() -> None:
    scores = np.arange(1.0, 13.0)
    tiers = hs.assign_tiers(scores, rule="quantiles", n_tiers=4)
    assert np.bincount(tiers.tier).tolist() == [0, 3, 3, 3, 3]
    top = hs.assign_tiers(scores, rule="quantiles", breaks=[0.75])
    assert top.tier.tolist() == [2] * 9 + [1] * 3


def test_top_k_rule_with_ties_and_rank_intervals() -> None:
    scores = pd.Series([9.0, 8, 8, 3, 2], index=list("abcde"))
    tiers = hs.assign_tiers(scores, rule="top_k", k=[2, 4], labels=["Tier 1", "Tier 2", "rest"])
    assert tiers.tier.tolist() == [1, 1, 1, 2, 3]  # b and c tie for 2nd: both Tier 1
    assert any("tied at the boundary" in note for note in tiers.notes)
    ranking = hs.rank_places(
        pd.DataFrame({"crimes": [60, 30, 29, 5, 1]}), by="crimes", count="crimes", rng=1
    )
    ranked = hs.assign_tiers(ranking, rule="top_k", k=[1, 3])
    frame = ranked.to_frame()
    assert {"tier_best", "tier_worst", "rank_low", "rank_high"} <= set(frame.columns)
    assert ranked.tier_best[0] == ranked.tier_worst[0] == 1
    assert ranked.tier_best[2] <= 2 <= ranked.tier_worst[2]


def test_tiers_keep_geometry_and_crs() -> None:
    rates = rates_strip([1000.0, 2000, 3000, 4000], [10, 10, 10, 90])
    tiers = hs.assign_tiers(rates, rule="natural_breaks", n_tiers=2)
    frame = tiers.to_frame()
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == "EPSG:27700"
    assert tiers.parameters["by"] == "smoothed_rate"


def test_tier_errors() -> None:
    scores = np.array([1.0, 2, 3])
    with pytest.raises(ValueError, match="`k` does not apply to rule='thresholds'"):
        hs.assign_tiers(scores, rule="thresholds", breaks=[2], k=1)
    with pytest.raises(ValueError, match="`n_tiers` is needed when rule='natural_breaks'"):
        hs.assign_tiers(scores, rule="natural_breaks")
    with pytest.raises(ValueError, match="n_tiers.*between 2 and 3.*3 distinct scores"):
        hs.assign_tiers(scores, rule="natural_breaks", n_tiers=4)
    with pytest.raises(ValueError, match="strictly increasing"):
        hs.assign_tiers(scores, rule="thresholds", breaks=[3, 2])
    with pytest.raises(ValueError, match="one label per tier"):
        hs.assign_tiers(scores, rule="top_k", k=1, labels=["top"])


def _brute_force_breaks(values: np.ndarray, n_classes: int) -> float:
    """Smallest within-class sum of squares over every split of the distinct values."""
    distinct = np.unique(values)
    best = np.inf
    for cuts in itertools.combinations(range(1, len(distinct)), n_classes - 1):
        edges = [0, *cuts, len(distinct)]
        total = 0.0
        for a, b in itertools.pairwise(edges):
            part = values[(values >= distinct[a]) & (values <= distinct[b - 1])]
            total += float(((part - part.mean()) ** 2).sum())
        best = min(best, total)
    return best


def _within(values: np.ndarray, uppers: np.ndarray) -> float:
    tier = np.searchsorted(uppers, values, side="left")
    return float(
        sum(((values[tier == t] - values[tier == t].mean()) ** 2).sum() for t in np.unique(tier))
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=3, max_size=10), st.integers(2, 4))
def test_natural_breaks_are_optimal(values: list[int], n_classes: int) -> None:
    array = np.asarray(values, dtype=float)
    if n_classes > len(np.unique(array)):
        return
    uppers = fisher_jenks(array, n_classes)
    assert len(uppers) == n_classes and uppers[-1] == array.max()
    assert _within(array, uppers) == pytest.approx(_brute_force_breaks(array, n_classes), abs=1e-9)


def test_plots_without_geometry() -> None:
    import matplotlib.pyplot as plt

    scores = pd.Series([9.0, 8, 7, 3, 2], index=list("abcde"), name="rate")
    try:
        ranking = hs.rank_places(scores, std_error=np.ones(5), rng=1)
        assert ranking.plot().get_xlabel().startswith("rank (95% interval")
        tiers = hs.assign_tiers(ranking, rule="quantiles", n_tiers=2)
        assert len(tiers.plot().patches) == 5
    finally:
        plt.close("all")


def test_empty_scores_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        hs.rank_places(pd.Series([], dtype=float), uncertainty="none")


def test_select_places_follows_the_ranking_and_the_tiers() -> None:
    rates = rates_strip([1000.0, 2000, 3000, 4000, 5000], [10, 80, 10, 90, 40])
    ranking = hs.rank_places(rates, rng=1, n_simulations=99)
    best = np.argsort(ranking.rank, kind="stable")[:2]
    picked = hs.select_places(ranking, n=2)  # by `score`, the smoothed rate ranked
    assert picked.index.tolist() == best.tolist()
    assert {"rank_low", "rank_high", "geometry"} <= set(picked.columns)
    tiers = hs.assign_tiers(ranking, rule="top_k", k=[2])
    top = hs.select_places(tiers, n=2)
    assert top.index.tolist() == best.tolist()
    assert (top["tier"] == 1).all()
    with pytest.raises(TypeError, match="source"):  # no geometry: nothing to map
        hs.select_places(hs.rank_places([3.0, 1.0], uncertainty="none"), n=1)
