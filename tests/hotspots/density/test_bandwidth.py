import math

import geopandas as gpd
import numpy as np
import pytest

import hotspotlib as hs
from hotspotlib.hotspots.density.bandwidth import _weighted_median


def _events(xy, crs=27700, **columns):
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


@pytest.fixture(scope="module")
def juvenile():
    libpysal = pytest.importorskip("libpysal")
    # Shipped inside the libpysal wheel: no download.
    frame = gpd.read_file(libpysal.examples.get_path("juvenile.shp"), engine="pyogrio")
    # The juvenile coordinates are abstract map units with no CRS. The ArcGIS formula does
    # not care about units, so we label them as metres in a projected CRS on purpose.
    return frame.set_crs(27700)


def test_arcgis_default_radius_on_juvenile(juvenile):
    # peers.md section 3.1: n = 168, SD = 31.99357, Dm = 31.71620 -> R = 10.3334.
    choice = hs.select_bandwidth(juvenile)
    assert choice.n_events == 168
    assert choice.details["standard_distance_m"] == pytest.approx(31.99357, abs=1e-5)
    assert choice.details["median_distance_m"] == pytest.approx(31.71620, abs=1e-5)
    assert choice.bandwidth_m == pytest.approx(10.3334, abs=1e-4)
    surface = hs.kde(juvenile)
    assert surface.bandwidth_m == pytest.approx(10.3334, abs=1e-4)
    assert surface.bandwidth_rule == "arcgis"
    assert surface.bandwidth_details["standard_distance_m"] == pytest.approx(31.99357, abs=1e-5)


def test_arcgis_weights_equal_replicated_events(rng):
    xy = rng.normal(0, 500, size=(60, 2))
    counts = rng.integers(1, 5, size=60)
    weighted = hs.select_bandwidth(_events(xy, n=counts), weights="n")
    replicated = hs.select_bandwidth(_events(np.repeat(xy, counts, axis=0)))
    assert weighted.bandwidth_m == pytest.approx(replicated.bandwidth_m, rel=1e-12)
    assert weighted.details["n_in_formula"] == counts.sum()


def test_weighted_median_matches_numpy():
    values = np.array([5.0, 1.0, 3.0, 2.0, 4.0, 6.0])
    assert _weighted_median(values, np.ones(6)) == np.median(values)
    assert _weighted_median(values[:5], np.ones(5)) == np.median(values[:5])
    assert _weighted_median(values, np.array([0, 0, 0, 0, 0, 1.0])) == 6.0


def test_scott_and_silverman_formulas(rng):
    xy = rng.normal(0, [300, 500], size=(400, 2))
    scott = hs.select_bandwidth(_events(xy), rule="scott", kernel="gaussian")
    pooled = math.sqrt((xy[:, 0].var() + xy[:, 1].var()) / 2)
    assert scott.bandwidth_m == pytest.approx(pooled * 400 ** (-1 / 6), rel=1e-12)
    silverman = hs.select_bandwidth(_events(xy), rule="silverman", kernel="gaussian")
    assert silverman.bandwidth_m <= scott.bandwidth_m
    # A heavy outlier inflates the SD but not the IQR.
    spread = np.vstack([xy, [[1e6, 1e6]]])
    robust = hs.select_bandwidth(_events(spread), rule="silverman", kernel="gaussian")
    plain = hs.select_bandwidth(_events(spread), rule="scott", kernel="gaussian")
    assert robust.bandwidth_m < 0.1 * plain.bandwidth_m


def test_kernels_share_the_standard_deviation(city):
    sd = hs.select_bandwidth(city.events, kernel="gaussian").bandwidth_m
    factors = {
        "quartic": math.sqrt(8),
        "epanechnikov": math.sqrt(6),
        "uniform": 2.0,
        "triangular": math.sqrt(20 / 3),
    }
    for kernel, factor in factors.items():
        value = hs.select_bandwidth(city.events, kernel=kernel).bandwidth_m
        assert value == pytest.approx(sd * factor, rel=1e-12)


