"""Checks of how arguments go together: one needs another, some exclude each other.

Also the check that an optional library is installed before a feature that needs it.
Imported through :mod:`hotspotlib._validation`, the one place for input checks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspotlib._validation._numbers import _short


def _is_given(value: Any) -> bool:
    """Whether an optional argument was given: not None, False or a zero count."""
    if value is None or value is False:
        return False
    return not (isinstance(value, int | float | np.integer | np.floating) and value == 0)


def require_relevant(
    value: Any, *, name: str, used: bool, required: bool = False, context: str, fix: str = ""
) -> None:
    """Refuse an optional argument that ``context`` does not use, or miss one it needs.

    ``used`` says whether the argument applies in ``context`` (e.g. ``"with
    design='complete'"``); ``required`` that it must then be given. None, False and 0
    count as not given.

    Examples
    --------
    >>> require_relevant(None, name="blocks", used=False, context="with design='complete'")
    >>> require_relevant(
    ...     "district", name="blocks", used=False, context="with design='complete'",
    ...     fix="Pass design='block' to randomise within blocks.",
    ... )
    Traceback (most recent call last):
    ...
    ValueError: `blocks` does not apply with design='complete'; got 'district'. Drop it, ...
    """
    given = _is_given(value)
    if given and not used:
        raise ValueError(
            f"`{name}` does not apply {context}; got {_short(value)}. Drop it, or change "
            f"the option it depends on. {fix}".rstrip()
        )
    if required and not given:
        raise ValueError(f"`{name}` is required {context}; got {_short(value)}. {fix}".rstrip())


def require_exclusive(
    options: dict[str, Any], *, required: bool = False, fix: str = ""
) -> str | None:
    """Refuse more than one of ``options`` given (not None); with ``required``, none given.

    ``options`` maps each argument's name to its value. Returns the name of the one
    given (None when none is and that is allowed). ``ValueError`` otherwise, naming the
    arguments and the values passed.

    Examples
    --------
    >>> require_exclusive({"n": 5, "share": None}, required=True)
    'n'
    >>> require_exclusive({"n": 5, "share": 0.1})
    Traceback (most recent call last):
    ...
    ValueError: Give only one of `n`, `share`; got n=5, share=0.1.
    >>> require_exclusive({"n": None, "share": None}, required=True, fix="E.g. n=20.")
    Traceback (most recent call last):
    ...
    ValueError: Give one of `n`, `share`; got neither. E.g. n=20.
    """
    given = [name for name, value in options.items() if value is not None]
    if len(given) > 1 or (required and not given):
        names = ", ".join(f"`{name}`" for name in options)
        shown = ", ".join(f"{name}={_short(options[name], 40)}" for name in given)
        what = (
            f"Give only one of {names}; got {shown}."
            if given
            else (f"Give one of {names}; got neither.")
        )
        raise ValueError(f"{what} {fix}".rstrip())
    return given[0] if given else None


def require_given(value: Any, *, name: str, when: str, fix: str = "") -> Any:
    """Return ``value`` after checking it was given (not None) where ``when`` holds.

    For arguments that another argument makes necessary; ``when`` says which, and
    ``fix`` what to pass (``ValueError``).

    Examples
    --------
    >>> require_given(None, name="area", when="`edge_correction=True`", fix="Pass `area=`.")
    Traceback (most recent call last):
    ...
    ValueError: `area` is needed when `edge_correction=True`; got None. Pass `area=`.
    """
    if value is None:
        raise ValueError(f"`{name}` is needed when {when}; got None. {fix}".rstrip())
    return value


def require_module(module: str, *, feature: str, install: str) -> Any:
    """Import and return an optional dependency, or raise ``ImportError`` saying how to get it.

    ``feature`` names what needs it; ``install`` is the command that installs it.

    Examples
    --------
    >>> require_module("math", feature="`sqrt`", install="pip install math").sqrt(4.0)
    2.0
    >>> require_module("no_such_module", feature="`plot()`", install="pip install it")
    Traceback (most recent call last):
    ...
    ImportError: `plot()` needs no_such_module, which is not installed. Install it with ...
    """
    try:
        return __import__(module, fromlist=["__name__"])
    except ImportError as error:
        raise ImportError(
            f"{feature} needs {module.split('.')[0]}, which is not installed. "
            f"Install it with `{install}`."
        ) from error
