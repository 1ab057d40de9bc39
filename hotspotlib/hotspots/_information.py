"""Refuse or flag results that carry no information: every unit an island, all zero."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.spatial import cKDTree

from hotspotlib._warnings import HotspotlibWarning

_WARN_SHARE = 0.1  # warn when more than this share of the units are islands


def smallest_linking_distance(xy: NDArray[np.float64]) -> float:
    """Return the smallest distance band that gives every point at least one neighbour."""
    if len(xy) < 2:
        return float("nan")
    distance, _ = cKDTree(xy).query(xy, k=2)
    return float(np.max(distance[:, 1]))


def check_islands(
    island: NDArray[Any],
    *,
    centroids: Any,
    distance_m: float | None,
    description: str,
    function: str,
) -> None:
    """Raise when every unit is an island; warn with counts when over a tenth are.

    ``centroids`` is a zero-argument callable giving the units' centres (only called
    when there are islands).
    """
    isolated = np.asarray(island, dtype=bool)
    n_islands, n_units = int(isolated.sum()), isolated.size
    if n_islands == 0 or n_islands <= _WARN_SHARE * n_units:
        return  # a few islands: counted in the result (n_islands) and its summary
    linking = smallest_linking_distance(np.asarray(centroids(), dtype=float))
    if distance_m is not None:
        cause = f"within `distance_m` = {distance_m:g} m"
        fix = (
            f"Pass `distance_m` >= {linking:,.6g} (the smallest distance that gives every "
            "unit a neighbour)"
        )
    else:
        cause = f"under `spatial_weights` ({description})"
        fix = (
            f"Use other `spatial_weights`, or a distance band: `distance_m` >= "
            f"{linking:,.6g} gives every unit a neighbour"
        )
    if n_islands == n_units:
        raise ValueError(
            f"{function}: every one of the {n_units:,} units has no neighbour {cause}, so "
            f"every statistic would be NaN. {fix}."
        )
    warnings.warn(
        f"{function}: {n_islands:,} of {n_units:,} units have no neighbour {cause}; their "
        f"statistics are NaN (bin 0). {fix}.",
        HotspotlibWarning,
        stacklevel=3,
    )
