"""Coercion of per-place values (counts, scores) shared by the metrics modules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import require_finite, require_numbers
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["as_counts", "as_share"]


def as_counts(counts: Any, *, name: str = "counts", integer: bool = False) -> NDArray[np.float64]:
    """Return per-place counts as a 1-D float array: finite, non-negative, not all zero.

    Accepts an :class:`~hotspotlib.hotspots.grid.counts.EventCounts` (its ``count``), a pandas
    Series or any 1-D array-like. ``integer=True`` also requires whole numbers.
    """
    if isinstance(counts, EventCounts):
        raw: Any = counts.count
    elif isinstance(counts, pd.DataFrame):
        raise TypeError(
            f"`{name}` must be one value per place (an array or Series); got a DataFrame. "
            f"Pass one column, e.g. `frame['count']`."
        )
    elif isinstance(counts, pd.Series):
        raw = counts.to_numpy(dtype=float)
    else:
        raw = counts
    if isinstance(raw, (str, bytes)) or np.ndim(raw) != 1:
        raise ValueError(
            f"`{name}` must be a 1-D array with one value per place; got shape {np.shape(raw)}."
        )
    values = require_finite(raw, name=name)
    if values.size < 2:
        raise ValueError(
            f"`{name}` must hold at least 2 places; got {values.size}. "
            "Concentration needs several places to compare."
        )
    if (values < 0).any():
        raise ValueError(
            f"`{name}` has {int((values < 0).sum())} negative values (min {values.min():g}); "
            "counts must be >= 0."
        )
    if not (values > 0).any():
        raise ValueError(f"`{name}` are all zero; concentration is undefined without events.")
    if integer and not np.array_equal(values, np.round(values)):
        raise ValueError(
            f"`{name}` must be whole numbers (event counts) for the generalised Gini, which "
            "compares the number of places with the number of events; got fractional values. "
            "Use `generalized=False` for weighted sums such as harm."
        )
    return values


def as_share(value: Any, *, name: str, allow_zero: bool = False) -> NDArray[np.float64]:
    """Return one or more shares in (0, 1] (or [0, 1]) as a 1-D float array."""
    array = np.atleast_1d(require_numbers(value, name=name))
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"`{name}` must be a number or a 1-D sequence of numbers; got {value!r}.")
    low_ok = array >= 0 if allow_zero else array > 0
    if not (np.isfinite(array).all() and low_ok.all() and (array <= 1).all()):
        bound = "[0, 1]" if allow_zero else "(0, 1]"
        raise ValueError(f"`{name}` must be share(s) in {bound}, e.g. 0.05 for 5%; got {value!r}.")
    return array
