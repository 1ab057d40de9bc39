"""The result of estimating a trial effect: IRR, % change, CI, p-value, Cohen's d."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd

from hotspotlib._frozen import FrozenResult, frozen_mapping

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["TrialEffect"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class TrialEffect(FrozenResult):
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
    parameters : Mapping (read-only)
        Outcome, treatment, design, model, fixed effects, cluster, covariance type,
        carryover lags, washout, baseline and confidence.
    counts : Mapping (read-only)
        ``n_obs``, ``n_treated``, ``n_control``, ``n_groups`` and ``n_dropped``.
    notes : tuple of str
        Conventions and caveats.

    See Also
    --------
    estimate_effect : Compute one.

    References
    ----------
    .. [1] Sherman and Weisburd (1995). https://doi.org/10.1080/07418829500096221
    """

    _title: ClassVar[str] = "Effect of patrol"
    _repr_fields: ClassVar[tuple[str, ...]] = (
        "outcome",
        "design",
        "irr",
        "estimate",
        "std_error",
        "p_value",
        "n_obs",
    )

    outcome: str
    design: str
    model: str
    scale: str
    _terms: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
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
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def _row(self, column: str) -> float:
        return float(self._terms.loc["treatment", column])

    @property
    def terms(self) -> pd.DataFrame:
        """One row per term: estimates, intervals, IRRs and % changes.

        A copy: editing it leaves the result (and its properties) unchanged.
        """
        return self._terms.copy()

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
        frame = self._terms.copy()
        frame.insert(0, "outcome", self.outcome)
        frame["cohens_d"] = np.where(frame.index == "treatment", self.cohens_d, np.nan)
        frame["d_from_log_ratio"] = np.where(
            frame.index == "treatment", self.d_from_log_ratio, np.nan
        )
        return frame

    @property
    def counts(self) -> Mapping[str, Any]:
        """Rows analysed, per arm, clusters, and rows left out (reasons in ``notes``)."""
        return frozen_mapping(
            {
                "n_obs": self.n_obs,
                "n_treated": self.n_treated,
                "n_control": self.n_control,
                "n_groups": self.n_groups,
                "n_dropped": self.n_dropped,
            }
        )

    def _summary_table(self) -> pd.DataFrame:
        table = self._terms[
            ["estimate", "std_error", "p_value", "irr", "irr_ci_low", "irr_ci_high"]
        ].copy()
        treatment = table.index == "treatment"
        table["percent_change"] = self._terms["percent_change"]
        for name in ("cohens_d", "d_from_log_ratio", "control_mean", "treated_mean"):
            table[name] = np.where(treatment, getattr(self, name), np.nan)
        return table.round(4)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Point estimates and confidence intervals of the IRR per term (log axis)."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 1.5 + 0.5 * len(self._terms)))
        position = np.arange(len(self._terms))[::-1]
        irr = self._terms["irr"].to_numpy()
        low = irr - self._terms["irr_ci_low"].to_numpy()
        high = self._terms["irr_ci_high"].to_numpy() - irr
        kwargs.setdefault("fmt", "o")
        kwargs.setdefault("color", "black")
        axes.errorbar(irr, position, xerr=[low, high], **kwargs)
        axes.axvline(1.0, color="grey", linestyle="--", linewidth=1)
        axes.set_yticks(position, list(self._terms.index))
        axes.set_xscale("log")
        axes.set_xlabel("incident rate ratio (patrol / no patrol)")
        axes.set_title(f"Effect of patrol on {self.outcome}")
        return axes
