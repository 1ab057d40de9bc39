"""Gi* on real crime: Chicago residential burglaries (shared data; skipped when absent)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs

_ROOT = Path(__file__).resolve().parents[3]
# ../shared/data beside the project (or beside the folder of work trees)
CHICAGO = next(
    (
        folder / "shared" / "data" / "chicago_burglary_2014_2017.csv"
        for folder in (_ROOT.parent, _ROOT.parent.parent)
        if (folder / "shared" / "data" / "chicago_burglary_2014_2017.csv").exists()
    ),
    _ROOT.parent / "shared" / "data" / "chicago_burglary_2014_2017.csv",
)

pytestmark = [
    pytest.mark.shared_data,
    pytest.mark.slow,
    pytest.mark.skipif(not CHICAGO.exists(), reason="shared Chicago burglary file absent"),
]


@pytest.fixture(scope="module")
def burglaries() -> gpd.GeoDataFrame:
    table = pd.read_csv(CHICAGO)
    table["date"] = pd.to_datetime(table["date_single"], format="%d/%m/%Y")
    table = table[table["date"].dt.year == 2016]
    return gpd.GeoDataFrame(
        table[["date"]], geometry=gpd.points_from_xy(table["x"], table["y"]), crs=26971
    )


def test_grid_and_sparse_paths_agree_on_real_counts(burglaries):
    grid = hs.make_grid(burglaries, cell_size_m=500)
    counts = hs.count_events(burglaries, grid)
    fast = hs.gi_star(counts, distance_m=1_000)
    slow = hs.gi_star(counts.to_frame(), value="count", distance_m=1_000)
    np.testing.assert_array_equal(fast.z_score, slow.z_score)
    assert (fast.bin == 3).sum() > 10


def test_optimized_hotspots_on_real_burglaries(burglaries):
    result = hs.optimized_hotspots(burglaries)
    assert result.n_events == len(burglaries) == 11_701
    assert (result.gi.bin == 3).any() and result.distance_m > 0
    assert result.cell_size_m > 0 and result.cell_size_rule
