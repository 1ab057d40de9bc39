"""Multi-arm trials: assignment, effects against planted truth, POP steps, power."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.multitest import multipletests

import hotspotlib as hs

TRUTH = {"control": 1.0, "patrol": 0.8, "patrol_pop": 0.6}


def _three_arm_panel(n_places=300, weeks=8, seed=3):
    """Repeated weekly counts per place; place heterogeneity gamma (k = 0.3)."""
    plan = hs.assign_arms(range(n_places), rng=seed)
    rng = np.random.default_rng(seed)
    base = 1.5 * rng.gamma(1 / 0.3, 0.3, n_places)
    frame = plan.to_frame().reset_index()
    panel = frame.loc[frame.index.repeat(weeks)].reset_index(drop=True)
    panel["week"] = np.tile(np.arange(weeks), n_places)
    rate = base[panel["hotspot_id"]] * panel["arm"].map(TRUTH).to_numpy()
    panel["crimes"] = rng.poisson(rate)
    return plan, panel


def test_assign_arms_exact_per_block_and_reproducible():
    blocks = np.arange(31) % 3
    plan = hs.assign_arms(range(31), design="block", blocks=blocks, rng=2)
    again = hs.assign_arms(range(31), design="block", blocks=blocks, rng=2)
    assert np.array_equal(plan.arm_codes, again.arm_codes)
    assert plan.audit["seed"] == 2
    for draw in [plan.arm_codes, *plan.redraw(20, rng=1)]:
        for b in range(3):
            counts = np.bincount(draw[blocks == b], minlength=3)
            assert counts.tolist() == plan.n_per_block[b].tolist()
    assert plan.n_per_block.sum() == 31
    # leftovers go to the arms furthest below target: totals 11, 10, 10, not 12, 10, 9
    assert plan.n_per_block.sum(axis=0).tolist() == [11, 10, 10]
    three_blocks_of_seven = hs.assign_arms(range(21), design="block", blocks=np.arange(21) % 3)
    assert three_blocks_of_seven.n_per_block.sum(axis=0).tolist() == [7, 7, 7]


def test_assign_arms_shares_and_redraw_uniform():
    plan = hs.assign_arms(range(40), arms=("c", "a", "b", "d"), shares=[2, 1, 1, 0.5], rng=1)
    assert plan.n_per_block[0].tolist() == [18, 9, 9, 4]
    draws = plan.redraw(4000, rng=5)
    share_control = (draws == 0).mean(axis=0)
    assert np.allclose(share_control, 18 / 40, atol=0.04)


def test_three_arm_planted_truth_and_holm_matches_statsmodels():
    _, panel = _three_arm_panel()
    effects = hs.estimate_arms(panel, outcome="crimes", fixed_effects="week")
    table = effects.to_frame()
    truth = {
        "patrol vs control": 0.8,
        "patrol_pop vs control": 0.6,
        "patrol_pop vs patrol": 0.6 / 0.8,
    }
    for name, irr in truth.items():
        assert table.loc[name, "irr_ci_low"] < irr < table.loc[name, "irr_ci_high"], name
    raw = table["p_value"].to_numpy()
    assert np.allclose(table["p_adjusted"], multipletests(raw, method="holm")[1])
    assert effects.counts["n_clusters"] == 300


def test_contrasts_equal_statsmodels_dummy_model():
    _, panel = _three_arm_panel(n_places=90, weeks=4, seed=8)
    effects = hs.estimate_arms(panel, outcome="crimes").to_frame()
    x = pd.get_dummies(panel["arm"], drop_first=True, dtype=float)
    x.insert(0, "const", 1.0)
    groups = panel["hotspot_id"].to_numpy()
    fit = sm.GLM(panel["crimes"], x, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert effects.loc["patrol vs control", "estimate"] == pytest.approx(fit.params["patrol"])
    assert effects.loc["patrol vs control", "std_error"] == pytest.approx(fit.bse["patrol"])
    contrast = np.array([0, -1, 1])
    se = np.sqrt(contrast @ fit.cov_params().to_numpy() @ contrast)
    assert effects.loc["patrol_pop vs patrol", "std_error"] == pytest.approx(se)


def test_dunnett_between_raw_and_bonferroni():
    _, panel = _three_arm_panel(n_places=60, weeks=4, seed=4)
    dunnett = hs.estimate_arms(panel, outcome="crimes", comparisons="control", p_adjust="dunnett")
    table = dunnett.to_frame()
    raw = table["p_value"].to_numpy()
    assert np.all(table["p_adjusted"] >= raw - 1e-9)
    assert np.all(table["p_adjusted"] <= np.minimum(2 * raw, 1) + 1e-6)
    wald = hs.estimate_arms(panel, outcome="crimes", comparisons="control", p_adjust="none")
    assert np.all(table["ci_high"] - table["ci_low"] > wald.table["ci_high"] - wald.table["ci_low"])


def test_dunnett_refused_for_all_pairs():
    _, panel = _three_arm_panel(n_places=30, weeks=2)
    with pytest.raises(ValueError, match="p_adjust"):
        hs.estimate_arms(panel, outcome="crimes", p_adjust="dunnett")


def test_pop_step_with_patrol_days_in_model():
    """Daily patrol (crossover) and POP switched on at staggered dates: both recovered."""
    rng = np.random.default_rng(11)
    n_places, days = 60, 120
    dates = pd.date_range("2024-01-01", periods=days)
    panel = pd.DataFrame(
        {"hotspot_id": np.repeat(np.arange(n_places), days), "date": np.tile(dates, n_places)}
    )
    panel["patrol"] = (rng.random(len(panel)) < 0.4).astype(int)
    starts = {p: dates[rng.integers(20, 100)] for p in range(0, n_places, 2)}
    panel["pop"] = hs.step_treatment(panel, starts)
    base = rng.gamma(2.0, 0.5, n_places)[panel["hotspot_id"]]
    rate = base * 0.8 ** panel["patrol"] * 0.7 ** panel["pop"]
    panel["crimes"] = rng.poisson(rate)
    effects = hs.estimate_arms(
        panel,
        outcome="crimes",
        arm="pop",
        control=0,
        covariates="patrol",
        fixed_effects=["hotspot_id", "date"],
    )
    table = effects.to_frame()
    assert list(table.index) == ["1 vs 0", "patrol"]
    for term, irr in (("1 vs 0", 0.7), ("patrol", 0.8)):
        assert table.loc[term, "irr_ci_low"] < irr < table.loc[term, "irr_ci_high"]
    assert np.isnan(table.loc["patrol", "p_adjusted"])


def test_step_treatment_never_started_and_unsorted():
    panel = pd.DataFrame(
        {
            "hotspot_id": [2, 1, 1, 3],
            "date": pd.to_datetime(["2024-01-05"] * 2 + ["2024-01-01"] * 2),
        }
    )
    step = hs.step_treatment(panel, pd.Series({1: "2024-01-03", 3: None}))
    assert step.tolist() == [0, 1, 0, 0]


def test_balance_table_across_arms_matches_two_arm_table():
    places = pd.DataFrame({"crime_last_year": np.arange(30.0) ** 1.5, "shops": np.arange(30) % 7})
    plan = hs.assign_arms(places, rng=4)
    table = hs.balance_table(plan, places).to_frame()
    codes = plan.arm_codes
    for a, arm in enumerate(plan.arms):
        assert table.loc["shops", f"mean_{arm}"] == pytest.approx(
            places["shops"][codes == a].mean()
        )
    pair = (codes == 2) | (codes == 0)
    two = hs.assign_places(places.loc[pair], rng=1)
    two = type(two)(
        **{
            **{
                f: getattr(two, f)
                for f in ("place_ids", "block", "n_treated_per_block", "design", "treated_share")
            },
            "treated": codes[pair] == 2,
        }
    )
    expected = hs.balance_table(two, places.loc[pair]).to_frame()["std_difference"]
    assert np.allclose(table["std_difference_patrol_pop"], expected)
    worst = table[["std_difference_patrol", "std_difference_patrol_pop"]].abs().max(axis=1)
    assert np.allclose(table["std_difference"].abs(), worst)


@pytest.mark.parametrize("n_places", [45, 47])  # equal and unequal arm sizes
def test_simulated_power_equals_analysis_and_holm(n_places):
    plan = hs.assign_arms(range(n_places), rng=1)
    means = np.linspace(2, 8, n_places)
    sim = hs.simulate_arm_power(
        plan,
        place_means=means,
        irrs={"patrol": 0.7, "patrol_pop": 0.5},
        comparisons="all",
        dispersion=0.2,
        n_simulations=3,
        rng=5,
    )
    # replay the first simulated trial and analyse it with estimate_arms
    generator = np.random.default_rng(5)
    from hotspotlib.trials.arms import draw_arms

    codes = draw_arms(generator, plan.block, plan.n_per_block, 3)
    mean = means * np.array([1.0, 0.7, 0.5])[codes]
    mean = mean * generator.gamma(1 / 0.2, 0.2, mean.shape)
    y = generator.poisson(mean)
    for i in range(3):
        panel = pd.DataFrame({"arm": np.array(plan.arms)[codes[i]], "crimes": y[i]})
        table = hs.estimate_arms(panel, outcome="crimes").to_frame()
        assert np.allclose(sim.p_adjusted[i], table["p_adjusted"])


def test_simulated_power_null_controls_familywise_error():
    plan = hs.assign_arms(range(90), rng=1)
    sim = hs.simulate_arm_power(
        plan, place_means=[3.0] * 90, irrs={}, comparisons="all", n_simulations=2000, rng=3
    )
    assert sim.power_any < 0.05 + 3 * np.sqrt(0.05 * 0.95 / 2000)
    assert np.all(sim.power <= sim.power_unadjusted)
    strong = hs.simulate_arm_power(
        plan,
        place_means=[3.0] * 90,
        irrs={"patrol": 0.6, "patrol_pop": 0.4},
        n_simulations=500,
        rng=3,
    )
    assert strong.power[1] > 0.95 and strong.power_all <= strong.power.min()


def _force_panels(n_forces=18, seed=21, tau=0.15):
    """Three-arm trial per force; true log IRR of patrol varies across forces (sd tau)."""
    rng = np.random.default_rng(seed)
    panels, truth = {}, {}
    for f in range(n_forces):
        log_irr = np.log(0.8) + tau * rng.standard_normal()
        plan = hs.assign_arms(range(60), rng=rng)
        panel = plan.to_frame().reset_index()
        ratio = panel["arm"].map({"control": 1.0, "patrol": np.exp(log_irr), "patrol_pop": 0.6})
        panel["crimes"] = rng.poisson(6.0 * ratio)
        panels[f"force {f + 1:02d}"] = panel
        truth[f"force {f + 1:02d}"] = log_irr
    return panels, truth


def test_evaluate_forces_pools_with_meta_analysis_and_reports_failure():
    panels, _ = _force_panels()
    broken = panels["force 05"].copy()
    broken.loc[broken["arm"] == "patrol", "crimes"] = 0  # no events in one arm
    panels["force 05"] = broken
    result = hs.evaluate_forces(panels, outcome="crimes", comparison=("patrol", "control"))
    assert dict(result.counts) == {"n_forces": 18, "n_pooled": 17, "n_failed": 1}
    assert "force 05" in result.failed and "separation" in result.failed["force 05"]
    assert any("force 05" in note for note in result.notes)
    # the pooled estimate is meta_analysis on the per-force rows
    good = result.table[result.table["status"] == "pooled"]
    direct = hs.meta_analysis(
        good["estimate"].to_numpy(), variances=good["std_error"].to_numpy() ** 2, method="REML"
    )
    assert result.pooled.estimate == pytest.approx(direct.estimate)
    assert result.pooled.tau2 == pytest.approx(direct.tau2)
    assert np.isfinite(result.pooled.prediction_low)
    assert result.pooled.ci_low < np.log(0.8) < result.pooled.ci_high


def test_evaluate_forces_per_force_rows_equal_the_analysis():
    panels, _ = _force_panels(n_forces=3)
    result = hs.evaluate_forces(panels, outcome="crimes", comparison=("patrol_pop", "control"))
    one = hs.estimate_arms(panels["force 02"], outcome="crimes").table
    assert result.table.loc["force 02", "estimate"] == pytest.approx(
        one.loc["patrol_pop vs control", "estimate"]
    )


def test_evaluate_forces_bad_arguments_still_raise():
    panels, _ = _force_panels(n_forces=3)
    with pytest.raises(ValueError, match="no_such"):
        hs.evaluate_forces(panels, outcome="no_such", comparison=("patrol", "control"))


def test_evaluate_forces_forest_plot(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    panels, _ = _force_panels()
    result = hs.evaluate_forces(panels, outcome="crimes", comparison=("patrol", "control"))
    axes = result.plot()
    axes.figure.savefig(tmp_path / "forest.png", dpi=80)
    assert len(axes.get_yticklabels()) == 19


def test_dunnett_critical_value_matches_published_table():
    """Two treatments vs control, equal arms (correlation 1/2), infinite df, two-sided
    95%: 2.21 (Dunnett 1955, Table 2a; Dunnett 1964 gives 2.212)."""
    from scipy import optimize

    from hotspotlib._multiple_testing import max_abs_exceedance

    correlation = np.array([[1.0, 0.5], [0.5, 1.0]])
    crit = optimize.brentq(lambda c: max_abs_exceedance(c, correlation) - 0.05, 1, 4)
    assert crit == pytest.approx(2.212, abs=2e-3)


def test_no_events_in_one_arm_suggests_only_what_estimate_arms_offers() -> None:
    frame = hs.assign_arms(range(30), rng=1).to_frame().reset_index()
    counts = np.random.default_rng(0).poisson(3, len(frame))
    frame["crimes"] = np.where(frame["arm"] == "patrol", 0, counts)
    with pytest.raises(ValueError, match=r"randomization_test \(valid under the sharp null\)\.$"):
        hs.estimate_arms(frame, outcome="crimes")
