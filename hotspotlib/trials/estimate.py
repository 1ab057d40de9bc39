"""Effect of patrol in a randomised trial: IRR, % change, CI, p-value, Cohen's d.

Poisson models with one or two sets of fixed effects (with or without carryover lags
and a baseline) are fitted with the fixed effects absorbed (eliminated exactly; same
coefficients and cluster-robust errors as indicator columns, in a fraction of the time
and memory). Other fits are statsmodels with fixed effects as indicator columns:
negative binomial, OLS, a Poisson GEE, or Poisson with more than two sets. Parallel
designs compare places; crossover designs compare place-days with place and day fixed
effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from hotspotlib._options import EffectModel, TrialDesign
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_finite,
    require_probability,
)
from hotspotlib.trials._common import ReadOnlyDict
from hotspotlib.trials._design import (
    as_names,
    check_outcome,
    check_treatment,
    describe,
    dummies,
    lag_matrix,
    place_column,
    place_day_grid,
    refuse_repeated_units,
    zero_groups,
)
from hotspotlib.trials._fitting import (
    absorbed_terms,
    add_ratios,
    check_arms,
    choose_model,
    effect_terms,
    fit_model,
)
from hotspotlib.trials.effect import TrialEffect

if TYPE_CHECKING:
    pass

__all__ = ["TrialEffect", "estimate_effect"]  # TrialEffect lives in effect.py

_D_FACTOR = np.sqrt(3.0) / np.pi  # logistic conversion of a log odds ratio to d


def estimate_effect(
    panel: pd.DataFrame,
    *,
    outcome: str,
    treatment: str = "treated",
    design: TrialDesign = "crossover",
    model: EffectModel | Literal["auto"] = "auto",
    baseline: str | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    cluster: str | None = None,
    place: str | None = None,
    time: str = "date",
    carryover: int = 0,
    washout: int = 0,
    confidence: float = 0.95,
) -> TrialEffect:
    """Estimate the effect of (assigned) patrol on an outcome: intention to treat.

    Parameters
    ----------
    panel : pandas.DataFrame
        Crossover: one row per place-day (e.g. :func:`trial_panel`). Parallel: one row
        per place (outcome summed over the trial period).
    outcome : str
        Count (crimes) or harm column.
    treatment : str
        0/1 column of the *assigned* arm.
    design : {"crossover", "parallel"}
        Crossover defaults: place and day fixed effects and standard errors clustered by
        place. Parallel defaults: no fixed effects, no clustering.
    model : {"auto", "poisson", "negbin", "ols", "mixed"}
        ``"auto"``: Poisson for crossovers (place and day fixed effects; with
        cluster-robust errors it is valid whatever the variance, the usual choice for
        fixed-effects count panels); negative binomial (NB2, dispersion estimated) for
        parallel count outcomes; for non-integer, heavy-tailed outcomes such as harm
        sums, Poisson quasi-likelihood with robust (sandwich) errors in both designs.
        ``"mixed"``: a Poisson GEE with exchangeable correlation within place
        (population-averaged counterpart of a random-intercept model; robust errors).
        ``"ols"``: a linear model; the effect is a difference in means and the IRR is
        ``(control mean + effect) / control mean`` with the control mean held fixed.
    baseline : str, optional
        Pre-period count column; ``log(baseline + 1)`` enters as a covariate.
    fixed_effects : str or sequence of str, optional
        Columns entered as fixed effects (absorbed for Poisson with one or two of them,
        else indicator columns with the first level as the reference). Crossover
        default: ``[place, time]``; pass ``[]`` for none.
    cluster : str, optional
        Column to cluster standard errors by (CRV1 with the small-sample factor
        G/(G-1)*(N-1)/(N-K), as statsmodels). Crossover default: ``place``. Without
        clusters: model-based errors for NB and OLS, HC1 sandwich (factor n/(n-K)) for
        Poisson.
    place : str, optional
        Place id column. Default: ``panel.attrs["place_column"]`` (set by
        :meth:`DayAssignment.to_frame` and :func:`trial_panel`), else ``"hotspot_id"``.
    time : str
        Date column (crossover).
    carryover : int
        Number of lagged-treatment terms (``carryover_lag1`` ...) for residual
        deterrence in crossovers; days before the panel count as unpatrolled.
    washout : int
        Leave out control place-days 1..``washout`` days after that place's last
        patrol day, so residual deterrence does not dilute the contrast. Not combined
        with ``carryover``: the washout removes exactly the control days the lag terms
        are estimated from.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    TrialEffect
        IRR, % change, CI, two-sided p-value, Cohen's d and the model record.

    Raises
    ------
    ValueError
        Besides bad input: an arm whose analysed outcome is zero throughout (complete
        separation: the IRR would be 0 or infinite), or a log IRR beyond +-20.

    Notes
    -----
    p-values and intervals are two-sided Wald: normal reference for the count models
    (as statsmodels), Student t for OLS with ``n - K`` degrees of freedom, or
    ``G - 1`` with clustered errors (G clusters). For few clusters or heavy-tailed
    harm, confirm with :func:`randomization_test`. Places (or days) whose outcome is
    zero throughout contribute nothing to a fixed-effects count model and are left
    out (counted in ``n_dropped``). Rows are matched by position, so any index
    (duplicated, unsorted) is fine; a repeated unit (the same place and ``time`` in a
    crossover, the same place in a parallel design) is refused, since it would count
    one observation twice and shrink the p-value.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hotspotlib as hs
    >>> plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    >>> panel = plan.to_frame()
    >>> rate = np.where(panel["treated"] == 1, 0.5, 1.0)
    >>> panel["crimes"] = np.random.default_rng(2).poisson(rate)
    >>> effect = hs.estimate_effect(panel, outcome="crimes")
    >>> round(effect.irr, 2), effect.p_value < 0.001
    (0.51, True)
    """
    check_option(design, TrialDesign, name="design")
    check_option(model, ("auto", *EffectModel.__args__), name="model")  # type: ignore[attr-defined]
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"`panel` must be a pandas DataFrame; got {type(panel).__name__}.")
    level = require_probability(confidence, name="confidence")
    for name, value in (("carryover", carryover), ("washout", washout)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"`{name}` must be a whole number >= 0; got {value!r}.")
    if design == "parallel" and (carryover or washout):
        raise ValueError("`carryover` and `washout` apply to crossover designs only.")
    if carryover and washout:
        raise ValueError(
            f"Give `carryover` ({carryover}) or `washout` ({washout}), not both: the washout "
            "drops the control days just after a patrol, which are the days the carryover "
            "lag terms are estimated from, so the lags would no longer measure residual "
            "deterrence. Use carryover to estimate it, or washout to set it aside."
        )
    place = place_column(panel, place)
    panel = panel.reset_index(drop=True)  # rows by position: any index will do
    y = check_outcome(panel, outcome, counts=model != "ols")
    z = check_treatment(panel, treatment)
    refuse_repeated_units(
        panel,
        place=place,
        time=time,
        design=design,
        fixed_effects=fixed_effects,
        cluster=cluster,
    )
    notes: list[str] = []
    chosen = choose_model(model, design, y, notes)
    crossover = design == "crossover"
    effects = (
        as_names(fixed_effects)
        if fixed_effects is not None
        else ([place, time] if crossover and chosen != "mixed" else ([time] if crossover else []))
    )
    cluster_by = cluster if cluster is not None else (place if crossover else None)
    needed = [c for c in [*effects, cluster_by, baseline] if c is not None]
    require_columns(panel, needed, name="panel")
    for name in {*effects, *([cluster_by] if cluster_by else [])}:
        missing = int(panel[name].isna().sum())
        if missing:
            raise ValueError(
                f"`panel[{name!r}]` has {missing} missing values; fixed-effect and cluster "
                "columns need a value on every row. Fill or drop those rows first."
            )

    columns: dict[str, np.ndarray] = {"const": np.ones(len(y)), "treatment": z}
    keep = np.ones(len(y), dtype=bool)
    if crossover and (carryover or washout):
        codes, day, n_places, n_days = place_day_grid(panel, place=place, time=time)
        lagged, since = lag_matrix(z, codes, day, n_places, n_days, carryover)
        for lag in range(carryover):
            columns[f"carryover_lag{lag + 1}"] = lagged[:, lag]
        if washout:
            in_washout = (z == 0) & (since <= washout)
            keep &= ~in_washout
            notes.append(
                f"Washout: {int(in_washout.sum())} control place-days within {washout} day(s) "
                "after a patrol day were left out."
            )
    if baseline is not None:
        pre = require_finite(panel[baseline], name=f"panel[{baseline!r}]")
        if (pre < 0).any():
            raise ValueError(f"`panel[{baseline!r}]` has negative values; baselines are counts.")
        columns["log_baseline"] = np.log1p(pre)
    if chosen != "ols":
        for name in effects:  # groups with no events carry no information on the effect
            zero = zero_groups(np.where(keep, y, 0.0), panel[name]) & keep
            if zero.any():
                keep &= ~zero
                notes.append(
                    f"{int(zero.sum())} rows left out: their {name} group has no events "
                    "(zero throughout), so it carries no information in a count model."
                )
        check_arms(y[keep], z[keep], outcome)
    groups = None
    if cluster_by is not None:
        groups = pd.factorize(panel.loc[keep, cluster_by])[0]
    elif chosen == "mixed":
        groups = pd.factorize(panel.loc[keep, place])[0] if place in panel else None
        if groups is None:
            raise ValueError("`model='mixed'` needs a `cluster` (or `place`) column to group by.")
    yk, zk = y[keep], z[keep]
    if chosen == "poisson" and 1 <= len(effects) <= 2:
        codes_by_effect = [pd.factorize(panel.loc[keep, name])[0] for name in effects]
        regressors = {name: values[keep] for name, values in columns.items() if name != "const"}
        terms = absorbed_terms(yk, regressors, codes_by_effect, groups, level, notes)
        cov_type = "cluster" if groups is not None else "HC1"
    else:
        frame = pd.DataFrame(columns).loc[keep]
        for name in effects:
            frame = frame.join(dummies(panel.loc[keep, name], prefix=name))
        fit, cov_type = fit_model(chosen, yk, frame, groups, notes)
        terms = effect_terms(fit, frame, level, chosen)
    terms = add_ratios(terms, chosen, yk, zk)
    treated, control = yk[zk == 1], yk[zk == 0]
    if len(treated) == 0 or len(control) == 0:
        raise ValueError("After leaving out uninformative rows one arm is empty; no effect.")
    pooled = np.sqrt(
        ((len(treated) - 1) * treated.var(ddof=1) + (len(control) - 1) * control.var(ddof=1))
        / max(len(yk) - 2, 1)
    )
    d = float((control.mean() - treated.mean()) / pooled) if pooled > 0 else float("nan")
    se = float(terms.loc["treatment", "std_error"])
    if chosen != "ols":
        log_ratio, scale_se = float(terms.loc["treatment", "estimate"]), se
    elif control.mean() > 0 and terms.loc["treatment", "irr"] > 0:
        log_ratio = float(np.log(terms.loc["treatment", "irr"]))
        scale_se = se / control.mean()
    else:  # no ratio scale for a zero control mean or a negative implied ratio
        log_ratio = scale_se = float("nan")
    notes.append(
        "IRR = exp(coefficient); % change = 100 (IRR - 1); p-values two-sided. Cohen's d = "
        "(control mean - treated mean) / pooled SD (positive = less crime with patrol)."
    )
    return TrialEffect(
        outcome=outcome,
        design=design,
        model=chosen,
        scale="difference" if chosen == "ols" else "log_rate_ratio",
        _terms=terms,
        cohens_d=d,
        d_from_log_ratio=-log_ratio * _D_FACTOR,
        d_variance=scale_se**2 * _D_FACTOR**2,
        control_mean=float(control.mean()),
        treated_mean=float(treated.mean()),
        n_obs=int(keep.sum()),
        n_treated=len(treated),
        n_control=len(control),
        n_groups=int(len(np.unique(groups))) if groups is not None else int(keep.sum()),
        n_dropped=int((~keep).sum()),
        parameters=ReadOnlyDict(
            {
                "fixed_effects": describe(effects),
                "cluster": cluster_by or "none",
                "cov_type": cov_type,
                "carryover_lags": carryover,
                "washout_days": washout,
                "baseline": baseline or "none",
                "confidence": level,
            }
        ),
        notes=tuple(notes),
    )
