"""The fft engine's single-pass linear binning equals the previous four-pass one to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest

from hotspotlib.hotspots.density._engines import Lattice, _linear_bin


def _previous(xy, weights, fine):  # the binning before one bincount over the corners
    fx = (xy[:, 0] - fine.x0) / fine.dx
    fy = (xy[:, 1] - fine.y0) / fine.dy
    keep = (fx >= 0) & (fx < fine.n_cols - 1) & (fy >= 0) & (fy < fine.n_rows - 1)
    fx, fy = fx[keep], fy[keep]
    weights = np.ones(len(fx)) if weights is None else weights[keep]
    ix, iy = fx.astype(np.int64), fy.astype(np.int64)
    tx, ty = fx - ix, fy - iy
    size = fine.n_rows * fine.n_cols
    node = iy * fine.n_cols + ix
    grid = np.zeros(size)
    for shift, share in (
        (0, (1 - tx) * (1 - ty)),
        (1, tx * (1 - ty)),
        (fine.n_cols, (1 - tx) * ty),
        (fine.n_cols + 1, tx * ty),
    ):
        grid += np.bincount(node + shift, share * weights, minlength=size)
    return grid.reshape(fine.n_rows, fine.n_cols)


def _brute(xy, weights, fine):  # each event's bilinear shares, one event at a time
    grid = np.zeros((fine.n_rows, fine.n_cols))
    for i, (x, y) in enumerate(xy):
        fx, fy = (x - fine.x0) / fine.dx, (y - fine.y0) / fine.dy
        if not (0 <= fx < fine.n_cols - 1 and 0 <= fy < fine.n_rows - 1):
            continue
        c, r = int(fx), int(fy)
        tx, ty = fx - c, fy - r
        w = 1.0 if weights is None else weights[i]
        grid[r, c] += w * (1 - tx) * (1 - ty)
        grid[r, c + 1] += w * tx * (1 - ty)
        grid[r + 1, c] += w * (1 - tx) * ty
        grid[r + 1, c + 1] += w * tx * ty
    return grid


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("outside", [False, True])
def test_single_pass_binning_equals_previous_and_brute_force(weighted, outside):
    rng = np.random.default_rng(7 + 2 * weighted + outside)
    fine = Lattice(x0=-3.0, y0=5.0, dx=0.5, dy=0.75, n_rows=17, n_cols=23)
    low, high = (-6.0, 2.0), (9.0, 20.0)
    if not outside:
        low, high = (-3.0, 5.0), (-3.0 + 0.5 * 21.99, 5.0 + 0.75 * 15.99)
    xy = rng.uniform(low, high, size=(500, 2))
    xy[:5] = [[-3.0, 5.0], [-2.5, 5.75], [0.0, 8.0], [-3.0, 6.5], [1.0, 5.0]]  # on nodes
    weights = rng.gamma(2.0, size=len(xy)) if weighted else None
    ours = _linear_bin(xy.copy(), weights, fine)
    assert ours.shape == (fine.n_rows, fine.n_cols)
    for reference in (_previous, _brute):
        np.testing.assert_allclose(ours, reference(xy, weights, fine), rtol=0, atol=1e-10)
    kept = (ours.sum() - (len(xy) if weights is None else weights.sum())) != 0
    assert kept == outside  # events beyond the padded lattice are dropped, others all kept


def test_binning_leaves_the_inputs_untouched():
    rng = np.random.default_rng(3)
    fine = Lattice(x0=0.0, y0=0.0, dx=1.0, dy=1.0, n_rows=10, n_cols=10)
    xy = rng.uniform(0.5, 8.5, size=(50, 2))
    weights = rng.random(50)
    xy_before, weights_before = xy.copy(), weights.copy()
    _linear_bin(xy, weights, fine)
    assert np.array_equal(xy, xy_before) and np.array_equal(weights, weights_before)
