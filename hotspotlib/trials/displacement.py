"""Displacement and diffusion of benefits: the WDD test.

WDD (Wheeler & Ratcliffe 2018) is a difference-in-differences of counts with a
Poisson standard error, with time, area and harm weights (as the R package ptools).
The WDQ (Bowers & Johnson 2003) lives in :mod:`hotspotlib.trials.quotient`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import stats

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    require_positive,
    require_probability,
    require_relevant,
    require_shape,
    require_subset,
    require_within,
)

__all__ = ["WDDTest", "wdd"]


def _pair(value: ArrayLike, *, name: str) -> NDArray[np.float64]:
    counts = np.atleast_2d(require_within(value, name=name, low=0, fix="Counts are >= 0."))
    require_shape(
        counts, (None, 2), name=name, what="(before, after) counts, or one pair per crime type"
    )
    return counts


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class WDDTest(FrozenResult):
    """Weighted displacement difference test (Wheeler & Ratcliffe 2018).

    Attributes
    ----------
    table : pandas.DataFrame
        Rows ``local``, ``displacement``, ``total``: ``estimate`` (change in the
        treated minus change in its control; negative = crime fell more where
        treated), ``std_error``, ``z_score``, ``p_value`` (two-sided normal),
        ``ci_low``, ``ci_high``.
    by_type : pandas.DataFrame
        Per crime type (when several): local, displacement and total estimates,
        standard errors and harm weights.
    parameters : Mapping (read-only)
        Weights and confidence level.

    See Also
    --------
    wdd : Run one.

    References
    ----------
    .. [1] Wheeler and Ratcliffe (2018). https://doi.org/10.1186/s40163-018-0085-5
    """

    _title: ClassVar[str] = "Weighted displacement difference test"
    _repr_fields: ClassVar[tuple[str, ...]] = ("estimate", "std_error", "p_value")

    _table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    _by_type: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    parameters: Mapping[str, Any] = field(default_factory=dict)

    @property
    def by_type(self) -> pd.DataFrame:
        """Estimates per crime type.

        A copy: editing it leaves the result (and its properties) unchanged.
        """
        return self._by_type.copy()

    @property
    def table(self) -> pd.DataFrame:
        """The local, displacement and total rows.

        A copy: editing it leaves the result (and its properties) unchanged.
        """
        return self._table.copy()

    @property
    def estimate(self) -> float:
        """Total WDD (local + displacement), harm-weighted when weights were given."""
        return float(self._table.loc["total", "estimate"])

    @property
    def std_error(self) -> float:
        """Standard error of the total."""
        return float(self._table.loc["total", "std_error"])

    @property
    def p_value(self) -> float:
        """Two-sided p-value of the total."""
        return float(self._table.loc["total", "p_value"])

    def to_frame(self) -> pd.DataFrame:
        """Return the local / displacement / total table (a copy)."""
        return self._table.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Crime types compared."""
        return frozen_mapping({"n_crime_types": len(self._by_type)})

    @property
    def notes(self) -> tuple[str, ...]:
        """The formula, its variance and the weighting."""
        return (
            "WDD = (T1 - T0) - (C1 - C0) [+ (D1 - D0) - (DC1 - DC0)]; Var = sum of the "
            "(weighted) counts (Poisson), normal approximation: beware tiny counts.",
            "Counts are divided by time x area weights (variances by their squares), "
            "so estimates are changes per unit time and area (as ptools::wdd).",
        )

    def _summary_table(self) -> pd.DataFrame:
        return self._table.round(4)


