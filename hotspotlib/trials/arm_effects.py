"""Effects in a multi-arm trial: each arm against control and arm against arm.

One Poisson (quasi-likelihood) or NB2 model with an indicator per non-control arm, any
extra regressors (e.g. the daily patrol column when POP is the arm) and up to two
sets of absorbed fixed effects, cluster-robust errors; the contrasts are read off
the coefficients and their covariance, then adjusted for multiplicity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import optimize, stats

from hotspotlib._columns import PLACE
from hotspotlib._fixed_effects import absorbed_columns, fit_glm_fe, fit_negbin_fe
from hotspotlib._frozen import FrozenResult
from hotspotlib._multiple_testing import adjust_pvalues, dunnett_pvalues, max_abs_exceedance
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_complete,
    require_probability,
    require_relevant,
    require_subset,
    require_type,
    require_whole,
)
from hotspotlib.trials._design import as_names, check_outcome, require_estimable
from hotspotlib.trials._fitting import require_identified

__all__ = ["ArmEffects", "estimate_arms"]

ArmAdjustment = Literal["holm", "dunnett", "bonferroni", "fdr_bh", "none"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ArmEffects(FrozenResult):
    """Rate ratios between the arms of a trial, with adjusted p-values.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per comparison (``"patrol vs control"`` ...) and per extra regressor:
        ``kind`` (``"comparison"`` or ``"covariate"``), ``estimate`` (log rate ratio),
        ``std_error``, ``ci_low``, ``ci_high``, ``p_value``, ``p_adjusted`` (NaN for
        covariates, which are not in the tested family), ``irr``, ``irr_ci_low``,
        ``irr_ci_high``, ``percent_change``. With ``p_adjust="dunnett"`` the
        comparison intervals are simultaneous.

    See Also
    --------
    estimate_arms : Compute one.

    References
    ----------
    .. [1] Dunnett (1955). Journal of the American Statistical Association 50(272),
       1096-1121.
    """

    _table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default_factory=tuple)

    _title: ClassVar[str] = "Effects by arm"

    @property
    def table(self) -> pd.DataFrame:
        """The comparisons and covariate terms (a copy)."""
        return self._table.copy()

    @property
    def irr(self) -> pd.Series:
        """Rate ratio per comparison."""
        rows = self._table["kind"] == "comparison"
        return self._table.loc[rows, "irr"].copy()

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy)."""
        return self._table.copy()

    def _summary_table(self) -> pd.DataFrame:
        columns = ["irr", "irr_ci_low", "irr_ci_high", "percent_change", "p_value", "p_adjusted"]
        return self._table[columns].round(4)


