"""Kernel density hot-spot maps: ArcGIS-compatible, edge-corrected, harm-weighted, fast."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import lock_in_place
from hotspotlib._options import BandwidthRule, DensityUnits, KdeMethod, Kernel
from hotspotlib._validation import require_positive
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.hotspots.density._engine_plan import choose_engine, estimate
from hotspotlib.hotspots.density._engines import binning_error_bound, bins_per_sd
from hotspotlib.hotspots.density._kde_inputs import kde_inputs
from hotspotlib.hotspots.density._layout import (
    Layout,
    count_outside_area,
    events_in_reach,
    make_layout,
    tally_events,
)
from hotspotlib.hotspots.density.bandwidth import BandwidthChoice, choose_bandwidth
from hotspotlib.hotspots.density.surface import DensitySurface
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["kde"]

MICRO_PLACE_RADIUS_M = 500.0
"""A default-rule radius at or above this warns: too wide to pick micro-places.

Measured on the Chicago burglaries (150 m cells, train 2014-2016, test 2017;
``python -m benchmarks kde``): a 150 m radius picks as many 2017 burglaries in the top
1% of cells as the 2014-2016 counts, a 450-600 m radius 17-19% fewer, ArcGIS's 1,259 m
31% fewer.
"""


def kde(
    events: gpd.GeoDataFrame | NDArray[np.float64] | Sequence[Sequence[float]],
    *,
    crs: Any = None,
    bandwidth_m: float | None = None,
    cell_size_m: float | None = None,
    kernel: Kernel = "quartic",
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    grid: Grid | None = None,
    edge_correction: bool = False,
    units: DensityUnits = "per_km2",
    method: KdeMethod = "auto",
    bandwidth_rule: BandwidthRule | None = None,
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
    events : GeoDataFrame or array-like of shape (n, 2)
        Event points in a projected CRS (metres), or their x/y coordinates as an
        ``(n, 2)`` array (one row per event) with ``crs`` naming their CRS: the same
        surface, without reading the coordinates out of point geometries (the fast
        path for millions of events).
    crs : int, str or pyproj.CRS, optional
        The projected CRS (metres) of ``events`` given as an array; required then, and
        refused with a GeoDataFrame, which carries its own. ``area`` and ``grid`` must be
        in this CRS.
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
        label); finite, >= 0, not all zero. With ``events`` as an array, one value per
        row (a column name is refused).
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
    bandwidth_rule : {"arcgis", "scott", "silverman", "likelihood_cv"}, optional
        Rule for the bandwidth when ``bandwidth_m`` is not given; see
        :func:`select_bandwidth`. Default: ArcGIS's radius, with a warning when it is
        500 m or more, which blurs micro-places such as 150 m cells (see Notes). Name
        a rule to choose it knowingly: ``"arcgis"`` reproduces ArcGIS without the
        warning; ``"likelihood_cv"`` fits the scale of the data (few events spread
        widely still give a wide radius, and the same warning).
    bandwidth_adjust : float
        Multiplier on the bandwidth (given or chosen), as sfhotspot's ``bandwidth_adjust``.
    oversample : int, optional
        fft engine: bins per cell side. Default: the smallest that gives 12 bins per
        kernel SD for the quartic (3.5 for the Gaussian, 16 for the others), so that
        binning moves each event's quartic or Gaussian kernel by at most 1e-3 of its peak
        (within a cap of about 8.4 million bins; the bound reached is recorded). Events
        are binned bilinearly, the Gaussian by cubic weights (error ``0.15 / b^4`` of a
        kernel's peak with ``b`` bins per kernel SD). ``1`` bins at the cells, as KDEpy's
        ``FFTKDE`` does: fastest, error about ``1 / (8 b^2)`` of a quartic's peak.
    max_cells : int
        Refuse, before allocating, a raster with more cells than this.

    Returns
    -------
    DensitySurface
        The raster, the grid geometry, and every choice made (recorded in ``.summary()``).

    Warns
    -----
    HotspotlibWarning
        When ``bandwidth_m`` is not given and the rule (any but a named ``"arcgis"``)
        picks a radius of 500 m or more: the message names the rule, the radius and the fix.
        When ``oversample`` is not given and the raster is too large to bin finely
        enough within about 8.4 million fine nodes, so that the binning error bound
        exceeds 0.5% of a kernel's peak: the message gives the bound and the fixes.

    Raises
    ------
    ValueError
        For empty or non-point events, NaN coordinates, a geographic or missing CRS,
        different CRSs, non-positive bandwidth or cell size, bad weights, unknown options,
        ``edge_correction`` without ``area``, or a raster over ``max_cells``.

    See Also
    --------
    DensitySurface : The returned surface.
    select_bandwidth : Choose the bandwidth by a named rule.
    compare_surfaces : Compare two surfaces cell by cell.
    select_places : Take the top cells.

    Notes
    -----
    ArcGIS's default radius grows with the spread of the events, so on a force- or
    city-wide map it is about a kilometre: a regional picture. To rank micro-places
    (street segments, 150 m cells) give a radius of about one or two cells, or
    ``bandwidth_rule="likelihood_cv"``. On Chicago's burglaries (150 m cells, 2014-2016
    against 2017) the top 1% of cells by a 150 m surface held 12.0% of 2017's burglaries,
    as the counts did (12.1%); by ArcGIS's 1,259 m surface 8.3%
    (``python -m benchmarks kde``).

    The fft engine runs its transforms on the number of threads set by
    ``scipy.fft.set_workers`` (one unless set, like KDEpy): ``with
    scipy.fft.set_workers(2): hs.kde(...)`` uses two.

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

    References
    ----------
    .. [1] Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
       Chapman and Hall, London. ISBN 978-0-412-24620-3.
    .. [2] Diggle, P. J. (1985). A kernel method for smoothing point process data. Journal
       of the Royal Statistical Society C (Applied Statistics) 34(2), 138-147.
    .. [3] Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
       predicting spatial patterns of crime. Security Journal 21(1-2), 4-28.
       https://doi.org/10.1057/palgrave.sj.8350066
    .. [4] Esri. How Kernel Density works. ArcGIS Pro tool reference.
       https://pro.arcgis.com/en/pro-app/latest/tool-reference/spatial-analyst/how-kernel-density-works.htm

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

    The same surface from an array of coordinates and its CRS:

    >>> xy = city.events.get_coordinates().to_numpy()
    >>> fast = hs.kde(xy, crs=city.events.crs, area=city.boundary, bandwidth_m=400,
    ...               cell_size_m=100)
    >>> bool(np.array_equal(fast.values, surface.values, equal_nan=True))
    True
    """
    xy, w, window, crs = kde_inputs(
        events, crs=crs, weights=weights, area=area, grid=grid, cell_size_m=cell_size_m,
        edge_correction=edge_correction, oversample=oversample, method=method,
        options=(kernel, units, bandwidth_rule),
    )  # fmt: skip
    adjust = require_positive(bandwidth_adjust, name="bandwidth_adjust")
    rule = "arcgis" if bandwidth_rule is None else bandwidth_rule
    choice = _bandwidth(xy, w, bandwidth_m, rule=rule, kernel=kernel, adjust=adjust)
    if bandwidth_m is None and bandwidth_rule != "arcgis":
        _warn_if_regional(choice, named=bandwidth_rule is not None)
    layout = make_layout(xy, window, grid, cell_size_m, choice.bandwidth_m, max_cells)
    near = events_in_reach(xy, layout, kernel, choice.bandwidth_m, on_grid=grid is not None)
    engine, k = choose_engine(
        len(xy) if near is None else int(near.sum()),
        layout, kernel, choice.bandwidth_m, method=method, oversample=oversample,
        max_cells=max_cells,
    )  # fmt: skip
    raster = estimate(
        xy if near is None else xy[near],
        w if (w is None or near is None) else w[near],
        layout, kernel, choice.bandwidth_m, engine=engine, oversample=k,
        window=window if edge_correction else None,
    )  # fmt: skip
    return _assemble(
        raster, xy, w, layout=layout, choice=choice, engine=engine, oversample=k,
        near=near, window=window, crs=crs,
        options={"kernel": kernel, "units": units, "edge_correction": bool(edge_correction),
                 "weights_name": _weights_name(weights)},
    )  # fmt: skip


