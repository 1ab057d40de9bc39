"""Emerging hot spots on a cube chunked in space equal the in-memory analysis."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

import hotspotlib as hs

pytest.importorskip("dask")
xr = pytest.importorskip("xarray")

from hotspotlib import scale  # noqa: E402


def _cube(result: hs.EmergingHotspots, grid_rows, grid_cols, size, origin):
    """The in-memory cube of counts as a (time, y, x) DataArray on its full lattice."""
    values = np.zeros((result.n_steps, grid_rows, grid_cols))
    rows = result.locations["row"].to_numpy()
    cols = result.locations["col"].to_numpy()
    values[:, rows, cols] = result.count
    return xr.DataArray(
        values,
        dims=("time", "y", "x"),
        coords={
            "y": origin[1] + size * np.arange(grid_rows),
            "x": origin[0] + size * np.arange(grid_cols),
        },
        attrs={"crs_wkt": "EPSG:27700"},
    ).chunk({"y": 9, "x": 11})


def _compare(loaded, result, rows, cols) -> None:
    for name in ("z_score", "p_value", "q_value"):
        np.testing.assert_allclose(
            loaded[name].values[:, rows, cols], getattr(result, name), rtol=0, atol=1e-10
        )
    for name in ("trend_z", "trend_p", "trend_tau"):
        np.testing.assert_allclose(
            loaded[name].values[rows, cols], getattr(result, name), rtol=0, atol=1e-10
        )
    assert np.array_equal(loaded["n_hot"].values[rows, cols], result.n_hot)
    assert np.array_equal(loaded["n_cold"].values[rows, cols], result.n_cold)
    assert loaded["pattern"].values[rows, cols].tolist() == list(result.pattern)


@pytest.mark.parametrize(("window", "direction"), [(1, "both"), (2, "previous")])
def test_equal_to_in_memory_with_an_area(client, window, direction) -> None:
    city = hs.synthetic_city(n_events=6_000, days=240, rng=3)
    west, south, east, north = city.boundary.total_bounds
    area = gpd.GeoSeries([box(west, south, east, north)], crs=city.events.crs)
    result = hs.emerging_hotspots(
        city.events,
        interval="M",
        cell_size_m=400,
        distance_m=900,
        area=area,
        time_window=window,
        time_neighbours=direction,
    )
    grid = hs.make_grid(area, cell_size_m=400)
    assert grid.n_cells == len(result.locations)  # every cell is a location
    cube = _cube(result, grid.n_rows, grid.n_cols, 400.0, (grid.origin_x, grid.origin_y))
    tiled = scale.emerging_hotspots(
        cube, distance_m=900, time_window=window, time_neighbours=direction
    )
    assert tiled["z_score"].data.npartitions > 1
    loaded = tiled.compute()
    rows, cols = result.locations["row"].to_numpy(), result.locations["col"].to_numpy()
    _compare(loaded, result, rows, cols)
    assert len(set(result.pattern)) > 2  # the comparison covers several categories


def test_occupied_cells_only_as_without_an_area() -> None:
    city = hs.synthetic_city(n_events=3_000, days=200, rng=5)
    result = hs.emerging_hotspots(city.events, interval="M", cell_size_m=300, distance_m=700)
    rows = result.locations["row"].to_numpy()
    cols = result.locations["col"].to_numpy()
    centres = result.locations.geometry.centroid
    origin = (centres.x.iloc[0] - 300 * cols[0], centres.y.iloc[0] - 300 * rows[0])
    cube = _cube(result, rows.max() + 1, cols.max() + 1, 300.0, origin)
    tiled = scale.emerging_hotspots(cube, distance_m=700, locations=cube.sum("time") > 0)
    loaded = tiled.compute()
    _compare(loaded, result, rows, cols)
    empty = ~(cube.sum("time") > 0).values
    assert empty.any() and (loaded["pattern"].values[empty] == "").all()
    assert (loaded["n_hot"].values[empty] == -1).all()


def test_a_band_wider_than_the_lattice_equals_in_memory() -> None:
    # The stencil stops at the lattice (once an 80,001-cell-wide array at 1e7 m).
    city = hs.synthetic_city(n_events=3_000, days=200, rng=5)
    result = hs.emerging_hotspots(city.events, interval="M", cell_size_m=300, distance_m=1e7)
    rows = result.locations["row"].to_numpy()
    cols = result.locations["col"].to_numpy()
    centres = result.locations.geometry.centroid
    origin = (centres.x.iloc[0] - 300 * cols[0], centres.y.iloc[0] - 300 * rows[0])
    cube = _cube(result, rows.max() + 1, cols.max() + 1, 300.0, origin)
    tiled = scale.emerging_hotspots(cube, distance_m=1e7, locations=cube.sum("time") > 0)
    _compare(tiled.compute(), result, rows, cols)
