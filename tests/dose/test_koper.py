import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspotlib as hs
from hotspotlib.dose._survival import stratified_cox

BEST = 12.5


def _planted(city, *, n_visits=40, seed=0, curvature=2.0):
    """Visits of 1-25 minutes at each hot spot, then the first event after each
    departure drawn with a log-hazard lowest after 12.5-minute visits."""
    rng = np.random.default_rng(seed)
    places = city.hotspots.index.to_numpy()
    minutes = rng.integers(1, 26, size=(len(places), n_visits)).astype(float)
    gap = rng.integers(150, 240, size=(len(places), n_visits))  # minutes between visits
    start = np.cumsum(minutes + gap, axis=1) - (minutes + gap)
    arrival = pd.Timestamp("2024-01-01") + pd.to_timedelta(start.ravel(), unit="min")
    schedule = pd.DataFrame(
        {
            "officer_id": np.repeat(places, n_visits),
            "hotspot_id": np.repeat(places, n_visits),
            "arrival": arrival,
            "minutes": minutes.ravel(),
        }
    )
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=seed)
    truth = sim.visits
    rate = np.exp(-5.0 + curvature * ((truth["minutes"] - BEST) / 10.0) ** 2)
    wait = rng.exponential(1.0 / rate)
    next_arrival = truth.groupby("officer_id")["arrival"].shift(-1)
    occurs = truth["departure"] + pd.to_timedelta(wait, unit="min")
    keep = ((occurs < next_arrival) | next_arrival.isna()).to_numpy()
    centres = city.hotspots.centroid.loc[truth["hotspot_id"][keep]]
    events = gpd.GeoDataFrame(
        {"timestamp": occurs[keep].to_numpy()},
        geometry=centres.to_numpy(),
        crs=city.hotspots.crs,
    )
    return hs.patrol_visits(sim.pings, city.hotspots), events, truth


def test_departures_are_censored_correctly(city):
    visits, events, truth = _planted(city, n_visits=8, seed=1)
    events_before, visits_before = events.copy(), visits.visits.copy()
    curve = hs.koper_curve(visits, events, n_bootstrap=0, follow_up_minutes=90)
    pd.testing.assert_frame_equal(events, events_before)
    pd.testing.assert_frame_equal(visits.visits, visits_before)
    frame = curve.departures
    assert len(frame) == curve.counts["n_departures"]
    assert len(frame) + curve.counts["n_after_end"] == len(truth)
    assert frame["time_minutes"].max() <= 90
    # Brute force for each departure: the first event after it at the same place.
    stamps = events["timestamp"].to_numpy()
    where = hs.locate_events(events, city.hotspots)
    for row in frame.itertuples():
        later = stamps[(where == row.place_position) & (stamps > row.departure.to_datetime64())]
        nxt = truth[(truth["hotspot_id"] == row.hotspot_id) & (truth["arrival"] > row.departure)]
        limit = min(
            90.0,
            (nxt["arrival"].min() - row.departure).total_seconds() / 60 if len(nxt) else np.inf,
            (stamps.max() - row.departure.to_datetime64()) / np.timedelta64(1, "m"),
        )
        wait = (
            (later.min() - row.departure.to_datetime64()) / np.timedelta64(1, "m")
            if len(later)
            else np.inf
        )
        assert row.event == (wait <= limit)
        assert row.time_minutes == pytest.approx(min(wait, limit))


def test_stratified_cox_matches_statsmodels(rng):
    from statsmodels.duration.hazard_regression import PHReg

    n = 600
    x = rng.normal(size=(n, 3))
    time = np.round(rng.exponential(np.exp(-x @ [0.5, -0.3, 0.2])) * 10)  # many ties
    event = rng.random(n) < 0.7
    strata = rng.integers(0, 25, n)
    ours = stratified_cox(time, x, event, strata)
    oracle = PHReg(time, x, status=event.astype(float), strata=strata, ties="breslow").fit()
    np.testing.assert_allclose(ours, oracle.params, atol=1e-7)


def test_planted_optimum_recovered(city):
    visits, events, _ = _planted(city, n_visits=60, seed=2)
    curve = hs.koper_curve(visits, events, n_bootstrap=100, rng=3)
    low, high = curve.optimum_ci
    assert low < BEST < high
    assert abs(curve.optimum_minutes - BEST) < 3
    table = curve.table
    assert table.loc["0-1", "hazard_ratio"] == 1.0
    # 10-15 minute visits deter best: lowest hazard ratio, well below drive-bys.
    assert table["hazard_ratio"].idxmin() == "10-15"
    assert table.loc["10-15", "ci_high"] < 1
    assert (
        table.loc["10-15", "event_within_30_minutes"] < table.loc["0-1", "event_within_30_minutes"]
    )
    assert "optimum_minutes" in str(curve.summary())


def test_same_rng_same_ci(city):
    visits, events, _ = _planted(city, n_visits=10, seed=4)
    a = hs.koper_curve(visits, events, n_bootstrap=15, rng=7)
    b = hs.koper_curve(visits, events, n_bootstrap=15, rng=7)
    assert a.optimum_ci == b.optimum_ci
    pd.testing.assert_frame_equal(a.table, b.table)


