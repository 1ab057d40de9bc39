"""Resolve the units of a Getis-Ord analysis (areas, points, grid cells) and their values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_finite,
    require_nonempty,
    require_numbers,
    require_per_row,
    require_points,
    require_projected_crs,
    require_type,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["Units", "grid_index", "resolve_units"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class Units(FrozenResult):
    """The units analysed: geometry (index aligned with the input), values and grid.

    On a grid ``shapes`` is None and the cell outlines are built only when
    :attr:`geometry` is read: ids, centres and the lattice serve the statistics.
    """

    shapes: gpd.GeoSeries | None
    values: NDArray[np.float64]
    value_name: str
    grid: Grid | None
    is_points: bool

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.values.size)

    @property
    def source(self) -> gpd.GeoSeries | Grid:
        """The geometry, or the grid whose cells are the units (outlines not built)."""
        # shapes is None only when the units are a grid
        return self.shapes if self.shapes is not None else cast(Grid, self.grid)

    @property
    def geometry(self) -> gpd.GeoSeries:
        """The units' geometry (a grid's cell outlines are built on first use, then kept)."""
        source = self.source
        return source.cells.geometry if isinstance(source, Grid) else source

    @property
    def index(self) -> pd.Index:
        """Index of the units (that of the input frame or cells)."""
        source = self.source
        return grid_index(source) if isinstance(source, Grid) else source.index

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
    require_type(
        units,
        (EventCounts, Grid, gpd.GeoDataFrame),
        name="units",
        expected="a GeoDataFrame of points or polygons, the result of `count_events`, or a Grid",
    )
    shapes: gpd.GeoSeries | None
    if isinstance(units, EventCounts):
        grid = units.grid  # on a whole grid, no outlines: as for a Grid below
        shapes = units.places.geometry if units.places is not None else None
        index = grid_index(grid) if shapes is None and grid is not None else units.cells.index
        raw, name = _counts_value(units, value)
    elif isinstance(units, Grid):
        # no outlines: the statistics need only the cell ids, centres and lattice
        shapes, grid = None, units
        index = grid_index(units)
        require_type(
            value,
            _ARRAYS,
            name="value",
            expected="an array with one value per grid cell when `units` is a Grid (or pass "
            "`count_events(events, grid)` as `units`)",
        )
        raw, name = value, "value"
    else:
        require_nonempty(units, name="units")
        shapes, grid = units.geometry, None
        index = shapes.index
        raw, name = _frame_value(units, value)
    aligned = require_per_row(raw, index, name="value", what="unit")
    values = require_finite(aligned, name="value")
    # grid cells are squares or hexagons by construction
    is_points = False if grid is not None or shapes is None else _check_geometry(shapes)
    return Units(shapes=shapes, values=values, value_name=name, grid=grid, is_points=is_points)


def grid_index(grid: Grid) -> pd.Index:
    """Return the index of ``grid.cells`` (``cell_id``) without building the outlines."""
    return pd.Index(grid.cell_ids, name="cell_id")


_ARRAYS = (np.ndarray, pd.Series, list, tuple)


def _counts_value(counts: EventCounts, value: Any) -> tuple[Any, str]:
    """Return the values of event counts: ``"count"``, ``"weight_sum"`` or an array."""
    if value is None:
        value = "weight_sum" if counts.weight_sum is not None else "count"
    if not isinstance(value, str):
        return value, "value"
    choices = ("count",) if counts.weight_sum is None else ("count", "weight_sum")
    check_option(value, choices, name="value")
    return (counts.count if value == "count" else counts.weight_sum), value


def _frame_value(units: gpd.GeoDataFrame, value: Any) -> tuple[Any, str]:
    """Return the values of a GeoDataFrame: the numeric column ``value``, or an array."""
    require_type(
        value,
        (str, *_ARRAYS),
        name="value",
        expected="the name of a numeric column of `units` (e.g. `value='count'`) or an "
        "array with one value per row",
    )
    if not isinstance(value, str):
        return value, "value"
    require_columns(units, [value], name="units")
    column = require_numbers(units[value], name=f"value column {value!r}")
    return column, value


def _check_geometry(geometry: gpd.GeoSeries) -> bool:
    """Return whether the units are points (all points) or polygons (all); else refuse."""
    kinds = set(geometry.geom_type.dropna().unique())
    if kinds == {"Point"}:
        require_points(geometry, name="units", projected=False)
        return True
    missing = geometry.isna().to_numpy() | geometry.is_empty.to_numpy()
    if missing.any() or not kinds <= {"Polygon", "MultiPolygon"}:
        raise ValueError(
            "`units` must be all points or all polygons, none missing or empty; got "
            f"{', '.join(sorted(kinds)) or 'no geometry types'} and {int(missing.sum())} missing "
            "or empty geometries. Drop those rows, split the layer, or use `.centroid`."
        )
    return False
