"""Joins of ids and time ranges that must match, and ids of one type."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation._dates import _examples
from hotspotlib._warnings import HotspotlibWarning


def _describe_keys(keys: Any) -> str:
    if isinstance(keys, str):  # the caller's own description, e.g. a bounding box
        return keys
    array = pd.Series(np.asarray(keys) if not isinstance(keys, pd.Series) else keys)
    if pd.api.types.is_datetime64_any_dtype(array):
        if not len(array):
            return f"no times (dtype {array.dtype})"
        return f"times from {array.min()} to {array.max()} (dtype {array.dtype})"
    kinds = sorted({type(v).__name__ for v in array.iloc[:1000]})
    types = ", ".join(kinds)
    return f"{array.nunique()} keys such as {_examples(array)} (dtype {array.dtype}: {types})"


def require_join(
    left_keys: Any,
    right_keys: Any,
    *,
    left: str,
    right: str,
    matched: NDArray[np.bool_] | None = None,
    what: str = "rows",
    share: float = 0.5,
) -> NDArray[np.bool_]:
    """Match ``left_keys`` against ``right_keys``; refuse an empty join, warn on big drops.

    Returns the boolean mask of the left rows that found a match (``matched`` when the
    caller has worked it out already, e.g. times inside a period whose start and end are
    ``right_keys``). Nothing matching is a ``ValueError`` that shows both sides (a few
    keys and their types, or the time ranges); more than ``share`` of the left rows
    unmatched is a :class:`~hotspotlib.HotspotlibWarning` with the counts (``share=1``
    never warns: used where most rows are expected to fall outside, such as events
    outside a trial period).

    Examples
    --------
    >>> require_join([1, 2, 2], [2, 3], left="events['place']", right="places").tolist()
    [False, True, True]
    """
    if matched is None:
        right_index = pd.Index(
            np.asarray(right_keys, dtype=object)
            if not isinstance(right_keys, pd.Index)
            else right_keys
        )
        matched = right_index.get_indexer_for(pd.Index(left_keys)) >= 0
    matched = np.asarray(matched, dtype=bool)
    n, n_matched = len(matched), int(matched.sum())
    if n and n_matched == 0:
        left_text, right_text = _describe_keys(left_keys), _describe_keys(right_keys)
        fix = "check that both sides describe the same places and period"
        if not isinstance(left_keys, str) and not isinstance(right_keys, str):
            texts = [
                any(isinstance(v, str) for v in pd.Series(keys).iloc[:1000])
                for keys in (left_keys, right_keys)
            ]
            if texts[0] != texts[1]:
                fix = "the ids are text on one side and numbers on the other; convert one side"
        raise ValueError(
            f"No {what} of `{left}` match `{right}` (0 of {n}): `{left}` has {left_text}; "
            f"`{right}` has {right_text}. {fix[0].upper() + fix[1:]}."
        )
    if n and (n - n_matched) > share * n:
        warnings.warn(
            f"{n - n_matched} of {n} {what} ({(n - n_matched) / n:.0%}) have a `{left}` "
            f"that matches nothing in `{right}` and are left out; `{left}` has "
            f"{_describe_keys(left_keys)}, `{right}` has {_describe_keys(right_keys)}.",
            HotspotlibWarning,
            stacklevel=3,
        )
    return matched


def require_id_type(values: Any, *, name: str) -> None:
    """Refuse an id column that mixes text and numbers (``1`` and ``"1"``).

    Mixed types would split one officer or place in two (``1 != "1"``); nothing is
    converted silently. The fix is one type, e.g. ``.astype(str)``.

    Examples
    --------
    >>> require_id_type(["A", "B"], name="officer")
    """
    series = pd.Series(values)
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return
    if isinstance(series.dtype, pd.StringDtype):
        return  # text by construction
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return  # every present value is text: nothing to compare one by one
    present = series.dropna()
    is_text = present.map(lambda v: isinstance(v, str)).astype(bool)
    if is_text.any() and not is_text.all():
        raise ValueError(
            f"`{name}` mixes text and numbers ({int(is_text.sum())} text ids such as "
            f"{_examples(present[is_text])}, {int((~is_text).sum())} others such as "
            f"{_examples(present[~is_text])}): 1 and '1' would count as two ids. "
            f"Give them one type, e.g. `.astype(str)`."
        )


def require_per_row(values: Any, rows: pd.Index, *, name: str, what: str = "row") -> Any:
    """Return ``values`` with one entry per row of ``rows``, in the rows' order.

    A Series whose index is not ``rows`` is matched to the rows by label and refused
    when its labels do not name them one to one; anything else (a list, an array) is
    taken by position and must have one entry per row. The entries are not converted.

    Examples
    --------
    >>> import pandas as pd
    >>> require_per_row(pd.Series([2.0, 1.0], index=["b", "a"]), pd.Index(["a", "b"]),
    ...                 name="value").tolist()
    [1.0, 2.0]
    >>> require_per_row([1.0], pd.Index(["a", "b"]), name="value", what="unit")
    Traceback (most recent call last):
    ...
    ValueError: `value` must have one entry per unit (2); got shape (1,).
    """
    if isinstance(values, pd.Series) and not values.index.equals(rows):
        labels = values.index
        if not (labels.is_unique and len(labels) == len(rows) and rows.isin(labels).all()):
            raise ValueError(
                f"`{name}` is a Series whose index labels are not those of the {what}s (e.g. "
                f"{list(rows[:3])} vs {list(labels[:3])}); reindex it to the {what}s, or pass "
                "`.to_numpy()` to use it by position."
            )
        return values.reindex(rows)
    if np.ndim(values) != 1 or len(values) != len(rows):
        raise ValueError(
            f"`{name}` must have one entry per {what} ({len(rows)}); got shape {np.shape(values)}."
        )
    return values


def require_known(
    values: Any, known: Any, *, name: str, known_name: str, what: str = "ids", fix: str = ""
) -> NDArray[np.intp]:
    """Return the position in ``known`` of every value; refuse values (or gaps) not there.

    Unlike :func:`require_join`, which refuses only a join that matches nothing, every
    value must be found: used where one unknown id (or a missing one) would be a
    silent wrong answer, such as a visit to a place that is not in the study.

    Examples
    --------
    >>> require_known([2, 1], [1, 2, 3], name="visits", known_name="places").tolist()
    [1, 0]
    >>> require_known([1, 7, None], [1, 2], name="schedule['place']", known_name="places")
    Traceback (most recent call last):
    ...
    ValueError: `schedule['place']` has 2 of 3 ids not in `places` (nor missing), ...
    """
    index = known if isinstance(known, pd.Index) else pd.Index(np.asarray(known, dtype=object))
    series = pd.Series(np.asarray(values, dtype=object))
    position = index.get_indexer_for(pd.Index(series))
    unknown = position < 0
    if unknown.any():
        shown = pd.unique(series[unknown])[:3].tolist()
        raise ValueError(
            f"`{name}` has {int(unknown.sum())} of {len(series)} {what} not in "
            f"`{known_name}` (nor missing), such as {shown}; "
            f"{fix or f'use only {what} that `{known_name}` has.'}"
        )
    return position
