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

from hotspotlib._summary import Summary
from hotspotlib._validation import require_positive, require_weights
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import count_events

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib.hotspots.density.surface import DensitySurface

__all__ = [
    "UNIT_LABELS",
    "cell_positions",
    "check_share",
    "hotspot_regions",
    "plot_surface",
    "same_lattice",
    "surface_summary",
    "write_geotiff",
    "xarray_from_surface",
]

UNIT_LABELS = {
    "per_km2": "per km²",
    "per_m2": "per m²",
    "per_cell": "expected per cell",
}

_REGION_COLUMNS = [
    "n_cells",
    "area_km2",
    "area_share",
    "n_events",
    "event_share",
    "peak_density",
    "mean_density",
]


def same_lattice(a: DensitySurface, b: DensitySurface) -> bool:
    """Tell whether two surfaces share cell shape, size, origin, raster size and CRS."""
    close = math.isclose
    return (
        a.cell_shape == b.cell_shape
        and close(a.cell_size_m, b.cell_size_m, rel_tol=1e-9)
        and close(a.origin_x, b.origin_x, rel_tol=0, abs_tol=1e-6 * a.cell_size_m)
        and close(a.origin_y, b.origin_y, rel_tol=0, abs_tol=1e-6 * a.cell_size_m)
        and a.raster_shape == b.raster_shape
        and (a.crs is None) == (b.crs is None)
        and (a.crs is None or a.crs.equals(b.crs))
    )


