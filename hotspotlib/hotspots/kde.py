"""Kernel density hot-spot maps: ArcGIS-compatible, edge-corrected, harm-weighted, fast."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._options import BandwidthRule, DensityUnits, KdeMethod, Kernel
from hotspotlib._validation import (
    check_option,
    require_grid_size,
    require_points,
    require_polygons,
    require_positive,
    require_same_crs,
    require_weights,
)
from hotspotlib.hotspots._engines import (
    Lattice,
    binning_error_bound,
    bins_per_sd,
    choose_oversample,
    exact_density,
    fft_density,
    polygon_node_cover,
    polygon_node_mask,
    refined_lattice,
    window_mass,
)
from hotspotlib.hotspots._kernels import kernel_reach
from hotspotlib.hotspots.bandwidth import BandwidthChoice, choose_bandwidth
from hotspotlib.hotspots.grid import Grid
from hotspotlib.hotspots.surface import DensitySurface

__all__ = ["kde"]

_SQRT3 = math.sqrt(3.0)
_EXACT_PAIRS = 2_000_000  # "auto": below this many (event, cell) pairs the exact sum is cheap
_EXACT_PAIRS_ROUGH = 20_000_000  # ... and for kernels with a kink or jump, which bin poorly
_ROUGH_KERNELS = ("epanechnikov", "triangular", "uniform")
_DEFAULT_CELLS_ON_SHORT_SIDE = 250


@dataclass(frozen=True, slots=True)
class _Layout:
    """Where to evaluate: the engine's lattice and the surface cells on it."""

    lattice: Lattice
    cell_shape: str
    cell_size_m: float
    cell_size_rule: str
    origin_x: float
    origin_y: float
    n_rows: int
    n_cols: int
    cell_rows: NDArray[np.int64]
    cell_cols: NDArray[np.int64]
    node_cols: NDArray[np.int64]


