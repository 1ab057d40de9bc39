"""Ridge Poisson regression with an offset, by Newton steps (IRLS), from a warm start."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hotspotlib._threads import single_thread_blas

__all__ = ["newton", "poisson_ridge"]


def poisson_ridge(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    offset: NDArray[np.float64],
    ridge: float,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
    start: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], int]:
    """Poisson GLM (log link) with an intercept and ``ridge * |beta|^2 / 2``, by IRLS.

    Maximises ``sum(y * eta - exp(eta)) - ridge / 2 * sum(beta[1:] ** 2)`` with
    ``eta = beta[0] + x @ beta[1:] + offset`` (the intercept unpenalised) by Newton
    steps, halved while the objective does not rise, from ``start`` (the intercept
    alone matching the total count when None), until a step moves no coefficient by
    ``tolerance`` or full steps below ``1000 * tolerance`` stop shrinking (fourfold at
    least; quadratic convergence shrinks them far more): the rounding noise of the
    gradient is then reached. Returns the coefficients and the iterations taken
    (``max_iterations`` + 1 when it did not converge).
    """
    design = np.column_stack([np.ones(x.shape[0]), x])
    return newton(design, y, offset, ridge, start, tolerance, max_iterations)


@single_thread_blas()
def newton(
    design: NDArray[np.float64],
    y: NDArray[np.float64],
    offset: NDArray[np.float64],
    ridge: float,
    start: NDArray[np.float64] | None,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
) -> tuple[NDArray[np.float64], int]:
    """Newton steps of :func:`poisson_ridge` on a design whose first column is ones.

    A warm ``start`` is used only when its objective is finite and at least that of the
    cold start (the intercept alone); a warm run that fails (a singular Hessian, a
    non-finite result) is run again from the cold start. Runs with one BLAS thread
    (:func:`hotspotlib._threads.single_thread_blas`): the products of a tall, narrow
    design are slower with more, and far slower when other work shares the cores.
    """
    penalty = np.full(design.shape[1], ridge)
    penalty[0] = 0.0
    cold = np.zeros(design.shape[1])
    cold[0] = np.log(y.sum() / np.exp(offset).sum())
    if start is not None:
        warm = np.array(start, dtype=float)
        with np.errstate(over="ignore", invalid="ignore"):
            better = (
                _value(y, design @ warm + offset, penalty, warm)[1]
                >= _value(y, design @ cold + offset, penalty, cold)[1]
            )
        if better:
            try:
                beta, iterations = _steps(
                    design, y, offset, penalty, warm, tolerance, max_iterations
                )
            except np.linalg.LinAlgError:
                beta, iterations = warm, max_iterations + 1
            if np.isfinite(beta).all() and iterations <= max_iterations:
                return beta, iterations
    return _steps(design, y, offset, penalty, cold, tolerance, max_iterations)


def _value(
    y: NDArray[np.float64],
    eta: NDArray[np.float64],
    penalty: NDArray[np.float64],
    beta: NDArray[np.float64],
) -> tuple[NDArray[np.float64], float]:
    """Return ``exp(eta)`` and the penalised log-likelihood (-inf or NaN on overflow)."""
    mu = np.exp(eta)
    return mu, float(y @ eta - mu.sum() - 0.5 * penalty @ (beta * beta))


def _steps(
    design: NDArray[np.float64],
    y: NDArray[np.float64],
    offset: NDArray[np.float64],
    penalty: NDArray[np.float64],
    beta: NDArray[np.float64],
    tolerance: float,
    max_iterations: int,
) -> tuple[NDArray[np.float64], int]:
    """Take Newton steps from ``beta``, the Hessian fresh at every step.

    ``eta`` and ``exp(eta)`` of the accepted step serve the next step's gradient and
    Hessian, and a trial step moves ``eta`` along ``design @ step``: one product per step.
    """
    eta = design @ beta + offset
    mu, current = _value(y, eta, penalty, beta)
    weighted, root = np.empty_like(design), np.empty_like(mu)
    diagonal = np.diag_indices(design.shape[1])
    previous = np.inf
    for iteration in range(1, max_iterations + 1):  # Newton steps, not cells
        gradient = design.T @ (y - mu) - penalty * beta
        np.multiply(design, np.sqrt(mu, out=root)[:, None], out=weighted)
        hessian = weighted.T @ weighted
        hessian[diagonal] += penalty
        step = np.linalg.solve(hessian, gradient)
        direction = design @ step
        size = 1.0
        while True:  # step halving: a few at most
            moved = beta + size * step
            trial_eta = eta + size * direction
            trial_mu, trial = _value(y, trial_eta, penalty, moved)
            if trial >= current - 1e-12 * abs(current) or size < 1e-6:
                break
            size /= 2
        beta, eta, mu, current = moved, trial_eta, trial_mu, trial
        change = float(np.max(np.abs(size * step)))
        if change < tolerance or (size == 1.0 and previous / 4 < change < 1e3 * tolerance):
            return beta, iteration
        previous = change
    return beta, max_iterations + 1
