"""Checks for points given as an ``(n, 2)`` array of projected x/y with a named CRS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS

from hotspotlib._validation._arrays import require_numbers
from hotspotlib._validation._common import require_weights
from hotspotlib._validation._coordinates import _bounds
from hotspotlib._validation._geometry import (
    _epsg_or_label,
    _require_crs_area,
    _require_metre_crs,
    require_crs,
)

_FIX_ARRAY_CRS = (
    "Project the coordinates to a CRS in metres first (e.g. with "
    "`pyproj.Transformer.from_crs(crs, 27700, always_xy=True)` in Great Britain) and "
    "pass that CRS, or pass a GeoDataFrame."
)


@dataclass(frozen=True)
class Located:
    """A CRS standing for a layer, so that the layer checks can compare it."""

    crs: CRS


def require_xy(
    values: Any, *, crs: Any, name: str = "events"
) -> tuple[NDArray[np.float64], Located]:
    """Validate ``(n, 2)`` projected x/y coordinates and their CRS; return both.

    Checks: numbers, shape ``(n, 2)`` with ``n >= 1``, every coordinate finite (the
    message counts the bad rows), ``crs`` given and projected in metres (not Web
    Mercator), and coordinates that fit the CRS's area of use, as
    :func:`require_points` checks a layer.

    Returns
    -------
    tuple
        The coordinates as a C-contiguous float64 ``(n, 2)`` array, and the CRS wrapped
        in an object with a ``crs`` attribute (for :func:`require_same_crs`).

    Examples
    --------
    >>> xy, where = require_xy([[530_000, 180_000], [530_100, 180_200]], crs=27700)
    >>> xy.shape, where.crs.to_epsg()
    ((2, 2), 27700)
    >>> require_xy([[530_000, float("nan")]], crs=27700)
    Traceback (most recent call last):
    ...
    ValueError: `events` has 1 rows with NaN or infinite coordinates out of 1; drop them first.
    """
    fix = "Pass one (x, y) row per event, e.g. `numpy.column_stack([x, y])`."
    xy = np.ascontiguousarray(require_numbers(values, name=name, fix=fix))
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) == 0:
        raise ValueError(
            f"`{name}` as an array must have shape (n, 2) with n >= 1 (x and y in metres, "
            f"one row per event); got shape {xy.shape}. {fix}"
        )
    bad = ~(np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1]))
    if bad.any():
        raise ValueError(
            f"`{name}` has {int(bad.sum())} rows with NaN or infinite coordinates out of "
            f"{len(xy)}; drop them first."
        )
    if crs is None:
        raise ValueError(
            f"`crs` is required with `{name}` as an (n, 2) array: name the projected CRS "
            "(metres) the coordinates are in, e.g. `crs=27700` for British National Grid, "
            "or pass a GeoDataFrame, which carries its CRS."
        )
    where = Located(require_crs(crs, name="crs"))
    facts = _require_metre_crs(where, name="crs", fix=_FIX_ARRAY_CRS)
    target = _epsg_or_label(facts)
    _require_crs_area(
        _bounds(xy), facts, name=name,
        relabel=f"`pyproj.Transformer.from_crs(4326, {target}, always_xy=True).transform(x, y)`",
    )  # fmt: skip
    return xy, where


def require_xy_weights(
    weights: Any, n: int, *, name: str = "weights"
) -> NDArray[np.float64] | None:
    """Resolve ``weights`` for ``n`` points given as an array: one number per row, or None.

    A column name is refused: an array has no columns. Otherwise as
    :func:`require_weights` (finite, >= 0, not all zero).

    Examples
    --------
    >>> require_xy_weights([1, 3], 2)
    array([1., 3.])
    >>> require_xy_weights("harm", 2)
    Traceback (most recent call last):
    ...
    TypeError: `weights` is a column name ('harm'), but the events are an array ...
    """
    if isinstance(weights, str):
        raise TypeError(
            f"`{name}` is a column name ({weights!r}), but the events are an array with no "
            f"columns. Pass one weight per row, e.g. `{name}=frame[{weights!r}].to_numpy()`, "
            "or pass the events as a GeoDataFrame."
        )
    return require_weights(pd.DataFrame(index=pd.RangeIndex(n)), weights, name=name)
