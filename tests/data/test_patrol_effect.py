import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs


@pytest.fixture(scope="module")
def trial():
    city = hs.synthetic_city(n_events=40_000, days=120, rng=7)
    plan = hs.assign_days(city.hotspots, start=city.start, days=120, treated_per_day=8, rng=1)
    return city, plan


def _rates(city, plan):
    panel = hs.trial_panel(city.events, plan)
    return panel.groupby("treated")["count"].sum() / panel.groupby("treated").size()


def test_planted_irr_is_realised(trial):
    city, plan = trial
    planted = hs.plant_patrol_effect(city, plan, irr=0.5, rng=3)
    before, after = _rates(city, plan), _rates(planted, plan)
    assert after[1] / before[1] == pytest.approx(0.5, abs=0.05)
    assert after[0] == before[0]  # no residual deterrence: control days untouched
    truth = planted.parameters["patrol_effect"]
    assert truth["irr"] == 0.5
    assert truth["n_events_removed"] == len(city.events) - len(planted.events)
    background = (planted.events["hotspot_id"] == -1).sum()
    assert background == (city.events["hotspot_id"] == -1).sum()


def test_residual_deterrence_decays(trial):
    city, plan = trial
    planted = hs.plant_patrol_effect(city, plan, irr=0.4, residual_half_life_days=1.0, rng=3)
    panel = hs.trial_panel(planted.events, plan)
    base = hs.trial_panel(city.events, plan)
    grid = plan.treated
    day = np.arange(grid.shape[1])
    last = np.maximum.accumulate(np.where(grid, day, -1), axis=1)
    since = np.where(last >= 0, day - last, 999).ravel()
    ratio = [panel["count"][since == s].sum() / base["count"][since == s].sum() for s in (0, 1, 3)]
    # expected multipliers: 0.4, 1 - 0.6 / 2 = 0.7, 1 - 0.6 / 8 = 0.925
    np.testing.assert_allclose(ratio, [0.4, 0.7, 0.925], atol=0.06)


def test_same_rng_same_result_and_inputs_untouched(trial):
    city, plan = trial
    events_before = city.events.copy()
    schedule = plan.to_frame()
    schedule_before = schedule.copy()
    a = hs.plant_patrol_effect(city, schedule, irr=0.7, rng=9)
    b = hs.plant_patrol_effect(city, schedule, irr=0.7, rng=9)
    pd.testing.assert_frame_equal(a.events, b.events)
    pd.testing.assert_frame_equal(city.events, events_before)
    pd.testing.assert_frame_equal(schedule, schedule_before)
    assert "patrol_effect" not in city.parameters


@pytest.mark.parametrize(
    ("irr", "match"), [(1.5, "cannot be planted"), (0.0, "`irr`"), (-0.2, "`irr`")]
)
def test_bad_irr(trial, irr, match):
    city, plan = trial
    with pytest.raises(ValueError, match=match):
        hs.plant_patrol_effect(city, plan, irr=irr)


def test_bad_schedules(trial):
    city, plan = trial
    frame = plan.to_frame()
    with pytest.raises(ValueError, match="missing column"):
        hs.plant_patrol_effect(city, frame.drop(columns="treated"), irr=0.5)
    with pytest.raises(ValueError, match="not in `city.hotspots`"):
        hs.plant_patrol_effect(city, frame.assign(hotspot_id=99), irr=0.5)
    with pytest.raises(ValueError, match="not in `the city's days`.*inside the city's period"):
        hs.plant_patrol_effect(city, frame.assign(date=pd.Timestamp("2030-01-01")), irr=0.5)
    with pytest.raises(ValueError, match=r"repeated \(hotspot_id, date\) rows"):
        hs.plant_patrol_effect(city, pd.concat([frame, frame.iloc[:3]]), irr=0.5)
    with pytest.raises(ValueError, match="not in `0/1`"):
        hs.plant_patrol_effect(city, frame.assign(treated=2), irr=0.5)
    with pytest.raises(TypeError, match="SyntheticCity"):
        hs.plant_patrol_effect(frame, frame, irr=0.5)
    with pytest.raises(ValueError, match="`residual_half_life_days`"):
        hs.plant_patrol_effect(city, frame, irr=0.5, residual_half_life_days=-1)
