"""Checks of one user number: numbers, lengths, shares, whole numbers, draws and ranges.

Imported through :mod:`hotspotlib._validation`, the one place for input checks. A value
that is not a number is a clear ``TypeError`` naming the argument, the value and the
fix, instead of an error from deep inside numpy or pandas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "require_draws",
    "require_number",
    "require_positive",
    "require_probability",
    "require_range",
    "require_whole",
]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


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


def require_whole(
    value: Any, *, name: str, minimum: int = 0, maximum: int | None = None, fix: str = ""
) -> int:
    """Return ``value`` as an int after checking it is a whole number in [minimum, maximum].

    A float such as ``20.0``, text or a boolean is refused (``ValueError``, as for a
    number out of range), with the fix in the message.

    Examples
    --------
    >>> require_whole(20, name="n_hotspots")
    20
    >>> require_whole(2.0, name="n_hotspots", minimum=1)
    Traceback (most recent call last):
    ...
    ValueError: `n_hotspots` must be a whole number >= 1; got 2.0. Pass int(2.0).
    """
    whole = not isinstance(value, bool) and isinstance(value, (int, np.integer))
    if not whole or value < minimum or (maximum is not None and value > maximum):
        span = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
        hint = fix
        if isinstance(value, (float, np.floating)) and np.isfinite(value) and value == int(value):
            hint = f"Pass int({value!r}). {fix}"
        elif isinstance(value, str):
            hint = f"Pass a number, not text. {fix}"
        raise ValueError(
            f"`{name}` must be a whole number {span}; got {_short(value)}. {hint}".rstrip()
        )
    return int(value)


def require_draws(
    value: Any, *, name: str, minimum: int = 0, usual: int = 999, fix: str = ""
) -> int:
    """Return a number of random draws (permutations, bootstrap samples, simulations).

    One rule for every such count: a whole number >= ``minimum`` (0 where the function
    then uses an analytic answer), with ``usual`` suggested in the message.

    Examples
    --------
    >>> require_draws(999, name="n_permutations")
    999
    >>> require_draws(-1, name="n_permutations")
    Traceback (most recent call last):
    ...
    ValueError: `n_permutations` must be a whole number >= 0; got -1. 999 is usual.
    """
    return require_whole(value, name=name, minimum=minimum, fix=f"{fix} {usual} is usual.".strip())


def require_range(
    value: Any,
    *,
    name: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    fix: str = "",
) -> float:
    """Return ``value`` as a float after checking it lies in a stated range.

    ``low``/``high`` bound the range (None: unbounded on that side); ``low_open`` and
    ``high_open`` exclude the bound itself. NaN is always refused.

    Examples
    --------
    >>> require_range(0.5, name="share", low=0, high=1)
    0.5
    >>> require_range(0, name="half_life_days", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    ValueError: `half_life_days` must be a number > 0; got 0.
    """
    number = require_number(value, name=name, fix=fix)
    ok = not np.isnan(number)
    if low is not None:
        ok = ok and (number > low if low_open else number >= low)
    if high is not None:
        ok = ok and (number < high if high_open else number <= high)
    if not ok:
        parts = []
        if low is not None:
            parts.append(f"{'>' if low_open else '>='} {low:g}")
        if high is not None:
            parts.append(f"{'<' if high_open else '<='} {high:g}")
        bound = " and ".join(parts) or "that is not NaN"
        raise ValueError(f"`{name}` must be a number {bound}; got {_short(value)}. {fix}".rstrip())
    return number
