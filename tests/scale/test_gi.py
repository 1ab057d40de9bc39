"""Tiled Gi* equals the in-memory gi_star to 1e-10, including the global FDR and bins."""

from __future__ import annotations

import numpy as np
import pytest

import hotspotlib as hs

pytest.importorskip("dask")
pytest.importorskip("xarray")

from hotspotlib import scale  # noqa: E402
from hotspotlib._multiple_testing import adjust_pvalues  # noqa: E402
from tests.scale._planted import clustered_events, rectangle_grid  # noqa: E402


@pytest.fixture(scope="module")
def planted():
    grid = rectangle_grid()
    events = clustered_events(grid)
    return grid, events, hs.count_events(events, grid, weights="harm")


@pytest.mark.parametrize(
    ("weights", "distance_m", "tile", "value"),
    [
        ("distance_band", 350.0, 16, "count"),
        ("distance_band", 100.0, 12, "count"),
        ("kernel", 500.0, 20, "count"),
        ("distance_band", 250.0, 23, "weight_sum"),
    ],
)
def test_equal_to_in_memory_gi_star(planted, client, weights, distance_m, tile, value) -> None:
    grid, events, counts = planted
    expected = hs.gi_star(counts, value=value, spatial_weights=weights, distance_m=distance_m)
    tiled_counts = scale.count_events(
        events,
        scale.Lattice.from_grid(grid),
        weights="harm" if value == "weight_sum" else None,
        tile=tile,
    )
    result = scale.gi_star(tiled_counts, distance_m=distance_m, spatial_weights=weights)
    assert result["z_score"].data.npartitions > 1  # still tiles, still lazy
    loaded = result.compute()
    for name in ("z_score", "p_value", "q_value"):
        np.testing.assert_allclose(
            loaded[name].values, grid.to_array(getattr(expected, name)), rtol=0, atol=1e-10
        )
    assert np.array_equal(loaded["bin"].values, grid.to_array(expected.bin))
    assert loaded.attrs["n_tests"] == np.isfinite(expected.p_value).sum()
    assert loaded.attrs["halo_cells"] == int(distance_m // 100)


def test_fdr_from_distinct_values_is_exact_with_ties_and_nan() -> None:
    da = pytest.importorskip("dask.array")
    from hotspotlib.scale._fdr import fdr_table, lookup_q

    gen = np.random.default_rng(5)
    p = np.round(gen.uniform(0, 1, (90, 70)) ** 3, 3)  # many ties
    p[gen.random(p.shape) < 0.1] = np.nan
    values, q, m = fdr_table(da.from_array(p, chunks=(17, 23)), fan_in=3)
    assert m == np.isfinite(p).sum() and len(values) < m
    expected = adjust_pvalues(p.ravel(), method="fdr_bh").reshape(p.shape)
    assert np.array_equal(lookup_q(p, values, q), expected, equal_nan=True)


def test_a_numpy_backed_array_and_fdr_off(planted) -> None:
    xr = pytest.importorskip("xarray")
    grid, _, counts = planted
    lattice = scale.Lattice.from_grid(grid)
    raster = xr.DataArray(
        grid.to_array(counts.count),
        dims=("y", "x"),
        coords={"y": lattice.y(), "x": lattice.x()},
        attrs={"crs_wkt": lattice.crs.to_wkt()},
    )
    before = raster.copy(deep=True)
    expected = hs.gi_star(counts, value="count", distance_m=300, fdr=False)
    result = scale.gi_star(raster, distance_m=300, fdr=False).compute()
    assert np.array_equal(result["bin"].values, grid.to_array(expected.bin))
    assert not np.array_equal(expected.bin, hs.gi_star(counts, value="count", distance_m=300).bin)
    xr.testing.assert_identical(raster, before)


@pytest.mark.parametrize(
    ("weights", "distance_m"),
    [
        ("distance_band", 5_000.0),  # wider than the 45 rows, within the 61 columns
        ("kernel", 9_000.0),  # wider than the lattice both ways
        ("kernel", 1e7),  # asked for an 80,001-cell stencil (MemoryError)
    ],
)
def test_a_band_wider_than_the_lattice_equals_in_memory(planted, weights, distance_m) -> None:
    grid, events, counts = planted
    expected = hs.gi_star(counts, value="count", spatial_weights=weights, distance_m=distance_m)
    tiled = scale.count_events(events, scale.Lattice.from_grid(grid), tile=16)
    loaded = scale.gi_star(tiled, distance_m=distance_m, spatial_weights=weights).compute()
    np.testing.assert_allclose(
        loaded["z_score"].values, grid.to_array(expected.z_score), rtol=0, atol=1e-9
    )
    assert loaded.attrs["halo_cells"] == min(int(distance_m // 100), 60)  # 61 columns at most