def cell_positions(
    surface: DensitySurface, grid: Grid
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Surface rows and columns of every cell of ``grid`` (which must share the lattice)."""
    size = surface.cell_size_m
    row_step = size if surface.cell_shape == "square" else size * math.sqrt(3.0) / 2.0
    shift_cols = (grid.origin_x - surface.origin_x) / size
    shift_rows = (grid.origin_y - surface.origin_y) / row_step
    aligned = (
        grid.cell_shape == surface.cell_shape
        and math.isclose(grid.cell_size_m, size, rel_tol=1e-9)
        and abs(shift_cols - round(shift_cols)) < 1e-6
        and abs(shift_rows - round(shift_rows)) < 1e-6
        and (grid.cell_shape == "square" or round(shift_rows) % 2 == 0)
        and (grid.crs is None or surface.crs is None or grid.crs.equals(surface.crs))
    )
    if not aligned:
        raise ValueError(
            f"`grid` ({grid.cell_shape}, {grid.cell_size_m:g} m cells, origin "
            f"({grid.origin_x:.3f}, {grid.origin_y:.3f})) is not on the surface's lattice "
            f"({surface.cell_shape}, {size:g} m, origin ({surface.origin_x:.3f}, "
            f"{surface.origin_y:.3f})) or has another CRS. Build both with the same cell size "
            "and CRS, or pass the grid to `kde(..., grid=grid)`."
        )
    rows = grid.cells["row"].to_numpy() + int(round(shift_rows))
    cols = grid.cells["col"].to_numpy() + int(round(shift_cols))
    return rows, cols


def hotspot_regions(
    surface: DensitySurface,
    *,
    threshold: float | None,
    share: float | None,
    events: gpd.GeoDataFrame | None,
    weights: Any,
) -> gpd.GeoDataFrame:
    """Hot cells dissolved into edge-contiguous polygons, with event and weight shares."""
    if (threshold is None) == (share is None):
        raise ValueError(
            "Give exactly one of `threshold` (a density in the surface's units) or `share` "
            f"(a share of cells); got threshold={threshold!r}, share={share!r}."
        )
    if weights is not None and events is None:
        raise ValueError("`weights` needs `events`: pass the events to weigh as well.")
    if share is not None:
        hot = surface.top_cells(share=share)
    else:
        cut = float(threshold)  # type: ignore[arg-type]
        if not np.isfinite(cut):
            raise ValueError(f"`threshold` must be a finite density; got {threshold!r}.")
        rows, cols = surface._cells()
        keep = surface.values[rows, cols] >= cut
        hot = surface._frame(rows[keep], cols[keep])
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


def surface_summary(surface: DensitySurface) -> Summary:
    """Build :meth:`DensitySurface.summary`: parameters, automatic choices and caveats."""
    params: dict[str, Any] = {
        "kernel": surface.kernel,
        "bandwidth_m": surface.bandwidth_m,
        "bandwidth_rule": surface.bandwidth_rule,
        "bandwidth_adjust": surface.bandwidth_adjust,
        "cell_size_m": surface.cell_size_m,
        "cell_size_rule": surface.cell_size_rule,
        "cell_shape": surface.cell_shape,
        "n_cells": surface.n_cells,
        "raster": f"{surface.n_rows} rows x {surface.n_cols} cols",
        "units": UNIT_LABELS[surface.units],
        "method": surface.method,
        "edge_correction": surface.edge_correction,
        "n_events": surface.n_events,
        "total_weight": surface.total_weight,
        "peak": surface.peak,
        "crs": surface.crs.to_string() if surface.crs is not None else None,
    }
    if surface.weights_name is not None:
        params["weights"] = surface.weights_name
    if surface.method == "fft":
        params["oversample"] = surface.oversample
        params["binning_error_bound"] = surface.binning_error_bound
    for key in ("standard_distance_m", "median_distance_m", "gaussian_sd_m"):
        if key in surface.bandwidth_details:
            params[key] = surface.bandwidth_details[key]
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
        notes.append(
            f"fft engine: linear binning on a lattice {surface.oversample}x finer than the "
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
    return Summary(title="Kernel density surface", parameters=params, notes=notes)


def plot_surface(surface: DensitySurface, ax: Axes | None, **kwargs: Any) -> Axes:
    """Draw :meth:`DensitySurface.plot`."""
    from hotspotlib._plotting import get_axes

    axes = get_axes(ax)
    kwargs.setdefault("cmap", "YlOrRd")
    label = f"density ({UNIT_LABELS[surface.units]})"
    if surface.cell_shape == "hex":
        surface.to_frame().plot(
            column="density", ax=axes, legend=True, legend_kwds={"label": label}, **kwargs
        )
    else:
        h = surface.cell_size_m / 2.0
        extent = (
            surface.origin_x - h,
            surface.origin_x + (surface.n_cols - 1) * surface.cell_size_m + h,
            surface.origin_y - h,
            surface.origin_y + (surface.n_rows - 1) * surface.cell_size_m + h,
        )
        image = axes.imshow(surface.values, origin="lower", extent=extent, **kwargs)
        axes.figure.colorbar(image, ax=axes, label=label, shrink=0.8)
    axes.set_aspect("equal")
    axes.set_title(f"Kernel density ({surface.kernel}, bandwidth {surface.bandwidth_m:.0f} m)")
    return axes


def _require_square(surface: DensitySurface, what: str) -> None:
    if surface.cell_shape != "square":
        raise ValueError(
            f"`{what}` needs square cells; this surface has hexagonal cells. "
            "Use `.to_frame()` for hexagons."
        )


def xarray_from_surface(surface: DensitySurface) -> Any:
    """Build an ``xarray.DataArray`` with ``y``/``x`` cell-centre coordinates."""
    _require_square(surface, "to_xarray()")
    try:
        import xarray as xr
    except ImportError as error:
        raise ImportError(
            "`to_xarray()` needs xarray, which is not installed. Install it with "
            "`pip install xarray` (the `raster` extra: `pip install 'hotspotlib[raster]'`)."
        ) from error
    x = surface.origin_x + np.arange(surface.n_cols) * surface.cell_size_m
    y = surface.origin_y + np.arange(surface.n_rows) * surface.cell_size_m
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
    try:
        import rasterio
        from rasterio.transform import Affine
    except ImportError as error:
        raise ImportError(
            "`to_geotiff()` needs rasterio, which is not installed. Install it with "
            "`pip install rasterio` (the `raster` extra: `pip install 'hotspotlib[raster]'`)."
        ) from error
    size = surface.cell_size_m
    west = surface.origin_x - size / 2.0
    north = surface.origin_y + (surface.n_rows - 0.5) * size
    with rasterio.open(
        path,
        "w",
        driver="GTiff",
        height=surface.n_rows,
        width=surface.n_cols,
        count=1,
        dtype="float64",
        crs=surface.crs.to_wkt() if surface.crs is not None else None,
        # North-up transform written out (rasterio's from_origin warns in newer affine).
        transform=Affine(size, 0.0, west, 0.0, -size, north),
        nodata=np.nan,
    ) as dataset:
        dataset.write(np.flipud(surface.values), 1)


def check_share(share: float) -> float:
    """Validate a share in (0, 1]."""
    value = require_positive(share, name="share")
    if value > 1:
        raise ValueError(f"`share` must be in (0, 1]; got {share!r}.")
    return value
