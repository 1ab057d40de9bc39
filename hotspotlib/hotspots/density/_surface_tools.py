"""Helpers behind :class:`DensitySurface`: lattice matching, hot-spot regions, raster export."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from hotspotlib._frozen import ReadOnlyDict, frozen_mapping
from hotspotlib._validation import (
    require_exclusive,
    require_finite,
    require_given,
    require_module,
    require_weights,
)
from hotspotlib.hotspots.density._engines import CUBIC_BINNED
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import count_events
from hotspotlib.hotspots.grid.selection import select_places

if TYPE_CHECKING:
    from hotspotlib.hotspots.density.surface import DensitySurface

__all__ = [
    "UNIT_LABELS",
    "aligned_cells",
    "hotspot_regions",
    "surface_counts",
    "surface_extent",
    "surface_notes",
    "surface_parameters",
    "write_geotiff",
    "xarray_from_surface",
]

UNIT_LABELS = {
    "per_km2": "per km²",
    "per_m2": "per m²",
    "per_cell": "expected per cell",
}

_RASTER_INSTALL = "pip install 'hotspotlib[raster]'"
_REGION_COLUMNS = [
    "n_cells",
    "area_km2",
    "area_share",
    "n_events",
    "event_share",
    "peak_density",
    "mean_density",
]


def _describe(grid: Grid) -> str:
    return (
        f"{grid.n_rows}x{grid.n_cols} {grid.cell_shape} cells of {grid.cell_size_m:g} m from "
        f"({grid.origin_x:.3f}, {grid.origin_y:.3f}), CRS {getattr(grid.crs, 'name', None)}"
    )


def aligned_cells(
    lattice: Grid, grid: Grid, *, same_extent: bool = False, names: tuple[str, str] = ("", "grid")
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Rows and columns on ``lattice`` of every cell of ``grid``, which must share it.

    ``grid`` must have the same cell shape, size and CRS and an origin a whole number of
    cells away (as grids from :func:`make_grid` with one cell size have); with
    ``same_extent`` also the same origin and raster size. ``names`` name the two in the
    message (``ValueError``).
    """
    size = lattice.cell_size_m
    row_step = size if lattice.cell_shape == "square" else size * math.sqrt(3.0) / 2.0
    shift_cols = (grid.origin_x - lattice.origin_x) / size
    shift_rows = (grid.origin_y - lattice.origin_y) / row_step
    step = (round(shift_rows), round(shift_cols))
    aligned = (
        grid.cell_shape == lattice.cell_shape
        and math.isclose(grid.cell_size_m, size, rel_tol=1e-9)
        and abs(shift_cols - step[1]) < 1e-6
        and abs(shift_rows - step[0]) < 1e-6
        and (grid.cell_shape == "square" or step[0] % 2 == 0)
        and (grid.crs is None) == (lattice.crs is None)
        and (grid.crs is None or grid.crs.equals(lattice.crs))
        and (
            not same_extent
            or (step == (0, 0) and grid.n_rows == lattice.n_rows and grid.n_cols == lattice.n_cols)
        )
    )
    if not aligned:
        first, second = names[0] or "the surface", names[1]
        raise ValueError(
            f"`{second}` is not on the lattice of {first}: {second} has {_describe(grid)}; "
            f"{first} has {_describe(lattice)}. Estimate both on one grid: "
            "`kde(..., grid=grid)`, or the same `area`, `cell_size_m` and CRS."
        )
    return grid.rows + step[0], grid.cols + step[1]


