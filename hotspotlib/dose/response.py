"""Dose-response of crime to patrol minutes, with place and day fixed effects and lags."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hotspotlib._columns import PLACE
from hotspotlib._fixed_effects import fit_glm_fe, fit_negbin_fe
from hotspotlib._frozen import FrozenResult
from hotspotlib._options import DoseShape, Family
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_numbers,
    require_type,
    require_unique,
    require_whole,
)
from hotspotlib.dose._design import (
    Basis,
    design_matrix,
    informative_rows,
    non_negative,
    place_days,
    require_variation,
    residual_decay,
)
from hotspotlib.dose.dosage import DosagePanel

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DoseResponse", "dose_response"]

_Z95 = float(stats.norm.ppf(0.975))
_FIXED_EFFECTS = ("place", "day")


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class DoseResponse(FrozenResult):
    """A fitted dose-response model.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per term: ``estimate`` (log IRR), ``std_error`` (cluster-robust by
        place), ``z_value``, ``p_value`` (two-sided, normal), ``ci_low``, ``ci_high``
        and the same on the IRR scale (``irr``, ``irr_low``, ``irr_high``).
    curve : pandas.DataFrame
        ``dose`` against ``irr`` (relative to no dose) with a 95% pointwise CI.
    by_dose : pandas.DataFrame
        IRRs at a few round doses (or per bin), with CIs.
    basis : Basis
        How dose is turned into model terms.
    beta, cov : numpy.ndarray
        Coefficients and their cluster-robust covariance (read-only).
    alpha : float
        NB2 dispersion (0 for the Poisson).
    decay_per_day, half_life_days : float
        Residual deterrence summarised from the lag terms (NaN when not estimable).
    counts : dict
        Observations used and dropped (and why), places, days, clusters.
    parameters : dict
        Parameters used, the columns read, fit statistics and convergence, ``alpha``
        and (with lags) ``decay_per_day`` and ``half_life_days``.
    notes : tuple of str
        Conventions of the model: IRRs, standard errors, dropped groups, lags.

    See Also
    --------
    dose_response : Fit one.

    References
    ----------
    .. [1] Koper (1995). https://doi.org/10.1080/07418829500096231
    """

    _title: ClassVar[str] = "Dose-response"

    table: pd.DataFrame
    curve: pd.DataFrame
    by_dose: pd.DataFrame
    basis: Basis
    beta: NDArray[np.float64]
    cov: NDArray[np.float64]
    alpha: float
    decay_per_day: float
    half_life_days: float
    counts: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    def irr(self, dose: ArrayLike) -> NDArray[np.float64]:
        """Predicted IRR at ``dose`` relative to no dose (same-day terms only).

        Examples
        --------
        >>> import numpy as np
        >>> from hotspotlib.dose._design import Basis
        >>> fit = DoseResponse(table=None, curve=None, by_dose=None,
        ...     basis=Basis("log", ()), beta=np.array([-0.2]), cov=np.eye(1),
        ...     alpha=0.0, decay_per_day=np.nan, half_life_days=np.nan)
        >>> fit.irr([0, np.e - 1]).round(4).tolist()
        [1.0, 0.8187]
        """
        values = require_numbers(dose, name="dose")
        k = self.basis.n_terms
        change = self.basis.terms(values.ravel()) - self.basis.terms(np.zeros(1))
        return np.asarray(np.exp(change @ self.beta[:k])).reshape(values.shape)

    def to_frame(self) -> pd.DataFrame:
        """Return the coefficient table (a copy)."""
        return self.table.copy()

    def _summary_table(self) -> pd.DataFrame | None:
        return self.table

    @property
    def notes(self) -> tuple[str, ...]:
        """Conventions of the model: IRRs, standard errors, dropped groups, causality, lags."""
        notes = [
            "IRR = exp(coefficient); standard errors are cluster-robust by place "
            "(statsmodels' cov_type='cluster' small-sample factor); p-values two-sided, normal.",
            "Fixed effects are absorbed exactly (no dummy columns); places or days with no "
            "outcome at all carry no information and are dropped (counted).",
            "Delivered minutes are chosen after randomisation; for a causal effect use the "
            "assignment (ITT) or an instrumental-variable analysis.",
        ]
        if self.parameters.get("family") == "negbin":
            notes.append("NB2 alpha by profile likelihood (= the joint maximum likelihood).")
        if self.parameters.get("lags"):
            notes.append(
                "Lag l: patrolled (dose > 0) l days earlier. decay_per_day is the slope of "
                "log|lag coefficient| on l (weighted by precision); half-life = ln 2 / decay."
            )
        return tuple(notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the IRR curve against dose with its 95% band."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(7.0, 4.5))
        curve = self.curve
        kwargs.setdefault("color", "tab:blue")
        # arrays, not Series: matplotlib 3.7.0 cannot mask Series from pandas 2.0 here
        dose, low, high = (curve[c].to_numpy() for c in ("dose", "ci_low", "ci_high"))
        axes.fill_between(dose, low, high, alpha=0.2, **kwargs)
        axes.plot(curve["dose"], curve["irr"], **kwargs)
        axes.axhline(1.0, color="0.4", linewidth=0.8, linestyle="--")
        axes.set_xlabel(f"{self.parameters['dose']} per day")
        axes.set_ylabel("incidence rate ratio vs no patrol")
        return axes


def dose_response(
    panel: DosagePanel | pd.DataFrame,
    *,
    outcome: str,
    dose: str = "patrol_minutes",
    shape: DoseShape = "log",
    knots_minutes: Sequence[float] = (10.0, 20.0),
    fixed_effects: Sequence[str] = _FIXED_EFFECTS,
    lags: int = 0,
    family: Family = "poisson",
    place: str = PLACE,
    date: str = "date",
) -> DoseResponse:
    """Fit crime counts (or harm) per place-day against the patrol dose.

    ``log mu = a[place] + g[day] + f(dose) + sum_l b_l * patrolled[t - l]`` with
    ``f`` one of: ``"log"`` (``beta * log(1 + dose)``), ``"bins"`` (no dose is the
    reference; bins ``(0, k1]``, ``(k1, k2]``, ..., ``> k_last``) or ``"spline"``
    (piecewise linear with knots at ``knots_minutes``). Place and day fixed effects are
    absorbed exactly; the answer equals statsmodels' GLM with dummy columns (Poisson, or
    NB2 at the same alpha), with the cluster-robust covariance of its
    ``cov_type="cluster"`` by place.

    Parameters
    ----------
    panel : DosagePanel or DataFrame
        One row per place and day, e.g. ``dosage_panel(..., events=city.events)``.
    outcome : str
        Count (or non-negative harm) column, e.g. ``"count"`` or ``"harm"``.
    dose : str
        Dose column (minutes), e.g. ``"patrol_minutes"``. For the intention-to-treat
        effect of a randomised assignment use ``dose="treated"`` with
        ``shape="spline", knots_minutes=()``: the single term's IRR is the ITT IRR.
    shape : {"log", "bins", "spline"}
        Functional form of the dose.
    knots_minutes : sequence of float
        Bin edges or spline knots (minutes, increasing, > 0).
    fixed_effects : sequence of {"place", "day"}
        Which fixed effects to absorb (an intercept is always included).
    lags : int
        Number of earlier days whose patrol (dose > 0) enters as residual deterrence;
        the first ``lags`` days of each place are dropped (counted).
    family : {"poisson", "negbin"}
        Poisson (quasi-likelihood, fine for harm) or NB2 with alpha estimated by
        profile likelihood.
    place : str
        Place id column (default ``"hotspot_id"``); for a :class:`DosagePanel` the
        default means the place column the panel records.
    date : str
        The panel's day column.

    Returns
    -------
    DoseResponse
        Coefficients, IRR curve, IRRs by dose and residual deterrence.

    See Also
    --------
    DoseResponse : The returned model.
    dosage_panel : The place x day dose panel.
    allocate_patrol_time : Allocate minutes by the fitted curve.
    koper_curve : Residual deterrence by visit length.

    Notes
    -----
    The fit runs with one BLAS thread, the caller's limits restored afterwards: its
    many small products gain nothing from more threads and slow down when other work
    shares the cores. On 2 cores with two busy processes, the Poisson fit on 200
    places x 500 days took 0.59 s with one thread and 2.2 s with OpenBLAS's default of
    one per core (``python -m benchmarks threads``).

    References
    ----------
    .. [1] Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
       behavior by optimizing patrol time in crime hot spots. Justice Quarterly 12(4),
       649-672. https://doi.org/10.1080/07418829500096231
    .. [2] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots:
       do police community support officers work? A randomized controlled trial. Journal of
       Experimental Criminology 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4
    .. [3] Cameron, A. C. and Trivedi, P. K. (2013). Regression Analysis of Count Data. 2nd
       ed. Cambridge University Press.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> import hotspotlib as hs
    >>> rng = np.random.default_rng(0)
    >>> frame = pd.DataFrame({"hotspot_id": np.repeat(np.arange(40), 60),
    ...     "date": np.tile(pd.date_range("2024-01-01", periods=60), 40),
    ...     "patrol_minutes": rng.choice([0, 15], 2400)})
    >>> frame["crimes"] = rng.poisson(2 * np.exp(-0.02 * frame["patrol_minutes"]))
    >>> fit = hs.dose_response(frame, outcome="crimes", shape="spline", knots_minutes=())
    >>> round(float(fit.table.loc["dose", "estimate"]), 2)
    -0.02
    """
    effects = _check_options(shape, family, fixed_effects, lags)
    frame, place = _panel_frame(panel, place)
    require_columns(frame, [place, date, outcome, dose], name="panel")
    basis = Basis.build(shape, knots_minutes)
    y, minutes = non_negative(frame, outcome), non_negative(frame, dose)
    place_code, day = place_days(frame, place, date, lags)
    x, names, keep = design_matrix(basis, minutes, place_code, day, lags)
    counts = {"n_rows": len(y), "n_dropped_for_lags": int((~keep).sum())}
    keep, dropped = informative_rows(y, keep, {"place": place_code, "day": day}, effects)
    counts.update(dropped)
    if keep.sum() <= 1 or y[keep].sum() == 0:
        raise ValueError(f"`{outcome}` is zero on every usable row; there is nothing to fit.")
    codes = {"place": place_code, "day": day}
    factors = [pd.factorize(codes[name][keep])[0].astype(np.int64) for name in effects]
    clusters = pd.factorize(place_code[keep])[0].astype(np.int64)
    require_variation(x[keep], names, factors, effects)
    fitter = fit_glm_fe if family == "poisson" else fit_negbin_fe
    fit = fitter(y[keep], x[keep], factors, clusters)
    counts.update(
        n_obs=int(keep.sum()),
        n_places=int(len(np.unique(place_code[keep]))),
        n_days=int(len(np.unique(day[keep]))),
        n_clusters=int(clusters.max()) + 1,
    )
    settings = {
        "outcome": outcome,
        "dose": dose,
        "shape": shape,
        "knots_minutes": basis.knots,
        "fixed_effects": effects,
        "lags": int(lags),
        "family": family,
        "place": place,
        "date": date,
    }
    return _result(fit, basis, names, float(minutes[keep].max()), counts, settings)


def _check_options(
    shape: Any, family: Any, fixed_effects: Sequence[str], lags: Any
) -> tuple[str, ...]:
    """Check the model's options; return the fixed effects as a tuple."""
    check_option(shape, DoseShape, name="shape")
    check_option(family, Family, name="family")
    effects = tuple(fixed_effects)
    for name in effects:
        check_option(name, _FIXED_EFFECTS, name="fixed_effects")
    require_unique(effects, name="fixed_effects", what="entries")
    require_whole(lags, name="lags")
    return effects


