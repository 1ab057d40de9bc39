"""Bad inputs for randomised trials (names ``Case``, ``fx`` and ``hs`` are given)."""

from functools import cache

import numpy as np
import pandas as pd


@cache
def plan():
    return hs.assign_days(range(10), start="2024-01-01", days=20, treated_per_day=4, rng=1)


@cache
def panel():
    frame = plan().to_frame()
    rng = np.random.default_rng(2)
    frame["crimes"] = rng.poisson(np.where(frame["treated"] == 1, 0.6, 1.0))
    frame["visited"] = frame["treated"] * (rng.random(len(frame)) < 0.9)
    return frame


@cache
def places():
    return hs.assign_places(range(20), treated_share=0.5, rng=1)


@cache
def city_plan():
    return hs.assign_days(fx.city.hotspots, start=fx.city.start, days=30, treated_per_day=8, rng=1)


def _events(**changes):
    events = fx.city.events.copy()
    for column, value in changes.items():
        events[column] = value(events) if callable(value) else value
    return events


def _weak_panel():
    frame = panel().copy()  # dose barely moved by assignment: F well below 10, positive
    draw = np.random.default_rng(2).random(len(frame))
    frame["visited"] = (draw < 0.5 + 0.03 * frame["treated"]).astype(int)
    return frame


def early():
    frame = panel()
    return frame[frame["date"].dt.day <= 12].reset_index(drop=True)


def _flipped(frame):
    out = frame.copy()
    out.loc[out.index[:3], "treated"] = 1 - out.loc[out.index[:3], "treated"]
    return out


def _effect():
    return hs.estimate_effect(panel(), outcome="crimes")


