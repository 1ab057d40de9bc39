import io

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs

SHIFT = {"shift_start": "2024-06-01 14:00", "shift_end": "2024-06-01 22:00"}


def test_plan_respects_every_rule(city):
    places = city.hotspots
    before = places.copy()
    plan = hs.plan_patrols(
        places, officers=4, visits_per_place=2, walking_speed_kmh=20, rng=4, **SHIFT
    )
    pd.testing.assert_frame_equal(places, before)
    s = plan.to_frame()
    assert len(s) == 40 and set(s["hotspot_id"]) == set(places.index)
    assert (s.groupby("hotspot_id").size() == 2).all()
    assert s["arrival"].min() >= pd.Timestamp(SHIFT["shift_start"])
    assert s["departure"].max() <= pd.Timestamp(SHIFT["shift_end"])
    for _, visits in s.groupby("hotspot_id"):
        gap = visits["arrival"].diff().dropna().dt.total_seconds() / 60
        assert (gap >= 120 - 1e-6).all()
    for _, route in s.groupby("officer_id"):  # no officer is in two places at once
        route = route.sort_values("arrival")
        assert (
            route["arrival"].iloc[1:].to_numpy() >= route["departure"].iloc[:-1].to_numpy()
        ).all()
    # travel time is straight-line distance at 5 km/h
    centre = places.centroid
    first = s[s["officer_id"] == s["officer_id"].iloc[0]].sort_values("order")
    a, b = first["hotspot_id"].iloc[0], first["hotspot_id"].iloc[1]
    assert first["travel_minutes"].iloc[1] == pytest.approx(
        centre[a].distance(centre[b]) / (20_000 / 60)
    )
    assert s["wait_minutes"].min() >= -1e-9
    # the schedule feeds the GPS simulator and comes back as the same minutes
    sim = hs.simulate_patrol_pings(places, s, noise_m=0, rng=0)
    visits = hs.patrol_visits(sim.pings, places)
    assert visits.visits["officer_minutes"].sum() == pytest.approx(40 * 15)


def test_same_rng_same_plan_and_csv(city):
    a = hs.plan_patrols(
        city.hotspots, officers=["x", "y"], walking_speed_kmh=30, rng=9, **SHIFT
    ).to_frame()
    b = hs.plan_patrols(
        city.hotspots, officers=["x", "y"], walking_speed_kmh=30, rng=9, **SHIFT
    ).to_frame()
    pd.testing.assert_frame_equal(a, b)
    c = hs.plan_patrols(
        city.hotspots, officers=["x", "y"], walking_speed_kmh=30, rng=10, **SHIFT
    ).to_frame()
    assert not a["hotspot_id"].equals(c["hotspot_id"])
    text = io.StringIO()
    a.to_csv(text, index=False)
    back = pd.read_csv(io.StringIO(text.getvalue()), parse_dates=["arrival", "departure"])
    assert back.shape == a.shape and set(a["officer_id"]) == {"x", "y"}


def test_summary_and_plot(city):
    plan = hs.plan_patrols(city.hotspots, officers=5, rng=1, **SHIFT)
    assert "travel_minutes" in str(plan.summary())
    assert plan.plot().get_title() == "Patrol routes, 2024-06-01 14:00 to 22:00"


def test_infeasible_requests_say_what_does_not_fit(city):
    with pytest.raises(ValueError, match=r"1 officers have 480 officer-minutes, room for 1 visits"):
        hs.plan_patrols(city.hotspots, officers=1, visits_per_place=2, min_gap_minutes=60, **SHIFT)
    with pytest.raises(ValueError, match="fit 3 times at a place in the 480-minute shift"):
        hs.plan_patrols(
            city.hotspots, officers=20, visits_per_place=4, min_gap_minutes=160, **SHIFT
        )
    with pytest.raises(ValueError, match="cannot fit visit"):
        hs.plan_patrols(city.hotspots, officers=1, visit_minutes=23, walking_speed_kmh=1, **SHIFT)


