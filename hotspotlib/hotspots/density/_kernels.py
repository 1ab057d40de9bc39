"""Radial kernels of a 2-D density estimate, normalised to integrate to 1 per event.

Every kernel is written as a function of ``s = d**2 / b**2`` where ``d`` is the distance
from the event and ``b`` the bandwidth: the search radius of a compact kernel, the standard
deviation of the Gaussian. Values are per square metre (divide by ``b**2``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from hotspotlib._options import Kernel

__all__ = [
    "GAUSSIAN_TRUNCATION",
    "kernel_peak",
    "kernel_reach",
    "kernel_sd_factor",
    "kernel_values",
]

GAUSSIAN_TRUNCATION = 5.0
"""The Gaussian kernel is cut off at this many standard deviations (mass lost 3.7e-6)."""

# Per-coordinate standard deviation of each kernel, as a multiple of its bandwidth. For a
# radial density p(u) on the unit disc, the coordinate variance is E[u**2] / 2.
_SD_FACTOR: dict[str, float] = {
    "quartic": 1.0 / math.sqrt(8.0),
    "epanechnikov": 1.0 / math.sqrt(6.0),
    "triangular": math.sqrt(3.0 / 20.0),
    "uniform": 0.5,
    "gaussian": 1.0,
}

# Value at the event, times b**2: the normalising constants that make each kernel
# integrate to 1 over the plane.
_PEAK: dict[str, float] = {
    "quartic": 3.0 / math.pi,
    "epanechnikov": 2.0 / math.pi,
    "triangular": 3.0 / math.pi,
    "uniform": 1.0 / math.pi,
    "gaussian": 1.0 / (2.0 * math.pi),
}


def kernel_sd_factor(kernel: Kernel) -> float:
    """Per-coordinate standard deviation of ``kernel`` divided by its bandwidth.

    Examples
    --------
    >>> round(kernel_sd_factor("quartic"), 6)
    0.353553
    """
    return _SD_FACTOR[kernel]


def kernel_reach(kernel: Kernel, bandwidth: float) -> float:
    """Distance beyond which ``kernel`` is zero (the radius, or the Gaussian cut-off).

    Examples
    --------
    >>> kernel_reach("quartic", 100.0), kernel_reach("gaussian", 100.0)
    (100.0, 500.0)
    """
    return bandwidth * (GAUSSIAN_TRUNCATION if kernel == "gaussian" else 1.0)


def kernel_peak(kernel: Kernel, bandwidth: float) -> float:
    """Value of one event's kernel at the event, per square metre.

    Examples
    --------
    >>> round(kernel_peak("quartic", 100.0) * 1e6, 3)  # 3 / (pi r^2) per km^2
    95.493
    """
    return _PEAK[kernel] / (bandwidth * bandwidth)


def kernel_values(
    kernel: Kernel, squared_distance: NDArray[np.float64], bandwidth: float
) -> NDArray[np.float64]:
    """Evaluate ``kernel`` at squared distances (square metres), per square metre.

    Compact kernels are zero at and beyond the bandwidth; the Gaussian is zero beyond
    :data:`GAUSSIAN_TRUNCATION` standard deviations.

    Examples
    --------
    >>> import numpy as np
    >>> r = 10.0
    >>> v = kernel_values("quartic", np.array([0.0, (r / 2) ** 2, r**2]), r)
    >>> np.round(v / (3 / (np.pi * r**2)), 4).tolist()
    [1.0, 0.5625, 0.0]
    """
    s = np.asarray(squared_distance, dtype=float) / (bandwidth * bandwidth)
    scale = _PEAK[kernel] / (bandwidth * bandwidth)
    if kernel == "gaussian":
        limit = GAUSSIAN_TRUNCATION * GAUSSIAN_TRUNCATION
        return np.where(s < limit, scale * np.exp(-0.5 * s), 0.0)
    inside = s < 1.0
    t = np.where(inside, 1.0 - s, 0.0)
    if kernel == "quartic":
        profile = t * t
    elif kernel == "epanechnikov":
        profile = t
    elif kernel == "triangular":
        profile = np.where(inside, 1.0 - np.sqrt(np.minimum(s, 1.0)), 0.0)
    else:  # uniform
        profile = inside.astype(float)
    return scale * profile
