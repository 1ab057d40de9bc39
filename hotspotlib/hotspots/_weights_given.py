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
from hotspotlib._validation import check_option, require_finite, require_range, require_type

__all__ = ["check_weight_arguments", "given_matrix", "reorder"]


def check_weight_arguments(weights: Any, distance_m: Any, k: Any, *, points: bool) -> None:
    """Refuse combinations of spatial-weights arguments that would be ignored or fail.

    ``distance_m`` shapes only the named ``"distance_band"`` and ``"kernel"`` weights,
    ``k`` only ``"knn"``, and contiguity (``"queen"``/``"rook"``) needs polygons or grid
    cells (``points`` says the units are points); weights passed as an object are used
    as given.

    Examples
    --------
    >>> check_weight_arguments("knn", None, 4, points=True)
    >>> check_weight_arguments("distance_band", 500, 4, points=False)
    Traceback (most recent call last):
    ...
    ValueError: `k` applies to spatial_weights='knn' only; got k=4 with ...
    """
    named = isinstance(weights, str)
    if named:
        check_option(weights, WeightsKind, name="spatial_weights")
    kind = weights if named else None
    what = repr(weights) if named else f"a {type(weights).__name__} (used as given)"
    rules = (
        (
            distance_m is not None and kind not in ("distance_band", "kernel"),
            "`distance_m` applies to named weights 'distance_band' and 'kernel' only; got "
            f"distance_m={distance_m!r} with spatial_weights={what}. Drop `distance_m`, or "
            "build the weights with that distance.",
        ),
        (
            k is not None and kind != "knn",
            f"`k` applies to spatial_weights='knn' only; got k={k!r} with spatial_weights="
            f"{what}. Drop `k`, or pass spatial_weights='knn'.",
        ),
        (
            points and kind in ("queen", "rook"),
            f"spatial_weights={what} (contiguity) needs polygons or grid cells; these units "
            "are points. Use spatial_weights='distance_band' with `distance_m`, or 'knn'.",
        ),
    )
    for broken, message in rules:
        if broken:
            raise ValueError(message)


def reorder(matrix: sparse.csr_array, positions: NDArray[np.int64]) -> sparse.csr_array:
    """Map rows/columns ordered by ``positions`` (unit positions) onto unit order."""
    coo = sparse.coo_array(matrix)
    result = sparse.csr_array(
        (coo.data, (positions[coo.row], positions[coo.col])), shape=matrix.shape
    )
    result.sort_indices()
    return result


def given_matrix(weights: Any, *, n: int, index: pd.Index) -> tuple[sparse.csr_array, str]:
    """Check weights passed as an object and return them as CSR, aligned with the units."""
    ids: Any = None
    if sparse.issparse(weights):
        raw = sparse.csr_array(weights, copy=True, dtype=float)
        source = "a sparse matrix"
    elif isinstance(weights, np.ndarray):
        raw = sparse.csr_array(require_finite(weights, name="spatial_weights"))
        source = "a dense matrix"
    else:
        from libpysal.graph import Graph
        from libpysal.weights import W

        require_type(
            weights,
            (Graph, W),
            name="spatial_weights",
            expected="one of 'distance_band', 'knn', 'queen', 'rook', 'kernel', a libpysal "
            "Graph or W, or a scipy sparse matrix",
        )
        raw = sparse.csr_array(weights.sparse, copy=True, dtype=float)
        if isinstance(weights, Graph):
            ids, source = list(weights.unique_ids), "a libpysal Graph"
        else:
            ids = list(weights.id_order)
            source = f"a libpysal W (transform {weights.transform!r})"
    if raw.shape != (n, n):
        raise ValueError(
            f"`spatial_weights` must be {n} x {n} (one row per unit); got {raw.shape[0]} x "
            f"{raw.shape[1]}. Build the weights on the same units."
        )
    raw.eliminate_zeros()
    require_finite(raw.data, name="spatial_weights")
    if raw.nnz:
        negative = int((raw.data < 0).sum())
        require_range(
            raw.data.min(),
            name="spatial_weights",
            low=0,
            fix=f"It has {negative} negative entries (the smallest shown); Getis-Ord and "
            "local Moran statistics need weights >= 0.",
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
