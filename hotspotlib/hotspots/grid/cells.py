"""Regular square and hexagonal grids over a study area.

A :class:`Grid` knows its own arithmetic (origin, cell size, rows, columns), so events
are placed in cells by arithmetic rather than a spatial join, and array methods (kernel
density, Gi* neighbourhood sums) can work on the ``(n_rows, n_cols)`` raster directly.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, ReadOnlyDict, frozen_mapping, lock_in_place
from hotspotlib._map_docs import TILES
from hotspotlib._options import GridShape
from hotspotlib._validation import (
    require_numbers,
    require_shape,
)
from hotspotlib.hotspots.grid._cell_geometry import (
    cell_polygons,
    centres,
    locate_hex,
    locate_square,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["Grid", "grid_on_lattice"]

_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
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
        One row per kept cell, indexed by ``cell_id``, with ``row``, ``col``,
        ``area_share`` (the share of the cell inside the study area, 1 when not clipped)
        and geometry. The outlines are built the first time they are asked for.
    cell_shape : {"square", "hex"}
        Cell shape.
    cell_size_m : float
        Cell size in metres (see above).
    origin_x, origin_y : float
        Centre of cell (row 0, col 0).
    n_rows, n_cols : int
        Size of the full lattice, including clipped cells.
    crs : pyproj.CRS
        The CRS of the area the grid was built on.
    rows, cols : numpy.ndarray
        Lattice row and column of each kept cell, in ``cells`` order.
    area_share : numpy.ndarray
        Share of each kept cell inside the study area.

    See Also
    --------
    make_grid : Build one.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    """

    _title: ClassVar[str] = "Grid"

    cell_shape: GridShape
    cell_size_m: float
    origin_x: float
    origin_y: float
    n_rows: int
    n_cols: int
    crs: Any
    rows: NDArray[np.int64] = field(repr=False)
    cols: NDArray[np.int64] = field(repr=False)
    area_share: NDArray[np.float64] = field(repr=False)
    lookup: NDArray[np.int64] | None = field(repr=False)
    _outlines: list[gpd.GeoDataFrame] = field(default_factory=list, repr=False, compare=False)

    @property
    def cells(self) -> gpd.GeoDataFrame:
        """The kept cells as a GeoDataFrame indexed by ``cell_id`` (built once, then kept)."""
        if not self._outlines:
            self._outlines.append(
                cell_frame(self, cell_polygons(self, self.rows, self.cols), self.area_share)
            )
        return self._outlines[0]

    @property
    def n_cells(self) -> int:
        """Number of cells kept (after clipping)."""
        return len(self.rows)

    @property
    def cell_ids(self) -> NDArray[np.int64]:
        """``cell_id`` of each kept cell, in ``cells`` order."""
        return self.rows * self.n_cols + self.cols

    @property
    def cell_area_m2(self) -> float:
        """Area of one whole cell in square metres."""
        s = self.cell_size_m
        return s * s if self.cell_shape == "square" else _SQRT3 / 2.0 * s * s

    @property
    def parameters(self) -> ReadOnlyDict:
        """The grid's geometry: cell shape and size, origin and CRS."""
        return frozen_mapping(
            {
                "cell_shape": self.cell_shape,
                "cell_size_m": self.cell_size_m,
                "cell_area_m2": self.cell_area_m2,
                "origin_x": self.origin_x,
                "origin_y": self.origin_y,
                "crs": self.crs.to_string() if self.crs is not None else None,
            }
        )

    @property
    def counts(self) -> ReadOnlyDict:
        """Cells kept, cells of the full lattice and cells clipped away."""
        lattice = self.n_rows * self.n_cols
        return frozen_mapping(
            {
                "n_cells": self.n_cells,
                "n_rows": self.n_rows,
                "n_cols": self.n_cols,
                "n_clipped": lattice - self.n_cells,
                "n_cells_cut_by_area": int((self.area_share < 1).sum()),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The numbering convention."""
        return ("cell_id = row * n_cols + col on the full lattice; row 0 is southernmost.",)

    def centroids(self) -> NDArray[np.float64]:
        """Return the ``(n_cells, 2)`` array of cell centres."""
        return centres(self, self.rows, self.cols)

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
        >>> from hotspotlib import make_grid
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
        ids = rows[inside] * self.n_cols + cols[inside]
        position[inside] = ids if self.lookup is None else self.lookup[ids]
        return position

    def to_array(self, values: ArrayLike, *, fill: float = np.nan) -> NDArray[np.float64]:
        """Spread one value per cell onto the full ``(n_rows, n_cols)`` lattice.

        Clipped cells get ``fill``. Row 0 is the southernmost row (use
        ``origin="lower"`` with :func:`matplotlib.pyplot.imshow`).
        """
        numbers = require_numbers(values, name="values")
        flat = require_shape(
            numbers, (self.n_cells,), name="values", fix="Give one value per cell."
        )
        raster = np.full((self.n_rows, self.n_cols), fill, dtype=float)
        raster[self.rows, self.cols] = flat
        return raster

    def from_array(self, raster: ArrayLike) -> NDArray[np.float64]:
        """Read one value per kept cell from a full ``(n_rows, n_cols)`` array."""
        numbers = require_numbers(raster, name="raster")
        array = require_shape(numbers, (self.n_rows, self.n_cols), name="raster")
        return array[self.rows, self.cols]

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells as a GeoDataFrame (a copy)."""
        return self.cells.copy()

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Draw the cell outlines, with a scale bar and the CRS named.

        Parameters
        ----------
        {category_options}

        {map_returns}
        """
        from hotspotlib._maps import finish_map, map_axes, map_style

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        axes = map_axes(ax)
        kwargs.setdefault("facecolor", "none")
        kwargs.setdefault("edgecolor", "0.6")
        kwargs.setdefault("linewidth", 0.3)
        self.cells.plot(ax=axes, **kwargs)
        title = f"Grid of {self.n_cells:,} {self.cell_shape} cells, {self.cell_size_m:g} m"
        return finish_map(axes, self.crs, title=title, style=style)

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return a folium map of the cell outlines (``tiles`` etc. go to ``explore``)."""
        from hotspotlib._explore import _require_folium

        _require_folium()
        kwargs.setdefault("style_kwds", {"fill": False, "color": "#666666", "weight": 0.5})
        kwargs.setdefault("tooltip", ["row", "col"])
        return self.cells.reset_index().explore(tiles=tiles, **kwargs)


def cell_frame(grid: Grid, polygons: NDArray[Any], area_share: NDArray[np.float64]) -> Any:
    """Build the ``cells`` GeoDataFrame of ``grid`` from the outlines of its kept cells."""
    return gpd.GeoDataFrame(
        {"row": grid.rows, "col": grid.cols, "area_share": area_share},
        geometry=polygons,
        crs=grid.crs,
        index=pd.Index(grid.cell_ids, name="cell_id"),
    )


def grid_on_lattice(
    *,
    cell_shape: GridShape,
    cell_size_m: float,
    origin: tuple[float, float],
    lattice_shape: tuple[int, int],
    crs: Any,
    keep: NDArray[np.bool_] | None = None,
    area_share: NDArray[np.float64] | tuple[NDArray[np.int64], NDArray[np.float64]] | None = None,
    outlines: NDArray[Any] | None = None,
) -> Grid:
    """Build the :class:`Grid` of the cells ``keep`` flags on a lattice (all when None).

    ``keep`` is an ``(n_rows, n_cols)`` mask; ``area_share`` (one per kept cell, or
    ``(cell_ids, shares)`` for the cells not wholly inside) and ``outlines`` (the kept
    cells' polygons, in cell id order) are given when already known. The outlines are
    otherwise built only when ``cells`` is first read.

    Examples
    --------
    >>> grid = grid_on_lattice(cell_shape="square", cell_size_m=100.0, origin=(50.0, 50.0),
    ...                        lattice_shape=(2, 3), crs=None)
    >>> grid.n_cells, grid.locate([[250, 150]]).tolist()
    (6, [5])
    """
    n_rows, n_cols = lattice_shape
    if keep is None:
        rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    else:
        rows, cols = (a.astype(np.int64, copy=False) for a in np.nonzero(keep))
    lookup: NDArray[np.int64] | None = None  # every lattice cell kept: position = id
    if len(rows) < n_rows * n_cols:
        lookup = np.full(n_rows * n_cols, -1, dtype=np.int64)
        lookup[rows * n_cols + cols] = np.arange(len(rows))
    if isinstance(area_share, tuple) and bool(np.all(area_share[1] == 1.0)):
        area_share = None  # no cell cut by the area
    if area_share is None:  # every cell whole: one shared 1.0, no memory per cell
        whole = np.array(1.0)
        whole.flags.writeable = False
        area_share = np.broadcast_to(whole, (len(rows),))
    elif isinstance(area_share, tuple):
        shares = np.ones(len(rows))
        shares[area_share[0] if lookup is None else lookup[area_share[0]]] = area_share[1]
        area_share = lock_in_place(shares)
    grid = Grid(
        cell_shape=cell_shape,
        cell_size_m=float(cell_size_m),
        origin_x=float(origin[0]),
        origin_y=float(origin[1]),
        n_rows=int(n_rows),
        n_cols=int(n_cols),
        crs=crs,
        rows=lock_in_place(rows),  # built here: locked without a copy
        cols=lock_in_place(cols),
        area_share=area_share,
        lookup=None if lookup is None else lock_in_place(lookup),
    )
    if outlines is not None:
        grid._outlines.append(cell_frame(grid, outlines, grid.area_share))
    return grid
