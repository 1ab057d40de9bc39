"""Simulated power of a multi-arm trial, with the multiplicity adjustment applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hotspotlib._frozen import FrozenResult
from hotspotlib._multiple_testing import adjust_pvalues, dunnett_pvalues
from hotspotlib._validation import (
    as_rng,
    require_draws,
    require_positive,
    require_probability,
    require_shape,
    require_subset,
    require_type,
    require_within,
)
from hotspotlib.trials.arm_effects import ArmAdjustment, _contrasts, check_adjustment
from hotspotlib.trials.arms import ArmAssignment, draw_arms

__all__ = ["ArmPower", "simulate_arm_power"]

_CHUNK = 500


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ArmPower(FrozenResult):
    """Power of each comparison of a multi-arm trial, after adjustment.

    Attributes
    ----------
    comparisons : tuple of str
        ``"patrol vs control"`` ...
    irr : numpy.ndarray
        True rate ratio of each comparison.
    power : numpy.ndarray
        Share of simulated trials in which the comparison's adjusted p-value is below
        ``alpha``.
    power_unadjusted : numpy.ndarray
        The same with raw p-values.
    power_any, power_all : float
        Share of trials rejecting at least one / every comparison (adjusted).
    p_adjusted : numpy.ndarray
        ``(n_simulations, n_comparisons)`` adjusted p-values (NaN where undefined).

    See Also
    --------
    simulate_arm_power : Compute one.

    References
    ----------
    .. [1] Arnold et al. (2011). BMC Medical Research Methodology 11, 94.
    """

    comparisons: tuple[str, ...]
    irr: NDArray[np.float64]
    power: NDArray[np.float64]
    power_unadjusted: NDArray[np.float64]
    power_any: float
    power_all: float
    p_adjusted: NDArray[np.float64]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default_factory=tuple)

    _title: ClassVar[str] = "Simulated power of a multi-arm trial"

    def to_frame(self) -> pd.DataFrame:
        """One row per comparison: irr, power, its Monte Carlo SE, unadjusted power."""
        n = len(self.p_adjusted)
        return pd.DataFrame(
            {
                "irr": self.irr,
                "power": self.power,
                "power_mc_se": np.sqrt(self.power * (1 - self.power) / n),
                "power_unadjusted": self.power_unadjusted,
            },
            index=pd.Index(self.comparisons, name="comparison"),
        )

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame().round(4)


def simulate_arm_power(
    assignment: ArmAssignment,
    *,
    place_means: ArrayLike,
    irrs: Mapping[str, float],
    dispersion: float = 0.0,
    comparisons: Literal["control", "all"] = "control",
    p_adjust: ArmAdjustment = "holm",
    n_simulations: int = 1_000,
    alpha: float = 0.05,
    rng: int | np.random.Generator | None = None,
) -> ArmPower:
    """Estimate the power of each comparison of a multi-arm trial by simulation.

    Each simulated trial re-draws the allocation under the same design
    (:meth:`ArmAssignment.redraw`), draws one count per place,
    ``y ~ NB2(place_mean * irr[arm], k)``, and fits the analysis of
    :func:`estimate_arms` on a one-row-per-place panel (Poisson with an indicator per
    arm and HC1 errors; for this model it has a closed form, so every simulation is
    exact and vectorised), then adjusts the p-values with ``p_adjust``.

    Parameters
    ----------
    assignment : ArmAssignment
        The randomisation scheme (from :func:`assign_arms`).
    place_means : array-like
        Expected control count per place over the trial period.
    irrs : mapping
        True rate ratio against control per arm; arms left out have ratio 1.
    dispersion : float
        NB2 dispersion ``k`` of counts around their means (0 = Poisson).
    comparisons : {"control", "all"}
        As in :func:`estimate_arms`.
    p_adjust : {"holm", "dunnett", "bonferroni", "fdr_bh", "none"}
        Adjustment across the comparisons within each simulated trial, as in
        :func:`estimate_arms`: ``"dunnett"`` (single-step ``max |z|`` with each simulated
        trial's estimated correlation of the comparisons) needs ``comparisons="control"``.
    n_simulations : int
        Simulated trials.
    alpha : float
        Two-sided significance level of each adjusted test.
    rng : int, Generator or None
        Seed or generator.

    Returns
    -------
    ArmPower
        Adjusted and unadjusted power per comparison, power to reject any and all.

    See Also
    --------
    simulate_power : two arms, crossovers.

    References
    ----------
    .. [1] Arnold, B. F., Hogan, D. R., Colford, J. M. and Hubbard, A. E. (2011). Simulation
       methods to estimate design power: an overview for applied research. BMC Medical
       Research Methodology 11, 94. https://doi.org/10.1186/1471-2288-11-94
    .. [2] Dunnett, C. W. (1955). A multiple comparison procedure for comparing several
       treatments with a control. Journal of the American Statistical Association 50(272),
       1096-1121.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> plan = hs.assign_arms(range(60), rng=1)
    >>> sim = hs.simulate_arm_power(plan, place_means=[5.0] * 60,
    ...                             irrs={"patrol": 0.7, "patrol_pop": 0.5},
    ...                             n_simulations=400, rng=2)
    >>> bool(sim.power[1] > sim.power[0])
    True
    """
    require_type(assignment, ArmAssignment, name="assignment", expected="an ArmAssignment")
    n = len(assignment.place_ids)
    means = require_within(place_means, name="place_means", low=0, low_open=True)
    require_shape(means, (n,), name="place_means", what="one expected count per place")
    require_subset(
        list(irrs),
        assignment.arms,
        name="irrs",
        among=f"the arms {list(assignment.arms)}",
        what="arms",
        fix="Key each rate ratio by an arm of the assignment.",
    )
    ratios = np.array(
        [require_positive(irrs.get(a, 1.0), name=f"irrs[{a!r}]") for a in assignment.arms]
    )
    k = require_positive(dispersion, name="dispersion", allow_zero=True)
    check_adjustment(comparisons, p_adjust)
    size = require_draws(n_simulations, name="n_simulations", minimum=1)
    level = require_probability(alpha, name="alpha")
    names, contrast = _contrasts(list(assignment.arms[1:]), assignment.arms[0], comparisons)
    generator = as_rng(rng)
    chunks = [
        _z_values(assignment, means, ratios, k, min(_CHUNK, size - s), contrast, generator)
        for s in range(0, size, _CHUNK)
    ]
    z = np.concatenate([c[0] for c in chunks])
    correlation = np.concatenate([c[1] for c in chunks])
    raw = 2 * stats.norm.sf(np.abs(z))
    adjusted = np.full_like(raw, np.nan)
    ok = np.isfinite(raw).all(axis=1)
    if p_adjust == "dunnett":  # one numerical integral per trial and comparison
        for s in np.flatnonzero(ok):
            adjusted[s] = dunnett_pvalues(z[s], correlation[s])
    elif ok.any():
        adjusted[ok] = np.apply_along_axis(adjust_pvalues, 1, raw[ok], method=p_adjust)
    reject = adjusted < level  # NaN (undefined) never rejects
    return ArmPower(
        comparisons=tuple(names),
        irr=np.exp(contrast @ np.log(ratios[1:])),
        power=reject.mean(axis=0),
        power_unadjusted=(raw < level).mean(axis=0),
        power_any=float(reject.any(axis=1).mean()),
        power_all=float(reject.all(axis=1).mean()),
        p_adjusted=adjusted,
        parameters={
            "design": f"parallel ({assignment.design}), {len(assignment.arms)} arms",
            "arms": ", ".join(assignment.arms),
            "comparisons": comparisons,
            "p_adjust": p_adjust,
            "alpha": level,
            "dispersion": k,
            "n_simulations": size,
        },
        counts={"n_places": n, "n_simulations": size, "n_undefined": int((~ok).sum())},
        notes=(
            f"power: share of trials with the {p_adjust}-adjusted p-value < {level:g}; "
            "power_any / power_all: at least one / every comparison rejected.",
            "Analysis: Poisson with an indicator per arm, HC1 errors (estimate_arms on "
            "one row per place); trials with an arm without events are undefined and "
            "count as not rejected (n_undefined).",
        ),
    )


def _z_values(
    assignment: ArmAssignment,
    means: NDArray[np.float64],
    ratios: NDArray[np.float64],
    k: float,
    size: int,
    contrast: NDArray[np.float64],
    generator: np.random.Generator,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Wald z of each comparison, ``(size, m)``, and their correlation, ``(size, m, m)``.

    Fresh allocations; NaN where an arm has no events.
    """
    codes = draw_arms(generator, assignment.block, assignment.n_per_block, size)
    mean = means * ratios[codes]
    if k > 0:
        mean = mean * generator.gamma(1 / k, k, mean.shape)
    y = generator.poisson(mean).astype(float)
    n_arms = len(assignment.arms)
    onehot = codes[..., None] == np.arange(n_arms)  # (size, n, arms)
    total = np.einsum("sn,sna->sa", y, onehot)
    count = onehot.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        level = total / count
        residual = (y[..., None] - level[:, None, :]) ** 2 * onehot
        n = len(means)
        var = residual.sum(axis=1) / total**2 * n / (n - n_arms)  # HC1, as estimate_arms
        log_mean = np.log(level)  # log mean per arm (not the total: arm sizes differ)
        beta = log_mean[:, 1:] - log_mean[:, :1]
        v_beta = var[:, 1:, None] * np.eye(n_arms - 1) + var[:, :1, None]
        estimate = beta @ contrast.T
        v = np.einsum("ij,sjk,lk->sil", contrast, v_beta, contrast)
        se = np.sqrt(np.diagonal(v, axis1=1, axis2=2))
        z = estimate / se
        correlation = v / (se[:, :, None] * se[:, None, :])
    return np.where(np.isfinite(z), z, np.nan), correlation
