"""knox_test's permutation step: each chunk's tables are its own seed's permutations."""

from __future__ import annotations

import numpy as np
import pytest

from hotspotlib._chunk_map import chunk_seeds
from hotspotlib.metrics import knox_test
from hotspotlib.metrics._knox import gap_plan, list_pairs, time_band_totals
from hotspotlib.metrics.near_repeat import _permuted_tables

from .test_near_repeat import brute_table, make_events


@pytest.mark.parametrize("nrc", [False, True])
@pytest.mark.parametrize("whole_days", [True, False])
def test_each_permuted_table_is_the_brute_force_table_of_its_permutation(
    nrc: bool, whole_days: bool
) -> None:
    rng = np.random.default_rng(11)
    xy = rng.integers(0, 30, size=(90, 2)) * 10.0
    days = rng.integers(0, 40, size=90).astype(float)
    if not whole_days:
        days += 0.5 * rng.random(90)
    spatial, temporal = np.array([40.0, 80.0]), np.array([3.0, 7.0])
    pairs = list_pairs(xy, spatial, p=2.0, nrc=nrc)
    plan = gap_plan(days, temporal, pairs, nrc=nrc, whole_days=whole_days)
    totals = time_band_totals(days, temporal, nrc=nrc)
    seed = np.random.SeedSequence(5)
    tables = _permuted_tables((3, seed), pairs=pairs, plan=plan, totals=totals)
    generator = np.random.default_rng(seed)
    assert tables.shape[0] == 3
    for table in tables:
        order = generator.permutation(len(days))
        expected = brute_table(xy, days[order], list(spatial), list(temporal), nrc=nrc)
        np.testing.assert_array_equal(table, expected)


def test_simulated_tables_are_the_permuted_tables_of_the_chunk_seeds() -> None:
    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 500, size=(200, 2))
    days = rng.integers(0, 60, size=200)
    kwargs = {"time": "t", "spatial_bands_m": [50, 100], "temporal_bands_days": [3]}
    result = knox_test(make_events(xy, days), n_permutations=23, rng=9, **kwargs)
    spatial, temporal = np.array([50.0, 100.0]), np.array([3.0])
    pairs = list_pairs(xy, spatial, p=2.0, nrc=False)
    plan = gap_plan(days - days.min(), temporal, pairs, nrc=False, whole_days=True)
    totals = time_band_totals(days.astype(float), temporal, nrc=False)
    shared = {"pairs": pairs, "plan": plan, "totals": totals}
    chunks = zip([23], chunk_seeds(9, 1), strict=True)  # 23 permutations fit in one chunk
    expected = np.concatenate([_permuted_tables(chunk, **shared) for chunk in chunks])
    np.testing.assert_array_equal(result.simulated, expected)
