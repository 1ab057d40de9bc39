"""The fft engine's convolution: binned lattice times the kernel's spectrum, read at nodes.

The binned lattice is laid out for the transform with the first node read (the raster's
first node, ``pad`` nodes into the padded lattice) at index 0, so that the nodes read
sit at rows ``k i`` and columns ``k j``; nodes before it wrap around to the end, into
the transform's padding, which is never read. Binning writes straight into this layout.
The kernel's stencil is centred on index 0: a radial kernel is even along each axis,
so its spectrum is real and is summed as a cosine series over one quadrant.

The transforms use the number of threads set by ``scipy.fft.set_workers`` (one unless
set): ``with scipy.fft.set_workers(2): kde(...)`` uses two.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.fft
from numpy.typing import NDArray

__all__ = ["Placement", "convolve_at_nodes", "place", "placement", "stencil_spectrum"]

_SINGLE_THREAD_PRODUCT = 200_000  # OpenBLAS multiplies on one thread below 4 * 65536 MACs


@dataclass(frozen=True, slots=True)
class Placement:
    """The transform's shape and the fine-lattice node placed at its index ``(0, 0)``."""

    n_rows: int  # a multiple of ``k``
    n_cols: int
    row0: int
    col0: int
    k: int


def placement(fine_shape: tuple[int, int], pad: tuple[int, int], k: int) -> Placement:
    """Lay out a padded fine lattice of ``fine_shape`` for the transform.

    The transform's lengths are multiples of ``k`` of fast lengths that cover the fine
    lattice: the wrapped-around tail of the cyclic convolution then lands in the padding.
    """
    pad_x, pad_y = pad
    n_rows = k * scipy.fft.next_fast_len(-(-fine_shape[0] // k), real=True)
    n_cols = k * scipy.fft.next_fast_len(-(-fine_shape[1] // k), real=True)
    return Placement(n_rows=n_rows, n_cols=n_cols, row0=pad_y, col0=pad_x, k=k)


def place(values: NDArray[np.float64], where: Placement) -> NDArray[np.float64]:
    """Copy values on the fine lattice into the transform's layout (zeros elsewhere)."""
    out = np.zeros((where.n_rows, where.n_cols))
    r0, c0 = where.row0, where.col0
    top, left = values.shape[0] - r0, values.shape[1] - c0
    out[:top, :left] = values[r0:, c0:]
    out[:top, where.n_cols - c0 :] = values[r0:, :c0]
    out[where.n_rows - r0 :, :left] = values[:r0, c0:]
    out[where.n_rows - r0 :, where.n_cols - c0 :] = values[:r0, :c0]
    return out


def _cosines(n: int, count: int, m: int) -> NDArray[np.float64]:
    """``cos(2 pi f a / n)`` for frequencies ``f < count`` and offsets ``a < m``, (count, m)."""
    turns = np.outer(np.arange(count), np.arange(m)) % n  # exact: keeps the angle small
    return np.cos((2.0 * np.pi / n) * turns)


def stencil_spectrum(stencil: NDArray[np.float64], where: Placement) -> NDArray[np.float64]:
    """Real spectrum of a centred stencil even along each axis: rows ``0 .. n_rows // 2``.

    Divided by ``k**2``, the factor of reading every ``k``-th node along both axes.
    ``stencil`` has ``2 p + 1`` rows and columns, offsets ``-p .. p``; being even, its
    transform is ``sum K(a, b) cos(2 pi fy a / n_rows) cos(2 pi fx b / n_cols)``, summed
    over the quadrant ``a, b >= 0`` with doubled weights off the axes. Row frequencies
    above ``n_rows // 2`` equal those below (``fy`` and ``n_rows - fy``): not stored.
    """
    py, px = (stencil.shape[0] - 1) // 2, (stencil.shape[1] - 1) // 2
    quadrant = stencil[py:, px:] / (where.k * where.k)  # decimation's 1 / k per axis
    quadrant[1:, :] *= 2.0
    quadrant[:, 1:] *= 2.0
    n_fx = where.n_cols // 2 + 1
    half_rows = where.n_rows // 2 + 1
    along_x = quadrant @ _cosines(where.n_cols, n_fx, px + 1).T  # (py + 1, n_fx)
    cosines = _cosines(where.n_rows, half_rows, py + 1)
    out = np.empty((half_rows, n_fx))
    # Blocks of rows small enough that BLAS multiplies them on one thread: these products
    # are thin, and threaded BLAS on a busy machine spends more time waiting than working.
    block = max(1, _SINGLE_THREAD_PRODUCT // (n_fx * (py + 1)))
    for start in range(0, half_rows, block):  # a few hundred products of a few rows
        stop = min(start + block, half_rows)
        out[start:stop] = cosines[start:stop] @ along_x
    return out


def convolve_at_nodes(
    placed: NDArray[np.float64],
    spectrum: NDArray[np.float64],
    where: Placement,
    shape: tuple[int, int],
) -> NDArray[np.float64]:
    """Convolve a placed lattice by FFT and read the ``shape`` nodes ``(k i, k j)``.

    ``spectrum`` is the stencil's half, from :func:`stencil_spectrum`. Reading every ``k``-th
    row sums the spectrum's ``k`` row aliases (decimation in frequency); columns are
    decimated the same way, folding the half spectrum onto ``1/k`` of the frequencies
    (see :func:`_fold_columns`), so the inverse transform runs on ``1/k**2`` of the nodes.
    """
    k = where.k
    product = scipy.fft.rfft2(placed)
    half = spectrum.shape[0]  # rows 0 .. n_rows // 2; row fy above is row n_rows - fy
    product[:half] *= spectrum
    product[half:] *= spectrum[1 : where.n_rows - half + 1][::-1]
    if k > 1:  # rows k i only: sum the k aliases of each row frequency, in place
        m = where.n_rows // k
        for alias in range(1, k):
            product[:m] += product[alias * m : (alias + 1) * m]
        product = _fold_columns(product[:m], where.n_cols, k)
    shape_read = (where.n_rows // k, where.n_cols // k)
    full = scipy.fft.irfft2(product, s=shape_read)
    return full[: shape[0], : shape[1]]


def _fold_columns(half: NDArray[np.complex128], n: int, k: int) -> NDArray[np.complex128]:
    """Sum the ``k`` aliases of each column frequency of a real image's half spectrum.

    ``half`` holds row frequencies ``0 .. M - 1`` and column frequencies ``0 .. n // 2``
    of a real image ``n`` wide (a multiple of ``k``). Frequency ``(fy, fx)`` with ``fx``
    above ``n // 2`` is the conjugate of ``(-fy, n - fx)``: a run read backwards along
    the columns and with the rows reversed (row 0 stays), conjugated. The result holds
    column frequencies ``0 .. m // 2`` (``m = n / k``) of the image read every ``k``-th
    column, times ``k``. Slices only, no gather.
    """
    m = n // k
    width = m // 2 + 1
    out = half[:, :width].copy()  # alias 0: frequencies 0 .. m // 2 are all direct
    for alias in range(1, k):  # k is a small oversampling factor
        low = alias * m
        split = min(max(n // 2 - low + 1, 0), width)  # f < split: f + low <= n // 2
        if split:
            out[:, :split] += half[:, low : low + split]
        if split < width:  # frequency n - low - f, for f = split .. width - 1
            mirror = half[:, n - low - width + 1 : n - low - split + 1][:, ::-1]
            out[:1, split:] += np.conjugate(mirror[:1])  # row -fy at row fy
            out[1:, split:] += np.conjugate(mirror[:0:-1])
    return out
