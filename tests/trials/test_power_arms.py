"""Closed-form power with several arms: two arms unchanged, Dunnett table, simulation."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import hotspotlib as hs

BASE = {"control_rate": 5.0, "irr": 0.75, "dispersion": 0.2}


@pytest.mark.parametrize("design", ["parallel", "block", "crossover"])
def test_two_arms_unchanged_by_the_new_options(design):
    default = hs.sample_size(**BASE, design=design)
    for p_adjust in ("bonferroni", "dunnett", None):
        other = hs.sample_size(**BASE, design=design, n_arms=2, p_adjust=p_adjust)
        assert other.n == default.n and other.std_error == default.std_error
        assert other.counts == default.counts
    if design != "crossover":  # sqrt(1) = 1: the square-root rule is equal allocation
        assert hs.sample_size(**BASE, design=design, allocation="square_root").n == default.n
    mde = hs.minimum_detectable_effect(n=200, control_rate=2.0, design=design)
    assert (
        hs.minimum_detectable_effect(
            n=200, control_rate=2.0, design=design, n_arms=2, p_adjust="dunnett"
        ).irr
        == mde.irr
    )


def test_dunnett_critical_value_matches_published_table():
    # Dunnett (1955, 1964): two treatments vs one control, equal arms, two-sided 5%,
    # infinite degrees of freedom: 2.21 (2.212 to three decimals).
    result = hs.sample_size(control_rate=0.5, irr=0.8, n_arms=3, p_adjust="dunnett")
    assert result.parameters["critical_value"] == pytest.approx(2.212, abs=5e-4)
    four = hs.sample_size(control_rate=0.5, irr=0.8, n_arms=4, p_adjust="dunnett")
    assert four.parameters["critical_value"] == pytest.approx(2.349, abs=5e-4)  # 3 vs control
    bonferroni = hs.sample_size(control_rate=0.5, irr=0.8, n_arms=3)
    assert bonferroni.parameters["critical_value"] == pytest.approx(stats.norm.ppf(1 - 0.0125))
    assert result.n < bonferroni.n  # Dunnett uses the correlation Bonferroni ignores


def test_square_root_rule_minimises_total_places():
    equal = hs.sample_size(**BASE, n_arms=4, p_adjust=None)
    root = hs.sample_size(**BASE, n_arms=4, p_adjust=None, allocation="square_root")
    assert root.n_control == pytest.approx(np.sqrt(3) * root.n)
    assert root.n_total < equal.n_total
    # brute force over the control ratio: the square-root rule is the optimum (Poisson
    # and equal variances per arm at the null)
    null = {**BASE, "irr": 0.999999}
    ratios = np.linspace(0.5, 3.5, 301)
    totals = []
    for share in 1 / (ratios + 3):
        fixed = hs.sample_size(
            **null, n_arms=4, p_adjust=None, design="crossover", treated_share=share
        )
        totals.append(fixed.n)
    assert ratios[int(np.argmin(totals))] == pytest.approx(np.sqrt(3), abs=0.011)


@pytest.mark.parametrize("allocation", ["equal", "square_root"])
def test_closed_form_agrees_with_simulated_power(allocation):
    plan_n = hs.sample_size(**BASE, n_arms=3, allocation=allocation)  # Bonferroni, 80%
    per_arm = int(np.ceil(plan_n.n))
    n_control = int(round(plan_n.n_control / plan_n.n * per_arm))
    shares = [n_control, per_arm, per_arm]
    plan = hs.assign_arms(range(sum(shares)), shares=shares, rng=1)
    assert plan.n_per_block[0].tolist() == shares
    sim = hs.simulate_arm_power(
        plan,
        place_means=np.full(sum(shares), BASE["control_rate"]),
        irrs={"patrol": BASE["irr"], "patrol_pop": BASE["irr"]},
        dispersion=BASE["dispersion"],
        p_adjust="bonferroni",
        n_simulations=4000,
        rng=7,
    )
    se = plan_n.std_error * np.sqrt(plan_n.n / per_arm)
    closed = stats.norm.cdf(abs(np.log(BASE["irr"])) / se - plan_n.parameters["critical_value"])
    mc_se = np.sqrt(closed * (1 - closed) / (2 * 4000))
    assert sim.power.mean() == pytest.approx(closed, abs=4 * mc_se + 0.01)


def test_crossover_with_three_arms_uses_each_arms_share():
    three = hs.sample_size(
        control_rate=0.1,
        irr=0.8,
        dispersion=1.0,
        design="crossover",
        n_arms=3,
        p_adjust=None,
        n_places=21,
    )
    assert three.parameters["treated_share"] == pytest.approx(1 / 3)
    # Var = (1/mu + k)/p0 + (1/(mu IRR) + k)/p1 per place-day, each arm at its own rate
    per_day = (10 + 1) * 3 + (10 / 0.8 + 1) * 3
    expected = (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) ** 2 * per_day / np.log(0.8) ** 2
    assert three.n == pytest.approx(expected)
    assert three.days == pytest.approx(expected / 21)
    assert three.counts["n_control"] == pytest.approx(expected / 3)


def test_simulated_dunnett_power_agrees_with_closed_form():
    plan_n = hs.sample_size(**BASE, n_arms=3, p_adjust="dunnett")  # 80% per comparison
    per_arm = int(np.ceil(plan_n.n))
    plan = hs.assign_arms(range(3 * per_arm), rng=4)
    n_sim = 3000
    sim = hs.simulate_arm_power(
        plan,
        place_means=np.full(3 * per_arm, BASE["control_rate"]),
        irrs={"patrol": BASE["irr"], "patrol_pop": BASE["irr"]},
        dispersion=BASE["dispersion"],
        p_adjust="dunnett",
        n_simulations=n_sim,
        rng=11,
    )
    assert sim.parameters["p_adjust"] == "dunnett"
    se = plan_n.std_error * np.sqrt(plan_n.n / per_arm)
    crit = plan_n.parameters["critical_value"]
    assert crit == pytest.approx(2.212, abs=0.002)  # Dunnett (1955), two arms, df = inf
    closed = stats.norm.cdf(abs(np.log(BASE["irr"])) / se - crit)
    mc_se = np.sqrt(closed * (1 - closed) / (2 * n_sim))
    assert sim.power.mean() == pytest.approx(closed, abs=4 * mc_se + 0.01)
    # less conservative than Bonferroni on the same simulated trials, at most unadjusted
    bonferroni = hs.simulate_arm_power(
        plan,
        place_means=np.full(3 * per_arm, BASE["control_rate"]),
        irrs={"patrol": BASE["irr"], "patrol_pop": BASE["irr"]},
        dispersion=BASE["dispersion"],
        p_adjust="bonferroni",
        n_simulations=n_sim,
        rng=11,
    )
    assert np.all(sim.power >= bonferroni.power)
    assert np.all(sim.power <= sim.power_unadjusted)
    assert np.nanmax(sim.p_adjusted - bonferroni.p_adjusted) <= 1e-3


def test_simulated_dunnett_replays_through_estimate_arms():
    plan = hs.assign_arms(range(45), arms=("control", "patrol", "patrol_pop", "pop"), rng=2)
    means = np.random.default_rng(0).uniform(2, 8, 45)
    ratios = {"patrol": 0.8, "patrol_pop": 0.6, "pop": 0.9}
    sim = hs.simulate_arm_power(
        plan,
        place_means=means,
        irrs=ratios,
        dispersion=0.3,
        p_adjust="dunnett",
        n_simulations=4,
        rng=9,
    )
    generator = np.random.default_rng(9)
    from hotspotlib.trials.arms import draw_arms

    # scipy < 1.15 cannot seed the numerical integration behind Dunnett's p-values: two
    # calls then agree only to its absolute error bound (abseps, 1e-5 by default)
    seeded = "rng" in inspect.signature(stats.multivariate_normal(mean=[0.0, 0.0]).cdf).parameters
    tolerance = {"rtol": 1e-6, "atol": 1e-9} if seeded else {"rtol": 0.0, "atol": 2e-5}

    codes = draw_arms(generator, plan.block, plan.n_per_block, 4)
    mean = means * np.array([1.0, 0.8, 0.6, 0.9])[codes]
    mean = mean * generator.gamma(1 / 0.3, 0.3, mean.shape)
    y = generator.poisson(mean)
    for i in range(4):
        panel = pd.DataFrame({"arm": np.array(plan.arms)[codes[i]], "crimes": y[i]})
        table = hs.estimate_arms(
            panel, outcome="crimes", comparisons="control", p_adjust="dunnett"
        ).to_frame()
        assert list(table.index) == list(sim.comparisons)
        assert np.allclose(sim.p_adjusted[i], table["p_adjusted"], **tolerance)


def test_simulated_dunnett_has_familywise_error_alpha_under_the_null():
    plan = hs.assign_arms(range(150), rng=6)
    n_sim = 3000
    null = hs.simulate_arm_power(
        plan,
        place_means=np.full(150, 4.0),
        irrs={},
        p_adjust="dunnett",
        n_simulations=n_sim,
        rng=8,
    )
    # single-step max-|z| spends exactly alpha on the family (Bonferroni would spend less)
    assert null.power_any == pytest.approx(0.05, abs=3 * np.sqrt(0.05 * 0.95 / n_sim))
    assert null.counts["n_undefined"] == 0
