"""Kernel density hot-spot maps: ArcGIS-compatible, edge-corrected, harm-weighted, fast."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import frozen_mapping
from hotspotlib._options import BandwidthRule, DensityUnits, KdeMethod, Kernel
from hotspotlib._validation import (
    check_option,
    require_grid_size,
    require_points,
    require_polygons,
    require_positive,
    require_same_crs,
    require_some_inside,
    require_weights,
)
from hotspotlib.hotspots.density._engines import (
    MAX_FINE_NODES,
    Lattice,
    binning_error_bound,
    bins_per_sd,
    bounds_of,
    choose_oversample,
    exact_density,
    fft_density,
    polygon_node_cover,
    refined_lattice,
    window_mass,
)
from hotspotlib.hotspots.density._kernels import kernel_reach
from hotspotlib.hotspots.density._layout import count_outside_area, make_layout, tally_events
from hotspotlib.hotspots.density.bandwidth import BandwidthChoice, choose_bandwidth
from hotspotlib.hotspots.density.surface import DensitySurface
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["kde"]

_EXACT_PAIRS = 2_000_000  # "auto": below this many (event, cell) pairs the exact sum is cheap
_EXACT_PAIRS_ROUGH = 20_000_000  # ... and for kernels with a kink or jump, which bin poorly
_FFT_BYTES_PER_NODE = 48  # binned lattice, stencil, spectrum and result per padded node
_MAX_EXACT_PAIRS = 5e10  # the exact sum's time bound (chunked: memory stays bounded)
_ROUGH_KERNELS = ("epanechnikov", "triangular", "uniform")


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
        A column (e.g. ``"harm"``) or one value per event (a Series is matched by index
        label); finite, >= 0, not all zero.
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
      quartic uses another constant and the unscaled output is a raw kernel sum (peak 1
      per event); multiply sfhotspot's unscaled ``kde`` by ``3 / (pi r^2)`` to get our
      ``units="per_m2"`` (map units in metres).

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
        choice = choose_bandwidth(
            xy, w, rule=bandwidth_rule, kernel=kernel, bandwidth_adjust=adjust
        )
        bandwidth = choice.bandwidth_m
    else:
        bandwidth = require_positive(bandwidth_m, name="bandwidth_m") * adjust

    layout = make_layout(xy, window, grid, cell_size_m, bandwidth, max_cells)
    lattice = layout.lattice
    reach = kernel_reach(kernel, bandwidth)
    near = _within_reach(xy, lattice, reach)
    n_beyond = 0 if near is None else int((~near).sum())
    if n_beyond:
        half_x, half_y = lattice.dx / 2, lattice.dy / 2
        require_some_inside(
            n_beyond,
            len(xy),
            events_bounds=bounds_of(xy),
            area_bounds=(
                lattice.x0 - half_x,
                lattice.y0 - half_y,
                lattice.x0 + (lattice.n_cols - 0.5) * lattice.dx,
                lattice.y0 + (lattice.n_rows - 0.5) * lattice.dy,
            ),
            area="grid" if grid is not None else "raster",
        )
    xy_near = xy if near is None else xy[near]
    w_near = w if (w is None or near is None) else w[near]
    n_raster = layout.n_rows * layout.n_cols
    pairs = len(xy_near) * min(math.pi * reach * reach / layout.cell_area_m2, n_raster)
    coarse = refined_lattice(lattice, kernel, bandwidth, 1)  # the smallest FFT lattice
    fft_nodes = float(coarse.n_rows) * float(coarse.n_cols)
    fft_limit = max(max_cells, MAX_FINE_NODES)
    engine = method
    if engine == "auto":
        cheap = _EXACT_PAIRS_ROUGH if kernel in _ROUGH_KERNELS else _EXACT_PAIRS
        exact_ok = oversample is None and (pairs <= cheap or fft_nodes > fft_limit)
        engine = "exact" if exact_ok else "fft"
    if engine == "fft" and fft_nodes > fft_limit:
        raise ValueError(
            f"`bandwidth_m` = {bandwidth:,.6g} m pads the FFT lattice by the kernel's reach "
            f"to {coarse.n_rows:,} x {coarse.n_cols:,} = {fft_nodes:,.0f} nodes (about "
            f"{fft_nodes * _FFT_BYTES_PER_NODE / 1024**3:,.1f} GiB), over the limit of "
            f"{fft_limit:,}; refused before allocating. Use `method='exact'` (about "
            f"{pairs:,.0f} event-cell pairs), a smaller `bandwidth_m`, or raise `max_cells`."
        )
    if engine == "exact" and pairs > _MAX_EXACT_PAIRS:
        raise ValueError(
            f"`bandwidth_m` = {bandwidth:,.6g} m over {len(xy_near):,} events and "
            f"{n_raster:,} cells needs about {pairs:,.3g} event-cell pairs for the exact "
            f"sum (over {_MAX_EXACT_PAIRS:,.0g}; hours of work). Use a smaller `bandwidth_m`, "
            "a larger cell size, or fewer events."
        )
    k = oversample if oversample is not None else choose_oversample(lattice, kernel, bandwidth)
    if oversample is not None and engine == "fft":
        fine = refined_lattice(lattice, kernel, bandwidth, k)
        require_grid_size(
            fine.n_rows * fine.n_cols, max_cells=max(max_cells, MAX_FINE_NODES), name="oversample"
        )

    if engine == "exact":
        at_cells = exact_density(xy_near, w_near, layout.centres(), kernel, bandwidth)
        raster = layout.scatter(at_cells)
    else:
        raster = layout.from_lattice(fft_density(xy_near, w_near, lattice, kernel, bandwidth, k))
    if edge_correction and window is not None:
        fine_inside = polygon_node_cover(window, refined_lattice(lattice, kernel, bandwidth, k))
        mass = layout.from_lattice(window_mass(fine_inside, lattice, kernel, bandwidth, k))
        with np.errstate(divide="ignore", invalid="ignore"):
            raster = np.where(mass > 1e-9, raster / mass, np.nan)

    factor = {"per_km2": 1e6, "per_m2": 1.0, "per_cell": layout.cell_area_m2}[units]
    values = raster * factor if factor != 1.0 else np.array(raster)
    counts, sums, cell_ids = tally_events(xy, w, layout)
    n_outside_area = 0 if window is None else count_outside_area(xy, window, layout, cell_ids)
    for array in (values, counts, sums):
        if array is not None:
            array.flags.writeable = False
    return DensitySurface(
        values=values,
        origin_x=lattice.x0,
        origin_y=lattice.y0,
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
        bandwidth_details=choice.details if choice is not None else frozen_mapping(),
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


def _within_reach(
    xy: NDArray[np.float64], lattice: Lattice, reach: float
) -> NDArray[np.bool_] | None:
    """Flag events within ``reach`` of the raster (None: all of them, the common case)."""
    x1 = lattice.x0 + (lattice.n_cols - 1) * lattice.dx
    y1 = lattice.y0 + (lattice.n_rows - 1) * lattice.dy
    xmin, ymin, xmax, ymax = bounds_of(xy)
    margin = reach / 2.0  # within margin of the nodes' box on both axes: within reach
    if (
        xmin > lattice.x0 - margin
        and ymin > lattice.y0 - margin
        and xmax < x1 + margin
        and ymax < y1 + margin
    ):
        return None
    return np.asarray(lattice.distance_to_extent(xy) < reach)


def _study_area(area: Any, events: gpd.GeoDataFrame) -> Any:
    """Union of the study-area polygons (validated), or None."""
    if area is None:
        return None
    polygons = require_polygons(area, name="area")
    require_same_crs(events, area, names=("events", "area"))
    union = shapely.union_all(polygons.to_numpy())
    shapely.prepare(union)
    return union