def kde(
    events: gpd.GeoDataFrame,
    *,
    bandwidth_m: float | None = None,
    cell_size_m: float | None = None,
    kernel: Kernel = "quartic",
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    grid: Grid | None = None,
    edge_correction: bool = False,
    units: DensityUnits = "per_km2",
    method: KdeMethod = "auto",
    bandwidth_rule: BandwidthRule = "arcgis",
    bandwidth_adjust: float = 1.0,
    oversample: int | None = None,
    max_cells: int = 10_000_000,
) -> DensitySurface:
    """Estimate a kernel density surface of events (a hot-spot map).

    Each event spreads its weight (1, or e.g. its harm) over a kernel that integrates to
    that weight; the density of a cell is the sum of the kernels at the cell's centre, as
    in ArcGIS Kernel Density.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres).
    bandwidth_m : float, optional
        For the compact kernels the search radius ``r`` (kernel zero at and beyond it):
        quartic ``w * 3 / (pi r^2) * (1 - (d/r)^2)^2``, Epanechnikov
        ``w * 2 / (pi r^2) * (1 - (d/r)^2)``, triangular ``w * 3 / (pi r^2) * (1 - d/r)``,
        uniform ``w / (pi r^2)``. For the Gaussian its standard deviation (cut off at 5 SD).
        Default: chosen by ``bandwidth_rule``.
    cell_size_m : float, optional
        Side of the square cells. Default: ArcGIS's rule, the shorter side of the extent
        (``area``'s bounds, else the events') divided by 250. Ignored with ``grid``.
    kernel : {"quartic", "epanechnikov", "triangular", "uniform", "gaussian"}
        Kernel shape; quartic (biweight) is the ArcGIS and CrimeStat default.
    weights : str or array-like, optional
        A column (e.g. ``"harm"``) or one value per event; finite, >= 0, not all zero.
    area : GeoDataFrame or GeoSeries, optional
        Study-area polygons. Without ``grid`` the raster covers their bounding box and
        cells whose centre is outside are NaN; required for ``edge_correction``.
    grid : Grid, optional
        A :class:`Grid` from :func:`make_grid` (square or hex): densities for its kept
        cells, aligned with ``grid.cells`` in :meth:`DensitySurface.to_frame`.
    edge_correction : bool
        Divide each cell by the share of its kernel inside ``area`` (spatstat's uniform
        correction, Diggle 1985), so that cells near the boundary are not under-estimated.
    units : {"per_km2", "per_m2", "per_cell"}
        Density per square kilometre, per square metre, or expected events (weight) per
        cell (density times cell area).
    method : {"auto", "fft", "exact"}
        ``"exact"`` sums every kernel at every cell centre within reach (KD-tree; the
        reference). ``"fft"`` bins events linearly onto a lattice ``oversample`` times
        finer than the cells and convolves by FFT: cost independent of the number of
        events after binning. ``"auto"`` takes the exact sum when it is cheap (up to 2e6
        event-cell pairs; 2e7 for the kernels with a kink), else fft.
    bandwidth_rule : {"arcgis", "scott", "silverman", "likelihood_cv"}
        Rule for the default bandwidth; see :func:`select_bandwidth`.
    bandwidth_adjust : float
        Multiplier on the bandwidth (given or chosen), as sfhotspot's ``bandwidth_adjust``.
    oversample : int, optional
        fft engine: bins per cell side. Default: the smallest that gives 12 bins per
        kernel SD for the quartic (16 for the others), so that linear binning moves each
        event's quartic or Gaussian kernel by at most 1e-3 of its peak (within a cap of
        about 8.4 million bins; the bound reached is recorded). ``1`` bins at the cells,
        as KDEpy's ``FFTKDE`` does: fastest, error about ``1 / (8 b^2)`` of a kernel's peak
        with ``b`` cells per kernel SD.
    max_cells : int
        Refuse, before allocating, a raster with more cells than this.

    Returns
    -------
    DensitySurface
        The raster, the grid geometry, and every choice made (recorded in ``.summary()``).

    Raises
    ------
    ValueError
        For empty or non-point events, NaN coordinates, a geographic or missing CRS,
        different CRSs, non-positive bandwidth or cell size, bad weights, unknown options,
        ``edge_correction`` without ``area``, or a raster over ``max_cells``.

    Notes
    -----
    Reproducing peers, for a quartic of radius ``r`` (``n`` events or total weight):

    - ArcGIS Kernel Density: same values (``units="per_km2"`` for square kilometres;
      "expected counts" is ``units="per_cell"``); ArcGIS shows NoData, not 0, where no
      event is within ``r``.
    - KDEpy: ``FFTKDE(kernel="biweight", bw=r / sqrt(7)).fit(xy).evaluate(...)`` times
      ``n`` is our density per square metre (KDEpy's ``bw`` is the SD of the 1-D kernel).
    - spatstat: ``density(X, kernel="quartic", sigma=r / sqrt(8), edge=...)`` (sigma is
      the per-coordinate SD); ``edge=TRUE`` matches ``edge_correction=True``.
    - scipy ``gaussian_kde``: only Gaussian, and its ``bw_method`` scales the data's
      covariance; ``kernel="gaussian"`` with SD ``s`` equals ``gaussian_kde`` with
      ``bw_method = s / sd`` on data whose coordinates both have SD ``sd`` and no
      correlation, times ``n``.
    - QGIS Heatmap and sfhotspot/SpatialKDE: same radius ``r``, but their "scaled"
      quartic uses another constant and the unscaled output is a raw kernel sum; divide
      sfhotspot's unscaled ``kde`` by ``r^2 * pi / 3`` (per map unit squared) to compare.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=1)
    >>> surface = hs.kde(city.events, area=city.boundary, bandwidth_m=400, cell_size_m=100)
    >>> surface.kernel, surface.units, surface.raster_shape
    ('quartic', 'per_km2', (100, 100))
    >>> total = np.nansum(surface.values) * surface.cell_area_m2 / 1e6
    >>> bool(abs(total / surface.total_weight - 1) < 0.02)  # a little mass leaves the area
    True
    """
    check_option(kernel, Kernel, name="kernel")
    check_option(units, DensityUnits, name="units")
    check_option(method, KdeMethod, name="method")
    check_option(bandwidth_rule, BandwidthRule, name="bandwidth_rule")
    xy = require_points(events, name="events")
    w = require_weights(events, weights)
    adjust = require_positive(bandwidth_adjust, name="bandwidth_adjust")
    window = _study_area(area, events)
    if grid is not None:
        if not isinstance(grid, Grid):
            raise TypeError(f"`grid` must be a Grid from make_grid; got {type(grid).__name__}.")
        require_same_crs(events, grid.cells, names=("events", "grid"))
        if cell_size_m is not None:
            raise ValueError(
                "Give `grid` or `cell_size_m`, not both: the grid fixes the cell size "
                f"({grid.cell_size_m:g} m)."
            )
    if edge_correction and window is None:
        raise ValueError(
            "`edge_correction=True` needs the study area: pass `area=` (e.g. the force or "
            "district boundary polygons)."
        )
    if oversample is not None:
        if isinstance(oversample, bool) or not isinstance(oversample, (int, np.integer)):
            raise TypeError(f"`oversample` must be a whole number >= 1; got {oversample!r}.")
        if oversample < 1:
            raise ValueError(f"`oversample` must be a whole number >= 1; got {oversample!r}.")
        if method == "exact":
            raise ValueError("`oversample` applies to the fft engine; drop it with 'exact'.")

    choice: BandwidthChoice | None = None
    if bandwidth_m is None:
        choice = choose_bandwidth(xy, w, rule=bandwidth_rule, kernel=kernel, adjust=adjust)
        bandwidth = choice.bandwidth_m
    else:
        bandwidth = require_positive(bandwidth_m, name="bandwidth_m") * adjust

    layout = _layout(xy, window, grid, cell_size_m, bandwidth, max_cells)
    lattice = layout.lattice
    reach = kernel_reach(kernel, bandwidth)
    near = lattice.distance_to_extent(xy) < reach
    n_beyond = int((~near).sum())
    xy_near = xy if n_beyond == 0 else xy[near]
    w_near = w if (w is None or n_beyond == 0) else w[near]
    cell_area = _cell_area(layout)
    pairs = len(xy_near) * math.pi * reach * reach / cell_area
    engine = method
    if engine == "auto":
        cheap = _EXACT_PAIRS_ROUGH if kernel in _ROUGH_KERNELS else _EXACT_PAIRS
        engine = "exact" if pairs <= cheap and oversample is None else "fft"
    k = oversample if oversample is not None else choose_oversample(lattice, kernel, bandwidth)

    node_rows, node_cols = layout.cell_rows, layout.node_cols
    if engine == "exact":
        centres = lattice.nodes(node_rows, node_cols)
        density = exact_density(xy_near, w_near, centres, kernel, bandwidth)
    else:
        full = fft_density(xy_near, w_near, lattice, kernel, bandwidth, k)
        density = full[node_rows, node_cols]
    if edge_correction and window is not None:
        fine_inside = polygon_node_cover(window, refined_lattice(lattice, kernel, bandwidth, k))
        mass = window_mass(fine_inside, lattice, kernel, bandwidth, k)[node_rows, node_cols]
        with np.errstate(divide="ignore", invalid="ignore"):
            density = np.where(mass > 1e-9, density / mass, np.nan)

    factor = {"per_km2": 1e6, "per_m2": 1.0, "per_cell": cell_area}[units]
    values = np.full((layout.n_rows, layout.n_cols), np.nan)
    values[layout.cell_rows, layout.cell_cols] = density * factor
    counts, sums = _tally(xy, w, layout, grid)
    n_outside_area = (
        0 if window is None else int((~shapely.contains_xy(window, xy[:, 0], xy[:, 1])).sum())
    )
    for array in (values, counts, sums):
        if array is not None:
            array.flags.writeable = False
    return DensitySurface(
        values=values,
        origin_x=layout.origin_x,
        origin_y=layout.origin_y,
        cell_size_m=layout.cell_size_m,
        n_rows=layout.n_rows,
        n_cols=layout.n_cols,
        cell_shape=layout.cell_shape,
        crs=events.crs,
        grid=grid,
        kernel=kernel,
        bandwidth_m=float(bandwidth),
        bandwidth_rule="given" if choice is None else bandwidth_rule,
        bandwidth_adjust=adjust,
        bandwidth_details=dict(choice.details) if choice is not None else {},
        cell_size_rule=layout.cell_size_rule,
        units=units,
        method=engine,
        oversample=k if engine == "fft" else 1,
        binning_error_bound=(
            binning_error_bound(kernel, bins_per_sd(lattice, kernel, bandwidth, k))
            if engine == "fft"
            else 0.0
        ),
        edge_correction=bool(edge_correction),
        n_events=len(xy),
        total_weight=float(w.sum()) if w is not None else float(len(xy)),
        weights_name=(weights if isinstance(weights, str) else "weights")
        if weights is not None
        else None,
        n_beyond_reach=n_beyond,
        n_outside_area=n_outside_area,
        event_count=counts,
        weight_sum=sums,
    )


