"""Small helpers shared by the trials modules (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import ReadOnlyDict, read_only
from hotspotlib._validation import (
    require_columns,
    require_complete,
    require_finite,
    require_nonempty,
    require_shape,
    require_type,
    require_unique,
)

__all__ = [
    "ReadOnlyDict",
    "block_codes",
    "require_arm_sizes",
    "place_index",
    "read_only",
    "resolve_column",
    "standardised_differences",
]


def place_index(places: Any, *, name: str = "places") -> pd.Index:
    """Return the identifiers of the places: a frame's index, or the values of a sequence/Index."""
    require_type(
        places,
        (pd.DataFrame, pd.Series, pd.Index, list, tuple, range, np.ndarray),
        name=name,
        expected="a (Geo)DataFrame indexed by place, or a sequence of place ids",
    )
    index = places.index if isinstance(places, pd.DataFrame | pd.Series) else pd.Index(places)
    require_nonempty(index, name=name, fix="pass at least two places.")
    require_unique(index, name=name, what="place ids")
    return index


def resolve_column(
    places: Any, values: str | Sequence[Any] | NDArray[Any] | pd.Series, *, name: str, n: int
) -> NDArray[Any]:
    """Resolve a column name of ``places`` or an array aligned with it to a numpy array."""
    if isinstance(values, str):
        require_type(
            places,
            pd.DataFrame,
            name="places",
            expected=f"a DataFrame when `{name}` names a column ({values!r}); otherwise "
            "pass one value per place",
        )
        require_columns(places, [values], name="places")
        return places[values].to_numpy()
    array = np.asarray(values)
    require_shape(array, (n,), name=name, what="one value per place")
    return array


def block_codes(places: Any, blocks: Any, *, n: int) -> tuple[NDArray[np.int64], list[Any]]:
    """Return the block of each place (codes from 0, sorted labels) and the labels."""
    labels = resolve_column(places, blocks, name="blocks", n=n)
    require_complete(labels, name="blocks", fix="give every place a block label.")
    codes, uniques = pd.factorize(pd.Series(labels), sort=True)
    return codes.astype(np.int64), list(uniques)


def standardised_differences(
    treated: NDArray[Any], covariates: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Standardised mean differences for many assignments at once.

    ``treated`` is ``(n_draws, n)`` 0/1, ``covariates`` is ``(n, p)``; returns
    ``(n_draws, p)`` values of ``(mean_T - mean_C) / sqrt((s2_T + s2_C) / 2)`` with
    sample variances (ddof = 1). A covariate constant in both arms gives 0.
    """
    x = require_finite(covariates, name="covariates")
    z = treated.astype(float)
    n_t = z.sum(axis=1, keepdims=True)
    n_c = z.shape[1] - n_t
    sum_t, sum_c = z @ x, (1 - z) @ x
    sq_t, sq_c = z @ x**2, (1 - z) @ x**2
    mean_t, mean_c = sum_t / n_t, sum_c / n_c
    var_t = np.maximum(sq_t - n_t * mean_t**2, 0) / np.maximum(n_t - 1, 1)
    var_c = np.maximum(sq_c - n_c * mean_c**2, 0) / np.maximum(n_c - 1, 1)
    scale = np.sqrt((var_t + var_c) / 2)
    diff = mean_t - mean_c
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(scale > 0, diff / scale, np.where(diff == 0, 0.0, np.inf))
    return np.asarray(result, dtype=float)


def require_arm_sizes(
    k: NDArray[np.int64], sizes: NDArray[np.int64], *, name: str, value: Any, fix: str
) -> None:
    """Refuse numbers treated per block that leave an arm empty or exceed a block."""
    n = int(sizes.sum())
    problem = ""
    if (k > sizes).any():
        problem = "more places treated than a block holds"
    elif k.sum() == 0 or k.sum() == n:
        problem = f"no place in {'treatment' if k.sum() == 0 else 'control'}"
    if problem:
        raise ValueError(
            f"`{name}`={value!r} leaves {problem} (places per block {sizes.tolist()}, "
            f"treated per block {k.tolist()}); {fix}"
        )
