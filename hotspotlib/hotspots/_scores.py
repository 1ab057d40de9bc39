"""Scores to rank or tier: taken from a CrimeRates result, a table, a Series or numbers.

One resolver for :func:`~hotspotlib.rank_places` and :func:`~hotspotlib.assign_tiers`,
so both accept the same inputs and name them the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import check_option, require_numbers
from hotspotlib.hotspots.rates_result import CrimeRates

__all__ = ["Scores", "aligned", "column_or_values", "resolve_scores"]


@dataclass(frozen=True)
class Scores:
    """Scores with the places they belong to (internal)."""

    values: NDArray[np.float64]
    index: pd.Index
    geometry: gpd.GeoSeries | None
    by: str
    rates: CrimeRates | None
    frame: pd.DataFrame | None


def aligned(given: Any, index: pd.Index | None, *, name: str) -> Any:
    """Match a Series to the places by label (a Series with other labels is refused)."""
    if not isinstance(given, pd.Series) or index is None or given.index.equals(index):
        return given
    if given.index.is_unique and index.is_unique and set(given.index) == set(index):
        return given.reindex(index)
    raise ValueError(
        f"`{name}` is a Series whose index labels are not the places' labels; reindex it "
        "to the places, or pass `.to_numpy()` to use it by position."
    )


def column_or_values(
    frame: pd.DataFrame | None,
    given: Any,
    *,
    name: str,
    n: int,
    index: pd.Index | None = None,
) -> NDArray[np.float64]:
    """Resolve ``given`` (a column of ``frame`` or one number per place) to an array."""
    if isinstance(given, str):
        if frame is None or given not in frame.columns:
            raise ValueError(
                f"`{name}` names column {given!r}, but the scores are not a table with that "
                "column. Pass one number per place instead, or a table that has it."
            )
        given = frame[given]
    given = aligned(given, index, name=name)
    values = require_numbers(given, name=name, fix="Pass a column name or one number per place.")
    if values.shape != (n,):
        raise ValueError(f"`{name}` must have one value per place ({n}); got shape {values.shape}.")
    if not np.isfinite(values).all():
        raise ValueError(
            f"`{name}` has {int((~np.isfinite(values)).sum())} NaN or infinite values; fill "
            "or drop those places first."
        )
    return values


def resolve_scores(scores: Any, by: str | None) -> Scores:
    """Return the scores to rank from a result, a (Geo)DataFrame, a Series or an array."""
    resolved = _resolve(scores, by)
    if not len(resolved.values):
        raise ValueError("`scores` is empty (0 places); pass at least one place.")
    return resolved


def _resolve(scores: Any, by: str | None) -> Scores:
    if isinstance(scores, CrimeRates):
        frame = scores.to_frame()
        options = [c for c in ("count", "harm", "rate", "harm_rate", "smoothed_rate") if c in frame]
        chosen = (
            by
            if by is not None
            else ("smoothed_rate" if scores.smoothed_rate is not None else "rate")
        )
        check_option(chosen, options, name="by")
        geometry = scores.geometry
        values = frame[chosen].to_numpy(dtype=float)
        return Scores(values, scores.index, geometry, chosen, scores, frame)
    if isinstance(scores, pd.DataFrame):
        if by is None:
            raise ValueError(
                "`by` is needed with a table of scores: name the column to rank, e.g. "
                f"by='rate'; the table has {', '.join(repr(c) for c in list(scores.columns)[:20])}."
            )
        if by not in scores.columns:
            raise ValueError(
                f"`by` names column {by!r}, which the scores do not have; they have "
                f"{', '.join(repr(c) for c in list(scores.columns)[:20])}."
            )
        values = column_or_values(scores, by, name="by", n=len(scores))
        geometry = scores.geometry if isinstance(scores, gpd.GeoDataFrame) else None
        return Scores(values, scores.index, geometry, by, None, scores)
    if isinstance(scores, str | bytes) or not hasattr(scores, "__len__"):
        raise TypeError(
            "`scores` must be a CrimeRates result, a DataFrame with a `by` column, a Series "
            f"or one number per place; got {type(scores).__name__}."
        )
    if by is not None:
        raise ValueError(
            f"`by` names a column, but the scores are a {type(scores).__name__}, not a table; "
            "drop `by`."
        )
    index = scores.index if isinstance(scores, pd.Series) else pd.RangeIndex(len(scores))
    name = (
        str(scores.name) if isinstance(scores, pd.Series) and scores.name is not None else "score"
    )
    values = column_or_values(None, scores, name="scores", n=len(index))
    return Scores(values, index, None, name, None, None)
