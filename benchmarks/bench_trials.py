"""Trials: randomisation inference and simulated power against straightforward loops."""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

import hotspotlib as hs
from benchmarks._timing import median_seconds, report


def _southend_panel() -> tuple[hs.DayAssignment, pd.DataFrame]:
    plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(2)
    place = rng.lognormal(0, 0.7, 20)
    panel["crimes"] = rng.poisson(place[panel["hotspot_id"]] * np.where(panel["treated"], 0.7, 1))
    return plan, panel


def _loop_randomization(panel: pd.DataFrame, n_draws: int) -> float:
    """The usual loop: re-draw each day with rng.choice, recompute the mean difference."""
    rng = np.random.default_rng(0)
    y = panel["crimes"].to_numpy(float).reshape(20, 90)
    observed = y[panel["treated"].to_numpy().reshape(20, 90) == 1].mean() - y.mean()
    extreme = 0
    for _ in range(n_draws):
        z = np.zeros((20, 90), dtype=bool)
        for day in range(90):
            z[rng.choice(20, size=8, replace=False), day] = True
        stat = y[z].mean() - y[~z].mean()
        extreme += abs(stat) >= abs(observed)
    return (1 + extreme) / (n_draws + 1)


def _loop_power(plan: hs.DayAssignment, n_sims: int) -> None:
    """Power by simulation with one statsmodels GLM fit per simulated trial."""
    rng = np.random.default_rng(0)
    frame = plan.to_frame()
    dummies = pd.get_dummies(
        frame[["hotspot_id", "date"]].astype(str), drop_first=True, dtype=float
    )
    for _ in range(n_sims):
        z = plan.redraw(1, rng=rng).reshape(-1).astype(float)
        y = rng.poisson(0.5 * 0.8**z)
        x = np.column_stack([np.ones(len(z)), z, dummies.to_numpy()])
        sm.GLM(y, x, family=sm.families.Poisson()).fit(
            cov_type="cluster", cov_kwds={"groups": frame["hotspot_id"].to_numpy()}
        )


def main() -> None:
    plan, panel = _southend_panel()
    ours = median_seconds(
        lambda: hs.randomization_test(
            panel,
            outcome="crimes",
            assignment=plan,
            n_permutations=10_000,
            statistic="mean_difference",
            confidence=None,
            rng=3,
        ),
        repeat=3,
    )
    with_ci = median_seconds(
        lambda: hs.randomization_test(
            panel, outcome="crimes", assignment=plan, n_permutations=10_000, rng=3
        ),
        repeat=3,
    )
    loop = median_seconds(lambda: _loop_randomization(panel, 200), repeat=1, warmup=0) * 50
    report(
        "randomization_test: 10,000 re-draws of a 20 x 90 crossover",
        [
            {
                "hotspotlib_s": ours,
                "hotspotlib_with_ci_s": with_ci,
                "loop_s (scaled from 200)": loop,
                "speed-up": loop / ours,
                "target": "< 1 s",
            }
        ],
    )
    sims = median_seconds(
        lambda: hs.simulate_power(
            plan, place_means=[0.5] * 20, irr=0.8, n_simulations=1_000, rng=4
        ),
        repeat=3,
    )
    glm = median_seconds(lambda: _loop_power(plan, 10), repeat=1, warmup=0) * 100
    report(
        "simulate_power: 1,000 simulated crossovers, Poisson FE + cluster SE",
        [
            {
                "hotspotlib_s": sims,
                "statsmodels_loop_s (scaled from 10)": glm,
                "speed-up": glm / sims,
            }
        ],
    )
    year = hs.assign_days(range(60), start="2020-01-01", days=365, treated_per_day=20, rng=1)
    big = year.to_frame()
    big["crimes"] = np.random.default_rng(1).poisson(np.where(big["treated"] == 1, 0.2, 0.3))
    effect = median_seconds(lambda: hs.estimate_effect(big, outcome="crimes"), repeat=3)
    small_glm = median_seconds(lambda: _glm_with_indicators(panel), repeat=3)
    report(
        "estimate_effect: Poisson, place and day effects, cluster SE",
        [
            {
                "hotspotlib_60x365_s": effect,
                "statsmodels_indicators_20x90_s": small_glm,
                "target": "60 x 365 < 0.5 s",
            }
        ],
    )


def _glm_with_indicators(panel: pd.DataFrame) -> None:
    """The same model with one indicator column per place and day (statsmodels)."""
    frame = pd.get_dummies(panel[["hotspot_id", "date"]].astype(str), drop_first=True, dtype=float)
    x = np.column_stack([np.ones(len(panel)), panel["treated"], frame.to_numpy()])
    sm.GLM(panel["crimes"].to_numpy(float), x, family=sm.families.Poisson()).fit(
        cov_type="cluster", cov_kwds={"groups": panel["hotspot_id"].to_numpy()}
    )


if __name__ == "__main__":
    main()
