"""Model choice, statsmodels fits and the terms table of a trial effect (internal)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm

from hotspotlib.trials._design import integer_valued

__all__ = ["choose_model", "effect_terms", "fit_model"]


def choose_model(model: str, design: str, y: np.ndarray, notes: list[str]) -> str:
    """Resolve ``model="auto"`` for the design and outcome, noting the reason."""
    if model != "auto":
        return model
    if not integer_valued(y):
        notes.append(
            "The outcome is not a whole-number count (e.g. a harm sum): heavy-tailed, so "
            "the default is Poisson quasi-likelihood with robust (sandwich) standard errors "
            "rather than a negative binomial likelihood."
        )
        return "poisson"
    return "poisson" if design == "crossover" else "negbin"


def fit_model(
    model: str,
    y: np.ndarray,
    frame: pd.DataFrame,
    groups: np.ndarray | None,
    notes: list[str],
) -> tuple[Any, str]:
    """Fit with statsmodels; warnings are recorded in ``notes``, not raised."""
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
            cov = cov or {"cov_type": "nonrobust"}
            fit = sm.OLS(y, x).fit(**cov)
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
    notes += [f"statsmodels warned: {m}" for m in messages]
    return fit, str(cov["cov_type"])


def effect_terms(
    fit: Any, frame: pd.DataFrame, model: str, level: float, y: np.ndarray, z: np.ndarray
) -> pd.DataFrame:
    """Tabulate treatment and carryover terms: estimates, CIs, IRRs, % changes."""
    names = [c for c in frame.columns if c == "treatment" or c.startswith("carryover_")]
    position = [frame.columns.get_loc(c) for c in names]
    params = np.asarray(fit.params)[position]
    bse = np.asarray(fit.bse)[position]
    p = np.asarray(fit.pvalues)[position]
    bounds = np.asarray(fit.conf_int(alpha=1 - level))[position]
    table = pd.DataFrame(
        {
            "estimate": params,
            "std_error": bse,
            "ci_low": bounds[:, 0],
            "ci_high": bounds[:, 1],
            "p_value": p,
        },
        index=pd.Index(names, name="term"),
    )
    if model == "ols":
        base = float(y[z == 0].mean())
        ratio = (base + table[["estimate", "ci_low", "ci_high"]].to_numpy()) / base
    else:
        ratio = np.exp(table[["estimate", "ci_low", "ci_high"]].to_numpy())
    table["irr"], table["irr_ci_low"], table["irr_ci_high"] = ratio.T
    table["percent_change"] = 100 * (table["irr"] - 1)
    table["percent_ci_low"] = 100 * (table["irr_ci_low"] - 1)
    table["percent_ci_high"] = 100 * (table["irr_ci_high"] - 1)
    if not np.isfinite(params).all() or not np.isfinite(bse).all():
        raise ValueError(
            "The model could not estimate the effect (non-finite coefficient or standard "
            "error); the outcome may be too sparse for this model. Try model='poisson'."
        )
    return table
