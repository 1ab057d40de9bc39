"""Clip a lattice to a polygonal area without building an outline per cell.

A cell whose closed outline does not meet the area's boundary is either wholly inside
(kept, area share exactly 1) or wholly outside (dropped); which of the two is read off
one horizontal scan line per row through the cell centres (even-odd crossings of the
boundary rings). Only the cells the boundary passes through get an outline, and those
are clipped with shapely as before: kept when the area's interior meets theirs, with
the share of their area inside. The result is the same cell for cell as clipping every
cell's outline.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib.hotspots.grid._cell_geometry import (
    cell_polygons,
    coordinate_scale,
    lattice_index,
    square_edges,
)

if TYPE_CHECKING:
    from hotspotlib.hotspots.grid.cells import Grid

__all__ = ["clip_to_area"]

_SQRT3 = math.sqrt(3.0)
# (d_row, d_col) steps to the six neighbours of a hexagon in an even and an odd row.
_HEX_STEPS = (
    ((0, -1), (0, 1), (-1, -1), (-1, 0), (1, -1), (1, 0)),
    ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, 1)),
)


def clip_to_area(
    grid: Grid, union: shapely.Geometry
) -> tuple[NDArray[np.bool_], NDArray[np.int64], NDArray[np.float64]]:
    """Cells of ``grid``'s full lattice kept by clipping to ``union``, and their shares.

    Returns the ``(n_rows, n_cols)`` keep mask, and the ids and area shares of the kept
    cells the boundary passes through (every other kept cell is wholly inside).
    """
    rings = shapely.get_rings(shapely.get_parts(union))
    keep = centres_inside(grid, rings)
    ids = boundary_cells(grid, rings)
    polygons = cell_polygons(grid, *np.divmod(ids, grid.n_cols))
    shapely.prepare(union)
    kept_near = shapely.intersects(union, polygons) & ~shapely.touches(union, polygons)
    polygons, near = polygons[kept_near], ids[kept_near]
    flat = keep.reshape(-1)
    flat[ids] = kept_near
    if grid.cell_shape == "square":
        share = square_cover(grid, _counter_clockwise(union), near)
        share[shapely.contains_properly(union, polygons)] = 1.0
    else:
        share = np.ones(len(near))
        edge = ~shapely.contains_properly(union, polygons)
        share[edge] = shapely.area(shapely.intersection(polygons[edge], union)) / grid.cell_area_m2
    share[np.abs(share - 1.0) <= 1e-9] = 1.0  # rounding at large coordinates: whole cells
    return keep, near, share


def _counter_clockwise(area: shapely.Geometry) -> shapely.Geometry:
    """Return ``area`` with exterior rings counter-clockwise and holes clockwise.

    ``shapely.orient_polygons`` does this from shapely 2.1; on 2.0 each polygon part is
    oriented with ``shapely.geometry.polygon.orient`` (a handful of parts, the area's).
    """
    if hasattr(shapely, "orient_polygons"):
        return shapely.orient_polygons(area)
    from shapely.geometry.polygon import orient

    parts = [orient(part, sign=1.0) for part in shapely.get_parts(area)]
    return shapely.multipolygons(parts) if len(parts) > 1 else parts[0]


def _edges(rings: NDArray[Any]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Start and end points of every segment of the rings, as two ``(n, 2)`` arrays."""
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    same = ring[1:] == ring[:-1]
    return coords[:-1][same], coords[1:][same]


def _row_pitch(grid: Grid) -> float:
    s = grid.cell_size_m
    return s if grid.cell_shape == "square" else s * _SQRT3 / 2


def centres_inside(grid: Grid, rings: NDArray[Any]) -> NDArray[np.bool_]:
    """Flag the cells whose centre lies inside the rings (even-odd rule), row by row."""
    start, end = _edges(rings)
    pitch = _row_pitch(grid)
    low, high = np.minimum(start[:, 1], end[:, 1]), np.maximum(start[:, 1], end[:, 1])
    # Row r's scan line y_r crosses an edge when low <= y_r < high: a shared vertex
    # gives the same row bound to both its edges, so every row sees an even count.
    first = np.clip(np.ceil((low - grid.origin_y) / pitch), 0, grid.n_rows).astype(np.int64)
    stop = np.clip(np.ceil((high - grid.origin_y) / pitch), 0, grid.n_rows).astype(np.int64)
    n = stop - first
    edge = np.repeat(np.arange(len(n)), n)
    row = np.repeat(first, n) + (np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n))
    y = grid.origin_y + row * pitch
    (xa, ya), (xb, yb) = start[edge].T, end[edge].T
    x = xa + (y - ya) * (xb - xa) / (yb - ya)
    order = np.lexsort((x, row))
    row, x = row[order][0::2], np.stack([x[order][0::2], x[order][1::2]])
    s = grid.cell_size_m
    offset = grid.origin_x + (row & 1) * (s / 2 if grid.cell_shape == "hex" else 0.0)
    lo = np.clip(np.ceil((x[0] - offset) / s), 0, grid.n_cols).astype(np.int64)
    hi = np.clip(np.floor((x[1] - offset) / s) + 1, 0, grid.n_cols).astype(np.int64)
    steps = np.zeros((grid.n_rows, grid.n_cols + 1), dtype=np.int8)
    np.add.at(steps, (row, lo), 1)
    np.add.at(steps, (row, hi), -1)
    np.cumsum(steps, axis=1, out=steps)
    return steps[:, :-1] > 0


