"""crime_rates: hand-computed rates and Garwood intervals, empirical-Bayes smoothing
checked by hand and against esda, dropped rows counted, planted truth."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from shapely.geometry import Point, box

import hotspotlib as hs

CRS = "EPSG:27700"


def strip(people: list[float], in_area: list[int], /, **columns: list[float]) -> tuple:
    """Areas in a row (100 m squares) and events at their centres."""
    areas = gpd.GeoDataFrame(
        {"population": people, **columns},
        geometry=[box(100 * i, 0, 100 * i + 100, 100) for i in range(len(people))],
        crs=CRS,
    )
    points = [Point(100 * i + 50, 50) for i, k in enumerate(in_area) for _ in range(k)]
    events = gpd.GeoDataFrame(
        {"harm": np.arange(len(points), dtype=float) % 3 + 1}, geometry=points, crs=CRS
    )
    return events, areas


@pytest.fixture(scope="module")
def stl() -> gpd.GeoDataFrame:
    from libpysal import examples

    path = examples.get_path("stl_hom.shp")
    # St Louis homicides (Messner et al. 2000), shipped with libpysal, in lon/lat
    return gpd.read_file(path, engine="pyogrio").set_crs(4326).to_crs(26915)


def test_rates_and_garwood_intervals_by_hand() -> None:
    events, areas = strip([1000, 2500, 400, 800], [4, 10, 0, 1])
    result = hs.crime_rates(events, areas, per=1000, confidence=0.9, smoothing=None)
    count = np.array([4, 10, 0, 1])
    people = np.array([1000, 2500, 400, 800])
    np.testing.assert_array_equal(result.count, count)
    np.testing.assert_allclose(result.rate, count / people * 1000)
    low = np.array([stats.chi2.ppf(0.05, 2 * k) / 2 if k else 0.0 for k in count])
    high = np.array([stats.chi2.ppf(0.95, 2 * k + 2) / 2 for k in count])
    np.testing.assert_allclose(result.ci_low, low / people * 1000)
    np.testing.assert_allclose(result.ci_high, high / people * 1000)
    # a known value: 3 events, 95%: (0.6187, 8.7673)
    three = hs.crime_rates(*strip([1000], [3]), per=1, smoothing=None)
    np.testing.assert_allclose(
        [three.ci_low[0] * 1000, three.ci_high[0] * 1000], [0.6187, 8.7673], atol=1e-4
    )
    assert result.smoothed_rate is None and result.smoothing == "none"


def test_harm_and_frame() -> None:
    events, areas = strip([1000, 2000], [3, 2])
    result = hs.crime_rates(events, areas, weights="harm", per=100)
    np.testing.assert_allclose(result.harm, [1 + 2 + 3, 1 + 2])
    np.testing.assert_allclose(result.harm_rate, [6 / 1000 * 100, 3 / 2000 * 100])
    frame = result.to_frame()
    assert list(frame.columns) == [
        "count",
        "harm",
        "population",
        "rate",
        "ci_low",
        "ci_high",
        "harm_rate",
        "smoothed_rate",
        "geometry",
    ]
    assert frame.crs == areas.crs
    assert any("harm_rate has no interval" in note for note in result.notes)
    assert any("Westminster" in note for note in result.notes)


def test_events_outside_are_counted_and_told() -> None:
    events, areas = strip([1000, 2000], [3, 2])
    far = gpd.GeoDataFrame({"harm": [1.0]}, geometry=[Point(5000, 5000)], crs=CRS)
    result = hs.crime_rates(pd.concat([events, far]), areas)
    assert result.counts["n_outside"] == 1 and result.counts["n_used"] == 5
    assert any("1 of 6 events fall outside" in note for note in result.notes)
    with pytest.raises(ValueError, match="All 1 `events` fall outside the `areas`"):
        hs.crime_rates(far, areas)
    with pytest.warns(UserWarning, match="fall outside"):
        hs.crime_rates(pd.concat([events.iloc[:1], far, far]), areas)


def test_missing_population_refused_or_dropped() -> None:
    events, areas = strip([1000, 0, np.nan, 500], [3, 2, 4, 1])
    areas.index = ["a", "b", "c", "d"]
    with pytest.raises(ValueError, match=r"missing or zero for 2 areas \('b', 'c'\)"):
        hs.crime_rates(events, areas)
    result = hs.crime_rates(events, areas, missing_population="drop")
    assert list(result.index) == ["a", "d"]
    assert result.counts["n_areas_dropped"] == 2
    assert result.counts["n_events_in_dropped_areas"] == 6
    assert any("'b', 'c'" in note for note in result.notes)


def test_population_series_is_matched_by_label() -> None:
    events, areas = strip([1.0, 1.0], [3, 6])
    areas.index = ["a", "b"]
    people = pd.Series({"b": 3000.0, "a": 1000.0})  # another order: matched by label
    result = hs.crime_rates(events, areas, population=people, smoothing=None)
    np.testing.assert_allclose(result.rate, [3.0, 2.0])
    with pytest.raises(ValueError, match="population.*index labels"):
        hs.crime_rates(events, areas, population=pd.Series([1000.0, 3000.0], index=["x", "y"]))


def test_inputs_unchanged() -> None:
    events, areas = strip([1000, 2000, 3000], [3, 2, 9])
    before = (events.copy(), areas.copy())
    hs.crime_rates(events, areas, weights="harm", smoothing="local")
    pd.testing.assert_frame_equal(events, before[0])
    pd.testing.assert_frame_equal(areas, before[1])


def test_global_eb_by_hand() -> None:
    people = np.array([20, 20_000, 15_000, 25_000, 18_000, 16_000], dtype=float)
    crimes = np.array([3, 240, 100, 150, 160, 80])
    result = hs.crime_rates(*strip(list(people), list(crimes)), per=1)
    # Marshall (1991), written out
    rate = crimes / people
    mean = crimes.sum() / people.sum()
    s2 = np.sum(people * (rate - mean) ** 2) / people.sum() - mean / people.mean()
    expected = [mean + s2 / (s2 + mean / b) * (r - mean) for r, b in zip(rate, people, strict=True)]
    np.testing.assert_allclose(result.smoothed_rate, expected, rtol=1e-12)
    np.testing.assert_allclose(result.parameters["between_area_variance"], s2)


def test_global_eb_truncates_a_negative_variance() -> None:
    # equal rates: the areas differ less than Poisson noise, s2 < 0 -> 0, every area the mean
    result = hs.crime_rates(*strip([1000, 2000, 3000], [10, 20, 30]), per=1000)
    assert result.counts["n_variance_truncated"] == 1
    np.testing.assert_allclose(result.smoothed_rate, 10.0)
    assert any("set to 0" in note for note in result.notes)


def test_global_eb_equals_esda(stl: gpd.GeoDataFrame) -> None:
    from esda.smoothing import Empirical_Bayes

    result = hs.crime_rates(None, stl, count="HC8893", population="PO8893", per=1)
    oracle = Empirical_Bayes(stl["HC8893"].to_numpy(), stl["PO8893"].to_numpy()).r.ravel()
    assert result.counts["n_variance_truncated"] == 0
    np.testing.assert_allclose(result.smoothed_rate, oracle, rtol=1e-10)
    np.testing.assert_allclose(result.rate, stl["HR8893"] / 1e5, rtol=1e-5)


def test_local_eb_equals_esda(stl: gpd.GeoDataFrame) -> None:
    from esda.smoothing import Spatial_Empirical_Bayes
    from libpysal.weights import Queen

    w = Queen.from_dataframe(stl, use_index=False)
    w.id_order = list(range(len(stl)))
    oracle = Spatial_Empirical_Bayes(stl["HC8893"].to_numpy(), stl["PO8893"].to_numpy(), w).r
    named = hs.crime_rates(None, stl, count="HC8893", population="PO8893", per=1, smoothing="local")
    given = hs.crime_rates(
        None,
        stl,
        count="HC8893",
        population="PO8893",
        per=1,
        smoothing="local",
        spatial_weights=w,
    )
    np.testing.assert_allclose(named.smoothed_rate, oracle.ravel(), rtol=1e-10)
    np.testing.assert_allclose(given.smoothed_rate, oracle.ravel(), rtol=1e-10)
    assert named.counts["n_variance_truncated"] > 0
    assert "queen" in named.parameters["neighbours"]


def test_local_eb_by_hand_for_one_area() -> None:
    people = [1000.0, 3000.0, 2000.0, 5000.0]
    crimes = [9, 6, 30, 10]
    result = hs.crime_rates(*strip(people, crimes), per=1, smoothing="local")
    # area 1 (second square) has neighbours 0 and 2: its neighbourhood is {0, 1, 2}
    b = np.array(people[:3])
    e = np.array(crimes[:3], dtype=float)
    m = e.sum() / b.sum()
    s2 = np.sum(b * (e / b - m) ** 2) / b.sum() - m / b.mean()
    s2 = max(s2, 0.0)
    expected = m + s2 / (s2 + m / b[1]) * (e[1] / b[1] - m)
    np.testing.assert_allclose(result.smoothed_rate[1], expected, rtol=1e-12)


def test_planted_small_area_does_not_top_the_smoothed_list() -> None:
    city = hs.synthetic_city(n_events=3_000, days=120, rng=3)
    cells = hs.make_grid(city.boundary, cell_size_m=2000).cells.reset_index(drop=True)
    rng = np.random.default_rng(0)
    cells["population"] = rng.integers(8_000, 15_000, len(cells)).astype(float)
    small = 7
    cells.loc[small, "population"] = 20.0
    where = hs.locate_events(city.events, cells)
    in_small = np.flatnonzero(where == small)
    keep = np.ones(len(where), bool)
    keep[in_small[3:]] = False  # exactly 3 crimes in the area of 20 residents
    result = hs.crime_rates(city.events[keep], cells)
    assert result.count[small] == 3
    assert np.argmax(result.rate) == small  # 150 per 1,000: tops the raw list
    assert np.argmax(result.smoothed_rate) != small
    assert result.smoothed_rate[small] < 0.5 * result.rate[small]
    ranked = hs.rank_places(result, rng=1, n_simulations=199)
    assert ranked.rank[small] > 1


def test_smoothing_recovers_planted_rates_better() -> None:
    rng = np.random.default_rng(5)
    n = 60
    people = rng.integers(200, 20_000, n).astype(float)
    truth = rng.gamma(10, 0.001, n)  # crimes per resident
    errors_raw, errors_eb = [], []
    events, areas = strip(list(people), [0] * n)
    for _ in range(20):
        areas["crimes"] = rng.poisson(truth * people)
        result = hs.crime_rates(None, areas, count="crimes", per=1)
        errors_raw.append(np.mean((result.rate - truth) ** 2))
        errors_eb.append(np.mean((result.smoothed_rate - truth) ** 2))
    assert np.mean(errors_eb) < 0.8 * np.mean(errors_raw)


def test_counts_already_made_and_their_errors() -> None:
    events, areas = strip([1000, 2000], [1, 1], crimes=[3.0, 4.0])
    areas.index = ["a", "b"]
    result = hs.crime_rates(None, areas, count="crimes")
    np.testing.assert_array_equal(result.count, [3, 4])
    assert result.counts["n_outside"] == 0 and result.counts["n_events"] == 7
    assert result.parameters["count"] == "crimes" and result.parameters["events"] is None
    # one number per area, or a Series matched by label
    by_position = hs.crime_rates(None, areas, count=[3, 4])
    by_label = hs.crime_rates(None, areas, count=pd.Series({"b": 4, "a": 3}))
    np.testing.assert_array_equal(by_position.rate, result.rate)
    np.testing.assert_array_equal(by_label.rate, result.rate)
    with pytest.raises(ValueError, match="`weights` does not apply with `count`"):
        hs.crime_rates(None, areas, count="crimes", weights="harm")
    with pytest.raises(ValueError, match="Give only one of `events`, `count`"):
        hs.crime_rates(events, areas, count="crimes")
    with pytest.raises(ValueError, match="Give one of `events`, `count`; got neither"):
        hs.crime_rates(None, areas)
    with pytest.raises(TypeError, match="`events` must be a GeoDataFrame.*`count=`"):
        hs.crime_rates("crimes", areas)  # a column name is a count, not events
    with pytest.raises(ValueError, match="count.*'offences'.*'crimes'"):
        hs.crime_rates(None, areas, count="offences")
    with pytest.raises(ValueError, match="count.*one entry per area"):
        hs.crime_rates(None, areas, count=[3, 4, 5])
    areas["crimes"] = [3.5, 4.0]
    with pytest.raises(ValueError, match=r"`areas\['crimes'\]` must hold whole numbers >= 0"):
        hs.crime_rates(None, areas, count="crimes")


def test_select_places_ranks_by_the_smoothed_rate_else_the_rate() -> None:
    people = [20.0, 20_000, 15_000, 25_000, 18_000, 16_000]
    rates = hs.crime_rates(*strip(people, [3, 240, 100, 150, 160, 80]))
    assert rates._place_score == "smoothed_rate"
    picked = hs.select_places(rates, n=2)
    expected = np.argsort(-rates.smoothed_rate, kind="stable")[:2]
    assert picked.index.tolist() == expected.tolist() == [1, 0]
    assert picked["rank"].tolist() == [1, 2]
    raw = hs.crime_rates(*strip(people, [3, 240, 100, 150, 160, 80]), smoothing=None)
    assert raw._place_score == "rate"
    assert hs.select_places(raw, n=1).index.tolist() == [0]  # 150 per 1,000: the raw top
    assert hs.select_places(rates, n=1, score="count").index.tolist() == [1]


def test_option_errors() -> None:
    events, areas = strip([1000, 2000], [1, 1])
    with pytest.raises(ValueError, match="spatial_weights.*smoothing='local'"):
        hs.crime_rates(events, areas, spatial_weights="rook")
    with pytest.raises(ValueError, match="smoothing"):
        hs.crime_rates(events, areas, smoothing="bayes")
    with pytest.raises(ValueError, match="population.*'residents'"):
        hs.crime_rates(events, areas, population="residents")
    with pytest.raises(ValueError, match="negative or infinite"):
        hs.crime_rates(events, areas, population=[-1, 2])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 200), min_size=6, max_size=6),
    st.lists(st.integers(1, 50_000), min_size=6, max_size=6),
)
def test_smoothed_rates_lie_between_rate_and_mean(crimes: list[int], people: list[int]) -> None:
    _, areas = strip([float(p) for p in people], [0] * 6, crimes=[float(c) for c in crimes])
    if sum(crimes) == 0:
        return
    result = hs.crime_rates(None, areas, count="crimes", per=1)
    mean = sum(crimes) / sum(people)
    low = np.minimum(result.rate, mean) * (1 - 1e-9)
    high = np.maximum(result.rate, mean) * (1 + 1e-9)
    assert np.all((result.smoothed_rate >= low) & (result.smoothed_rate <= high))
    assert np.all(result.ci_low <= result.rate) and np.all(result.rate <= result.ci_high)
