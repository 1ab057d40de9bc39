"""Effect of patrol in a randomised trial: IRR, % change, CI, p-value, Cohen's d.

Fits are statsmodels GLMs (Poisson, negative binomial), OLS or a Poisson GEE, with
fixed effects as indicator columns and cluster-robust covariance where the design
needs it. Parallel designs compare places; crossover designs compare place-days with
place and day fixed effects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from hotspotlib._options import EffectModel, TrialDesign
from hotspotlib._summary import Summary
from hotspotlib._validation import check_option, require_columns, require_finite
from hotspotlib.trials._design import (
    as_names,
    check_outcome,
    check_treatment,
    describe,
    dummies,
    lag_matrix,
    place_day_grid,
    zero_groups,
)
from hotspotlib.trials._fitting import choose_model, effect_terms, fit_model

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TrialEffect", "estimate_effect"]

_D_FACTOR = np.sqrt(3.0) / np.pi  # logistic conversion of a log odds ratio to d


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialEffect:
    """The estimated effect of patrol on one outcome.

    Attributes
    ----------
    outcome, design, model : str
        What was estimated and how.
    scale : str
        ``"log_rate_ratio"`` (Poisson, negative binomial, GEE) or ``"difference"`` (OLS).
    terms : pandas.DataFrame
        One row per term (``treatment``, then ``carryover_lag1`` ...): ``estimate``,
        ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``irr``, ``irr_ci_low``,
        ``irr_ci_high``, ``percent_change``, ``percent_ci_low``, ``percent_ci_high``.
    cohens_d : float
        ``(mean_control - mean_treated) / pooled SD`` of the raw outcome by assigned
        arm; positive means less crime under patrol (the Campbell-review sign).
    d_from_log_ratio : float
        ``-log(IRR) * sqrt(3) / pi``: the logistic conversion used in the Campbell
        reviews (Braga et al.) to express a log ratio as d; positive = reduction.
    d_variance : float
        Its variance, ``SE^2 * 3 / pi^2``.
    control_mean, treated_mean : float
        Raw outcome means per arm (rows analysed).
    n_obs, n_treated, n_control, n_groups : int
        Rows analysed, rows per arm and clusters (places) analysed.
    n_dropped : int
        Rows left out (all-zero fixed-effect groups, washout); reasons in ``notes``.
    parameters : dict
        Fixed effects, cluster, covariance type, carryover lags, washout, confidence.
    notes : tuple of str
        Conventions and caveats.
    """

    outcome: str
    design: str
    model: str
    scale: str
    terms: pd.DataFrame
    cohens_d: float
    d_from_log_ratio: float
    d_variance: float
    control_mean: float
    treated_mean: float
    n_obs: int
    n_treated: int
    n_control: int
    n_groups: int
    n_dropped: int
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def _row(self, column: str) -> float:
        return float(self.terms.loc["treatment", column])

    @property
    def estimate(self) -> float:
        """Treatment coefficient (log IRR, or a difference in means for OLS)."""
        return self._row("estimate")

    @property
    def std_error(self) -> float:
        """Standard error of :attr:`estimate`."""
        return self._row("std_error")

    @property
    def p_value(self) -> float:
        """Two-sided p-value of the treatment term (normal, or t for OLS)."""
        return self._row("p_value")

    @property
    def irr(self) -> float:
        """Incident rate ratio, treated over control."""
        return self._row("irr")

    @property
    def ci(self) -> tuple[float, float]:
        """Confidence interval of the IRR."""
        return self._row("irr_ci_low"), self._row("irr_ci_high")

    @property
    def percent_change(self) -> float:
        """``100 * (IRR - 1)``: negative means fewer crimes under patrol."""
        return self._row("percent_change")

    def to_frame(self) -> pd.DataFrame:
        """Return the terms table with ``outcome``, ``cohens_d`` and ``d_from_log_ratio``."""
        frame = self.terms.copy()
        frame.insert(0, "outcome", self.outcome)
        frame["cohens_d"] = np.where(frame.index == "treatment", self.cohens_d, np.nan)
        frame["d_from_log_ratio"] = np.where(
            frame.index == "treatment", self.d_from_log_ratio, np.nan
        )
        return frame

    def summary(self) -> Summary:
        """Estimates, the model used and its conventions."""
        params = {
            "outcome": self.outcome,
            "design": self.design,
            "model": self.model,
            "n_obs": self.n_obs,
            "n_treated": self.n_treated,
            "n_control": self.n_control,
            "n_groups": self.n_groups,
            "n_dropped": self.n_dropped,
            "control_mean": self.control_mean,
            "treated_mean": self.treated_mean,
            "irr": self.irr,
            "percent_change": self.percent_change,
            "p_value": self.p_value,
            "cohens_d": self.cohens_d,
            "d_from_log_ratio": self.d_from_log_ratio,
            **self.parameters,
        }
        table = self.terms[["estimate", "std_error", "p_value", "irr", "irr_ci_low", "irr_ci_high"]]
        return Summary(
            title=f"Effect of patrol on {self.outcome}",
            parameters=params,
            table=table.round(4),
            notes=self.notes,
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Point estimates and confidence intervals of the IRR per term (log axis)."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 1.5 + 0.5 * len(self.terms)))
        position = np.arange(len(self.terms))[::-1]
        irr = self.terms["irr"].to_numpy()
        low = irr - self.terms["irr_ci_low"].to_numpy()
        high = self.terms["irr_ci_high"].to_numpy() - irr
        kwargs.setdefault("fmt", "o")
        kwargs.setdefault("color", "black")
        axes.errorbar(irr, position, xerr=[low, high], **kwargs)
        axes.axvline(1.0, color="grey", linestyle="--", linewidth=1)
        axes.set_yticks(position, list(self.terms.index))
        axes.set_xscale("log")
        axes.set_xlabel("incident rate ratio (patrol / no patrol)")
        axes.set_title(f"Effect of patrol on {self.outcome}")
        return axes


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
    place: str = "hotspot_id",
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
        Columns entered as fixed effects (indicator columns; the first level is the
        reference). Crossover default: ``[place, time]``; pass ``[]`` for none.
    cluster : str, optional
        Column to cluster standard errors by (CRV1 with the small-sample factor
        G/(G-1)*(N-1)/(N-K), as statsmodels). Crossover default: ``place``. Without
        clusters: model-based errors for NB and OLS, HC1 sandwich (factor n/(n-K)) for
        Poisson.
    place, time : str
        Place id and date columns (crossover).
    carryover : int
        Number of lagged-treatment terms (``carryover_lag1`` ...) for residual
        deterrence in crossovers; days before the panel count as unpatrolled.
    washout : int
        Leave out control place-days 1..``washout`` days after that place's last
        patrol day, so residual deterrence does not dilute the contrast.
    confidence : float
        Confidence level of the intervals.

    Returns
    -------
    TrialEffect
        IRR, % change, CI, two-sided p-value, Cohen's d and the model record.

    Notes
    -----
    p-values are two-sided Wald tests (normal reference; t for OLS). For few
    clusters or heavy-tailed harm, confirm with :func:`randomization_test`.
    Places (or days) whose outcome is zero throughout contribute nothing to a
    fixed-effects count model and are left out (counted in ``n_dropped``).

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
    level = float(confidence)
    if not 0 < level < 1:
        raise ValueError(f"`confidence` must be between 0 and 1; got {confidence!r}.")
    for name, value in (("carryover", carryover), ("washout", washout)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
            raise ValueError(f"`{name}` must be a whole number >= 0; got {value!r}.")
    if design == "parallel" and (carryover or washout):
        raise ValueError("`carryover` and `washout` apply to crossover designs only.")
    y = check_outcome(panel, outcome, counts=model != "ols")
    z = check_treatment(panel, treatment)
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
    frame = pd.DataFrame(columns, index=panel.index).loc[keep]
    for name in effects:
        frame = frame.join(dummies(panel.loc[keep, name], prefix=name))
    groups = None
    if cluster_by is not None:
        groups = pd.factorize(panel.loc[keep, cluster_by])[0]
    elif chosen == "mixed":
        groups = pd.factorize(panel.loc[keep, place])[0] if place in panel else None
        if groups is None:
            raise ValueError("`model='mixed'` needs a `cluster` (or `place`) column to group by.")
    fit, cov_type = fit_model(chosen, y[keep], frame, groups, notes)
    terms = effect_terms(fit, frame, chosen, level, y[keep], z[keep])
    yk, zk = y[keep], z[keep]
    treated, control = yk[zk == 1], yk[zk == 0]
    if len(treated) == 0 or len(control) == 0:
        raise ValueError("After leaving out uninformative rows one arm is empty; no effect.")
    pooled = np.sqrt(
        ((len(treated) - 1) * treated.var(ddof=1) + (len(control) - 1) * control.var(ddof=1))
        / max(len(yk) - 2, 1)
    )
    d = float((control.mean() - treated.mean()) / pooled) if pooled > 0 else float("nan")
    log_ratio = (
        float(terms.loc["treatment", "estimate"])
        if chosen != "ols"
        else float(np.log(terms.loc["treatment", "irr"]))
    )
    se = float(terms.loc["treatment", "std_error"])
    scale_se = se if chosen != "ols" else se / control.mean()
    notes.append(
        "IRR = exp(coefficient); % change = 100 (IRR - 1); p-values two-sided. Cohen's d = "
        "(control mean - treated mean) / pooled SD (positive = less crime with patrol)."
    )
    return TrialEffect(
        outcome=outcome,
        design=design,
        model=chosen,
        scale="difference" if chosen == "ols" else "log_rate_ratio",
        terms=terms,
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
        parameters={
            "fixed_effects": describe(effects),
            "cluster": cluster_by or "none",
            "cov_type": cov_type,
            "carryover_lags": carryover,
            "washout_days": washout,
            "baseline": baseline or "none",
            "confidence": level,
        },
        notes=tuple(notes),
    )
