"""Cell outlines and point-to-cell arithmetic for square and hexagonal grids.

Both follow one edge rule: a point on an edge or corner belongs to the cell that holds
the points just north-east of it; where no cell lies there, to the first cell whose
closed outline holds it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hotspotlib.hotspots.grid.cells import Grid

__all__ = [
    "NUDGE",
    "cell_polygons",
    "centres",
    "coordinate_scale",
    "first_owner",
    "lattice_extent",
    "locate_hex",
    "locate_square",
]

_SQRT3 = math.sqrt(3.0)
NUDGE = 1e-9  # relative step north-east that decides which cell owns an edge point
SNAP = 1e-9  # a scaled coordinate this close to a whole number (in cells) is on the edge
HEX_MARGIN = 1e-6  # share of a cell within which a point is settled by the outlines


def first_owner(polygons: NDArray[Any], points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Position of the polygon owning each point under the edge rule (-1: none).

    A point inside one polygon belongs to it; a point on boundaries belongs to the first
    touching polygon that holds the point nudged a hair north-east, else (when none
    does) to the first polygon whose closed outline holds it.
    """
    tree = shapely.STRtree(polygons)
    point_idx, cell_idx = tree.query(shapely.points(points), predicate="intersects")
    cell_idx = cell_idx.astype(np.int64)
    big = np.iinfo(np.int64).max
    best = np.full(len(points), big, dtype=np.int64)
    np.minimum.at(best, point_idx, cell_idx)  # the first closed outline holding it
    if len(point_idx):
        shifted = points[point_idx] + np.maximum(1.0, np.abs(points[point_idx])) * NUDGE
        owns = shapely.intersects_xy(polygons[cell_idx], shifted[:, 0], shifted[:, 1])
        owner = np.full(len(points), big, dtype=np.int64)
        np.minimum.at(owner, point_idx[owns], cell_idx[owns])
        best = np.where(owner < big, owner, best)
    best[best == big] = -1
    return best


def coordinate_scale(grid: Grid) -> float:
    """Largest coordinate magnitude on the lattice (sets the floating-point tolerance)."""
    s = grid.cell_size_m
    return max(
        abs(grid.origin_x) + (grid.n_cols + 1) * s, abs(grid.origin_y) + (grid.n_rows + 1) * s
    )


def square_edges(grid: Grid) -> tuple[float, float]:
    """West and south edges of the lattice; cell ``(row, col)`` spans ``col``..``col + 1``."""
    half = grid.cell_size_m / 2
    return grid.origin_x - half, grid.origin_y - half


