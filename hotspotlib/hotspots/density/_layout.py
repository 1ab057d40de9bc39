"""Where a density surface is evaluated: its raster, the cells kept, and event tallies."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib._options import Kernel
from hotspotlib._validation import require_grid_size, require_positive, require_some_inside
from hotspotlib.hotspots.density._engines import Lattice, bounds_of
from hotspotlib.hotspots.density._kernels import kernel_reach
from hotspotlib.hotspots.density._polygon_cover import polygon_node_mask
from hotspotlib.hotspots.grid.cells import Grid, grid_on_lattice

__all__ = [
    "Layout",
    "count_outside_area",
    "events_in_reach",
    "make_layout",
    "tally_events",
]

_SQRT3 = math.sqrt(3.0)
_CELLS_ON_SHORT_SIDE = 250  # ArcGIS's default output cell size: shorter side / 250


@dataclass(frozen=True, slots=True)
class Layout:
    """The engine's lattice, the surface raster on it and the cells that belong to it.

    ``mask`` flags the raster cells that are part of the surface (None: all of them).
    Square rasters are the lattice itself; hexagonal grids use a lattice of half-cell
    columns on which cell ``(row, col)`` is node ``(row, 2 * col + row % 2)``.
    """

    lattice: Lattice
    cell_shape: str
    cell_size_m: float
    cell_size_rule: str
    n_rows: int
    n_cols: int
    mask: NDArray[np.bool_] | None
    grid: Grid | None

    @property
    def cell_area_m2(self) -> float:
        """Area of one cell in square metres."""
        s = self.cell_size_m
        return s * s if self.cell_shape == "square" else _SQRT3 / 2.0 * s * s

    def cells(self) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Rows and columns of the surface's cells (the grid's order, if any)."""
        if self.grid is not None:
            return self.grid.rows, self.grid.cols
        if self.mask is None:
            rows, cols = np.divmod(np.arange(self.n_rows * self.n_cols), self.n_cols)
        else:
            rows, cols = np.nonzero(self.mask)
        return rows.astype(np.int64), cols.astype(np.int64)

    def node_cols(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.int64]:
        """Lattice columns of the given cells."""
        return cols if self.cell_shape == "square" else 2 * cols + (rows & 1)

    def centres(self) -> NDArray[np.float64]:
        """Centres of the surface's cells, in :meth:`cells` order."""
        rows, cols = self.cells()
        return self.lattice.nodes(rows, self.node_cols(rows, cols))

    def scatter(self, at_cells: NDArray[np.float64]) -> NDArray[np.float64]:
        """Spread values given in :meth:`cells` order onto the raster (NaN elsewhere)."""
        raster = np.full((self.n_rows, self.n_cols), np.nan)
        rows, cols = self.cells()
        raster[rows, cols] = at_cells
        return raster

    def as_grid(self, crs: Any) -> Grid:
        """Return the :class:`Grid` of the surface's cells: the grid given, else the raster's."""
        if self.grid is not None:
            return self.grid
        return grid_on_lattice(
            cell_shape="square",
            cell_size_m=self.cell_size_m,
            origin=(self.lattice.x0, self.lattice.y0),
            lattice_shape=(self.n_rows, self.n_cols),
            crs=crs,
            keep=None if self._whole else self.mask,
        )

    @property
    def _whole(self) -> bool:
        """Whether every raster cell is part of the surface."""
        return self.mask is None or bool(self.mask.all())

    def from_lattice(self, full: NDArray[np.float64]) -> NDArray[np.float64]:
        """Read the surface raster from values at every lattice node (NaN off the surface)."""
        if self.cell_shape == "square":
            if self.mask is None or self._whole:
                return full
            return np.where(self.mask, full, np.nan)
        rows, cols = self.cells()
        return self.scatter(full[rows, self.node_cols(rows, cols)])


def make_layout(
    xy: NDArray[np.float64],
    window: Any,
    grid: Grid | None,
    cell_size_m: float | None,
    bandwidth: float,
    max_cells: int,
) -> Layout:
    """Lay out the raster: the grid's, or ArcGIS-style cells over the area or the events."""
    if grid is not None:
        s = grid.cell_size_m
        if grid.cell_shape == "square":
            lattice = Lattice(grid.origin_x, grid.origin_y, s, s, grid.n_rows, grid.n_cols)
        else:
            dy = s * _SQRT3 / 2.0
            lattice = Lattice(
                grid.origin_x, grid.origin_y, s / 2.0, dy, grid.n_rows, 2 * grid.n_cols + 1
            )
        mask = np.zeros((grid.n_rows, grid.n_cols), dtype=bool)
        mask[grid.rows, grid.cols] = True
        return Layout(lattice, grid.cell_shape, s, "grid", grid.n_rows, grid.n_cols, mask, grid)

    bounds = window.bounds if window is not None else bounds_of(xy)
    xmin, ymin, xmax, ymax = (float(b) for b in bounds)
    if cell_size_m is not None:
        size = require_positive(cell_size_m, name="cell_size_m")
        rule = "given"
    else:
        short, long = sorted((xmax - xmin, ymax - ymin))
        if short > 0:
            size, rule = short / _CELLS_ON_SHORT_SIDE, "shorter side of extent / 250"
        elif long > 0:
            size, rule = long / _CELLS_ON_SHORT_SIDE, "longer side of extent / 250"
        else:
            size, rule = bandwidth / 10.0, "bandwidth / 10 (events at one location)"
    x0 = math.floor(xmin / size) * size + size / 2.0
    y0 = math.floor(ymin / size) * size + size / 2.0
    if window is not None:  # the same lattice as make_grid(area, cell_size_m=size)
        n_cols = max(1, math.ceil((xmax - (x0 - size / 2.0)) / size))
        n_rows = max(1, math.ceil((ymax - (y0 - size / 2.0)) / size))
    else:  # events on the far edge fall inside
        n_cols = math.floor((xmax - (x0 - size / 2.0)) / size) + 1
        n_rows = math.floor((ymax - (y0 - size / 2.0)) / size) + 1
    require_grid_size(n_rows * n_cols, max_cells=max_cells)
    lattice = Lattice(x0, y0, size, size, n_rows, n_cols)
    inside = None if window is None else polygon_node_mask(window, lattice)
    return Layout(lattice, "square", size, rule, n_rows, n_cols, inside, None)


