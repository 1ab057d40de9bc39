"""Design of dose-response models: places, days, dose terms, lags and informative rows.

Also the residual decay summarised from the lag terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._fixed_effects import absorbed_columns
from hotspotlib._options import DoseShape
from hotspotlib._validation import (
    require_complete,
    require_increasing,
    require_timestamps,
    require_unique,
    require_whole,
    require_within,
    wall_clock,
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Basis:
    """How a dose in minutes becomes model terms.

    ``"log"``: ``log(1 + dose)``. ``"bins"``: indicators of ``(0, k1]``, ``(k1, k2]``,
    ..., ``> k_last`` (no dose is the reference). ``"spline"``: ``dose`` and
    ``max(dose - k, 0)`` for each knot (piecewise linear, continuous).
    """

    shape: DoseShape
    knots: tuple[float, ...]

    @classmethod
    def build(cls, shape: DoseShape, knots: Sequence[float]) -> Basis:
        """Validate the knots for ``shape`` and return the basis."""
        if shape == "log":
            return cls(shape, ())
        array = require_increasing(knots, name="knots_minutes", fix="Give minutes, e.g. (10, 20).")
        require_within(array, name="knots_minutes", low=0, low_open=True)
        values = tuple(float(k) for k in array)
        return cls(shape, values)

    @property
    def names(self) -> tuple[str, ...]:
        """Term names (valid identifiers)."""
        if self.shape == "log":
            return ("log1p_dose",)
        label = [f"{k:g}".replace(".", "_") for k in self.knots]
        if self.shape == "spline":
            return ("dose", *(f"dose_over_{k}" for k in label))
        edges = ["0", *label]
        bins = [f"dose_{lo}_{hi}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
        return (*bins, f"dose_{edges[-1]}_plus")

    @property
    def n_terms(self) -> int:
        """Number of terms."""
        return len(self.names)

    def terms(self, minutes: ArrayLike) -> FloatArray:
        """Return the ``(n, n_terms)`` design for doses in minutes."""
        m = np.asarray(minutes, dtype=float).ravel()
        if self.shape == "log":
            return np.log1p(m)[:, None]
        knots = np.asarray(self.knots)
        if self.shape == "spline":
            return np.column_stack([m, np.maximum(m[:, None] - knots[None, :], 0.0)])
        edges = np.concatenate([[0.0], knots, [np.inf]])
        return ((m[:, None] > edges[None, :-1]) & (m[:, None] <= edges[None, 1:])).astype(float)


def lag_indicators(
    place: NDArray[np.int64], day: NDArray[np.int64], minutes: FloatArray, lags: int
) -> FloatArray:
    """Whether each place was patrolled (dose > 0) 1..lags days earlier; NaN if unknown."""
    n_places, n_days = int(place.max()) + 1, int(day.max()) + 1
    table = np.full((n_places, n_days), np.nan)
    table[place, day] = minutes
    out = np.full((len(place), lags), np.nan)
    for lag in range(1, lags + 1):  # a handful of lags
        earlier = day - lag
        known = earlier >= 0
        value = table[place[known], earlier[known]]
        out[known, lag - 1] = np.where(np.isnan(value), np.nan, value > 0)
    return out


def residual_decay(lag_beta: FloatArray, cov: FloatArray, offset: int) -> tuple[float, float]:
    """Decay per day of the lag effects and the half-life (days), NaN when not estimable.

    Fits ``log|b_l| = c - decay * l`` by least squares weighted by ``b_l^2 / var(b_l)``
    (the delta-method precision of ``log|b_l|``). Needs two or more lags of one sign.
    """
    if len(lag_beta) < 2 or not (np.all(lag_beta < 0) or np.all(lag_beta > 0)):
        return float("nan"), float("nan")
    variance = np.diag(cov)[offset : offset + len(lag_beta)]
    weight = lag_beta**2 / variance
    lag = np.arange(1, len(lag_beta) + 1, dtype=float)
    design = np.column_stack([np.ones_like(lag), lag]) * np.sqrt(weight)[:, None]
    target = np.log(np.abs(lag_beta)) * np.sqrt(weight)
    slope = float(np.linalg.lstsq(design, target, rcond=None)[0][1])
    decay = -slope
    return decay, float(np.log(2) / decay) if decay > 0 else float("inf")


def place_days(
    frame: pd.DataFrame, place: str, date: str, lags: int
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return place codes and day numbers; one row per place and day, enough days for lags."""
    require_complete(frame[place], name=f"panel[{place!r}]", fix="drop those rows.")
    place_code = pd.factorize(frame[place])[0].astype(np.int64)
    dates = wall_clock(require_timestamps(frame[date], name=f"panel[{date!r}]"))
    days = dates.dt.normalize()
    day = ((days - days.min()) // pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    span = int(day.max()) + 1
    require_whole(
        lags,
        name="lags",
        maximum=max(span - 2, 0),
        fix=f"The panel spans {span} day(s) and a lag of l days drops each place's first l "
        "days; use fewer lags or a longer panel.",
    )
    require_unique(
        pd.MultiIndex.from_arrays([frame[place], days]),
        name="panel",
        what="(place, day) rows",
    )
    return place_code, day


def design_matrix(
    basis: Basis, minutes: NDArray[np.float64], place_code: Any, day: Any, lags: int
) -> tuple[NDArray[np.float64], list[str], NDArray[np.bool_]]:
    """Return the dose terms and lagged patrol, and the rows a lag leaves with a history."""
    columns = [basis.terms(minutes)]
    names = list(basis.names)
    keep = np.ones(len(minutes), dtype=bool)
    if lags:
        lagged = lag_indicators(place_code, day, minutes, lags)
        keep &= ~np.isnan(lagged).any(axis=1)
        columns.append(np.nan_to_num(lagged))
        names += [f"patrolled_lag_{lag}" for lag in range(1, lags + 1)]
    return np.column_stack(columns), names, keep


def informative_rows(
    y: NDArray[np.float64],
    keep: NDArray[np.bool_],
    codes: dict[str, NDArray[np.int64]],
    effects: Sequence[str],
) -> tuple[NDArray[np.bool_], dict[str, int]]:
    """Drop places or days with no outcome at all (they carry no information); count them."""
    dropped = {}
    for name in effects:  # one or two fixed effects
        total = np.bincount(codes[name][keep], y[keep], int(codes[name].max()) + 1)
        empty = keep & (total[codes[name]] == 0)
        dropped[f"n_dropped_{name}s_without_outcome"] = int(empty.sum())
        keep = keep & ~empty
    return keep, dropped


def non_negative(frame: pd.DataFrame, column: str) -> NDArray[np.float64]:
    """Read a count or dose column as floats (nullable NA as NaN), finite and >= 0."""
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):  # nullable Int64/boolean: NA becomes NaN
        values = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return require_within(values, name=f"panel[{column!r}]", low=0)


def require_variation(
    x: NDArray[np.float64], names: list[str], factors: list[Any], effects: Sequence[str]
) -> None:
    """Refuse terms with no contrast: constant, or absorbed by the fixed effects."""
    flat = np.ptp(x, axis=0) == 0
    if flat.any():
        bad = [n for n, f in zip(names, flat, strict=True) if f]
        raise ValueError(
            f"Term(s) {bad} do not vary in the data; there is no dose contrast to estimate. "
            "Use fewer bins/knots or check the dose column."
        )
    absorbed = absorbed_columns(x, factors)
    if absorbed.any():
        bad = [n for n, a in zip(names, absorbed, strict=True) if a]
        raise ValueError(
            f"Term(s) {bad} are constant within the {' and '.join(effects)} fixed effects, "
            "which absorb them, so their effect is not identified (e.g. a dose that is fixed "
            "per place under place effects). Drop that fixed effect with `fixed_effects=` or "
            "use a dose that varies within places and days."
        )