def locate_square(grid: Grid, points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Square-grid :meth:`Grid.locate`: arithmetic, with edges snapped within a tolerance.

    Positions are measured in cells from the lattice's south-west corner; a position
    within ``SNAP`` cells (more for large coordinates, to cover rounding) of a whole
    number is on that edge, so corners computed from the origin and the cell size land
    where the cell outlines put them.
    """
    s = grid.cell_size_m
    west, south = square_edges(grid)
    tol = SNAP + 16 * np.finfo(float).eps * coordinate_scale(grid) / s
    fx = (points[:, 0] - west) / s
    fy = (points[:, 1] - south) / s
    cols = np.floor(fx + tol).astype(np.int64)  # just west of an edge: on it
    rows = np.floor(fy + tol).astype(np.int64)
    position = grid._position(rows, cols)
    # On the west or south edge of a cell that is not kept: the cell to the west/south.
    missed = np.flatnonzero(position < 0)
    on_west = np.abs(fx[missed] - cols[missed]) <= tol
    on_south = np.abs(fy[missed] - rows[missed]) <= tol
    if on_west.any() or on_south.any():
        big = np.iinfo(np.int64).max
        best = np.full(len(missed), big, dtype=np.int64)
        for d_row, d_col, use in (
            (-1, -1, on_west & on_south),
            (-1, 0, on_south),
            (0, -1, on_west),
        ):
            where = np.flatnonzero(use)
            at = missed[where]
            found = grid._position(rows[at] + d_row, cols[at] + d_col)
            best[where] = np.minimum(best[where], np.where(found < 0, big, found))
        fixed = best < big
        position[missed[fixed]] = best[fixed]
    return position


# Neighbours (d_row, d_col) of a cell in an even and in an odd row (odd rows shifted east).
_HEX_NEIGHBOURS = {
    0: ((0, -1), (0, 1), (-1, -1), (-1, 0), (1, -1), (1, 0)),
    1: ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, 0), (1, 1)),
}


def locate_hex(grid: Grid, points: NDArray[np.float64]) -> NDArray[np.int64]:
    """Hex-grid :meth:`Grid.locate`: the nearest centre, and the outlines near an edge.

    A point more than ``HEX_MARGIN`` of a cell inside the hexagon of its nearest centre
    belongs to that cell. The few points closer to an edge are settled by the edge rule
    on the outlines of that cell and its six neighbours (no other cell can touch them),
    as counting on ``grid.cells`` does.
    """
    s = grid.cell_size_m
    rows, cols = lattice_index(grid, points)
    position = grid._position(rows, cols)
    dx, dy = (points - centres(grid, rows, cols)).T
    # Distance from the centre along the normals of the three pairs of edges.
    across = np.maximum(np.abs(dx), np.abs(0.5 * dx + 0.5 * _SQRT3 * dy))
    across = np.maximum(across, np.abs(0.5 * dx - 0.5 * _SQRT3 * dy))
    margin = HEX_MARGIN * s + 16 * np.finfo(float).eps * coordinate_scale(grid)
    near = np.flatnonzero(across > 0.5 * s - margin)
    if len(near) == 0:
        return position
    near_rows, near_cols = rows[near], cols[near]
    odd = (near_rows & 1).astype(bool)
    candidates = [position[near]]
    for parity, steps in _HEX_NEIGHBOURS.items():
        for d_row, d_col in steps:
            found = grid._position(near_rows + d_row, near_cols + d_col)
            candidates.append(np.where(odd == bool(parity), found, -1))
    kept = np.unique(np.concatenate(candidates))
    kept = kept[kept >= 0]
    if len(kept) == 0:
        position[near] = -1
        return position
    polygons = cell_polygons(grid, grid.rows[kept], grid.cols[kept])
    owner = first_owner(polygons, points[near])  # kept is sorted: first stays first
    position[near] = np.where(owner >= 0, kept[np.maximum(owner, 0)], -1)
    return position


def centres(grid: Grid, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
    """Centres of the given cells."""
    s = grid.cell_size_m
    if grid.cell_shape == "square":
        return np.column_stack([grid.origin_x + cols * s, grid.origin_y + rows * s])
    x = grid.origin_x + cols * s + (rows & 1) * (s / 2)
    y = grid.origin_y + rows * (s * _SQRT3 / 2)
    return np.column_stack([x, y])


def cell_polygons(grid: Grid, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[Any]:
    """Outlines of the given cells; square cells share their edges bit for bit."""
    s = grid.cell_size_m
    if grid.cell_shape == "square":
        west, south = square_edges(grid)
        return shapely.box(
            west + cols * s, south + rows * s, west + (cols + 1) * s, south + (rows + 1) * s
        )
    middle = centres(grid, rows, cols)
    radius = s / _SQRT3
    angles = np.deg2rad(30.0 + 60.0 * np.arange(7))
    ring = np.stack([np.cos(angles), np.sin(angles)], axis=1) * radius
    coords = middle[:, None, :] + ring[None, :, :]
    return shapely.polygons(coords)


def lattice_index(
    grid: Grid, points: NDArray[np.float64]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Row and column of the nearest cell centre of each point."""
    s = grid.cell_size_m
    x = points[:, 0] - grid.origin_x
    y = points[:, 1] - grid.origin_y
    if grid.cell_shape == "square":
        cols = np.floor(x / s + 0.5).astype(np.int64)
        rows = np.floor(y / s + 0.5).astype(np.int64)
        return rows, cols
    # Pointy-top hexagons: fractional axial coordinates, then cube rounding.
    radius = s / _SQRT3
    r_frac = (2.0 / 3.0) * y / radius
    q_frac = (_SQRT3 / 3.0 * x - y / 3.0) / radius
    cube_x, cube_z = q_frac, r_frac
    cube_y = -cube_x - cube_z
    rx, ry, rz = np.round(cube_x), np.round(cube_y), np.round(cube_z)
    dx, dy, dz = np.abs(rx - cube_x), np.abs(ry - cube_y), np.abs(rz - cube_z)
    fix_x = (dx > dy) & (dx > dz)
    fix_y = ~fix_x & (dy > dz)
    rx = np.where(fix_x, -ry - rz, rx)
    ry = np.where(fix_y, -rx - rz, ry)
    rz = np.where(~fix_x & ~fix_y, -rx - ry, rz)
    rows = rz.astype(np.int64)
    cols = (rx + (rows - (rows & 1)) // 2).astype(np.int64)
    return rows, cols


def lattice_extent(
    size: float, cell_shape: str, bounds: tuple[float, ...], polygonal: bool
) -> tuple[float, float, int, int]:
    """Origin and size of the lattice covering ``bounds``: ``(x0, y0, n_rows, n_cols)``."""
    xmin, ymin, xmax, ymax = bounds
    if cell_shape == "hex":
        dy = size * _SQRT3 / 2
        n_cols = int(math.ceil((xmax - xmin) / size)) + 2
        return xmin, ymin, int(math.ceil((ymax - ymin) / dy)) + 2, n_cols
    x0 = math.floor(xmin / size) * size + size / 2
    y0 = math.floor(ymin / size) * size + size / 2

    def span(extent: float) -> int:
        # Points on the far edge must fall inside; a polygon's far edge need not.
        if polygonal:
            return max(1, math.ceil(extent / size))
        return math.floor(extent / size) + 1

    return x0, y0, int(span(ymax - (y0 - size / 2))), int(span(xmax - (x0 - size / 2)))