def test_errors(city):
    with pytest.raises(ValueError, match="must be after"):
        hs.plan_patrols(
            city.hotspots, officers=2, shift_start="2024-06-01 22:00", shift_end="2024-06-01 14:00"
        )
    with pytest.raises(ValueError, match="officers"):
        hs.plan_patrols(city.hotspots, officers=0, **SHIFT)
    with pytest.raises(ValueError, match="repeated ids"):
        hs.plan_patrols(city.hotspots, officers=["a", "a"], **SHIFT)
    with pytest.raises(TypeError, match="officers"):
        hs.plan_patrols(city.hotspots, officers="abc", **SHIFT)
    with pytest.raises(ValueError, match="visits_per_place"):
        hs.plan_patrols(city.hotspots, officers=2, visits_per_place=0, **SHIFT)
    with pytest.raises(ValueError, match="visit_minutes"):
        hs.plan_patrols(city.hotspots, officers=2, visit_minutes=0, **SHIFT)
    with pytest.raises(ValueError, match="walking_speed_kmh"):
        hs.plan_patrols(city.hotspots, officers=2, walking_speed_kmh=-1, **SHIFT)
    with pytest.raises(ValueError, match="geographic"):
        hs.plan_patrols(city.hotspots.to_crs(4326), officers=2, **SHIFT)
    with pytest.raises(ValueError, match="repeated index values"):
        hs.plan_patrols(pd.concat([city.hotspots, city.hotspots]), officers=2, **SHIFT)


def _log_response(m):
    return np.exp(-0.2 * np.log1p(m))


def test_allocation_matches_brute_force():
    places = pd.DataFrame({"risk": [3.0, 1.0, 0.5, 0.0]}, index=pd.Index(list("abcd"), name="spot"))
    before = places.copy()
    result = hs.allocate_patrol_time(
        places, total_minutes=60, response=_log_response, risk="risk", increment_minutes=10
    )
    pd.testing.assert_frame_equal(places, before)
    assert result.concave
    best, best_value = None, -1.0
    for a in range(7):  # every split of 6 increments over the 3 places with risk
        for b in range(7 - a):
            c = 6 - a - b
            minutes = np.array([a, b, c, 0]) * 10.0
            value = float((places["risk"] * (1 - _log_response(minutes))).sum())
            if value > best_value:
                best, best_value = minutes, value
    frame = result.to_frame()
    np.testing.assert_allclose(frame["minutes"], best)
    assert result.expected_prevented == pytest.approx(best_value)
    assert result.share_prevented == pytest.approx(best_value / 4.5)
    assert list(frame.columns) == ["spot", "risk", "minutes", "irr", "expected_prevented"]


def test_allocation_with_fitted_response_and_cap(city):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(30), 40),
            "date": np.tile(pd.date_range("2024-01-01", periods=40), 30),
            "patrol_minutes": rng.choice([0, 5, 15, 30], 1200).astype(float),
        }
    )
    frame["crimes"] = rng.poisson(np.exp(1 - 0.2 * np.log1p(frame["patrol_minutes"])))
    fit = hs.dose_response(frame, outcome="crimes")
    result = hs.allocate_patrol_time(
        city.hotspots, total_minutes=200, response=fit, max_minutes_per_place=20
    )
    minutes = result.allocation["minutes"]
    assert minutes.max() <= 20 and minutes.sum() == 200
    top = city.hotspots["expected_per_day"].idxmax()
    assert minutes[result.allocation["hotspot_id"] == top].item() == 20
    assert "expected_prevented" in str(result.summary())
    assert result.plot().get_ylabel() == "patrol minutes a day"


def test_non_concave_response_and_no_benefit():
    places = pd.DataFrame({"risk": [1.0, 1.0]})
    steps = hs.allocate_patrol_time(
        places, total_minutes=30, response=lambda m: np.where(m >= 15, 0.5, 1.0), risk="risk"
    )
    assert not steps.concave and "majorant" in str(steps.summary())
    assert steps.allocation["minutes"].tolist() == [15.0, 15.0]
    useless = hs.allocate_patrol_time(
        places, total_minutes=30, response=lambda m: np.ones_like(m), risk="risk"
    )
    assert useless.allocation["minutes"].sum() == 0 and useless.expected_prevented == 0


def test_allocation_errors():
    places = pd.DataFrame({"risk": [1.0, -1.0]})
    with pytest.raises(ValueError, match="missing column"):
        hs.allocate_patrol_time(places, total_minutes=10, response=_log_response)
    with pytest.raises(ValueError, match="finite numbers >= 0"):
        hs.allocate_patrol_time(places, total_minutes=10, response=_log_response, risk="risk")
    ok = pd.DataFrame({"risk": [1.0]})
    with pytest.raises(TypeError, match="DoseResponse or a function"):
        hs.allocate_patrol_time(ok, total_minutes=10, response=0.5, risk="risk")
    with pytest.raises(ValueError, match="one finite IRR"):
        hs.allocate_patrol_time(ok, total_minutes=10, response=lambda m: -m, risk="risk")
    with pytest.raises(ValueError, match="increment_minutes"):
        hs.allocate_patrol_time(
            ok, total_minutes=10, response=_log_response, risk="risk", increment_minutes=0
        )
    with pytest.raises(ValueError, match="total_minutes"):
        hs.allocate_patrol_time(ok, total_minutes=-1, response=_log_response, risk="risk")
