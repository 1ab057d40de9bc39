import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.sandbox.regression.gmm import IV2SLS
from statsmodels.stats.multitest import multipletests

import hotspotlib as hs


@pytest.fixture(scope="module")
def trial():
    plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(8)
    place = rng.lognormal(0, 0.6, 20)
    panel["visited"] = (panel["treated"] == 1) & (rng.random(len(panel)) < 0.9)
    panel["visited"] = panel["visited"].astype(int)
    mu = place[panel["hotspot_id"]] * np.where(panel["visited"] == 1, 0.6, 1.0)
    panel["crimes"] = rng.poisson(mu)
    panel["noise"] = rng.poisson(place[panel["hotspot_id"]])
    return plan, panel


def test_exact_enumeration_of_a_tiny_design():
    # 6 places, 3 treated: all 20 allocations equally likely; compare with the full enumeration.
    allocation = hs.assign_places(range(6), rng=4)
    y = pd.DataFrame({"crimes": [1.0, 5.0, 2.0, 8.0, 3.0, 9.0]})
    test = hs.randomization_test(
        y,
        outcome="crimes",
        assignment=allocation,
        n_permutations=20_000,
        statistic="mean_difference",
        confidence=None,
        rng=1,
    )
    z_obs = allocation.treated
    obs = y["crimes"][z_obs].mean() - y["crimes"][~z_obs].mean()
    stats = []
    for chosen in itertools.combinations(range(6), 3):
        z = np.isin(np.arange(6), chosen)
        stats.append(y["crimes"][z].mean() - y["crimes"][~z].mean())
    exact = np.mean(np.abs(stats) >= abs(obs) - 1e-9)
    assert test.observed == pytest.approx(obs)
    assert test.p_value == pytest.approx(exact, abs=0.01)


def test_planted_effect_detected_and_ci(trial):
    plan, panel = trial
    test = hs.randomization_test(
        panel, outcome="crimes", assignment=plan, n_permutations=2_000, rng=5
    )
    assert test.statistic == "fixed_effects"
    assert test.p_value == pytest.approx(1 / 2_001)
    assert test.irr_ci_low < test.irr < test.irr_ci_high
    assert 0.5 < test.irr < 0.8
    none = hs.randomization_test(
        panel, outcome="noise", assignment=plan, n_permutations=2_000, rng=1
    )
    assert none.p_value > 0.01
    assert none.irr_ci_low < 1 < none.irr_ci_high


def test_fixed_effects_statistic_is_the_ols_coefficient(trial):
    plan, panel = trial
    test = hs.randomization_test(
        panel,
        outcome="crimes",
        assignment=plan,
        n_permutations=19,
        statistic="fixed_effects",
        confidence=None,
        rng=1,
    )
    x = np.column_stack(
        [
            panel["treated"],
            pd.get_dummies(panel["hotspot_id"], drop_first=True, dtype=float),
            pd.get_dummies(panel["date"], drop_first=True, dtype=float),
        ]
    )
    fit = sm.OLS(panel["crimes"].to_numpy(float), sm.add_constant(x)).fit()
    assert test.observed == pytest.approx(fit.params[1], rel=1e-4)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), b=st.integers(19, 200))
def test_p_value_bounds(seed, b):
    allocation = hs.assign_places(range(10), rng=seed)
    y = pd.DataFrame({"y": np.random.default_rng(seed).poisson(3, 10) + 1})
    test = hs.randomization_test(
        y, outcome="y", assignment=allocation, n_permutations=b, confidence=None, rng=seed
    )
    assert 1 / (b + 1) <= test.p_value <= 1