def tally_events(
    xy: NDArray[np.float64], w: NDArray[np.float64] | None, layout: Layout
) -> tuple[NDArray[np.int64], NDArray[np.float64] | None, NDArray[np.int64]]:
    """Events and weight per raster cell, and each event's raster cell id (-1: none)."""
    size = layout.n_rows * layout.n_cols
    if layout.grid is not None:  # the grid's own edge rule, as in count_events
        position = layout.grid.locate(xy)
        ids = np.full(len(xy), -1, dtype=np.int64)
        hit: NDArray[np.bool_] | None = position >= 0
        ids[hit] = layout.grid.cell_ids[position[hit]]
    else:
        inverse = 1.0 / layout.cell_size_m
        fx = xy[:, 0] - (layout.lattice.x0 - 0.5 * layout.cell_size_m)  # then in place
        fx *= inverse
        fy = xy[:, 1] - (layout.lattice.y0 - 0.5 * layout.cell_size_m)
        fy *= inverse
        # Truncation is flooring for the non-negative positions that count. Cells are
        # half-open except the raster's north and east edges, which are closed.
        n_rows, n_cols = layout.n_rows, layout.n_cols
        col = fx.astype(np.int64)
        row = fy.astype(np.int64)
        high_x, high_y = float(fx.max()), float(fy.max())
        if high_x >= n_cols:
            col = np.where(fx == n_cols, n_cols - 1, col)
        if high_y >= n_rows:
            row = np.where(fy == n_rows, n_rows - 1, row)
        row *= n_cols
        row += col
        ids = row
        del col
        if fx.min() >= 0 and fy.min() >= 0 and high_x <= n_cols and high_y <= n_rows:
            hit = None
        else:
            hit = (fx >= 0) & (fx <= n_cols) & (fy >= 0) & (fy <= n_rows)
            ids[~hit] = -1
    shape = (layout.n_rows, layout.n_cols)
    inside = ids if hit is None else ids[hit]
    counts: NDArray[np.int64] = np.bincount(inside, minlength=size).astype(np.int64, copy=False)
    counts = counts.reshape(shape)
    sums: NDArray[np.float64] | None = None
    if w is not None:
        weights = w if hit is None else w[hit]
        sums = np.bincount(inside, weights, minlength=size).astype(np.float64, copy=False)
        sums = sums.reshape(shape)
    return counts, sums, ids


def count_outside_area(
    xy: NDArray[np.float64], window: Any, layout: Layout, ids: NDArray[np.int64]
) -> int:
    """Count events outside the study area, testing exactly only near its boundary.

    On a square raster laid over the area, a cell the boundary does not cross is wholly
    inside or wholly outside, as its centre is; only events in the cells along the
    boundary (found by walking it in half-cell steps, widened by one cell) need a
    point-in-polygon test.
    """
    if layout.grid is not None or layout.mask is None:
        return int((~shapely.contains_xy(window, xy[:, 0], xy[:, 1])).sum())
    size = layout.cell_size_m
    walk = shapely.get_coordinates(
        shapely.segmentize(shapely.boundary(window), max_segment_length=size / 2.0)
    )
    cols = np.floor((walk[:, 0] - layout.lattice.x0) / size + 0.5).astype(np.int64)
    rows = np.floor((walk[:, 1] - layout.lattice.y0) / size + 0.5).astype(np.int64)
    ok = (rows >= 0) & (rows < layout.n_rows) & (cols >= 0) & (cols < layout.n_cols)
    band = np.zeros((layout.n_rows + 2, layout.n_cols + 2), dtype=bool)
    for step_row in (0, 1, 2):  # the walked cells and their 8 neighbours (padded raster)
        for step_col in (0, 1, 2):
            band[rows[ok] + step_row, cols[ok] + step_col] = True
    band = band[1:-1, 1:-1]
    # One code per cell, read once per event: 0 inside, 1 outside, 2 near the boundary.
    code = np.where(band, 2, ~layout.mask).astype(np.int8).ravel()
    in_raster = ids >= 0
    event_code = code[ids] if bool(in_raster.all()) else np.where(in_raster, code[ids], 1)
    near_edge = event_code == 2
    n_outside = int(np.count_nonzero(event_code == 1))
    if near_edge.any():
        test = xy[near_edge]
        n_outside += int(np.count_nonzero(~shapely.contains_xy(window, test[:, 0], test[:, 1])))
    return n_outside


def events_in_reach(
    xy: NDArray[np.float64], layout: Layout, kernel: Kernel, bandwidth: float, *, on_grid: bool
) -> NDArray[np.bool_] | None:
    """Flag the events within the kernel's reach of the raster (None: all); refuse none."""
    lattice = layout.lattice
    near = _within_reach(xy, lattice, kernel_reach(kernel, bandwidth))
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
            area="grid" if on_grid else "raster",
        )
    return near


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