def wdd(
    *,
    target: ArrayLike,
    control: ArrayLike,
    displacement: ArrayLike | None = None,
    displacement_control: ArrayLike | None = None,
    time_weights: Sequence[float] = (1.0, 1.0),
    area_weights: Mapping[str, float] | None = None,
    harm_weights: ArrayLike | None = None,
    confidence: float = 0.95,
) -> WDDTest:
    """Weighted displacement difference test, optionally harm-weighted over crime types.

    Parameters
    ----------
    target, control : array-like
        ``(before, after)`` counts for the treated area and its control, or a
        ``(k, 2)`` array with one pair per crime type.
    displacement, displacement_control : array-like, optional
        The same for the displacement (buffer) area and its control; give both or
        neither (without them the test is local only).
    time_weights : (float, float)
        Lengths of the before and after periods (e.g. ``(2, 1)`` for two years
        before, one after); counts become per unit time.
    area_weights : mapping, optional
        Area sizes keyed ``"target"``, ``"control"``, ``"displacement"``,
        ``"displacement_control"`` (missing keys are 1); counts become densities.
        ptools orders these as (control, treated, disp_control, disp_treated).
    harm_weights : array-like, optional
        One weight per crime type: the total is ``sum_k w_k WDD_k`` with
        ``SE = sqrt(sum_k w_k^2 SE_k^2)`` (ptools::wdd_harm).
    confidence : float
        Level of the intervals (ptools defaults to 0.90).

    Returns
    -------
    WDDTest
        Local, displacement and total estimates with standard errors and p-values.

    See Also
    --------
    WDDTest : The returned test.
    wdq : The weighted displacement quotient.
    buffer_rings : Catchment areas around the places.

    References
    ----------
    .. [1] Wheeler, A. P. and Ratcliffe, J. H. (2018). A simple weighted displacement
       difference test to evaluate place based crime interventions. Crime Science 7, 11.
       https://doi.org/10.1186/s40163-018-0085-5

    Examples
    --------
    Test W2 of the domain reference: time weights 2 (before) and 1 (after).

    >>> import hotspotlib as hs
    >>> test = hs.wdd(target=(80, 20), control=(100, 50), time_weights=(2, 1))
    >>> test.estimate, round(test.std_error, 4)
    (-20.0, 10.7238)
    """
    t, c, d, dc = _areas(target, control, displacement, displacement_control)
    k = len(t)
    times = require_within(time_weights, name="time_weights", low=0, low_open=True)
    require_shape(times, (2,), name="time_weights", what="lengths of the before and after periods")
    areas = {"target": 1.0, "control": 1.0, "displacement": 1.0, "displacement_control": 1.0}
    require_subset(
        list(area_weights or {}), areas, name="area_weights", among=str(list(areas)), what="keys"
    )
    for key, value in (area_weights or {}).items():
        areas[key] = require_positive(value, name=f"area_weights[{key!r}]")
    harm = np.ones(k)
    if harm_weights is not None:
        harm = require_within(harm_weights, name="harm_weights", low=0)
        require_shape(harm, (k,), name="harm_weights", what="one weight per crime type")
    level = require_probability(confidence, name="confidence")

    def change(counts: NDArray[np.float64], area: str) -> tuple[NDArray[np.float64], ...]:
        w = times * areas[area]
        return counts[:, 1] / w[1] - counts[:, 0] / w[0], (counts / w**2).sum(axis=1)

    (dt, vt), (dcn, vc) = change(t, "target"), change(c, "control")
    (dd, vd), (ddc, vdc) = change(d, "displacement"), change(dc, "displacement_control")
    local, var_local = dt - dcn, vt + vc
    disp, var_disp = dd - ddc, vd + vdc
    components = {
        "local": (local, var_local),
        "displacement": (disp, var_disp),
        "total": (local + disp, var_local + var_disp),
    }
    by_type = pd.DataFrame(
        {
            "local": local,
            "local_std_error": np.sqrt(var_local),
            "displacement": disp,
            "displacement_std_error": np.sqrt(var_disp),
            "harm_weight": harm,
        }
    ).rename_axis("crime_type")
    return WDDTest(
        _table=_tests(components, harm, level),
        _by_type=by_type,
        parameters={
            "time_weights": tuple(float(x) for x in times),
            "area_weights": ", ".join(f"{a}={w:g}" for a, w in areas.items()),
            "harm_weighted": harm_weights is not None,
            "local_only": displacement is None,
            "confidence": level,
        },
    )


def _areas(
    target: ArrayLike,
    control: ArrayLike,
    displacement: ArrayLike | None,
    displacement_control: ArrayLike | None,
) -> list[NDArray[np.float64]]:
    """Return the four (k, 2) count tables; a single pair is repeated for every type."""
    require_relevant(
        displacement_control,
        name="displacement_control",
        used=displacement is not None,
        required=displacement is not None,
        context="with `displacement`" if displacement is not None else "without `displacement`",
        fix="The displacement change is measured against its own control area: give both, "
        "or neither for a local-only test.",
    )
    named: dict[str, Any] = {"target": target, "control": control}
    if displacement is not None:
        named |= {"displacement": displacement, "displacement_control": displacement_control}
    pairs = {name: _pair(value, name=name) for name, value in named.items()}
    k = max(len(a) for a in pairs.values())
    for name, counts in pairs.items():
        if len(counts) > 1:
            require_shape(
                counts,
                (k, 2),
                name=name,
                what="one (before, after) pair per crime type, as many as the other count "
                "arguments (a single pair is repeated for every type)",
            )
    zero = np.zeros((k, 2))
    return [
        np.broadcast_to(pairs[name], (k, 2)) if name in pairs else zero
        for name in ("target", "control", "displacement", "displacement_control")
    ]


def _tests(
    components: dict[str, tuple[NDArray[np.float64], NDArray[np.float64]]],
    harm: NDArray[np.float64],
    level: float,
) -> pd.DataFrame:
    """Harm-weighted estimate, error, z, p-value and interval of each component."""
    crit = stats.norm.ppf(0.5 + level / 2)
    rows = {}
    for name, (est, var) in components.items():
        value = float(harm @ est)
        se = float(np.sqrt(harm**2 @ var))
        z = value / se if se > 0 else float("nan")
        rows[name] = {
            "estimate": value,
            "std_error": se,
            "z_score": z,
            "p_value": float(2 * stats.norm.sf(abs(z))) if se > 0 else float("nan"),
            "ci_low": value - crit * se,
            "ci_high": value + crit * se,
        }
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("component")
