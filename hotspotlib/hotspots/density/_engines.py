"""Array engines of the kernel density estimate: binned FFT and exact KD-tree sums.

Both work in metres on plain arrays and return densities per square metre at the nodes
of a regular :class:`Lattice` (or at arbitrary centres for the exact engine). Square
grids map one cell to one node; hexagonal grids map onto a lattice of half-cell columns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from hotspotlib._options import Kernel
from hotspotlib.hotspots.density._binning import cubic_bin, linear_bin
from hotspotlib.hotspots.density._fft_convolve import (
    convolve_at_nodes,
    place,
    placement,
    stencil_spectrum,
)
from hotspotlib.hotspots.density._kernels import kernel_reach, kernel_sd_factor, kernel_values

__all__ = [
    "BINS_PER_SD",
    "CUBIC_BINNED",
    "MAX_FINE_NODES",
    "Lattice",
    "bins_per_sd",
    "bounds_of",
    "binning_error_bound",
    "choose_oversample",
    "exact_density",
    "fft_density",
    "refined_lattice",
    "window_mass",
]

BINS_PER_SD: dict[str, float] = {
    "quartic": 12.0,
    "gaussian": 3.5,
    "epanechnikov": 16.0,
    "triangular": 16.0,
    "uniform": 16.0,
}
"""Bins per kernel standard deviation (per coordinate) that the fft engine aims for.

Linear binning moves each event's kernel by at most ``C / b**2`` of that kernel's peak,
``b`` being the bins per SD (measured worst case over positions in a bin): ``C = 1/8`` for
the quartic, so 12 bins keep every event within 1e-3 of its peak. The Gaussian, smooth,
is binned by cubic interpolation (:data:`CUBIC_BINNED`), off by at most ``0.15 / b**4``:
3.5 bins suffice. Kernels with a kink or a jump converge only like ``1 / b`` (see
:func:`binning_error_bound`); the exact engine is preferable for them.
"""

CUBIC_BINNED = frozenset({"gaussian"})
"""Kernels binned onto 4 x 4 nodes by cubic Lagrange weights, not 2 x 2 bilinear ones.

Cubic weights keep an event's moments up to the third along each axis, so the error is
of fourth order in the spacing for a smooth kernel. The quartic's second derivative jumps
at its rim, which limits any such scheme to second order: measured worst case at 3.5 bins
per SD 3.1e-3 of the peak (bilinear 9.9e-3, bilinear at twice the density 2.5e-3), so it
keeps bilinear binning.
"""

MAX_FINE_NODES = 2**23
"""Cap on the refined binning lattice (about 8.4 million nodes, ~200 MB of work arrays)."""

_PAIRS_PER_CHUNK = 4_000_000


@dataclass(frozen=True, slots=True)
class Lattice:
    """Regularly spaced nodes ``(x0 + col * dx, y0 + row * dy)``; row 0 is southernmost."""

    x0: float
    y0: float
    dx: float
    dy: float
    n_rows: int
    n_cols: int

    def nodes(self, rows: NDArray[np.int64], cols: NDArray[np.int64]) -> NDArray[np.float64]:
        """Coordinates of the given nodes as an ``(n, 2)`` array."""
        return np.column_stack([self.x0 + cols * self.dx, self.y0 + rows * self.dy])

    def distance_to_extent(self, xy: NDArray[np.float64]) -> NDArray[np.float64]:
        """Distance from each point to the rectangle spanned by the nodes (0 inside)."""
        x1 = self.x0 + (self.n_cols - 1) * self.dx
        y1 = self.y0 + (self.n_rows - 1) * self.dy
        gap_x = np.maximum(np.maximum(self.x0 - xy[:, 0], xy[:, 0] - x1), 0.0)
        gap_y = np.maximum(np.maximum(self.y0 - xy[:, 1], xy[:, 1] - y1), 0.0)
        return np.hypot(gap_x, gap_y)


def binning_error_bound(kernel: Kernel, bins_per_sd: float) -> float:
    """Worst-case error of one event's binned kernel, as a share of its peak."""
    b = max(bins_per_sd, 1e-9)
    if kernel == "quartic":
        return 1.0 / (8.0 * b * b)
    if kernel == "gaussian":  # cubic binning; measured 0.134 / b**4 at 5 bins, less below
        return min(1.0, 0.15 / b**4)
    if kernel == "epanechnikov":
        return min(1.0, 0.2 / b)
    if kernel == "triangular":
        return min(1.0, 0.1 / b)
    return 1.0  # uniform: a cell centre near the disc's rim can be in or out


