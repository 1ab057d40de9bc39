"""Sample size and minimum detectable effect for count outcomes (closed forms).

Wald approximation on the log-rate scale for a two-arm comparison of Poisson or
negative-binomial (NB2, Var = mu + k mu^2) counts, with design effects for pairing or
blocking, clustering, and a first-order approximation for crossover designs. Closed
forms ignore serial correlation and carryover: confirm with :func:`simulate_power`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import PowerDesign
from hotspotlib._validation import (
    require_positive,
    require_relevant,
)
from hotspotlib.trials._power_model import Allocation, PowerAdjustment, common, unit_variance, z_sum

__all__ = ["PowerAnalysis", "minimum_detectable_effect", "sample_size"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PowerAnalysis(FrozenResult):
    """A sample-size or minimum-detectable-effect calculation.

    Attributes
    ----------
    design : str
        ``"parallel"``, ``"pair"``, ``"block"`` or ``"crossover"``.
    n : float
        Units per arm (parallel, pair, block: places per arm, or pairs) or place-days
        in total (crossover); unrounded, as in published tables.
    unit : str
        What ``n`` counts.
    irr : float
        The incident rate ratio (target for ``sample_size``, detectable for
        ``minimum_detectable_effect``).
    std_error : float
        Standard error of the log IRR at this ``n``.
    days : float or None
        Crossover: trial days needed (``n / n_places``) when ``n_places`` is given.
    n_control, n_total : float or None
        Several arms or unequal allocation: units in the control arm and in all arms.
    parameters : Mapping (read-only)
        Every input, including the design effect applied.

    See Also
    --------
    sample_size : Compute one.

    References
    ----------
    .. [1] Zhu and Lakkis (2014). Statistics in Medicine 33(3), 376-387.
    """

    design: str
    n: float
    unit: str
    irr: float
    std_error: float
    days: float | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    n_control: float | None = None
    n_total: float | None = None

    _title: ClassVar[str] = "Power calculation"

    @property
    def percent_reduction(self) -> float:
        """``100 * (1 - IRR)``."""
        return 100.0 * (1.0 - self.irr)

    def to_frame(self) -> pd.DataFrame:
        """One row: design, n, unit, irr, percent_reduction, std_error, days."""
        return pd.DataFrame(
            {
                "design": [self.design],
                "n": [self.n],
                "unit": [self.unit],
                "irr": [self.irr],
                "percent_reduction": [self.percent_reduction],
                "std_error": [self.std_error],
                "days": [self.days],
            }
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """The units: ``n`` (in ``unit``) and, for crossovers with ``n_places``, days."""
        extra = (
            {} if self.n_total is None else {"n_control": self.n_control, "n_total": self.n_total}
        )
        return frozen_mapping({"n": self.n, "unit": self.unit, "days": self.days, **extra})

    @property
    def notes(self) -> tuple[str, ...]:
        """The approximation and its caveats."""
        notes = [
            "Wald approximation on the log-rate scale, two-sided alpha; "
            "Var(log rate) per unit = (1/(t mu) + k) with NB2 dispersion k (0 = Poisson).",
            "Closed forms ignore serial correlation, carryover and few-cluster effects; "
            "confirm with simulate_power under the real randomisation scheme.",
        ]
        if self.design == "crossover":
            notes.append(
                "Crossover: Var(beta) = DE [(1/mu0 + k)/(1 - p) + (1/(mu0 IRR) + k)/p] / (N D), "
                "place fixed effects, each arm at its own rate (first-order, not published)."
            )
        if self.parameters.get("n_arms", 2) > 2:
            notes.append(
                f"{self.parameters['n_arms'] - 1} comparisons with control, each with "
                f"critical value {self.parameters['critical_value']:.4g} "
                f"(p_adjust={self.parameters['p_adjust']}); power is per comparison, "
                f"{self.parameters['allocation']} allocation."
            )
        if self.design in ("pair", "block"):
            notes.append(
                "Pairing/blocking removes a share `correlation` of the between-place "
                "variance 2k (our approximation); 0 reproduces the parallel design."
            )
        return tuple(notes)

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame().rename(columns={"std_error": "std_error_log_irr"})


def sample_size(
    *,
    control_rate: float,
    irr: float,
    dispersion: float = 0.0,
    design: PowerDesign = "parallel",
    alpha: float = 0.05,
    power: float = 0.8,
    exposure: float = 1.0,
    treated_share: float | None = None,
    correlation: float = 0.0,
    cluster_size: float = 1.0,
    icc: float = 0.0,
    n_places: int | None = None,
    n_arms: int = 2,
    p_adjust: PowerAdjustment | None = "bonferroni",
    allocation: Allocation = "equal",
) -> PowerAnalysis:
    """Units needed to detect an incident rate ratio ``irr`` with the given power.

    ``n = (z_{1-alpha/2} + z_{power})^2 * V / (ln irr)^2`` where, per unit,
    ``V = DE * [1/(t mu0) + 1/(t mu0 irr) + 2k(1 - correlation)]`` for parallel,
    pair and block designs (units per arm) and
    ``V = DE * [(1/(t mu0) + k) / (1 - p) + (1/(t mu0 irr) + k) / p]`` for crossovers
    (place-days in total, a share ``p`` of them patrolled).

    Parameters
    ----------
    control_rate : float
        Mean count per unit of exposure without patrol (``mu0``).
    irr : float
        Incident rate ratio to detect (0.8 = a 20% reduction).
    dispersion : float
        NB2 dispersion ``k`` (Var = mu + k mu^2); 0 for Poisson.
    design : {"parallel", "pair", "block", "crossover"}
        Trial design.
    alpha, power : float
        Two-sided significance level and power.
    exposure : float
        Exposure per unit (e.g. days) multiplying ``control_rate``.
    treated_share : float, optional
        Crossover: share of places patrolled each day (Southend 8/20 = 0.4, the
        default with two arms); with several arms, the share in each treatment arm
        (default: equal shares, ``1 / n_arms``).
    correlation : float
        Pair/block: share of between-place variance removed by matching.
    cluster_size, icc : float
        Design effect ``DE = 1 + (cluster_size - 1) * icc`` for clustered outcomes.
    n_places : int, optional
        Crossover: number of places, to express the answer in trial days.
    n_arms : int
        Arms including control (Grip: control, patrol, patrol plus POP is 3). Each of
        the ``n_arms - 1`` treatment arms is compared with control, and the power is
        that of each comparison. ``n`` is then places per *treatment* arm (parallel,
        block) or place-days in total (crossover).
    p_adjust : {"bonferroni", "dunnett"} or None
        Adjustment over the ``n_arms - 1`` comparisons: Bonferroni (``alpha / m``
        per test), Dunnett's single-step ``max |z|`` critical value for many-to-one
        comparisons (large-sample form, with the comparisons' correlation under the
        null; 2.212 for two arms against one control with equal arms), or None (no
        adjustment). Irrelevant with two arms.
    allocation : {"equal", "square_root"}
        Units per arm: equal, or the square-root rule (control gets ``sqrt(m)`` times
        each treatment arm's share, the optimum for ``m`` many-to-one comparisons).

    Returns
    -------
    PowerAnalysis
        ``n`` (unrounded), its unit, and the inputs; with several arms,
        ``counts["n_control"]`` and ``counts["n_total"]`` (parallel and block).

    See Also
    --------
    minimum_detectable_effect : The detectable IRR for a given n.
    simulate_power : Power by simulating the planned analysis.
    simulate_arm_power : Power of a multi-arm trial by simulation.

    Notes
    -----
    Each arm contributes the variance of the log of its mean count, ``(1/(t mu) + k)``
    divided by its units, at the arm's own rate: ``mu0`` in control and ``mu0 * irr``
    in a treatment arm (the delta method for NB2 counts, [1]_; statsmodels'
    ``power_negbin_ratio_2indep`` with ``method_var="alt"`` agrees). A crossover's
    treated place-days taken at ``mu0`` too would understate the variance when
    ``irr < 1``, and the simulated power at that n fall short of the target. Serial
    correlation and carryover are ignored; check the design with :func:`simulate_power`.

    References
    ----------
    .. [1] Zhu, H. and Lakkis, H. (2014). Sample size calculation for comparing two negative
       binomial rates. Statistics in Medicine 33(3), 376-387. https://doi.org/10.1002/sim.5947
    .. [2] Braga, A. A., Turchan, B., Papachristos, A. V. and Hureau, D. M. (2019). Hot
       spots policing of small geographic areas effects on crime. Campbell Systematic
       Reviews 15(3), e1046. https://doi.org/10.1002/cl2.1046
    .. [3] Dunnett, C. W. (1955). A multiple comparison procedure for comparing several
       treatments with a control. Journal of the American Statistical Association 50(272),
       1096-1121. https://doi.org/10.1080/01621459.1955.10501294

    Examples
    --------
    Domain reference worked value: mu0 = 0.5, 20% reduction, k = 0.5.

    >>> import hotspotlib as hs
    >>> round(hs.sample_size(control_rate=0.5, irr=0.8, dispersion=0.5).n, 1)
    867.0

    Three arms, each treatment arm against control, Dunnett-adjusted:

    >>> grip = hs.sample_size(control_rate=0.5, irr=0.8, dispersion=0.5, n_arms=3,
    ...                       p_adjust="dunnett", allocation="square_root")
    >>> round(grip.n), round(grip.counts["n_control"]), round(grip.counts["n_total"])
    (898, 1270, 3066)
    """
    v = common(
        design,
        control_rate,
        dispersion,
        exposure,
        treated_share,
        correlation,
        cluster_size,
        icc,
        (n_arms, p_adjust, allocation),
    )
    ratio = require_positive(irr, name="irr")
    if ratio == 1:
        raise ValueError("`irr` = 1 is no effect; no sample size detects it. Pass e.g. 0.8.")
    z = z_sum(alpha, power, design, v)
    n = z**2 * unit_variance(design, ratio, v) / np.log(ratio) ** 2
    se = float(np.sqrt(unit_variance(design, ratio, v) / n))
    return _result(design, float(n), ratio, se, n_places, v, alpha, power)


def minimum_detectable_effect(
    *,
    n: float,
    control_rate: float,
    dispersion: float = 0.0,
    design: PowerDesign = "parallel",
    alpha: float = 0.05,
    power: float = 0.8,
    exposure: float = 1.0,
    treated_share: float | None = None,
    correlation: float = 0.0,
    cluster_size: float = 1.0,
    icc: float = 0.0,
    n_places: int | None = None,
    n_arms: int = 2,
    p_adjust: PowerAdjustment | None = "bonferroni",
    allocation: Allocation = "equal",
) -> PowerAnalysis:
    """Find the smallest reduction (IRR < 1) detectable with ``n`` units.

    Solves the :func:`sample_size` equation for the IRR (the root nearest 1).
    ``n`` is units per arm (parallel, pair, block; per treatment arm with several
    arms) or place-days (crossover). Other parameters (``n_arms``, ``p_adjust``,
    ``allocation`` too) as in :func:`sample_size`.

    Returns
    -------
    PowerAnalysis
        ``irr`` is the detectable ratio; ``percent_reduction`` = 100 (1 - irr).

    Raises
    ------
    ValueError
        When no reduction is detectable with this ``n``.

    See Also
    --------
    sample_size : Units needed for a given IRR.
    simulate_power : Power by simulating the planned analysis.

    References
    ----------
    .. [1] Zhu, H. and Lakkis, H. (2014). Sample size calculation for comparing two negative
       binomial rates. Statistics in Medicine 33(3), 376-387. https://doi.org/10.1002/sim.5947
    .. [2] Braga, A. A., Turchan, B., Papachristos, A. V. and Hureau, D. M. (2019). Hot
       spots policing of small geographic areas effects on crime. Campbell Systematic
       Reviews 15(3), e1046. https://doi.org/10.1002/cl2.1046
    .. [3] Dunnett, C. W. (1955). A multiple comparison procedure for comparing several
       treatments with a control. Journal of the American Statistical Association 50(272),
       1096-1121. https://doi.org/10.1080/01621459.1955.10501294

    Examples
    --------
    Twenty hot spots per arm, 10 crimes each, k = 0.3 (domain reference worked value):

    >>> import hotspotlib as hs
    >>> round(hs.minimum_detectable_effect(n=20, control_rate=10, dispersion=0.3)
    ...       .percent_reduction, 1)
    44.4
    """
    v = common(
        design,
        control_rate,
        dispersion,
        exposure,
        treated_share,
        correlation,
        cluster_size,
        icc,
        (n_arms, p_adjust, allocation),
    )
    size = require_positive(n, name="n")
    z = z_sum(alpha, power, design, v)

    def excess(ratio: float) -> float:
        return z**2 * unit_variance(design, ratio, v) / np.log(ratio) ** 2 - size

    lowest = optimize.minimize_scalar(excess, bounds=(1e-9, 1 - 1e-9), method="bounded")
    if lowest.fun > 0:
        raise ValueError(
            f"No reduction is detectable with n={size:g}: even eliminating crime entirely "
            "falls short of the requested power. Increase `n` or `exposure`."
        )
    ratio = float(optimize.brentq(excess, lowest.x, 1 - 1e-12, xtol=1e-14))
    se = float(np.sqrt(unit_variance(design, ratio, v) / size))
    return _result(design, size, ratio, se, n_places, v, alpha, power)


def _result(
    design: str,
    n: float,
    irr: float,
    se: float,
    n_places: int | None,
    v: dict[str, Any],
    alpha: float,
    power: float,
) -> PowerAnalysis:
    days = None
    require_relevant(
        n_places,
        name="n_places",
        used=design == "crossover",
        context=f"with design={design!r}",
        fix="It expresses a crossover's n in days.",
    )
    if n_places is not None:
        days = n / require_positive(n_places, name="n_places")
    several = v["n_arms"] > 2 or v["control_ratio"] != 1.0
    unit = (
        "place-days"
        if design == "crossover"
        else ("pairs" if design == "pair" else f"places per {'treatment ' * several}arm")
    )
    params = {"alpha": alpha, "power": power, **v}
    if design != "crossover":
        params.pop("treated_share")
    n_control = n_total = None
    if several:
        crossover = design == "crossover"
        n_control = v["control_share"] * n if crossover else v["control_ratio"] * n
        n_total = n if crossover else n * (v["control_ratio"] + v["n_arms"] - 1)
    return PowerAnalysis(
        design=design,
        n=n,
        unit=unit,
        irr=irr,
        std_error=se,
        days=days,
        parameters=params,
        n_control=n_control,
        n_total=n_total,
    )