def test_same_rng_same_result_and_statistics(trial):
    plan, panel = trial
    a = hs.randomization_test(
        panel,
        outcome="crimes",
        assignment=plan,
        n_permutations=500,
        statistic="log_ratio",
        confidence=None,
        rng=3,
    )
    b = hs.randomization_test(
        panel,
        outcome="crimes",
        assignment=plan,
        n_permutations=500,
        statistic="log_ratio",
        confidence=None,
        rng=3,
    )
    np.testing.assert_array_equal(a.null_distribution, b.null_distribution)
    ratio = (
        panel.loc[panel.treated == 1, "crimes"].mean()
        / panel.loc[panel.treated == 0, "crimes"].mean()
    )
    assert a.observed == pytest.approx(np.log(ratio), rel=1e-5)

    def median_gap(z, y):
        return (z @ y) / z.sum(axis=1)

    custom = hs.randomization_test(
        panel,
        outcome="crimes",
        assignment=plan,
        n_permutations=200,
        statistic=median_gap,
        confidence=None,
        rng=3,
        progress=True,
    )
    assert custom.statistic == "median_gap"
    assert custom.to_frame().shape == (1, 6)
    assert "two-sided" in str(custom.summary())
    assert custom.plot() is not None


def test_blocked_places_use_within_block_statistic():
    labels = np.repeat([0, 1, 2], 8)
    allocation = hs.assign_places(range(24), design="block", blocks=labels, rng=2)
    y = pd.DataFrame({"y": 10 * labels + np.random.default_rng(1).poisson(2, 24)})
    test = hs.randomization_test(y, outcome="y", assignment=allocation, n_permutations=999, rng=1)
    assert test.statistic == "fixed_effects"
    redrawn = allocation.redraw(5, rng=1)
    assert (redrawn[:, labels == 0].sum(axis=1) == 4).all()


def test_randomization_test_errors(trial):
    plan, panel = trial
    with pytest.raises(ValueError, match="exactly once"):
        hs.randomization_test(panel.iloc[:-1], outcome="crimes", assignment=plan)
    with pytest.raises(ValueError, match="not among the units of .assignment"):
        hs.randomization_test(panel.assign(hotspot_id=99), outcome="crimes", assignment=plan)
    with pytest.raises(ValueError, match=">= 19"):
        hs.randomization_test(panel, outcome="crimes", assignment=plan, n_permutations=5)
    with pytest.raises(ValueError, match="`statistic` must be one of"):
        hs.randomization_test(panel, outcome="crimes", assignment=plan, statistic="median")
    with pytest.raises(ValueError, match="zero in every row"):
        hs.randomization_test(panel.assign(crimes=0), outcome="crimes", assignment=plan)
    with pytest.raises(TypeError, match="assign_days or assign_places"):
        hs.randomization_test(panel, outcome="crimes", assignment=panel)


def test_cace_matches_two_stage_least_squares(trial):
    plan, panel = trial
    effect = hs.cace(panel, outcome="crimes", delivered="visited")
    dummies = np.column_stack(
        [
            np.ones(len(panel)),
            pd.get_dummies(panel["hotspot_id"], drop_first=True, dtype=float),
            pd.get_dummies(panel["date"], drop_first=True, dtype=float),
        ]
    )
    x = np.column_stack([panel["visited"], dummies])
    instruments = np.column_stack([panel["treated"], dummies])
    oracle = IV2SLS(panel["crimes"].to_numpy(float), x, instruments).fit()
    assert effect.cace == pytest.approx(oracle.params[0], rel=1e-6)
    itt = sm.OLS(panel["crimes"].to_numpy(float), np.column_stack([panel["treated"], dummies])).fit(
        cov_type="cluster", cov_kwds={"groups": panel["hotspot_id"]}
    )
    assert effect.itt == pytest.approx(itt.params[0], rel=1e-6)
    assert effect.table.loc["itt", "std_error"] == pytest.approx(itt.bse[0], rel=1e-6)
    assert effect.delivered_treated == pytest.approx(0.9, abs=0.03)
    assert effect.first_stage_f > 100
    assert "exclusion restriction" in str(effect.summary())


def test_cace_equals_itt_with_full_compliance(trial):
    _, panel = trial
    effect = hs.cace(panel, outcome="crimes", delivered="treated")
    assert effect.cace == pytest.approx(effect.itt)
    assert effect.table.loc["cace", "std_error"] == pytest.approx(
        effect.table.loc["itt", "std_error"]
    )


