import re

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs


@pytest.fixture(scope="module")
def trial():
    plan = hs.assign_days(range(20), start="2020-07-01", days=60, treated_per_day=8, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(3)
    panel["visited"] = ((panel["treated"] == 1) & (rng.random(len(panel)) < 0.95)).astype(int)
    panel.loc[(panel["treated"] == 0) & (rng.random(len(panel)) < 0.02), "visited"] = 1
    panel["patrol_minutes"] = panel["visited"] * rng.uniform(10, 20, len(panel))
    panel["crimes"] = rng.poisson(np.where(panel["visited"] == 1, 0.6, 1.0))
    panel["harm"] = panel["crimes"] * rng.lognormal(2, 1, len(panel))
    return plan, panel


def test_consort_flow_and_formats(trial):
    plan, panel = trial
    effects = hs.estimate_effects(panel, outcomes=["crimes", "harm"])
    test = hs.randomization_test(
        panel, outcome="crimes", assignment=plan, n_permutations=200, rng=7
    )
    compliance = hs.cace(panel, outcome="crimes", delivered="visited")
    report = hs.trial_report(
        plan,
        effects=effects,
        panel=panel,
        delivered="visited",
        dose_columns=["patrol_minutes"],
        randomization=test,
        compliance=compliance,
        n_assessed=32,
        title="Southend-style trial",
    )
    flow = report.flow
    assert flow.loc["assessed for eligibility", "places"] == 32
    assert flow.loc["excluded before randomisation", "places"] == 12
    assert flow.loc["allocated to patrol", "place_days"] == 480
    assert flow.loc["allocated to control", "place_days"] == 720
    delivered = int(((panel["visited"] == 1) & (panel["treated"] == 1)).sum())
    assert flow.loc["received allocated patrol", "place_days"] == delivered
    assert flow.loc["patrol delivered to control (contamination)", "place_days"] > 0
    assert flow.loc["analysed, patrol", "place_days"] == 480
    assert len(report.effects) == 2 + 1 + 2
    assert report.dose.loc[("patrol", "patrol_minutes"), "mean"] > 10
    text = str(report)
    assert "Participant flow" in text and "Southend-style trial" in text
    markdown = report.to_markdown()
    assert markdown.startswith("## Southend-style trial") and "| stage |" in markdown
    page = report._repr_html_()
    assert "<table" in page and "Participant flow" in page
    assert report.to_frame().shape[0] == len(flow)
    assert "seed 1" in " ".join(report.notes)


def test_parallel_report():
    allocation = hs.assign_places(range(30), rng=2)
    frame = allocation.to_frame()
    frame["crimes"] = np.random.default_rng(1).poisson(np.where(frame["treated"] == 1, 7, 10))
    effect = hs.estimate_effect(frame, outcome="crimes", design="parallel")
    report = hs.trial_report(allocation, effects=effect)
    assert report.flow.loc["allocated to patrol", "places"] == 15
    assert "place_days" not in report.flow.columns
    assert report.dose is None


def test_report_errors(trial):
    plan, panel = trial
    effect = hs.estimate_effect(panel, outcome="crimes")
    with pytest.raises(ValueError, match="cannot be below"):
        hs.trial_report(plan, effects=effect, n_assessed=5)
    with pytest.raises(ValueError, match="`delivered` does not apply without `panel`"):
        hs.trial_report(plan, effects=effect, delivered="visited")
    with pytest.raises(TypeError, match="TrialEffect"):
        hs.trial_report(plan, effects=["x"])
    with pytest.raises(TypeError, match="assign_places or assign_arms"):
        hs.trial_report(panel, effects=effect)


def test_balance_for_crossover(trial):
    plan, _ = trial
    covariates = pd.DataFrame({"crime_last_year": np.arange(20.0)}, index=range(20))
    table = hs.balance_table(plan, covariates)
    frame = table.to_frame()
    assert "day_of_week_Mon" in frame.index
    assert table.unit == "place-days" and table.n_treated == 480
    assert any("Per-place treated share" in n for n in table.notes)
    assert table.plot() is not None
    assert "threshold" in str(table.summary())
    place_day = plan.to_frame()[["hotspot_id", "date"]].assign(
        temperature=np.random.default_rng(0).normal(size=1200)
    )
    frame2 = hs.balance_table(plan, place_day, day_of_week=False).to_frame()
    assert list(frame2.index) == ["temperature"]


def test_balance_matches_hand_computation():
    allocation = hs.assign_places(range(8), rng=5)
    x = pd.DataFrame({"x": [1.0, 4.0, 2.0, 8.0, 5.0, 7.0, 3.0, 6.0]})
    row = hs.balance_table(allocation, x, threshold=0.25).to_frame().loc["x"]
    t, c = x["x"][allocation.treated], x["x"][~allocation.treated]
    expected = (t.mean() - c.mean()) / np.sqrt((t.var() + c.var()) / 2)
    assert row["std_difference"] == pytest.approx(expected)
    assert row["variance_ratio"] == pytest.approx(t.var() / c.var())
    assert bool(row["imbalanced"]) == (abs(expected) > 0.25)


def test_balance_errors():
    allocation = hs.assign_places(range(4), rng=1)
    with pytest.raises(ValueError, match="places not among `covariates.index`"):
        hs.balance_table(allocation, pd.DataFrame({"x": [1.0, 2.0]}))
    with pytest.raises(TypeError, match=r"non-numeric column\(s\) \['x'\].*get_dummies"):
        hs.balance_table(allocation, pd.DataFrame({"x": list("abcd")}))
    with pytest.raises(ValueError, match="no columns"):
        hs.balance_table(allocation, pd.DataFrame(index=range(4)))
    with pytest.raises(TypeError, match="DataFrame"):
        hs.balance_table(allocation, np.ones(4))
    with pytest.raises(ValueError, match="`threshold`"):
        hs.balance_table(allocation, pd.DataFrame({"x": np.ones(4)}), threshold=0)


def test_balance_compares_booleans_and_refuses_text():
    places = pd.DataFrame(
        {
            "crime": np.arange(20.0),
            "near_school": np.arange(20) % 3 == 0,
            "district": pd.Categorical(list("ab") * 10),
        }
    )
    allocation = hs.assign_places(places, rng=3)
    with pytest.raises(TypeError, match=r"\[.district.\]"):
        hs.balance_table(allocation, places)
    encoded = pd.get_dummies(places, columns=["district"], dtype=float)
    table = hs.balance_table(allocation, encoded).to_frame()
    assert list(table.index) == ["crime", "near_school", "district_a", "district_b"]
    school = places["near_school"].to_numpy(float)
    treated = allocation.treated
    assert table.loc["near_school", "mean_treated"] == pytest.approx(school[treated].mean())
    s2_t, s2_c = school[treated].var(ddof=1), school[~treated].var(ddof=1)
    expected = (school[treated].mean() - school[~treated].mean()) / np.sqrt((s2_t + s2_c) / 2)
    assert table.loc["near_school", "std_difference"] == pytest.approx(expected)


def test_balance_leaves_out_geometry_and_says_so():
    import geopandas as gpd
    from shapely.geometry import Point

    places = gpd.GeoDataFrame(
        {"crime": np.arange(10.0)}, geometry=[Point(i, 0) for i in range(10)], crs=27700
    )
    allocation = hs.assign_places(places, rng=1)
    result = hs.balance_table(allocation, places)
    assert list(result.table.index) == ["crime"]
    assert any("Geometry" in note for note in result.notes)


def test_results_cannot_be_changed_through_their_attributes():
    import pickle

    plan = hs.assign_days(range(10), start="2020-07-01", days=30, treated_per_day=4, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(2)
    panel["a"], panel["b"] = rng.poisson(1.0, len(panel)), rng.poisson(1.0, len(panel))
    panel["visited"] = panel["treated"]
    table = hs.estimate_effects(panel, outcomes=["a", "b"])
    with pytest.raises(ValueError, match="read-only"):
        table.p_adjusted[0] = 0.0
    effect = table.effects[0]
    irr = effect.irr
    terms = effect.terms
    terms.loc["treatment", "irr"] = 99.0
    assert effect.irr == irr and effect.terms.loc["treatment", "irr"] == irr
    for result, frame in [
        (hs.cace(panel, outcome="a", delivered="visited"), "table"),
        (hs.wdd(target=(10, 5), control=(10, 10)), "table"),
        (hs.wdd(target=(10, 5), control=(10, 10)), "by_type"),
        (hs.wdq(target=(10, 5), buffer=(4, 4), control=(10, 10)), "area_counts"),
        (hs.balance_table(plan, pd.DataFrame({"x": np.arange(10.0)})), "table"),
    ]:
        copy = getattr(result, frame)
        copy.iloc[0, 0] = -1.0
        assert getattr(result, frame).iloc[0, 0] != -1.0
    power = hs.sample_size(control_rate=1, irr=0.8)
    for mapping in (power.parameters, effect.parameters, plan.audit):
        with pytest.raises(TypeError, match="read-only"):
            mapping["alpha"] = 0.5
    assert power.parameters["alpha"] == 0.05
    with pytest.raises(ValueError, match="WRITEABLE"):
        plan.treated.flags.writeable = True  # locked at the base, not on a view
    assert pickle.loads(pickle.dumps(power)).parameters == power.parameters


def test_report_reads_in_plain_english(trial):
    plan, panel = trial
    effects = hs.estimate_effects(panel, outcomes=["crimes", "harm"])
    compliance = hs.cace(panel, outcome="crimes", delivered="visited")
    report = hs.trial_report(
        plan,
        effects=effects,
        panel=panel,
        delivered="visited",
        dose_columns=["patrol_minutes"],
        compliance=compliance,
    )
    row = report.effects.iloc[0]
    for shown in (str(report), report.to_markdown(), report._repr_html_()):
        # no machine names, no missing-value markers, nothing beyond three decimals
        assert not re.search(r"irr_ci|p_value|percent_change|place_days|share_any|n_obs", shown)
        assert not re.search(r"\bnan\b|<NA>|NaN|None", shown)
        assert not re.search(r"\d\.\d{4,}", shown)
        assert f"{row['irr']:.2f} " in shown or f"{row['irr']:.2f}<" in shown
        assert f"{row['irr_ci_low']:.2f} to {row['irr_ci_high']:.2f}" in shown
        assert f"{row['percent_change']:+.0f}%" in shown
    # the data tables keep their names for code
    assert {"irr", "irr_ci_low", "p_value"} <= set(report.effects.columns)


@pytest.fixture(scope="module")
def three_arms():
    """Parallel three-arm trial with planted rates 10 / 7 / 5 and 95% delivery."""
    rng = np.random.default_rng(11)
    places = pd.DataFrame({"crimes_last_year": rng.poisson(40, 120)})
    plan = hs.assign_arms(places, design="stratified", rank_by="crimes_last_year", rng=3)
    panel = plan.to_frame().reset_index()
    rate = panel["arm"].map({"control": 10.0, "patrol": 7.0, "patrol_pop": 5.0})
    panel["crimes"] = rng.poisson(rate)
    served = (panel["arm"] != "control") & (rng.random(len(panel)) < 0.95)
    panel["visited"] = (served | (rng.random(len(panel)) < 0.03)).astype(int)
    panel["patrol_minutes"] = panel["visited"] * rng.uniform(10, 20, len(panel))
    return plan, places, panel


def test_three_arm_report_lists_each_arm(three_arms):
    plan, places, panel = three_arms
    effects = hs.estimate_arms(panel, outcome="crimes")  # Holm, all three comparisons
    balance = hs.balance_table(plan, places)
    report = hs.trial_report(
        plan,
        effects=effects,
        panel=panel,
        delivered="visited",
        dose_columns=["patrol_minutes"],
        balance=balance,
        n_assessed=150,
    )
    flow = report.flow
    assert "place_days" not in flow.columns
    for arm in plan.arms:
        n = int((panel["arm"] == arm).sum())
        assert n == 40
        assert flow.loc[f"allocated to {arm}", "places"] == n
        assert flow.loc[f"in the analysis panel, {arm}", "places"] == n
    got = panel["visited"] == 1
    assert flow.loc["received patrol, patrol_pop", "places"] == int(
        (got & (panel["arm"] == "patrol_pop")).sum()
    )
    assert flow.loc["patrol delivered to control (contamination)", "places"] == int(
        (got & (panel["arm"] == "control")).sum()
    )
    assert flow.loc["excluded before randomisation", "places"] == 30
    assert "allocated to patrol" in flow.index and "analysed, patrol" not in flow.index
    table = report.effects.set_index("comparison")
    assert list(table.index) == [
        "patrol vs control",
        "patrol_pop vs control",
        "patrol_pop vs patrol",
    ]
    assert set(table["adjustment"]) == {"holm"}
    expected = effects.table
    assert np.allclose(table["p_adjusted"], expected.loc[table.index, "p_adjusted"])
    assert np.allclose(table["irr"], expected.loc[table.index, "irr"])
    # the planted ratios 0.7, 0.5 and 5/7 lie in the intervals
    for name, truth in [
        ("patrol vs control", 0.7),
        ("patrol_pop vs control", 0.5),
        ("patrol_pop vs patrol", 5 / 7),
    ]:
        assert table.loc[name, "irr_ci_low"] < truth < table.loc[name, "irr_ci_high"]
    assert "std_difference_patrol_pop" in report.balance.columns
    assert set(report.dose.index.get_level_values("arm")) == set(plan.arms)
    text = str(report)
    assert "Baseline balance" in text and "patrol_pop vs patrol" in text and "holm" in text
    assert "| patrol_pop vs control |" in report.to_markdown()


def test_three_arm_crossover_report_and_refusals():
    plan = hs.assign_days(
        range(21),
        start="2024-01-01",
        days=40,
        treated_per_day=7,
        arms=("control", "patrol", "patrol_pop"),
        rng=4,
    )
    panel = plan.to_frame()
    rate = panel["arm"].map({"control": 1.0, "patrol": 0.8, "patrol_pop": 0.6})
    panel["crimes"] = np.random.default_rng(2).poisson(rate)
    effects = hs.estimate_arms(
        panel,
        outcome="crimes",
        fixed_effects=["hotspot_id", "date"],
        comparisons="control",
        p_adjust="dunnett",
    )
    report = hs.trial_report(plan, effects=effects)
    flow = report.flow
    assert flow.loc["randomised", "place_days"] == 21 * 40
    for a, arm in enumerate(plan.arms):
        assert flow.loc[f"allocated to {arm}", "place_days"] == int((plan.arm_codes == a).sum())
    assert flow.loc["allocated to patrol", "place_days"] == 7 * 40
    assert set(report.effects["adjustment"]) == {"dunnett"}
    assert len(report.effects) == 2
    # a two-arm analysis of a three-arm schedule would merge the arms: refused
    merged = hs.estimate_effect(panel, outcome="crimes")
    with pytest.raises(TypeError, match="reported arm by arm.*estimate_arms"):
        hs.trial_report(plan, effects=merged)
    test = hs.randomization_test(panel, outcome="crimes", assignment=plan, n_permutations=19, rng=1)
    with pytest.raises(ValueError, match="`randomization` does not apply with a multi-arm"):
        hs.trial_report(plan, effects=effects, randomization=test)
    two_arm = hs.balance_table(
        hs.assign_days(range(21), start="2024-01-01", days=40, treated_per_day=7, rng=4),
        pd.DataFrame({"x": np.arange(21.0)}),
    )
    with pytest.raises(ValueError, match="`balance` does not compare the arms"):
        hs.trial_report(plan, effects=effects, balance=two_arm)
    pop = panel.assign(pop=(panel["arm"] == "patrol_pop").astype(int))
    step = hs.estimate_arms(pop, outcome="crimes", arm="pop", control=0)
    with pytest.raises(ValueError, match="`effects` compares the arms"):
        hs.trial_report(plan, effects=step)
