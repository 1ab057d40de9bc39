"""The fft engine's decimated convolution equals the previous full-lattice engine to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

import hotspotlib as hs
from hotspotlib.hotspots.density import _engine_plan, _engines
from hotspotlib.hotspots.density._binning import cubic_bin, linear_bin
from hotspotlib.hotspots.density._engines import CUBIC_BINNED, Lattice
from hotspotlib.hotspots.density._fft_convolve import (
    convolve_at_nodes,
    place,
    placement,
    stencil_spectrum,
)
from hotspotlib.hotspots.density._kernels import kernel_reach


def _previous(binned, stencil, lattice, k, pad):  # the engine before decimation
    pad_x, pad_y = pad
    shape = (
        scipy.fft.next_fast_len(binned.shape[0], real=True),
        scipy.fft.next_fast_len(binned.shape[1], real=True),
    )
    spectrum = scipy.fft.rfft2(binned, s=shape)
    spectrum *= scipy.fft.rfft2(stencil, s=shape)
    full = scipy.fft.irfft2(spectrum, s=shape)
    rows = slice(2 * pad_y, 2 * pad_y + (lattice.n_rows - 1) * k + 1, k)
    cols = slice(2 * pad_x, 2 * pad_x + (lattice.n_cols - 1) * k + 1, k)
    return np.ascontiguousarray(full[rows, cols])


def _direct(binned, stencil, lattice, k, pad):  # the linear convolution, written out
    pad_x, pad_y = pad
    out = np.zeros((lattice.n_rows, lattice.n_cols))
    sy, sx = stencil.shape
    for i in range(lattice.n_rows):
        for j in range(lattice.n_cols):
            r, c = 2 * pad_y + k * i, 2 * pad_x + k * j
            window = binned[r - sy + 1 : r + 1, c - sx + 1 : c + 1]
            out[i, j] = np.sum(window * stencil[::-1, ::-1])
    return out


def _even(stencil):  # even along each axis, as every radial kernel's stencil
    return stencil + stencil[::-1] + stencil[:, ::-1] + stencil[::-1, ::-1]


@pytest.mark.parametrize(
    ("n_rows", "n_cols", "k", "pad"),
    [(7, 9, 1, (2, 3)), (11, 6, 2, (3, 1)), (5, 13, 3, (4, 4)), (9, 8, 4, (1, 2))],
)
def test_decimated_convolution_equals_direct_sum_and_previous_engine(n_rows, n_cols, k, pad):
    rng = np.random.default_rng(n_rows * 100 + k)
    pad_x, pad_y = pad
    lattice = Lattice(0.0, 0.0, 1.0, 1.0, n_rows, n_cols)
    binned = rng.random(((n_rows - 1) * k + 1 + 2 * pad_y, (n_cols - 1) * k + 1 + 2 * pad_x))
    stencil = _even(rng.random((2 * pad_y + 1, 2 * pad_x + 1)))
    where = placement(binned.shape, pad, k)
    ours = convolve_at_nodes(
        place(binned, where), stencil_spectrum(stencil, where), where, (n_rows, n_cols)
    )
    tolerance = 1e-12 * np.abs(ours).max()
    for reference in (_direct, _previous):
        expected = reference(binned, stencil, lattice, k, pad)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=tolerance)


@pytest.mark.parametrize(("shape", "k"), [((41, 41), 1), ((30, 47), 2), ((25, 18), 3)])
def test_stencil_spectrum_is_the_scaled_transform_of_the_centred_stencil(shape, k):
    rng = np.random.default_rng(shape[0])
    stencil = _even(rng.random((9, 7)))
    where = placement(shape, (3, 4), k)
    centred = np.zeros((where.n_rows, where.n_cols))
    centred[np.ix_(np.arange(-4, 5) % where.n_rows, np.arange(-3, 4) % where.n_cols)] = stencil
    expected = scipy.fft.rfft2(centred) / k**2  # the decimation's factor, folded in
    ours = stencil_spectrum(stencil, where)
    assert ours.shape == (where.n_rows // 2 + 1, where.n_cols // 2 + 1)
    scale = np.abs(stencil).sum()
    np.testing.assert_allclose(ours, expected.real[: len(ours)], rtol=0, atol=1e-13 * scale)
    mirrored = np.concatenate([ours, ours[1 : where.n_rows - len(ours) + 1][::-1]])
    np.testing.assert_allclose(mirrored, expected.real, rtol=0, atol=1e-13 * scale)
    np.testing.assert_allclose(expected.imag, 0.0, rtol=0, atol=1e-13 * scale)


@pytest.mark.parametrize("binning", [linear_bin, cubic_bin])
@pytest.mark.parametrize("spread", ["raster", "padding"])
def test_binning_in_the_transform_layout_equals_placing_the_lattice(binning, spread):
    # Events in the west and south padding wrap around to the end of the transform.
    rng = np.random.default_rng(3)
    fine = Lattice(x0=-3.0, y0=5.0, dx=0.5, dy=0.75, n_rows=27, n_cols=33)
    pad = (4, 3)
    where = placement((fine.n_rows, fine.n_cols), pad, 2)
    low = (-3.0, 5.0) if spread == "padding" else (-3.0 + 0.5 * 5, 5.0 + 0.75 * 4)
    xy = rng.uniform(low, (-3.0 + 0.5 * 32, 5.0 + 0.75 * 26), size=(600, 2))
    weights = rng.gamma(2.0, size=len(xy))
    placed = binning(xy, weights, fine, where)
    assert placed.shape == (where.n_rows, where.n_cols)
    expected = place(binning(xy, weights, fine), where)
    np.testing.assert_allclose(placed, expected, rtol=0, atol=1e-12)


def _previous_fft_density(xy, weights, lattice, kernel, bandwidth, oversample):
    fine, pad_x, pad_y = _engines._refine(lattice, kernel_reach(kernel, bandwidth), oversample)
    binned = (cubic_bin if kernel in CUBIC_BINNED else linear_bin)(xy, weights, fine)
    stencil = _engines._stencil(kernel, bandwidth, fine, pad_x, pad_y)
    density = _previous(binned, stencil, lattice, oversample, (pad_x, pad_y))
    np.maximum(density, 0.0, out=density)
    density[density < 1e-12 * max(float(density.max()), 1e-300)] = 0.0
    return density


def _previous_window_mass(fine_inside, lattice, kernel, bandwidth, oversample):
    fine, pad_x, pad_y = _engines._refine(lattice, kernel_reach(kernel, bandwidth), oversample)
    stencil = _engines._stencil(kernel, bandwidth, fine, pad_x, pad_y)
    mass = _previous(fine_inside, stencil, lattice, oversample, (pad_x, pad_y))
    return np.clip(mass / float(stencil.sum()), 0.0, 1.0)


@pytest.mark.parametrize("kernel", ["quartic", "gaussian", "epanechnikov"])
@pytest.mark.parametrize("edge_correction", [False, True])
def test_kde_equals_the_previous_engine(kernel, edge_correction, monkeypatch):
    city = hs.synthetic_city(n_events=4_000, rng=2)
    options = {
        "bandwidth_m": 250,
        "cell_size_m": 70,
        "kernel": kernel,
        "method": "fft",
        "area": city.boundary,
        "edge_correction": edge_correction,
    }
    if kernel == "gaussian":  # cubic binning needs no oversampling here: ask for it
        options["oversample"] = 2
    ours = hs.kde(city.events, **options)
    assert ours.oversample > 1
    monkeypatch.setattr(_engine_plan, "fft_density", _previous_fft_density)
    monkeypatch.setattr(_engine_plan, "window_mass", _previous_window_mass)
    before = hs.kde(city.events, **options)
    np.testing.assert_allclose(ours.values, before.values, rtol=0, atol=1e-10 * before.peak)
    assert np.array_equal(np.isnan(ours.values), np.isnan(before.values))
