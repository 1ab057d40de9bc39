"""Checks of user numbers: one number, arrays of numbers, shares, whole numbers.

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

__all__ = [
    "require_finite",
    "require_number",
    "require_numbers",
    "require_positive",
    "require_probability",
    "require_whole",
]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_NUMERIC_KINDS = frozenset(
    {"integer", "floating", "mixed-integer-float", "decimal", "boolean", "empty"}
)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
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


def require_number(value: Any, *, name: str, fix: str = "") -> float:
    """Return one user number as a float, refusing text, booleans and other objects.

    Examples
    --------
    >>> require_number(3, name="z_critical")
    3.0
    """
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not _is_number(value):
        hint = " (text: convert it with float(...))" if isinstance(value, str) else ""
        raise TypeError(f"`{name}` must be a number; got {_short(value)}{hint}. {fix}".rstrip())
    return float(value)


def require_positive(value: Any, *, name: str, allow_zero: bool = False, fix: str = "") -> float:
    """Return ``value`` as a float after checking it is finite and positive.

    Examples
    --------
    >>> require_positive(150, name="cell_size_m")
    150.0
    >>> require_positive(0, name="cell_size_m")
    Traceback (most recent call last):
    ...
    ValueError: `cell_size_m` must be a finite number > 0; got 0.
    """
    number = require_number(value, name=name, fix=fix)
    ok = np.isfinite(number) and (number >= 0 if allow_zero else number > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"`{name}` must be a finite number {bound}; got {_short(value)}. {fix}".rstrip()
        )
    return number


def require_probability(value: Any, *, name: str, closed: bool = False) -> float:
    """Return ``value`` as a float strictly between 0 and 1 (or in [0, 1] if ``closed``).

    Used for confidence levels, significance levels and shares.

    Examples
    --------
    >>> require_probability(0.95, name="confidence")
    0.95
    >>> require_probability(95, name="confidence")
    Traceback (most recent call last):
    ...
    ValueError: `confidence` must be a number between 0 and 1 (exclusive); got 95. ...
    """
    number = require_number(value, name=name)
    ok = 0.0 <= number <= 1.0 if closed else 0.0 < number < 1.0
    if not ok:
        span = "0 and 1 (inclusive)" if closed else "0 and 1 (exclusive)"
        raise ValueError(
            f"`{name}` must be a number between {span}; got {_short(value)}. "
            "Give a share, e.g. 0.95 rather than 95."
        )
    return number


def require_whole(value: Any, *, name: str, minimum: int = 0) -> int:
    """Return ``value`` as an int after checking it is a whole number >= ``minimum``.

    Examples
    --------
    >>> require_whole(20, name="n_hotspots")
    20
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        hint = ""
        if isinstance(value, (float, np.floating)) and np.isfinite(value) and value == int(value):
            hint = f" Pass int({value!r})."
        elif isinstance(value, str):
            hint = " Pass a number, not text."
        raise ValueError(
            f"`{name}` must be a whole number >= {minimum}; got {_short(value)}.{hint}"
        )
    return int(value)


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
