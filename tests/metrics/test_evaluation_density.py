"""A method returning a DensitySurface: rolling_evaluation takes it in cell order."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs

ORIGINS = pd.date_range("2024-04-01", periods=3, freq="MS")


@pytest.fixture(scope="module")
def city_grid() -> tuple[hs.SyntheticCity, hs.Grid]:
    city = hs.synthetic_city(n_events=3_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    assert grid.n_cells < grid.n_rows * grid.n_cols  # clipped: cell order is not the raster's
    return city, grid


def test_density_surface_equals_its_densities_matched_by_cell_id(city_grid) -> None:
    city, grid = city_grid

    def surface(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.DensitySurface:
        return hs.kde(train, grid=grid, bandwidth_m=600)

    def by_id(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> pd.Series:
        return hs.kde(train, grid=grid, bandwidth_m=600).to_frame()["density"]

    def reversed_cells(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        return hs.kde(train, grid=grid, bandwidth_m=600).to_frame()["density"].to_numpy()[::-1]

    result = hs.rolling_evaluation(
        city.events,
        grid,
        methods={"surface": surface, "by_id": by_id, "reversed": reversed_cells},
        origins=ORIGINS,
        n_bootstrap=0,
    )
    table = result.to_frame().set_index(["method", "origin", "coverage"]).sort_index()
    columns = ["hit_rate", "pai", "pei", "n_cells", "hits"]
    got = table.loc["surface", columns]
    pd.testing.assert_frame_equal(got, table.loc["by_id", columns])
    # the order matters: the same densities in the wrong order score differently
    assert not np.allclose(got["hit_rate"], table.loc["reversed", "hit_rate"])


def test_surface_on_another_lattice_or_places_is_refused(city_grid) -> None:
    city, grid = city_grid

    def coarse(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.DensitySurface:
        return hs.kde(train, cell_size_m=250, bandwidth_m=600)

    with pytest.raises(ValueError, match="grid"):
        hs.rolling_evaluation(
            city.events, grid, methods=[coarse], origins=ORIGINS[:1], n_bootstrap=0
        )
    places = grid.cells.iloc[:50][["geometry"]]

    def surface(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.DensitySurface:
        return hs.kde(train, grid=grid, bandwidth_m=600)

    with pytest.raises(TypeError, match=r"surface\.sample"):
        hs.rolling_evaluation(
            city.events, places, methods=[surface], origins=ORIGINS[:1], n_bootstrap=0
        )


def test_ensemble_member_returning_a_surface_is_told_how_to_align_it(city_grid) -> None:
    city, grid = city_grid

    def surface(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.DensitySurface:
        return hs.kde(train, grid=grid, bandwidth_m=600)

    def aligned(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        return surface(train, origin).values_for(grid)

    def counts(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.EventCounts:
        return hs.count_events(train, grid)

    with pytest.raises(TypeError, match=r"values_for\(grid\)"):
        hs.ensemble(
            city.events,
            grid,
            origin="2024-06-01",
            methods={"kde": surface, "counts": counts},
            method_weights=None,
        )
    fixed = hs.ensemble(
        city.events,
        grid,
        origin="2024-06-01",
        methods={"kde": aligned, "counts": counts},
        method_weights=None,
    )
    assert fixed.scores.shape == (grid.n_cells,)