CASES = [
    # assign_days
    Case(
        "assign_days",
        "ambiguous slash start",
        lambda: hs.assign_days(range(10), start="01/02/2024", days=5, treated_per_day=2),
        match=r"`start`.*day-first",
    ),
    Case(
        "assign_days",
        "start missing",
        lambda: hs.assign_days(range(10), start=None, days=5, treated_per_day=2),
        match=r"`start` is missing",
    ),
    Case(
        "assign_days",
        "start as a number",
        lambda: hs.assign_days(range(10), start=20240101, days=5, treated_per_day=2),
        match=r"`start`",
        raises=TypeError,
    ),
    Case(
        "assign_days",
        "dayfirst not a bool",
        lambda: hs.assign_days(
            range(10), start="01/02/2024", days=5, treated_per_day=2, dayfirst="yes"
        ),
        match=r"`dayfirst`",
        raises=TypeError,
    ),
    Case(
        "assign_days",
        "day-first start contradicted by dayfirst=False",
        lambda: hs.assign_days(
            range(10), start="31/01/2024", days=5, treated_per_day=2, dayfirst=False
        ),
        match=r"`start`.*cannot be month-first",
    ),
    Case(
        "assign_days",
        "zero days",
        lambda: hs.assign_days(range(10), start="2024-01-01", days=0, treated_per_day=2),
        match=r"`days`",
    ),
    Case(
        "assign_days",
        "more treated than places",
        lambda: hs.assign_days(range(10), start="2024-01-01", days=5, treated_per_day=10),
        match=r"`treated_per_day`",
    ),
    # assign_places
    Case(
        "assign_places",
        "share above 1",
        lambda: hs.assign_places(range(20), treated_share=1.5),
        match=r"treated_share",
    ),
    Case(
        "assign_places",
        "unknown design",
        lambda: hs.assign_places(range(20), design="coin"),
        match=r"`design`",
    ),
    Case(
        "assign_places",
        "duplicated place ids",
        lambda: hs.assign_places([1, 1, 2, 3]),
        match=r"`places` has repeated place ids",
    ),
    # balance_table
    Case(
        "balance_table",
        "covariates indexed by text ids",
        lambda: hs.balance_table(
            places(), pd.DataFrame({"baseline": np.arange(20.0)}, index=[str(i) for i in range(20)])
        ),
        match=r"covariates.index.*text on one side and numbers",
    ),
    Case(
        "balance_table",
        "negative threshold",
        lambda: hs.balance_table(
            places(), pd.DataFrame({"baseline": np.arange(20.0)}), threshold=-1
        ),
        match=r"threshold",
    ),
    Case(
        "balance_table",
        "ambiguous covariate dates",
        lambda: hs.balance_table(
            plan(),
            pd.DataFrame(
                {"hotspot_id": [0, 1], "date": ["01/02/2024", "02/01/2024"], "x": [1.0, 2.0]}
            ),
        ),
        match=r"`covariates\['date'\]`.*day-first",
    ),
    Case(
        "balance_table",
        "covariate place-days in another year",
        lambda: hs.balance_table(
            plan(),
            plan()
            .to_frame()
            .assign(date=lambda f: f["date"] - pd.Timedelta(days=400), x=1.0)
            .drop(columns=["treated", "block"], errors="ignore"),
        ),
        match=r"No place-days of `assignment \(place-days\)`",
    ),
    # buffer_rings
    Case(
        "buffer_rings",
        "negative width",
        lambda: hs.buffer_rings(fx.city.hotspots, widths_m=-50),
        match=r"widths_m",
    ),
    Case(
        "buffer_rings",
        "geographic CRS",
        lambda: hs.buffer_rings(fx.city.hotspots.to_crs(4326), widths_m=100),
        match=r"places",
    ),
    # cace
    Case(
        "cace",
        "duplicated place-days",
        lambda: hs.cace(
            pd.concat([panel(), panel().head(5)]), outcome="crimes", delivered="visited"
        ),
        match=r"`panel` has repeated place-day rows \(hotspot_id, date",
    ),
    Case(
        "cace",
        "weak first stage",
        lambda: hs.cace(_weak_panel(), outcome="crimes", delivered="visited"),
        match=r"Weak first stage: F = [0-9.e+-]+ is below 10",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "cace",
        "negative first stage",
        lambda: hs.cace(
            panel().assign(visited=lambda f: 1 - f["treated"]),
            outcome="crimes",
            delivered="visited",
        ),
        match=r"first stage is negative \(-1\)",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "cace",
        "dose column missing",
        lambda: hs.cace(panel(), outcome="crimes", delivered="minutes"),
        match=r"minutes",
    ),
    Case(
        "cace",
        "confidence above 1",
        lambda: hs.cace(panel(), outcome="crimes", delivered="visited", confidence=95),
        match=r"`confidence`",
    ),
    # count_effect_size
    Case(
        "count_effect_size",
        "three counts, not before/after",
        lambda: hs.count_effect_size(treated=[10, 8, 3], control=[12, 14, 2]),
        match=r"`treated` must have shape \(k, 2\)",
    ),
    Case(
        "count_effect_size",
        "NaN control",
        lambda: hs.count_effect_size(treated=[10, 8], control=[12, np.nan]),
        match=r"control",
    ),
    # estimate_effect
    Case(
        "estimate_effect",
        "duplicated place-days",
        lambda: hs.estimate_effect(pd.concat([panel(), panel().head(4)]), outcome="crimes"),
        match=r"`panel` has repeated place-day rows",
    ),
    Case(
        "estimate_effect",
        "duplicated places in a parallel design",
        lambda: hs.estimate_effect(
            pd.DataFrame(
                {
                    "place": [0, 1, 2, 3, 0, 1],
                    "treated": [1, 0, 1, 0, 1, 0],
                    "crimes": [3, 5, 2, 6, 3, 5],
                }
            ),
            outcome="crimes",
            design="parallel",
            place="place",
        ),
        match=r"`panel` has repeated place rows",
    ),
    Case(
        "estimate_effect",
        "treatment coded 1/2",
        lambda: hs.estimate_effect(
            panel().assign(treated=lambda f: f["treated"] + 1), outcome="crimes"
        ),
        match=r"`panel\['treated'\]`",
    ),
    Case(
        "estimate_effect",
        "ambiguous panel dates with carryover",
        lambda: hs.estimate_effect(
            early().assign(date=lambda f: f["date"].dt.strftime("%d/%m/%Y")),
            outcome="crimes",
            carryover=1,
        ),
        match=r"`panel\['date'\]`.*day-first",
    ),
    Case(
        "estimate_effect",
        "confidence of 95",
        lambda: hs.estimate_effect(panel(), outcome="crimes", confidence=95),
        match=r"`confidence`",
    ),
    # estimate_effects
    Case(
        "estimate_effects",
        "unknown adjustment",
        lambda: hs.estimate_effects(panel(), outcomes=["crimes"], p_adjust="magic"),
        match=r"`p_adjust`",
    ),
    Case(
        "estimate_effects",
        "duplicated place-days",
        lambda: hs.estimate_effects(
            pd.concat([panel(), panel().head(3)]), outcomes=["crimes", "visited"]
        ),
        match=r"repeated place-day rows",
    ),
    # meta_analysis
    Case(
        "meta_analysis",
        "negative variance",
        lambda: hs.meta_analysis([-0.2, -0.1], variances=[0.01, -0.02]),
        match=r"variances",
    ),
    Case(
        "meta_analysis",
        "unknown method",
        lambda: hs.meta_analysis([-0.2, -0.1], variances=[0.01, 0.02], method="magic"),
        match=r"`method`",
    ),
    # minimum_detectable_effect
    Case(
        "minimum_detectable_effect",
        "zero places",
        lambda: hs.minimum_detectable_effect(n=0, control_rate=2.0),
        match=r"`n`",
    ),
    Case(
        "minimum_detectable_effect",
        "power above 1",
        lambda: hs.minimum_detectable_effect(n=50, control_rate=2.0, power=80),
        match=r"`power`",
    ),
    # randomization_test
    Case(
        "randomization_test",
        "treated column not the assignment",
        lambda: hs.randomization_test(
            _flipped(panel()), outcome="crimes", assignment=plan(), n_permutations=99, rng=1
        ),
        match=r"`panel\['treated'\]` disagrees with `assignment` on 3 of 200 units",
    ),
    Case(
        "randomization_test",
        "panel of another assignment",
        lambda: hs.randomization_test(
            panel().assign(
                treated=hs.assign_days(
                    range(10), start="2024-01-01", days=20, treated_per_day=4, rng=9
                ).to_frame()["treated"]
            ),
            outcome="crimes",
            assignment=plan(),
            n_permutations=99,
            rng=1,
        ),
        match=r"`panel\['treated'\]` disagrees with `assignment`",
    ),
    Case(
        "randomization_test",
        "too few permutations",
        lambda: hs.randomization_test(
            panel(), outcome="crimes", assignment=plan(), n_permutations=5
        ),
        match=r"`n_permutations`",
    ),
    Case(
        "randomization_test",
        "assignment is a frame",
        lambda: hs.randomization_test(panel(), outcome="crimes", assignment=plan().to_frame()),
        match=r"`assignment`",
        raises=TypeError,
    ),
    Case(
        "randomization_test",
        "ambiguous panel dates",
        lambda: hs.randomization_test(
            panel().assign(
                date=lambda f: (
                    f["date"].dt.strftime("%d/%m/%Y").where(f["date"].dt.day <= 12, "01/01/2024")
                )
            ),
            outcome="crimes",
            assignment=plan(),
            n_permutations=99,
        ),
        match=r"`panel\['date'\]`.*day-first",
    ),
    # sample_size
    Case(
        "sample_size",
        "one arm",
        lambda: hs.sample_size(control_rate=2.0, irr=0.8, n_arms=1),
        match=r"`n_arms` must be a whole number >= 2",
    ),
    Case(
        "sample_size",
        "unknown adjustment",
        lambda: hs.sample_size(control_rate=2.0, irr=0.8, n_arms=3, p_adjust="holm"),
        match=r"`p_adjust`.*'holm'",
    ),
    Case(
        "sample_size",
        "unknown allocation",
        lambda: hs.sample_size(control_rate=2.0, irr=0.8, allocation="sqrt"),
        match=r"`allocation`.*'sqrt'",
    ),
    Case(
        "sample_size",
        "pairs with three arms",
        lambda: hs.sample_size(control_rate=2.0, irr=0.8, design="pair", n_arms=3),
        match=r"`n_arms` does not apply with design='pair'",
    ),
    Case(
        "sample_size",
        "treated share of a parallel design",
        lambda: hs.sample_size(control_rate=2.0, irr=0.8, treated_share=0.3),
        match=r"`treated_share` does not apply with design='parallel'",
    ),
    Case(
        "sample_size",
        "crossover arms leave no control",
        lambda: hs.sample_size(
            control_rate=2.0, irr=0.8, design="crossover", n_arms=3, treated_share=0.5
        ),
        match=r"leaves no control place-days",
    ),
    Case(
        "sample_size",
        "no effect to detect",
        lambda: hs.sample_size(control_rate=2.0, irr=1.0),
        match=r"`irr`",
    ),
    Case(
        "sample_size",
        "negative control rate",
        lambda: hs.sample_size(control_rate=-1.0, irr=0.8),
        match=r"`control_rate`",
    ),
    # simulate_power
    Case(
        "simulate_power",
        "place means of the wrong length",
        lambda: hs.simulate_power(plan(), place_means=[1.0, 2.0], irr=0.8, n_simulations=10),
        match=r"`place_means`",
    ),
    Case(
        "simulate_power",
        "irr of zero",
        lambda: hs.simulate_power(plan(), place_means=np.ones(10), irr=0.0, n_simulations=10),
        match=r"`irr`",
    ),
    # trial_panel
    Case(
        "trial_panel",
        "place ids as text against numbers",
        lambda: hs.trial_panel(
            _events(hotspot_id=lambda e: e["hotspot_id"].astype(str)), city_plan()
        ),
        match=r"No events of `events\['hotspot_id'\]` match `schedule.place_ids`.*text on one side",
    ),
    Case(
        "trial_panel",
        "events all before the trial",
        lambda: hs.trial_panel(
            _events(timestamp=lambda e: e["timestamp"] - pd.Timedelta(days=400)), city_plan()
        ),
        match=r"No events at the trial's places of `events\['timestamp'\]` match `schedule.dates`",
    ),
    Case(
        "trial_panel",
        "ambiguous slash dates",
        lambda: hs.trial_panel(
            _events(
                timestamp=lambda e: (
                    e["timestamp"]
                    .dt.strftime("%d/%m/%Y %H:%M")
                    .where(e["timestamp"].dt.day <= 12, "01/01/2024 10:00")
                )
            ),
            city_plan(),
        ),
        match=r"`events\['timestamp'\]`.*day-first and month-first",
    ),
    Case(
        "trial_panel",
        "most place ids unknown",
        lambda: hs.trial_panel(
            _events(
                hotspot_id=lambda e: e["hotspot_id"].where(
                    e["hotspot_id"] < 4, e["hotspot_id"] + 100
                )
            ),
            city_plan(),
        ),
        match=r"\d+ of \d+ events \(\d+%\) have a `events\['hotspot_id'\]`",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "trial_panel",
        "schedule is a frame",
        lambda: hs.trial_panel(fx.city.events, city_plan().to_frame()),
        match=r"`schedule`",
        raises=TypeError,
    ),
    Case(
        "trial_panel",
        "place ids mixing text and numbers",
        lambda: hs.trial_panel(
            _events(
                hotspot_id=lambda e: (
                    e["hotspot_id"]
                    .astype(object)
                    .where(e.index % 2 == 0, e["hotspot_id"].astype(str))
                )
            ),
            city_plan(),
        ),
        match=r"`events\['hotspot_id'\]` mixes text and numbers",
    ),
    # trial_report
    Case(
        "trial_report",
        "effects of the wrong type",
        lambda: hs.trial_report(plan(), effects="big"),
        match=r"`effects`",
        raises=TypeError,
    ),
    Case(
        "trial_report",
        "fewer assessed than randomised",
        lambda: hs.trial_report(plan(), effects=_effect(), n_assessed=3),
        match=r"`n_assessed`",
    ),
    # wdd
    Case(
        "wdd",
        "target not a before/after pair",
        lambda: hs.wdd(target=[10, 8, 3], control=[12, 11]),
        match=r"`target`",
    ),
    Case(
        "wdd",
        "confidence of zero",
        lambda: hs.wdd(target=[10, 8], control=[12, 11], confidence=0),
        match=r"`confidence`",
    ),
    # wdq
    Case(
        "wdq",
        "negative buffer count",
        lambda: hs.wdq(target=[10, 8], buffer=[5, -1], control=[20, 19]),
        match=r"`buffer`",
    ),
    Case(
        "wdq",
        "control of the wrong shape",
        lambda: hs.wdq(target=[10, 8], buffer=[5, 4], control=[20]),
        match=r"`control`",
    ),
    # adjust_pvalues
    Case(
        "adjust_pvalues",
        "p-value above 1",
        lambda: hs.adjust_pvalues([0.01, 1.5]),
        match=r"p_values",
    ),
    Case(
        "adjust_pvalues",
        "unknown method",
        lambda: hs.adjust_pvalues([0.01], method="magic"),
        match=r"`method`",
    ),
]
