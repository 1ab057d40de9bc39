"""Read-only containers for results: arrays and parameter mappings that refuse edits.

Results are frozen dataclasses, but a frozen dataclass still hands out its arrays and
dicts, which callers could change in place. These helpers make that impossible while
keeping results picklable.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["FrozenResult", "ReadOnlyDict", "frozen_mapping", "read_only"]


def read_only(array: NDArray[Any]) -> NDArray[Any]:
    """Return a read-only copy of ``array`` whose flag cannot be switched back on.

    numpy lets ``flags.writeable`` be set back to True on an array that owns its memory,
    or on a view of a writable array; it refuses for a view of a locked array. So the
    data are copied into a new owner, the owner is locked, and a locked view of it is
    returned.

    Examples
    --------
    >>> locked = read_only(np.arange(3))
    >>> locked.flags.writeable
    False
    """
    owner = np.array(array, copy=True)
    owner.flags.writeable = False
    view = owner.view()
    view.flags.writeable = False
    return view


class ReadOnlyDict(dict[str, Any]):
    """A dict that refuses changes (result parameters, details), yet pickles like a dict.

    Examples
    --------
    >>> params = ReadOnlyDict({"alpha": 0.05})
    >>> params["alpha"]
    0.05
    >>> params["alpha"] = 0.1
    Traceback (most recent call last):
    ...
    TypeError: Result parameters are read-only; copy them with dict(...) to edit.
    """

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("Result parameters are read-only; copy them with dict(...) to edit.")

    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = _refuse  # type: ignore[assignment]
    __ior__ = _refuse  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        # rebuilt through frozen_mapping: arrays inside come back read-only
        return (frozen_mapping, (dict(self),))

    def __copy__(self) -> ReadOnlyDict:
        return ReadOnlyDict(self)

    def __deepcopy__(self, memo: dict[int, Any]) -> ReadOnlyDict:
        return ReadOnlyDict(copy.deepcopy(dict(self), memo))


def frozen_mapping(data: Mapping[str, Any] | None = None) -> ReadOnlyDict:
    """Return a :class:`ReadOnlyDict` of ``data`` with every array in it made read-only.

    Examples
    --------
    >>> details = frozen_mapping({"sd_m": np.array([1.0, 2.0])})
    >>> details["sd_m"].flags.writeable
    False
    """
    return ReadOnlyDict({k: lock(v) for k, v in (data or {}).items()})


def _is_locked(array: NDArray[Any]) -> bool:
    """Whether ``array`` is read-only for good: a locked view of a locked owner."""
    base = array.base
    return (
        not array.flags.writeable
        and isinstance(base, np.ndarray)
        and base.base is None
        and not base.flags.writeable
    )


def lock(value: Any) -> Any:
    """Return ``value`` made read-only: arrays locked, mappings frozen; others as they are.

    An array that is already locked for good is returned as it is (no copy).

    Examples
    --------
    >>> lock({"n": np.zeros(2)})["n"].flags.writeable
    False
    """
    if isinstance(value, np.ndarray):
        return value if _is_locked(value) else read_only(value)
    if isinstance(value, Mapping):
        return frozen_mapping(value)
    return value


def _rebuild(cls: type, state: dict[str, Any]) -> Any:
    """Unpickle a :class:`FrozenResult`: set its fields, locking arrays and mappings."""
    result: Any = object.__new__(cls)
    for name, value in state.items():
        object.__setattr__(result, name, lock(value))
    return result


class FrozenResult:
    """Base of the frozen result dataclasses: arrays and mappings stay read-only.

    On construction every ndarray field is locked (see :func:`read_only`) and every
    mapping field becomes a :class:`ReadOnlyDict`. numpy arrays lose their read-only
    flag when pickled, and ``copy``/``pickle`` bypass ``__init__``, so results pickle
    through :func:`_rebuild`, which locks them again.

    Examples
    --------
    >>> import pickle
    >>> import hotspotlib as hs
    >>> pooled = hs.meta_analysis([0.1, 0.3], variances=[0.01, 0.02], method="fixed")
    >>> again = pickle.loads(pickle.dumps(pooled))
    >>> again.effects.flags.writeable
    False
    """

    __slots__ = ()

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            locked = lock(value)
            if locked is not value:
                object.__setattr__(self, item.name, locked)

    def __reduce__(self) -> tuple[Any, ...]:
        state = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), state))