def _weights_name(weights: Any) -> str | None:
    """Name of the weights: the column, ``"weights"`` for an array, None without."""
    if weights is None:
        return None
    return weights if isinstance(weights, str) else "weights"


def _assemble(
    raster: NDArray[np.float64],
    xy: NDArray[np.float64],
    w: NDArray[np.float64] | None,
    *,
    layout: Layout,
    choice: BandwidthChoice,
    engine: str,
    oversample: int,
    near: NDArray[np.bool_] | None,
    window: Any,
    crs: Any,
    options: dict[str, Any],
) -> DensitySurface:
    """Build the :class:`DensitySurface`: densities in the units asked, tallies, choices."""
    factor = {"per_km2": 1e6, "per_m2": 1.0, "per_cell": layout.cell_area_m2}[options["units"]]
    counts, sums, cell_ids = tally_events(xy, w, layout)
    bound = 0.0
    if engine == "fft":
        spread = bins_per_sd(layout.lattice, options["kernel"], choice.bandwidth_m, oversample)
        bound = binning_error_bound(options["kernel"], spread)
    values = raster * factor  # fresh arrays, held by nothing else: locked without a copy
    counts = lock_in_place(counts)
    sums = None if sums is None else lock_in_place(sums)
    return DensitySurface(
        values=lock_in_place(values),
        grid=layout.as_grid(crs),
        bandwidth_m=choice.bandwidth_m,
        bandwidth_rule=choice.rule,
        bandwidth_adjust=choice.bandwidth_adjust,
        bandwidth_details=choice.details,
        cell_size_rule=layout.cell_size_rule,
        method=engine,
        oversample=oversample if engine == "fft" else 1,
        binning_error_bound=bound,
        n_events=len(xy),
        total_weight=float(w.sum()) if w is not None else float(len(xy)),
        n_beyond_reach=0 if near is None else int((~near).sum()),
        n_outside_area=0 if window is None else count_outside_area(xy, window, layout, cell_ids),
        event_count=counts,
        weight_sum=sums,
        **options,
    )