def test_cace_with_minutes_and_errors(trial):
    _, panel = trial
    minutes = panel.assign(minutes=panel["visited"] * 15.0)
    per_minute = hs.cace(minutes, outcome="crimes", delivered="minutes")
    per_visit = hs.cace(minutes, outcome="crimes", delivered="visited")
    assert per_minute.cace * 15 == pytest.approx(per_visit.cace)
    with pytest.raises(ValueError, match="not identified"):
        hs.cace(minutes.assign(minutes=1.0), outcome="crimes", delivered="minutes")
    with pytest.raises(ValueError, match="first stage is zero: the dose is always 0"):
        hs.cace(minutes.assign(minutes=0.0), outcome="crimes", delivered="minutes")
    # a dose that differs between places and days but not between arms
    same = minutes.assign(minutes=minutes["hotspot_id"] + 0.5 * (minutes["date"].dt.day % 3))
    with pytest.raises(ValueError, match="not identified"):
        hs.cace(same, outcome="crimes", delivered="minutes")
    with pytest.raises(ValueError, match="must hold finite numbers >= 0"):
        hs.cace(minutes.assign(minutes=-1.0), outcome="crimes", delivered="minutes")
    with pytest.raises(ValueError, match="missing column"):
        hs.cace(minutes, outcome="crimes", delivered="gps")


@pytest.mark.parametrize("method", ["holm", "fdr_bh", "bonferroni"])
def test_adjust_pvalues_matches_statsmodels(method):
    p = np.random.default_rng(2).uniform(0, 0.2, 12)
    expected = multipletests(p, method=method)[1]
    np.testing.assert_allclose(hs.adjust_pvalues(p, method=method), expected)


def test_adjust_pvalues_errors_and_none():
    np.testing.assert_array_equal(hs.adjust_pvalues([0.2, 0.01], method="none"), [0.2, 0.01])
    with pytest.raises(ValueError, match="in \\[0, 1\\]"):
        hs.adjust_pvalues([0.5, 1.5])
    with pytest.raises(ValueError, match="`method` must be one of"):
        hs.adjust_pvalues([0.5], method="sidak")
    with pytest.raises(ValueError, match="empty"):
        hs.adjust_pvalues([])


def test_estimate_effects(trial):
    _, panel = trial
    table = hs.estimate_effects(panel, outcomes=["crimes", "noise"], p_adjust="holm")
    frame = table.to_frame()
    assert list(frame.index) == ["crimes", "noise"]
    expected = multipletests(frame["p_value"], method="holm")[1]
    np.testing.assert_allclose(frame["p_adjusted"], expected)
    assert "p_adjusted" in str(table.summary())
    assert table.plot() is not None
    with pytest.raises(ValueError, match="repeated columns"):
        hs.estimate_effects(panel, outcomes=["crimes", "crimes"])
    with pytest.raises(ValueError, match="empty"):
        hs.estimate_effects(panel, outcomes=[])


def test_inputs_not_mutated_and_results_pickle(trial):
    import pickle

    plan, panel = trial
    before = panel.copy()
    hs.randomization_test(panel, outcome="crimes", assignment=plan, n_permutations=50, rng=2)
    hs.cace(panel, outcome="crimes", delivered="visited")
    pd.testing.assert_frame_equal(panel, before)
    counts = np.array([[20.0, 10.0], [5.0, 2.0]])
    copy = counts.copy()
    hs.wdd(target=counts, control=counts + 1, harm_weights=np.array([1.0, 2.0]))
    hs.meta_analysis(counts[:, 0], variances=counts[:, 1])
    np.testing.assert_array_equal(counts, copy)
    again = pickle.loads(pickle.dumps(plan))
    np.testing.assert_array_equal(again.treated, plan.treated)
    assert again.audit == plan.audit