def hotspot_regions(
    surface: DensitySurface,
    *,
    threshold: float | None,
    share: float | None,
    events: gpd.GeoDataFrame | None,
    weights: Any,
) -> gpd.GeoDataFrame:
    """Hot cells dissolved into edge-contiguous polygons, with event and weight shares."""
    require_exclusive(
        {"threshold": threshold, "share": share},
        required=True,
        fix="Give exactly one: a density in the surface's units, or a share of cells.",
    )
    if weights is not None:
        require_given(events, name="events", when="`weights` is given", fix="Pass the events.")
    if share is not None:
        hot = select_places(surface, share=share, smoothing_only=True)  # by density, as a cut
    else:
        cut = float(require_finite(np.array([threshold], dtype=object), name="threshold")[0])
        frame = surface.to_frame()
        hot = frame[frame["density"].to_numpy() >= cut]
    weighted = surface.weight_sum is not None if events is None else weights is not None
    columns = _REGION_COLUMNS + (["weight_sum", "weight_share"] if weighted else [])
    if len(hot) == 0:
        empty = gpd.GeoDataFrame(
            {c: pd.Series(dtype=float) for c in columns}, geometry=[], crs=surface.crs
        )
        return empty.rename_axis("hotspot_id")
    label, parts = _dissolve_cells(
        hot, cell_shape=surface.cell_shape, cell_size_m=surface.cell_size_m
    )
    k = len(parts)
    density = hot["density"].to_numpy()
    n_cells = np.bincount(label, minlength=k)
    peak = np.full(k, -np.inf)
    np.maximum.at(peak, label, density)
    out: dict[str, Any] = {
        "n_cells": n_cells,
        "area_km2": n_cells * surface.cell_area_m2 / 1e6,
        "area_share": n_cells / max(surface.n_cells, 1),
        "peak_density": peak,
        "mean_density": np.bincount(label, density, minlength=k) / n_cells,
    }
    if events is None:
        out["n_events"] = np.bincount(label, hot["n_events"].to_numpy(), minlength=k)
        total_events = surface.n_events
        if weighted:
            out["weight_sum"] = np.bincount(label, hot["weight_sum"].to_numpy(), minlength=k)
            total_weight = surface.total_weight
    else:
        polygons = gpd.GeoDataFrame(geometry=parts, crs=surface.crs)
        counts = count_events(events, polygons, weights=weights)
        out["n_events"] = counts.count
        total_events = counts.n_events
        if weighted:
            out["weight_sum"] = counts.weight_sum
            all_weights = require_weights(events, weights)
            total_weight = float(all_weights.sum()) if all_weights is not None else 1.0
    out["n_events"] = np.asarray(out["n_events"]).astype(np.int64)
    out["event_share"] = out["n_events"] / total_events
    if weighted:
        out["weight_share"] = out["weight_sum"] / total_weight
    frame = gpd.GeoDataFrame({c: out[c] for c in columns}, geometry=parts, crs=surface.crs)
    order = np.lexsort((-n_cells, -peak))
    frame = frame.iloc[order].reset_index(drop=True)
    frame.index = pd.RangeIndex(1, k + 1, name="hotspot_id")
    return frame


def _dissolve_cells(
    hot: gpd.GeoDataFrame, *, cell_shape: str, cell_size_m: float
) -> tuple[NDArray[np.int64], NDArray[np.object_]]:
    """Label edge-connected hot cells on the lattice and dissolve each group into one polygon.

    Neighbours come from the cells' rows and columns, not from their polygons: cells
    sharing an edge are one step apart on the lattice (in cell sizes), the next nearest
    are sqrt(2) (square, corner only) or sqrt(3) (hex) steps away, so a reach of 1.2
    steps links exactly the edge neighbours (4-connectivity on squares: cells touching
    only at a corner stay apart). Overlaying the polygons instead would split a hot spot
    wherever two cells' shared corners differ in the last floating-point digit; the union
    snaps corners to a grid of a millionth of a cell for the same reason.
    """
    rows = hot["row"].to_numpy()
    cols = hot["col"].to_numpy().astype(float)
    if cell_shape == "hex":
        # odd rows are shifted east by half a cell (see Grid)
        xy = np.column_stack([cols + (rows & 1) / 2.0, rows * math.sqrt(3.0) / 2.0])
    else:
        xy = np.column_stack([cols, rows.astype(float)])
    pairs = cKDTree(xy).query_pairs(1.2, output_type="ndarray")
    cells = hot.geometry.to_numpy()
    n = len(cells)
    links = sparse.coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    k, label = connected_components(links, directed=False)
    label = label.astype(np.int64)
    order = np.argsort(label, kind="stable")
    starts = np.searchsorted(label[order], np.arange(k + 1))
    snap = cell_size_m * 1e-6
    # one union per hot spot: a loop over regions, not cells
    parts = np.array(
        [
            shapely.union_all(cells[order[starts[i] : starts[i + 1]]], grid_size=snap)
            for i in range(k)
        ],
        dtype=object,
    )
    return label, parts


def surface_parameters(surface: DensitySurface) -> ReadOnlyDict:
    """:attr:`DensitySurface.parameters`: every choice, automatic ones included."""
    params: dict[str, Any] = {
        "kernel": surface.kernel,
        "bandwidth_m": surface.bandwidth_m,
        "bandwidth_rule": surface.bandwidth_rule,
        "bandwidth_adjust": surface.bandwidth_adjust,
        "cell_size_m": surface.cell_size_m,
        "cell_size_rule": surface.cell_size_rule,
        "cell_shape": surface.cell_shape,
        "raster": f"{surface.grid.n_rows} rows x {surface.grid.n_cols} cols",
        "units": UNIT_LABELS[surface.units],
        "method": surface.method,
        "edge_correction": surface.edge_correction,
        "weights": surface.weights_name,
        "crs": surface.crs.to_string() if surface.crs is not None else None,
    }
    if surface.method == "fft":
        params["oversample"] = surface.oversample
        params["binning_error_bound"] = surface.binning_error_bound
    for key in ("standard_distance_m", "median_distance_m", "gaussian_sd_m"):
        if key in surface.bandwidth_details:
            params[key] = surface.bandwidth_details[key]
    return frozen_mapping(params)


