"""Checks and sparse sums shared by the local statistics (Gi*, local Moran's I)."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse

from hotspotlib._validation import require_positive

__all__ = ["check_alpha", "check_flag", "check_permutations", "sparse_sums"]


def check_permutations(n_permutations: Any) -> int:
    """Return ``n_permutations`` as an int after checking it is a whole number >= 0.

    Examples
    --------
    >>> check_permutations(999)
    999
    """
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, (int, np.integer))
        or n_permutations < 0
    ):
        raise ValueError(
            f"`n_permutations` must be a whole number >= 0 (0 for analytic p-values); "
            f"got {n_permutations!r}. 999 is usual."
        )
    return int(n_permutations)


def check_alpha(alpha: Any) -> float:
    """Return ``alpha`` as a float after checking ``0 < alpha < 1``.

    Examples
    --------
    >>> check_alpha(0.05)
    0.05
    """
    level = require_positive(alpha, name="alpha")
    if level >= 1:
        raise ValueError(f"`alpha` must be between 0 and 1; got {alpha!r}.")
    return level


def check_flag(value: Any, *, name: str, meaning: str) -> bool:
    """Return ``value`` as a bool after checking it is True or False (not a truthy string).

    Examples
    --------
    >>> check_flag(True, name="fdr", meaning="classify from q-values")
    True
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be True or False; got {value!r}. True means: {meaning}.")
    return bool(value)


def sparse_sums(matrix: sparse.csr_array, x: NDArray[np.float64]) -> tuple[Any, Any, Any, Any]:
    """Return the lag ``W x``, row sums, row sums of squares and off-diagonal link counts."""
    lag = matrix @ x
    weight_sum = np.asarray(matrix.sum(axis=1)).ravel()
    weight_sq_sum = np.asarray(matrix.power(2).sum(axis=1)).ravel()
    links = np.diff(matrix.indptr) - (matrix.diagonal() != 0)
    return lag, weight_sum, weight_sq_sum, links.astype(np.int64)
