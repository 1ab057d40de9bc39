"""Exports: spreadsheet-safe CSV, GeoJSON in WGS84, GeoPackage in the working CRS."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import hotspotlib as hs

DANGEROUS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "\r=x", '=HYPERLINK("x")']


def read_cells(path: Path) -> list[list[str]]:
    with path.open(newline="") as handle:
        return list(csv.reader(handle))


def test_text_that_could_be_a_formula_is_quoted_and_numbers_stay(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "location": [*DANGEROUS, "On or near High Street"],
            "change": [-1.5, -2, 0, 3, 4, 5, 6, -7],
            "count": np.arange(-4, 4),
        }
    )
    before = frame.copy()
    rows = read_cells(hs.to_csv(frame, tmp_path / "out.csv"))
    pd.testing.assert_frame_equal(frame, before)
    assert rows[0] == ["location", "change", "count"]
    assert [r[0] for r in rows[1:]] == ["'" + d for d in DANGEROUS] + ["On or near High Street"]
    assert [r[1] for r in rows[1:]] == ["-1.5", "-2.0", "0.0", "3.0", "4.0", "5.0", "6.0", "-7.0"]
    back = pd.read_csv(tmp_path / "out.csv")
    assert back["count"].tolist() == list(range(-4, 4))
    assert back["change"].dtype.kind == "f"


def test_plain_numbers_in_text_and_mixed_columns(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "id": pd.Series(["-5", "+7", "-1e3", "-1+1"], dtype="string"),
            "mixed": pd.Series([-1, "=a", None, 2.5], dtype=object),
            "kind": pd.Categorical(["=x", "a", "a", "-y"]),
        }
    )
    rows = read_cells(hs.to_csv(frame, tmp_path / "out.csv"))
    assert [r[0] for r in rows[1:]] == ["-5", "+7", "-1e3", "'-1+1"]
    assert [r[1] for r in rows[1:]] == ["-1", "'=a", "", "2.5"]
    assert [r[2] for r in rows[1:]] == ["'=x", "a", "a", "'-y"]


def test_headers_and_index_labels_are_neutralised(tmp_path: Path) -> None:
    frame = pd.DataFrame({"=cmd": [1, 2]}, index=pd.Index(["@officer", "ok"], name="officer_id"))
    rows = read_cells(hs.to_csv(frame, tmp_path / "out.csv"))
    assert rows == [["officer_id", "'=cmd"], ["'@officer", "1"], ["ok", "2"]]
    plain = read_cells(hs.to_csv(pd.DataFrame({"a": [1]}), tmp_path / "plain.csv"))
    assert plain == [["a"], ["1"]]


def test_geodataframe_is_written_with_wgs84_longitude_latitude(tmp_path: Path) -> None:
    points = gpd.GeoDataFrame(
        {"location": ["=evil", "High St"]},
        geometry=[Point(588_000, 186_000), Point(588_100, 186_100)],
        crs=27700,
    )
    back = pd.read_csv(hs.to_csv(points, tmp_path / "points.csv"))
    assert list(back.columns) == ["location", "longitude", "latitude"]
    expected = points.to_crs(4326)
    # written to 6 decimals (0.1 m): within half a millionth of a degree
    np.testing.assert_allclose(back["longitude"], expected.geometry.x, rtol=0, atol=5e-7)
    np.testing.assert_allclose(back["latitude"], expected.geometry.y, rtol=0, atol=5e-7)
    assert back["longitude"].tolist() == expected.geometry.x.round(6).tolist()
    assert back["location"].tolist() == ["'=evil", "High St"]
    assert points.crs.to_epsg() == 27700 and "geometry" in points.columns

    cells = gpd.GeoDataFrame({"n": [1]}, geometry=[box(0, 0, 100, 100)], crs=27700)
    cells = cells.set_geometry(cells.geometry.translate(588_000, 186_000))
    back = pd.read_csv(hs.to_csv(cells, tmp_path / "cells.csv"))
    inside = Point(back["longitude"][0], back["latitude"][0])
    assert cells.to_crs(4326).geometry[0].contains(inside)


def test_police_uk_frame_round_trip_keeps_coordinates(tmp_path: Path) -> None:
    source = tmp_path / "2024-01-essex-street.csv"
    source.write_text(
        "Crime ID,Month,Longitude,Latitude,Location,Crime type\n"
        'a1,2024-01,0.711,51.538,=HYPERLINK("http://x"),Robbery\n'
    )
    crimes = hs.read_police_uk(source)
    back = pd.read_csv(hs.to_csv(crimes, tmp_path / "crimes.csv"))
    assert back["location"][0].startswith("'=")
    assert back["longitude"][0] == pytest.approx(0.711, abs=1e-7)
    assert back["latitude"][0] == pytest.approx(51.538, abs=1e-7)


def test_geojson_is_wgs84_and_geopackage_keeps_the_crs(tmp_path: Path) -> None:
    places = gpd.GeoDataFrame(
        {"id": [1, 2]}, geometry=[Point(588_000, 186_000), Point(588_500, 186_500)], crs=27700
    )
    geojson = hs.to_geojson(places, tmp_path / "places.geojson")
    again = hs.to_geojson(places, tmp_path / "places.geojson")  # overwrites
    assert geojson == again
    read = gpd.read_file(geojson, engine="pyogrio")
    assert read.crs.to_epsg() == 4326 and len(read) == 2
    assert -1 < read.geometry.x[0] < 2 and 51 < read.geometry.y[0] < 52
    gpkg = hs.to_geopackage(places, tmp_path / "layers.gpkg")
    hs.to_geopackage(places.iloc[:1], tmp_path / "layers.gpkg", layer="first")
    assert gpd.read_file(gpkg, layer="layers", engine="pyogrio").crs.to_epsg() == 27700
    assert len(gpd.read_file(gpkg, layer="first", engine="pyogrio")) == 1
    assert places.crs.to_epsg() == 27700


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda p: hs.to_csv([1, 2], p / "a.csv"), TypeError, "`frame` must be a pandas"),
        (lambda p: hs.to_csv(pd.DataFrame(), 5), TypeError, "`path` must be a file path"),
        (
            lambda p: hs.to_csv(pd.DataFrame(), p / "a.xlsx"),
            ValueError,
            r"`path's suffix` must be one of '\.csv'",
        ),
        (lambda p: hs.to_csv(pd.DataFrame(), p / "no" / "a.csv"), FileNotFoundError, "folder"),
        (
            lambda p: hs.to_csv(gpd.GeoDataFrame(geometry=[Point(0, 0)]), p / "a.csv"),
            ValueError,
            "`frame.crs` is required",
        ),
        (lambda p: hs.to_geojson(pd.DataFrame(), p / "a.geojson"), TypeError, "GeoDataFrame"),
        (
            lambda p: hs.to_geojson(gpd.GeoDataFrame(geometry=[Point(0, 0)]), p / "a.geojson"),
            ValueError,
            "`frame.crs` is required",
        ),
        (
            lambda p: hs.to_geopackage(
                gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=27700), p / "a.gpkg", layer=3
            ),
            TypeError,
            "`layer` must be a str",
        ),
    ],
)
def test_bad_arguments(tmp_path: Path, call, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        call(tmp_path)


def test_a_formula_after_leading_spaces_is_quoted(tmp_path: Path) -> None:
    # spreadsheets skip the spaces and run what follows; a number after them stays text
    # as it was written, a plain number
    frame = pd.DataFrame({" =label": [" =1+1", "  @SUM(A1)", " \t-2+3", " -5", " ok"]})
    rows = read_cells(hs.to_csv(frame, tmp_path / "out.csv"))
    assert rows[0] == ["' =label"]
    assert [r[0] for r in rows[1:]] == ["' =1+1", "'  @SUM(A1)", "' \t-2+3", " -5", " ok"]


def test_longitude_and_latitude_are_written_to_six_decimals(tmp_path: Path) -> None:
    # a police.uk point read into British National Grid and written back out
    street = tmp_path / "2024-01-avon-and-somerset-street.csv"
    street.write_text(
        "Crime ID,Month,Longitude,Latitude,Location,Crime type\n"
        "c1,2024-01,-2.5879,51.4545,On or near Broad Street,Burglary\n"
    )
    crimes = hs.read_police_uk(street)
    assert hs.data.export._with_lonlat(crimes)["longitude"].iloc[0] != -2.5879  # float noise
    rows = read_cells(hs.to_csv(crimes, tmp_path / "crimes.csv"))
    header, values = rows[0], rows[1]
    assert values[header.index("longitude")] == "-2.5879"
    assert values[header.index("latitude")] == "51.4545"
    # GeoJSON coordinates and longitude/latitude columns; a GeoPackage's columns
    cells = hs.select_places(hs.count_events(crimes, hs.make_grid(crimes, cell_size_m=150)), n=1)
    text = hs.to_geojson(cells, tmp_path / "cells.geojson").read_text()
    numbers = [float(n) for n in re.findall(r"-?\d+\.\d+", text)]
    assert numbers and all(round(n, 6) == n for n in numbers)
    layer = gpd.read_file(hs.to_geopackage(cells, tmp_path / "cells.gpkg"), engine="pyogrio")
    assert layer["longitude"].tolist() == [round(cells["longitude"].iloc[0], 6)]
    assert layer.geometry.iloc[0].equals(cells.geometry.iloc[0])  # metres kept as they are
    plain = pd.DataFrame({"longitude": [-2.587899988809744], "latitude": [51.45450001]})
    assert read_cells(hs.to_csv(plain, tmp_path / "plain.csv"))[1] == ["-2.5879", "51.4545"]
