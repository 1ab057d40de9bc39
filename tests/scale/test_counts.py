"""Tiled counts on a Lattice equal the in-memory counts on the same cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs

pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

from hotspotlib import scale  # noqa: E402
from tests.scale._planted import clustered_events, rectangle_grid  # noqa: E402


def test_lattice_locates_like_the_grid_on_edges_corners_and_outside() -> None:
    grid = rectangle_grid(n_rows=23, n_cols=37, size=50.0)
    lattice = scale.Lattice.from_grid(grid)
    gen = np.random.default_rng(3)
    west, south, east, north = lattice.bounds
    x = gen.uniform(west - 100, east + 100, 40_000)
    y = gen.uniform(south - 100, north + 100, 40_000)
    x[:6_000], y[3_000:9_000] = np.round(x[:6_000] / 50) * 50, np.round(y[3_000:9_000] / 50) * 50
    rows, cols, inside = lattice.locate(x, y)
    position = grid.locate(np.c_[x, y])
    expected = np.where(position >= 0, grid.cell_ids[np.maximum(position, 0)], -1)
    assert np.array_equal(np.where(inside, rows * lattice.n_cols + cols, -1), expected)
    assert lattice.n_cells == grid.n_cells and lattice.bounds == tuple(grid.cells.total_bounds)


def test_a_national_lattice_costs_nothing() -> None:
    national = scale.Lattice.from_bounds((0, 0, 700_000, 1_300_000), cell_size_m=100, crs=27700)
    assert national.n_cells == 91_000_000
    assert national.to_grid is not None and national.x().shape == (7_000,)


@pytest.mark.parametrize("tile", [7, 64])
def test_counts_and_weight_sums_equal_the_in_memory_counts(tile: int) -> None:
    grid = rectangle_grid()
    events = clustered_events(grid)
    expected = hs.count_events(events, grid, weights="harm")
    lattice = scale.Lattice.from_grid(grid)
    counts = scale.count_events(events, lattice, tile=tile)
    harm = scale.count_events(events, lattice, weights="harm", tile=tile)
    assert counts.chunks == (
        (tile,) * (45 // tile) + ((45 % tile,) if 45 % tile else ()),
        (tile,) * (61 // tile) + ((61 % tile,) if 61 % tile else ()),
    )
    assert counts.dtype == np.int64 and counts.name == "count"
    assert np.array_equal(counts.values, grid.to_array(expected.count))
    np.testing.assert_allclose(harm.values, grid.to_array(expected.weight_sum), rtol=1e-12)
    assert counts.attrs["n_outside"] == 0 and counts.attrs["n_events"] == len(events)
    np.testing.assert_array_equal(counts["x"].values, np.unique(grid.centroids()[:, 0]))


def test_dask_frames_on_a_cluster_and_outside_events_reported(client) -> None:
    grid = rectangle_grid()
    lattice = scale.Lattice.from_grid(grid)
    events = clustered_events(grid, n=6_000)
    frame = pd.DataFrame({"x": events.geometry.x, "y": events.geometry.y})
    frame.loc[len(frame)] = (-5e3, 0.0)  # two events off the lattice
    frame.loc[len(frame)] = (1e5, 3e3)
    before = frame.copy()
    with pytest.warns(UserWarning, match=r"2 of 6,\d{3} `events` .* outside the `lattice`"):
        counts = scale.count_events(dd.from_pandas(frame, npartitions=5), lattice, tile=16)
    assert counts.attrs["n_outside"] == 2 and counts.attrs["n_events"] == len(frame)
    expected = hs.count_events(events, grid).count
    assert np.array_equal(counts.values, grid.to_array(expected))
    pd.testing.assert_frame_equal(frame, before)


def test_dask_geopandas_frames_are_counted() -> None:
    dgpd = pytest.importorskip("dask_geopandas")
    grid = rectangle_grid()
    events = clustered_events(grid, n=4_000)
    counts = scale.count_events(
        dgpd.from_geopandas(events, npartitions=3), scale.Lattice.from_grid(grid), tile=32
    )
    assert np.array_equal(counts.values, grid.to_array(hs.count_events(events, grid).count))
