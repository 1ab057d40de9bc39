"""Steps shared by the local statistics (Gi*, local Moran's I): options, values, sums."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from hotspotlib._validation import require_draws, require_probability, require_type

__all__ = ["LocalOptions", "check_local_options", "sparse_sums"]

LocalOptions = tuple[int, float, bool]
"""``(n_permutations, alpha, fdr)`` after checking."""


def check_local_options(n_permutations: Any, alpha: Any, fdr: Any) -> LocalOptions:
    """Check the options every local statistic shares and return them as plain values.

    Examples
    --------
    >>> check_local_options(999, 0.05, True)
    (999, 0.05, True)
    """
    n_perm = require_draws(n_permutations, name="n_permutations")
    level = require_probability(alpha, name="alpha")
    require_type(
        fdr, (bool, np.bool_), name="fdr", expected="True (Benjamini-Hochberg q-values) or False"
    )
    return n_perm, level, bool(fdr)


def sparse_sums(matrix: sparse.csr_array, x: NDArray[np.float64]) -> tuple[Any, Any, Any, Any]:
    """Return the lag ``W x``, row sums, row sums of squares and off-diagonal link counts."""
    lag = matrix @ x
    weight_sum = np.asarray(matrix.sum(axis=1)).ravel()
    weight_sq_sum = np.asarray(matrix.power(2).sum(axis=1)).ravel()
    links = np.diff(matrix.indptr) - (matrix.diagonal() != 0)
    return lag, weight_sum, weight_sq_sum, links.astype(np.int64)
