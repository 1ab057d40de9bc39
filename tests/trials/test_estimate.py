import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import hotspotlib as hs


@pytest.fixture(scope="module")
def crossover_panel():
    plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(4)
    place = rng.lognormal(0, 0.7, 20)
    mu = place[panel["hotspot_id"]] * np.where(panel["treated"] == 1, 0.7, 1.0)
    panel["crimes"] = rng.poisson(mu * rng.gamma(2.0, 0.5, len(panel)))
    panel["harm"] = panel["crimes"] * rng.lognormal(3, 1.5, len(panel))
    return panel


def test_crossover_matches_statsmodels_formula(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="crimes")
    oracle = smf.glm(
        "crimes ~ treated + C(hotspot_id) + C(date)",
        data=crossover_panel,
        family=sm.families.Poisson(),
    ).fit(cov_type="cluster", cov_kwds={"groups": crossover_panel["hotspot_id"]})
    assert effect.estimate == pytest.approx(oracle.params["treated"], rel=1e-8)
    assert effect.std_error == pytest.approx(oracle.bse["treated"], rel=1e-6)
    assert effect.p_value == pytest.approx(oracle.pvalues["treated"], rel=1e-5)
    low, high = oracle.conf_int().loc["treated"]
    assert effect.ci == pytest.approx((np.exp(low), np.exp(high)), rel=1e-6)
    assert effect.percent_change == pytest.approx(100 * (np.exp(oracle.params["treated"]) - 1))
    assert effect.model == "poisson" and effect.parameters["cluster"] == "hotspot_id"
    assert 0.6 < effect.irr < 0.8


def test_harm_gets_robust_default(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="harm")
    assert effect.model == "poisson"
    assert any("heavy-tailed" in note for note in effect.notes)


def test_parallel_negbin_with_baseline_matches_statsmodels():
    rng = np.random.default_rng(1)
    allocation = hs.assign_places(range(60), rng=2)
    frame = allocation.to_frame()
    frame["pre"] = rng.poisson(20, 60)
    frame["post"] = rng.negative_binomial(
        3, 3 / (3 + frame["pre"] * np.where(frame["treated"], 0.6, 1))
    )
    effect = hs.estimate_effect(frame, outcome="post", design="parallel", baseline="pre")
    x = sm.add_constant(np.column_stack([frame["treated"], np.log1p(frame["pre"])]))
    oracle = sm.NegativeBinomial(frame["post"].to_numpy(float), x).fit(disp=0, maxiter=300)
    assert effect.model == "negbin"
    assert effect.estimate == pytest.approx(oracle.params[1], rel=1e-5)
    assert effect.std_error == pytest.approx(oracle.bse[1], rel=1e-4)


def test_parallel_poisson_hc1_and_ols(crossover_panel):
    per_place = crossover_panel.groupby("hotspot_id").agg(crimes=("crimes", "sum"))
    per_place["treated"] = (np.arange(20) % 2).astype(int)
    effect = hs.estimate_effect(per_place, outcome="crimes", design="parallel", model="poisson")
    x = sm.add_constant(per_place["treated"].to_numpy(float))
    fit = sm.GLM(per_place["crimes"].to_numpy(float), x, family=sm.families.Poisson()).fit(
        cov_type="HC0"
    )
    assert effect.std_error == pytest.approx(fit.bse[1] * np.sqrt(20 / 18), rel=1e-6)
    ols = hs.estimate_effect(per_place, outcome="crimes", design="parallel", model="ols")
    oracle = sm.OLS(per_place["crimes"].to_numpy(float), x).fit()
    assert ols.estimate == pytest.approx(oracle.params[1])
    assert ols.scale == "difference"
    control = per_place.loc[per_place["treated"] == 0, "crimes"].mean()
    assert ols.irr == pytest.approx((control + oracle.params[1]) / control)


def test_mixed_is_a_poisson_gee(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="crimes", model="mixed")
    assert effect.parameters["fixed_effects"] == "date"
    assert 0.6 < effect.irr < 0.8


