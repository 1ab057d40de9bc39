import geopandas as gpd
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

import hotspotlib as hs


def _schedule(**overrides):
    base = {
        "officer_id": ["A", "A", "B"],
        "hotspot_id": [0, 1, 0],
        "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00", "2024-01-01 10:30"]),
        "minutes": [15.0, 10.0, 7.5],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def test_truth_and_ping_layout(city):
    schedule = _schedule()
    before = schedule.copy()
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=1)
    pd.testing.assert_frame_equal(schedule, before)
    truth = sim.visits
    # 7.5 minutes at 60 s pings rounds to 8 pings (whole intervals).
    assert truth["minutes"].tolist() == [15.0, 10.0, 8.0]
    assert (truth["departure"] - truth["arrival"]).dt.total_seconds().tolist() == [900, 600, 480]
    pings = sim.pings
    assert pings.crs.equals(city.hotspots.crs)
    assert pings["timestamp"].is_monotonic_increasing
    assert list(pings.columns) == ["officer_id", "timestamp", "accuracy_m", "geometry"]
    where = hs.locate_events(pings, city.hotspots)
    inside = pings[where >= 0]
    assert len(inside) == truth["n_pings"].sum()
    # A walks from hot spot 0 to 1 between 10:15 and 11:00: pings every minute, minus
    # those that fell inside a hot spot.
    transit = pings[(pings["officer_id"] == "A") & (where < 0)]
    assert len(transit) + sim.n_transit_inside == 45
    assert sim.n_dropped == 0


def test_same_rng_same_pings(city):
    a = hs.simulate_patrol_pings(city.hotspots, _schedule(), gap_rate=0.2, rng=5)
    b = hs.simulate_patrol_pings(city.hotspots, _schedule(), gap_rate=0.2, rng=5)
    pd.testing.assert_frame_equal(a.pings, b.pings)
    assert a.n_dropped > 0
    c = hs.simulate_patrol_pings(city.hotspots, _schedule(), gap_rate=0.2, rng=6)
    assert not a.pings.geometry.equals(c.pings.geometry)


def test_noise_spreads_pings(city):
    clean = hs.simulate_patrol_pings(city.hotspots, _schedule(), noise_m=0, rng=2)
    noisy = hs.simulate_patrol_pings(city.hotspots, _schedule(), noise_m=20, rng=2)
    assert (hs.locate_events(noisy.pings, city.hotspots) >= 0).sum() < clean.visits["n_pings"].sum()
    assert (noisy.pings["accuracy_m"] == 20).all()


def test_irregular_polygons_sampled_inside():
    ring = Point(0, 0).buffer(100).difference(Point(0, 0).buffer(90))
    places = gpd.GeoDataFrame(geometry=[ring], crs=27700, index=pd.Index([5], name="beat"))
    schedule = pd.DataFrame(
        {"officer_id": [1], "beat": [5], "arrival": [pd.Timestamp("2024-03-01")], "minutes": [300]}
    )
    sim = hs.simulate_patrol_pings(places, schedule, noise_m=0, rng=0)
    xy = shapely.get_coordinates(sim.pings.geometry.to_numpy())
    assert len(xy) == 300 and shapely.contains_xy(ring, xy[:, 0], xy[:, 1]).all()
    assert "beat" in sim.visits.columns


def test_summary_and_plot(city):
    sim = hs.simulate_patrol_pings(city.hotspots, _schedule(), rng=3)
    assert "n_transit_inside" in str(sim.summary())
    assert sim.plot().get_title().startswith("Simulated")
    assert len(sim.to_frame()) == len(sim.pings)


def test_errors(city):
    places = city.hotspots
    with pytest.raises(ValueError, match="missing column"):
        hs.simulate_patrol_pings(places, _schedule().drop(columns="minutes"))
    with pytest.raises(ValueError, match="not in `places.index`"):
        hs.simulate_patrol_pings(places, _schedule(hotspot_id=[0, 1, 99]))
    with pytest.raises(ValueError, match="must hold finite numbers > 0"):
        hs.simulate_patrol_pings(places, _schedule(minutes=[15.0, 0.0, 5.0]))
    with pytest.raises(ValueError, match="before the same officer's previous visit ends"):
        hs.simulate_patrol_pings(
            places,
            _schedule(officer_id=["A", "A", "A"], minutes=[45.0, 10.0, 5.0]),
        )
    with pytest.raises(ValueError, match="gap_rate"):
        hs.simulate_patrol_pings(places, _schedule(), gap_rate=1.0)
    with pytest.raises(ValueError, match="noise_m"):
        hs.simulate_patrol_pings(places, _schedule(), noise_m=-1)
    with pytest.raises(ValueError, match="interval_seconds"):
        hs.simulate_patrol_pings(places, _schedule(), interval_seconds=0)
    with pytest.raises(ValueError, match="missing values"):
        hs.simulate_patrol_pings(places, _schedule(officer_id=["A", None, "B"]))
    aware = _schedule(arrival=_schedule()["arrival"].dt.tz_localize("Europe/London"))
    local = hs.simulate_patrol_pings(places, aware, noise_m=0, rng=1)  # its own local clock
    assert sorted(local.visits["arrival"]) == sorted(_schedule()["arrival"])
    with pytest.raises(ValueError, match="empty"):
        hs.simulate_patrol_pings(places, _schedule().iloc[:0])
    with pytest.raises(ValueError, match="geographic"):
        hs.simulate_patrol_pings(places.to_crs(4326), _schedule())
    dup = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)] * 2, crs=27700)
    with pytest.raises(ValueError, match="repeated index values"):
        hs.simulate_patrol_pings(dup.set_index(pd.Index([0, 0])), _schedule())
    with pytest.raises(ValueError, match="slivers"):
        sliver = gpd.GeoDataFrame(
            geometry=[shapely.Polygon([(0, 0), (1000, 1000), (1000, 1000.001)])],
            crs=27700,
            index=pd.Index([0], name="hotspot_id"),
        )
        hs.simulate_patrol_pings(sliver, _schedule(hotspot_id=[0, 0, 0]), noise_m=0, rng=0)
