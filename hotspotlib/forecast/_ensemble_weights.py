"""How the ensemble scores its members and picks their weights on validation windows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib.forecast._members import hit_rates, member_scores, normalise

Method = Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]


def run_members(
    members: dict[str, Method],
    train: gpd.GeoDataFrame,
    origin: pd.Timestamp,
    n_cells: int,
    combine: str,
) -> NDArray[np.float64]:
    """(methods, cells) normalised scores of every member trained on ``train``."""
    rows = [
        normalise(member_scores(name, method(train, origin), n_cells), combine, name)
        for name, method in members.items()  # a handful of methods
    ]
    return np.vstack(rows)


def validation_windows(
    members: dict[str, Method],
    train: gpd.GeoDataFrame,
    stamps: pd.Series,
    cell: NDArray[np.int64],
    moment: pd.Timestamp,
    span: pd.Timedelta,
    n_windows: int,
    n_cells: int,
    combine: str,
) -> tuple[list[tuple[NDArray[np.float64], NDArray[np.float64]]], int]:
    """Members' scores and the observed counts on each window before the origin.

    A window with no earlier event or no event in the cells is skipped (and counted).
    """
    windows: list[tuple[NDArray[np.float64], NDArray[np.float64]]] = []
    skipped = 0
    for k in range(n_windows, 0, -1):  # a handful of validation windows
        start = moment - k * span
        earlier = (stamps < start).to_numpy()
        inside = (stamps >= start).to_numpy() & (stamps < start + span).to_numpy()
        observed = np.bincount(cell[inside & (cell >= 0)], minlength=n_cells).astype(float)
        if not earlier.any() or observed.sum() == 0:
            skipped += 1
            continue
        windows.append((run_members(members, train[earlier], start, n_cells, combine), observed))
    return windows, skipped


def best_weights(
    candidates: NDArray[np.float64],
    windows: list[tuple[NDArray[np.float64], NDArray[np.float64]]],
    size: NDArray[np.float64],
    shares: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], float]:
    """Pick the weights with the best mean hit rate over the windows (ties: nearest equal).

    Returns the weights, each member's own mean hit rate and the ensemble's.
    """
    objective = np.zeros(len(candidates))
    single = np.zeros(candidates.shape[1])
    for scored, observed in windows:
        objective += hit_rates(candidates @ scored, observed, size, shares).mean(axis=1)
        single += hit_rates(scored, observed, size, shares).mean(axis=1)
    objective /= len(windows)
    distance = np.abs(candidates - 1.0 / candidates.shape[1]).sum(axis=1)
    best = np.lexsort((distance, -np.round(objective, 12)))[0]
    return candidates[best], single / len(windows), float(objective[best])