def test_carryover_and_washout(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="crimes", carryover=2)
    assert list(effect.terms.index) == ["treatment", "carryover_lag1", "carryover_lag2"]
    assert np.isfinite(effect.terms.loc["carryover_lag1", "std_error"])
    washed = hs.estimate_effect(crossover_panel, outcome="crimes", washout=1)
    assert washed.n_dropped > 0
    assert any("Washout" in n for n in washed.notes)
    # the washout removes the control days the lag terms are estimated from: refused
    with pytest.raises(
        ValueError,
        match="washout. does not apply together with carryover.*The washout drops the control days",
    ):
        hs.estimate_effect(crossover_panel, outcome="crimes", carryover=2, washout=1)


def _dummy_poisson(panel, formula):
    """statsmodels GLM with indicator columns, clustered by place: the oracle."""
    model = smf.glm(formula, data=panel, family=sm.families.Poisson())
    return model.fit(cov_type="cluster", cov_kwds={"groups": panel["hotspot_id"]})


def test_carryover_lags_match_statsmodels_dummies(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="crimes", carryover=2)
    panel = crossover_panel.sort_values(["hotspot_id", "date"])
    by_place = panel.groupby("hotspot_id")["treated"]
    panel = panel.assign(lag1=by_place.shift(1, fill_value=0), lag2=by_place.shift(2, fill_value=0))
    oracle = _dummy_poisson(panel, "crimes ~ treated + lag1 + lag2 + C(hotspot_id) + C(date)")
    names = ["treated", "lag1", "lag2"]
    assert effect.terms["estimate"].to_numpy() == pytest.approx(
        oracle.params[names].to_numpy(), abs=1e-6
    )
    assert effect.terms["std_error"].to_numpy() == pytest.approx(
        oracle.bse[names].to_numpy(), rel=1e-6
    )
    assert effect.p_value == pytest.approx(oracle.pvalues["treated"], rel=1e-5)
    assert effect.parameters["cov_type"] == "cluster"


def test_place_day_baseline_matches_statsmodels_dummies(crossover_panel):
    rng = np.random.default_rng(8)
    panel = crossover_panel.assign(last_year=rng.poisson(crossover_panel["crimes"] + 1))
    effect = hs.estimate_effect(panel, outcome="crimes", baseline="last_year")
    panel["log_baseline"] = np.log1p(panel["last_year"])
    oracle = _dummy_poisson(panel, "crimes ~ treated + log_baseline + C(hotspot_id) + C(date)")
    assert effect.estimate == pytest.approx(oracle.params["treated"], abs=1e-6)
    assert effect.std_error == pytest.approx(oracle.bse["treated"], rel=1e-6)
    assert effect.parameters["baseline"] == "last_year"


def test_per_place_baseline_is_absorbed_by_place_effects(crossover_panel):
    pre = crossover_panel.groupby("hotspot_id")["crimes"].transform("sum")
    effect = hs.estimate_effect(crossover_panel.assign(pre=pre), outcome="crimes", baseline="pre")
    plain = hs.estimate_effect(crossover_panel, outcome="crimes")
    assert effect.estimate == pytest.approx(plain.estimate, rel=1e-10)
    assert effect.std_error == pytest.approx(plain.std_error, rel=1e-10)
    assert any("absorb" in note for note in effect.notes)


