"""Resolve the units of a Getis-Ord analysis (areas, points, grid cells) and their values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    require_columns,
    require_finite,
    require_nonempty,
    require_projected_crs,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["Units", "resolve_units"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Units(FrozenResult):
    """The units analysed: geometry (index aligned with the input), values and grid."""

    geometry: gpd.GeoSeries
    values: NDArray[np.float64]
    value_name: str
    grid: Grid | None
    is_points: bool

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.values.size)

    @property
    def index(self) -> pd.Index:
        """Index of the units (that of the input frame or cells)."""
        return self.geometry.index

    def centroids(self) -> NDArray[np.float64]:
        """Return the ``(n, 2)`` centres (points, polygon centroids or cell centres)."""
        if self.grid is not None:
            return self.grid.centroids()
        require_projected_crs(self.geometry, name="units")
        geoms = self.geometry.to_numpy()
        centres = geoms if self.is_points else shapely.centroid(geoms)
        return np.column_stack([shapely.get_x(centres), shapely.get_y(centres)])


def resolve_units(units: Any, value: Any) -> Units:
    """Check ``units`` and ``value`` and return them as :class:`Units`.

    ``units`` is a GeoDataFrame of points or polygons, an :class:`EventCounts` or a
    :class:`Grid`. ``value`` is a column name, an array with one value per unit (a Series
    is matched to the units by index label), or for an :class:`EventCounts`
    ``"count"``/``"weight_sum"``/None (weighted sum when the counts have weights, else
    the count).
    """
    if isinstance(units, EventCounts):
        geometry = units.cells.geometry
        grid = units.grid
        if value is None:
            value = "weight_sum" if units.weight_sum is not None else "count"
        if isinstance(value, str):
            if value == "count":
                raw: Any = units.count
            elif value == "weight_sum" and units.weight_sum is not None:
                raw = units.weight_sum
            else:
                have = "'count' or 'weight_sum'" if units.weight_sum is not None else "'count'"
                raise ValueError(
                    f"`value` for event counts must be {have} or an array; got {value!r}."
                )
            name = value
        else:
            raw, name = value, "value"
    elif isinstance(units, Grid):
        geometry, grid = units.cells.geometry, units
        if value is None or isinstance(value, str):
            raise ValueError(
                "`value` must be an array with one value per grid cell when `units` is a "
                f"Grid; got {value!r}. Or pass `count_events(events, grid)` as `units`."
            )
        raw, name = value, "value"
    elif isinstance(units, gpd.GeoDataFrame):
        require_nonempty(units, name="units")
        geometry, grid = units.geometry, None
        if value is None:
            raise ValueError(
                "`value` is needed: the name of a numeric column of `units` (e.g. "
                "`value='count'`) or an array with one value per row; got None."
            )
        if isinstance(value, str):
            require_columns(units, [value], name="units")
            column = units[value]
            if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
                raise TypeError(f"`value` column {value!r} must be numeric; it is {column.dtype}.")
            raw, name = column.to_numpy(dtype=float, na_value=np.nan), value
        else:
            raw, name = value, "value"
    else:
        raise TypeError(
            "`units` must be a GeoDataFrame of points or polygons, the result of "
            f"`count_events`, or a Grid; got {type(units).__name__}."
        )
    if isinstance(raw, pd.Series):
        raw = _aligned(raw, geometry.index)
    values = require_finite(raw, name="value")
    if values.shape != (len(geometry),):
        raise ValueError(
            f"`value` must have one entry per unit ({len(geometry)}); got shape {values.shape}."
        )
    # grid cells are squares or hexagons by construction
    is_points = False if grid is not None else _check_geometry(geometry)
    return Units(geometry=geometry, values=values, value_name=name, grid=grid, is_points=is_points)


def _aligned(series: pd.Series, index: pd.Index) -> pd.Series:
    """Match a Series to the units by label, refusing labels that do not name them."""
    if series.index.equals(index):
        return series
    labels = series.index
    if not (labels.is_unique and len(labels) == len(index) and index.isin(labels).all()):
        raise ValueError(
            f"`value` is a Series whose index labels are not those of the units (e.g. "
            f"{list(index[:3])} vs {list(labels[:3])}); reindex it to the units, or pass "
            "`.to_numpy()` to use it by position."
        )
    return series.reindex(index)


def _check_geometry(geometry: gpd.GeoSeries) -> bool:
    missing = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if missing.any():
        raise ValueError(
            f"`units` has {int(missing.sum())} missing or empty geometries out of "
            f"{len(geometry)}; drop them first."
        )
    kinds = set(geometry.geom_type.unique())
    if kinds == {"Point"}:
        return True
    if kinds <= {"Polygon", "MultiPolygon"}:
        return False
    raise ValueError(
        "`units` must be all points or all polygons; got "
        f"{', '.join(sorted(kinds))}. Split the layer or use `.centroid`."
    )
