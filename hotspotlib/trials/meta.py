"""Meta-analysis of trial effects: fixed effect, DerSimonian-Laird and REML pooling.

Effect sizes are on an additive scale (log IRR, log RIRR or Cohen's d). Converters turn
trial results and pre/post count tables into log ratios and d (the logistic
conversion used in the Campbell reviews of hot-spot policing).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, stats

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import MetaMethod
from hotspotlib._validation import (
    check_option,
    require_finite,
    require_probability,
    require_relevant,
    require_shape,
    require_whole,
    require_within,
)
from hotspotlib.trials.effect_size import count_effect_size
from hotspotlib.trials.estimate import TrialEffect

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["MetaAnalysis", "count_effect_size", "meta_analysis"]

_D_FACTOR = np.sqrt(3.0) / np.pi


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class MetaAnalysis(FrozenResult):
    """A pooled effect with heterogeneity statistics.

    Attributes
    ----------
    labels : tuple of str
        Study labels.
    effects, variances, weights : numpy.ndarray
        Study effects, their variances and relative weights (summing to 1).
    estimate, std_error, ci_low, ci_high, p_value : float
        Pooled effect, its standard error, interval and two-sided p-value (normal).
    tau2 : float
        Between-study variance (0 for the fixed-effect model).
    q, q_p_value : float
        Cochran's Q and its chi-square p-value (k - 1 degrees of freedom).
    i2 : float
        ``max(0, (Q - (k - 1)) / Q)``: share of variation due to heterogeneity.
    prediction_low, prediction_high : float
        Where a new study's true effect is expected (random effects, k >= 3):
        ``estimate +/- t_{k-2} sqrt(tau2 + SE^2)`` (Higgins et al. 2009).
    method : str
        ``"REML"``, ``"DL"`` or ``"fixed"``.
    confidence : float
        Level of the intervals.

    See Also
    --------
    meta_analysis : Compute one.

    References
    ----------
    .. [1] DerSimonian and Laird (1986). https://doi.org/10.1016/0197-2456(86)90046-2
    """

    labels: tuple[str, ...]
    effects: NDArray[np.float64]
    variances: NDArray[np.float64]
    weights: NDArray[np.float64]
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    p_value: float
    tau2: float
    q: float
    q_p_value: float
    i2: float
    prediction_low: float
    prediction_high: float
    method: str
    confidence: float
    scale: str = "effect"
    _notes: tuple[str, ...] = field(default_factory=tuple, repr=False)

    _title: ClassVar[str] = "Meta-analysis"

    def to_frame(self) -> pd.DataFrame:
        """Per-study rows and a final ``pooled`` row: estimate, std_error, CI, weight."""
        crit = stats.norm.ppf(0.5 + self.confidence / 2)
        se = np.sqrt(self.variances)
        frame = pd.DataFrame(
            {
                "estimate": self.effects,
                "std_error": se,
                "ci_low": self.effects - crit * se,
                "ci_high": self.effects + crit * se,
                "p_value": 2 * stats.norm.sf(np.abs(self.effects / se)),
                "weight": self.weights,
            },
            index=pd.Index(self.labels, name="study"),
        )
        pooled = pd.DataFrame(
            {
                "estimate": [self.estimate],
                "std_error": [self.std_error],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "p_value": [self.p_value],
                "weight": [1.0],
            },
            index=pd.Index([f"pooled ({self.method})"], name="study"),
        )
        return pd.concat([frame, pooled])

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The pooling method, the effect scale and the confidence level."""
        return frozen_mapping(
            {"method": self.method, "scale": self.scale, "confidence": self.confidence}
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Number of studies pooled."""
        return frozen_mapping({"k": len(self.effects)})

    @property
    def notes(self) -> tuple[str, ...]:
        """Heterogeneity in words, then the conventions and caveats."""
        heterogeneity = (
            f"Heterogeneity: tau2 = {self.tau2:.4g}, Q = {self.q:.4g} "
            f"(p = {self.q_p_value:.4g}), I2 = {100 * self.i2:.1f}%."
        )
        if np.isfinite(self.prediction_low):
            heterogeneity += (
                f" Prediction interval for a new study: {self.prediction_low:.4g} to "
                f"{self.prediction_high:.4g}."
            )
        return (heterogeneity, *self._notes)

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame().round(4)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Forest plot: studies (squares sized by weight) and the pooled diamond."""
        from hotspotlib._plotting import get_axes

        frame = self.to_frame()
        k = len(self.effects)
        axes = get_axes(ax, figsize=(7.0, 1.5 + 0.4 * (k + 1)))
        position = np.arange(k, 0, -1, dtype=float)
        low = frame["ci_low"].to_numpy()[:k]
        high = frame["ci_high"].to_numpy()[:k]
        axes.hlines(position, low, high, color="black", linewidth=1)
        kwargs.setdefault("color", "black")
        kwargs.setdefault("marker", "s")
        axes.scatter(self.effects, position, s=20 + 300 * self.weights, **kwargs)
        diamond_x = [self.ci_low, self.estimate, self.ci_high, self.estimate]
        diamond_y = [0, 0.25, 0, -0.25]
        axes.fill(diamond_x, diamond_y, color="tab:blue")
        if np.isfinite(self.prediction_low):
            axes.hlines(
                0,
                self.prediction_low,
                self.prediction_high,
                color="tab:blue",
                linestyle=":",
                linewidth=1,
            )
        axes.axvline(0, color="grey", linestyle="--", linewidth=1)
        axes.set_yticks([*position, 0], [*self.labels, f"pooled ({self.method})"])
        axes.set_xlabel(self.scale)
        axes.set_title(f"Forest plot: tau2 = {self.tau2:.3g}, I2 = {100 * self.i2:.0f}%")
        return axes


def meta_analysis(
    effects: ArrayLike | Sequence[TrialEffect],
    *,
    variances: ArrayLike | None = None,
    ci: ArrayLike | None = None,
    method: MetaMethod = "REML",
    labels: Sequence[str] | None = None,
    scale: Literal["log_irr", "d"] = "log_irr",
    confidence: float = 0.95,
) -> MetaAnalysis:
    """Pool effect sizes by inverse-variance weighting.

    Fixed effect: ``theta = sum(w y) / sum(w)``, ``w = 1/v``. Random effects add the
    between-study variance ``tau2`` to every ``v``: DerSimonian-Laird
    ``tau2 = max(0, (Q - (k - 1)) / (sum w - sum w^2 / sum w))``, or REML (the
    restricted likelihood maximised over ``tau2 >= 0``). Intervals and p-values use
    the normal distribution (no Knapp-Hartung adjustment).

    Parameters
    ----------
    effects : array-like or sequence of TrialEffect
        Effect sizes (e.g. log IRRs), or trial results converted per ``scale``.
    variances : array-like, optional
        Their variances (give this or ``ci``; not needed for TrialEffect input).
    ci : array-like, optional
        ``(k, 2)`` confidence limits on the effect scale, assumed symmetric at the
        95% level: ``SE = (high - low) / (2 * 1.96)``. Pass log limits for ratios.
    method : {"REML", "DL", "fixed"}
        Between-study variance estimator.
    labels : sequence of str, optional
        Study names.
    scale : {"log_irr", "d"}
        For TrialEffect input: pool log IRRs, or d from the logistic conversion
        ``d = -ln(IRR) sqrt(3) / pi`` (positive = reduction).
    confidence : float
        Level of the intervals.

    Returns
    -------
    MetaAnalysis
        Pooled estimate, tau2, I2, Q, prediction interval and a forest ``.plot()``.

    See Also
    --------
    MetaAnalysis : The returned pooled effect.
    count_effect_size : Effect sizes from pre/post counts.
    evaluate_forces : Pool one analysis across forces.

    References
    ----------
    .. [1] DerSimonian, R. and Laird, N. (1986). Meta-analysis in clinical trials.
       Controlled Clinical Trials 7(3), 177-188.
       https://doi.org/10.1016/0197-2456(86)90046-2
    .. [2] Higgins, J. P. T. and Thompson, S. G. (2002). Quantifying heterogeneity in a
       meta-analysis. Statistics in Medicine 21(11), 1539-1558.
       https://doi.org/10.1002/sim.1186
    .. [3] Braga, A. A., Turchan, B., Papachristos, A. V. and Hureau, D. M. (2019). Hot
       spots policing of small geographic areas effects on crime. Campbell Systematic
       Reviews 15(3), e1046. https://doi.org/10.1002/cl2.1046

    Examples
    --------
    >>> import hotspotlib as hs
    >>> pooled = hs.meta_analysis([0.1, 0.3, -0.05, 0.4, 0.2],
    ...                           variances=[0.01, 0.02, 0.015, 0.05, 0.01], method="DL")
    >>> round(pooled.estimate, 4), round(pooled.tau2, 5)
    (0.1531, 0.00603)
    """
    check_option(method, MetaMethod, name="method")
    check_option(scale, ("log_irr", "d"), name="scale")
    level = require_probability(confidence, name="confidence")
    y, v, names, scale_name = _inputs(effects, variances, ci, labels, scale)
    k = len(y)
    w_fixed = 1 / v
    fixed = float(np.sum(w_fixed * y) / np.sum(w_fixed))
    q = float(np.sum(w_fixed * (y - fixed) ** 2))
    if method == "fixed":
        tau2 = 0.0
    elif method == "DL":
        c = np.sum(w_fixed) - np.sum(w_fixed**2) / np.sum(w_fixed)
        tau2 = float(max(0.0, (q - (k - 1)) / c)) if c > 0 else 0.0
    else:
        tau2 = _reml(y, v)
    weights = 1 / (v + tau2)
    estimate = float(np.sum(weights * y) / np.sum(weights))
    se = float(np.sqrt(1 / np.sum(weights)))
    crit = stats.norm.ppf(0.5 + level / 2)
    prediction = (float("nan"), float("nan"))
    if method != "fixed" and k >= 3:
        half = stats.t.ppf(0.5 + level / 2, k - 2) * np.sqrt(tau2 + se**2)
        prediction = (estimate - half, estimate + half)
    notes = ["Normal-theory pooled interval and p-value (two-sided)."]
    if k < 5 and method != "fixed":
        notes.append(f"Only {k} studies: tau2 is poorly estimated; read I2 with care.")
    return MetaAnalysis(
        labels=tuple(names),
        effects=y,
        variances=v,
        weights=weights / weights.sum(),
        estimate=estimate,
        std_error=se,
        ci_low=estimate - crit * se,
        ci_high=estimate + crit * se,
        p_value=float(2 * stats.norm.sf(abs(estimate / se))),
        tau2=tau2,
        q=q,
        q_p_value=float(stats.chi2.sf(q, k - 1)) if k > 1 else float("nan"),
        i2=float(max(0.0, (q - (k - 1)) / q)) if q > 0 else 0.0,
        prediction_low=prediction[0],
        prediction_high=prediction[1],
        method=method,
        confidence=level,
        scale=scale_name,
        _notes=tuple(notes),
    )


def _inputs(
    effects: Any, variances: Any, ci: Any, labels: Any, scale: str
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[str], str]:
    items = list(effects) if not isinstance(effects, np.ndarray) else None
    if items and all(isinstance(e, TrialEffect) for e in items):
        for name, value in (("variances", variances), ("ci", ci)):
            require_relevant(
                value,
                name=name,
                used=False,
                context="with TrialEffect results",
                fix="Trial results carry their own variances.",
            )
        y, v = _trial_effects(items, scale)
        default = [e.outcome for e in items]
        scale_name = "d (logistic conversion)" if scale == "d" else "log IRR"
    else:
        y = require_finite(effects, name="effects").ravel()
        require_relevant(
            ci,
            name="ci",
            used=variances is None,
            required=variances is None,
            context="with numeric `effects` and `variances`"
            if variances is not None
            else "with numeric `effects` and no `variances`",
            fix="Give exactly one of `variances` or `ci`.",
        )
        if variances is not None:
            v = require_finite(variances, name="variances").ravel()
        else:
            limits = require_finite(ci, name="ci")
            require_shape(limits, (len(y), 2), name="ci", what="one (low, high) pair per effect")
            width = require_within(
                limits[:, 1] - limits[:, 0],
                name="ci widths (high - low)",
                low=0,
                low_open=True,
                fix="Each study needs low < high.",
            )
            v = (width / (2 * stats.norm.ppf(0.975))) ** 2
        default = [f"study {i + 1}" for i in range(len(y))]
        scale_name = "effect"
    require_whole(
        len(y), name="number of studies", minimum=2, fix="A meta-analysis pools at least 2."
    )
    require_shape(v, y.shape, name="variances", what="one variance per effect")
    require_within(
        v,
        name="variances",
        low=0,
        low_open=True,
        fix="A zero variance usually means a standard error was not squared or was rounded to 0.",
    )
    names = [str(n) for n in labels] if labels is not None else default
    require_shape(names, y.shape, name="labels", what="one label per effect")
    return y.astype(float), v.astype(float), names, scale_name


def _trial_effects(
    items: list[TrialEffect], scale: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Effects and variances of trial results on the chosen scale."""
    if scale == "d":
        return (
            np.array([e.d_from_log_ratio for e in items]),
            np.array([e.d_variance for e in items]),
        )
    variance = [
        e.std_error**2 if e.scale != "difference" else e.d_variance * (np.pi**2 / 3) for e in items
    ]
    return np.array([np.log(e.irr) for e in items]), np.array(variance)


def _reml(y: NDArray[np.float64], v: NDArray[np.float64]) -> float:
    """REML estimate of tau2: maximise the restricted log-likelihood over tau2 >= 0."""

    def negative_restricted(tau2: float) -> float:
        w = 1 / (v + tau2)
        mean = np.sum(w * y) / np.sum(w)
        return float(
            0.5 * (np.sum(np.log(v + tau2)) + np.log(np.sum(w)) + np.sum(w * (y - mean) ** 2))
        )

    upper = max(10 * float(np.var(y, ddof=1)), 10 * float(v.max()), 1e-8)
    best = optimize.minimize_scalar(
        negative_restricted, bounds=(0.0, upper), method="bounded", options={"xatol": 1e-12}
    )
    tau2 = float(best.x)
    return 0.0 if negative_restricted(0.0) <= negative_restricted(tau2) else tau2