def _panel_frame(panel: DosagePanel | pd.DataFrame, place: str) -> tuple[pd.DataFrame, str]:
    """Return the panel's table and place column (a DosagePanel's own unless named)."""
    require_type(
        panel,
        (DosagePanel, pd.DataFrame),
        name="panel",
        expected="a DosagePanel or a DataFrame (e.g. from dosage_panel)",
    )
    if isinstance(panel, DosagePanel):
        return panel.panel, panel.place_column if place == PLACE else place
    return panel, place


def _result(
    fit: Any,
    basis: Basis,
    names: list[str],
    top_dose: float,
    counts: dict[str, int],
    settings: dict[str, Any],
) -> DoseResponse:
    """Assemble the coefficient table, curve, IRRs by dose and residual decay."""
    table = _coefficients(fit.beta, fit.cov, names)
    top = max(top_dose, 1.0)
    decay, half_life = residual_decay(fit.beta[basis.n_terms :], fit.cov, basis.n_terms)
    decay_figures = {"decay_per_day": decay, "half_life_days": half_life}
    return DoseResponse(
        table=table,
        curve=_curve(basis, fit.beta, fit.cov, np.linspace(0.0, top, 121)),
        by_dose=_by_dose(basis, fit.beta, fit.cov, table, top),
        basis=basis,
        beta=fit.beta,
        cov=fit.cov,
        alpha=fit.alpha,
        decay_per_day=decay,
        half_life_days=half_life,
        counts=counts,
        parameters={
            **settings,
            "alpha": fit.alpha,
            **(decay_figures if settings["lags"] else {}),
            "loglik": fit.loglik,
            "deviance": fit.deviance,
            "n_fixed_effect_parameters": fit.n_fe,
            "n_iterations": fit.n_iter,
            "converged": fit.converged,
        },
    )