def estimate_arms(
    panel: pd.DataFrame,
    *,
    outcome: str,
    arm: str = "arm",
    control: Any = None,
    comparisons: Literal["control", "all"] = "all",
    p_adjust: ArmAdjustment = "holm",
    covariates: str | Sequence[str] | None = None,
    fixed_effects: str | Sequence[str] | None = None,
    cluster: str | None = None,
    place: str = PLACE,
    confidence: float = 0.95,
    model: Literal["poisson", "negbin"] = "poisson",
) -> ArmEffects:
    """Estimate each arm against control (and arm against arm) with adjusted p-values.

    The model is ``log E[y] = FE + sum_a beta_a [arm = a] + gamma' covariates``: Poisson
    quasi-likelihood with the fixed effects absorbed and cluster-robust (CRV1) errors,
    the same engine as :func:`estimate_effect`. Arm ``a`` against control is
    ``beta_a``; arm ``a`` against arm ``b`` is ``beta_a - beta_b`` with variance
    ``V_aa + V_bb - 2 V_ab``. Wald tests, two-sided, normal reference.

    Parameters
    ----------
    panel : pandas.DataFrame
        One row per place (parallel) or per place and period (repeated measures, or a
        place-day panel with a POP step as the arm).
    outcome : str
        Count or harm column (values >= 0).
    arm : str
        Column with each row's assigned arm (labels, or a 0/1 step column from
        :func:`step_treatment`).
    control : optional
        The reference arm. Default: ``"control"`` if present, else the smallest label.
    comparisons : {"all", "control"}
        ``"control"``: each arm against control (k - 1 tests). ``"all"``: also every
        pair of non-control arms (k (k - 1) / 2 tests).
    p_adjust : {"holm", "dunnett", "bonferroni", "fdr_bh", "none"}
        Adjustment across the comparisons. ``"holm"`` (default) is valid under any
        dependence. ``"dunnett"`` is single-step ``max |z|`` adjustment over the many-to-one
        comparisons using their estimated joint normal correlation (Dunnett 1955, in its
        large-sample form; simultaneous intervals too); it needs
        ``comparisons="control"``.
    covariates : str or sequence of str, optional
        Extra numeric columns in the model (not adjusted for), e.g. the daily patrol
        indicator when the arm is POP: its effect is then estimated with patrol held fixed.
    fixed_effects : str or sequence of str, optional
        Up to two columns absorbed as fixed effects (e.g. ``[place, "date"]``). An arm
        constant within a fixed effect cannot be estimated: with place fixed effects the
        arm must vary within place (a step, as for POP).
    cluster : str, optional
        Cluster column for the errors. Default: ``place`` when it is a column of the
        panel, otherwise one cluster per row (HC1).
    place : str
        Place id column.
    confidence : float
        Level of the intervals.
    model : {"poisson", "negbin"}
        Poisson quasi-likelihood (default; consistent whatever the overdispersion), or
        NB2 with the dispersion ``alpha`` by maximum likelihood (the fit of statsmodels'
        ``NegativeBinomial`` with dummy columns; errors are the cluster-robust sandwich
        at that ``alpha``, as a statsmodels NB GLM with the same ``alpha``). Without
        overdispersion the NB2 fit is the Poisson fit (``alpha`` = 0, noted).

    Returns
    -------
    ArmEffects
        Comparisons and covariate terms with IRRs, intervals, raw and adjusted p-values.

    See Also
    --------
    assign_arms, estimate_effect, adjust_pvalues

    Notes
    -----
    The fit runs with one BLAS thread, the caller's limits restored afterwards, as in
    :func:`estimate_effect`.

    References
    ----------
    Dunnett, C. W. (1955). A multiple comparison procedure for comparing several
    treatments with a control. JASA 50, 1096-1121.
    Holm, S. (1979). A simple sequentially rejective multiple test procedure.
    Scandinavian Journal of Statistics 6, 65-70.

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> plan = hs.assign_arms(range(90), rng=1)
    >>> panel = plan.to_frame().reset_index()
    >>> rate = panel["arm"].map({"control": 4.0, "patrol": 3.2, "patrol_pop": 2.4})
    >>> panel["crimes"] = np.random.default_rng(2).poisson(rate)
    >>> effects = hs.estimate_arms(panel, outcome="crimes")
    >>> list(effects.irr.index)
    ['patrol vs control', 'patrol_pop vs control', 'patrol_pop vs patrol']
    """
    level = _check_options(panel, comparisons, p_adjust, confidence)
    check_option(model, ("poisson", "negbin"), name="model")
    panel = panel.reset_index(drop=True)
    labels, reference, codes = _arms(panel, arm, control)
    y = check_outcome(panel, outcome, counts=True, ols=False)  # one Poisson model only
    extra = as_names(covariates)
    effects = as_names(fixed_effects)
    require_whole(len(effects), name="number of fixed effects", maximum=2)
    cluster_by = cluster if cluster is not None else (place if place in panel.columns else None)
    require_columns(panel, [*extra, *effects, *([cluster_by] if cluster_by else [])], name="panel")
    for name in [*extra, *effects]:
        require_complete(panel[name], name=f"panel[{name!r}]")
    others = [a for a in range(len(labels)) if a != reference]
    x = np.column_stack(
        [(codes == a).astype(float) for a in others]
        + [panel[c].to_numpy(dtype=float) for c in extra]
    )
    for a in others:  # every arm needs events, as the control arm does
        pair = (codes == a) | (codes == reference)
        z = (codes[pair] == a).astype(float)
        require_estimable(
            y[pair],
            z,
            outcome=outcome,
            treatment=arm,
            separation=True,
            context=f" (arm {labels[a]!r} against {labels[reference]!r})",
            ols=False,
        )
    factors = [pd.factorize(panel[c])[0].astype(np.int64) for c in effects] or [
        np.zeros(len(y), dtype=np.int64)
    ]
    groups = (
        pd.factorize(panel[cluster_by])[0].astype(np.int64) if cluster_by else np.arange(len(y))
    )
    terms = [f"arm {labels[a]!r}" for a in others] + extra
    require_identified(
        [t for t, flag in zip(terms, absorbed_columns(x, factors), strict=True) if flag],
        fix="An arm assigned per place is absorbed by place fixed effects: leave the place "
        "out of `fixed_effects` (the arm comparison is between places), or use a step "
        "column that changes within place (step_treatment).",
    )
    fit = (fit_glm_fe if model == "poisson" else fit_negbin_fe)(y, x, factors, groups)
    names, contrast = _contrasts([labels[a] for a in others], labels[reference], comparisons)
    table = _table(fit.beta, fit.cov, names, contrast, extra, p_adjust, level)
    parameters = {
        "outcome": outcome,
        "arm": arm,
        "control": labels[reference],
        "arms": ", ".join(labels),
        "comparisons": comparisons,
        "p_adjust": p_adjust,
        "covariates": ", ".join(extra) or "none",
        "fixed_effects": ", ".join(effects) or "none",
        "cluster": cluster_by or "none (HC1)",
        "model": "poisson (quasi-likelihood, cluster-robust errors)"
        if model == "poisson"
        else "negbin (NB2, alpha by maximum likelihood, cluster-robust errors)",
        "confidence": level,
        **({"dispersion": float(fit.alpha)} if model == "negbin" else {}),
    }
    counts = {
        "n_obs": len(y),
        "n_used": int(fit.n_obs),
        **{f"n_{labels[a]}": int((codes == a).sum()) for a in range(len(labels))},
        "n_clusters": int(len(np.unique(groups))),
        "n_comparisons": len(names),
    }
    notes = _notes(p_adjust, len(names), fit, len(y))
    if model == "negbin" and fit.alpha == 0:
        notes += ("No overdispersion (the NB2 likelihood peaks at alpha = 0): Poisson fit.",)
    return ArmEffects(_table=table, parameters=parameters, counts=counts, notes=notes)


