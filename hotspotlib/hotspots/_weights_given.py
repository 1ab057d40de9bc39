"""Weights passed by the user (libpysal ``W``/``Graph``, SciPy or NumPy matrices).

They are checked and aligned with the units, by id when the object carries ids that
name the units unambiguously, else by position. Nothing passed in is modified.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from hotspotlib._options import WeightsKind
from hotspotlib._validation import check_option

__all__ = ["check_weight_arguments", "given_matrix", "reorder"]


def check_weight_arguments(weights: Any, distance_m: Any, k: Any) -> None:
    """Refuse ``distance_m`` and ``k`` where they would be ignored.

    ``distance_m`` shapes only the named ``"distance_band"`` and ``"kernel"`` weights and
    ``k`` only ``"knn"``; weights passed as an object are used as given.

    Examples
    --------
    >>> check_weight_arguments("knn", None, 4)
    >>> check_weight_arguments("distance_band", 500, 4)
    Traceback (most recent call last):
    ...
    ValueError: `k` applies to spatial_weights='knn' only; got k=4 with ...
    """
    named = isinstance(weights, str)
    if named:
        check_option(weights, WeightsKind, name="spatial_weights")
    what = repr(weights) if named else f"a {type(weights).__name__} (used as given)"
    if distance_m is not None and not (named and weights in ("distance_band", "kernel")):
        raise ValueError(
            "`distance_m` applies to named weights 'distance_band' and 'kernel' only; got "
            f"distance_m={distance_m!r} with spatial_weights={what}. Drop `distance_m`, or build "
            "the weights with that distance."
        )
    if k is not None and not (named and weights == "knn"):
        raise ValueError(
            f"`k` applies to spatial_weights='knn' only; got k={k!r} with spatial_weights={what}. "
            "Drop `k`, or pass spatial_weights='knn'."
        )


def reorder(matrix: sparse.csr_array, positions: NDArray[np.int64]) -> sparse.csr_array:
    """Map rows/columns ordered by ``positions`` (unit positions) onto unit order."""
    coo = sparse.coo_array(matrix)
    result = sparse.csr_array(
        (coo.data, (positions[coo.row], positions[coo.col])), shape=matrix.shape
    )
    result.sort_indices()
    return result


def given_matrix(weights: Any, *, n: int, index: pd.Index) -> tuple[sparse.csr_array, str]:
    ids: Any = None
    if sparse.issparse(weights):
        raw = sparse.csr_array(weights, copy=True, dtype=float)
        source = "a sparse matrix"
    elif isinstance(weights, np.ndarray):
        raw = sparse.csr_array(np.asarray(weights, dtype=float))
        source = "a dense matrix"
    elif hasattr(weights, "unique_ids") and hasattr(weights, "sparse"):
        raw = sparse.csr_array(weights.sparse, copy=True, dtype=float)
        ids = list(weights.unique_ids)
        source = "a libpysal Graph"
    elif hasattr(weights, "id_order") and hasattr(weights, "sparse"):
        raw = sparse.csr_array(weights.sparse, copy=True, dtype=float)
        ids = list(weights.id_order)
        source = f"a libpysal W (transform {weights.transform!r})"
    else:
        raise TypeError(
            "`spatial_weights` must be one of 'distance_band', 'knn', 'queen', 'rook', 'kernel', a "
            f"libpysal Graph or W, or a scipy sparse matrix; got {type(weights).__name__}."
        )
    if raw.shape != (n, n):
        raise ValueError(
            f"`spatial_weights` must be {n} x {n} (one row per unit); got {raw.shape[0]} x "
            f"{raw.shape[1]}. Build the weights on the same units."
        )
    raw.eliminate_zeros()
    if not np.isfinite(raw.data).all():
        raise ValueError("`spatial_weights` has NaN or infinite entries; weights must be finite.")
    if (raw.data < 0).any():
        raise ValueError(
            f"`spatial_weights` has {int((raw.data < 0).sum())} negative entries (min "
            f"{raw.data.min():g}); Getis-Ord and local Moran statistics need weights >= 0."
        )
    if ids is not None:
        raw, how = _match_ids(raw, ids, index)
        source += f" matched to the units by {how}"
    raw.sort_indices()
    return raw, source


def _match_ids(raw: sparse.csr_array, ids: list[Any], index: pd.Index) -> tuple[Any, str]:
    """Align a libpysal object's rows with the units by id, or keep them by position.

    Ids 0 .. n-1 in order are ambiguous: libpysal's ``W.from_dataframe`` numbers rows by
    position, while a ``Graph`` takes the frame's index. When the units' index holds the
    same numbers in another order (a sorted frame), the two readings disagree and no
    rule can tell which one is meant, so this raises instead of guessing.
    """
    n = len(ids)
    if not index.is_unique or set(ids) != set(index):
        return raw, "position"
    if list(ids) == list(index):
        return raw, "id"
    if list(ids) == list(range(n)):
        raise ValueError(
            f"`spatial_weights` has ids 0 .. {n - 1} in order (row positions, as "
            "`W.from_dataframe` numbers them), but the units' index holds the same "
            "numbers in another order (e.g. after `sort_values`), so ids and positions "
            "name different units. Reset the index (`units.reset_index(drop=True)`) "
            "before building the weights, or build them with `Graph.build_contiguity` "
            "(ids = the frame's index) on the same frame."
        )
    return reorder(raw, index.get_indexer(ids).astype(np.int64)), "id"