def _integer_p(z_obs, draws, y):
    """Exact two-sided p of the mean difference for whole-number outcomes (integer maths)."""
    y = np.asarray(y, dtype=np.int64)
    n_t = int(z_obs.sum())
    n_c = z_obs.size - n_t
    total = int(y.sum())

    def scaled(treated_sum):  # (mean_T - mean_C) * n_T * n_C, an exact integer
        return np.abs(treated_sum * n_c - (total - treated_sum) * n_t)

    observed = scaled(int(y[z_obs].sum()))
    null = scaled(draws.astype(np.int64) @ y)
    return (1 + int(np.sum(null >= observed))) / (len(draws) + 1)


@pytest.mark.parametrize("seed", range(12))
def test_tied_outcomes_count_as_extreme_exactly(seed):
    # Mostly-zero harm: many re-draws give exactly the observed difference. The p-value
    # must equal the integer-arithmetic count over the very same re-draws.
    allocation = hs.assign_places([f"p{i}" for i in range(20)], rng=seed)
    rng = np.random.default_rng(1000 + seed)
    harm = np.zeros(20, dtype=np.int64)
    # large whole numbers (e.g. harm in sentence days): exact in float64, not in float32
    harm[rng.choice(20, 4, replace=False)] = rng.integers(10**7, 10**8, 4)
    panel = pd.DataFrame({"harm": harm}, index=allocation.place_ids)
    test = hs.randomization_test(
        panel,
        outcome="harm",
        assignment=allocation,
        n_permutations=999,
        statistic="mean_difference",
        confidence=None,
        rng=seed + 7,
    )
    draws = allocation.redraw(999, rng=seed + 7)
    assert test.p_value == pytest.approx(_integer_p(allocation.treated, draws, harm), abs=1e-12)


def test_exact_enumeration_with_tied_outcomes():
    # 8 places, 4 treated, outcomes with many ties: all 70 allocations enumerated with
    # integer arithmetic. The Monte Carlo p must match the enumeration within 4 SE,
    # and match the same re-draws counted exactly to 1e-12.
    allocation = hs.assign_places(range(8), rng=5)
    z_obs = allocation.treated
    y = np.zeros(8, dtype=np.int64)
    y[~z_obs], y[z_obs] = [3, 6, 3, 0], [0, 3, 0, 0]  # |differences| take 3 values only
    # Passed as tenths (0.3, 0.6 are not exact in binary: equal sums may round apart),
    # counted with the whole numbers 3, 6 (same ordering of the differences).
    every = np.array([np.isin(np.arange(8), c) for c in itertools.combinations(range(8), 4)])
    # share of the 70 allocations (the actual one among them) at least as extreme
    exact = (_integer_p(z_obs, every, y) * 71 - 1) / 70
    test = hs.randomization_test(
        pd.DataFrame({"y": y / 10}),
        outcome="y",
        assignment=allocation,
        n_permutations=20_000,
        statistic="mean_difference",
        confidence=None,
        rng=11,
    )
    generator = np.random.default_rng(11)  # the re-draws come in chunks of 2,000
    draws = np.concatenate([allocation.redraw(2_000, rng=generator) for _ in range(10)])
    assert test.p_value == pytest.approx(_integer_p(z_obs, draws, y), abs=1e-12)
    assert exact == pytest.approx(26 / 70)
    assert abs(test.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 20_000)