def _check_options(panel: Any, comparisons: str, p_adjust: str, confidence: float) -> float:
    require_type(panel, pd.DataFrame, name="panel", expected="a pandas DataFrame")
    check_adjustment(comparisons, p_adjust)
    return require_probability(confidence, name="confidence")


def check_adjustment(comparisons: str, p_adjust: str) -> None:
    """Check ``comparisons`` and ``p_adjust`` (Dunnett only for the many-to-one family)."""
    check_option(comparisons, ("control", "all"), name="comparisons")
    check_option(p_adjust, ArmAdjustment, name="p_adjust")
    require_relevant(
        p_adjust if p_adjust == "dunnett" else None,
        name="p_adjust",
        used=comparisons == "control",
        context="with comparisons='all'",
        fix="Dunnett's adjustment is for each arm against control: pass "
        "comparisons='control', or p_adjust='holm' for all pairs.",
    )


def _arms(panel: pd.DataFrame, arm: str, control: Any) -> tuple[list[Any], int, NDArray[np.int64]]:
    """Arm labels (sorted), the position of the control arm and the code per row."""
    require_columns(panel, [arm], name="panel")
    require_complete(panel[arm], name=f"panel[{arm!r}]", fix="every row needs its arm.")
    codes, levels = pd.factorize(panel[arm], sort=True)
    labels = list(levels)
    require_whole(
        len(labels), name=f"number of arms in panel[{arm!r}]", minimum=2, fix="Compare 2+ arms."
    )
    if control is None:
        control = "control" if "control" in labels else labels[0]
    require_subset(
        [control],
        labels,
        name="control",
        among=f"the arms {labels}",
        what="arm",
        fix=f"Pass one of the labels in panel[{arm!r}] (mind the type: 0 is not '0').",
    )
    return [str(v) for v in labels], labels.index(control), codes.astype(np.int64)