def test_bandwidth_adjust_multiplies(city):
    base = hs.select_bandwidth(city.events).bandwidth_m
    assert hs.select_bandwidth(city.events, bandwidth_adjust=0.5).bandwidth_m == pytest.approx(
        base / 2
    )
    surface = hs.kde(city.events, bandwidth_adjust=2.0, cell_size_m=200, bandwidth_rule="arcgis")
    assert surface.bandwidth_m == pytest.approx(2 * base) and surface.bandwidth_adjust == 2.0
    given = hs.kde(city.events, bandwidth_m=300, bandwidth_adjust=2.0, cell_size_m=200)
    assert given.bandwidth_m == 600 and given.bandwidth_rule == "given"


def test_likelihood_cv_recovers_a_sensible_scale(rng):
    # Gaussian clusters of SD 100 m: the CV optimum sits well below the clusters' spread
    # and well above the smallest candidate.
    centres = rng.uniform(0, 10_000, size=(15, 2))
    xy = centres[rng.integers(0, 15, 3_000)] + rng.normal(0, 100, size=(3_000, 2))
    choice = hs.select_bandwidth(_events(xy), rule="likelihood_cv", kernel="gaussian")
    assert 15 < choice.bandwidth_m < 100
    assert not choice.details["at_search_boundary"]
    scores = choice.details["cv_log_likelihood"]
    assert np.argmax(scores) not in (0, len(scores) - 1)
    assert "Likelihood cross-validation" in str(choice.summary())
    assert choice.to_frame().loc[0, "rule"] == "likelihood_cv"


def test_likelihood_cv_flags_repeated_locations(rng):
    xy = np.repeat(rng.uniform(0, 5_000, size=(40, 2)), 10, axis=0)
    choice = hs.select_bandwidth(_events(xy), rule="likelihood_cv")
    assert choice.details["at_search_boundary"]
    assert "bound, not an optimum" in str(choice.summary())


def test_bandwidth_errors(city, points_lonlat):
    with pytest.raises(ValueError, match="rule"):
        hs.select_bandwidth(city.events, rule="isj")
    with pytest.raises(ValueError, match="kernel"):
        hs.select_bandwidth(city.events, kernel="cosine")
    with pytest.raises(ValueError, match="bandwidth_adjust"):
        hs.select_bandwidth(city.events, bandwidth_adjust=0)
    with pytest.raises(ValueError, match="geographic"):
        hs.select_bandwidth(points_lonlat)
    one_place = _events([[5.0, 5.0]] * 3)
    for rule in ("arcgis", "scott", "silverman", "likelihood_cv"):
        with pytest.raises(ValueError, match="bandwidth_m"):
            hs.select_bandwidth(one_place, rule=rule)
    with pytest.raises(ValueError, match="at least 2"):
        hs.select_bandwidth(_events([[5.0, 5.0]]), rule="likelihood_cv")
    with pytest.raises(ValueError, match="negative"):
        hs.select_bandwidth(city.events, weights=-city.events["harm"])


def test_binned_and_exact_leave_one_out_densities_agree(rng):
    from scipy.spatial import cKDTree

    from hotspotlib.hotspots.density._bandwidth_cv import _binned_loo_density, _exact_loo_density

    xy = rng.normal(0, 200, size=(400, 2))
    w = rng.exponential(1.0, 400)
    binned = _binned_loo_density(xy, w, 40.0)
    exact = _exact_loo_density(xy, w, 40.0, cKDTree(xy))
    np.testing.assert_allclose(binned, exact, rtol=0.02, atol=1e-3 * exact.max())