def test_rerandomised_design_matches_enumeration_of_accepted_allocations():
    # 10 places, 5 treated, re-randomised until |std diff| of x <= 0.15: only 40 of the
    # 252 allocations pass. The null must come from those 40 (exact p = 8/40), not
    # from all 252 (exact p = 0.76).
    x = np.arange(1.0, 11.0)
    allocation = hs.assign_places(range(10), rerandomize=x[:, None], balance_threshold=0.15, rng=3)
    z_obs = allocation.treated
    y = 3 * x.astype(np.int64) + np.array([0, 2, 1, 0, 3, 1, 0, 2, 1, 0]) - 4 * z_obs
    every = np.array([np.isin(np.arange(10), c) for c in itertools.combinations(range(10), 5)])
    t, c = np.where(every, x, np.nan), np.where(~every, x, np.nan)
    d = (np.nanmean(t, 1) - np.nanmean(c, 1)) / np.sqrt(
        (np.nanvar(t, 1, ddof=1) + np.nanvar(c, 1, ddof=1)) / 2
    )
    accepted = every[np.abs(d) <= 0.15]
    assert len(accepted) == 40
    exact = (_integer_p(z_obs, accepted, y) * 41 - 1) / 40
    assert exact == pytest.approx(0.2)
    assert (_integer_p(z_obs, every, y) * 253 - 1) / 252 == pytest.approx(0.7619, abs=1e-4)
    test = hs.randomization_test(
        pd.DataFrame({"y": y}),
        outcome="y",
        assignment=allocation,
        n_permutations=4_000,
        statistic="mean_difference",
        confidence=None,
        rng=9,
    )
    generator = np.random.default_rng(9)
    draws = np.concatenate([allocation.redraw(2_000, rng=generator) for _ in range(2)])
    assert test.p_value == pytest.approx(_integer_p(z_obs, draws, y), abs=1e-12)
    assert abs(test.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / 4_000)


def test_max_consecutive_control_design_redraws_under_the_rule():
    plan = hs.assign_days(
        range(6), start="2021-03-01", days=30, treated_per_day=2, max_consecutive_control=3, rng=2
    )
    panel = plan.to_frame()
    rng = np.random.default_rng(4)
    panel["crimes"] = rng.poisson(np.where(panel["treated"] == 1, 1.0, 1.6))
    test = hs.randomization_test(
        panel,
        outcome="crimes",
        assignment=plan,
        n_permutations=999,
        statistic="mean_difference",
        confidence=None,
        rng=5,
    )
    draws = plan.redraw(999, rng=np.random.default_rng(5))
    runs = np.zeros(draws.shape[:2], dtype=np.int64)
    longest = np.zeros_like(runs)
    for day in range(30):  # the rule holds in every re-draw
        runs = np.where(draws[:, :, day], 0, runs + 1)
        longest = np.maximum(longest, runs)
    assert longest.max() <= 3
    expected = _integer_p(plan.treated.ravel(), draws.reshape(999, -1), panel["crimes"])
    assert test.p_value == pytest.approx(expected, abs=1e-12)
    assert test.parameters["seed"] == 5


def test_unseeded_test_records_its_seed_and_reproduces():
    allocation = hs.assign_places(range(12), rng=1)
    panel = pd.DataFrame({"y": np.arange(12.0)})
    first = hs.randomization_test(
        panel, outcome="y", assignment=allocation, n_permutations=99, confidence=None
    )
    seed = first.parameters["seed"]
    assert isinstance(seed, int)
    again = hs.randomization_test(
        panel, outcome="y", assignment=allocation, n_permutations=99, confidence=None, rng=seed
    )
    np.testing.assert_array_equal(first.null_distribution, again.null_distribution)


def test_reusing_the_allocation_seed_counts_the_repeated_allocation():
    # With the allocation's own seed the first re-draw is the actual schedule: it ties
    # the observed statistic exactly and must be counted, so p >= 2/20 whatever the data.
    for seed in range(10):
        plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=seed)
        panel = plan.to_frame()
        rng = np.random.default_rng(seed + 100)
        panel["harm"] = rng.gamma(0.3, 300.0, len(panel)) * (rng.random(len(panel)) < 0.3)
        for statistic in ("fixed_effects", "log_ratio"):
            test = hs.randomization_test(
                panel,
                outcome="harm",
                assignment=plan,
                n_permutations=19,
                statistic=statistic,
                confidence=None,
                rng=seed,
            )
            assert (plan.redraw(1, rng=seed)[0] == plan.treated).all()
            assert test.null_distribution[0] == pytest.approx(test.observed, rel=1e-12)
            assert test.p_value >= 2 / 20 - 1e-12, (seed, statistic)