def test_parallel_blocks_with_baseline_match_statsmodels_hc1():
    labels = np.repeat(["north", "south", "east"], 12)
    allocation = hs.assign_places(range(36), design="block", blocks=labels, rng=3)
    rng = np.random.default_rng(5)
    frame = allocation.to_frame().assign(district=labels, pre=rng.poisson(15, 36))
    frame["crimes"] = rng.poisson(frame["pre"] * np.where(frame["treated"] == 1, 0.7, 1.0))
    effect = hs.estimate_effect(
        frame,
        outcome="crimes",
        design="parallel",
        model="poisson",
        fixed_effects="district",
        baseline="pre",
    )
    frame["log_baseline"] = np.log1p(frame["pre"])
    oracle = smf.glm(
        "crimes ~ treated + log_baseline + C(district)", frame, family=sm.families.Poisson()
    ).fit(cov_type="cluster", cov_kwds={"groups": np.arange(36)})
    assert effect.estimate == pytest.approx(oracle.params["treated"], abs=1e-6)
    assert effect.std_error == pytest.approx(oracle.bse["treated"], rel=1e-6)
    assert effect.parameters["cov_type"] == "HC1"


def test_treatment_absorbed_by_fixed_effects_is_refused(crossover_panel):
    per_place = crossover_panel.groupby("hotspot_id", as_index=False)["crimes"].sum()
    per_place["treated"] = (per_place["hotspot_id"] % 2).astype(int)
    with pytest.raises(ValueError, match=r"\['treatment'\] do not vary within"):
        hs.estimate_effect(
            per_place,
            outcome="crimes",
            design="parallel",
            model="poisson",
            fixed_effects="hotspot_id",
        )


def test_planted_effect_recovered_on_city():
    city = hs.synthetic_city(n_events=30_000, days=90, rng=11)
    plan = hs.assign_days(city.hotspots, start=city.start, days=90, treated_per_day=8, rng=12)
    planted = hs.plant_patrol_effect(city, plan, irr=0.6, rng=13)
    panel = hs.trial_panel(planted.events, plan, weights="harm")
    effect = hs.estimate_effect(panel, outcome="count")
    low, high = effect.ci
    assert low < 0.6 < high
    assert effect.d_from_log_ratio > 0 and effect.cohens_d > 0


def test_residual_deterrence_is_picked_up_by_lags():
    city = hs.synthetic_city(n_events=40_000, days=120, rng=21)
    plan = hs.assign_days(city.hotspots, start=city.start, days=120, treated_per_day=8, rng=22)
    planted = hs.plant_patrol_effect(city, plan, irr=0.5, residual_half_life_days=1.0, rng=23)
    panel = hs.trial_panel(planted.events, plan)
    naive = hs.estimate_effect(panel, outcome="count")
    lagged = hs.estimate_effect(panel, outcome="count", carryover=3)
    # carryover biases the naive contrast toward 1; lag terms show residual deterrence
    assert naive.irr > lagged.irr
    assert lagged.terms.loc["carryover_lag1", "irr"] < 0.85


@pytest.mark.slow
def test_ci_coverage_over_repeated_trials():
    city = hs.synthetic_city(n_events=20_000, days=90, rng=31)
    covered = []
    for seed in range(150):
        plan = hs.assign_days(city.hotspots, start=city.start, days=90, treated_per_day=8, rng=seed)
        planted = hs.plant_patrol_effect(city, plan, irr=0.7, rng=1_000 + seed)
        effect = hs.estimate_effect(hs.trial_panel(planted.events, plan), outcome="count")
        low, high = effect.ci
        covered.append(low <= 0.7 <= high)
    # 150 trials: Monte Carlo SE of coverage ~0.018; CRV1 with 20 clusters runs a little low
    assert 0.89 <= np.mean(covered) <= 0.99


def test_all_zero_place_is_dropped_and_counted(crossover_panel):
    panel = crossover_panel.copy()
    panel.loc[panel["hotspot_id"] == 3, "crimes"] = 0
    effect = hs.estimate_effect(panel, outcome="crimes")
    assert effect.n_dropped == 90
    assert effect.n_groups == 19
    assert any("no events" in n for n in effect.notes)


def test_inputs_not_mutated(crossover_panel):
    before = crossover_panel.copy()
    hs.estimate_effect(crossover_panel, outcome="crimes", carryover=1)
    hs.estimate_effect(crossover_panel, outcome="crimes", washout=2)
    pd.testing.assert_frame_equal(crossover_panel, before)