def bins_per_sd(lattice: Lattice, kernel: Kernel, bandwidth: float, oversample: int) -> float:
    """Kernel SD (per coordinate) divided by the coarser spacing of the binning lattice."""
    return kernel_sd_factor(kernel) * bandwidth * oversample / max(lattice.dx, lattice.dy)


def bounds_of(xy: NDArray[np.float64]) -> tuple[float, float, float, float]:
    """Return ``(xmin, ymin, xmax, ymax)`` of an ``(n, 2)`` array.

    Column by column: reducing an ``(n, 2)`` array along axis 0 is far slower in numpy.
    """
    x, y = xy[:, 0], xy[:, 1]
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def choose_oversample(lattice: Lattice, kernel: Kernel, bandwidth: float) -> int:
    """Smallest refinement giving :data:`BINS_PER_SD` bins per kernel SD, within the cap."""
    sd = kernel_sd_factor(kernel) * bandwidth
    wanted = max(1, math.ceil(BINS_PER_SD[kernel] * max(lattice.dx, lattice.dy) / sd - 1e-9))
    reach = kernel_reach(kernel, bandwidth)
    for k in range(wanted, 1, -1):
        rows = (lattice.n_rows - 1) * k + 1 + 2 * (math.ceil(reach * k / lattice.dy) + 1)
        cols = (lattice.n_cols - 1) * k + 1 + 2 * (math.ceil(reach * k / lattice.dx) + 1)
        if rows * cols <= MAX_FINE_NODES:
            return k
    return 1


def _refine(lattice: Lattice, reach: float, k: int) -> tuple[Lattice, int, int]:
    """Build the binning lattice: ``k`` times finer, padded by the kernel's reach."""
    hx, hy = lattice.dx / k, lattice.dy / k
    pad_x, pad_y = math.ceil(reach / hx) + 1, math.ceil(reach / hy) + 1
    fine = Lattice(
        x0=lattice.x0 - pad_x * hx,
        y0=lattice.y0 - pad_y * hy,
        dx=hx,
        dy=hy,
        n_rows=(lattice.n_rows - 1) * k + 1 + 2 * pad_y,
        n_cols=(lattice.n_cols - 1) * k + 1 + 2 * pad_x,
    )
    return fine, pad_x, pad_y


def _stencil(
    kernel: Kernel, bandwidth: float, fine: Lattice, pad_x: int, pad_y: int
) -> NDArray[np.float64]:
    """Evaluate the kernel exactly at every node offset it can reach."""
    ox = np.arange(-pad_x, pad_x + 1) * fine.dx
    oy = np.arange(-pad_y, pad_y + 1) * fine.dy
    return kernel_values(kernel, oy[:, None] ** 2 + ox[None, :] ** 2, bandwidth)