def _coefficients(beta: Any, cov: Any, names: list[str]) -> pd.DataFrame:
    se = np.sqrt(np.diag(cov))
    z = beta / se
    low, high = beta - _Z95 * se, beta + _Z95 * se
    return pd.DataFrame(
        {
            "estimate": beta,
            "std_error": se,
            "z_value": z,
            "p_value": 2 * stats.norm.sf(np.abs(z)),
            "ci_low": low,
            "ci_high": high,
            "irr": np.exp(beta),
            "irr_low": np.exp(low),
            "irr_high": np.exp(high),
        },
        index=pd.Index(names, name="term"),
    )


def _curve(basis: Basis, beta: Any, cov: Any, grid: NDArray[np.float64]) -> pd.DataFrame:
    k = basis.n_terms
    change = basis.terms(grid) - basis.terms(np.zeros(1))
    estimate = change @ beta[:k]
    se = np.sqrt(np.einsum("ij,jk,ik->i", change, cov[:k, :k], change))
    return pd.DataFrame(
        {
            "dose": grid,
            "irr": np.exp(estimate),
            "ci_low": np.exp(estimate - _Z95 * se),
            "ci_high": np.exp(estimate + _Z95 * se),
        }
    )


def _by_dose(basis: Basis, beta: Any, cov: Any, table: pd.DataFrame, top: float) -> pd.DataFrame:
    if basis.shape == "bins":
        rows = table.loc[list(basis.names), ["irr", "irr_low", "irr_high"]]
        return rows.rename(columns={"irr_low": "ci_low", "irr_high": "ci_high"})
    doses = [d for d in (5.0, 10.0, 15.0, 20.0, 30.0, 45.0, 60.0) if d <= top] or [top]
    return _curve(basis, beta, cov, np.asarray(doses)).set_index("dose")
