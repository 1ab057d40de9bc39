"""Design terms for dose-response models: dose bases, lagged patrol, residual decay."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotspotlib._options import DoseShape
from hotspotlib._validation import require_increasing, require_within

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