def test_details_are_read_only_and_results_pickle(city):
    import pickle

    choice = hs.select_bandwidth(city.events.iloc[:400], rule="likelihood_cv")
    with pytest.raises(TypeError):
        choice.details["gaussian_sd_m"] = 1.0  # type: ignore[index]
    with pytest.raises(ValueError, match="read-only"):
        choice.details["cv_sd_m"][0] = 1.0
    surface = hs.kde(
        city.events.iloc[:400], area=city.boundary, cell_size_m=500, bandwidth_rule="arcgis"
    )
    with pytest.raises(TypeError):
        surface.bandwidth_details["quartic_radius_m"] = 1.0  # type: ignore[index]
    assert surface.bandwidth_details["quartic_radius_m"] == pytest.approx(surface.bandwidth_m)
    again = pickle.loads(pickle.dumps(choice))
    np.testing.assert_array_equal(again.details["cv_sd_m"], choice.details["cv_sd_m"])
    assert pickle.loads(pickle.dumps(surface)).bandwidth_details == surface.bandwidth_details
    # details passed in directly are frozen (and copied) too
    raw = np.array([1.0, 2.0])
    made = hs.BandwidthChoice(
        bandwidth_m=1.0,
        rule="scott",
        kernel="quartic",
        bandwidth_adjust=1.0,
        n_events=2,
        details={"a": raw},
    )
    raw[0] = 9.0
    assert made.details["a"][0] == 1.0 and not made.details["a"].flags.writeable


def _spread_events(side_m, n=400, seed=5):
    xy = np.random.default_rng(seed).uniform(0, side_m, size=(n, 2))
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def test_default_rule_warns_of_a_regional_radius_with_the_fix():
    events = _spread_events(20_000)  # a city-wide spread: ArcGIS's radius is kilometres
    radius = hs.select_bandwidth(events).bandwidth_m
    assert radius >= 500
    with pytest.warns(UserWarning, match=f"{radius:,.0f} m quartic search radius") as told:
        surface = hs.kde(events, cell_size_m=200)
    text = str(told[0].message)
    assert "at least 500 m" in text
    assert "bandwidth_m" in text and "bandwidth_rule='arcgis'" in text
    assert "likelihood_cv" in text
    assert surface.bandwidth_m == pytest.approx(radius)
    # naming the rule, or giving the radius, is a knowing choice: no warning
    named = hs.kde(events, cell_size_m=200, bandwidth_rule="arcgis")
    np.testing.assert_array_equal(named.values, surface.values)
    hs.kde(events, cell_size_m=200, bandwidth_m=radius)


def test_any_other_named_rule_warns_of_a_regional_bandwidth_too():
    sparse = _spread_events(20_000, n=60)  # few events spread widely: every rule goes wide
    chosen = hs.select_bandwidth(sparse, rule="silverman").bandwidth_m
    assert chosen >= 500
    with pytest.warns(UserWarning, match=f"'silverman' rule chose a {chosen:,.0f} m") as told:
        hs.kde(sparse, cell_size_m=200, bandwidth_rule="silverman")
    text = str(told[0].message)
    assert "bandwidth_m" in text and "bandwidth_rule='arcgis'" not in text
    hs.kde(sparse, cell_size_m=200, bandwidth_rule="arcgis")  # named ArcGIS: no warning


def test_default_rule_threshold_is_500_m():
    from hotspotlib.hotspots.density.kde import MICRO_PLACE_RADIUS_M

    assert MICRO_PLACE_RADIUS_M == 500.0
    small = _spread_events(4_000)
    below = hs.select_bandwidth(small).bandwidth_m
    assert below < 500
    hs.kde(small, cell_size_m=100)  # no warning (warnings are errors here)
    # the same radius as a multiple: bandwidth_adjust counts towards the threshold
    with pytest.warns(UserWarning, match="quartic search radius"):
        hs.kde(small, cell_size_m=100, bandwidth_adjust=500 / below * 1.01)
    # other kernels are judged by the ArcGIS quartic radius they were converted from
    with pytest.warns(UserWarning, match="quartic search radius"):
        hs.kde(_spread_events(20_000), cell_size_m=200, kernel="gaussian")


def test_explicit_arcgis_rule_reproduces_the_published_radius(juvenile):
    # peers.md section 3.1 (as above), through kde with the rule named
    surface = hs.kde(juvenile, bandwidth_rule="arcgis")
    assert surface.bandwidth_m == pytest.approx(10.3334, abs=1e-4)
    assert surface.bandwidth_rule == "arcgis"
    np.testing.assert_array_equal(surface.values, hs.kde(juvenile).values)
