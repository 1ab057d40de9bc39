"""Read-only containers for results: arrays and parameter mappings that refuse edits.

Results are frozen dataclasses, but a frozen dataclass still hands out its arrays and
dicts, which callers could change in place. These helpers make that impossible while
keeping results picklable.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._equality import fields_equal
from hotspotlib._map_docs import fill_map_docs
from hotspotlib._summary import Summary

__all__ = ["FrozenResult", "ReadOnlyDict", "frozen_mapping", "lock_in_place", "read_only"]


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


_REPR_WIDTH = 150
_REPR_TEXT = 40  # longest string field shown in a repr
_REPR_ITEMS = 4  # a numeric 1-D array this short is shown by its values


def _short(value: Any) -> str | None:
    """Return a few characters standing for ``value`` in a one-line repr, or None.

    Numbers, booleans, short strings and numeric 1-D arrays, tuples and lists of up to
    four values are shown; other arrays, sequences and tables only by their size, nested
    results by their class name; mappings, long text and the rest not at all.
    """
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, str):
        return repr(value) if len(value) <= _REPR_TEXT and "\n" not in value else None
    if isinstance(value, pd.Timestamp):
        return f"'{value}'"
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return _short(value.item())
        if value.ndim == 1 and value.size <= _REPR_ITEMS and value.dtype.kind in "biuf":
            return f"[{', '.join(_short(item) or '?' for item in value.tolist())}]"
        return f"array(shape={'x'.join(str(n) for n in value.shape)})"
    if isinstance(value, pd.DataFrame):
        return f"frame({value.shape[0]}x{value.shape[1]})"
    if isinstance(value, pd.Series | pd.Index):
        return f"{type(value).__name__.lower()}({len(value)})"
    if isinstance(value, FrozenResult):
        return type(value).__name__
    if isinstance(value, tuple | list) and not any(isinstance(v, str) for v in value):
        if len(value) <= _REPR_ITEMS and all(isinstance(v, int | float) for v in value):
            return _short(np.array(value))  # by value, as a short array is
        return f"{type(value).__name__}({len(value)})"  # "[2]" would read as the value 2
    return None


class FrozenResult:
    """Base of the frozen result dataclasses: arrays and mappings stay read-only.

    On construction every ndarray field is locked (see :func:`read_only`) and every
    mapping field becomes a :class:`ReadOnlyDict`. numpy arrays lose their read-only
    flag when pickled, and ``copy``/``pickle`` bypass ``__init__``, so results pickle
    through :func:`_rebuild`, which locks them again.

    Every result carries ``parameters`` (every input and automatic choice), ``counts``
    (what was used, dropped and why) and ``notes`` (plain-English caveats), as fields or
    properties. :meth:`summary` is built from those three, the class's ``_title`` and the
    one table its ``_summary_table`` returns; results do not write their own.

    Results display themselves in one short line (``repr``: the class name, numbers
    and short text, and only the shape of arrays and tables) and, in notebooks, as their
    :meth:`summary` rendered in HTML, with a small map beside it when the result has
    geometry (see :mod:`hotspotlib._repr_map`). A subclass names its key figures (fields or
    properties) in ``_repr_fields`` to show those first; the dataclass decorator must
    then be given ``repr=False`` so that it does not write its own repr. The docstrings
    of a subclass's ``plot`` and ``explore`` may name the map options shared by every
    map, such as ``{map_classes}`` on a line of its own (see :mod:`hotspotlib._map_docs`).

    Results compare by value: two results are equal when they are of one class and every
    field is equal, tables and series by ``.equals`` (values, dtypes, index, columns,
    and CRS for geometry), arrays by shape, dtype and elements, mappings, tuples, lists
    and nested results item by item (see :func:`hotspotlib._equality.values_equal`).
    NaN, NaT and None equal themselves there, so two identical runs compare equal even
    where a figure is NaN. Fields declared with ``compare=False`` (caches) are skipped.
    Because their contents are tables and arrays, results are not hashable: they cannot
    be set members or dict keys. Each result class gives its dataclass decorator
    ``eq=False`` so that it keeps this comparison instead of writing its own.

    Examples
    --------
    >>> import pickle
    >>> import hotspotlib as hs
    >>> pooled = hs.meta_analysis([0.1, 0.3], variances=[0.01, 0.02], method="fixed")
    >>> again = pickle.loads(pickle.dumps(pooled))
    >>> again.effects.flags.writeable
    False
    >>> again == pooled
    True
    """

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]  # equal by value, with table and array fields
    _repr_fields: ClassVar[tuple[str, ...]] = ()
    _title: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Fill the shared map entries into the class's ``plot``/``explore`` docstrings."""
        super().__init_subclass__(**kwargs)
        for name in ("plot", "explore"):
            method = cls.__dict__.get(name)
            if method is not None and method.__doc__:
                method.__doc__ = fill_map_docs(method.__doc__)

    def summary(self) -> Summary:
        """Summarise the result: parameters, counts, its main table and the notes.

        Returns
        -------
        Summary
            Prints as text; renders as HTML in notebooks and as Markdown with
            :meth:`Summary.to_markdown`.
        """
        return Summary(
            title=self._title or type(self).__name__,
            parameters=getattr(self, "parameters", {}),
            counts=getattr(self, "counts", {}),
            table=self._summary_table(),
            notes=tuple(getattr(self, "notes", ())),
        )

    def _summary_table(self) -> pd.DataFrame | None:
        """Return the one table a summary shows (None: parameters, counts and notes only)."""
        return None

    def __repr__(self) -> str:
        name = type(self).__name__
        shown = [f.name for f in dataclasses.fields(self) if f.repr]  # type: ignore[arg-type]
        order = [*self._repr_fields, *(n for n in shown if n not in self._repr_fields)]
        parts = []
        for key in order:
            try:
                text = _short(getattr(self, key))
            except Exception:  # a property that cannot be computed is left out
                text = None
            if text is not None:
                parts.append(f"{key.lstrip('_')}={text}")
        line = f"{name}({', '.join(parts)})"
        while len(line) > _REPR_WIDTH and parts:
            parts.pop()
            line = f"{name}({', '.join([*parts, '...'])})"
        return line

    def _repr_html_(self) -> str:
        from hotspotlib._repr_map import with_map

        return with_map(self, str(self.summary()._repr_html_()))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FrozenResult):
            return NotImplemented
        return fields_equal(self, other)

    def __post_init__(self) -> None:
        for item in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, item.name)
            locked = lock(value)
            if locked is not value:
                object.__setattr__(self, item.name, locked)

    def __reduce__(self) -> tuple[Any, ...]:
        state = {item.name: getattr(self, item.name) for item in dataclasses.fields(self)}  # type: ignore[arg-type]
        return (_rebuild, (type(self), state))


def lock_in_place(array: NDArray[Any]) -> NDArray[Any]:
    """Lock an array nothing else refers to without copying it (a large fresh result).

    :class:`FrozenResult` copies every array it locks; an array built inside the
    function that returns it, and held by nothing else, can be locked where it is. Its
    owner (the array, or the array it is a view of) is locked too, so give only arrays
    whose owner no caller can reach.

    Examples
    --------
    >>> locked = lock_in_place(np.arange(3.0))
    >>> locked.flags.writeable, lock(locked) is locked
    (False, True)
    """
    owner = array if array.base is None else array.base
    if not isinstance(owner, np.ndarray) or owner.base is not None:
        return array  # not a plain owner or a view of one: FrozenResult copies it
    owner.flags.writeable = False
    view = array.view()
    view.flags.writeable = False
    return view
