"""The result of :func:`hotspotlib.kde`: a density surface on a regular grid."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, ReadOnlyDict
from hotspotlib._map_docs import TILES
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import require_points, require_same_crs, require_type
from hotspotlib.hotspots.density._surface_tools import (
    aligned_cells,
    hotspot_regions,
    surface_counts,
    surface_notes,
    surface_parameters,
    write_geotiff,
    xarray_from_surface,
)
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DensitySurface"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class DensitySurface(FrozenResult):
    """A kernel density surface on a regular grid, with the choices that made it.

    Attributes
    ----------
    values : numpy.ndarray
        Read-only ``(n_rows, n_cols)`` raster of densities in ``units``; row 0 is the
        southernmost row. NaN marks cells that are not part of the surface (outside the
        study area, or clipped from the grid).
    grid : Grid
        The lattice of the surface: the grid given to :func:`kde`, else the square
        cells of the raster whose centre is inside the study area (all of them without
        an area). Its origin, cell size, shape and CRS are the surface's.
    kernel : str
        Kernel used.
    bandwidth_m : float
        Search radius (compact kernels) or standard deviation (Gaussian), in metres.
    bandwidth_rule : str
        ``"given"`` or the rule that chose the bandwidth.
    bandwidth_adjust : float
        Multiplier applied to the bandwidth.
    bandwidth_details : Mapping
        The rule's intermediate values (standard distance, ...), read-only.
    cell_size_rule : str
        How the cell size was set.
    units : str
        ``"per_km2"``, ``"per_m2"`` or ``"per_cell"`` (expected events per cell).
    method : str
        Engine used: ``"fft"`` or ``"exact"``.
    oversample : int
        Bins per cell side of the fft engine (1 for the exact engine).
    binning_error_bound : float
        Worst-case error of one event's kernel from binning, as a share of that kernel's
        peak (0 for the exact engine).
    edge_correction : bool
        Whether densities were divided by the kernel mass inside the study area.
    n_events : int
        Events used.
    total_weight : float
        Sum of the weights (``n_events`` without weights).
    weights_name : str or None
        Name of the weights column (``"weights"`` for an array).
    n_beyond_reach : int
        Events farther than the kernel's reach from every cell: they add nothing.
    n_outside_area : int
        Events outside the study area (they still add their kernels, as in ArcGIS).
    event_count : numpy.ndarray
        Read-only raster of events per cell (events outside every cell are in none).
    weight_sum : numpy.ndarray or None
        Read-only raster of summed weights per cell, when weighted.

    See Also
    --------
    kde : Estimate one.

    References
    ----------
    .. [1] Silverman (1986). Density Estimation for Statistics and Data Analysis.
    """

    _title: ClassVar[str] = "Kernel density surface"
    _place_score: ClassVar[str] = "density"
    _place_events: ClassVar[str] = "n_events"
    _raster_map: ClassVar[bool] = True  # drawn as an image: no cell is a shape to draw

    values: NDArray[np.float64]
    grid: Grid
    kernel: str
    bandwidth_m: float
    bandwidth_rule: str
    bandwidth_adjust: float
    bandwidth_details: Mapping[str, Any]
    cell_size_rule: str
    units: str
    method: str
    oversample: int
    binning_error_bound: float
    edge_correction: bool
    n_events: int
    total_weight: float
    weights_name: str | None
    n_beyond_reach: int
    n_outside_area: int = 0
    event_count: NDArray[np.int64] = field(repr=False)
    weight_sum: NDArray[np.float64] | None = field(repr=False, default=None)

    @property
    def crs(self) -> Any:
        """CRS of the events (and of :attr:`grid`)."""
        return self.grid.crs

    @property
    def cell_shape(self) -> str:
        """``"square"`` or ``"hex"`` (hexagonal surfaces come from a hexagonal grid)."""
        return self.grid.cell_shape

    @property
    def cell_size_m(self) -> float:
        """Side of a square cell (centre spacing of hexagons), in metres."""
        return self.grid.cell_size_m

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in square metres."""
        return self.grid.cell_area_m2

    @property
    def raster_shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)`` of :attr:`values`."""
        return (self.grid.n_rows, self.grid.n_cols)

    @property
    def n_cells(self) -> int:
        """Number of cells in the surface (not NaN)."""
        return int(np.isfinite(self.values).sum())

    @property
    def peak(self) -> float:
        """Largest density on the surface."""
        return float(np.nanmax(self.values)) if self.n_cells else float("nan")

    @property
    def parameters(self) -> ReadOnlyDict:
        """Every choice that made the surface, automatic ones included."""
        return surface_parameters(self)

    @property
    def counts(self) -> ReadOnlyDict:
        """Events used, left out of the raster or outside the area; cells and peak."""
        return surface_counts(self)

    @property
    def notes(self) -> tuple[str, ...]:
        """Conventions (bandwidth meaning, units, engine) and caveats."""
        return surface_notes(self)

    def cell_values(self) -> NDArray[np.float64]:
        """Densities per cell, aligned with :meth:`to_frame` (and ``grid.cells`` if given).

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
        >>> surface = hs.kde(city.events, grid=grid, bandwidth_m=800)
        >>> surface.cell_values().shape == (grid.n_cells,)
        True
        """
        return self.values[self.grid.rows, self.grid.cols]

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells as polygons with ``density`` (and event tallies).

        Indexed by ``cell_id = row * n_cols + col``. On a :class:`Grid` the rows are
        exactly ``grid.cells`` (same index and order). Without one, cell polygons are built
        here for the cells whose centre is inside the study area; their ids are those of
        the same cells in ``make_grid(area, cell_size_m=surface.cell_size_m)``, which also
        keeps the cells that only touch the area (pass that grid to ``kde`` to get them).

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
        >>> frame = hs.kde(city.events, grid=grid, bandwidth_m=800).to_frame()
        >>> frame.index.equals(grid.cells.index)
        True
        """
        rows, cols = self.grid.rows, self.grid.cols
        data: dict[str, Any] = {
            "row": rows,
            "col": cols,
            "density": self.values[rows, cols],
            "n_events": self.event_count[rows, cols],
        }
        if self.weight_sum is not None:
            data["weight_sum"] = self.weight_sum[rows, cols]
        cells = self.grid.cells
        frame = gpd.GeoDataFrame(
            data, geometry=cells.geometry.to_numpy(), crs=self.crs, index=cells.index.copy()
        )
        if self.cell_size_rule == "grid":
            frame["area_share"] = self.grid.area_share
        return frame

    def values_for(self, grid: Grid) -> NDArray[np.float64]:
        """Read the density of every cell of another grid laid on the same lattice.

        ``grid`` must have this surface's cell shape and size and a lattice offset by a
        whole number of cells (as grids from :func:`make_grid` with the same cell size
        are). Cells off the surface get NaN.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> surface = hs.kde(city.events, area=city.boundary, cell_size_m=250, bandwidth_m=800)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=250)
        >>> values = surface.values_for(grid)  # aligned with grid.cells
        >>> int(np.isfinite(values).sum()) == surface.n_cells
        True
        """
        require_type(grid, Grid, name="grid", expected="a Grid from make_grid")
        rows, cols = aligned_cells(self.grid, grid)
        n_rows, n_cols = self.raster_shape
        ok = (rows >= 0) & (rows < n_rows) & (cols >= 0) & (cols < n_cols)
        out = np.full(len(rows), np.nan)
        out[ok] = self.values[rows[ok], cols[ok]]
        return out

    def sample(self, points: gpd.GeoDataFrame | gpd.GeoSeries) -> NDArray[np.float64]:
        """Return the density of the cell holding each point (NaN off the surface).

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> surface = hs.kde(city.events, bandwidth_m=800)
        >>> surface.sample(city.events.iloc[:3]).shape
        (3,)
        """
        xy = require_points(points, name="points")
        require_same_crs(points, gpd.GeoSeries([], crs=self.crs), names=("points", "surface"))
        if self.cell_shape == "hex":
            position = self.grid.locate(xy)
            out = np.full(len(xy), np.nan)
            hit = position >= 0
            out[hit] = self.cell_values()[position[hit]]
            return out
        grid, size = self.grid, self.cell_size_m
        cols = np.floor((xy[:, 0] - grid.origin_x) / size + 0.5).astype(np.int64)
        rows = np.floor((xy[:, 1] - grid.origin_y) / size + 0.5).astype(np.int64)
        ok = (rows >= 0) & (rows < grid.n_rows) & (cols >= 0) & (cols < grid.n_cols)
        out = np.full(len(xy), np.nan)
        out[ok] = self.values[rows[ok], cols[ok]]
        return out

    def hotspot_polygons(
        self,
        threshold: float | None = None,
        *,
        share: float | None = None,
        events: gpd.GeoDataFrame | None = None,
        weights: Any = None,
    ) -> gpd.GeoDataFrame:
        """Dissolve hot cells into contiguous hot-spot polygons with their shares.

        Cells at or above ``threshold`` (a density in the surface's units), or the top
        ``share`` of cells, are hot; hot cells sharing an edge (not a corner) form one spot.

        Parameters
        ----------
        threshold : float, optional
            Density cut-off in :attr:`units`.
        share : float, optional
            Alternatively, the share of cells to call hot (e.g. 0.05).
        events : GeoDataFrame, optional
            Events to tally inside the polygons; by default the events the surface was
            built from (tallied per cell during estimation).
        weights : str or array-like, optional
            With ``events``: a weight such as ``"harm"`` to sum per hot spot.

        Returns
        -------
        geopandas.GeoDataFrame
            One row per hot spot, indexed by ``hotspot_id`` (1 = highest peak), with
            ``n_cells``, ``area_km2``, ``area_share``, ``n_events``, ``event_share``,
            ``weight_sum`` and ``weight_share`` (when weighted), ``peak_density``,
            ``mean_density`` and the polygon.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=2_000, rng=2)
        >>> surface = hs.kde(city.events, area=city.boundary, cell_size_m=100, bandwidth_m=300)
        >>> spots = surface.hotspot_polygons(share=0.02)
        >>> bool((spots["event_share"] > 0).all())
        True
        """
        return hotspot_regions(
            self, threshold=threshold, share=share, events=events, weights=weights
        )

    def to_xarray(self) -> Any:
        """Return the raster as an :class:`xarray.DataArray` (needs xarray; square cells).

        Coordinates ``y`` and ``x`` are cell centres (``y`` increasing northwards); the
        attributes hold the units, kernel, bandwidth, cell size and CRS (WKT).

        Raises
        ------
        ImportError
            If xarray is not installed (the ``raster`` extra).
        ValueError
            For hexagonal cells.
        """
        return xarray_from_surface(self)

    def to_geotiff(self, path: Any) -> None:
        """Write the raster as a single-band GeoTIFF (needs rasterio; square cells).

        North-up float64 with NaN as no-data, in the events' CRS.

        Raises
        ------
        ImportError
            If rasterio is not installed (the ``raster`` extra).
        ValueError
            For hexagonal cells.
        """
        write_geotiff(self, path)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch = "sqrt",
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the surface, with a scale bar, the CRS named and the density's unit.

        Parameters
        ----------
        {map_options}
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.imshow` (or
            :meth:`geopandas.GeoDataFrame.plot` for hexagons).

        {map_returns}
        """
        from hotspotlib._maps import map_style
        from hotspotlib.hotspots.density._surface_maps import plot_surface

        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        return plot_surface(self, ax, style, **kwargs)

    def explore(
        self,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the cells with a density above zero.

        Parameters
        ----------
        {explore_parameters}

        See Also
        --------
        DensitySurface.plot : The static map for a briefing.

        {explore_references}
        """
        from hotspotlib.hotspots.density._surface_maps import explore_surface

        return explore_surface(self, scheme=scheme, k=k, tiles=tiles, **kwargs)
