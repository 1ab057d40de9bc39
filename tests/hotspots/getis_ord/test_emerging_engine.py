"""The emerging engine by distinct codes equals the previous per-bin engine bit for bit.

The previous engine (``benchmarks/_emerging_previous.py``) computes Gi* from full-size
neighbourhood sums, Benjamini-Hochberg by ``adjust_pvalues`` over the cube, and S by
comparing every pair of steps. z, p, q, the trend and the patterns must be identical.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import hotspotlib as hs
from benchmarks._emerging_previous import previous_bin_scores, previous_mann_kendall
from hotspotlib._multiple_testing import fdr_of_distinct
from hotspotlib.hotspots.getis_ord._cube_scores import cube_scores
from hotspotlib.hotspots.getis_ord.patterns import classify_patterns
from hotspotlib.hotspots.grid.lattice import subgrid
from hotspotlib.hotspots.grid.make import make_grid
from hotspotlib.hotspots.inference import adjust_pvalues


def _cube(rng: np.random.Generator, steps: int, occupied_only: bool):
    area = gpd.GeoSeries([shapely.box(0, 0, 1_300, 900)], crs=27700)
    grid = make_grid(area, cell_size_m=100)
    rate = rng.gamma(0.4, 1.0, grid.n_cells)[None, :] * np.linspace(0.5, 2, steps)[:, None]
    cube = rng.poisson(rate).astype(np.int64)
    if occupied_only:  # as without an area: lone cells become islands (NaN z)
        keep = rng.random(grid.n_cells) < 0.35
        keep[0] = True
        cube[:, 0] = rng.poisson(3.0, steps)
        grid, cube = subgrid(grid, keep), cube[:, keep]
    return grid, cube


CASES = [  # (steps, band, window, direction, occupied only)
    (12, 150.0, 1, "both", False),
    (9, 100.0, 0, "both", True),
    (30, 250.0, 2, "previous", False),
    (7, 150.0, 3, "previous", True),
]


@pytest.mark.parametrize(("steps", "band", "window", "direction", "occupied"), CASES)
@pytest.mark.parametrize("table_limit", [None, 0])  # dense table, or distinct codes by sort
def test_cube_scores_equal_the_previous_engine(
    steps, band, window, direction, occupied, table_limit
):
    rng = np.random.default_rng(steps)
    grid, cube = _cube(rng, steps, occupied)
    x = cube.astype(float).ravel()
    scores = cube_scores(grid, cube, x, band, window, direction, table_limit=table_limit)
    z, p, q = previous_bin_scores(grid, cube, band, window, direction)
    np.testing.assert_array_equal(scores.gather(scores.z_table), z)
    np.testing.assert_array_equal(scores.gather(scores.p_table), p)
    np.testing.assert_array_equal(scores.gather(scores.q_table), q)
    labels, nonfinite = scores.labels()
    np.testing.assert_array_equal(nonfinite, np.isnan(z).any(axis=0))
    assert occupied == bool(nonfinite.any())  # the lone cells' z are NaN
    finite = ~nonfinite
    order = np.argsort(z[:, finite], axis=None, kind="stable")
    ranked = labels[:, finite].ravel()[order]
    assert (np.diff(ranked) >= 0).all()  # labels order the z-scores
    values = z[:, finite].ravel()[order]
    np.testing.assert_array_equal(np.diff(ranked) == 0, np.diff(values) == 0)


def test_fdr_of_distinct_equals_adjust_pvalues_on_repeated_values():
    rng = np.random.default_rng(3)
    p = np.append(rng.choice(rng.random(40), 30, replace=False), [np.nan, 0.0, 1.0, 0.5])
    counts = rng.integers(0, 5, p.size)
    repeated = np.repeat(p, counts)
    expected = adjust_pvalues(repeated, method="fdr_bh")
    np.testing.assert_array_equal(np.repeat(fdr_of_distinct(p, counts), counts), expected)


def _daily_events(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    xy = np.vstack([rng.uniform(0, 3_000, (n // 2, 2)), rng.normal(1_500, 200, (n // 2, 2))])
    rising = np.sqrt(rng.random(n // 2))  # the cluster grows through the window
    day = np.concatenate([rng.random(n // 2), rising]) * 120
    when = pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")
    points = gpd.points_from_xy(*np.clip(xy, 1, 2_999).T)
    return gpd.GeoDataFrame({"timestamp": when}, geometry=points, crs=27700)


@pytest.mark.parametrize(("area_given", "fdr"), [(True, True), (False, True), (True, False)])
def test_emerging_hotspots_equal_the_previous_engine(area_given, fdr):
    rng = np.random.default_rng(11)
    events = _daily_events(20_000, rng)
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 3_000, 3_000)], crs=27700)
    options = {"interval": "D", "cell_size_m": 100, "distance_m": 150}
    result = hs.emerging_hotspots(events, area=area if area_given else None, fdr=fdr, **options)
    grid = make_grid(area, cell_size_m=100)
    if not area_given:
        grid = subgrid(grid, np.isin(grid.cells.index, result.locations.index))
    cube = np.asarray(result.count)
    z, p, q = previous_bin_scores(grid, cube, 150.0, 1, "both")
    np.testing.assert_array_equal(result.z_score, z)
    np.testing.assert_array_equal(result.p_value, p)
    np.testing.assert_array_equal(result.q_value, q)
    trend = previous_mann_kendall(z.T)
    np.testing.assert_array_equal(result.trend_z, trend["z_score"])
    np.testing.assert_array_equal(result.trend_p, trend["p_value"])
    np.testing.assert_array_equal(result.trend_tau, trend["tau"])
    significant = (q if fdr else p) <= 0.05
    hot, cold = (significant & (z > 0)).T, (significant & (z < 0)).T
    patterns = classify_patterns(hot, cold, trend["z_score"], trend["p_value"], alpha=0.05)
    np.testing.assert_array_equal(result.pattern, patterns)
    np.testing.assert_array_equal(result.n_hot, hot.sum(axis=1))
    assert (np.asarray(result.pattern) != "no pattern detected").sum() > 10