def test_frames_summary_plot(crossover_panel):
    effect = hs.estimate_effect(crossover_panel, outcome="crimes", carryover=1)
    frame = effect.to_frame()
    assert {
        "estimate",
        "std_error",
        "ci_low",
        "ci_high",
        "p_value",
        "irr",
        "percent_change",
    } <= set(frame.columns)
    assert "Effect of patrol" in str(effect.summary()) and effect.parameters["outcome"] == "crimes"
    assert effect.plot() is not None
    assert effect.d_variance == pytest.approx(effect.std_error**2 * 3 / np.pi**2)


@pytest.mark.parametrize(
    ("change", "kwargs", "match"),
    [
        (lambda p: p.assign(treated=0), {}, "treated arm is empty"),
        (lambda p: p.assign(treated=1), {}, "control arm is empty"),
        (lambda p: p.assign(crimes=0), {}, "zero in every row"),
        (lambda p: p.assign(crimes=np.nan), {}, "NaN"),
        (lambda p: p.assign(crimes=-1), {}, "must hold finite numbers >= 0"),
        (lambda p: p.assign(treated=2), {}, "must be one of 0, 1"),
        (lambda p: p, {"design": "stepped"}, "`design` must be one of"),
        (lambda p: p, {"model": "logit"}, "`model` must be one of"),
        (lambda p: p, {"cluster": "beat"}, "missing column"),
        (lambda p: p, {"carryover": -1}, "`carryover`"),
        (lambda p: p, {"design": "parallel", "washout": 2}, "crossover designs only"),
        (lambda p: p, {"confidence": 95}, "`confidence`"),
    ],
)
def test_bad_input(crossover_panel, change, kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.estimate_effect(change(crossover_panel), outcome="crimes", **kwargs)


def test_bad_types(crossover_panel):
    with pytest.raises(TypeError, match="DataFrame"):
        hs.estimate_effect(crossover_panel.to_numpy(), outcome="crimes")
    with pytest.raises(TypeError, match="numeric"):
        hs.estimate_effect(crossover_panel.assign(crimes="x"), outcome="crimes")
    with pytest.raises(ValueError, match="repeated place-day rows"):
        doubled = pd.concat([crossover_panel, crossover_panel.iloc[:2]])
        hs.estimate_effect(doubled, outcome="crimes", carryover=1)


def test_crossover_negbin_and_gee_match_statsmodels(crossover_panel):
    x = np.column_stack(
        [
            np.ones(len(crossover_panel)),
            crossover_panel["treated"],
            pd.get_dummies(crossover_panel["hotspot_id"], drop_first=True, dtype=float),
            pd.get_dummies(crossover_panel["date"], drop_first=True, dtype=float),
        ]
    )
    y = crossover_panel["crimes"].to_numpy(float)
    groups = crossover_panel["hotspot_id"].to_numpy()
    nb = hs.estimate_effect(crossover_panel, outcome="crimes", model="negbin")
    oracle = sm.NegativeBinomial(y, x).fit(
        disp=0, maxiter=300, cov_type="cluster", cov_kwds={"groups": groups}
    )
    assert nb.estimate == pytest.approx(oracle.params[1], rel=1e-4)
    assert nb.std_error == pytest.approx(oracle.bse[1], rel=1e-3)
    gee = hs.estimate_effect(crossover_panel, outcome="crimes", model="mixed")
    x_gee = np.delete(x, np.s_[2:21], axis=1)  # date effects only; places via the correlation
    ref = sm.GEE(
        y,
        x_gee,
        groups=groups,
        family=sm.families.Poisson(),
        cov_struct=sm.cov_struct.Exchangeable(),
    ).fit()
    assert gee.estimate == pytest.approx(ref.params[1], rel=1e-6)


def test_parallel_block_fixed_effects():
    labels = np.repeat(["north", "south", "east"], 10)
    allocation = hs.assign_places(range(30), design="block", blocks=labels, rng=3)
    frame = allocation.to_frame().assign(district=labels)
    rng = np.random.default_rng(2)
    level = np.where(labels == "north", 30, 10)
    frame["crimes"] = rng.poisson(level * np.where(frame["treated"] == 1, 0.7, 1.0))
    effect = hs.estimate_effect(
        frame, outcome="crimes", design="parallel", model="poisson", fixed_effects="district"
    )
    formula = smf.glm(
        "crimes ~ treated + C(district)", data=frame, family=sm.families.Poisson()
    ).fit()
    assert effect.estimate == pytest.approx(formula.params["treated"], rel=1e-8)
    assert effect.parameters["fixed_effects"] == "district"
    assert effect.parameters["cov_type"] == "HC1"


@pytest.fixture(scope="module")
def sparse_panel():
    """A small crossover with an event-free place and an event-free day."""
    plan = hs.assign_days(range(12), start="2020-07-01", days=40, treated_per_day=5, rng=3)
    panel = plan.to_frame()
    rng = np.random.default_rng(1)
    mu = np.repeat(rng.lognormal(-1, 1, 12), 40) * np.where(panel["treated"] == 1, 0.7, 1)
    panel["y"] = rng.poisson(mu * rng.gamma(1, 1, len(panel)))
    panel.loc[panel["hotspot_id"] == 4, "y"] = 0
    panel.loc[panel["date"] == plan.dates[7], "y"] = 0
    return panel


def _informative(panel):
    """Rows whose place and day both have events (the rows a count model can use)."""
    place = panel.groupby("hotspot_id")["y"].transform("sum") > 0
    day = panel.groupby("date")["y"].transform("sum") > 0
    return panel[place & day]


def test_absorbed_fit_matches_statsmodels_with_indicators(sparse_panel):
    effect = hs.estimate_effect(sparse_panel, outcome="y")
    kept = _informative(sparse_panel)
    assert effect.n_dropped == len(sparse_panel) - len(kept) > 40 + 11
    oracle = smf.glm("y ~ treated + C(hotspot_id) + C(date)", kept, family=sm.families.Poisson())
    fit = oracle.fit(cov_type="cluster", cov_kwds={"groups": kept["hotspot_id"]})
    assert effect.estimate == pytest.approx(fit.params["treated"], rel=1e-6)
    assert effect.std_error == pytest.approx(fit.bse["treated"], rel=1e-6)
    assert effect.p_value == pytest.approx(fit.pvalues["treated"], rel=1e-6)
    low, high = fit.conf_int().loc["treated"]
    assert effect.ci == pytest.approx((np.exp(low), np.exp(high)), rel=1e-6)
    assert effect.n_groups == 11


def test_separation_is_refused_not_reported_as_an_irr_of_zero():
    plan = hs.assign_days(range(10), start="2020-07-01", days=30, treated_per_day=4, rng=1)
    panel = plan.to_frame()
    counts = np.random.default_rng(2).poisson(1.0, len(panel))
    panel["y"] = np.where(panel["treated"] == 1, 0, counts)
    for model in ("auto", "negbin", "mixed"):
        with pytest.raises(ValueError, match="0 in every treated row analysed"):
            hs.estimate_effect(panel, outcome="y", model=model)
    places = hs.assign_places(range(20), rng=1).to_frame()
    places["y"] = np.where(places["treated"] == 1, 3, 0)
    with pytest.raises(ValueError, match="0 in every control row.*complete separation"):
        hs.estimate_effect(places, outcome="y", design="parallel")
    ols = hs.estimate_effect(places, outcome="y", design="parallel", model="ols")
    assert ols.estimate == pytest.approx(3.0)


def test_ols_p_values_use_t_with_clusters_minus_one_df(crossover_panel):
    from scipy import stats

    effect = hs.estimate_effect(crossover_panel, outcome="crimes", model="ols")
    t = effect.estimate / effect.std_error
    assert effect.n_groups == 20
    assert effect.p_value == pytest.approx(2 * stats.t.sf(abs(t), 19), rel=1e-10)
    crit = stats.t.ppf(0.975, 19)
    control = effect.control_mean
    assert effect.ci[0] == pytest.approx(
        (control + effect.estimate - crit * effect.std_error) / control
    )
    formula = smf.ols("crimes ~ treated + C(hotspot_id) + C(date)", crossover_panel)
    oracle = formula.fit(
        cov_type="cluster", cov_kwds={"groups": crossover_panel["hotspot_id"]}, use_t=True
    )
    assert effect.p_value == pytest.approx(oracle.pvalues["treated"], rel=1e-8)


def test_any_index_works_and_place_column_is_named(crossover_panel):
    clean = hs.estimate_effect(crossover_panel, outcome="crimes")
    halves = pd.concat(
        [
            crossover_panel.iloc[:900].reset_index(drop=True),
            crossover_panel.iloc[900:].reset_index(drop=True),
        ]
    )
    assert halves.index.has_duplicates
    again = hs.estimate_effect(halves, outcome="crimes")
    assert again.estimate == pytest.approx(clean.estimate, rel=1e-12)
    assert again.std_error == pytest.approx(clean.std_error, rel=1e-12)
    beats = pd.Index([f"b{i}" for i in range(8)], name="beat")
    plan = hs.assign_days(beats, start="2021-01-04", days=20, treated_per_day=3, rng=2)
    panel = plan.to_frame()
    panel["crimes"] = np.random.default_rng(0).poisson(2.0, len(panel))
    assert plan.place_column == "beat" and "beat" in panel.columns
    with pytest.raises(ValueError, match="hotspot_id"):  # nothing read from panel.attrs
        hs.estimate_effect(panel, outcome="crimes")
    named = hs.estimate_effect(panel, outcome="crimes", place="beat")
    assert named.parameters["cluster"] == "beat"
    visited = panel.assign(visited=panel["treated"])
    itt = hs.cace(visited, outcome="crimes", delivered="visited", place="beat")
    assert itt.parameters["cluster"] == "beat"


def test_missing_fixed_effect_values_are_refused():

    rng = np.random.default_rng(0)
    panel = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(6), 10).astype(float),
            "date": np.tile(pd.date_range("2025-01-01", periods=10), 6),
            "treated": rng.integers(0, 2, 60),
            "count": rng.poisson(2.0, 60),
        }
    )
    panel.loc[3, "hotspot_id"] = np.nan
    with pytest.raises(ValueError, match=r"`panel\['hotspot_id'\]` has 1 missing value"):
        hs.estimate_effect(panel, outcome="count")


