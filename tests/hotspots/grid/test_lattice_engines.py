"""Wide stencils (row runs, FFT) give the sums of ndimage.correlate."""

import numpy as np
import pytest
from scipy import ndimage

from hotspotlib.hotspots.grid.cells import grid_on_lattice
from hotspotlib.hotspots.grid.lattice import _correlate, lattice_sums
from hotspotlib.hotspots.weights import band_offsets


def _reference(raster, stencil):
    return ndimage.correlate(raster, stencil, mode="constant", cval=0.0)


@pytest.mark.parametrize("band", [350.0, 1_000.0, 2_550.0])
@pytest.mark.parametrize("kernel", [False, True])
@pytest.mark.parametrize("star", [True, False])
def test_wide_stencils_match_correlate(band, kernel, star):
    rng = np.random.default_rng(3)
    raster = rng.exponential(5.0, size=(61, 47)) * (rng.random((61, 47)) < 0.7)
    stencil = band_offsets(100.0, band, kernel=kernel).copy()
    stencil[stencil.shape[0] // 2, stencil.shape[1] // 2] = 1.0 if star else 0.0
    ours = _correlate(raster, stencil)
    np.testing.assert_allclose(ours, _reference(raster, stencil), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("band", [150.0, 700.0])
def test_lattice_sums_on_clipped_and_whole_grids(band):
    rng = np.random.default_rng(4)
    keep = rng.random((40, 30)) < 0.8
    stencil = band_offsets(100.0, band)
    for mask in (keep, None):
        grid = grid_on_lattice(
            cell_shape="square",
            cell_size_m=100.0,
            origin=(50.0, 50.0),
            lattice_shape=(40, 30),
            crs=None,
            keep=mask,
        )
        values = rng.poisson(3.0, grid.n_cells).astype(float)
        sums = lattice_sums(grid, values, stencil)
        raster = np.zeros((40, 30))
        raster[grid.rows, grid.cols] = values
        present = np.zeros((40, 30))
        present[grid.rows, grid.cols] = 1.0
        lag = _reference(raster, stencil)[grid.rows, grid.cols]
        weight_sum = _reference(present, stencil)[grid.rows, grid.cols]
        np.testing.assert_allclose(sums.lag, lag, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(sums.weight_sum, weight_sum, rtol=1e-10, atol=1e-10)
        np.testing.assert_array_equal(sums.n_neighbours, np.rint(weight_sum - 1).astype(int))
