"""make_grid: a square or hexagonal grid over a study area, outlines built only when read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from hotspotlib._options import GridShape
from hotspotlib._validation import (
    check_option,
    require_finite,
    require_grid_size,
    require_nonempty,
    require_positive,
    require_projected_crs,
    require_type,
)
from hotspotlib.hotspots.grid._cell_geometry import (
    lattice_extent,
)
from hotspotlib.hotspots.grid._clip import clip_to_area

if TYPE_CHECKING:
    pass

from hotspotlib.hotspots.grid.cells import Grid, grid_on_lattice

__all__ = ["make_grid"]

_AREA = "a GeoDataFrame or GeoSeries of the study area"


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

    See Also
    --------
    count_events : Count events per cell.
    kde : A density surface on a grid.

    Notes
    -----
    Square cells are aligned to multiples of ``cell_size_m`` in the CRS, so grids built
    over different areas with the same cell size line up cell for cell.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    .. [2] Birch, C. P. D., Oom, S. P. and Beecham, J. A. (2007). Rectangular and hexagonal
       grids used for observation, experiment and simulation in ecology. Ecological
       Modelling 206(3-4), 347-359.

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
    require_type(area, (gpd.GeoDataFrame, gpd.GeoSeries), name="area", expected=_AREA)
    require_nonempty(area, name="area")
    require_projected_crs(area, name="area")
    geom = area.geometry if isinstance(area, gpd.GeoDataFrame) else area
    geom = geom[~(geom.isna() | geom.is_empty)]
    require_nonempty(geom, name="area", fix="its geometries are all missing or empty.")
    xmin, ymin, xmax, ymax = require_finite(geom.total_bounds, name="area bounds")
    polygonal = bool(geom.geom_type.isin(["Polygon", "MultiPolygon"]).all())
    x0, y0, n_rows, n_cols = lattice_extent(size, cell_shape, (xmin, ymin, xmax, ymax), polygonal)
    require_grid_size(n_rows * n_cols, max_cells=max_cells)
    lattice: dict[str, Any] = {
        "cell_shape": cell_shape,
        "cell_size_m": size,
        "origin": (x0, y0),
        "lattice_shape": (n_rows, n_cols),
        "crs": geom.crs,
    }
    if not (clip and polygonal):
        return grid_on_lattice(**lattice)
    union = shapely.union_all(geom.to_numpy())
    require_positive(
        shapely.area(union), name="area", fix="Its polygons have no area; pass real shapes."
    )
    # Clipping reads only the lattice's arithmetic: no cell arrays yet.
    none = np.zeros((n_rows, n_cols), dtype=bool)[:0]
    keep, cut, share = clip_to_area(grid_on_lattice(**lattice, keep=none), union)
    return grid_on_lattice(**lattice, keep=keep, area_share=(cut, share))
