"""count_events: arithmetic binning against a geopandas spatial join."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import shapely

import hotspotlib as hs
from benchmarks._timing import median_seconds, report


def _case(n_events: int, n_side: int, rng: np.random.Generator) -> dict[str, Any]:
    area = gpd.GeoSeries([shapely.box(0, 0, 100.0 * n_side, 100.0 * n_side)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100, max_cells=2_000_000)
    xy = rng.uniform(0, 100.0 * n_side, size=(n_events, 2))
    events = gpd.GeoDataFrame(
        {"harm": rng.exponential(10, n_events)},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    ours = median_seconds(lambda: hs.count_events(events, grid, weights="harm"), repeat=3)
    sample = events.iloc[:100_000]
    peer = median_seconds(
        lambda: gpd.sjoin(sample, grid.cells, predicate="within"), repeat=1, warmup=0
    )
    peer_scaled = peer * n_events / len(sample)
    return {
        "events": n_events,
        "cells": grid.n_cells,
        "hotspotlib_s": ours,
        "sjoin_s (scaled from 100k)": peer_scaled,
        "speed-up": peer_scaled / ours,
        "target": "<= 1 s at 1M events x 1M cells",
    }


def main() -> None:
    rng = np.random.default_rng(0)
    rows = [_case(1_000_000, 1_000, rng), _case(100_000, 100, rng)]
    report("count_events vs geopandas.sjoin", rows)


if __name__ == "__main__":
    main()
