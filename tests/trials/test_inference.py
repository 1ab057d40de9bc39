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
    assert test.ci_low < test.irr < test.ci_high
    assert 0.5 < test.irr < 0.8
    none = hs.randomization_test(
        panel, outcome="noise", assignment=plan, n_permutations=2_000, rng=1
    )
    assert none.p_value > 0.01
    assert none.ci_low < 1 < none.ci_high


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
    with pytest.raises(ValueError, match="not units of the assignment"):
        hs.randomization_test(panel.assign(hotspot_id=99), outcome="crimes", assignment=plan)
    with pytest.raises(ValueError, match="at least 19"):
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
    with pytest.raises(ValueError, match="finite and >= 0"):
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
    table = hs.estimate_effects(panel, outcomes=["crimes", "noise"], adjust="holm")
    frame = table.to_frame()
    assert list(frame.index) == ["crimes", "noise"]
    expected = multipletests(frame["p_value"], method="holm")[1]
    np.testing.assert_allclose(frame["p_adjusted"], expected)
    assert "p_adjusted" in str(table.summary())
    assert table.plot() is not None
    with pytest.raises(ValueError, match="repeats"):
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
