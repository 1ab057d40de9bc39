"""Binning events onto a regular lattice for the fft engine: bilinear and cubic shares."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from hotspotlib.hotspots.density._engines import Lattice

__all__ = ["cubic_bin", "linear_bin"]

_CUBIC_CHUNK = 1 << 20  # events per block of cubic binning (about 110 MB of work arrays)


def linear_bin(
    xy: NDArray[np.float64], weights: NDArray[np.float64] | None, fine: Lattice
) -> NDArray[np.float64]:
    """Share each event's weight among the four surrounding nodes (bilinear weights)."""
    fx = (xy[:, 0] - fine.x0) / fine.dx
    fy = (xy[:, 1] - fine.y0) / fine.dy
    # Events beyond the padded lattice are beyond reach of every node; checking the
    # extremes first spares a full mask in the usual case where all events are inside.
    inside = fx.min() >= 0 and fx.max() < fine.n_cols - 1
    inside = inside and fy.min() >= 0 and fy.max() < fine.n_rows - 1
    if not inside:
        keep = (fx >= 0) & (fx < fine.n_cols - 1) & (fy >= 0) & (fy < fine.n_rows - 1)
        fx, fy = fx[keep], fy[keep]
        weights = None if weights is None else weights[keep]
    n_cols = fine.n_cols
    node = fy.astype(np.int64)
    ix = fx.astype(np.int64)
    fx -= ix  # in [0, 1): the share going east
    fy -= node  # ... and north
    node *= n_cols
    node += ix
    del ix
    # One bincount over the four corners of each event, stored side by side: the four
    # updates of an event fall on nearby memory, and the lattice is allocated once.
    corner = np.empty((len(node), 4), dtype=np.int64)
    corner[:, 0] = node
    np.add(node, 1, out=corner[:, 1])
    np.add(corner[:, :2], n_cols, out=corner[:, 2:])
    del node
    share = np.empty((len(corner), 4))
    north = fy if weights is None else np.multiply(fy, weights, out=fy)
    if weights is None:
        np.subtract(1.0, north, out=share[:, 0])
    else:
        np.subtract(weights, north, out=share[:, 0])
    np.multiply(fx, share[:, 0], out=share[:, 1])  # south-east
    share[:, 0] -= share[:, 1]  # south-west
    np.multiply(fx, north, out=share[:, 3])  # north-east
    np.subtract(north, share[:, 3], out=share[:, 2])  # north-west
    size = fine.n_rows * n_cols
    grid = np.bincount(corner.reshape(-1), share.reshape(-1), minlength=size)
    return grid.reshape(fine.n_rows, n_cols).astype(np.float64, copy=False)


def cubic_bin(
    xy: NDArray[np.float64], weights: NDArray[np.float64] | None, fine: Lattice
) -> NDArray[np.float64]:
    """Share each event's weight among the 4 x 4 surrounding nodes (cubic Lagrange weights).

    Events within one node of the padded lattice's edge are beyond the kernel's reach of
    every raster node (the padding is one node wider than the reach) and are left out.
    """
    fx = (xy[:, 0] - fine.x0) / fine.dx
    fy = (xy[:, 1] - fine.y0) / fine.dy
    inside = fx.min() >= 1 and fx.max() < fine.n_cols - 2
    inside = inside and fy.min() >= 1 and fy.max() < fine.n_rows - 2
    if not inside:
        keep = (fx >= 1) & (fx < fine.n_cols - 2) & (fy >= 1) & (fy < fine.n_rows - 2)
        fx, fy = fx[keep], fy[keep]
        weights = None if weights is None else weights[keep]
    size = fine.n_rows * fine.n_cols
    grid = np.zeros(size)
    for start in range(0, len(fx), _CUBIC_CHUNK):  # bounded work arrays: 13 per event
        part = slice(start, start + _CUBIC_CHUNK)
        _cubic_add(grid, fx[part], fy[part], None if weights is None else weights[part], fine)
    return grid.reshape(fine.n_rows, fine.n_cols)


def _cubic_add(
    grid: NDArray[np.float64],
    fx: NDArray[np.float64],
    fy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    fine: Lattice,
) -> None:
    """Add the cubic shares of events at lattice positions ``(fx, fy)`` to the flat grid."""
    n_cols = fine.n_cols
    ix = fx.astype(np.int64)
    corner = fy.astype(np.int64)
    share_x = _cubic_weights(fx - ix)  # (4, n): nodes ix - 1 .. ix + 2
    share_y = _cubic_weights(fy - corner)
    if weights is not None:
        share_y *= weights
    corner -= 1
    corner *= n_cols
    corner += ix
    corner -= 1
    del ix
    columns = corner[None, :] + np.arange(4)[:, None]  # the four nodes along x
    del corner
    share = np.empty_like(share_x)
    for step in range(4):  # one row of the 4 x 4 block at a time
        np.multiply(share_x, share_y[step], out=share)
        grid += np.bincount(columns.reshape(-1), share.reshape(-1), minlength=len(grid))
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
