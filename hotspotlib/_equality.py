"""Value equality of results: two results are equal when every field holds the same values.

The equality a dataclass writes for itself compares its fields as a tuple with ``==``;
on a table or an array that gives a table or an array, which has no single truth
value, so comparing two results would fail. :func:`values_equal` compares field by
field with the test each kind of value needs, and treats missing values in the same
places as equal, so that two identical runs that produce NaN compare equal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from scipy import sparse

__all__ = ["fields_equal", "values_equal"]

_NAN_KINDS = frozenset("fcmM")  # dtypes in which NaN or NaT can occur and compare unequal
_CONTAINERS = (pd.DataFrame, pd.Series, pd.Index, np.ndarray, ExtensionArray, Mapping, tuple, list)


def fields_equal(first: Any, second: Any) -> bool:
    """Whether two dataclass instances are of one type and hold equal fields.

    Fields declared with ``compare=False`` (caches) are skipped.

    Examples
    --------
    >>> import numpy as np
    >>> from dataclasses import dataclass
    >>> @dataclass(eq=False)
    ... class Pair:
    ...     values: np.ndarray
    >>> fields_equal(Pair(np.array([1.0, np.nan])), Pair(np.array([1.0, np.nan])))
    True
    """
    if type(first) is not type(second):
        return False
    return all(
        values_equal(getattr(first, item.name), getattr(second, item.name))
        for item in dataclasses.fields(first)
        if item.compare
    )


def values_equal(first: Any, second: Any) -> bool:
    """Whether two values are equal, with NaN (and NaT, None) equal to itself.

    Tables and series are equal when of one type with equal values, dtypes, index,
    columns and names (and CRS, for geometry); arrays when of one shape and dtype with
    equal elements; mappings, tuples and lists when their items are equal by these
    rules; dataclasses (nested results) when their fields are.

    Examples
    --------
    >>> import numpy as np
    >>> values_equal({"z": np.array([np.nan, 1.0])}, {"z": np.array([np.nan, 1.0])})
    True
    >>> values_equal(np.array([1, 2]), np.array([1.0, 2.0]))  # dtypes differ
    False
    """
    if first is second:
        return True
    if dataclasses.is_dataclass(first) and not isinstance(first, type):
        return fields_equal(first, second)
    if isinstance(first, pd.DataFrame | pd.Series):
        return _tables_equal(first, second)
    if isinstance(first, pd.Index):
        return _indexes_equal(first, second)
    if isinstance(first, np.ndarray):
        return isinstance(second, np.ndarray) and _arrays_equal(first, second)
    if isinstance(first, ExtensionArray):
        return type(first) is type(second) and bool(first.equals(second))
    if sparse.issparse(first):
        return _sparse_equal(first, second)
    if isinstance(first, Mapping):
        return (
            isinstance(second, Mapping)
            and first.keys() == second.keys()
            and all(values_equal(value, second[key]) for key, value in first.items())
        )
    if isinstance(first, tuple | list):
        return (
            type(first) is type(second)
            and len(first) == len(second)
            and all(values_equal(a, b) for a, b in zip(first, second, strict=True))
        )
    return _scalars_equal(first, second)


def _scalars_equal(first: Any, second: Any) -> bool:
    """``==``, with two missing values (NaN, NaT, None, NA) equal; None equals only None."""
    if isinstance(second, _CONTAINERS) or sparse.issparse(second):
        return False  # ``first`` is none of these (values_equal checked), so the kinds differ
    if _missing(first) and _missing(second):
        return (first is None) == (second is None)
    outcome = first == second
    if isinstance(outcome, bool | np.bool_):
        return bool(outcome)
    try:  # an object comparing elementwise: equal when every element is
        return bool(np.all(outcome))
    except (TypeError, ValueError):
        return False


def _missing(value: Any) -> bool:
    """Whether ``value`` is one missing scalar (``pd.isna`` of a non-scalar is an array)."""
    if value is None:
        return True
    if not pd.api.types.is_scalar(value):
        return False
    return bool(pd.isna(value))


def _tables_equal(first: pd.DataFrame | pd.Series, second: Any) -> bool:
    """Frames and series: type, values, dtypes, index, columns, names and CRS."""
    if type(first) is not type(second) or not first.equals(second):
        return False
    if not _indexes_equal(first.index, second.index):
        return False
    if isinstance(first, pd.DataFrame):
        if not _indexes_equal(first.columns, second.columns):
            return False
    elif not _scalars_equal(first.name, second.name):
        return False
    return _scalars_equal(_crs(first), _crs(second))


def _crs(table: pd.DataFrame | pd.Series) -> Any:
    """Return the CRS of geometry (None for plain tables, or a frame with no geometry)."""
    try:
        return getattr(table, "crs", None)
    except AttributeError:
        return None


def _indexes_equal(first: pd.Index, second: Any) -> bool:
    """Indexes: type, dtype, values (NaN equal) and level names."""
    return (
        type(first) is type(second)
        and first.dtype == second.dtype
        and list(first.names) == list(second.names)
        and bool(first.equals(second))
    )


def _arrays_equal(first: np.ndarray, second: np.ndarray) -> bool:
    """Arrays: shape, dtype and elements, NaN and NaT equal to themselves."""
    if first.shape != second.shape or first.dtype != second.dtype:
        return False
    if first.dtype.kind == "O":  # elementwise, vectorised by pandas; missing equals missing
        return bool(pd.Series(first.ravel()).equals(pd.Series(second.ravel())))
    return bool(np.array_equal(first, second, equal_nan=first.dtype.kind in _NAN_KINDS))


def _sparse_equal(first: Any, second: Any) -> bool:
    """Sparse matrices: type, shape, dtype and stored values (explicit zeros ignored)."""
    if type(first) is not type(second) or first.shape != second.shape:
        return False
    if first.dtype != second.dtype:
        return False
    a, b = (sparse.csr_array(m, copy=True) for m in (first, second))
    for m in (a, b):
        m.sum_duplicates()
        m.eliminate_zeros()
        m.sort_indices()
    same_pattern = np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
    return bool(same_pattern) and _arrays_equal(a.data, b.data)
