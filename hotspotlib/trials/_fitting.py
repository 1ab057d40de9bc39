"""Model choice, statsmodels fits and the terms table of a trial effect (internal)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from hotspotlib._fixed_effects import absorbed_columns, fit_glm_fe
from hotspotlib._threads import single_thread_blas
from hotspotlib.trials._design import NotEstimable, integer_valued

__all__ = [
    "absorbed_terms",
    "require_identified",
    "add_ratios",
    "choose_model",
    "effect_terms",
    "fit_model",
]

_LARGEST_LOG_RATIO = 20.0  # |log IRR| beyond this (IRR < 2e-9 or > 5e8) is separation


def choose_model(model: str, design: str, y: np.ndarray) -> tuple[str, list[str]]:
    """Resolve ``model="auto"`` for the design and outcome; return it and the reason."""
    if model != "auto":
        return model, []
    if not integer_valued(y):
        return "poisson", [
            "The outcome is not a whole-number count (e.g. a harm sum): heavy-tailed, so "
            "the default is Poisson quasi-likelihood with robust (sandwich) standard errors "
            "rather than a negative binomial likelihood."
        ]
    return ("poisson" if design == "crossover" else "negbin"), []


@single_thread_blas()
def fit_model(
    model: str,
    y: np.ndarray,
    frame: pd.DataFrame,
    groups: np.ndarray | None,
) -> tuple[Any, str, list[str]]:
    """Fit with statsmodels; return the fit, its covariance type and its warnings as notes.

    The fit runs with one BLAS thread (:func:`hotspotlib._threads.single_thread_blas`).
    """
    import statsmodels.api as sm  # slow to import (about 1 s): on use only

    x = frame.to_numpy(dtype=float)
    cov: dict[str, Any] = (
        {"cov_type": "cluster", "cov_kwds": {"groups": groups}} if groups is not None else {}
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if model == "poisson":
            # HC1 = CRV1 with one cluster per row: the n / (n - K) factor matters with
            # block or pair fixed effects (statsmodels' GLM "HC1" omits it).
            cov = cov or {"cov_type": "cluster", "cov_kwds": {"groups": np.arange(len(y))}}
            fit = sm.GLM(y, x, family=sm.families.Poisson()).fit(**cov)
            if groups is None:
                cov = {"cov_type": "HC1"}
        elif model == "negbin":
            cov = cov or {"cov_type": "nonrobust"}
            fit = sm.NegativeBinomial(y, x).fit(disp=0, maxiter=300, **cov)
        elif model == "ols":
            # t reference: n - K df (model-based) or G - 1 df (clustered), as documented
            cov = cov or {"cov_type": "nonrobust"}
            fit = sm.OLS(y, x).fit(**cov, use_t=True)
        else:
            fit = sm.GEE(
                y,
                x,
                groups=groups,
                family=sm.families.Poisson(),
                cov_struct=sm.cov_struct.Exchangeable(),
            ).fit()
            cov = {"cov_type": "robust (GEE sandwich)"}
    messages = sorted({str(w.message).splitlines()[0] for w in caught})
    return fit, str(cov["cov_type"]), [f"statsmodels warned: {m}" for m in messages]


def absorbed_terms(
    y: np.ndarray,
    columns: dict[str, np.ndarray],
    effects: list[np.ndarray],
    groups: np.ndarray | None,
    level: float,
) -> tuple[pd.DataFrame, list[str]]:
    """Poisson treatment (and carryover) terms with the fixed effects absorbed, and notes.

    ``columns`` are the regressors without the constant; ``effects`` one or two integer
    code arrays. Same coefficients and cluster-robust (or HC1) errors as the statsmodels
    GLM with indicator columns, without building them; normal reference for p-values
    and intervals, as statsmodels.
    """
    absorbed = absorbed_columns(np.column_stack(list(columns.values())), effects)
    flagged = [name for name, flag in zip(columns, absorbed, strict=True) if flag]
    notes = []
    if "log_baseline" in flagged:  # e.g. one baseline per place under place effects
        notes.append(
            "The baseline is constant within the fixed effects, which already absorb it; "
            "it was left out of the model (it cannot change the effect estimate)."
        )
        flagged.remove("log_baseline")
        columns = {name: values for name, values in columns.items() if name != "log_baseline"}
    require_identified(flagged, fix="Use fewer fixed effects or carryover lags.")
    x = np.column_stack(list(columns.values()))
    clusters = groups if groups is not None else np.arange(len(y))
    fit = fit_glm_fe(y, x, effects, clusters.astype(np.int64))
    if not fit.converged:
        notes.append(f"The Poisson fit did not converge in {fit.n_iter} iterations.")
    names = [c for c in columns if c == "treatment" or c.startswith("carryover_")]
    position = [list(columns).index(c) for c in names]
    estimate = fit.beta[position]
    std_error = np.sqrt(np.diag(fit.cov))[position]
    crit = stats.norm.ppf(0.5 + level / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_value = 2 * stats.norm.sf(np.abs(estimate / std_error))
    bounds = np.column_stack([estimate - crit * std_error, estimate + crit * std_error])
    return tabulate(names, estimate, std_error, p_value, bounds), notes


def require_identified(flagged: list[str], *, fix: str) -> None:
    """Refuse model terms that do not vary within the fixed effects (not identified)."""
    if flagged:
        raise ValueError(
            f"The term(s) {flagged} do not vary within the fixed effects, so their "
            f"coefficients are not identified. {fix}"
        )


def effect_terms(fit: Any, frame: pd.DataFrame, level: float, model: str) -> pd.DataFrame:
    """Tabulate treatment and carryover terms of a statsmodels fit."""
    names = [c for c in frame.columns if c == "treatment" or c.startswith("carryover_")]
    position = [frame.columns.get_loc(c) for c in names]
    return tabulate(
        names,
        np.asarray(fit.params)[position],
        np.asarray(fit.bse)[position],
        np.asarray(fit.pvalues)[position],
        np.asarray(fit.conf_int(alpha=1 - level))[position],
        log_scale=model != "ols",
    )


def tabulate(
    names: list[str],
    params: np.ndarray,
    bse: np.ndarray,
    p: np.ndarray,
    bounds: np.ndarray,
    *,
    log_scale: bool = True,
) -> pd.DataFrame:
    """Estimates, CIs and p-values per term, after checking they are usable."""
    problem = ""
    if not np.isfinite(params).all() or not np.isfinite(bse).all():
        problem = (
            "non-finite coefficient or standard error; the outcome may be too sparse for "
            "this model. Try model='poisson'."
        )
    elif log_scale and np.abs(params).max() > _LARGEST_LOG_RATIO:
        problem = (
            f"the estimated log rate ratio ({params[np.argmax(np.abs(params))]:.3g}) is "
            "beyond +-20: the outcome is (quasi-)separated by treatment within the fixed "
            "effects, so the effect is not identified. Inspect the counts per arm and "
            "group, or use randomization_test."
        )
    if problem:
        raise NotEstimable(f"The model could not estimate the effect: {problem}")
    return pd.DataFrame(
        {
            "estimate": params,
            "std_error": bse,
            "ci_low": bounds[:, 0],
            "ci_high": bounds[:, 1],
            "p_value": p,
        },
        index=pd.Index(names, name="term"),
    )


def add_ratios(table: pd.DataFrame, model: str, y: np.ndarray, z: np.ndarray) -> pd.DataFrame:
    """Add IRRs and % changes (for OLS, relative to the control mean held fixed)."""
    table = table.copy()
    if model == "ols":
        base = float(y[z == 0].mean())
        values = table[["estimate", "ci_low", "ci_high"]].to_numpy()
        # no ratio to a control mean of zero
        ratio = (base + values) / base if base != 0 else np.full_like(values, np.nan)
    else:
        ratio = np.exp(table[["estimate", "ci_low", "ci_high"]].to_numpy())
    table["irr"], table["irr_ci_low"], table["irr_ci_high"] = ratio.T
    table["percent_change"] = 100 * (table["irr"] - 1)
    table["percent_ci_low"] = 100 * (table["irr_ci_low"] - 1)
    table["percent_ci_high"] = 100 * (table["irr_ci_high"] - 1)
    return table
