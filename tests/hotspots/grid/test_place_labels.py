"""Place tables an analyst briefs with: longitude/latitude, LSOA and street per place."""

from collections import Counter
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import Polygon, box

import hotspotlib as hs

ORIGIN = (588_000.0, 186_000.0)  # Southend, British National Grid


def _cells(n=5):
    x0, y0 = ORIGIN
    shapes = [box(x0 + 100 * i, y0, x0 + 100 * (i + 1), y0 + 100) for i in range(n)]
    return gpd.GeoDataFrame({"score": np.arange(n, 0, -1.0)}, geometry=shapes, crs=27700)


def _crimes(rng, n=400):
    x0, y0 = ORIGIN
    streets = np.array(["On or near High Street", "On or near Alexandra Road", "On or near =1+1"])
    lsoas = np.array([["E01000001", "Southend 001A"], ["E01000002", "Southend 001B"]])
    pick = rng.integers(0, len(lsoas), n)
    frame = pd.DataFrame(
        {
            "location": streets[rng.integers(0, len(streets), n)],
            "lsoa_code": lsoas[pick, 0],
            "lsoa_name": lsoas[pick, 1],
        }
    )
    xy = rng.uniform([x0 - 50, y0 - 50], [x0 + 450, y0 + 150], size=(n, 2))  # some outside
    return gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(*xy.T), crs=27700)


def _brute_force(places, crimes, columns):
    """Most frequent value(s) among the crimes inside each place; ties alphabetical."""
    found = []
    for shape in places.geometry:  # a handful of places: a loop is the oracle
        inside = crimes[shapely.contains_xy(shape, crimes.geometry.x, crimes.geometry.y)]
        tally = Counter(map(tuple, inside[columns].to_numpy().tolist()))
        found.append(min(tally, key=lambda v: (-tally[v], v)) if tally else None)
    return found


def test_street_and_lsoa_match_a_brute_force_join(rng):
    cells, crimes = _cells(), _crimes(rng)
    picked = hs.select_places(cells, score="score", n=4, crimes=crimes)
    assert picked.index.tolist() == [0, 1, 2, 3]
    streets = _brute_force(picked, crimes, ["location"])
    assert picked["street"].tolist() == [s[0] for s in streets]
    lsoas = _brute_force(picked, crimes, ["lsoa_code", "lsoa_name"])
    assert list(zip(picked["lsoa_code"], picked["lsoa_name"], strict=True)) == lsoas
    assert len(set(picked["street"])) > 1  # the data do vary between places


def test_ties_go_to_the_first_alphabetically_and_empty_places_get_missing():
    cells = _cells(2)
    x0, y0 = ORIGIN
    crimes = gpd.GeoDataFrame(
        {
            "location": ["On or near B Road", "On or near A Road"],
            "lsoa_code": ["E2", "E1"],
            "lsoa_name": ["Two", "One"],
        },
        geometry=gpd.points_from_xy([x0 + 10, x0 + 20], [y0 + 10, y0 + 20]),
        crs=27700,
    )
    picked = hs.select_places(cells, score="score", n=2, crimes=crimes)
    assert picked["street"].iloc[0] == "On or near A Road"
    assert (picked["lsoa_code"].iloc[0], picked["lsoa_name"].iloc[0]) == ("E1", "One")
    assert picked[["street", "lsoa_code", "lsoa_name"]].iloc[1].isna().all()


def test_longitude_latitude_are_the_cell_centres_in_wgs84():
    picked = hs.select_places(_cells(), score="score", n=3)
    to_wgs84 = Transformer.from_crs(27700, 4326, always_xy=True)
    centres = picked.geometry.centroid
    lon, lat = to_wgs84.transform(centres.x.to_numpy(), centres.y.to_numpy())
    np.testing.assert_allclose(picked["longitude"], lon, atol=1e-9)
    np.testing.assert_allclose(picked["latitude"], lat, atol=1e-9)
    assert "street" not in picked.columns  # only with crimes


def test_a_place_whose_centroid_is_outside_gets_a_point_inside():
    x0, y0 = ORIGIN
    u_shape = Polygon(
        [(0, 0), (300, 0), (300, 300), (200, 300), (200, 100), (100, 100), (100, 300), (0, 300)]
    )
    places = gpd.GeoDataFrame(
        {"score": [1.0]}, geometry=[shapely.affinity.translate(u_shape, x0, y0)], crs=27700
    )
    picked = hs.select_places(places, score="score", n=1)
    point = gpd.GeoSeries.from_xy(picked["longitude"], picked["latitude"], crs=4326)
    assert places.geometry.iloc[0].contains(point.to_crs(27700).iloc[0])


def test_existing_columns_are_kept_under_source_names(rng):
    cells = _cells().assign(street="given", longitude=1.0)
    picked = hs.select_places(cells, score="score", n=2, crimes=_crimes(rng))
    assert picked["source_street"].tolist() == ["given", "given"]
    assert picked["source_longitude"].tolist() == [1.0, 1.0]
    assert picked["longitude"].between(0.6, 0.8).all()
    assert cells["street"].tolist() == ["given"] * 5  # input not changed


def test_bad_crimes(rng):
    cells, crimes = _cells(), _crimes(rng)
    with pytest.raises(ValueError, match="missing column.*'lsoa_code'"):
        hs.select_places(cells, score="score", n=2, crimes=crimes.drop(columns="lsoa_code"))
    with pytest.raises(TypeError, match="`crimes` must be"):
        hs.select_places(cells, score="score", n=2, crimes=pd.DataFrame(crimes))
    with pytest.raises(ValueError, match="CRS"):
        hs.select_places(cells, score="score", n=2, crimes=crimes.to_crs(3857))
    far = crimes.set_geometry(crimes.geometry.translate(50_000, 0))
    with pytest.raises(ValueError, match="No crimes of `crimes` match `the picked places`"):
        hs.select_places(cells, score="score", n=2, crimes=far)


def test_police_uk_files_to_a_briefing_csv(tmp_path: Path):
    # police.uk rows as the download has them: three crimes in one cell, one in another
    lon_lat = [(0.7110, 51.5380)] * 3 + [(0.7200, 51.5400)]
    streets = ["On or near High Street"] * 2 + ["On or near Pier Hill", "On or near Park Road"]
    rows = [
        f"id{i},2024-01,Essex Police,Essex Police,{lon},{lat},{street},E0100000{i % 2},"
        f"Southend 00{i % 2}A,Burglary,Under investigation,"
        for i, ((lon, lat), street) in enumerate(zip(lon_lat, streets, strict=True))
    ]
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
        "LSOA code,LSOA name,Crime type,Last outcome category,Context"
    )
    source = tmp_path / "2024-01-essex-street.csv"
    source.write_text("\n".join([header, *rows]) + "\n")
    crimes = hs.read_police_uk(source)
    grid = hs.make_grid(crimes.buffer(200), cell_size_m=150)
    places = hs.select_places(hs.count_events(crimes, grid), n=2, crimes=crimes)
    assert places["street"].tolist() == ["On or near High Street", "On or near Park Road"]
    assert places["lsoa_code"].tolist() == ["E01000000", "E01000001"]
    back = pd.read_csv(hs.to_csv(places, tmp_path / "places.csv"))
    # to_csv writes longitude/latitude to 6 decimals (0.1 m)
    np.testing.assert_allclose(back["longitude"], places["longitude"], rtol=0, atol=5e-7)
    assert back["street"].tolist() == places["street"].tolist()
    assert "geometry" not in back.columns
