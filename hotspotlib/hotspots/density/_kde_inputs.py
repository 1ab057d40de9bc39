"""Input checks of :func:`kde`: events as a layer or as an array, weights, area, grid."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._options import BandwidthRule, DensityUnits, KdeMethod, Kernel
from hotspotlib._validation import (
    check_option,
    require_exclusive,
    require_given,
    require_points,
    require_polygons,
    require_relevant,
    require_same_crs,
    require_type,
    require_weights,
    require_whole,
    require_xy,
    require_xy_weights,
)
from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["kde_inputs"]


def kde_inputs(
    events: Any,
    *,
    crs: Any,
    weights: Any,
    area: Any,
    grid: Grid | None,
    cell_size_m: float | None,
    edge_correction: bool,
    oversample: int | None,
    method: str,
    options: tuple[str, str, str | None],
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, Any, Any]:
    """Check the inputs of :func:`kde`; return coordinates, weights, study area and CRS.

    ``events`` is a layer (GeoDataFrame or GeoSeries: it carries its CRS, so ``crs`` is
    refused) or an ``(n, 2)`` array of projected x/y with ``crs`` naming its CRS.
    """
    kernel, units, rule = options
    check_option(kernel, Kernel, name="kernel")
    check_option(units, DensityUnits, name="units")
    check_option(method, KdeMethod, name="method")
    if rule is not None:
        check_option(rule, BandwidthRule, name="bandwidth_rule")
    layer = isinstance(events, gpd.GeoDataFrame | gpd.GeoSeries)
    if layer or (isinstance(events, pd.DataFrame | pd.Series) and crs is None):
        # A layer names its own CRS; a plain frame without `crs` gets the layer's errors.
        kind = type(events).__name__
        shown = getattr(getattr(events, "crs", None), "srs", None) or "its own"
        require_relevant(
            crs, name="crs", used=False,
            context=f"with `events` as a {kind}, which carries its CRS ({shown})",
            fix="To reproject the events, use `events.to_crs(crs)` first.",
        )  # fmt: skip
        xy = require_points(events, name="events")
        w = require_weights(events, weights)
        where, first = events, "events"
    else:
        xy, where = require_xy(events, crs=crs, name="events")
        w = require_xy_weights(weights, len(xy))
        first = "crs"
    target = None if first == "events" else "crs"
    window = _study_area(area, where, first, target)
    if grid is not None:
        require_type(grid, Grid, name="grid", expected="a Grid from make_grid")
        require_same_crs(where, grid, names=(first, "grid"), target=target)
        require_exclusive(
            {"grid": grid, "cell_size_m": cell_size_m},
            fix=f"The grid fixes the cell size ({grid.cell_size_m:g} m); not both.",
        )
    if edge_correction:
        require_given(
            area, name="area", when="`edge_correction=True`",
            fix="Pass the study area (e.g. the force or district boundary polygons).",
        )  # fmt: skip
    if oversample is not None:
        require_whole(oversample, name="oversample", minimum=1)
        require_exclusive(
            {"oversample": oversample, "method": method if method == "exact" else None},
            fix="`oversample` applies to the fft engine; drop it with method='exact'.",
        )
    return xy, w, window, where.crs


def _study_area(area: Any, where: Any, first: str, target: str | None) -> Any:
    """Union of the study-area polygons (validated, in the events' CRS), or None."""
    if area is None:
        return None
    polygons = require_polygons(area, name="area")
    require_same_crs(where, area, names=(first, "area"), target=target)
    union = shapely.union_all(polygons.to_numpy())
    shapely.prepare(union)
    return union
