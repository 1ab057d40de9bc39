"""A distance band wider than the grid: the stencil stops at the grid, the answer is the same."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from scipy import sparse
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.hotspots.weights import band_offsets


def _grid(width_m: float, height_m: float, clip_corner: bool = False) -> hs.Grid:
    area = box(0, 0, width_m, height_m)
    if clip_corner:  # an L-shaped area: some cells of the lattice are not kept
        area = area.difference(box(0.6 * width_m, 0.5 * height_m, width_m, height_m))
    return hs.make_grid(gpd.GeoSeries([area], crs=27700), cell_size_m=250)


def _brute_force(grid: hs.Grid, x: np.ndarray, distance_m: float, kernel: bool) -> hs.GiStar:
    centres = grid.cells.geometry.centroid
    xy = np.column_stack([centres.x, centres.y])
    d = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    if kernel:
        w = np.where(d < distance_m, (1 - (d / distance_m) ** 2) ** 2, 0.0)
    else:
        w = (d <= distance_m * (1 + 1e-9)).astype(float)
    np.fill_diagonal(w, 1.0)
    return hs.gi_star(grid, value=x, spatial_weights=sparse.csr_array(w))


@pytest.mark.parametrize(
    ("distance_m", "kernel", "clip_corner"),
    [
        (2_600.0, False, False),  # 10 cells: wider than the 6 rows, within the 28 columns
        (2_600.0, True, True),
        (9_000.0, True, False),  # wider than the grid both ways
        (1e7, True, False),  # the band that asked for an 80,001-cell-wide stencil
    ],
)
def test_wide_band_equals_the_explicit_weights(distance_m, kernel, clip_corner):
    grid = _grid(7_000, 1_500, clip_corner)
    x = np.random.default_rng(3).poisson(2.0, grid.n_cells).astype(float)
    weights = "kernel" if kernel else "distance_band"
    result = hs.gi_star(grid, value=x, spatial_weights=weights, distance_m=distance_m)
    expected = _brute_force(grid, x, distance_m, kernel)
    np.testing.assert_allclose(result.z_score, expected.z_score, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(result.n_neighbours, expected.n_neighbours)
    assert result.parameters["distance_m"] == distance_m


def test_band_covering_everything_on_a_250m_grid_runs():
    # Every cell is every cell's neighbour: Gi* is undefined (z NaN) for all, as with
    # the explicit all-ones weights, instead of a MemoryError.
    grid = _grid(5_000, 5_000)
    counts = np.random.default_rng(1).poisson(1.0, grid.n_cells).astype(float)
    result = hs.gi_star(grid, value=counts, distance_m=1e7)
    assert np.isnan(result.z_score).all()
    assert (result.n_neighbours == grid.n_cells - 1).all()


def test_stencil_stops_at_the_extent():
    assert band_offsets(250.0, 1e7, extent=(20, 3)).shape == (39, 5)
    assert band_offsets(250.0, 500.0, extent=(20, 30)).shape == (5, 5)  # within: unchanged
    np.testing.assert_array_equal(
        band_offsets(100.0, 250.0, extent=(2, 9)), band_offsets(100.0, 250.0)[1:4, :]
    )
