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

from hotspotlib._validation import (
    check_option,
    require_array,
    require_given,
    require_nonempty,
    require_numbers,
    require_per_row,
    require_relevant,
    require_subset,
)
from hotspotlib.hotspots.rates_result import CrimeRates

__all__ = ["Scores", "column_or_values", "per_place", "resolve_scores"]


@dataclass(frozen=True)
class Scores:
    """Scores with the places they belong to (internal)."""

    values: NDArray[np.float64]
    index: pd.Index
    geometry: gpd.GeoSeries | None
    by: str
    rates: CrimeRates | None
    frame: pd.DataFrame | None


def _listed(columns: pd.Index) -> str:
    return ", ".join(repr(c) for c in list(columns)[:20])


def per_place(
    frame: pd.DataFrame | None,
    given: Any,
    *,
    name: str,
    index: pd.Index,
    table: str = "the scores",
    what: str = "place",
    fix: str = "Pass a column name or one number per place.",
) -> NDArray[np.float64]:
    """Return ``given`` (a column of ``frame`` or one number per place) as numbers.

    A Series is matched to the places by label; NaN is kept (callers check it).
    ``table`` names ``frame`` and ``what`` one of its rows in messages; ``fix`` says
    what to pass.

    Examples
    --------
    >>> frame = pd.DataFrame({"crimes": [3, 4]}, index=["a", "b"])
    >>> per_place(frame, "crimes", name="count", index=frame.index).tolist()
    [3.0, 4.0]
    >>> per_place(frame, pd.Series({"b": 1, "a": 2}), name="count", index=frame.index).tolist()
    [2.0, 1.0]
    """
    if isinstance(given, str):
        table_frame = frame if frame is not None else pd.DataFrame(index=index)
        require_subset(
            [given],
            table_frame.columns,
            name=name,
            among=f"the columns of {table}",
            what="name",
            fix=f"Columns of {table}: {_listed(table_frame.columns) or 'none'}. {fix}",
        )
        given = table_frame[given]
    else:
        given = require_per_row(given, index, name=name, what=what)
    return require_numbers(given, name=name, fix=fix)


def column_or_values(
    frame: pd.DataFrame | None,
    given: Any,
    *,
    name: str,
    index: pd.Index,
    low: float | None = None,
    whole: bool = False,
    fix: str = "Pass a column name or one number per place.",
) -> NDArray[np.float64]:
    """Resolve ``given`` (a column of ``frame`` or one number per place) to finite numbers.

    ``low`` bounds every value from below, ``whole`` asks for whole numbers (counts) and
    ``fix`` says what to pass.

    Examples
    --------
    >>> column_or_values(None, [3, 0], name="count", index=pd.RangeIndex(2), low=0, whole=True)
    array([3., 0.])
    """
    values = per_place(frame, given, name=name, index=index, fix=fix)
    return require_array(
        values,
        name=name,
        length=len(index),
        min_length=0,
        low=low,
        whole=whole,
    )


def resolve_scores(scores: Any, by: str | None) -> Scores:
    """Return the scores to rank from a result, a (Geo)DataFrame, a Series or an array."""
    resolved = _resolve(scores, by)
    require_nonempty(resolved.values, name="scores", fix="pass at least one place.")
    return resolved


def _resolve(scores: Any, by: str | None) -> Scores:
    if isinstance(scores, CrimeRates):
        frame = scores.to_frame()
        options = [c for c in ("count", "harm", "rate", "harm_rate", "smoothed_rate") if c in frame]
        chosen = check_option(by if by is not None else scores._place_score, options, name="by")
        values = frame[chosen].to_numpy(dtype=float)
        return Scores(values, scores.index, scores.geometry, chosen, scores, frame)
    if isinstance(scores, pd.DataFrame):
        column = require_given(
            by,
            name="by",
            when="`scores` is a table",
            fix=f"Name the column to rank, e.g. by='rate'; it has {_listed(scores.columns)}.",
        )
        values = column_or_values(
            scores, column, name="by", index=scores.index, fix="Name the column of scores to rank."
        )
        geometry = scores.geometry if isinstance(scores, gpd.GeoDataFrame) else None
        return Scores(values, scores.index, geometry, column, None, scores)
    values = require_numbers(
        scores,
        name="scores",
        fix="Pass a CrimeRates result, a DataFrame with a `by` column, a Series or one "
        "number per place.",
    )
    values = require_array(values, name="scores", min_length=0)
    require_relevant(
        by,
        name="by",
        used=False,
        context=f"when `scores` is a {type(scores).__name__}, not a table",
        fix="`by` names a column of a table of scores.",
    )
    named = isinstance(scores, pd.Series)
    index = scores.index if named else pd.RangeIndex(len(values))
    label = str(scores.name) if named and scores.name is not None else "score"
    return Scores(values, index, None, label, None, None)
