"""Engine of the lagged-count regression: features at past moments, Poisson fit, validation.

Moment ``j`` lies ``j * horizon`` days before the origin (``j = 0`` is the origin). At
each moment a cell's features are ``log1p`` of its own decayed count (each earlier
event weighted ``0.5 ** (age / half_life)``, divided by the share of the decay's total
weight that the history before the moment covers) and of the same sums over rings of
cells around it (the ``k x k`` block minus the block inside it); optionally the same
counts over the ``horizon`` days one year before the moment's target window. The
target of moment ``j >= 1`` is the cell's count in the ``horizon`` days after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter

from hotspotlib.forecast._members import hit_rates
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["Candidate", "Design", "build_design", "fit_and_score", "poisson_ridge", "validate"]

_YEAR = 365.0


@dataclass(frozen=True, slots=True)
class Candidate:
    """One model: the ring sizes, whether the seasonal counts enter, which cells fit it."""

    rings: tuple[int, ...] = (3, 5)
    seasonal: bool = False
    fit_cells: str | float = "all"

    @property
    def label(self) -> str:
        """A short name: ``rings 3,5; seasonal; fit on all cells``."""
        cells = self.fit_cells
        where = (
            f"the top {cells:.0%} of cells by history"
            if isinstance(cells, float)
            else {"all": "all cells", "history": "cells with history"}[cells]
        )
        rings = ",".join(str(k) for k in self.rings) or "none"
        return f"rings {rings}; {'seasonal; ' if self.seasonal else ''}fit on {where}"


@dataclass(frozen=True, slots=True)
class Design:
    """Features ``(moments, cells, columns)``, their names, targets ``(moments - 1, cells)``."""

    features: NDArray[np.float64]
    names: tuple[str, ...]
    targets: NDArray[np.float64]


def _counts(
    position: NDArray[np.int64], weight: NDArray[np.float64], n_moments: int, n_cells: int
) -> NDArray[np.float64]:
    """Sum ``weight`` (moments x events) per moment and cell."""
    index = (np.arange(n_moments)[:, None] * n_cells + position[None, :]).ravel()
    sums = np.bincount(index, weights=weight.ravel(), minlength=n_moments * n_cells)
    return np.asarray(sums.reshape(n_moments, n_cells))


def _rings(own: NDArray[np.float64], grid: Grid, sizes: tuple[int, ...]) -> list[Any]:
    """Sum over the ring of each size (block ``k x k`` minus the block inside it)."""
    lattice = np.zeros((own.shape[0], grid.n_rows, grid.n_cols))
    lattice[:, grid.rows, grid.cols] = own
    out, inner = [], lattice
    for k in sizes:  # a few ring sizes
        block = uniform_filter(lattice, size=(1, k, k), mode="constant") * (k * k)
        out.append(np.clip((block - inner)[:, grid.rows, grid.cols], 0.0, None))
        inner = block
    return out


def build_design(
    grid: Grid,
    position: NDArray[np.int64],
    age_days: NDArray[np.float64],
    *,
    half_lives: NDArray[np.float64],
    rings: tuple[int, ...],
    seasonal: bool,
    horizon: float,
    n_moments: int,
) -> Design:
    """Features at moments ``0 .. n_moments - 1`` and the targets of moments ``1 ..``."""
    n = grid.n_cells
    lags = np.arange(n_moments) * horizon
    shifted = age_days[None, :] - lags[:, None]
    before = shifted > 0
    history = float(age_days.max()) - lags  # days of events before each moment
    columns: list[Any] = []
    names: list[str] = []
    for half_life in half_lives:  # a few half-lives
        decay = np.where(before, np.exp2(-np.clip(shifted, 0.0, None) / half_life), 0.0)
        covered = 1.0 - np.exp2(-np.clip(history, 0.0, None) / half_life)
        scale = np.divide(1.0, covered, out=np.zeros_like(covered), where=covered > 0)
        own = _counts(position, decay, n_moments, n) * scale[:, None]
        columns += [own, *_rings(own, grid, rings)]
        names += [f"own_hl{half_life:g}", *(f"ring{k}_hl{half_life:g}" for k in rings)]
    if seasonal:
        last_year = (shifted > _YEAR - horizon) & (shifted <= _YEAR)
        own = _counts(position, last_year.astype(float), n_moments, n)
        columns += [own, *_rings(own, grid, rings)]
        names += ["own_last_year", *(f"ring{k}_last_year" for k in rings)]
    inside = (shifted[1:] > -horizon) & (shifted[1:] <= 0)
    targets = _counts(position, inside.astype(float), n_moments - 1, n)
    return Design(np.log1p(np.stack(columns, axis=-1)), tuple(names), targets)


def poisson_ridge(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    offset: NDArray[np.float64],
    ridge: float,
    *,
    tolerance: float = 1e-10,
    max_iterations: int = 100,
) -> tuple[NDArray[np.float64], int]:
    """Poisson GLM (log link) with an intercept and ``ridge * |beta|^2 / 2``, by IRLS.

    Maximises ``sum(y * eta - exp(eta)) - ridge / 2 * sum(beta[1:] ** 2)`` with
    ``eta = beta[0] + x @ beta[1:] + offset`` (the intercept unpenalised) by Newton
    steps, halved while the objective does not rise. Returns the coefficients and the
    iterations taken (``max_iterations`` + 1 when it did not converge).
    """
    design = np.column_stack([np.ones(x.shape[0]), x])
    penalty = np.full(design.shape[1], ridge)
    penalty[0] = 0.0
    beta = np.zeros(design.shape[1])
    beta[0] = np.log(y.sum() / np.exp(offset).sum())

    def objective(b: NDArray[np.float64]) -> float:
        eta = design @ b + offset
        return float(y @ eta - np.exp(eta).sum() - 0.5 * penalty @ (b * b))

    current = objective(beta)
    for iteration in range(1, max_iterations + 1):  # Newton steps, not cells
        mu = np.exp(design @ beta + offset)
        gradient = design.T @ (y - mu) - penalty * beta
        hessian = (design * mu[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        size = 1.0
        while True:  # step halving: a few at most
            trial = objective(beta + size * step)
            if trial >= current - 1e-12 * abs(current) or size < 1e-6:
                break
            size /= 2
        beta, current = beta + size * step, trial
        if np.max(np.abs(size * step)) < tolerance:
            return beta, iteration
    return beta, max_iterations + 1


def fit_and_score(
    design: Design,
    candidate: Candidate,
    *,
    at: int,
    n_windows: int,
    exposure: NDArray[np.float64],
    ridge: float,
) -> tuple[NDArray[np.float64], dict[str, float], int] | None:
    """Fit on moments ``at + 1 .. at + n_windows``, score the cells at moment ``at``.

    Returns the expected counts per cell, the coefficients on the ``log1p`` features
    (by name, with ``intercept``) and the rows fitted; None when the fitted rows hold
    no event.
    """
    wanted = [f"ring{k}" for k in candidate.rings] + ["own"]
    use = [
        i
        for i, name in enumerate(design.names)
        if name.split("_")[0] in wanted and (candidate.seasonal or "last_year" not in name)
    ]
    past = design.features[at + 1 : at + 1 + n_windows][:, :, use]
    y = design.targets[at : at + n_windows]
    keep = _fit_rows(design, candidate, past, use)
    x, y = past[keep], y[keep]
    offset = np.broadcast_to(np.log(exposure), keep.shape)[keep]
    if y.sum() == 0:
        return None
    mean, sd = x.mean(axis=0), x.std(axis=0)
    varies = sd > 0
    x, y, offset = _pool_empty(x, y, offset)
    beta, _ = poisson_ridge((x[:, varies] - mean[varies]) / sd[varies], y, offset, ridge)
    slope = np.zeros(len(use))
    slope[varies] = beta[1:] / sd[varies]
    intercept = float(beta[0] - slope @ mean)
    scores = np.exp(intercept + design.features[at][:, use] @ slope) * exposure
    coefficients = {"intercept": intercept}
    coefficients.update({design.names[i]: float(s) for i, s in zip(use, slope, strict=True)})
    return scores, coefficients, int(y.size)


def _pool_empty(
    x: NDArray[np.float64], y: NDArray[np.float64], offset: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Pool the rows whose features are all zero into one (the same likelihood, fewer rows).

    Rows with equal features share ``eta - offset``, so their log-likelihood terms sum to
    ``sum(y) * eta0 - exp(eta0) * sum(exp(offset))`` plus a constant: one row with the
    summed count and ``log(sum(exp(offset)))`` as offset has the same gradient and Hessian.
    """
    empty = ~x.any(axis=1)
    if empty.sum() < 2:
        return x, y, offset
    keep = ~empty
    return (
        np.vstack([x[keep], np.zeros((1, x.shape[1]))]),
        np.append(y[keep], y[empty].sum()),
        np.append(offset[keep], np.log(np.exp(offset[empty]).sum())),
    )