def boundary_cells(grid: Grid, rings: NDArray[Any]) -> NDArray[np.int64]:
    """Ids of a few cells, among them every cell whose closed outline meets the rings.

    The rings are cut into pieces at most a quarter of a cell long; a square cell meets
    a piece only if it meets the piece's bounding box (widened by a rounding margin); a
    hexagon only if it is the cell of the piece's nearest centre or one of its six
    neighbours.
    """
    s = grid.cell_size_m
    pieces = shapely.segmentize(rings, max_segment_length=s / 4)
    if grid.cell_shape == "square":
        start, end = _edges(pieces)
        west, south = square_edges(grid)
        tol = 1e-9 * s + 64 * np.finfo(float).eps * coordinate_scale(grid)
        cols = [np.floor((np.minimum(start[:, 0], end[:, 0]) - tol - west) / s)]
        cols.append(np.floor((np.maximum(start[:, 0], end[:, 0]) + tol - west) / s))
        rows = [np.floor((np.minimum(start[:, 1], end[:, 1]) - tol - south) / s)]
        rows.append(np.floor((np.maximum(start[:, 1], end[:, 1]) + tol - south) / s))
        r = np.concatenate([rows[0], rows[0], rows[1], rows[1]]).astype(np.int64)
        c = np.concatenate([cols[0], cols[1], cols[0], cols[1]]).astype(np.int64)
    else:
        r0, c0 = lattice_index(grid, shapely.get_coordinates(pieces))
        odd = (r0 & 1).astype(bool)
        rs, cs = [r0], [c0]
        for (even_row, even_col), (odd_row, odd_col) in zip(*_HEX_STEPS, strict=True):
            rs.append(r0 + np.where(odd, odd_row, even_row))
            cs.append(c0 + np.where(odd, odd_col, even_col))
        r, c = np.concatenate(rs), np.concatenate(cs)
    inside = (r >= 0) & (r < grid.n_rows) & (c >= 0) & (c < grid.n_cols)
    return np.unique(r[inside] * grid.n_cols + c[inside])


def square_cover(
    grid: Grid, union: shapely.Geometry, ids: NDArray[np.int64]
) -> NDArray[np.float64]:
    """Share of each square cell ``ids`` inside ``union`` (exteriors anticlockwise).

    Each boundary segment is cut where it crosses a grid line; a piece in cell
    ``(row, col)`` rising by ``dv`` (in cells) covers ``dv`` times its mean distance
    from the cell's west edge of that cell, and ``dv`` of every cell west of it in the
    row (Green's theorem). Shares within ``1e-12`` of 0 or 1 are snapped to them.
    """
    s = grid.cell_size_m
    west, south = square_edges(grid)
    start, end = _edges(shapely.get_rings(shapely.get_parts(union)))
    u0, v0 = (start[:, 0] - west) / s, (start[:, 1] - south) / s
    u1, v1 = (end[:, 0] - west) / s, (end[:, 1] - south) / s
    cuts = [np.zeros(len(u0)), np.ones(len(u0))]
    owner = [np.arange(len(u0)), np.arange(len(u0))]
    for a, b in ((u0, u1), (v0, v1)):
        low, high = np.minimum(a, b), np.maximum(a, b)
        first = np.floor(low) + 1
        n = np.maximum(np.ceil(high) - first, 0).astype(np.int64)
        edge = np.repeat(np.arange(len(n)), n)
        line = np.repeat(first, n) + (np.arange(len(edge)) - np.repeat(np.cumsum(n) - n, n))
        owner.append(edge)
        cuts.append((line - a[edge]) / (b[edge] - a[edge]))
    edge, t = np.concatenate(owner), np.concatenate(cuts)
    order = np.lexsort((t, edge))
    edge, t = edge[order], t[order]
    same = edge[1:] == edge[:-1]
    e, ta, tb = edge[:-1][same], t[:-1][same], t[1:][same]
    du, dv = u1[e] - u0[e], v1[e] - v0[e]
    mid_u = u0[e] + 0.5 * (ta + tb) * du
    mid_v = v0[e] + 0.5 * (ta + tb) * dv
    rise = (tb - ta) * dv
    row = np.floor(mid_v).astype(np.int64)
    col = np.minimum(np.floor(mid_u), grid.n_cols).astype(np.int64)
    ok = (row >= 0) & (row < grid.n_rows) & (col >= 0)
    width = grid.n_cols + 1
    key = row[ok] * width + col[ok]
    rise, own = rise[ok], rise[ok] * (mid_u[ok] - col[ok])
    keys, where = np.unique(key, return_inverse=True)
    rise_sum = np.cumsum(np.bincount(where, weights=rise, minlength=len(keys)))
    own_sum = np.bincount(where, weights=own, minlength=len(keys))
    rows, cols = np.divmod(ids, grid.n_cols)
    target = rows * width + cols
    at = np.searchsorted(keys, target, side="right") - 1
    row_end = np.searchsorted(keys, (rows + 1) * width) - 1
    before = np.where(at >= 0, rise_sum[np.maximum(at, 0)], 0.0)
    total = np.where(row_end >= 0, rise_sum[np.maximum(row_end, 0)], 0.0)
    mine = np.where((at >= 0) & (keys[np.maximum(at, 0)] == target), own_sum[at], 0.0)
    cover = np.clip(total - before + mine, 0.0, 1.0)
    cover[cover < 1e-12] = 0.0
    cover[cover > 1.0 - 1e-12] = 1.0
    return cover