def _contrasts(
    arms: list[str], control: str, comparisons: str
) -> tuple[list[str], NDArray[np.float64]]:
    """Names and rows of the contrast matrix over the arm coefficients."""
    k = len(arms)
    names = [f"{a} vs {control}" for a in arms]
    rows = list(np.eye(k))
    if comparisons == "all":
        for i in range(k):
            for j in range(i + 1, k):
                names.append(f"{arms[j]} vs {arms[i]}")
                rows.append(np.eye(k)[j] - np.eye(k)[i])
    return names, np.array(rows)


def _table(
    beta: NDArray[np.float64],
    cov: NDArray[np.float64],
    names: list[str],
    contrast: NDArray[np.float64],
    extra: list[str],
    p_adjust: str,
    level: float,
) -> pd.DataFrame:
    k = contrast.shape[1]
    full = np.zeros((len(names) + len(extra), len(beta)))
    full[: len(names), :k] = contrast
    full[len(names) :, k:] = np.eye(len(extra))
    estimate = full @ beta
    v = full @ cov @ full.T
    se = np.sqrt(np.diag(v))
    z = estimate / se
    p = 2 * stats.norm.sf(np.abs(z))
    crit = np.full(len(estimate), stats.norm.ppf(0.5 + level / 2))
    m = len(names)
    if p_adjust == "dunnett":
        correlation = v[:m, :m] / np.outer(se[:m], se[:m])
        adjusted = dunnett_pvalues(z[:m], correlation)
        crit[:m] = optimize.brentq(
            lambda c: 1 - max_abs_exceedance(c, correlation) - level, 0.1, 10
        )
    else:
        adjusted = adjust_pvalues(p[:m], method=p_adjust)  # type: ignore[arg-type]
    table = pd.DataFrame(
        {
            "kind": ["comparison"] * m + ["covariate"] * len(extra),
            "estimate": estimate,
            "std_error": se,
            "ci_low": estimate - crit * se,
            "ci_high": estimate + crit * se,
            "p_value": p,
            "p_adjusted": np.concatenate([adjusted, np.full(len(extra), np.nan)]),
        },
        index=pd.Index([*names, *extra], name="term"),
    )
    table["irr"] = np.exp(table["estimate"])
    table["irr_ci_low"] = np.exp(table["ci_low"])
    table["irr_ci_high"] = np.exp(table["ci_high"])
    table["percent_change"] = 100 * (table["irr"] - 1)
    return table


def _notes(p_adjust: str, m: int, fit: Any, n: int) -> tuple[str, ...]:
    notes = [
        "IRR = exp(estimate); % change = 100 (IRR - 1); p-values two-sided Wald (normal).",
        f"p_adjusted: {p_adjust} across the {m} comparison(s); covariate rows are not "
        "in the tested family; p_value is unadjusted.",
    ]
    if p_adjust == "dunnett":
        notes.append(
            "Dunnett-style: single-step max-|z| over the many-to-one comparisons with their "
            "estimated correlation (multivariate normal, computed numerically); the "
            "comparison intervals are simultaneous at the stated confidence."
        )
    if fit.n_obs < n:
        notes.append(
            f"{n - int(fit.n_obs)} rows left out: their fixed-effect group has no events, "
            "so it carries no information in a count model."
        )
    if not fit.converged:
        notes.append(f"The fit did not converge in {fit.n_iter} iterations.")
    return tuple(notes)
