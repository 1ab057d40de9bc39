"""Tiled results write to Zarr and GeoTIFF and read back unchanged."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("dask")
xr = pytest.importorskip("xarray")

from hotspotlib import scale  # noqa: E402
from tests.scale._planted import clustered_events, rectangle_grid  # noqa: E402


@pytest.fixture(scope="module")
def result():
    grid = rectangle_grid(n_rows=30, n_cols=41)
    counts = scale.count_events(
        clustered_events(grid, n=5_000), scale.Lattice.from_grid(grid), tile=16
    )
    return counts, scale.gi_star(counts, distance_m=250)


def test_geotiff_north_up_with_crs_and_values(tmp_path, result) -> None:
    rasterio = pytest.importorskip("rasterio")
    counts, gi = result
    scale.to_geotiff(counts, tmp_path / "counts.tif")
    scale.to_geotiff(gi["z_score"], tmp_path / "z.tif")
    scale.to_geotiff(gi["bin"], tmp_path / "bin.tif")
    with rasterio.open(tmp_path / "counts.tif") as tif:
        assert tif.crs.to_epsg() == 27700 and tif.dtypes[0] == "int32"
        assert tif.bounds.left == 1_000 and tif.bounds.top == 2_000 + 30 * 100
        assert np.array_equal(tif.read(1)[::-1], counts.values)
    with rasterio.open(tmp_path / "z.tif") as tif:
        np.testing.assert_array_equal(tif.read(1)[::-1], gi["z_score"].values)
    with rasterio.open(tmp_path / "bin.tif") as tif:
        assert tif.dtypes[0] == "int8"
        assert np.array_equal(tif.read(1)[::-1], gi["bin"].values)


def test_zarr_round_trip_keeps_values_attributes_and_tiles(tmp_path, result) -> None:
    pytest.importorskip("zarr")
    _, gi = result
    gi.to_zarr(tmp_path / "gi.zarr", consolidated=False)
    back = xr.open_zarr(tmp_path / "gi.zarr", consolidated=False)
    xr.testing.assert_equal(back.compute(), gi.compute())
    assert back.attrs["n_tests"] == gi.attrs["n_tests"]
    assert back["z_score"].data.npartitions > 1
