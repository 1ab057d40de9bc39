import numpy as np
import pytest
from scipy import optimize
from statsmodels.stats.meta_analysis import combine_effects

import hotspotlib as hs

EFFECTS = np.array([0.12, 0.35, -0.05, 0.41, 0.2, 0.02, 0.3])
VARIANCES = np.array([0.01, 0.02, 0.015, 0.05, 0.01, 0.03, 0.008])


@pytest.mark.parametrize(("method", "oracle"), [("DL", "dl"), ("fixed", "dl")])
def test_matches_statsmodels(method, oracle):
    ours = hs.meta_analysis(EFFECTS, variances=VARIANCES, method=method)
    ref = combine_effects(EFFECTS, VARIANCES, method_re=oracle)
    if method == "fixed":
        assert ours.estimate == pytest.approx(ref.mean_effect_fe)
        assert ours.std_error == pytest.approx(ref.sd_eff_w_fe)
        assert ours.tau2 == 0
    else:
        assert ours.estimate == pytest.approx(ref.mean_effect_re)
        assert ours.std_error == pytest.approx(ref.sd_eff_w_re)
        assert ours.tau2 == pytest.approx(ref.tau2)
        np.testing.assert_allclose(ours.weights, ref.weights_rel_re)
    assert ours.q == pytest.approx(ref.q)
    assert ours.i2 == pytest.approx(ref.i2)


def test_reml_matches_brute_force_likelihood():
    def restricted(tau2):
        w = 1 / (VARIANCES + tau2)
        mu = np.sum(w * EFFECTS) / np.sum(w)
        return -0.5 * (
            np.sum(np.log(VARIANCES + tau2)) + np.log(np.sum(w)) + np.sum(w * (EFFECTS - mu) ** 2)
        )

    grid = np.linspace(0, 0.2, 200_001)
    values = np.array([restricted(t) for t in grid[::100]])
    coarse = grid[::100][np.argmax(values)]
    fine = optimize.minimize_scalar(
        lambda t: -restricted(t),
        bounds=(max(0, coarse - 1e-3), coarse + 1e-3),
        method="bounded",
        options={"xatol": 1e-12},
    ).x
    ours = hs.meta_analysis(EFFECTS, variances=VARIANCES, method="REML")
    assert ours.tau2 == pytest.approx(fine, abs=1e-7)
    assert ours.prediction_low < ours.ci_low < ours.estimate < ours.ci_high < ours.prediction_high


def test_homogeneous_studies_give_zero_tau2():
    ours = hs.meta_analysis([0.2, 0.2, 0.2, 0.2], variances=[0.01, 0.02, 0.03, 0.04], method="REML")
    assert ours.tau2 == 0
    assert ours.i2 == 0


def test_ci_input_and_plot():
    low = EFFECTS - 1.959963984540054 * np.sqrt(VARIANCES)
    high = EFFECTS + 1.959963984540054 * np.sqrt(VARIANCES)
    from_ci = hs.meta_analysis(EFFECTS, ci=np.column_stack([low, high]), method="DL")
    direct = hs.meta_analysis(EFFECTS, variances=VARIANCES, method="DL")
    assert from_ci.estimate == pytest.approx(direct.estimate)
    frame = from_ci.to_frame()
    assert frame.index[-1] == "pooled (DL)"
    assert frame["weight"].iloc[:-1].sum() == pytest.approx(1)
    assert from_ci.plot() is not None
    assert "tau2" in str(from_ci.summary())


def test_trial_effects_are_converted():
    effects = []
    for seed in range(3):
        plan = hs.assign_days(range(20), start="2020-07-01", days=60, treated_per_day=8, rng=seed)
        panel = plan.to_frame()
        rng = np.random.default_rng(seed)
        panel["crimes"] = rng.poisson(np.where(panel["treated"] == 1, 0.7, 1.0))
        effects.append(hs.estimate_effect(panel, outcome="crimes"))
    pooled = hs.meta_analysis(effects, method="fixed", labels=["a", "b", "c"])
    expected = np.average(
        [np.log(e.irr) for e in effects], weights=[1 / e.std_error**2 for e in effects]
    )
    assert pooled.estimate == pytest.approx(expected)
    as_d = hs.meta_analysis(effects, method="fixed", scale="d")
    assert as_d.estimate == pytest.approx(-expected * np.sqrt(3) / np.pi)
    assert as_d.scale.startswith("d")


