import numpy as np
import pandas as pd
import pytest
import shapely

import hotspotlib as hs


def test_same_rng_same_city():
    a = hs.synthetic_city(n_events=3_000, rng=5)
    b = hs.synthetic_city(n_events=3_000, rng=5)
    pd.testing.assert_frame_equal(a.events, b.events)
    c = hs.synthetic_city(n_events=3_000, rng=6)
    assert len(c.events) != len(a.events) or not a.events.geometry.equals(c.events.geometry)


def test_city_structure(city):
    ev = city.events
    assert ev.crs.to_epsg() == 27700
    assert {"timestamp", "crime_type", "harm", "hotspot_id", "month"} <= set(ev.columns)
    assert set(ev["crime_type"]) <= set(hs.CRIME_TYPES)
    assert (ev["month"] == ev["timestamp"].dt.to_period("M").dt.to_timestamp()).all()
    assert ev["timestamp"].min() >= city.start and ev["timestamp"].max() < city.end
    assert shapely.contains_xy(city.boundary.geometry.iloc[0], ev.geometry.x, ev.geometry.y).all()
    assert len(city.hotspots) == 20
    np.testing.assert_allclose(city.hotspots.area, 150.0**2)


def test_planted_truth(city):
    ev = city.events
    hot = ev["hotspot_id"].to_numpy() >= 0
    assert abs(hot.mean() - 0.2) < 0.03
    # every hot-spot event lies in its own hot spot
    polys = city.hotspots.geometry.to_numpy()[ev["hotspot_id"].to_numpy()[hot]]
    assert shapely.contains_xy(polys, ev.geometry.x[hot], ev.geometry.y[hot]).all()
    # expected counts match realised counts per hot spot (Poisson-ish)
    expected = city.hotspots["expected_per_day"].to_numpy() * 365
    realised = np.bincount(ev["hotspot_id"].to_numpy()[hot], minlength=20)
    assert np.abs(realised - expected).max() < 5 * np.sqrt(expected.max()) + 5
    # weekends and evenings are busier
    dow = ev["timestamp"].dt.day_of_week.value_counts()
    assert dow[5] > dow[1]
    hours = ev["timestamp"].dt.hour.value_counts()
    assert hours[21] > 2 * hours[5]


def test_city_summary_and_plot(city):
    text = str(city.summary())
    assert "hotspot_share_of_harm" in text
    assert city.plot() is not None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_events": 0}, "n_events"),
        ({"hotspot_share": 1.5}, "hotspot_share"),
        ({"days": 0}, "days"),
        ({"crs": "EPSG:4326"}, "projected"),
        ({"crs": "EPSG:2227"}, "not metres"),
        ({"n_hotspots": True}, "n_hotspots"),
        ({"n_hotspots": 500, "size_m": 2_000}, "Could not place"),
    ],
)
def test_city_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.synthetic_city(rng=1, **kwargs)


def test_harm_weights():
    w = hs.harm_weights()
    assert len(w) == 14 and w["Anti-social behaviour"] == 0 and w["Robbery"] == 365
    assert hs.harm_weights("none")["Burglary"] == 1
    assert hs.harm_weights({"Robbery": 2.0})["Robbery"] == 2.0
    with pytest.raises(ValueError, match="css"):
        hs.harm_weights("css")
    with pytest.raises(ValueError, match="one of"):
        hs.harm_weights("other")


def test_harm_mapping_refuses_infinite_and_negative_weights():
    with pytest.raises(ValueError, match=r"\['Robbery'\]` must be a finite number >= 0"):
        hs.harm_weights({"Robbery": np.inf})
    with pytest.raises(ValueError, match=r"\['Burglary'\]` must be a finite number >= 0"):
        hs.harm_weights({"Burglary": -1.0})


def test_impossible_cities_are_refused_not_looped():
    with pytest.raises(ValueError, match="size_m"):
        hs.synthetic_city(size_m=300, rng=1)
    with pytest.raises(ValueError, match="hotspot_size_m"):
        hs.synthetic_city(hotspot_size_m=4_500, rng=1)
    assert len(hs.synthetic_city(size_m=300, n_hotspots=0, n_events=200, rng=1).events) > 0
