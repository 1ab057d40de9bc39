"""The scale choices of :func:`optimized_hotspots`.

Outlying locations, the cell size and the fallback distance band, as ArcGIS's
Optimized Hot Spot Analysis documents them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from hotspotlib._validation import require_positive


def _locational_outliers(xy: NDArray[np.float64]) -> NDArray[np.bool_]:
    locations, where = np.unique(xy, axis=0, return_inverse=True)
    if len(locations) < 3:
        return np.zeros(len(xy), dtype=bool)
    distance, _ = cKDTree(locations).query(locations, k=2)
    nearest = distance[:, 1]
    outlying = nearest > nearest.mean() + 3.0 * nearest.std()
    return np.asarray(outlying[where.ravel()])


def _round_two_figures(value: float) -> float:
    digits = 1 - int(math.floor(math.log10(value)))
    return float(round(value, digits))


def _cell_size(xy: NDArray[np.float64], cell_size_m: Any) -> tuple[float, str]:
    """Return the cell size (given, or from the extent and spacing of the incidents)."""
    if cell_size_m is not None:
        return require_positive(cell_size_m, name="cell_size_m"), "given"
    locations = np.unique(xy, axis=0)
    extent = float(np.ptp(locations, axis=0).max())
    distance, _ = cKDTree(locations).query(locations, k=2)
    nearest = float(distance[:, 1].mean())
    raw = max(extent / 100.0, 2.0 * nearest)
    size = _round_two_figures(raw)
    which = "extent / 100" if extent / 100.0 >= 2.0 * nearest else "2 x mean NN distance"
    return size, (
        f"max(longer side of extent / 100 = {extent / 100:.4g} m, 2 x mean nearest-neighbour "
        f"distance between distinct locations = {2 * nearest:.4g} m), outliers excluded: "
        f"{which}, two figures"
    )


def _fallback_distance(centres: NDArray[np.float64]) -> tuple[float, int]:
    n = len(centres)
    k = int(np.clip(round(0.05 * n), 3, 30))
    k = min(k, n - 1)
    distance, _ = cKDTree(centres).query(centres, k=k + 1)
    return float(distance[:, k].mean()), k
