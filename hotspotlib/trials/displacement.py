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

from hotspotlib._frozen import FrozenResult
from hotspotlib._summary import Summary
from hotspotlib._validation import require_finite, require_positive, require_probability
from hotspotlib.trials._common import ReadOnlyDict

__all__ = ["WDDTest", "wdd"]


def _pair(value: ArrayLike, *, name: str) -> NDArray[np.float64]:
    counts = require_finite(value, name=name)
    if counts.ndim == 1:
        counts = counts[None, :]
    if counts.ndim != 2 or counts.shape[1] != 2:
        raise ValueError(
            f"`{name}` must be (before, after) counts, or one such pair per crime type "
            f"(shape (k, 2)); got shape {np.shape(value)}."
        )
    if (counts < 0).any():
        raise ValueError(f"`{name}` has negative counts; counts must be >= 0.")
    return counts


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
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
    """

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

    def summary(self) -> Summary:
        """Summarise the estimates, weights and conventions."""
        return Summary(
            title="Weighted displacement difference test",
            parameters=self.parameters,
            table=self._table.round(4),
            notes=[
                "WDD = (T1 - T0) - (C1 - C0) [+ (D1 - D0) - (DC1 - DC0)]; Var = sum of the "
                "(weighted) counts (Poisson), normal approximation: beware tiny counts.",
                "Counts are divided by time x area weights (variances by their squares), "
                "so estimates are changes per unit time and area (as ptools::wdd).",
            ],
        )


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

    Examples
    --------
    Test W2 of the domain reference: time weights 2 (before) and 1 (after).

    >>> import hotspotlib as hs
    >>> test = hs.wdd(target=(80, 20), control=(100, 50), time_weights=(2, 1))
    >>> test.estimate, round(test.std_error, 4)
    (-20.0, 10.7238)
    """
    t = _pair(target, name="target")
    c = _pair(control, name="control")
    if (displacement is None) != (displacement_control is None):
        given, missing = (
            ("displacement", "displacement_control")
            if displacement is not None
            else ("displacement_control", "displacement")
        )
        raise ValueError(
            f"`{given}` needs `{missing}` as well: the displacement change is measured "
            "against its own control area. Give both, or neither for a local-only test."
        )
    k = max(len(t), len(c))
    zero = np.zeros((k, 2))
    d = _pair(displacement, name="displacement") if displacement is not None else zero
    dc = (
        _pair(displacement_control, name="displacement_control")
        if displacement_control is not None
        else zero
    )
    if displacement is not None:
        k = max(k, len(d), len(dc))
    named = {"target": t, "control": c, "displacement": d, "displacement_control": dc}
    arrays = [np.broadcast_to(a, (k, 2)) if len(a) == 1 else a for a in named.values()]
    if any(a.shape != (k, 2) for a in arrays):
        shapes = ", ".join(
            f"{name} {a.shape}"
            for name, a in named.items()
            if displacement is not None or name in ("target", "control")
        )
        raise ValueError(
            "All count arguments must have the same number of crime types (rows; a single "
            f"(before, after) pair is repeated for every type); got {shapes}."
        )
    t, c, d, dc = arrays
    times = require_finite(time_weights, name="time_weights")
    if times.shape != (2,) or (times <= 0).any():
        raise ValueError(f"`time_weights` must be two positive numbers; got {time_weights!r}.")
    areas = {"target": 1.0, "control": 1.0, "displacement": 1.0, "displacement_control": 1.0}
    for key, value in (area_weights or {}).items():
        if key not in areas:
            raise ValueError(f"`area_weights` keys must be among {sorted(areas)}; got {key!r}.")
        areas[key] = require_positive(value, name=f"area_weights[{key!r}]")
    harm = np.ones(k) if harm_weights is None else require_finite(harm_weights, name="harm_weights")
    if harm.shape != (k,) or (harm < 0).any():
        raise ValueError(
            f"`harm_weights` must hold {k} non-negative weights, one per crime type; got "
            f"{harm.tolist()}."
        )
    level = require_probability(confidence, name="confidence")

    def change(counts: NDArray[np.float64], area: str) -> tuple[NDArray[np.float64], ...]:
        w = times * areas[area]
        return counts[:, 1] / w[1] - counts[:, 0] / w[0], (counts / w**2).sum(axis=1)

    (dt, vt), (dcn, vc) = change(t, "target"), change(c, "control")
    (dd, vd), (ddc, vdc) = change(d, "displacement"), change(dc, "displacement_control")
    local, var_local = dt - dcn, vt + vc
    disp, var_disp = dd - ddc, vd + vdc
    crit = stats.norm.ppf(0.5 + level / 2)
    rows = {}
    for name, est, var in (
        ("local", local, var_local),
        ("displacement", disp, var_disp),
        ("total", local + disp, var_local + var_disp),
    ):
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
    table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("component")
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
        _table=table,
        _by_type=by_type,
        parameters=ReadOnlyDict(
            {
                "n_crime_types": k,
                "time_weights": tuple(float(x) for x in times),
                "area_weights": ", ".join(f"{a}={w:g}" for a, w in areas.items()),
                "harm_weighted": harm_weights is not None,
                "confidence": level,
            }
        ),
    )