def _study_area(area: Any, events: gpd.GeoDataFrame) -> Any:
    """Union of the study-area polygons (validated), or None."""
    if area is None:
        return None
    polygons = require_polygons(area, name="area")
    require_same_crs(events, area, names=("events", "area"))
    union = shapely.union_all(polygons.to_numpy())
    shapely.prepare(union)
    return union


def _layout(
    xy: NDArray[np.float64],
    window: Any,
    grid: Grid | None,
    cell_size_m: float | None,
    bandwidth: float,
    max_cells: int,
) -> _Layout:
    if grid is not None:
        rows = grid.cells["row"].to_numpy()
        cols = grid.cells["col"].to_numpy()
        s = grid.cell_size_m
        if grid.shape == "square":
            lattice = Lattice(grid.origin_x, grid.origin_y, s, s, grid.n_rows, grid.n_cols)
            node_cols = cols
        else:
            # Hexagon centres sit on a lattice of half-cell columns: odd rows are shifted.
            dy = s * _SQRT3 / 2.0
            lattice = Lattice(
                grid.origin_x, grid.origin_y, s / 2.0, dy, grid.n_rows, 2 * grid.n_cols + 1
            )
            node_cols = 2 * cols + (rows & 1)
        return _Layout(
            lattice,
            grid.shape,
            s,
            "grid",
            grid.origin_x,
            grid.origin_y,
            grid.n_rows,
            grid.n_cols,
            rows,
            cols,
            node_cols,
        )

    bounds = window.bounds if window is not None else (*xy.min(axis=0), *xy.max(axis=0))
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    if cell_size_m is not None:
        size = require_positive(cell_size_m, name="cell_size_m")
        rule = "given"
    else:
        short, long = sorted((xmax - xmin, ymax - ymin))
        if short > 0:
            size, rule = short / _DEFAULT_CELLS_ON_SHORT_SIDE, "shorter side of extent / 250"
        elif long > 0:
            size, rule = long / _DEFAULT_CELLS_ON_SHORT_SIDE, "longer side of extent / 250"
        else:
            size, rule = bandwidth / 10.0, "bandwidth / 10 (events at one location)"
    x0 = math.floor(xmin / size) * size + size / 2.0
    y0 = math.floor(ymin / size) * size + size / 2.0
    if window is not None:  # the same cells as make_grid(area, cell_size_m=size)
        n_cols = max(1, math.ceil((xmax - (x0 - size / 2.0)) / size))
        n_rows = max(1, math.ceil((ymax - (y0 - size / 2.0)) / size))
    else:  # events on the far edge fall inside
        n_cols = math.floor((xmax - (x0 - size / 2.0)) / size) + 1
        n_rows = math.floor((ymax - (y0 - size / 2.0)) / size) + 1
    require_grid_size(n_rows * n_cols, max_cells=max_cells)
    lattice = Lattice(x0, y0, size, size, n_rows, n_cols)
    if window is not None:
        rows, cols = np.nonzero(polygon_node_mask(window, lattice))
    else:
        rows, cols = np.divmod(np.arange(n_rows * n_cols, dtype=np.int64), n_cols)
    rows, cols = rows.astype(np.int64), cols.astype(np.int64)
    return _Layout(lattice, "square", size, rule, x0, y0, n_rows, n_cols, rows, cols, cols)


