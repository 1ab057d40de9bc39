"""Binning events onto a regular lattice for the fft engine: bilinear and cubic shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hotspotlib.hotspots.density._engines import Lattice
    from hotspotlib.hotspots.density._fft_convolve import Placement

__all__ = ["cubic_bin", "linear_bin"]

_CUBIC_CHUNK = 1 << 20  # events per block of cubic binning (about 110 MB of work arrays)


def _target(fine: Lattice, where: Placement | None) -> tuple[int, int, int, int]:
    """Shape of the binned array and the fine node placed at its index ``(0, 0)``."""
    if where is None:
        return fine.n_rows, fine.n_cols, 0, 0
    return where.n_rows, where.n_cols, where.row0, where.col0


def linear_bin(
    xy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    fine: Lattice,
    where: Placement | None = None,
) -> NDArray[np.float64]:
    """Share each event's weight among the four surrounding nodes (bilinear weights).

    On the fine lattice's own nodes, or laid out for the transform (``where``): fine node
    ``(row0, col0)`` at index 0, nodes before it wrapped around to the end.
    """
    fx = xy[:, 0] - fine.x0  # new arrays, then scaled in place
    fx /= fine.dx
    fy = xy[:, 1] - fine.y0
    fy /= fine.dy
    # Events beyond the padded lattice are beyond reach of every node; checking the
    # extremes first spares a full mask in the usual case where all events are inside.
    low_x, low_y = float(fx.min()), float(fy.min())
    inside = low_x >= 0 and fx.max() < fine.n_cols - 1
    inside = inside and low_y >= 0 and fy.max() < fine.n_rows - 1
    if not inside:
        keep = (fx >= 0) & (fx < fine.n_cols - 1) & (fy >= 0) & (fy < fine.n_rows - 1)
        fx, fy = fx[keep], fy[keep]
        weights = None if weights is None else weights[keep]
        low_x, low_y = (float(fx.min()), float(fy.min())) if len(fx) else (0.0, 0.0)
    n_rows, n_cols, row0, col0 = _target(fine, where)
    node = fy.astype(np.int64)
    ix = fx.astype(np.int64)
    fx -= ix  # in [0, 1): the share going east
    fy -= node  # ... and north
    wrapped = None  # events whose south-west node is before the node placed first
    if low_x < col0 or low_y < row0:
        wrap = np.flatnonzero((ix < col0) | (node < row0))
        south, west = (node[wrap] - row0) % n_rows, (ix[wrap] - col0) % n_cols
        north, east = (south + 1) % n_rows, (west + 1) % n_cols
        south *= n_cols
        north *= n_cols
        wrapped = (wrap, [south + west, south + east, north + west, north + east])
    corner = np.empty((4, len(node)), dtype=np.int64)
    np.subtract(node, row0, out=corner[0])
    corner[0] *= n_cols
    ix -= col0
    corner[0] += ix
    del ix, node
    # One bincount over the four corners. Each corner's nodes and shares are contiguous:
    # building them is twice as fast as four interleaved columns, which bincount reads
    # only slightly faster.
    np.add(corner[0], 1, out=corner[1])
    np.add(corner[:2], n_cols, out=corner[2:])
    if wrapped is not None:  # rows and columns modulo the transform's
        wrap, nodes = wrapped
        for row, values in enumerate(nodes):
            corner[row, wrap] = values
    share = np.empty((4, len(fx)))
    up = fy if weights is None else np.multiply(fy, weights, out=fy)
    if weights is None:
        np.subtract(1.0, up, out=share[0])
    else:
        np.subtract(weights, up, out=share[0])
    np.multiply(fx, share[0], out=share[1])  # south-east
    share[0] -= share[1]  # south-west
    np.multiply(fx, up, out=share[3])  # north-east
    np.subtract(up, share[3], out=share[2])  # north-west
    grid = np.bincount(corner.reshape(-1), share.reshape(-1), minlength=n_rows * n_cols)
    return grid.reshape(n_rows, n_cols).astype(np.float64, copy=False)


def cubic_bin(
    xy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    fine: Lattice,
    where: Placement | None = None,
) -> NDArray[np.float64]:
    """Share each event's weight among the 4 x 4 surrounding nodes (cubic Lagrange weights).

    Events within one node of the padded lattice's edge are beyond the kernel's reach of
    every raster node (the padding is one node wider than the reach) and are left out.
    ``where`` lays the result out for the transform, as in :func:`linear_bin`.
    """
    fx = (xy[:, 0] - fine.x0) / fine.dx
    fy = (xy[:, 1] - fine.y0) / fine.dy
    inside = fx.min() >= 1 and fx.max() < fine.n_cols - 2
    inside = inside and fy.min() >= 1 and fy.max() < fine.n_rows - 2
    if not inside:
        keep = (fx >= 1) & (fx < fine.n_cols - 2) & (fy >= 1) & (fy < fine.n_rows - 2)
        fx, fy = fx[keep], fy[keep]
        weights = None if weights is None else weights[keep]
    target = _target(fine, where)
    grid = np.zeros(target[0] * target[1])
    # Events whose block starts before the node placed first wrap around: binned apart.
    row0, col0 = target[2], target[3]
    wrap = None
    if len(fx) and (fx.min() < col0 + 1 or fy.min() < row0 + 1):
        wrap = (fx < col0 + 1) | (fy < row0 + 1)
    groups = [(fx, fy, weights, False)]
    if wrap is not None:
        pick = [~wrap, wrap]
        groups = [
            (fx[s], fy[s], None if weights is None else weights[s], wrapped)
            for s, wrapped in zip(pick, (False, True), strict=True)
        ]
    for gx, gy, gw, wrapped in groups:
        for start in range(0, len(gx), _CUBIC_CHUNK):  # bounded work arrays: 13 per event
            part = slice(start, start + _CUBIC_CHUNK)
            share = None if gw is None else gw[part]
            _cubic_add(grid, gx[part], gy[part], share, target, wrapped=wrapped)
    return grid.reshape(target[0], target[1])


def _cubic_add(
    grid: NDArray[np.float64],
    fx: NDArray[np.float64],
    fy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    target: tuple[int, int, int, int],
    *,
    wrapped: bool,
) -> None:
    """Add the cubic shares of events at lattice positions ``(fx, fy)`` to the flat grid.

    ``wrapped``: some blocks start before the node placed first (rows and columns are
    then taken modulo the transform's).
    """
    n_rows, n_cols, row0, col0 = target
    ix = fx.astype(np.int64)
    iy = fy.astype(np.int64)
    share_x = _cubic_weights(fx - ix)  # (4, n): nodes ix - 1 .. ix + 2
    share_y = _cubic_weights(fy - iy)
    if weights is not None:
        share_y *= weights
    steps = np.arange(4)[:, None]
    rows: NDArray[np.int64] | None = None  # None: the next row is n_cols further on
    if not wrapped:
        iy -= 1 + row0  # in place: the south-west node of the 4 x 4 block
        iy *= n_cols
        iy += ix
        iy -= 1 + col0
        columns = iy[None, :] + steps  # the four nodes along x
    else:  # some events wrap around: rows and columns modulo the transform's
        columns = (ix[None, :] - 1 - col0 + steps) % n_cols
        rows = ((iy[None, :] - 1 - row0 + steps) % n_rows) * n_cols  # (4, n)
    del ix, iy
    share = np.empty_like(share_x)
    for step in range(4):  # one row of the 4 x 4 block at a time
        np.multiply(share_x, share_y[step], out=share)
        nodes = columns if rows is None else columns + rows[step]
        grid += np.bincount(nodes.reshape(-1), share.reshape(-1), minlength=len(grid))
        if rows is None:
            columns += n_cols


def _cubic_weights(t: NDArray[np.float64]) -> NDArray[np.float64]:
    """Cubic Lagrange weights ``(4, n)`` of nodes -1, 0, 1, 2 for points at ``t`` in [0, 1)."""
    out = np.empty((4, len(t)))
    after, before, twice = t + 1.0, t - 1.0, t - 2.0
    near = t * before
    far = after * twice
    np.multiply(near, twice, out=out[0])
    out[0] *= -1.0 / 6.0
    np.multiply(far, before, out=out[1])
    out[1] *= 0.5
    np.multiply(far, t, out=out[2])
    out[2] *= -0.5
    np.multiply(near, after, out=out[3])
    out[3] *= 1.0 / 6.0
    return out
