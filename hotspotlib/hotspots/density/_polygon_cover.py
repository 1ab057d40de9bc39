"""Share of each node of a regular :class:`Lattice` inside a polygon, by scanlines."""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib.hotspots.density._engines import Lattice

__all__ = ["polygon_node_cover", "polygon_node_mask"]


def _row_runs(
    polygon: shapely.Geometry, ys: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
    """Intersect one horizontal line per ``y`` with ``polygon``: (line, x start, x end).

    A rectangle's runs are its own x extent on every line within its y extent (edges
    included, as the intersection gives them), with no geometry built.
    """
    xmin, ymin, xmax, ymax = polygon.bounds
    if shapely.equals(polygon, shapely.box(xmin, ymin, xmax, ymax)):
        line = np.flatnonzero((ys >= ymin) & (ys <= ymax))
        return line.astype(np.int64), np.full(len(line), xmin), np.full(len(line), xmax)
    ends = np.stack(
        [
            np.column_stack([np.full_like(ys, xmin - 1.0), ys]),
            np.column_stack([np.full_like(ys, xmax + 1.0), ys]),
        ],
        axis=1,
    )
    pieces = shapely.intersection(shapely.linestrings(ends), polygon)
    parts, line = shapely.get_parts(pieces, return_index=True)
    # Non-empty LineStrings are runs inside; points are tangencies of no width.
    keep = (shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING) & ~shapely.is_empty(
        parts
    )
    bounds = shapely.bounds(parts[keep])
    return line[keep].astype(np.int64), bounds[:, 0], bounds[:, 2]


def polygon_node_mask(polygon: shapely.Geometry, lattice: Lattice) -> NDArray[np.bool_]:
    """Flag the lattice nodes inside ``polygon``, by one scanline per row (vectorised)."""
    ys = lattice.y0 + np.arange(lattice.n_rows, dtype=np.float64) * lattice.dy
    row, xa, xb = _row_runs(polygon, ys)
    first = np.ceil((xa - lattice.x0) / lattice.dx - 1e-9).astype(np.int64)
    last = np.floor((xb - lattice.x0) / lattice.dx + 1e-9).astype(np.int64) + 1
    first, last = np.clip(first, 0, lattice.n_cols), np.clip(last, 0, lattice.n_cols)
    ok = last > first
    width = lattice.n_cols + 1
    size = lattice.n_rows * width
    starts = np.bincount(row[ok] * width + first[ok], minlength=size)
    starts -= np.bincount(row[ok] * width + last[ok], minlength=size)
    # Runs along a row are disjoint, so the running count is 0 or 1: int8 is plenty.
    steps = starts.astype(np.int8).reshape(lattice.n_rows, width)
    return np.cumsum(steps, axis=1, dtype=np.int8)[:, :-1] > 0


def polygon_node_cover(
    polygon: shapely.Geometry, lattice: Lattice, *, lines_per_row: int = 4
) -> NDArray[np.float64]:
    """Share of each node's cell (``dx`` by ``dy`` around it) inside ``polygon``.

    Exact along x (run lengths), midpoint rule over ``lines_per_row`` scanlines along y,
    so that a node on the boundary counts by the part of its cell inside, not 0 or 1.
    """
    offsets = ((np.arange(lines_per_row) + 0.5) / lines_per_row - 0.5) * lattice.dy
    base = lattice.y0 + np.arange(lattice.n_rows) * lattice.dy
    ys = (base[:, None] + offsets[None, :]).ravel().astype(np.float64)
    line, xa, xb = _row_runs(polygon, ys)
    row = line // lines_per_row
    left = lattice.x0 - lattice.dx / 2.0
    right = left + lattice.n_cols * lattice.dx
    xa, xb = np.maximum(xa, left), np.minimum(xb, right)
    ok = xb > xa
    row, xa, xb = row[ok], (xa[ok] - left) / lattice.dx, (xb[ok] - left) / lattice.dx
    first = np.minimum(np.floor(xa).astype(np.int64), lattice.n_cols - 1)
    last = np.minimum(np.floor(xb).astype(np.int64), lattice.n_cols - 1)
    cover = np.zeros((lattice.n_rows, lattice.n_cols + 1))
    same = first == last
    np.add.at(cover, (row[same], first[same]), xb[same] - xa[same])
    span = ~same
    r, a, b, fa, fb = row[span], xa[span], xb[span], first[span], last[span]
    np.add.at(cover, (r, fa), fa + 1 - a)
    np.add.at(cover, (r, fb), b - fb)
    # Whole cells strictly between the two ends: a difference array along the row.
    steps = np.zeros_like(cover)
    np.add.at(steps, (r, fa + 1), 1.0)
    np.add.at(steps, (r, fb), -1.0)
    cover += np.cumsum(steps, axis=1)
    return np.clip(cover[:, :-1] / lines_per_row, 0.0, 1.0)