def _bandwidth(
    xy: NDArray[np.float64],
    w: NDArray[np.float64] | None,
    bandwidth_m: float | None,
    *,
    rule: BandwidthRule,
    kernel: Kernel,
    adjust: float,
) -> BandwidthChoice:
    """Return the bandwidth given (times ``adjust``) or chosen by ``rule``."""
    if bandwidth_m is None:
        return choose_bandwidth(xy, w, rule=rule, kernel=kernel, bandwidth_adjust=adjust)
    given = require_positive(bandwidth_m, name="bandwidth_m") * adjust
    return BandwidthChoice(
        bandwidth_m=float(given), rule="given", kernel=kernel, bandwidth_adjust=adjust,
        n_events=len(xy),
    )  # fmt: skip


def _warn_if_regional(choice: BandwidthChoice, *, named: bool) -> None:
    """Warn when a rule (not a named ``"arcgis"``) chose a radius too wide for micro-places."""
    if "quartic_radius_m" in choice.details:
        radius = float(choice.details["quartic_radius_m"]) * choice.bandwidth_adjust
        what = "quartic search radius"
    else:
        radius = float(choice.bandwidth_m)  # the kernel's own bandwidth (SD for gaussian)
        what = f"{choice.kernel} bandwidth"
    if radius < MICRO_PLACE_RADIUS_M:
        return
    if named:
        who = f"the {choice.rule!r} rule"
        fix = "pass `bandwidth_m` of about one or two cells (e.g. 150-300 m)"
    else:
        who = "ArcGIS's default rule"
        fix = (
            "pass `bandwidth_m` of about one or two cells (e.g. 150-300 m) or "
            "`bandwidth_rule='likelihood_cv'`; to keep ArcGIS's radius knowingly, pass "
            "`bandwidth_rule='arcgis'`"
        )
    warnings.warn(
        f"kde: {who} chose a {radius:,.0f} m {what} "
        f"(at least {MICRO_PLACE_RADIUS_M:,.0f} m): a regional surface that blurs "
        f"micro-places, so its top cells can hold no recorded crime. To rank places, {fix}.",
        HotspotlibWarning,
        stacklevel=3,
    )