def _cell_area(layout: _Layout) -> float:
    s = layout.cell_size_m
    return s * s if layout.cell_shape == "square" else _SQRT3 / 2.0 * s * s


def _tally(
    xy: NDArray[np.float64], w: NDArray[np.float64] | None, layout: _Layout, grid: Grid | None
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None]:
    """Events (and weight) per surface cell, by arithmetic."""
    shape = (layout.n_rows, layout.n_cols)
    if grid is not None and layout.cell_shape == "hex":
        position = grid.locate(xy)
        hit = position >= 0
        ids = (grid.cells.index.to_numpy()[position[hit]]).astype(np.int64)
    else:
        s = layout.cell_size_m
        cols = np.floor((xy[:, 0] - layout.origin_x) / s + 0.5).astype(np.int64)
        rows = np.floor((xy[:, 1] - layout.origin_y) / s + 0.5).astype(np.int64)
        hit = (rows >= 0) & (rows < layout.n_rows) & (cols >= 0) & (cols < layout.n_cols)
        ids = rows[hit] * layout.n_cols + cols[hit]
    size = layout.n_rows * layout.n_cols
    counts: NDArray[np.int64] = np.bincount(ids, minlength=size).astype(np.int64).reshape(shape)
    sums: NDArray[np.float64] | None = None
    if w is not None:
        sums = np.bincount(ids, w[hit], minlength=size).astype(np.float64).reshape(shape)
    return counts, sums
