"""Coercion of per-place values (counts, scores) shared by the metrics modules."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import require_array
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["as_counts", "as_share"]


def as_counts(counts: Any, *, name: str = "counts", integer: bool = False) -> NDArray[np.float64]:
    """Return per-place counts as a 1-D float array: finite, non-negative, not all zero.

    Accepts an :class:`~hotspotlib.hotspots.grid.counts.EventCounts` (its ``count``), a pandas
    Series or any 1-D array-like. ``integer=True`` also requires whole numbers.
    """
    raw: Any = counts.count if isinstance(counts, EventCounts) else counts
    if isinstance(raw, pd.Series):
        raw = raw.to_numpy(dtype=float)
    fix = (
        "Pass event counts (whole numbers) for the generalised Gini, or use "
        "`generalized=False` for weighted sums such as harm."
        if integer
        else "Pass one value per place (an array, a Series or one column, e.g. "
        "`frame['count']`), counts >= 0; concentration needs several places to compare."
    )
    values = require_array(raw, name=name, min_length=2, low=0, whole=integer, fix=fix)
    if not (values > 0).any():
        raise ValueError(f"`{name}` are all zero; concentration is undefined without events.")
    return values


def as_share(value: Any, *, name: str) -> NDArray[np.float64]:
    """Return one or more shares in (0, 1] as a 1-D float array."""
    return require_array(
        value, name=name, low=0, low_open=True, high=1, fix="Give shares, e.g. 0.05 for 5%."
    )
