"""Re-drawn test statistics and their p-values for randomisation inference (internal).

Re-draws are kept as boolean chunks (one byte per unit and draw); every statistic is
computed in float64, chunk by chunk, so no ``draws x units`` float matrix is held.

The built-in statistics are functions of the linear quantity ``Z @ g(y)`` (``g`` a
linear map such as two-way demeaning) and of draw-only quantities. Splitting the
outcome into its control part ``a = y (1 - t)`` and treated part ``b = y t`` (``t`` the
actual allocation), the outcome adjusted for a constant effect ``r`` is
``a + exp(-r) b``, so ``Z @ g(y_r) = Z @ g(a) + exp(-r) Z @ g(b)``: one pass over the
draws serves the test and every step of the interval inversion.

Ties: a re-drawn statistic counts as "at least as extreme" when
``|S_b| >= |S_obs| - tol``. ``tol`` is what a change of ``1e-9 * sum|y|`` in the linear
quantity does to the statistic at the observed allocation: far above float64 rounding
(about ``1e-16 * sum|y|``), far below any real difference between allocations of
whole-number counts.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import require_shape
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.schedule import DayAssignment

__all__ = ["Draws", "Evaluator", "draw_chunks", "make_evaluator"]

CHUNK = 2_000
TIE = 1e-9

Assignment = DayAssignment | PlaceAssignment
StatisticFunction = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]
Combine = Callable[[NDArray[np.float64], NDArray[np.float64], Any], NDArray[np.float64]]


@dataclass(frozen=True, slots=True)
class Draws:
    """The actual allocation and the re-draws, as flat boolean rows."""

    observed: NDArray[np.bool_]
    chunks: tuple[NDArray[np.bool_], ...]

    @property
    def n_draws(self) -> int:
        """Number of re-draws."""
        return sum(len(c) for c in self.chunks)


def draw_chunks(
    assignment: Assignment, n_draws: int, generator: np.random.Generator, chunks: Iterable[int]
) -> Draws:
    """Re-draw the design ``n_draws`` times, ``CHUNK`` at a time (``chunks``: start indices)."""
    kept = []
    for start in chunks:  # a few chunks, each one vectorised draw
        size = min(CHUNK, n_draws - start)
        kept.append(assignment.redraw(size, rng=generator).reshape(size, -1))
    observed = np.asarray(assignment.treated, dtype=bool).ravel()
    return Draws(observed=observed, chunks=tuple(kept))


def _products(rows: NDArray[np.bool_], vectors: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.asarray(rows.astype(np.float64) @ vectors)


class Evaluator(abc.ABC):
    """Observed statistic, null distribution and p-value at any constant effect."""

    def __init__(self, name: str, draws: Draws, y: NDArray[np.float64]) -> None:
        self.name = name
        self.draws = draws
        self.y = y

    def adjusted(self, log_r: float) -> NDArray[np.float64]:
        """Return the outcome with a constant effect ``exp(log_r)`` removed from treated units."""
        return np.where(self.draws.observed, self.y * np.exp(-log_r), self.y)

    @abc.abstractmethod
    def values(self, log_r: float) -> tuple[float, NDArray[np.float64], float]:
        """Observed statistic, re-drawn statistics and the tie tolerance."""

    def observed(self, log_r: float) -> float:
        """Return the statistic under the actual allocation."""
        return self.values(log_r)[0]

    def test(self, log_r: float = 0.0) -> tuple[float, float, NDArray[np.float64]]:
        """Observed statistic, two-sided p-value and null distribution."""
        s_obs, null, tol = self.values(log_r)
        if np.isnan(s_obs):
            raise ValueError(
                f"The {self.name} statistic is undefined (NaN) for the actual allocation; "
                "choose another statistic."
            )
        extreme = int(np.sum(np.abs(null) >= abs(s_obs) - tol))
        return s_obs, (1 + extreme) / (len(null) + 1), null


class _LinearEvaluator(Evaluator):
    def __init__(
        self,
        name: str,
        draws: Draws,
        y: NDArray[np.float64],
        project: Callable[[NDArray[np.float64]], NDArray[np.float64]],
        combine: Combine,
        per_draw: Callable[[NDArray[np.bool_]], NDArray[np.float64]] | None,
    ) -> None:
        super().__init__(name, draws, y)
        self.combine = combine
        t = draws.observed.astype(float)
        parts = (y * (1 - t), y * t)
        vectors = np.column_stack([project(p) for p in parts])
        self.totals = np.array([p.sum() for p in parts])
        self.sizes = np.array([np.abs(p).sum() for p in parts])
        self.observed_parts = _products(draws.observed[None, :], vectors)[0]
        self.null_parts = np.concatenate([_products(c, vectors) for c in draws.chunks])
        if per_draw is None:
            self.extra_obs: Any = None
            self.extra: Any = None
        else:
            self.extra_obs = per_draw(draws.observed[None, :])
            self.extra = np.concatenate([per_draw(c) for c in draws.chunks])

    def values(self, log_r: float) -> tuple[float, NDArray[np.float64], float]:
        factor = np.array([1.0, np.exp(-log_r)])
        total = np.asarray(self.totals @ factor)
        linear_obs = np.atleast_1d(self.observed_parts @ factor)
        with np.errstate(divide="ignore", invalid="ignore"):
            s_obs = float(self.combine(linear_obs, total, self.extra_obs)[0])
            null = np.asarray(self.combine(self.null_parts @ factor, total, self.extra), float)
            nudged = self.combine(linear_obs + TIE * (self.sizes @ factor), total, self.extra_obs)
            tol = float(np.abs(nudged[0] - s_obs))
        return s_obs, null, tol if np.isfinite(tol) else 0.0


class _CallableEvaluator(Evaluator):
    def __init__(
        self, name: str, draws: Draws, y: NDArray[np.float64], function: StatisticFunction
    ) -> None:
        super().__init__(name, draws, y)
        self.function = function

    def _apply(self, rows: NDArray[np.bool_], y: NDArray[np.float64]) -> NDArray[np.float64]:
        out = np.asarray(self.function(rows.astype(np.float64), y), dtype=float).reshape(-1)
        require_shape(
            out, (len(rows),), name="statistic", what="the callable returns one value per re-draw"
        )
        return out

    def values(self, log_r: float) -> tuple[float, NDArray[np.float64], float]:
        y = self.adjusted(log_r)
        s_obs = float(self._apply(self.draws.observed[None, :], y)[0])
        null = np.concatenate([self._apply(c, y) for c in self.draws.chunks])
        finite = np.abs(null[np.isfinite(null)])
        scale = max(abs(s_obs) if np.isfinite(s_obs) else 0.0, float(finite.max(initial=0)))
        return s_obs, null, TIE * scale


def make_evaluator(
    statistic: str | StatisticFunction, assignment: Assignment, draws: Draws, y: NDArray[np.float64]
) -> Evaluator:
    """Build the evaluator of a built-in statistic name or a callable."""
    if callable(statistic):
        return _CallableEvaluator(getattr(statistic, "__name__", "custom"), draws, y, statistic)
    n_treated = float(draws.observed.sum())
    n_control = float(draws.observed.size) - n_treated

    def identity(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return v

    def mean_difference(
        treated: NDArray[np.float64], total: NDArray[np.float64], _: Any
    ) -> NDArray[np.float64]:
        return treated / n_treated - (total - treated) / n_control

    def log_ratio(
        treated: NDArray[np.float64], total: NDArray[np.float64], _: Any
    ) -> NDArray[np.float64]:
        return np.log(treated / n_treated) - np.log((total - treated) / n_control)

    def ratio(
        linear: NDArray[np.float64], _: NDArray[np.float64], denominator: Any
    ) -> NDArray[np.float64]:
        return linear / denominator

    if statistic == "mean_difference":
        return _LinearEvaluator(statistic, draws, y, identity, mean_difference, None)
    if statistic == "log_ratio":
        return _LinearEvaluator(statistic, draws, y, identity, log_ratio, None)
    if isinstance(assignment, DayAssignment):
        n_places, n_days = assignment.treated.shape

        def two_way(v: NDArray[np.float64]) -> NDArray[np.float64]:
            grid = v.reshape(n_places, n_days)
            centred = grid - grid.mean(axis=1, keepdims=True) - grid.mean(axis=0, keepdims=True)
            return np.asarray(centred + grid.mean()).ravel()

        def residual_square_sum(rows: NDArray[np.bool_]) -> NDArray[np.float64]:
            # Every day has the same number treated, so Z residualised on place and day
            # effects is Z minus its place mean: sum of squares = n_T - sum_i T_i^2 / D.
            per_place = rows.reshape(len(rows), n_places, n_days).sum(axis=2, dtype=np.float64)
            return np.asarray(per_place.sum(axis=1) - np.sum(per_place**2, axis=1) / n_days)

        return _LinearEvaluator(statistic, draws, y, two_way, ratio, residual_square_sum)
    block = np.asarray(assignment.block)
    sizes = np.bincount(block)
    shares = np.asarray(assignment.n_treated_per_block) / sizes
    denominator = float(np.sum(sizes * shares * (1 - shares)))

    def within_block(v: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(v - (np.bincount(block, weights=v) / sizes)[block])

    def constant(rows: NDArray[np.bool_]) -> NDArray[np.float64]:
        return np.full(len(rows), denominator)

    return _LinearEvaluator(statistic, draws, y, within_block, ratio, constant)
