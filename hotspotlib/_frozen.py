"""Read-only containers for results: arrays and parameter mappings that refuse edits.

Results are frozen dataclasses, but a frozen dataclass still hands out its arrays and
dicts, which callers could change in place. These helpers make that impossible while
keeping results picklable.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["ReadOnlyDict", "frozen_mapping", "read_only"]


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
        return (ReadOnlyDict, (dict(self),))

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
    return ReadOnlyDict(
        {k: read_only(v) if isinstance(v, np.ndarray) else v for k, v in (data or {}).items()}
    )
