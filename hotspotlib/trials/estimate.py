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
from typing import Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._options import EffectModel, TrialDesign
from hotspotlib._validation import (
    check_option,
    require_probability,
    require_relevant,
    require_type,
    require_whole,
)
from hotspotlib.trials._design import (
    check_outcome,
    check_treatment,
    describe,
    refuse_repeated_units,
    require_estimable,
)
from hotspotlib.trials._estimation import (
    fit_terms,
    groups_of,
    informative_rows,
    regressors,
    specification,
)
from hotspotlib.trials._fitting import (
    add_ratios,
    choose_model,
)
from hotspotlib.trials.effect import TrialEffect

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
    place: str = PLACE,
    date: str = "date",
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
        default: ``[place, date]``; pass ``[]`` for none.
    cluster : str, optional
        Column to cluster standard errors by (CRV1 with the small-sample factor
        G/(G-1)*(N-1)/(N-K), as statsmodels). Crossover default: ``place``. Without
        clusters: model-based errors for NB and OLS, HC1 sandwich (factor n/(n-K)) for
        Poisson.
    place : str
        Place id column (:attr:`DayAssignment.place_column` names the one
        :meth:`DayAssignment.to_frame` writes).
    date : str
        The panel's day column (crossover).
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

    See Also
    --------
    TrialEffect : The returned effect.
    randomization_test : Design-based confirmation of the p-value.
    cace : The effect of patrol actually delivered.
    estimate_effects : Several outcomes with adjusted p-values.

    Notes
    -----
    p-values and intervals are two-sided Wald: normal reference for the count models
    (as statsmodels), Student t for OLS with ``n - K`` degrees of freedom, or
    ``G - 1`` with clustered errors (G clusters). For few clusters or heavy-tailed
    harm, confirm with :func:`randomization_test`. Places (or days) whose outcome is
    zero throughout contribute nothing to a fixed-effects count model and are left
    out (counted in ``n_dropped``). Rows are matched by position, so any index
    (duplicated, unsorted) is fine; a repeated unit (the same place and ``date`` in a
    crossover, the same place in a parallel design) is refused, since it would count
    one observation twice and shrink the p-value.

    Model fits run with one BLAS thread, the caller's limits restored afterwards: on 2
    cores with two busy processes, the GEE fit (``model="mixed"``) of a 20 x 90
    crossover took 0.16 s with one thread and 0.73 s with OpenBLAS's default of one
    per core, the Poisson fit with place and day effects on 60 places x 365 days 0.08 s
    and 0.12 s (``python -m benchmarks threads``).

    References
    ----------
    .. [1] Sherman, L. W. and Weisburd, D. (1995). General deterrent effects of police
       patrol in crime "hot spots": a randomized, controlled trial. Justice Quarterly 12(4),
       625-648. https://doi.org/10.1080/07418829500096221
    .. [2] Braga, A. A., Turchan, B., Papachristos, A. V. and Hureau, D. M. (2019). Hot
       spots policing of small geographic areas effects on crime. Campbell Systematic
       Reviews 15(3), e1046. https://doi.org/10.1002/cl2.1046
    .. [3] Cameron, A. C. and Trivedi, P. K. (2013). Regression Analysis of Count Data. 2nd
       ed. Cambridge University Press.

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
    level = _check_options(panel, design, model, carryover, washout, confidence)
    panel = panel.reset_index(drop=True)  # rows by position: any index will do
    y = check_outcome(panel, outcome, counts=model != "ols")
    z = check_treatment(panel, treatment)
    refuse_repeated_units(
        panel, place=place, date=date, design=design, fixed_effects=fixed_effects, cluster=cluster
    )
    chosen, model_notes = choose_model(model, design, y)
    effects, cluster_by = specification(
        panel,
        design,
        chosen,
        place=place,
        date=date,
        fixed_effects=fixed_effects,
        cluster=cluster,
        baseline=baseline,
    )
    columns, keep, washout_notes = regressors(
        panel,
        z,
        design,
        baseline=baseline,
        place=place,
        date=date,
        carryover=carryover,
        washout=washout,
    )
    keep, dropped_notes = informative_rows(y, keep, panel, effects, chosen)
    require_estimable(
        y[keep],
        z[keep],
        outcome=outcome,
        treatment=treatment,
        separation=chosen != "ols",
        context=" after leaving out uninformative rows",
    )
    groups = groups_of(panel, keep, chosen, cluster_by, place)
    terms, cov_type, fit_notes = fit_terms(
        chosen, y[keep], panel.loc[keep], columns, keep, effects, groups, level
    )
    parameters = {
        "outcome": outcome,
        "treatment": treatment,
        "design": design,
        "model": chosen,
        "place": place,
        "date": date,
        "fixed_effects": describe(effects),
        "cluster": cluster_by or "none",
        "cov_type": cov_type,
        "carryover_lags": carryover,
        "washout_days": washout,
        "baseline": baseline or "none",
        "confidence": level,
    }
    notes = [*model_notes, *washout_notes, *dropped_notes, *fit_notes, _CONVENTIONS]
    return _result(terms, y[keep], z[keep], groups, keep, parameters, notes)


_CONVENTIONS = (
    "IRR = exp(coefficient); % change = 100 (IRR - 1); p-values two-sided. Cohen's d = "
    "(control mean - treated mean) / pooled SD (positive = less crime with patrol)."
)


def _check_options(
    panel: pd.DataFrame, design: str, model: str, carryover: int, washout: int, confidence: float
) -> float:
    """Check the options of :func:`estimate_effect`; return the confidence level."""
    check_option(design, TrialDesign, name="design")
    check_option(model, ("auto", *EffectModel.__args__), name="model")  # type: ignore[attr-defined]
    require_type(panel, pd.DataFrame, name="panel", expected="a pandas DataFrame")
    level = require_probability(confidence, name="confidence")
    for name, value in (("carryover", carryover), ("washout", washout)):
        require_whole(value, name=name, minimum=0)
        require_relevant(
            value,
            name=name,
            used=design == "crossover",
            context="with design='parallel'",
            fix="Carryover and washout apply to crossover designs only.",
        )
    require_relevant(
        washout,
        name="washout",
        used=not carryover,
        context=f"together with carryover={carryover}",
        fix="The washout drops the control days just after a patrol, which are the days "
        "the carryover lag terms are estimated from, so the lags would no longer measure "
        "residual deterrence. Use carryover to estimate it, or washout to set it aside.",
    )
    return level


def _result(
    terms: pd.DataFrame,
    yk: NDArray[np.float64],
    zk: NDArray[np.float64],
    groups: NDArray[np.int64] | None,
    keep: NDArray[np.bool_],
    parameters: dict[str, Any],
    notes: list[str],
) -> TrialEffect:
    """Assemble the result: ratios, Cohen's d and the counts of rows used."""
    chosen = parameters["model"]
    terms = add_ratios(terms, chosen, yk, zk)
    treated, control = yk[zk == 1], yk[zk == 0]
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
    return TrialEffect(
        outcome=parameters["outcome"],
        design=parameters["design"],
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
        parameters=parameters,
        notes=tuple(notes),
    )
