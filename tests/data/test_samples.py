from __future__ import annotations

import contextlib
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer
from pyproj.exceptions import ProjError
from scipy.spatial import cKDTree

import hotspotlib as hs
from hotspotlib.data import samples


def shipped(file_name: str) -> Path | None:
    from libpysal import examples

    with contextlib.redirect_stdout(io.StringIO()):
        found = examples.get_path(file_name)
    return Path(found) if found and Path(found).is_file() else None


def raw(file_name: str) -> gpd.GeoDataFrame:
    path = shipped(file_name)
    if path is None:
        pytest.skip(f"{file_name} is not shipped with this libpysal")
    return gpd.read_file(path, engine="pyogrio")


CATALOGUE = hs.list_samples().set_index("name")


@pytest.mark.parametrize("name", CATALOGUE.index.tolist())
def test_every_loader_matches_its_catalogue_row(name: str) -> None:
    entry = CATALOGUE.loc[name]
    loader = getattr(hs, entry["loader"])
    file_name = {
        "juvenile": "juvenile.shp",
        "columbus": "columbus.shp",
        "stl_homicides": "stl_hom.shp",
        "burkitt": "burkitt.shp",
        "snow_deaths": "SohoPeople.shp",
        "snow_pumps": "SohoWater.shp",
        "mesa_crimes": "crimes.shp",
    }[name]
    if shipped(file_name) is None:
        pytest.skip(f"{file_name} is not shipped with this libpysal")
    frame = loader()
    assert isinstance(frame, gpd.GeoDataFrame)
    assert len(frame) == entry["n"]
    assert set(frame.geom_type) == {entry["geometry"]}
    if entry["crs"] == "none":
        assert frame.crs is None
    else:
        assert frame.crs == entry["crs"]
    assert all(c == c.lower() for c in frame.columns)
    assert frame.geometry.notna().all()
    assert not frame.geometry.is_empty.any()


def test_list_samples_returns_a_copy() -> None:
    table = hs.list_samples()
    table.loc[0, "n"] = -1
    assert (hs.list_samples()["n"] > 0).all()
    assert list(table.columns) == [
        "name", "loader", "description", "n", "geometry", "units", "crs", "source",
    ]  # fmt: skip


def test_juvenile_is_in_unknown_grid_units() -> None:
    raw("juvenile.shp")
    juvenile = hs.load_juvenile()
    np.testing.assert_array_equal(juvenile.geometry.x, juvenile["x"])
    minx, miny, maxx, maxy = juvenile.total_bounds
    assert min(minx, miny) >= 0 and max(maxx, maxy) <= 100
    with pytest.raises(ValueError, match="has no CRS"):
        hs.make_grid(juvenile, cell_size_m=10)
    local = juvenile.set_crs(hs.LOCAL_GRID_CRS)
    counts = hs.count_events(local, hs.make_grid(local, cell_size_m=10))
    assert counts.count.sum() == 168
    with pytest.raises(ProjError, match="Transformer"):  # never placed on a real map
        local.to_crs(27700)


def test_columbus_matches_the_published_table() -> None:
    raw("columbus.shp")
    columbus = hs.load_columbus()
    # Anselin (1988) table 12.1 as distributed with GeoDa: mean CRIME 35.1288.
    assert columbus["crime"].mean() == pytest.approx(35.1288, abs=1e-4)
    assert {"hoval", "inc", "x", "y", "polyid"} <= set(columbus.columns)


def test_stl_rates_are_counts_per_100000_population_years() -> None:
    raw("stl_hom.shp")
    stl = hs.load_stl_homicides()
    for period in ("7984", "8488", "8893"):
        rate = 1e5 * stl[f"hc{period}"] / stl[f"po{period}"]
        np.testing.assert_allclose(stl[f"hr{period}"], rate, atol=1e-4)
    minx, miny, maxx, maxy = stl.total_bounds
    assert -93 < minx < maxx < -87 and 36 < miny < maxy < 41
    assert stl.estimate_utm_crs().to_epsg() == 32615


def test_burkitt_dates_are_repaired() -> None:
    original = raw("burkitt.shp")
    burkitt = hs.load_burkitt()
    assert original["DATE"].dt.year.max() < 1920  # the shipped column lost its century
    shifted = original["DATE"] + pd.DateOffset(years=60)
    assert (burkitt["date"].to_numpy() == shifted.to_numpy()).all()
    assert burkitt["t"].min() == 413
    assert (burkitt["date"] - pd.Timestamp("1959-12-31")).dt.days.tolist() == (
        burkitt["t"].astype(int).tolist()
    )


def test_snow_is_reprojected_to_true_metres() -> None:
    stored = raw("SohoPeople.shp")
    deaths = hs.load_snow_deaths()
    assert stored.crs.to_epsg() == 3857
    x, y = Transformer.from_crs(3857, 27700, always_xy=True).transform(
        stored.geometry.x.to_numpy(), stored.geometry.y.to_numpy()
    )
    np.testing.assert_allclose(deaths.geometry.x, x, atol=1e-6)
    np.testing.assert_allclose(deaths.geometry.y, y, atol=1e-6)
    # Web Mercator stretches distances by 1/cos(latitude), about 1.6 in Soho.
    span_stored = np.ptp(stored.geometry.x.to_numpy())
    span_true = np.ptp(deaths.geometry.x.to_numpy())
    assert span_stored / span_true == pytest.approx(1 / np.cos(np.radians(51.513)), rel=0.01)
    assert int(deaths["count"].sum()) == 392


def test_snow_broad_street_pump_is_nearest_for_most_deaths() -> None:
    raw("SohoWater.shp")
    deaths, pumps = hs.load_snow_deaths(), hs.load_snow_pumps()
    pump_xy = np.column_stack([pumps.geometry.x, pumps.geometry.y])
    death_xy = np.column_stack([deaths.geometry.x, deaths.geometry.y])
    _, nearest = cKDTree(pump_xy).query(death_xy)
    per_pump = np.bincount(nearest, weights=deaths["count"], minlength=len(pumps))
    assert per_pump.max() / per_pump.sum() > 0.6
    # The Broad Street (now Broadwick Street) pump, in British National Grid metres.
    assert pump_xy[per_pump.argmax()] == pytest.approx([529391, 181025], abs=5)


def test_mesa_feet_are_converted_to_metres() -> None:
    stored = raw("crimes.shp")
    crimes = hs.load_mesa_crimes()
    assert stored.crs.axis_info[0].unit_name == "US survey foot"
    us_foot = 1200 / 3937
    # Same projection, false easting 699,998.6 ft = 213,360 m: a pure change of unit.
    np.testing.assert_allclose(crimes.geometry.x, stored.geometry.x * us_foot, atol=1e-3)
    np.testing.assert_allclose(crimes.geometry.y, stored.geometry.y * us_foot, atol=1e-3)
    hs.make_grid(crimes, cell_size_m=100)  # usable as is


def test_a_missing_file_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from libpysal import examples

    def absent(file_name: str) -> None:
        print(f"{file_name} is not a file in any installed dataset.")

    monkeypatch.setattr(examples, "get_path", absent)
    with pytest.raises(
        FileNotFoundError, match="`juvenile.shp`: no such sample file installed with this libpysal"
    ):
        samples.load_juvenile()