def _fit_rows(
    design: Design, candidate: Candidate, past: NDArray[np.float64], use: list[int]
) -> NDArray[np.bool_]:
    """Rows (moments x cells) that fit the model: all, with history, or the top share."""
    if candidate.fit_cells == "all":
        return np.ones(past.shape[:2], dtype=bool)
    names = [design.names[i] for i in use]
    longest = _longest(names)
    level = past[:, :, names.index(f"own_hl{longest}")]
    if candidate.rings:
        level = level + past[:, :, names.index(f"ring{candidate.rings[-1]}_hl{longest}")]
    if candidate.fit_cells == "history":
        return np.asarray(level > 0)
    cut = np.quantile(level, 1.0 - float(candidate.fit_cells), axis=1, keepdims=True)
    return np.asarray(level > cut)


def _longest(names: list[str]) -> str:
    """Return the longest half-life among the feature names, as written in them."""
    lives = {n.split("_hl")[1] for n in names if "_hl" in n}
    return max(lives, key=float)


def validate(
    design: Design,
    candidates: tuple[Candidate, ...],
    *,
    n_windows: int,
    n_validation: int,
    exposure: NDArray[np.float64],
    ridge: float,
    coverage: NDArray[np.float64],
) -> tuple[NDArray[np.float64], int, int]:
    """Mean hit rate of each candidate over the validation windows before the origin.

    Window ``v`` (1 = latest) is the ``horizon`` after moment ``v``: each candidate is
    fitted on moments ``v + 1 .. v + n_windows`` and scores the cells at moment ``v``.
    A window with no event, or whose fits hold no event, is skipped.
    """
    total = np.zeros(len(candidates))
    used = skipped = 0
    for v in range(1, n_validation + 1):  # a handful of validation windows
        observed = design.targets[v - 1]
        fits = [
            fit_and_score(design, c, at=v, n_windows=n_windows, exposure=exposure, ridge=ridge)
            for c in candidates
        ]
        if observed.sum() == 0 or any(f is None for f in fits):
            skipped += 1
            continue
        scores = np.array([f[0] for f in fits if f is not None])
        total += hit_rates(scores, observed, exposure, coverage).mean(axis=1)
        used += 1
    mean = total / used if used else np.full_like(total, np.nan)
    return mean, used, skipped
