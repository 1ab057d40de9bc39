"""Regular square and hexagonal grids over a study area.

A :class:`Grid` knows its own arithmetic (origin, cell size, rows, columns), so events
are placed in cells by arithmetic rather than a spatial join, and array methods (kernel
density, Gi* neighbourhood sums) can work on the ``(n_rows, n_cols)`` raster directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, read_only
from hotspotlib._options import GridShape
from hotspotlib._summary import Summary
from hotspotlib._validation import (
    check_option,
    require_grid_size,
    require_nonempty,
    require_positive,
    require_projected_crs,
)
from hotspotlib.hotspots.grid._cell_geometry import (
    cell_polygons,
    centres,
    locate_hex,
    locate_square,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Grid", "make_grid"]

_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class Grid(FrozenResult):
    """A regular grid of square or hexagonal cells in a projected CRS.

    Cells are numbered ``cell_id = row * n_cols + col`` on the full lattice, so ids are
    stable whether or not cells outside the area were clipped away. Row 0 is the
    southernmost row and column 0 the westernmost.

    For square grids ``cell_size_m`` is the side of a cell. For hexagonal grids (pointy
    top, odd rows shifted east by half a cell) it is the distance between the centres of
    neighbouring cells, which is also the flat-to-flat width of a hexagon; a hexagon's
    area is ``sqrt(3) / 2 * cell_size_m ** 2``.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        One row per cell, indexed by ``cell_id``, with ``row``, ``col``, ``area_share``
        (the share of the cell inside the study area, 1 when not clipped) and geometry.
    cell_shape : {"square", "hex"}
        Cell shape.
    cell_size_m : float
        Cell size in metres (see above).
    origin_x, origin_y : float
        Centre of cell (row 0, col 0).
    n_rows, n_cols : int
        Size of the full lattice, including clipped cells.
    """

    cells: gpd.GeoDataFrame
    cell_shape: GridShape
    cell_size_m: float
    origin_x: float
    origin_y: float
    n_rows: int
    n_cols: int
    lookup: NDArray[np.int64] = field(repr=False)

    @property
    def crs(self) -> Any:
        """The grid's CRS (that of the area it was built on)."""
        return self.cells.crs

    @property
    def n_cells(self) -> int:
        """Number of cells kept (after clipping)."""
        return len(self.cells)

    @property
    def cell_area_m2(self) -> float:
        """Area of one whole cell in square metres."""
        s = self.cell_size_m
        return s * s if self.cell_shape == "square" else _SQRT3 / 2.0 * s * s

    def centroids(self) -> NDArray[np.float64]:
        """Return the ``(n_cells, 2)`` array of cell centres."""
        return centres(self, self.cells["row"].to_numpy(), self.cells["col"].to_numpy())

    def locate(self, xy: ArrayLike) -> NDArray[np.int64]:
        """Return the position (0 .. n_cells - 1) of the cell holding each point, -1 outside.

        The edge rule (the same in :func:`~hotspotlib.hotspots.count_events` for grids and
        for polygons): a point on an edge or corner belongs to the cell that holds the
        points just north-east of it, so square cells are half-open,
        ``[x0, x1) x [y0, y1)``. Where no kept cell lies there (the north and east edges
        of the grid, or of cells clipped away), it belongs to the first kept cell whose
        closed outline holds it. Every point of the grid's bounding box is thus counted
        once. A point within a billionth of a cell of a square cell's edge counts as on
        it, so corners computed from the origin and the cell size (any size, whole or
        not) land where the outlines in ``cells`` put them; hexagonal cells settle the
        points next to an edge on those outlines.

        Examples
        --------
        >>> import geopandas as gpd
        >>> from shapely.geometry import box
        >>> area = gpd.GeoSeries([box(0, 0, 300, 200)], crs=27700)
        >>> grid = make_grid(area, cell_size_m=100)
        >>> grid.locate([[50, 50], [100, 100], [300, 200], [0, 0], [999, 0]]).tolist()
        [0, 4, 5, 0, -1]
        """
        points = np.asarray(xy, dtype=float).reshape(-1, 2)
        if self.cell_shape == "hex":
            return locate_hex(self, points)
        return locate_square(self, points)

    def _position(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.int64]:
        inside = (rows >= 0) & (rows < self.n_rows) & (cols >= 0) & (cols < self.n_cols)
        position = np.full(len(rows), -1, dtype=np.int64)
        position[inside] = self.lookup[rows[inside] * self.n_cols + cols[inside]]
        return position

    def to_array(self, values: ArrayLike, *, fill: float = np.nan) -> NDArray[np.float64]:
        """Spread one value per cell onto the full ``(n_rows, n_cols)`` lattice.

        Clipped cells get ``fill``. Row 0 is the southernmost row (use
        ``origin="lower"`` with :func:`matplotlib.pyplot.imshow`).
        """
        flat = np.asarray(values, dtype=float)
        if flat.shape != (self.n_cells,):
            raise ValueError(
                f"`values` must have one value per cell ({self.n_cells}); got shape {flat.shape}."
            )
        raster = np.full((self.n_rows, self.n_cols), fill, dtype=float)
        raster[self.cells["row"].to_numpy(), self.cells["col"].to_numpy()] = flat
        return raster

    def from_array(self, raster: ArrayLike) -> NDArray[np.float64]:
        """Read one value per kept cell from a full ``(n_rows, n_cols)`` array."""
        array = np.asarray(raster, dtype=float)
        if array.shape != (self.n_rows, self.n_cols):
            raise ValueError(
                f"`raster` must have shape {(self.n_rows, self.n_cols)}; got {array.shape}."
            )
        return array[self.cells["row"].to_numpy(), self.cells["col"].to_numpy()]

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells as a GeoDataFrame (a copy)."""
        return self.cells.copy()

    def summary(self) -> Summary:
        """Summarise the grid's size and conventions."""
        return Summary(
            title=f"{self.cell_shape.capitalize()} grid",
            parameters={
                "cell_size_m": self.cell_size_m,
                "cell_area_m2": self.cell_area_m2,
                "n_cells": self.n_cells,
                "lattice": f"{self.n_rows} rows x {self.n_cols} cols",
                "crs": self.crs.to_string() if self.crs is not None else None,
            },
            notes=["cell_id = row * n_cols + col on the full lattice; row 0 is southernmost."],
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the cell outlines."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax)
        kwargs.setdefault("facecolor", "none")
        kwargs.setdefault("edgecolor", "0.6")
        kwargs.setdefault("linewidth", 0.3)
        self.cells.plot(ax=axes, **kwargs)
        axes.set_aspect("equal")
        return axes


def make_grid(
    area: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    cell_size_m: float,
    cell_shape: GridShape = "square",
    clip: bool = True,
    max_cells: int = 10_000_000,
) -> Grid:
    """Build a regular grid of square or hexagonal cells covering an area.

    Parameters
    ----------
    area : GeoDataFrame or GeoSeries
        Polygons of the study area (the grid covers their union), or points (the grid
        covers their bounding box). Needs a projected CRS in metres.
    cell_size_m : float
        Side of a square cell, or centre-to-centre distance of hexagons, in metres.
    cell_shape : {"square", "hex"}
        Cell shape.
    clip : bool
        With polygons, drop cells that do not intersect the area. Kept cells stay whole
        (every cell has the same area); ``area_share`` says how much of each is inside.
    max_cells : int
        Refuse, before allocating, a lattice with more cells than this.

    Returns
    -------
    Grid
        The grid; ``grid.cells`` is a GeoDataFrame in the area's CRS.

    Raises
    ------
    ValueError
        For a geographic or missing CRS, an empty area, a non-positive cell size, an
        unknown cell shape, or a lattice over ``max_cells``.

    Notes
    -----
    Square cells are aligned to multiples of ``cell_size_m`` in the CRS, so grids built
    over different areas with the same cell size line up cell for cell.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> boundary = gpd.GeoSeries([Point(500, 500).buffer(500)], crs=27700)
    >>> grid = make_grid(boundary, cell_size_m=100)
    >>> grid.n_rows, grid.n_cols, grid.n_cells
    (10, 10, 88)
    >>> make_grid(boundary, cell_size_m=100, cell_shape="hex").n_cells > 0
    True
    """
    check_option(cell_shape, GridShape, name="cell_shape")
    size = require_positive(cell_size_m, name="cell_size_m")
    if not isinstance(area, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(f"`area` must be a GeoDataFrame or GeoSeries; got {type(area).__name__}.")
    require_nonempty(area, name="area")
    require_projected_crs(area, name="area")
    geom = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
    geom = geom[~(geom.isna() | geom.is_empty)]
    if len(geom) == 0:
        raise ValueError("`area` has only missing or empty geometries; pass real shapes.")
    xmin, ymin, xmax, ymax = (float(v) for v in geom.total_bounds)
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        raise ValueError("`area` has NaN or infinite coordinates; drop those geometries.")
    polygonal = bool(geom.geom_type.isin(["Polygon", "MultiPolygon"]).all())

    if cell_shape == "square":
        x0 = math.floor(xmin / size) * size + size / 2
        y0 = math.floor(ymin / size) * size + size / 2
        # Points on the far edge must fall inside; a polygon's far edge need not.
        span = (
            (lambda extent: max(1, math.ceil(extent / size)))
            if polygonal
            else (lambda extent: math.floor(extent / size) + 1)
        )
        n_cols = int(span(xmax - (x0 - size / 2)))
        n_rows = int(span(ymax - (y0 - size / 2)))
    else:
        dy = size * _SQRT3 / 2
        x0, y0 = xmin, ymin
        n_cols = int(math.ceil((xmax - xmin) / size)) + 2
        n_rows = int(math.ceil((ymax - ymin) / dy)) + 2
    require_grid_size(n_rows * n_cols, max_cells=max_cells)

    rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    draft = Grid(
        cells=gpd.GeoDataFrame(),
        cell_shape=cell_shape,
        cell_size_m=size,
        origin_x=x0,
        origin_y=y0,
        n_rows=n_rows,
        n_cols=n_cols,
        lookup=np.empty(0, dtype=np.int64),
    )
    polygons = cell_polygons(draft, rows, cols)
    area_share = np.ones(len(polygons))
    if clip and polygonal:
        union = shapely.union_all(geom.to_numpy())
        shapely.prepare(union)
        keep = shapely.intersects(union, polygons) & ~shapely.touches(union, polygons)
        inside = shapely.contains_properly(union, polygons)
        rows, cols, polygons, inside = rows[keep], cols[keep], polygons[keep], inside[keep]
        area_share = np.ones(len(polygons))
        edge = ~inside
        area_share[edge] = shapely.area(shapely.intersection(polygons[edge], union)) / (
            draft.cell_area_m2
        )
        if len(polygons) == 0:
            raise ValueError("No cell intersects `area`; check its geometry.")
    ids = rows * n_cols + cols
    lookup = np.full(n_rows * n_cols, -1, dtype=np.int64)
    lookup[ids] = np.arange(len(ids))
    cells = gpd.GeoDataFrame(
        {"row": rows, "col": cols, "area_share": area_share},
        geometry=polygons,
        crs=geom.crs,
        index=pd.Index(ids, name="cell_id"),
    )
    return Grid(
        cells=cells,
        cell_shape=cell_shape,
        cell_size_m=size,
        origin_x=x0,
        origin_y=y0,
        n_rows=n_rows,
        n_cols=n_cols,
        lookup=read_only(lookup),
    )
