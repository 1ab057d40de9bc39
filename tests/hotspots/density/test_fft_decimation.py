"""The fft engine's decimated convolution equals the previous full-lattice engine to 1e-10."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.fft

import hotspotlib as hs
from hotspotlib.hotspots.density import _engines
from hotspotlib.hotspots.density._engines import Lattice, _convolve_at_nodes


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


@pytest.mark.parametrize(
    ("n_rows", "n_cols", "k", "pad"),
    [(7, 9, 1, (2, 3)), (11, 6, 2, (3, 1)), (5, 13, 3, (4, 4)), (9, 8, 4, (1, 2))],
)
def test_decimated_convolution_equals_direct_sum_and_previous_engine(n_rows, n_cols, k, pad):
    rng = np.random.default_rng(n_rows * 100 + k)
    pad_x, pad_y = pad
    lattice = Lattice(0.0, 0.0, 1.0, 1.0, n_rows, n_cols)
    binned = rng.random(((n_rows - 1) * k + 1 + 2 * pad_y, (n_cols - 1) * k + 1 + 2 * pad_x))
    stencil = rng.random((2 * pad_y + 1, 2 * pad_x + 1))
    ours = _convolve_at_nodes(binned, stencil, lattice, k, pad)
    tolerance = 1e-12 * np.abs(ours).max()
    for reference in (_direct, _previous):
        expected = reference(binned, stencil, lattice, k, pad)
        np.testing.assert_allclose(ours, expected, rtol=0, atol=tolerance)


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
    monkeypatch.setattr(_engines, "_convolve_at_nodes", _previous)
    before = hs.kde(city.events, **options)
    np.testing.assert_allclose(ours.values, before.values, rtol=0, atol=1e-10 * before.peak)
    assert np.array_equal(np.isnan(ours.values), np.isnan(before.values))
