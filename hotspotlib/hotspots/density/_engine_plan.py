"""Running the kernel density engines: which engine, how fine, and the raster it gives."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._options import Kernel
from hotspotlib._validation import require_allocation, require_grid_size
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.hotspots.density._engines import (
    BINS_PER_SD,
    MAX_FINE_NODES,
    binning_error_bound,
    bins_per_sd,
    choose_oversample,
    exact_density,
    fft_density,
    refined_lattice,
    window_mass,
)
from hotspotlib.hotspots.density._kernels import kernel_reach
from hotspotlib.hotspots.density._layout import Layout
from hotspotlib.hotspots.density._polygon_cover import polygon_node_cover

__all__ = ["choose_engine", "estimate"]

_EXACT_PAIRS = 2_000_000  # "auto": below this many (event, cell) pairs the exact sum is cheap
_EXACT_PAIRS_ROUGH = 20_000_000  # ... and for kernels with a kink or jump, which bin poorly
_FFT_BYTES_PER_NODE = 48  # binned lattice, stencil, spectrum and result per padded node
_MAX_EXACT_PAIRS = 5e10  # the exact sum's time bound (chunked: memory stays bounded)
_ROUGH_KERNELS = ("epanechnikov", "triangular", "uniform")
CAPPED_BOUND_WARNING = 5e-3
"""A default oversampling cut by the fine-node cap warns when its error bound exceeds this.

The fft engine aims at 1e-3 of each kernel's peak (:data:`BINS_PER_SD`); a raster too
large for that refinement within :data:`MAX_FINE_NODES` is binned more coarsely.
"""


def choose_engine(
    n_near: int,
    layout: Layout,
    kernel: Kernel,
    bandwidth: float,
    *,
    method: str,
    oversample: int | None,
    max_cells: int,
) -> tuple[str, int]:
    """Return the engine (``"exact"`` or ``"fft"``) and the fft oversampling; refuse huge work."""
    lattice = layout.lattice
    reach = kernel_reach(kernel, bandwidth)
    n_raster = layout.n_rows * layout.n_cols
    pairs = n_near * min(math.pi * reach * reach / layout.cell_area_m2, n_raster)
    coarse = refined_lattice(lattice, kernel, bandwidth, 1)  # the smallest FFT lattice
    fft_nodes = float(coarse.n_rows) * float(coarse.n_cols)
    fft_limit = max(max_cells, MAX_FINE_NODES)
    engine = method
    if engine == "auto":
        cheap = _EXACT_PAIRS_ROUGH if kernel in _ROUGH_KERNELS else _EXACT_PAIRS
        exact_ok = oversample is None and (pairs <= cheap or fft_nodes > fft_limit)
        engine = "exact" if exact_ok else "fft"
    if engine == "fft":
        require_allocation(
            fft_nodes,
            _FFT_BYTES_PER_NODE,
            name="bandwidth_m",
            what=f"FFT lattice nodes ({bandwidth:,.6g} m pads it by the kernel's reach to "
            f"{coarse.n_rows:,} x {coarse.n_cols:,})",
            max_bytes=fft_limit * _FFT_BYTES_PER_NODE,
            fix=f"Use `method='exact'` (about {pairs:,.0f} event-cell pairs), a smaller "
            "`bandwidth_m`, or raise `max_cells`.",
        )
    if engine == "exact" and pairs > _MAX_EXACT_PAIRS:
        raise ValueError(
            f"`bandwidth_m` = {bandwidth:,.6g} m over {n_near:,} events and "
            f"{n_raster:,} cells needs about {pairs:,.3g} event-cell pairs for the exact "
            f"sum (over {_MAX_EXACT_PAIRS:,.0g}; hours of work). Use a smaller `bandwidth_m`, "
            "a larger cell size, or fewer events."
        )
    k = oversample if oversample is not None else choose_oversample(lattice, kernel, bandwidth)
    if oversample is None and engine == "fft":
        _warn_if_capped(lattice, kernel, bandwidth, k)
    if oversample is not None and engine == "fft":
        fine = refined_lattice(lattice, kernel, bandwidth, k)
        require_grid_size(
            fine.n_rows * fine.n_cols, max_cells=max(max_cells, MAX_FINE_NODES), name="oversample"
        )
    return engine, k


def _warn_if_capped(lattice: Any, kernel: Kernel, bandwidth: float, k: int) -> None:
    """Warn when the fine-node cap cut the default oversampling below its accuracy aim."""
    bound = binning_error_bound(kernel, bins_per_sd(lattice, kernel, bandwidth, k))
    aim = binning_error_bound(kernel, BINS_PER_SD[kernel])
    if bound <= max(CAPPED_BOUND_WARNING, aim):
        return
    warnings.warn(
        f"kde: the raster is too large to bin events {BINS_PER_SD[kernel]:g} times per "
        f"kernel SD within {MAX_FINE_NODES:,} fine nodes, so the fft engine bins at "
        f"oversample={k}: each event's kernel may be off by up to {bound:.2%} of its "
        f"peak (aim {aim:.2%}). For the exact sum pass `method='exact'`; to accept the "
        f"bound pass `oversample={k}`; or use a larger `cell_size_m` or a smaller area.",
        HotspotlibWarning,
        stacklevel=4,
    )


def estimate(
    xy: NDArray[np.float64],
    w: NDArray[np.float64] | None,
    layout: Layout,
    kernel: Kernel,
    bandwidth: float,
    *,
    engine: str,
    oversample: int,
    window: Any,
) -> NDArray[np.float64]:
    """Return densities per square metre on the raster (NaN off the surface).

    Edge-corrected when a study area ``window`` is given.
    """
    lattice = layout.lattice
    if engine == "exact":
        at_cells = exact_density(xy, w, layout.centres(), kernel, bandwidth)
        raster = layout.scatter(at_cells)
    else:
        raster = layout.from_lattice(fft_density(xy, w, lattice, kernel, bandwidth, oversample))
    if window is not None:
        fine = refined_lattice(lattice, kernel, bandwidth, oversample)
        fine_inside = polygon_node_cover(window, fine)
        mass = layout.from_lattice(window_mass(fine_inside, lattice, kernel, bandwidth, oversample))
        with np.errstate(divide="ignore", invalid="ignore"):
            raster = np.where(mass > 1e-9, raster / mass, np.nan)
    return raster