def test_midnight_pieces_are_joined(city):
    schedule = pd.DataFrame(
        {
            "officer_id": ["A", "A"],
            "hotspot_id": [0, 0],
            "arrival": pd.to_datetime(["2024-01-01 23:50", "2024-01-02 03:00"]),
            "minutes": [20, 5],
        }
    )
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=0)
    visits = hs.patrol_visits(sim.pings, city.hotspots)
    assert len(visits.visits) == 3
    events = gpd.GeoDataFrame(
        {"timestamp": pd.to_datetime(["2024-01-02 00:40", "2024-01-02 05:00"])},
        geometry=[city.hotspots.geometry.iloc[0].centroid, shapely.Point(0, 0)],
        crs=city.hotspots.crs,
    )
    curve = hs.koper_curve(visits, events, n_bootstrap=0, end="2024-01-02 06:00")
    frame = curve.departures
    assert curve.counts["n_joined_at_midnight"] == 1
    assert curve.counts["n_events_outside_places"] == 1
    assert frame["duration_minutes"].tolist() == [20.0, 5.0]
    assert frame["time_minutes"].tolist() == [30.0, 120.0]
    assert frame["event"].tolist() == [True, False]
    assert frame["bin"].astype(str).tolist() == ["15-20", "1-5"]


def test_plot_and_errors(city):
    visits, events, _ = _planted(city, n_visits=6, seed=5)
    curve = hs.koper_curve(visits, events, n_bootstrap=0)
    assert curve.plot().get_xlabel() == "minutes since departure"
    assert curve.plot(kind="hazard_ratio").get_ylabel().startswith("hazard ratio")
    with pytest.raises(ValueError, match="kind"):
        curve.plot(kind="pie")
    assert np.isnan(curve.optimum_ci[0])
    with pytest.raises(TypeError, match="PatrolVisits"):
        hs.koper_curve(visits.visits, events)
    with pytest.raises(ValueError, match="missing column"):
        hs.koper_curve(visits, events, time="when")
    with pytest.raises(ValueError, match="follow_up_minutes"):
        hs.koper_curve(visits, events, follow_up_minutes=0)
    for bad in [(0, 5), (5, 1, 10), (-1, 5, 10), (0, 5, 5), (0, np.inf, 10)]:
        with pytest.raises(ValueError, match="bins"):
            hs.koper_curve(visits, events, bins=bad)
    with pytest.raises(TypeError, match="bins"):
        hs.koper_curve(visits, events, bins="abc")
    with pytest.raises(ValueError, match="n_bootstrap"):
        hs.koper_curve(visits, events, n_bootstrap=-1)
    with pytest.raises(ValueError, match="n_bootstrap"):
        hs.koper_curve(visits, events, n_bootstrap=2.5)
    missing = events.copy()
    missing.loc[missing.index[0], "timestamp"] = pd.NaT
    with pytest.raises(ValueError, match="missing timestamps"):
        hs.koper_curve(visits, missing)
    with pytest.raises(ValueError, match="No departure is left to analyse"):
        hs.koper_curve(visits, events, end="2023-01-01")
    with pytest.raises(ValueError, match="geographic"):
        hs.koper_curve(visits, events.to_crs(4326))


def test_time_zone_aware_events_use_the_visits_local_clock():
    places = gpd.GeoDataFrame(
        geometry=[shapely.box(0, 0, 100, 100), shapely.box(200, 0, 300, 100)],
        index=pd.Index([10, 20], name="pid"),
        crs=27700,
    )
    times = [f"2024-07-01 10:{m:02d}" for m in range(20)] + [
        f"2024-07-01 11:{m:02d}" for m in range(5)
    ]
    xs = [50] * 20 + [250] * 5
    pings = gpd.GeoDataFrame(
        {
            "officer_id": "A",
            "timestamp": pd.to_datetime(times).tz_localize("Europe/London"),
        },
        geometry=gpd.points_from_xy(xs, [50] * 25),
        crs=27700,
    )
    visits = hs.patrol_visits(pings, places)
    events = gpd.GeoDataFrame(
        {
            "timestamp": pd.to_datetime(["2024-07-01 10:30", "2024-07-01 11:10"]).tz_localize(
                "Europe/London"
            )
        },
        geometry=gpd.points_from_xy([50, 250], [50, 50]),
        crs=27700,
    )
    koper = hs.koper_curve(visits, events, n_bootstrap=0, bins=(0, 5, 30, np.inf))
    # departures at 10:20 and 11:05 local time; events 10 and 5 minutes later
    np.testing.assert_allclose(np.sort(koper.departures["time_minutes"]), [5.0, 10.0])
    assert koper.departures["event"].all()
    panel = hs.dosage_panel(visits, places, start="2024-07-01", end="2024-07-02", events=events)
    assert panel.to_frame()["count"].tolist() == [1, 1]


def _offset_strata(rng):
    # Two places whose covariate differs by 300: a global risk shift would underflow
    # one place's risk set to zero once beta is near its true value (3).
    n = 400
    strata = np.repeat([0, 1], n // 2)
    u = rng.random(n)
    time = np.round(rng.exponential(np.exp(-3 * u)) * 50)
    return time, (u + 300.0 * strata)[:, None], rng.random(n) < 0.8, strata


@pytest.mark.parametrize("action", ["error", "default", "always"])
def test_stratified_cox_is_silent_whatever_the_warning_filters(rng, action):
    from statsmodels.duration.hazard_regression import PHReg

    time, x, event, strata = _offset_strata(rng)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        ours = stratified_cox(time, x, event, strata)
    assert caught == []
    oracle = PHReg(time, x, status=event.astype(float), strata=strata, ties="breslow").fit()
    np.testing.assert_allclose(ours, oracle.params, atol=1e-7)


@pytest.mark.parametrize("action", ["error", "always"])
def test_stratified_cox_separation_fails_as_an_error_not_a_warning(action):
    # Every event at the larger covariate value: the estimate runs off to infinity.
    x = np.tile([0.0, 1.0], 50)[:, None]
    time = np.arange(100.0)
    event = x[:, 0] == 1.0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action)
        with pytest.raises(ValueError, match="did not converge|Singular"):  # LinAlgError too
            stratified_cox(time, x, event, np.zeros(100, dtype=np.int64))
    assert caught == []