def _weekly_parallel_panel() -> pd.DataFrame:
    places = np.arange(40)
    rng = np.random.default_rng(0)
    return pd.DataFrame(
        {
            "hotspot_id": np.repeat(places, 12),
            "week": np.tile(np.arange(12), 40),
            "treated": np.repeat(places % 2 == 0, 12).astype(int),
            "count": rng.poisson(3.0, 480),
        }
    )


@pytest.mark.parametrize(
    "options",
    [
        {"cluster": "hotspot_id"},
        {"cluster": "hotspot_id", "fixed_effects": "week"},
        {"cluster": "hotspot_id", "date": "week"},
    ],
)
def test_parallel_repeated_measures_are_accepted(options: dict) -> None:
    effect = hs.estimate_effect(
        _weekly_parallel_panel(), outcome="count", design="parallel", **options
    )
    assert np.isfinite(effect.irr)


def test_parallel_repeated_rows_are_refused() -> None:
    panel = _weekly_parallel_panel()
    twice = pd.concat([panel, panel.head(3)], ignore_index=True)
    with pytest.raises(ValueError, match="repeated place-day rows"):
        hs.estimate_effect(
            twice, outcome="count", design="parallel", date="week", cluster="hotspot_id"
        )
    with pytest.raises(ValueError, match="pass `cluster=`"):
        hs.estimate_effect(panel, outcome="count", design="parallel")
