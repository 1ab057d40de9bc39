"""Poisson and negative binomial (NB2) regression with absorbed place and day effects.

The model is ``log mu = a[place] + g[day] + X @ beta`` (one or no factor also works). It
is fitted by iteratively reweighted least squares, which is Newton's method for the
Poisson's canonical log link, with the fixed effects eliminated exactly at every step
instead of carried as dummy columns: given weights, the weighted least-squares
projection onto both factors is solved through the Schur complement on the smaller
factor (a small dense Cholesky), and the larger factor follows in closed form. The
coefficients, deviance and cluster-robust covariance equal those of the same GLM with
dummy columns (e.g. statsmodels), at a fraction of the cost.

Rows in a level of any factor whose outcome sums to zero carry no information (that
level's effect runs off to minus infinity) and are left out before the fit, so n, K and
the clusters G of the small-sample factor count only the rows that are used: the fit
equals statsmodels on the data with those rows dropped. (Fitted with them, statsmodels
stops at some large negative effect for each such level and counts them in n, K and G,
which only changes the factor.) :mod:`hotspotlib._fixed_effects_batch` fits the
one-regressor Poisson model to many data sets at once with the same conventions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import numpy as np
import scipy.optimize
import scipy.sparse
from numpy.typing import NDArray
from scipy.sparse.csgraph import connected_components
from scipy.special import digamma, gammaln, xlogy

from hotspotlib._threads import single_thread_blas

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
_DENSE_LIMIT = 4_000_000
_ALPHA_RANGE = (1e-5, 1e3)

__all__ = [
    "FixedEffectsFit",
    "absorbed_columns",
    "deviance",
    "fit_glm_fe",
    "fit_negbin_fe",
    "loglik",
]


@dataclass(frozen=True, slots=True)
class FixedEffectsFit:
    """A converged fit: coefficients, covariance and fit statistics.

    ``mu`` has one value per input row (0 on the rows left out); ``n_obs`` counts the
    rows used and ``n_fe`` the fixed-effect parameters (with the intercept) fitted.
    """

    beta: FloatArray
    cov: FloatArray
    mu: FloatArray
    alpha: float
    loglik: float
    deviance: float
    n_iter: int
    converged: bool
    n_fe: int
    n_obs: int


class _Structure:
    """What does not change between iterations: factor codes, sizes, pinned levels."""

    def __init__(self, factors: list[IntArray]) -> None:
        self.factors = list(factors)
        self.sizes = [int(f.max()) + 1 for f in self.factors]
        self.free = np.ones(0, dtype=bool)
        self.n_components = 1
        if len(self.factors) == 2:
            if self.sizes[1] > self.sizes[0]:  # the Schur complement is on the smaller factor
                self.factors.reverse()
                self.sizes.reverse()
            a, b = self.factors
            n_a, n_b = self.sizes
            graph = scipy.sparse.csr_matrix(
                (np.ones(len(a)), (a, n_a + b)), shape=(n_a + n_b, n_a + n_b)
            )
            _, label = connected_components(graph, directed=False)
            # One level of the smaller factor per connected component is pinned to zero.
            component_b = label[n_a:]
            _, first_reversed = np.unique(component_b[::-1], return_index=True)
            self.free = np.ones(n_b, dtype=bool)
            self.free[n_b - 1 - first_reversed] = False
            self.n_components = len(first_reversed)
            self.dense = n_a * n_b <= _DENSE_LIMIT
            self.pair = a * n_b + b

    def n_parameters(self) -> int:
        """Fixed-effect parameters (with the intercept) of the equivalent dummy model."""
        if not self.factors:
            return 1
        return sum(self.sizes) - (self.n_components if len(self.factors) == 2 else 0)


class _Projector:
    """Weighted least-squares residuals after projecting out one or two factors."""

    def __init__(self, structure: _Structure, weights: FloatArray) -> None:
        self.s = structure
        self.w = weights
        if len(structure.factors) == 2:
            a, b = structure.factors
            n_a, n_b = structure.sizes
            self.w_a = np.bincount(a, weights, n_a)
            w_b = np.bincount(b, weights, n_b)
            if structure.dense:
                cross: Any = np.bincount(structure.pair, weights, n_a * n_b).reshape(n_a, n_b)
                schur = np.diag(w_b) - cross.T @ (cross / self.w_a[:, None])
            else:
                cross = scipy.sparse.csr_matrix((weights, (a, b)), shape=(n_a, n_b))
                scaled = scipy.sparse.diags(1.0 / self.w_a) @ cross
                schur = np.diag(w_b) - (cross.T @ scaled).toarray()
            self.cross = cross
            self.schur = schur[np.ix_(structure.free, structure.free)]

    def _sums(self, codes: IntArray, size: int, weighted: FloatArray) -> FloatArray:
        return np.column_stack(
            [np.bincount(codes, weighted[:, j], size) for j in range(weighted.shape[1])]
        )

    def residual(self, columns: FloatArray) -> FloatArray:
        """Return ``columns`` minus their weighted projection on the factors."""
        weighted = columns * self.w[:, None]
        factors, sizes = self.s.factors, self.s.sizes
        if not factors:
            return columns - weighted.sum(axis=0) / self.w.sum()
        if len(factors) == 1:
            total = np.bincount(factors[0], self.w, sizes[0])
            means = self._sums(factors[0], sizes[0], weighted) / total[:, None]
            return columns - means[factors[0]]
        a, b = factors
        r_a = self._sums(a, sizes[0], weighted)
        r_b = self._sums(b, sizes[1], weighted)
        rhs = r_b - self.cross.T @ (r_a / self.w_a[:, None])
        effect_b = np.zeros((sizes[1], columns.shape[1]))
        # numpy's LU solve: the system is small and symmetric positive definite.
        effect_b[self.s.free] = np.linalg.solve(self.schur, rhs[self.s.free])
        effect_a = (r_a - self.cross @ effect_b) / self.w_a[:, None]
        return np.asarray(columns - effect_a[a] - effect_b[b])


def loglik(y: FloatArray, mu: FloatArray, alpha: float) -> float:
    """Poisson (alpha = 0) or NB2 log-likelihood."""
    if alpha == 0:
        return float(np.sum(xlogy(y, mu) - mu - gammaln(y + 1)))
    size = 1.0 / alpha
    return float(
        np.sum(
            gammaln(y + size)
            - gammaln(size)
            - gammaln(y + 1)
            + xlogy(y, alpha * mu / (1 + alpha * mu))
            - size * np.log1p(alpha * mu)
        )
    )


def deviance(y: FloatArray, mu: FloatArray, alpha: float) -> float:
    """Poisson (alpha = 0) or NB2 deviance."""
    if alpha == 0:
        return float(2 * np.sum(xlogy(y, y / mu) - (y - mu)))
    size = 1.0 / alpha
    return float(
        2 * np.sum(xlogy(y, y / mu) - (y + size) * np.log((1 + alpha * y) / (1 + alpha * mu)))
    )


def _fit_glm(
    y: FloatArray,
    x: FloatArray,
    factors: list[IntArray],
    clusters: IntArray,
    *,
    alpha: float = 0.0,
    mu_start: FloatArray | None = None,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> FixedEffectsFit:
    """Fit the log-link GLM with absorbed factors; covariance clustered on ``clusters``.

    The cluster-robust covariance is the sandwich of statsmodels' ``cov_type="cluster"``
    on the dummy model, with its small-sample factor
    ``G / (G - 1) * (n - 1) / (n - K)``, K counting the fixed-effect parameters.
    Runs with one BLAS thread (:func:`hotspotlib._threads.single_thread_blas`).
    """
    mu = (y + y.mean()) / 2 if mu_start is None else mu_start.copy()
    eta = np.log(mu)
    k = x.shape[1]
    beta = np.zeros(k)
    old_dev = np.inf
    structure = _Structure(factors)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - iterations are reported
        weight = mu / (1 + alpha * mu)
        working = eta + (y - mu) / mu
        projector = _Projector(structure, weight)
        resid = projector.residual(np.column_stack([working, x]))
        z_tilde, x_tilde = resid[:, 0], resid[:, 1:]
        if k:
            gram = x_tilde.T @ (x_tilde * weight[:, None])
            beta = np.linalg.solve(gram, x_tilde.T @ (weight * z_tilde))
        new_eta = working - (z_tilde - x_tilde @ beta)
        new_dev = deviance(y, np.exp(new_eta), alpha)
        for _ in range(30):  # step halving, rarely needed
            if np.isfinite(new_dev) and new_dev <= old_dev * (1 + 1e-12) + 1e-12:
                break
            new_eta = (eta + new_eta) / 2
            new_dev = deviance(y, np.exp(new_eta), alpha)
        change = float(np.max(np.abs(new_eta - eta)))
        eta, mu = new_eta, np.exp(new_eta)
        if change < tol or abs(old_dev - new_dev) < tol * 1e-3 * (abs(new_dev) + 0.1):
            converged = True
            break
        old_dev = new_dev

    # The sandwich's bread is the observed information, as statsmodels uses; it equals
    # the expected information for the Poisson (canonical link), not for NB2.
    weight = mu * (1 + alpha * y) / (1 + alpha * mu) ** 2
    projector = _Projector(structure, weight)
    x_tilde = projector.residual(x) if k else np.empty((len(y), 0))
    cov = np.empty((0, 0))
    if k:
        bread = np.linalg.inv(x_tilde.T @ (x_tilde * weight[:, None]))
        score = x_tilde * ((y - mu) / (1 + alpha * mu))[:, None]
        n_groups = int(clusters.max()) + 1
        summed = np.column_stack([np.bincount(clusters, score[:, j], n_groups) for j in range(k)])
        n_params = k + structure.n_parameters()
        n = len(y)
        factor = n_groups / (n_groups - 1) * (n - 1) / (n - n_params) if n_groups > 1 else 1.0
        cov = factor * bread @ (summed.T @ summed) @ bread
    return FixedEffectsFit(
        beta=beta,
        cov=cov,
        mu=mu,
        alpha=alpha,
        loglik=loglik(y, mu, alpha),
        deviance=deviance(y, mu, alpha),
        n_iter=n_iter,
        converged=converged,
        n_fe=structure.n_parameters(),
        n_obs=len(y),
    )


def _alpha_score(y: FloatArray, mu: FloatArray, alpha: float) -> float:
    """Return the derivative of the NB2 log-likelihood in alpha at fixed mu."""
    size = 1.0 / alpha
    return float(
        np.sum(
            (np.log1p(alpha * mu) - digamma(y + size) + digamma(size)) / alpha**2
            + (y - mu) / (alpha * (1 + alpha * mu))
        )
    )


def _fit_negbin(
    y: FloatArray, x: FloatArray, factors: list[IntArray], clusters: IntArray
) -> FixedEffectsFit:
    """NB2 with ``alpha`` at the root of the profile score (Brent on log alpha).

    By the envelope theorem the profile likelihood's derivative in alpha is the partial
    derivative at the fitted means, so each step needs one warm-started fit. The
    profile maximum is the joint maximum-likelihood estimate of (beta, fixed effects,
    alpha), the one statsmodels' ``NegativeBinomial`` finds with dummy columns. When
    the score is negative already at ``alpha = 1e-5`` there is no overdispersion to
    speak of and the Poisson fit is returned (alpha = 0).
    """
    poisson = _fit_glm(y, x, factors, clusters)
    state = {"mu": poisson.mu}

    def score(log_alpha: float) -> float:
        alpha = float(np.exp(log_alpha))
        fit = _fit_glm(y, x, factors, clusters, alpha=alpha, mu_start=state["mu"], tol=1e-9)
        state["mu"] = fit.mu
        return alpha * _alpha_score(y, fit.mu, alpha)

    low, high = np.log(_ALPHA_RANGE[0]), np.log(_ALPHA_RANGE[1])
    if score(low) <= 0:
        return poisson
    if score(high) >= 0:
        raise ValueError(
            f"The NB2 dispersion exceeds {_ALPHA_RANGE[1]:g}; the outcome is too "
            "overdispersed for this model. Try family='poisson' (robust SEs) instead."
        )
    state["mu"] = poisson.mu
    log_alpha = scipy.optimize.brentq(score, low, high, xtol=1e-10)
    return _fit_glm(y, x, factors, clusters, alpha=float(np.exp(log_alpha)), mu_start=state["mu"])


@single_thread_blas()
def fit_glm_fe(
    y: FloatArray,
    x: FloatArray,
    factors: list[IntArray],
    clusters: IntArray,
    *,
    alpha: float = 0.0,
    tol: float = 1e-10,
    max_iter: int = 200,
) -> FixedEffectsFit:
    """Fit the log-link GLM (Poisson, or NB2 at a given ``alpha``) with absorbed factors.

    ``y`` holds non-negative outcomes, ``x`` the ``(n, k)`` regressors (no constant),
    ``factors`` zero to two integer code arrays, ``clusters`` integer cluster codes
    (``np.arange(n)`` gives the HC1 sandwich with factor ``n / (n - K)``). The
    covariance is statsmodels' ``cov_type="cluster"`` on the dummy model, with factor
    ``G / (G - 1) * (n - 1) / (n - K)``, K counting the fixed-effect parameters.
    """
    glm = partial(_fit_glm, alpha=alpha, tol=tol, max_iter=max_iter)
    return _on_informative_rows(glm, y, x, factors, clusters)


@single_thread_blas()
def fit_negbin_fe(
    y: FloatArray, x: FloatArray, factors: list[IntArray], clusters: IntArray
) -> FixedEffectsFit:
    """NB2 with absorbed factors, dispersion by maximum likelihood (see ``_fit_negbin``).

    Runs with one BLAS thread, as :func:`fit_glm_fe`.
    """
    return _on_informative_rows(_fit_negbin, y, x, factors, clusters)


def _on_informative_rows(
    fit: Callable[[FloatArray, FloatArray, list[IntArray], IntArray], FixedEffectsFit],
    y: FloatArray,
    x: FloatArray,
    factors: list[IntArray],
    clusters: IntArray,
) -> FixedEffectsFit:
    """Fit on the rows whose levels all have events; ``mu`` is 0 on the others."""
    rows = np.ones(len(y), dtype=bool)
    for codes in factors:
        # A row left out has y = 0, so one pass leaves every other level's total as is.
        rows &= np.bincount(codes, y)[codes] > 0
    if rows.all():
        return fit(y, x, factors, clusters)
    if not rows.any():
        raise ValueError("The outcome is zero on every row; there is nothing to fit.")

    def recode(codes: IntArray) -> IntArray:
        return np.unique(codes[rows], return_inverse=True)[1].astype(np.int64)

    used = fit(y[rows], x[rows], [recode(codes) for codes in factors], recode(clusters))
    mu = np.zeros(len(y))
    mu[rows] = used.mu
    return replace(used, mu=mu)


@single_thread_blas()
def absorbed_columns(x: FloatArray, factors: list[IntArray]) -> NDArray[np.bool_]:
    """Flag the columns of ``x`` that the factors (or, with none, the intercept) absorb.

    Such a column (e.g. a per-place baseline under place effects) is a combination of
    the fixed effects: its coefficient is not identified and the fit would be singular.
    """
    structure = _Structure(factors)
    residual = _Projector(structure, np.ones(len(x))).residual(x)
    size = np.linalg.norm(x, axis=0)
    return np.asarray(np.linalg.norm(residual, axis=0) <= 1e-9 * np.maximum(size, 1e-300))