def surface_counts(surface: DensitySurface) -> ReadOnlyDict:
    """:attr:`DensitySurface.counts`: events used and left out, cells, the peak."""
    return frozen_mapping(
        {
            "n_events": surface.n_events,
            "total_weight": surface.total_weight,
            "n_beyond_reach": surface.n_beyond_reach,
            "n_outside_area": surface.n_outside_area,
            "n_cells": surface.n_cells,
            "peak": surface.peak,
        }
    )


def surface_notes(surface: DensitySurface) -> tuple[str, ...]:
    """:attr:`DensitySurface.notes`: conventions and caveats."""
    meaning = (
        "the Gaussian's standard deviation (cut off at 5 SD)"
        if surface.kernel == "gaussian"
        else "the search radius (kernel zero beyond it)"
    )
    notes = [
        f"bandwidth_m is {meaning}; each event's kernel integrates to its weight.",
        "Densities are kernel sums at cell centres (ArcGIS convention); cells with no "
        "event within reach are 0 (ArcGIS: NoData). NaN marks cells off the surface.",
    ]
    if surface.edge_correction:
        notes.append(
            "Edge-corrected (spatstat's uniform correction): each cell is divided by "
            "the share of its kernel inside the study area."
        )
    if surface.method == "fft":
        scheme = "cubic" if surface.kernel in CUBIC_BINNED else "linear"
        notes.append(
            f"fft engine: {scheme} binning on a lattice {surface.oversample}x finer than the "
            f"cells; binning moves each event's kernel by at most "
            f"{surface.binning_error_bound:.2g} of that kernel's peak (exact engine: 0)."
        )
    if surface.bandwidth_m < surface.cell_size_m:
        notes.append(
            "The bandwidth is smaller than a cell: the map is spiky and a compact kernel "
            "can miss every cell centre. Use a larger bandwidth or smaller cells."
        )
    if surface.n_outside_area:
        notes.append(
            f"{surface.n_outside_area} events lie outside the study area; their kernels "
            "still count where they reach into it."
        )
    if surface.n_beyond_reach:
        notes.append(
            f"{surface.n_beyond_reach} events lie beyond the kernel's reach of every cell "
            "and add nothing to the surface."
        )
    return tuple(notes)


def surface_extent(surface: DensitySurface) -> tuple[float, float, float, float]:
    """West, east, south and north edges of a square raster."""
    grid, h = surface.grid, surface.cell_size_m / 2.0
    return (
        grid.origin_x - h,
        grid.origin_x + (grid.n_cols - 1) * surface.cell_size_m + h,
        grid.origin_y - h,
        grid.origin_y + (grid.n_rows - 1) * surface.cell_size_m + h,
    )


def _require_square(surface: DensitySurface, what: str) -> None:
    if surface.cell_shape != "square":
        raise ValueError(
            f"`{what}` needs square cells; this surface has hexagonal cells. "
            "Use `.to_frame()` for hexagons."
        )


def xarray_from_surface(surface: DensitySurface) -> Any:
    """Build an ``xarray.DataArray`` with ``y``/``x`` cell-centre coordinates."""
    _require_square(surface, "to_xarray()")
    xr = require_module("xarray", feature="`to_xarray()`", install=_RASTER_INSTALL)
    grid = surface.grid
    x = grid.origin_x + np.arange(grid.n_cols) * surface.cell_size_m
    y = grid.origin_y + np.arange(grid.n_rows) * surface.cell_size_m
    return xr.DataArray(
        np.array(surface.values),
        coords={"y": y, "x": x},
        dims=("y", "x"),
        name="density",
        attrs={
            "units": UNIT_LABELS[surface.units],
            "kernel": surface.kernel,
            "bandwidth_m": surface.bandwidth_m,
            "cell_size_m": surface.cell_size_m,
            "crs": surface.crs.to_wkt() if surface.crs is not None else "",
        },
    )


def write_geotiff(surface: DensitySurface, path: Any) -> None:
    """Write the surface north-up as a float64 GeoTIFF with NaN as no-data."""
    _require_square(surface, "to_geotiff()")
    rasterio = require_module("rasterio", feature="`to_geotiff()`", install=_RASTER_INSTALL)
    from rasterio.transform import Affine

    size = surface.cell_size_m
    west, _, _, north = surface_extent(surface)
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=surface.grid.n_rows,
        width=surface.grid.n_cols,
        count=1,
        dtype="float64",
        crs=surface.crs.to_wkt() if surface.crs is not None else None,
        # North-up transform written out (rasterio's from_origin warns in newer affine).
        transform=Affine(size, 0.0, west, 0.0, -size, north),
        nodata=np.nan,
    ) as dataset:
        dataset.write(np.flipud(surface.values), 1)
