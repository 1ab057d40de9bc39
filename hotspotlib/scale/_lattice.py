"""A square lattice described by arithmetic alone: no per-cell arrays, any size.

A national 100 m lattice over England and Wales has about 91 million cells; a
:class:`Lattice` holds six numbers and a CRS, so it costs nothing. Cells follow the
conventions of :class:`~hotspotlib.Grid`: ``(row, col)`` with row 0 the southernmost,
column 0 the westernmost, and ``origin`` the centre of cell ``(0, 0)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import require_crs, require_positive, require_whole

__all__ = ["Lattice"]

_SNAP = 1e-9  # a position this close (in cells) to a whole number is on that edge


@dataclass(frozen=True, slots=True, kw_only=True)
class Lattice:
    """A regular square lattice of ``n_rows x n_cols`` cells in a projected CRS.

    Parameters
    ----------
    origin_x, origin_y : float
        Centre of cell ``(0, 0)`` (the south-west cell), in metres.
    cell_size_m : float
        Side of a cell in metres.
    n_rows, n_cols : int
        Number of rows (south to north) and columns (west to east).
    crs : Any
        A projected CRS in metres (EPSG code, string or pyproj CRS).

    Notes
    -----
    Points are placed in cells by the edge rule of :func:`~hotspotlib.count_events`:
    cells are half-open ``[x0, x1) x [y0, y1)``, except that the lattice's outer north
    and east edges are closed, so every point of the lattice's bounding box is counted
    exactly once; a point within a billionth of a cell of an edge counts as on it.

    Examples
    --------
    >>> from hotspotlib.scale import Lattice
    >>> national = Lattice.from_bounds((80_000, 0, 660_000, 660_000), cell_size_m=100,
    ...                                crs=27700)
    >>> national.shape, f"{national.n_cells:,}"
    ((6600, 5800), '38,280,000')
    """

    origin_x: float
    origin_y: float
    cell_size_m: float
    n_rows: int
    n_cols: int
    crs: Any

    def __post_init__(self) -> None:
        size = require_positive(self.cell_size_m, name="cell_size_m")
        rows = require_whole(self.n_rows, name="n_rows", minimum=1)
        cols = require_whole(self.n_cols, name="n_cols", minimum=1)
        for name in ("origin_x", "origin_y"):
            value = float(getattr(self, name))
            if not np.isfinite(value):
                raise ValueError(f"`{name}` must be a finite coordinate in metres; got {value}.")
            object.__setattr__(self, name, value)
        crs = require_crs(
            self.crs, name="crs", metres=True, fix="Use the projected CRS of the events."
        )
        object.__setattr__(self, "cell_size_m", size)
        object.__setattr__(self, "n_rows", rows)
        object.__setattr__(self, "n_cols", cols)
        object.__setattr__(self, "crs", crs)

    @classmethod
    def from_bounds(
        cls, bounds: tuple[float, float, float, float], *, cell_size_m: float, crs: Any
    ) -> Lattice:
        """Cover ``(xmin, ymin, xmax, ymax)`` with cells from the corner ``(xmin, ymin)``.

        The last row and column reach to or past ``xmax`` and ``ymax``.
        """
        size = require_positive(cell_size_m, name="cell_size_m")
        xmin, ymin, xmax, ymax = (float(b) for b in bounds)
        if not (np.isfinite([xmin, ymin, xmax, ymax]).all() and xmax > xmin and ymax > ymin):
            raise ValueError(
                f"`bounds` must be finite (xmin, ymin, xmax, ymax) with xmax > xmin and "
                f"ymax > ymin; got {bounds!r}."
            )
        n_cols = max(1, int(np.ceil((xmax - xmin) / size - _SNAP)))
        n_rows = max(1, int(np.ceil((ymax - ymin) / size - _SNAP)))
        return cls(
            origin_x=xmin + size / 2,
            origin_y=ymin + size / 2,
            cell_size_m=size,
            n_rows=n_rows,
            n_cols=n_cols,
            crs=crs,
        )

    @classmethod
    def from_grid(cls, grid: Any) -> Lattice:
        """Return the full lattice of a square :class:`~hotspotlib.Grid` (clipped cells too)."""
        if getattr(grid, "cell_shape", None) != "square":
            raise ValueError(
                "`grid` must be a square hotspotlib Grid (make_grid(..., cell_shape='square')); "
                f"got {type(grid).__name__} with cell_shape={getattr(grid, 'cell_shape', None)!r}."
            )
        return cls(
            origin_x=grid.origin_x,
            origin_y=grid.origin_y,
            cell_size_m=grid.cell_size_m,
            n_rows=grid.n_rows,
            n_cols=grid.n_cols,
            crs=grid.crs,
        )

    @property
    def shape(self) -> tuple[int, int]:
        """``(n_rows, n_cols)``."""
        return (self.n_rows, self.n_cols)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return self.n_rows * self.n_cols

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """Outer edges ``(xmin, ymin, xmax, ymax)`` in metres."""
        half = self.cell_size_m / 2
        west, south = self.origin_x - half, self.origin_y - half
        return (
            west,
            south,
            west + self.n_cols * self.cell_size_m,
            south + self.n_rows * self.cell_size_m,
        )

    def x(self) -> NDArray[np.float64]:
        """Cell-centre x of each column (west to east)."""
        return self.origin_x + self.cell_size_m * np.arange(self.n_cols, dtype=float)

    def y(self) -> NDArray[np.float64]:
        """Cell-centre y of each row (south to north)."""
        return self.origin_y + self.cell_size_m * np.arange(self.n_rows, dtype=float)

    def locate(
        self, x: NDArray[np.float64], y: NDArray[np.float64]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.bool_]]:
        """Return each point's ``row``, ``col`` and whether it lies on the lattice.

        Examples
        --------
        >>> from hotspotlib.scale import Lattice
        >>> lattice = Lattice(origin_x=50, origin_y=50, cell_size_m=100, n_rows=2, n_cols=3,
        ...                   crs=27700)
        >>> rows, cols, inside = lattice.locate(np.array([50.0, 300.0, 301.0]),
        ...                                     np.array([50.0, 200.0, 10.0]))
        >>> rows.tolist(), cols.tolist(), inside.tolist()
        ([0, 1, 0], [0, 2, 3], [True, True, False])
        """
        west, south, _, _ = self.bounds
        size = self.cell_size_m
        scale = max(
            abs(self.origin_x) + (self.n_cols + 1) * size,
            abs(self.origin_y) + (self.n_rows + 1) * size,
        )
        tol = _SNAP + 16 * np.finfo(float).eps * scale / size
        fx = (np.asarray(x, dtype=float) - west) / size
        fy = (np.asarray(y, dtype=float) - south) / size
        cols = np.floor(fx + tol).astype(np.int64)
        rows = np.floor(fy + tol).astype(np.int64)
        # The outer east and north edges are closed: a point on them joins the first
        # (southern- or westernmost) cell whose closed outline holds it, as on a Grid.
        on_col_edge = np.abs(fx - cols) <= tol
        on_row_edge = np.abs(fy - rows) <= tol
        east = (cols == self.n_cols) & on_col_edge & (rows >= 0) & (rows <= self.n_rows)
        north = (rows == self.n_rows) & on_row_edge & (cols >= 0) & (cols <= self.n_cols)
        cols[east | (north & on_col_edge & (cols > 0))] -= 1
        rows[north | (east & on_row_edge & (rows > 0))] -= 1
        inside = (rows >= 0) & (rows < self.n_rows) & (cols >= 0) & (cols < self.n_cols)
        return rows, cols, inside

    def to_grid(self) -> Any:
        """Return the in-memory :class:`~hotspotlib.Grid` of every cell (small lattices only)."""
        from hotspotlib._validation import require_grid_size
        from hotspotlib.hotspots.grid.cells import grid_on_lattice

        require_grid_size(self.n_cells, max_cells=10_000_000, name="lattice")
        return grid_on_lattice(
            cell_shape="square",
            cell_size_m=self.cell_size_m,
            origin=(self.origin_x, self.origin_y),
            lattice_shape=self.shape,
            crs=self.crs,
        )