def test_count_effect_size():
    row = hs.count_effect_size(treated=(100, 70), control=(100, 100)).iloc[0]
    assert row["log_ratio"] == pytest.approx(np.log(100 / 70))
    assert row["variance"] == pytest.approx(1 / 100 + 1 / 70 + 2 / 100)
    assert row["d"] == pytest.approx(np.log(100 / 70) * np.sqrt(3) / np.pi)
    assert row["d_variance"] == pytest.approx(row["variance"] * 3 / np.pi**2)
    many = hs.count_effect_size(treated=[[100, 70], [50, 50]], control=[[100, 100], [60, 30]])
    assert len(many) == 2
    with pytest.raises(ValueError, match="finite numbers > 0"):
        hs.count_effect_size(treated=(0, 3), control=(4, 4))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"effects": [0.1], "variances": [0.01]}, "at least 2"),
        ({"effects": [0.1, 0.2]}, "exactly one"),
        ({"effects": [0.1, 0.2], "variances": [0.01, 0]}, "finite numbers > 0"),
        ({"effects": [0.1, 0.2], "variances": [0.01, 0.02], "method": "PM"}, "`method`"),
        ({"effects": [0.1, 0.2], "variances": [0.01, 0.02], "labels": ["a"]}, "`labels`"),
        ({"effects": [0.1, 0.2], "ci": [[0.3, 0.1], [0, 1]]}, "low < high"),
    ],
)
def test_meta_errors(kwargs, match):
    effects = kwargs.pop("effects")
    with pytest.raises(ValueError, match=match):
        hs.meta_analysis(effects, **kwargs)


def test_prediction_interval_hand_computed():
    # DerSimonian-Laird by hand (exact fractions) for the docstring example:
    # w = 1/v = (100, 50, 66.67, 20, 100); Q = 5.539604; tau2 = (Q - 4) / C = 0.0060271;
    # mu = 0.1531224, SE^2 = 1 / sum(1/(v + tau2)) = 0.0043741; t(0.975, k - 2 = 3) =
    # 3.1824463. Prediction interval (Higgins, Thompson & Spiegelhalter 2009):
    # mu -+ t sqrt(tau2 + SE^2) = (-0.1714447, 0.4776894).
    pooled = hs.meta_analysis(
        [0.1, 0.3, -0.05, 0.4, 0.2], variances=[0.01, 0.02, 0.015, 0.05, 0.01], method="DL"
    )
    assert pooled.q == pytest.approx(5.53960396, rel=1e-8)
    assert pooled.tau2 == pytest.approx(0.00602713178, rel=1e-8)
    assert pooled.prediction_low == pytest.approx(-0.17144473517, rel=1e-8)
    assert pooled.prediction_high == pytest.approx(0.47768944225, rel=1e-8)


def test_variance_messages_show_the_offending_value():
    with pytest.raises(ValueError, match=r"such as \[0.0\] \(the first at position 1\)"):
        hs.meta_analysis([0.1, 0.2, 0.3], variances=[0.01, 0.0, 0.02])
    with pytest.raises(ValueError, match=r"\(one variance per effect\); got shape \(2,\)"):
        hs.meta_analysis([0.1, 0.2, 0.3], variances=[0.01, 0.02])
    with pytest.raises(
        ValueError,
        match=r"such as \[-0.1\] \(the first at position 0\). Each study needs low < high",
    ):
        hs.meta_analysis([0.1, 0.2], ci=[[0.2, 0.1], [0.1, 0.3]])
    with pytest.raises(ValueError, match=r"\(2, 2\).*got shape \(2, 3\)"):
        hs.meta_analysis([0.1, 0.2], ci=[[0.0, 0.1, 0.2], [0.1, 0.2, 0.3]])


@pytest.mark.parametrize(
    ("treated", "control", "name"),
    [([10, 0], [12, 14], "treated"), ([10, 8], [0, 14], "control")],
)
def test_count_effect_size_names_the_zero_counts(treated, control, name) -> None:
    with pytest.raises(ValueError, match=f"`{name}` must hold finite numbers > 0; 1 of"):
        hs.count_effect_size(treated=treated, control=control)
