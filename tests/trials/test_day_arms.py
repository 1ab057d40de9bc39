"""Multi-arm crossover schedules: exact numbers per arm, the two-arm draw unchanged, effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import hotspotlib as hs
from hotspotlib.trials._draws import draw_within_blocks

ARMS = ("control", "patrol", "patrol_pop")
TRUTH = {"control": 1.0, "patrol": 0.8, "patrol_pop": 0.6}


def _grip(n_places=30, days=120, seed=3, **kwargs):
    plan = hs.assign_days(
        range(n_places),
        start="2024-01-01",
        days=days,
        treated_per_day=n_places // 3,
        arms=ARMS,
        rng=seed,
        **kwargs,
    )
    rng = np.random.default_rng(seed + 100)
    base = rng.gamma(2.0, 0.5, n_places)
    day = np.exp(0.3 * np.sin(np.arange(days) / 7))
    panel = plan.to_frame()
    rate = base[panel["hotspot_id"]] * np.tile(day, n_places) * panel["arm"].map(TRUTH)
    panel["crimes"] = rng.poisson(rate.to_numpy())
    return plan, panel


@pytest.mark.parametrize(
    "kwargs",
    [
        {"treated_per_day": 8},
        {"treated_per_day": 3, "blocks": np.arange(20) % 3},
        {"treated_per_day": 6, "max_consecutive_control": 4},
    ],
)
def test_two_arm_schedule_is_unchanged(kwargs):
    plan = hs.assign_days(range(20), start="2024-01-01", days=40, rng=5, **kwargs)
    assert plan.arms is None and plan.arm_codes is None
    assert "arm" not in plan.to_frame().columns
    if "max_consecutive_control" not in kwargs:  # the plain draw, rebuilt independently
        k = plan.treated_per_day
        expected = draw_within_blocks(np.random.default_rng(5), plan.block, k, (1, 40))
        assert np.array_equal(plan.treated, expected[0].T)
    # naming two arms draws the same patrol days (the split comes after)
    two = hs.assign_days(range(20), start="2024-01-01", days=40, rng=5, arms=2, **kwargs)
    assert np.array_equal(two.treated, plan.treated)
    assert np.array_equal(two.arm_codes, plan.treated.astype(int))
    assert np.array_equal(plan.redraw(4, rng=9), plan.redraw_arms(4, rng=9) > 0)


def test_exact_numbers_per_arm_block_and_day_in_draw_and_redraw():
    blocks = np.arange(24) % 2
    plan = hs.assign_days(
        range(24),
        start="2024-03-01",
        days=15,
        treated_per_day=4,
        arms=ARMS,
        blocks=blocks,
        max_consecutive_control=3,
        rng=2,
    )
    assert plan.arms_per_day.tolist() == [[4, 4, 4], [4, 4, 4]]
    for draw in [plan.arm_codes, *plan.redraw_arms(30, rng=1)]:
        for b in (0, 1):
            per_day = np.stack([(draw[blocks == b] == a).sum(axis=0) for a in range(3)])
            assert (per_day == 4).all()
        assert hs.trials.schedule.longest_control_run(draw > 0).max() <= 3
    assert np.array_equal(plan.treated, plan.arm_codes > 0)
    again = hs.assign_days(
        range(24),
        start="2024-03-01",
        days=15,
        treated_per_day=4,
        arms=ARMS,
        blocks=blocks,
        max_consecutive_control=3,
        rng=2,
    )
    assert np.array_equal(again.arm_codes, plan.arm_codes)
    assert plan.counts["n_patrol_pop_place_days"] == 24 * 15 // 3


def test_redrawn_arms_are_uniform_over_place_days():
    plan = hs.assign_days(
        range(12), start="2024-01-01", days=3, arms={"c": 2, "a": 1, "b": 1}, rng=1
    )
    assert plan.arms_per_day.tolist() == [[6, 3, 3]]
    draws = plan.redraw_arms(6000, rng=4)
    for a, share in enumerate([0.5, 0.25, 0.25]):
        assert np.allclose((draws == a).mean(axis=0), share, atol=0.03)
    # patrol-arm membership of two places on one day is exchangeable (no order effect)
    same = (draws[:, 0, 0] == 1) & (draws[:, 1, 0] == 1)
    assert same.mean() == pytest.approx(3 / 12 * 2 / 11, abs=0.01)


def test_trial_panel_carries_the_arm():
    city = hs.synthetic_city(n_events=3_000, days=20, rng=3)
    plan = hs.assign_days(
        city.hotspots, start=city.start, days=20, treated_per_day=5, arms=3, rng=1
    )
    panel = hs.trial_panel(city.events, plan)
    assert set(panel["arm"]) == {"control", "arm_1", "arm_2"}
    assert ((panel["arm"] != "control") == (panel["treated"] == 1)).all()
    assert panel["count"].sum() > 0


def test_three_arm_crossover_intervals_cover_planted_truth():
    truth = np.log([0.8, 0.6, 0.75])  # patrol, patrol_pop vs control; patrol_pop vs patrol
    covered, errors = [], []
    for seed in range(20):
        _, panel = _grip(days=60, seed=seed)
        table = hs.estimate_arms(
            panel, outcome="crimes", fixed_effects=["hotspot_id", "date"], p_adjust="none"
        ).to_frame()
        covered.append((table["ci_low"] < truth) & (truth < table["ci_high"]))
        errors.append(table["estimate"].to_numpy() - truth)
    assert np.mean(covered, axis=0).min() >= 0.85  # 95% intervals, 20 trials each
    assert np.abs(np.mean(errors, axis=0)).max() < 0.03  # no bias (SE of the mean ~0.013)


def test_three_arm_crossover_equals_statsmodels_oracle():
    _, panel = _grip()
    effects = hs.estimate_arms(
        panel, outcome="crimes", fixed_effects=["hotspot_id", "date"], p_adjust="bonferroni"
    )
    table = effects.to_frame()
    oracle = smf.glm(
        "crimes ~ C(arm, Treatment('control')) + C(hotspot_id) + C(date)",
        data=panel,
        family=sm.families.Poisson(),
    ).fit(cov_type="cluster", cov_kwds={"groups": panel["hotspot_id"]})
    names = [f"C(arm, Treatment('control'))[T.{a}]" for a in ("patrol", "patrol_pop")]
    assert table["estimate"].iloc[:2].to_numpy() == pytest.approx(
        oracle.params[names].to_numpy(), abs=1e-8
    )
    assert table["std_error"].iloc[:2].to_numpy() == pytest.approx(
        oracle.bse[names].to_numpy(), rel=1e-6
    )
    contrast = pd.Series(0.0, index=oracle.params.index)
    contrast[names] = [-1.0, 1.0]
    test = oracle.t_test(contrast.to_numpy())
    assert table.loc["patrol_pop vs patrol", "estimate"] == pytest.approx(
        float(test.effect[0]), abs=1e-8
    )
    assert table.loc["patrol_pop vs patrol", "std_error"] == pytest.approx(
        float(test.sd[0, 0]), rel=1e-6
    )
    assert np.allclose(table["p_adjusted"], np.minimum(3 * table["p_value"], 1))


def test_balance_per_arm_on_place_days():
    plan, panel = _grip(n_places=12, days=30)
    places = pd.DataFrame({"last_year": np.arange(12.0) ** 2}, index=range(12))
    table = hs.balance_table(plan, places).to_frame()
    for arm in ARMS:  # every place's baseline, weighted by its days in the arm
        rows = panel["arm"] == arm
        expected = places["last_year"].to_numpy()[panel.loc[rows, "hotspot_id"]].mean()
        assert table.loc["last_year", f"mean_{arm}"] == pytest.approx(expected)
    assert "std_difference_patrol_pop" in table.columns
    assert "day_of_week_mon" in table.index or len(table) > 1


def test_negbin_arms_equal_statsmodels_nb_glm_and_ml_dispersion():
    plan = hs.assign_days(
        range(15), start="2024-01-01", days=40, treated_per_day=5, arms=ARMS, rng=11
    )
    panel = plan.to_frame()
    rng = np.random.default_rng(12)
    mean = 1.5 * panel["arm"].map(TRUTH).to_numpy() * rng.gamma(2.0, 0.5, 15)[panel["hotspot_id"]]
    panel["crimes"] = rng.negative_binomial(2.0, 2.0 / (2.0 + mean))  # alpha = 0.5
    effects = hs.estimate_arms(
        panel, outcome="crimes", fixed_effects=["hotspot_id", "date"], model="negbin"
    )
    alpha = effects.parameters["dispersion"]
    formula = "crimes ~ C(arm, Treatment('control')) + C(hotspot_id) + C(date)"
    groups = {"groups": panel["hotspot_id"]}
    glm = smf.glm(formula, panel, family=sm.families.NegativeBinomial(alpha=alpha)).fit(
        cov_type="cluster", cov_kwds=groups, tol=1e-12
    )
    names = [f"C(arm, Treatment('control'))[T.{a}]" for a in ("patrol", "patrol_pop")]
    table = effects.to_frame()
    assert table["estimate"].iloc[:2].to_numpy() == pytest.approx(
        glm.params[names].to_numpy(), abs=1e-7
    )
    assert table["std_error"].iloc[:2].to_numpy() == pytest.approx(
        glm.bse[names].to_numpy(), rel=1e-6
    )
    ml = smf.negativebinomial(formula, panel).fit(disp=0, maxiter=500)
    assert alpha == pytest.approx(ml.params["alpha"], rel=1e-4)
    # joint ML (statsmodels' BFGS stops at ~1e-4 of the optimum with 55 parameters)
    assert table["estimate"].iloc[:2].to_numpy() == pytest.approx(
        ml.params[names].to_numpy(), abs=1e-4
    )
    poisson = hs.estimate_arms(panel, outcome="crimes", fixed_effects=["hotspot_id", "date"])
    assert "dispersion" not in poisson.parameters
