"""Checks of arrays of user numbers: finite, in range, of a shape, sorted, varying.

Imported through :mod:`hotspotlib._validation`, the one place for input checks. A value
that is not a number is a clear ``TypeError`` naming the argument, the value and the
fix, instead of an error from deep inside numpy or pandas.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._validation._numbers import _short

__all__ = [
    "require_array",
    "require_finite",
    "require_increasing",
    "require_numbers",
    "require_numeric_text",
    "require_shape",
    "require_varying",
    "require_within",
]

_NUMERIC_KINDS = frozenset(
    {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"}
)


def _describe(values: Any) -> str:
    """Show a user value on one line: a Series or an array by its dtype and head."""
    if isinstance(values, (pd.Series, pd.Index, np.ndarray)):
        head = list(np.asarray(values).ravel()[:5])
        more = ", ..." if np.size(values) > 5 else ""
        return f"{type(values).__name__} of dtype {values.dtype} {_short(head)[:-1]}{more}]"
    return _short(values)


def require_numbers(values: Any, *, name: str, fix: str = "") -> NDArray[np.float64]:
    """Return ``values`` (numbers, a list, an array or a Series) as a float64 array.

    Text, dates and other objects are refused with a ``TypeError`` that names the
    argument and shows the value, instead of failing deep inside numpy. NaN is allowed
    here (see :func:`require_finite`).

    Examples
    --------
    >>> require_numbers([1, 2.5], name="effects")
    array([1. , 2.5])
    >>> require_numbers(["a", "b"], name="effects")
    Traceback (most recent call last):
    ...
    TypeError: `effects` must hold numbers; got ['a', 'b'] (string values). ...
    """
    fix = fix or "Convert it first, e.g. `pandas.to_numeric(values)`."
    if isinstance(values, (str, bytes)):
        raise TypeError(f"`{name}` must hold numbers, not text; got {_describe(values)}. {fix}")
    if isinstance(values, Mapping):
        raise TypeError(
            f"`{name}` must be numbers (a list, array or Series), not a mapping; "
            f"got {_describe(values)}. {fix}"
        )
    dtype = getattr(values, "dtype", None)
    nullable = getattr(dtype, "numpy_dtype", None) is not None
    if dtype is not None and nullable and dtype.kind in "iuf":
        # nullable Int64/Float64: NA as NaN (pandas 2.0 hands numpy objects otherwise)
        values = values.to_numpy(dtype=float, na_value=np.nan)
    try:
        raw = np.asarray(values)
    except (TypeError, ValueError) as error:  # ragged nested lists
        message = f"`{name}` must hold numbers; got {_describe(values)} ({error}). {fix}"
        raise TypeError(message) from error
    if raw.dtype.kind in "OUSMmV":
        kind = pd.api.types.infer_dtype(raw.ravel(), skipna=True)
        if raw.dtype.kind in "USMmV" or kind not in _NUMERIC_KINDS:
            raise TypeError(
                f"`{name}` must hold numbers; got {_describe(values)} ({kind} values). {fix}"
            )
    try:
        return np.asarray(raw, dtype=float)
    except (TypeError, ValueError) as error:
        message = f"`{name}` must hold numbers; got {_describe(values)} ({error}). {fix}"
        raise TypeError(message) from error


def require_increasing(
    values: Any, *, name: str, strict: bool = True, fix: str = ""
) -> NDArray[np.float64]:
    """Return ``values`` as a finite float array after checking it is sorted ascending.

    ``strict`` refuses repeated values too. Used for bin edges, knots and breaks.

    Examples
    --------
    >>> require_increasing([0, 15, 30], name="bins")
    array([ 0., 15., 30.])
    >>> require_increasing([0, 30, 15], name="bins")
    Traceback (most recent call last):
    ...
    ValueError: `bins` must be strictly increasing; got [0, 30, 15].
    """
    array = require_finite(values, name=name)
    steps = np.diff(array)
    if (steps <= 0).any() if strict else (steps < 0).any():
        order = "strictly increasing" if strict else "non-decreasing"
        raise ValueError(f"`{name}` must be {order}; got {_short(values)}. {fix}".rstrip())
    return array


def require_finite(values: ArrayLike, *, name: str) -> NDArray[np.float64]:
    """Return ``values`` as a float64 array after checking every entry is a finite number.

    Examples
    --------
    >>> require_finite([1, 2.5], name="values")
    array([1. , 2.5])
    """
    array = require_numbers(values, name=name)
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"`{name}` has {int(bad.sum())} NaN or infinite values out of {array.size}; "
            "fill or drop them first."
        )
    return array


def require_varying(values: Any, *, name: str, minimum: int = 2, fix: str = "") -> NDArray[Any]:
    """Return ``values`` as an array after checking it has ``minimum`` rows, not all equal.

    ``values`` is one value per row (an ``(n,)`` array) or one point per row (an
    ``(n, d)`` array). A statistic that compares rows with each other (a variance, a
    mean distance) is undefined on too few rows or on rows that are all the same, so
    both are a ``ValueError`` naming the argument, with ``fix`` saying what to do.

    Examples
    --------
    >>> require_varying([1.0, 3.0, 2.0], name="value", minimum=3)
    array([1., 3., 2.])
    >>> require_varying([2.0, 2.0, 2.0], name="value", fix="Check the value column.")
    Traceback (most recent call last):
    ...
    ValueError: `value` has zero variance: all 3 rows are 2.0, and the ... Check the value column.
    """
    array = np.asarray(values)
    if len(array) < minimum:
        raise ValueError(
            f"`{name}` has {len(array)} rows; at least {minimum} are needed. {fix}".rstrip()
        )
    if (array == array[:1]).all():
        shown = array[0].tolist()
        raise ValueError(
            f"`{name}` has zero variance: all {len(array)} rows are {shown!r}, and the "
            f"statistic compares rows with each other, so it is undefined. {fix}".rstrip()
        )
    return array


def require_array(
    values: Any,
    *,
    name: str,
    length: int | None = None,
    min_length: int = 1,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    whole: bool = False,
    fix: str = "",
) -> NDArray[np.float64]:
    """Return ``values`` as a 1-D array of finite floats after checking its size and range.

    ``length`` asks for exactly that many values (one per cell, per place ...), otherwise
    at least ``min_length``; ``low``/``high`` (with ``low_open``/``high_open``) bound
    every value as :func:`require_range` bounds one; ``whole`` asks for whole numbers
    (counts). ``fix`` says what to pass. A wrong shape, NaN and values out of range or
    fractional are a ``ValueError`` that names the argument, counts the offenders and
    shows one; values that are not numbers a ``TypeError``.

    Examples
    --------
    >>> require_array([0.05, 0.1], name="coverage", low=0, low_open=True, high=1)
    array([0.05, 0.1 ])
    >>> require_array([3, -1, 2], name="counts", low=0)
    Traceback (most recent call last):
    ...
    ValueError: `counts` must hold numbers >= 0; 1 of its 3 values are not (e.g. -1).
    >>> require_array([1.0, 2.0], name="scores", length=3, fix="One per cell.")
    Traceback (most recent call last):
    ...
    ValueError: `scores` must be a 1-D array of 3 values; got shape (2,). One per cell.
    """
    array = require_numbers(values, name=name, fix=fix)
    if array.ndim == 0 and length is None:
        array = array.reshape(1)
    size = f"{length}" if length is not None else f"at least {min_length}"
    short = array.size != length if length is not None else array.size < min_length
    if array.ndim != 1 or short:
        raise ValueError(
            f"`{name}` must be a 1-D array of {size} values; got shape {array.shape}. "
            f"{fix}".rstrip()
        )
    bad = ~np.isfinite(array)
    if bad.any():
        raise ValueError(
            f"`{name}` has {int(bad.sum())} NaN or infinite values out of {array.size}; "
            f"fill or drop them first. {fix}".rstrip()
        )
    what = "numbers"
    if low is not None:
        bad |= array <= low if low_open else array < low
        what += f" {'>' if low_open else '>='} {low:g}"
    if high is not None:
        bad |= array >= high if high_open else array > high
        what += f"{' and' if low is not None else ''} {'<' if high_open else '<='} {high:g}"
    if whole:
        bad |= array != np.round(array)
        what = "whole " + what
    if bad.any():
        example = array[bad][0]
        raise ValueError(
            f"`{name}` must hold {what}; {int(bad.sum())} of its {array.size} values are "
            f"not (e.g. {example:g}). {fix}".rstrip()
        )
    return array


def require_shape(
    values: Any, shape: tuple[int | None, ...], *, name: str, what: str = "", fix: str = ""
) -> NDArray[Any]:
    """Return ``values`` as an array after checking it has ``shape`` (ValueError).

    A None in ``shape`` accepts any length on that axis; ``what`` says in words what
    the axes hold (e.g. "one (low, high) pair per study").

    Examples
    --------
    >>> require_shape([[1, 2], [3, 4]], (None, 2), name="ci").shape
    (2, 2)
    >>> require_shape([1, 2, 3], (2,), name="place_means", what="one mean per place")
    Traceback (most recent call last):
    ...
    ValueError: `place_means` must have shape (2,) (one mean per place); got shape (3,).
    """
    array = np.asarray(values)
    got = array.shape
    ok = len(got) == len(shape) and all(
        want is None or n == want for n, want in zip(got, shape, strict=True)
    )
    if not ok:
        wanted = "(" + ", ".join("k" if n is None else str(n) for n in shape)
        wanted += ",)" if len(shape) == 1 else ")"
        words = f" ({what})" if what else ""
        raise ValueError(
            f"`{name}` must have shape {wanted}{words}; got shape {got}. {fix}".rstrip()
        )
    return array


def require_within(
    values: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str = "",
) -> NDArray[np.float64]:
    """Return ``values`` as a float array after checking every entry is finite and in range.

    The array form of :func:`require_range`: ``low``/``high`` bound every value (None:
    unbounded on that side), ``low_open``/``high_open`` exclude the bound. The message
    counts the values out of range and shows a few.

    Examples
    --------
    >>> require_within([0, 2.5], name="events['minutes']", low=0)
    array([0. , 2.5])
    >>> require_within([1, -2, float("nan")], name="harm", low=0)
    Traceback (most recent call last):
    ...
    ValueError: `harm` must hold finite numbers >= 0; 2 of 3 are not (1 NaN or infinite), ...
    """
    array = require_numbers(values, name=name)
    good = np.isfinite(array)
    with np.errstate(invalid="ignore"):
        if low is not None:
            good &= array > low if low_open else array >= low
        if high is not None:
            good &= array < high if high_open else array <= high
    if not good.all():
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high:g}")
        bound = f"finite numbers {' and '.join(parts)}".rstrip()
        shown = array[~good][:3].tolist()
        n_nan = int((~np.isfinite(array)).sum())
        nan = f" ({n_nan} NaN or infinite)" if n_nan else ""
        first = int(np.flatnonzero(~good.ravel())[0])
        raise ValueError(
            f"`{name}` must hold {bound}; {int((~good).sum())} of {array.size} are not"
            f"{nan}, such as {shown} (the first at position {first}). {fix}".rstrip()
        )
    return array


def require_numeric_text(
    values: pd.Series, *, name: str, allow_missing: bool = False, fix: str = ""
) -> NDArray[np.float64]:
    """Return a column of numbers, or of text holding numbers, as a float array.

    For columns read from files, where numbers often arrive as text: each value is read
    as a number; booleans, text that is not a number and infinite values are refused
    (``TypeError`` for a boolean column, ``ValueError`` naming a few bad values
    otherwise). Missing values (NaN, None, blank text) become NaN when
    ``allow_missing``, and are refused otherwise.

    Examples
    --------
    >>> import pandas as pd
    >>> require_numeric_text(pd.Series(["1.5", " 2", ""]), name="x", allow_missing=True)
    array([1.5, 2. , nan])
    >>> require_numeric_text(pd.Series(["1.5", "north"]), name="x")
    Traceback (most recent call last):
    ...
    ValueError: `x` has 1 of 2 values that are not finite numbers, such as ['north']. ...
    """
    if pd.api.types.is_bool_dtype(values):
        raise TypeError(f"`{name}` is boolean; it must hold numbers. {fix}".rstrip())
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    missing = values.isna().to_numpy()
    if not pd.api.types.is_numeric_dtype(values):
        missing = missing | values.astype(str).str.strip().eq("").to_numpy()
    bad = ~np.isfinite(numbers) & (~missing if allow_missing else True)
    if bad.any():
        shown = values[bad].astype(str).unique()[:3].tolist()
        raise ValueError(
            f"`{name}` has {int(bad.sum())} of {len(values)} values that are not finite "
            f"numbers, such as {shown}. {fix or 'Clean or drop those rows first.'}"
        )
    return numbers
