"""Closed-form power: variances of the log IRR, k-arm allocation, critical values (internal).

A k-arm trial compares each of the ``m = k - 1`` treatment arms with one control
arm. Each comparison's log rate ratio has variance ``V_c + V_a`` (a control part and
an arm part); two comparisons share the control part, so their correlation is
``V_c / (V_c + V_a)`` (0.5 with equal arms and equal variances). The per-comparison
critical value is the normal quantile at ``alpha / 2`` (no adjustment), at
``alpha / (2 m)`` (Bonferroni), or the two-sided equicoordinate quantile of ``max |Z|``
over the m correlated comparisons (Dunnett 1955, infinite degrees of freedom).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from scipy import optimize, stats

from hotspotlib._multiple_testing import max_abs_exceedance
from hotspotlib._options import PowerDesign
from hotspotlib._validation import (
    check_option,
    require_positive,
    require_probability,
    require_range,
    require_relevant,
    require_whole,
)

__all__ = [
    "Allocation",
    "PowerAdjustment",
    "arm_setup",
    "common",
    "critical_value",
    "unit_variance",
    "variance_parts",
    "z_sum",
]

Allocation = Literal["equal", "square_root"]
PowerAdjustment = Literal["bonferroni", "dunnett"]


def arm_setup(
    design: str,
    n_arms: int,
    p_adjust: str | None,
    allocation: str,
    treated_share: float | None,
) -> dict[str, Any]:
    """Check the k-arm options; return arms, shares and the control-to-arm ratio.

    ``control_share`` and ``arm_share`` are the shares of units (places, or
    place-days in a crossover) in the control arm and in each treatment arm.
    """
    k = require_whole(n_arms, name="n_arms", minimum=2, fix="A trial has at least two arms.")
    if p_adjust is not None:
        check_option(p_adjust, PowerAdjustment, name="p_adjust")
    check_option(allocation, Allocation, name="allocation")
    require_relevant(
        None if k == 2 else k,
        name="n_arms",
        used=design != "pair",
        context="with design='pair'",
        fix="Matched pairs have two arms: use design='block' for several arms.",
    )
    require_relevant(
        treated_share,
        name="treated_share",
        used=design == "crossover" and allocation == "equal",
        context=f"with design={design!r} and allocation={allocation!r}",
        fix="It sets a crossover's share of place-days in each treatment arm; "
        "square-root allocation sets its own shares.",
    )
    m = k - 1
    if allocation == "square_root":  # control sqrt(m) times each arm (Dunnett 1955)
        arm_share = 1.0 / (m + np.sqrt(m))
    elif design == "crossover":
        arm_share = 0.4 if treated_share is None and k == 2 else (treated_share or 1.0 / k)
    else:
        arm_share = 1.0 / k
    control_share = 1.0 - m * arm_share
    if control_share <= 0:
        raise ValueError(
            f"`treated_share`={arm_share:g} in each of {m} treatment arms leaves no control "
            f"place-days (control share {control_share:g}). Pass a share below {1 / m:g}."
        )
    return {
        "n_arms": k,
        "p_adjust": p_adjust,
        "allocation": allocation,
        "treated_share": float(arm_share),
        "control_share": float(control_share),
        "control_ratio": float(control_share / arm_share),
    }


def critical_value(alpha: float, n_comparisons: int, correlation: float, p_adjust: Any) -> float:
    """Two-sided critical value of each comparison after the adjustment."""
    if n_comparisons == 1 or p_adjust is None:
        return float(stats.norm.ppf(1 - alpha / 2))
    if p_adjust == "bonferroni":
        return float(stats.norm.ppf(1 - alpha / (2 * n_comparisons)))
    matrix = np.full((n_comparisons, n_comparisons), correlation)
    np.fill_diagonal(matrix, 1.0)
    return float(
        optimize.brentq(lambda c: max_abs_exceedance(c, matrix) - alpha, 0.5, 10, xtol=1e-8)
    )


def z_sum(alpha: float, power: float, design: str, v: dict[str, Any]) -> float:
    """Critical value of each comparison (after the adjustment) plus the power quantile."""
    require_probability(alpha, name="alpha")
    require_probability(power, name="power")
    control, arm = variance_parts(design, 1.0, v)  # the null correlation of comparisons
    crit = critical_value(alpha, v["n_arms"] - 1, control / (control + arm), v["p_adjust"])
    v["critical_value"] = crit
    return float(crit + stats.norm.ppf(power))


def common(
    design: str,
    control_rate: float,
    dispersion: float,
    exposure: float,
    treated_share: float | None,
    correlation: float,
    cluster_size: float,
    icc: float,
    arms: tuple[int, str | None, str],
) -> dict[str, Any]:
    check_option(design, PowerDesign, name="design")
    if treated_share is not None:
        require_probability(treated_share, name="treated_share")
    values = {
        "control_rate": require_positive(control_rate, name="control_rate"),
        "dispersion": require_positive(dispersion, name="dispersion", allow_zero=True),
        "exposure": require_positive(exposure, name="exposure"),
        **arm_setup(design, *arms, treated_share),
        "correlation": require_range(
            correlation, name="correlation", low=0, high=1, high_open=True
        ),
        "cluster_size": require_positive(cluster_size, name="cluster_size"),
        "icc": require_range(icc, name="icc", low=0, high=1),
    }
    require_relevant(
        correlation,
        name="correlation",
        used=design in ("pair", "block"),
        context=f"with design={design!r}",
        fix="It applies to pair and block designs only.",
    )
    values["design_effect"] = 1.0 + (values["cluster_size"] - 1.0) * values["icc"]
    return values


def unit_variance(design: str, irr: float, v: dict[str, Any]) -> float:
    """Variance of the log IRR times n (n = units per treatment arm, or place-days)."""
    mu0, k, t = v["control_rate"], v["dispersion"], v["exposure"]
    two_equal = v["n_arms"] == 2 and v["control_ratio"] == 1.0
    if design != "crossover" and two_equal:
        heterogeneity = 2 * k * (1 - v["correlation"])
        return float(v["design_effect"] * (1 / (t * mu0) + 1 / (t * mu0 * irr) + heterogeneity))
    return float(sum(variance_parts(design, irr, v)))


def variance_parts(design: str, irr: float, v: dict[str, Any]) -> tuple[float, float]:
    """Control and treatment-arm parts of the variance of one comparison, times n.

    Parallel designs: n is places per treatment arm, the control arm has
    ``control_ratio * n``. Crossovers: n is place-days, shares ``control_share`` and
    ``treated_share`` (per treatment arm).

    Notes
    -----
    Each arm contributes the variance of the log of its mean count,
    ``Var(log ybar) ~ (1/(t mu) + k) / n_arm`` for NB2 counts with mean ``t mu``
    (delta method; Zhu and Lakkis 2014; domain reference section 3.4), at that
    arm's own rate: ``mu0`` in control, ``mu0 * irr`` in a treatment arm. A crossover
    with place fixed effects compares each place's treated and control days, so with
    shares ``p1`` (treated) and ``p0`` (control) of ``n`` place-days::

        n Var(beta) = DE * [(1/(t mu0) + k) / p0 + (1/(t mu0 irr) + k) / p1]

    which is the domain reference's first-order sketch ``(1/mu + k) / (p (1 - p))``
    when ``irr = 1`` and ``p0 = 1 - p``; at ``irr < 1`` the treated days carry fewer
    events and more variance, so the sketch (the control rate for both arms) was
    optimistic.
    """
    mu0, k, t, de = v["control_rate"], v["dispersion"], v["exposure"], v["design_effect"]
    if design == "crossover":
        control = de * (1 / (t * mu0) + k) / v["control_share"]
        return control, de * (1 / (t * mu0 * irr) + k) / v["treated_share"]
    half = k * (1 - v["correlation"])
    return de * (1 / (t * mu0) + half) / v["control_ratio"], de * (1 / (t * mu0 * irr) + half)