def fft_density(
    xy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    lattice: Lattice,
    kernel: Kernel,
    bandwidth: float,
    oversample: int,
) -> NDArray[np.float64]:
    """Kernel density per square metre at every lattice node: linear binning + FFT.

    Events are binned (bilinearly, or by cubic weights for :data:`CUBIC_BINNED` kernels)
    onto a lattice ``oversample`` times finer than ``lattice`` (and padded by the
    kernel's reach, so events beyond the edge still count); the kernel is
    evaluated exactly at the fine node offsets; the convolution is read at the coarse nodes.
    Work is O(n) for binning plus O(N log N) in the number of fine nodes.
    """
    reach = kernel_reach(kernel, bandwidth)
    fine, pad_x, pad_y = _refine(lattice, reach, oversample)
    where = placement((fine.n_rows, fine.n_cols), (pad_x, pad_y), oversample)
    binned = (cubic_bin if kernel in CUBIC_BINNED else linear_bin)(xy, weights, fine, where)
    spectrum = stencil_spectrum(_stencil(kernel, bandwidth, fine, pad_x, pad_y), where)
    density = convolve_at_nodes(binned, spectrum, where, (lattice.n_rows, lattice.n_cols))
    # Round-off of the transform leaves values of order 1e-16 * peak where there is no
    # kernel at all; a zero there keeps "no event within reach" exactly zero.
    np.maximum(density, 0.0, out=density)
    density[density < 1e-12 * max(float(density.max()), 1e-300)] = 0.0
    return density


def exact_density(
    xy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    centres: NDArray[np.float64],
    kernel: Kernel,
    bandwidth: float,
) -> NDArray[np.float64]:
    """Kernel density per square metre at each centre: the exact sum over events in reach.

    Pairs of (event, centre) within the kernel's reach come from two KD-trees, in chunks
    of events so that memory stays bounded.
    """
    reach = kernel_reach(kernel, bandwidth)
    out = np.zeros(len(centres))
    if len(centres) == 0 or len(xy) == 0:
        return out
    cell_tree = cKDTree(centres)
    xmin, ymin, xmax, ymax = bounds_of(centres)
    spread = np.array([xmax - xmin, ymax - ymin]) + 2 * reach
    cells_per_event = max(1.0, len(centres) * math.pi * reach**2 / max(spread.prod(), 1e-300))
    chunk = max(1, int(_PAIRS_PER_CHUNK / cells_per_event))
    for start in range(0, len(xy), chunk):  # bounded memory: a few chunks of events
        part = xy[start : start + chunk]
        pairs = cKDTree(part).sparse_distance_matrix(cell_tree, reach, output_type="ndarray")
        if len(pairs) == 0:
            continue
        values = kernel_values(kernel, pairs["v"] ** 2, bandwidth)
        if weights is not None:
            values *= weights[start : start + chunk][pairs["i"]]
        out += np.bincount(pairs["j"], values, minlength=len(centres))
    return out


def window_mass(
    fine_inside: NDArray[np.float64],
    lattice: Lattice,
    kernel: Kernel,
    bandwidth: float,
    oversample: int,
) -> NDArray[np.float64]:
    """Share of a kernel centred on each node that falls inside the study area.

    ``fine_inside`` is the share of each bin of the refined, padded lattice (see
    :func:`refined_lattice`) inside the area; the kernel mass inside is the kernel-weighted
    mean of those shares, exactly 1 wherever the kernel lies wholly inside.
    """
    fine, pad_x, pad_y = _refine(lattice, kernel_reach(kernel, bandwidth), oversample)
    stencil = _stencil(kernel, bandwidth, fine, pad_x, pad_y)
    where = placement((fine.n_rows, fine.n_cols), (pad_x, pad_y), oversample)
    placed = place(np.asarray(fine_inside, dtype=float), where)
    spectrum = stencil_spectrum(stencil, where)
    mass = convolve_at_nodes(placed, spectrum, where, (lattice.n_rows, lattice.n_cols))
    return np.clip(mass / float(stencil.sum()), 0.0, 1.0)


def refined_lattice(lattice: Lattice, kernel: Kernel, bandwidth: float, oversample: int) -> Lattice:
    """Return the padded binning lattice of :func:`fft_density` and :func:`window_mass`."""
    return _refine(lattice, kernel_reach(kernel, bandwidth), oversample)[0]
