"""The result of :func:`hotspotlib.kde`: a density surface on a regular grid."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._summary import Summary
from hotspotlib._validation import require_points, require_same_crs
from hotspotlib.hotspots.density._surface_tools import (
    cell_positions,
    check_share,
    hotspot_regions,
    plot_surface,
    surface_summary,
    write_geotiff,
    xarray_from_surface,
)
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DensitySurface"]

_SQRT3 = math.sqrt(3.0)


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class DensitySurface(FrozenResult):
    """A kernel density surface on a regular grid, with the choices that made it.

    Attributes
    ----------
    values : numpy.ndarray
        Read-only ``(n_rows, n_cols)`` raster of densities in ``units``; row 0 is the
        southernmost row. NaN marks cells that are not part of the surface (outside the
        study area, or clipped from the grid).
    origin_x, origin_y : float
        Centre of the cell in row 0, column 0.
    cell_size_m : float
        Side of a square cell (centre spacing of hexagons).
    n_rows, n_cols : int
        Raster size.
    cell_shape : {"square", "hex"}
        Cell shape (hexagonal surfaces come from a hexagonal :class:`Grid`).
    crs : pyproj.CRS
        CRS of the events.
    grid : Grid or None
        The grid the surface was computed on, when one was given.
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
    """

    values: NDArray[np.float64]
    origin_x: float
    origin_y: float
    cell_size_m: float
    n_rows: int
    n_cols: int
    cell_shape: str
    crs: Any
    grid: Grid | None
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
    def cell_area_m2(self) -> float:
        """Area of one cell in square metres."""
        s = self.cell_size_m
        return s * s if self.cell_shape == "square" else _SQRT3 / 2.0 * s * s

    @property
    def raster_shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)`` of :attr:`values`."""
        return (self.n_rows, self.n_cols)

    @property
    def n_cells(self) -> int:
        """Number of cells in the surface (not NaN)."""
        return int(np.isfinite(self.values).sum())

    @property
    def peak(self) -> float:
        """Largest density on the surface."""
        return float(np.nanmax(self.values)) if self.n_cells else float("nan")

    def _cells(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Rows and columns of the surface's cells, in :meth:`to_frame` order."""
        if self.grid is not None:
            cells = self.grid.cells
            return cells["row"].to_numpy(), cells["col"].to_numpy()
        rows, cols = np.nonzero(np.isfinite(self.values))
        return rows.astype(np.int64), cols.astype(np.int64)

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
        rows, cols = self._cells()
        return self.values[rows, cols]

    def _frame(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> gpd.GeoDataFrame:
        ids = rows * self.n_cols + cols
        data: dict[str, Any] = {
            "row": rows,
            "col": cols,
            "density": self.values[rows, cols],
            "n_events": self.event_count[rows, cols],
        }
        if self.weight_sum is not None:
            data["weight_sum"] = self.weight_sum[rows, cols]
        if self.grid is not None:
            index = pd.Index(ids, name="cell_id")
            geometry = self.grid.cells.geometry.reindex(index).to_numpy()
        else:
            h = self.cell_size_m / 2.0
            x = self.origin_x + cols * self.cell_size_m
            y = self.origin_y + rows * self.cell_size_m
            geometry = shapely.box(x - h, y - h, x + h, y + h)
        return gpd.GeoDataFrame(
            data, geometry=geometry, crs=self.crs, index=pd.Index(ids, name="cell_id")
        )

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
        rows, cols = self._cells()
        frame = self._frame(rows, cols)
        if self.grid is not None:
            frame["area_share"] = self.grid.cells["area_share"].to_numpy()
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
        if not isinstance(grid, Grid):
            raise TypeError(f"`grid` must be a Grid from make_grid; got {type(grid).__name__}.")
        rows, cols = cell_positions(self, grid)
        ok = (rows >= 0) & (rows < self.n_rows) & (cols >= 0) & (cols < self.n_cols)
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
        if self.grid is not None and self.cell_shape == "hex":
            position = self.grid.locate(xy)
            out = np.full(len(xy), np.nan)
            hit = position >= 0
            out[hit] = self.cell_values()[position[hit]]
            return out
        cols = np.floor((xy[:, 0] - self.origin_x) / self.cell_size_m + 0.5).astype(np.int64)
        rows = np.floor((xy[:, 1] - self.origin_y) / self.cell_size_m + 0.5).astype(np.int64)
        ok = (rows >= 0) & (rows < self.n_rows) & (cols >= 0) & (cols < self.n_cols)
        out = np.full(len(xy), np.nan)
        out[ok] = self.values[rows[ok], cols[ok]]
        return out

    def top_cells(self, share: float | None = None, n: int | None = None) -> gpd.GeoDataFrame:
        """Return the densest cells, highest first, with their rank and cumulative share.

        Give ``share`` (a share of the surface's cells, e.g. 0.01 for the top 1% of the
        area) or ``n`` (a number of cells); with neither, the top 20 cells. Ties are broken
        by cell id, so the result is deterministic. ``cumulative_share`` is the running
        share of the surface's total density (its expected events) in these cells.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> top = hs.kde(city.events, bandwidth_m=800).top_cells(n=5)
        >>> top["rank"].tolist()
        [1, 2, 3, 4, 5]
        """
        if share is not None and n is not None:
            raise ValueError("Give `share` or `n`, not both.")
        rows, cols = self._cells()
        density = self.values[rows, cols]
        finite = np.isfinite(density)
        rows, cols, density = rows[finite], cols[finite], density[finite]
        if share is not None:
            count = math.ceil(check_share(share) * len(density) - 1e-9)
        elif n is not None:
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise ValueError(f"`n` must be a whole number >= 1; got {n!r}.")
            count = int(n)
        else:
            count = 20
        ids = rows * self.n_cols + cols
        order = np.lexsort((ids, -density))[:count]
        frame = self._frame(rows[order], cols[order])
        frame["rank"] = np.arange(1, len(order) + 1)
        total = float(density.sum())
        frame["cumulative_share"] = np.cumsum(density[order]) / total if total > 0 else np.nan
        return frame

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

    def summary(self) -> Summary:
        """Summarise the surface: every choice (including automatic ones) and caveats.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=2)
        >>> summary = hs.kde(city.events, cell_size_m=200).summary()
        >>> summary.parameters["bandwidth_rule"], summary.parameters["cell_size_rule"]
        ('arcgis', 'given')
        """
        return surface_summary(self)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Map the surface (``imshow`` for square cells, a choropleth for hexagons).

        Keyword arguments go to :meth:`matplotlib.axes.Axes.imshow` (or
        :meth:`geopandas.GeoDataFrame.plot` for hexagons); the colour map defaults to
        ``"YlOrRd"``. Returns the Axes.
        """
        return plot_surface(self, ax, **kwargs)
