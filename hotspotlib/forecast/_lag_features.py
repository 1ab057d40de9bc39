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
from hotspotlib.forecast._poisson_ridge import newton, poisson_ridge
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


@dataclass(frozen=True, slots=True)
class _Rows:
    """The rows (moments x cells) that fit a model, all their feature columns standardised.

    ``z`` holds a column of ones, then the features less their mean over the rows over
    their sd (columns that do not vary are left at zero), and one last row: all-zero
    features so standardised. ``words`` has one bit per feature: not zero in the row.
    """

    z: NDArray[np.float64]
    y: NDArray[np.float64]
    offset: NDArray[np.float64]
    mean: NDArray[np.float64]
    sd: NDArray[np.float64]
    words: NDArray[np.uint64]


def _bits(flags: NDArray[np.bool_]) -> NDArray[np.uint64]:
    """Pack boolean columns into 64-bit words, one row of words per row of flags."""
    packed = np.packbits(flags, axis=-1, bitorder="little")
    padded = np.zeros((*packed.shape[:-1], -(-packed.shape[-1] // 8) * 8), dtype=np.uint8)
    padded[..., : packed.shape[-1]] = packed
    return np.asarray(padded.view(np.uint64))


def _rows(
    design: Design,
    candidate: Candidate,
    *,
    at: int,
    n_windows: int,
    exposure: NDArray[np.float64],
    cache: dict[tuple[Any, ...], _Rows],
) -> _Rows:
    """Rows of moments ``at + 1 .. at + n_windows`` that fit ``candidate``, shared by key."""
    level = _level_columns(design, candidate)
    key = (at, n_windows, candidate.fit_cells, level)
    if key not in cache:
        past = design.features[at + 1 : at + 1 + n_windows]
        y = design.targets[at : at + n_windows]
        offset = np.broadcast_to(np.log(exposure), y.shape)
        if candidate.fit_cells == "all":
            x, y, offset = past.reshape(-1, past.shape[2]), y.ravel(), offset.ravel()
        else:
            keep = _fit_rows(candidate, past, level)
            x, y, offset = past[keep], y[keep], offset[keep]
        none = np.zeros(x.shape[1])  # no rows: no event either, so no fit
        mean, sd = (x.mean(axis=0), x.std(axis=0)) if y.size else (none, none)
        z = np.empty((x.shape[0] + 1, x.shape[1] + 1))
        z[:, 0] = 1.0
        np.subtract(x, mean, out=z[:-1, 1:])
        z[-1, 1:] = -mean
        z[:, 1:] /= np.where(sd > 0, sd, 1.0)
        z[:, 1:][:, sd == 0] = 0.0
        cache[key] = _Rows(z, y, offset, mean, sd, _bits(x != 0))
    return cache[key]


def _level_columns(design: Design, candidate: Candidate) -> tuple[int, ...]:
    """Columns whose sum ranks the cells for ``fit_cells``: own and largest ring, longest life."""
    if candidate.fit_cells == "all":
        return ()
    lives = {n.split("_hl")[1] for n in design.names if "_hl" in n}
    longest = max(lives, key=float)
    own = design.names.index(f"own_hl{longest}")
    if not candidate.rings:
        return (own,)
    return own, design.names.index(f"ring{candidate.rings[-1]}_hl{longest}")


def _fit_rows(
    candidate: Candidate, past: NDArray[np.float64], level: tuple[int, ...]
) -> NDArray[np.bool_]:
    """Rows (moments x cells) with history, or the top share, by the ``level`` columns' sum."""
    total = past[:, :, level[0]]
    if len(level) > 1:
        total = total + past[:, :, level[1]]
    if candidate.fit_cells == "history":
        return np.asarray(total > 0)
    cut = np.quantile(total, 1.0 - float(candidate.fit_cells), axis=1, keepdims=True)
    return np.asarray(total > cut)


def _columns(design: Design, candidate: Candidate) -> NDArray[np.intp]:
    """Return the feature columns of ``candidate``: own, its rings, seasonal if it has them."""
    names, seasonal = design.names, candidate.seasonal
    wanted = [f"ring{k}" for k in candidate.rings] + ["own"]
    chosen = [n.split("_")[0] in wanted and (seasonal or "last_year" not in n) for n in names]
    return np.flatnonzero(chosen)


def _pool_empty(
    rows: _Rows, use: NDArray[np.intp], fit: NDArray[np.intp]
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Return the ones and standardised ``fit`` columns, pooling the rows zero in all ``use``.

    The rows whose ``use`` features are all zero become one last row (the same
    likelihood, fewer rows). Rows with equal features share ``eta - offset``, so their
    log-likelihood terms sum to ``sum(y) * eta0 - exp(eta0) * sum(exp(offset))`` plus a
    constant: one row with the summed count and ``log(sum(exp(offset)))`` as offset has
    the same gradient and Hessian.
    """
    flags = np.zeros(rows.words.shape[1] * 64, dtype=bool)
    flags[use] = True
    empty = np.all((rows.words & _bits(flags)) == 0, axis=1)
    n = rows.y.size
    if np.count_nonzero(empty) < 2:
        kept = np.arange(n)
        return rows.z[kept[:, None], np.append(0, fit + 1)], rows.y, rows.offset
    kept = np.flatnonzero(~empty)
    return (
        rows.z[np.append(kept, n)[:, None], np.append(0, fit + 1)],
        np.append(rows.y[kept], rows.y[empty].sum()),
        np.append(rows.offset[kept], np.log(np.exp(rows.offset[empty]).sum())),
    )


def fit_and_score(
    design: Design,
    candidate: Candidate,
    *,
    at: int,
    n_windows: int,
    exposure: NDArray[np.float64],
    ridge: float,
    start: dict[str, float] | None = None,
    cache: dict[tuple[Any, ...], _Rows] | None = None,
) -> tuple[NDArray[np.float64], dict[str, float], int] | None:
    """Fit on moments ``at + 1 .. at + n_windows``, score the cells at moment ``at``.

    Returns the expected counts per cell, the coefficients on the ``log1p`` features
    (by name, with ``intercept``) and the rows fitted; None when the fitted rows hold
    no event. ``start``: coefficients of an earlier fit to start the Newton steps from
    (the same optimum, fewer steps); ``cache``: rows shared by fits on the same moments.
    """
    rows = _rows(
        design, candidate, at=at, n_windows=n_windows, exposure=exposure,
        cache={} if cache is None else cache,
    )  # fmt: skip
    if rows.y.sum() == 0:
        return None
    use = _columns(design, candidate)
    fit = use[rows.sd[use] > 0]
    x, y, offset = _pool_empty(rows, use, fit)
    first = None
    if start is not None:
        slope = np.array([start.get(design.names[i], 0.0) for i in fit])
        level = start["intercept"] + slope @ rows.mean[fit]
        first = np.concatenate([[level], rows.sd[fit] * slope])
    beta, _ = newton(x, y, offset, ridge, first)
    slope = np.zeros(design.features.shape[2])
    slope[fit] = beta[1:] / rows.sd[fit]
    intercept = float(beta[0] - slope[use] @ rows.mean[use])
    scores = np.exp(intercept + design.features[at][:, use] @ slope[use]) * exposure
    coefficients = {"intercept": intercept}
    coefficients.update({design.names[i]: float(slope[i]) for i in use})
    return scores, coefficients, int(y.size)


def validate(
    design: Design,
    candidates: tuple[Candidate, ...],
    *,
    n_windows: int,
    n_validation: int,
    exposure: NDArray[np.float64],
    ridge: float,
    coverage: NDArray[np.float64],
) -> tuple[NDArray[np.float64], int, int, list[dict[str, float] | None]]:
    """Mean hit rate of each candidate over the validation windows before the origin.

    Window ``v`` (1 = latest) is the ``horizon`` after moment ``v``: each candidate is
    fitted on moments ``v + 1 .. v + n_windows`` and scores the cells at moment ``v``.
    A window with no event, or whose fits hold no event, is skipped. Each fit starts from
    the candidate's fit on the window before, else from the window's previous fit. Also
    returns each candidate's latest coefficients (None if no fit held an event).
    """
    rates: list[NDArray[np.float64]] = []
    skipped = 0
    latest: list[dict[str, float] | None] = [None] * len(candidates)
    for v in range(n_validation, 0, -1):  # a handful of validation windows, oldest first
        observed = design.targets[v - 1]
        cache: dict[tuple[Any, ...], _Rows] = {}
        fits, nearest = [], None
        for k, c in enumerate(candidates):  # a few candidates
            fitted = fit_and_score(
                design, c, at=v, n_windows=n_windows, exposure=exposure, ridge=ridge,
                start=nearest if latest[k] is None else latest[k], cache=cache,
            )  # fmt: skip
            fits.append(fitted)
            if fitted is not None:
                latest[k] = nearest = fitted[1]
        if observed.sum() == 0 or any(f is None for f in fits):
            skipped += 1
            continue
        scores = np.array([f[0] for f in fits if f is not None])
        rates.insert(0, hit_rates(scores, observed, exposure, coverage).mean(axis=1))
    total = np.zeros(len(candidates))
    for rate in rates:  # summed from the latest window back
        total += rate
    mean = total / len(rates) if rates else np.full_like(total, np.nan)
    return mean, len(rates), skipped, latest
