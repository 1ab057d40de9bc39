"""Bad inputs for multi-arm trials and per-force evaluation (``Case``, ``fx``, ``hs`` given)."""

from functools import cache

import numpy as np
import pandas as pd


@cache
def plan():
    return hs.assign_arms(range(30), rng=1)


@cache
def panel():
    frame = plan().to_frame().reset_index()
    frame["crimes"] = np.random.default_rng(0).poisson(3, len(frame))
    return frame


def _with(**columns):
    return panel().assign(**columns)


def _weekly():
    frame = panel().loc[panel().index.repeat(2)].reset_index(drop=True)
    return frame.assign(week=np.tile([0, 1], len(panel())))


def _no_patrol_events():
    return _with(crimes=np.where(panel()["arm"] == "patrol", 0, panel()["crimes"]))


CASES = [
    Case(
        "estimate_arms",
        "arm absorbed by place fixed effects",
        lambda: hs.estimate_arms(_weekly(), outcome="crimes", fixed_effects=["hotspot_id", "week"]),
        match=r"do not vary within the fixed effects.*step_treatment",
    ),
    Case(
        "assign_arms",
        "one arm",
        lambda: hs.assign_arms(range(10), arms=["control"]),
        match=r"`number of arms`.*>= 2",
    ),
    Case(
        "assign_arms",
        "repeated arm label",
        lambda: hs.assign_arms(range(10), arms=["a", "a"]),
        match=r"`arms` has repeated",
    ),
    Case(
        "assign_arms",
        "pair design",
        lambda: hs.assign_arms(range(10), design="pair"),
        match=r"`design` must be one of",
    ),
    Case(
        "assign_arms",
        "one share per arm",
        lambda: hs.assign_arms(range(10), shares=[1, 1]),
        match=r"`shares` must have shape \(3,\)",
    ),
    Case(
        "assign_arms",
        "negative share",
        lambda: hs.assign_arms(range(10), shares=[1, -1, 1]),
        match=r"`shares`.*> 0",
    ),
    Case(
        "assign_arms",
        "an arm left empty",
        lambda: hs.assign_arms(range(4), shares=[1, 1, 0.05]),
        match=r"places in arm 'patrol_pop'.*larger share",
    ),
    Case(
        "assign_arms",
        "blocks without the block design",
        lambda: hs.assign_arms(range(10), blocks=[0] * 10),
        match=r"`blocks` does not apply",
    ),
    Case("ArmAssignment.redraw", "no draws", lambda: plan().redraw(0), match=r"`n_draws`"),
    Case(
        "estimate_arms",
        "panel not a frame",
        lambda: hs.estimate_arms([1], outcome="crimes"),
        match=r"`panel` must be a pandas DataFrame",
        raises=TypeError,
    ),
    Case(
        "estimate_arms",
        "unknown arm column",
        lambda: hs.estimate_arms(panel(), outcome="crimes", arm="group"),
        match=r"missing column.*'group'",
    ),
    Case(
        "estimate_arms",
        "control not an arm",
        lambda: hs.estimate_arms(panel(), outcome="crimes", control="none"),
        match=r"`control`.*not among the arms",
    ),
    Case(
        "estimate_arms",
        "a single arm in the panel",
        lambda: hs.estimate_arms(_with(arm="control"), outcome="crimes"),
        match=r"number of arms in panel\['arm'\]",
    ),
    Case(
        "estimate_arms",
        "Dunnett with all pairs",
        lambda: hs.estimate_arms(panel(), outcome="crimes", p_adjust="dunnett"),
        match=r"`p_adjust` does not apply with comparisons='all'",
    ),
    Case(
        "estimate_arms",
        "unknown adjustment",
        lambda: hs.estimate_arms(panel(), outcome="crimes", p_adjust="tukey"),
        match=r"`p_adjust` must be one of",
    ),
    Case(
        "estimate_arms",
        "three fixed effects",
        lambda: hs.estimate_arms(
            _with(a=1, b=1, c=1), outcome="crimes", fixed_effects=["a", "b", "c"]
        ),
        match=r"`number of fixed effects`",
    ),
    Case(
        "estimate_arms",
        "missing arm label",
        lambda: hs.estimate_arms(
            _with(arm=panel()["arm"].where(panel().index > 0)), outcome="crimes"
        ),
        match=r"panel\['arm'\].*missing",
    ),
    Case(
        "estimate_arms",
        "no events in one arm",
        lambda: hs.estimate_arms(_no_patrol_events(), outcome="crimes"),
        match=r"No effect can be estimated.*separation",
    ),
    Case(
        "estimate_arms",
        "negative counts",
        lambda: hs.estimate_arms(_with(crimes=-1), outcome="crimes"),
        match=r"panel\['crimes'\].*>= 0",
    ),
    Case(
        "estimate_arms",
        "covariate column missing",
        lambda: hs.estimate_arms(panel(), outcome="crimes", covariates="patrol"),
        match=r"missing column.*'patrol'",
    ),
    Case(
        "step_treatment",
        "no date column",
        lambda: hs.step_treatment(panel(), {1: "2024-01-01"}),
        match=r"missing column.*'date'",
    ),
    Case(
        "step_treatment",
        "ambiguous start date",
        lambda: hs.step_treatment(
            pd.DataFrame({"hotspot_id": [1], "date": pd.to_datetime(["2024-01-01"])}),
            {1: "01/02/2024"},
        ),
        match=r"`starts`.*day-first",
    ),
    Case(
        "simulate_arm_power",
        "a two-arm assignment",
        lambda: hs.simulate_arm_power(
            hs.assign_places(range(10), rng=1), place_means=[1] * 10, irrs={}
        ),
        match=r"`assignment` must be an ArmAssignment",
        raises=TypeError,
    ),
    Case(
        "simulate_arm_power",
        "rate ratio for an unknown arm",
        lambda: hs.simulate_arm_power(plan(), place_means=[1] * 30, irrs={"pop": 0.5}),
        match=r"`irrs`.*not among the arms",
    ),
    Case(
        "simulate_arm_power",
        "place means of the wrong length",
        lambda: hs.simulate_arm_power(plan(), place_means=[1] * 3, irrs={}),
        match=r"`place_means` must have shape \(30,\)",
    ),
    Case(
        "simulate_arm_power",
        "zero rate ratio",
        lambda: hs.simulate_arm_power(plan(), place_means=[1] * 30, irrs={"patrol": 0}),
        match=r"`irrs\['patrol'\]`.*> 0",
    ),
    Case(
        "simulate_arm_power",
        "Dunnett with all pairs",
        lambda: hs.simulate_arm_power(
            plan(), place_means=[1] * 30, irrs={}, comparisons="all", p_adjust="dunnett"
        ),
        match=r"`p_adjust` does not apply with comparisons='all'",
    ),
    Case(
        "simulate_arm_power",
        "unknown adjustment",
        lambda: hs.simulate_arm_power(plan(), place_means=[1] * 30, irrs={}, p_adjust="tukey"),
        match=r"`p_adjust` must be one of",
    ),
    Case(
        "simulate_arm_power",
        "no simulations",
        lambda: hs.simulate_arm_power(plan(), place_means=[1] * 30, irrs={}, n_simulations=0),
        match=r"`n_simulations`",
    ),
    Case(
        "evaluate_forces",
        "panels not a mapping",
        lambda: hs.evaluate_forces([panel()], outcome="crimes"),
        match=r"`panels` must be a mapping",
        raises=TypeError,
    ),
    Case(
        "evaluate_forces",
        "no panels",
        lambda: hs.evaluate_forces({}, outcome="crimes"),
        match=r"`panels` is empty",
    ),
    Case(
        "evaluate_forces",
        "one force",
        lambda: hs.evaluate_forces(
            {"A": panel()}, outcome="crimes", comparison=("patrol", "control")
        ),
        match=r"forces with an estimable effect.*>= 2",
    ),
    Case(
        "evaluate_forces",
        "every force without events",
        lambda: hs.evaluate_forces(
            {"A": _with(crimes=0), "B": _with(crimes=0)},
            outcome="crimes",
            comparison=("patrol", "control"),
        ),
        match=r"estimable effect.*got 0.*A: No effect can be estimated",
    ),
    Case(
        "evaluate_forces",
        "unknown comparison",
        lambda: hs.evaluate_forces(
            {"A": panel(), "B": panel()}, outcome="crimes", comparison=("pop", "control")
        ),
        match=r"`comparison`.*not among the comparisons",
    ),
    Case(
        "evaluate_forces",
        "unknown pooling method",
        lambda: hs.evaluate_forces({"A": panel(), "B": panel()}, outcome="crimes", method="ML"),
        match=r"`method` must be one of",
    ),
    Case(
        "evaluate_forces",
        "missing outcome column still raises",
        lambda: hs.evaluate_forces(
            {"A": panel(), "B": panel()}, outcome="harm", comparison=("patrol", "control")
        ),
        match=r"missing column.*'harm'",
    ),
    Case(
        "balance_table",
        "arm covariates missing places",
        lambda: hs.balance_table(plan(), pd.DataFrame({"x": range(10)})),
        match=r"not among `covariates.index`",
    ),
    # assign_days with arms
    Case(
        "assign_days",
        "one arm",
        lambda: hs.assign_days(range(9), start="2024-01-01", days=3, treated_per_day=3, arms=1),
        match=r"`arms` must be a whole number >= 2",
    ),
    Case(
        "assign_days",
        "repeated arm labels",
        lambda: hs.assign_days(
            range(9), start="2024-01-01", days=3, treated_per_day=3, arms=["c", "p", "p"]
        ),
        match=r"`arms`.*repeated|duplicate|unique",
    ),
    Case(
        "assign_days",
        "arms leave no control",
        lambda: hs.assign_days(range(9), start="2024-01-01", days=3, treated_per_day=3, arms=4),
        match=r"`treated_per_day`=3 leaves.*non-control arm",
    ),
    Case(
        "assign_days",
        "shares and treated_per_day",
        lambda: hs.assign_days(
            range(9), start="2024-01-01", days=3, treated_per_day=3, arms={"c": 1, "p": 1}
        ),
        match=r"`treated_per_day` does not apply with `arms` as a mapping",
    ),
    Case(
        "assign_days",
        "negative share",
        lambda: hs.assign_days(range(9), start="2024-01-01", days=3, arms={"c": 1, "p": -1}),
        match=r"`arms \(shares\)`",
    ),
    Case(
        "assign_days",
        "no treated_per_day without shares",
        lambda: hs.assign_days(range(9), start="2024-01-01", days=3, arms=3),
        match=r"`treated_per_day` is required",
    ),
    Case(
        "assign_days",
        "share too small for an arm",
        lambda: hs.assign_days(range(9), start="2024-01-01", days=3, arms={"c": 50, "p": 1}),
        match=r"smallest arm",
    ),
    Case(
        "estimate_arms",
        "unknown model",
        lambda: hs.estimate_arms(panel(), outcome="crimes", model="ols"),
        match=r"`model`.*'ols'",
    ),
    Case(
        "trial_report",
        "a two-arm effect for a three-arm allocation",
        lambda: hs.trial_report(
            plan(),
            effects=hs.estimate_effect(
                _with(treated=0 + (panel()["arm"] != "control")),
                outcome="crimes",
                design="parallel",
                # any two-arm effect will do; statsmodels 0.14.0 cannot invert the
                # negative binomial Hessian here (its dispersion estimate is near zero)
                model="poisson",
            ),
        ),
        match=r"`effects` must be ArmEffects.*reported arm by arm",
        raises=TypeError,
    ),
    Case(
        "trial_report",
        "effects on other arms",
        lambda: hs.trial_report(
            plan(),
            effects=hs.estimate_arms(
                _with(arm=np.where(panel()["arm"] == "control", "c", "p")), outcome="crimes"
            ),
        ),
        match=r"`effects` compares the arms \['c', 'p'\]",
    ),
    Case(
        "trial_report",
        "balance not a BalanceTable",
        lambda: hs.trial_report(
            plan(), effects=hs.estimate_arms(panel(), outcome="crimes"), balance=panel()
        ),
        match=r"`balance` must be a BalanceTable",
        raises=TypeError,
    ),
    Case(
        "trial_report",
        "compliance with several arms",
        lambda: hs.trial_report(
            plan(),
            effects=hs.estimate_arms(panel(), outcome="crimes"),
            compliance=hs.cace(
                _with(treated=0 + (panel()["arm"] != "control")).assign(
                    visited=lambda f: f["treated"]
                ),
                outcome="crimes",
                delivered="visited",
                design="parallel",
            ),
        ),
        match=r"`compliance` does not apply with a multi-arm trial",
    ),
]
