"""read_stop_search: police.uk stop-and-search files as they arrive."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import hotspotlib as hs
from hotspotlib.data import read_stop_search

HEADER = (
    "Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,"
    "Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,"
    "Outcome,Outcome linked to object of search,Removal of more than just outer clothing"
)
ETHNICITY = "White - English/Welsh/Scottish/Northern Irish/British"


def row(
    date: str = "2024-01-05T14:20:00+00:00",
    lat: object = 51.538,
    lon: object = 0.711,
    operation: str = "False",
    linked: str = "True",
    removal: str = "",
    outcome: str = "Arrest",
) -> str:
    return (
        f'Person search,{date},{operation},,{lat},{lon},Male,18-24,"{ETHNICITY}",White,'
        f"Misuse of Drugs Act 1971 (section 23),Controlled drugs,{outcome},{linked},{removal}"
    )


def text(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(text(rows, header), encoding="utf-8")
    return path


def build_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


@pytest.fixture
def stops_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "2024-06-essex-stop-and-search.csv",
        [
            row("2024-06-01T09:30:00+01:00"),
            row("2024-01-05T14:20:00+00:00", lat=51.54, lon=0.70, linked="False", removal="True"),
            row("2024-06-02T23:10:00+01:00", lat="", lon="", operation="True"),
        ],
    )


def test_reads_projects_and_names_columns(stops_file: Path) -> None:
    with pytest.warns(UserWarning, match=r"read_stop_search dropped 1 of 3 rows: 1 without coord"):
        stops = read_stop_search(stops_file)
    assert isinstance(stops, gpd.GeoDataFrame) and stops.crs.to_epsg() == 27700
    assert list(stops.index) == [0, 1]
    assert list(stops.columns[:4]) == [
        "type",
        "timestamp",
        "part_of_a_policing_operation",
        "policing_operation",
    ]
    for name in ("self_defined_ethnicity", "officer_defined_ethnicity", "object_of_search"):
        assert name in stops.columns
    assert "date" not in stops.columns and stops["force"].tolist() == ["essex", "essex"]
    assert stops["self_defined_ethnicity"].iloc[0] == ETHNICITY
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(
        [0.711, 0.70], [51.538, 51.54]
    )
    np.testing.assert_allclose(stops.geometry.x, x, atol=1e-6)
    np.testing.assert_allclose(stops.geometry.y, y, atol=1e-6)
    attrs = stops.attrs["hotspotlib"]
    assert attrs["n_read"] == 3 and attrs["n_dropped_no_location"] == 1
    assert attrs["n_dropped_out_of_range"] == 0 and attrs["time_zone"] == "Europe/London"


def test_timestamps_are_uk_time_and_keep_the_instant(stops_file: Path) -> None:
    with pytest.warns(UserWarning, match="without coordinates"):
        stops = read_stop_search(stops_file)
    stamps = stops["timestamp"]
    assert str(stamps.dt.tz) == "Europe/London"
    expected = pd.to_datetime(["2024-06-01T08:30:00Z", "2024-01-05T14:20:00Z"], utc=True)
    assert (stamps.dt.tz_convert("UTC").to_numpy() == expected.to_numpy()).all()
    assert stamps.dt.hour.tolist() == [9, 14]  # wall clock: BST in June, GMT in January
    assert hs.data.read_stop_search is read_stop_search


def test_other_iso_forms_are_read_to_the_same_instant(tmp_path: Path) -> None:
    dates = [
        "2024-06-01T09:30:00+01:00",
        "2024-06-01T09:30+01:00",
        "2024-06-01T08:30:00Z",
        "2024-06-01 09:30:00+0100",
        "2024-06-01T08:30:00.000+00:00",
    ]
    stops = read_stop_search(write(tmp_path / "s.csv", [row(date) for date in dates]))
    assert (stops["timestamp"] == pd.Timestamp("2024-06-01 08:30Z")).all()
    assert stops["force"].isna().all()  # the file name names no force


def test_yes_no_columns_are_nullable_booleans(stops_file: Path) -> None:
    with pytest.warns(UserWarning, match="without coordinates"):
        stops = read_stop_search(stops_file)
    assert str(stops["outcome_linked_to_object_of_search"].dtype) == "boolean"
    assert stops["outcome_linked_to_object_of_search"].tolist() == [True, False]
    assert stops["removal_of_more_than_just_outer_clothing"].isna().tolist() == [True, False]
    assert stops["part_of_a_policing_operation"].tolist() == [False, False]


def test_zip_of_monthly_folders_for_several_forces(tmp_path: Path) -> None:
    download = build_zip(
        tmp_path / "download.zip",
        {
            "2024-01/2024-01-essex-stop-and-search.csv": text([row(), row()]),
            "2024-01/2024-01-essex-street.csv": "Crime ID,Month\nx,2024-01\n",
            "2024-01/2024-01-essex-outcomes.csv": "Crime ID,Month\nx,2024-01\n",
            "2024-02/2024-02-city-of-london-stop-and-search.csv": text(
                [row("2024-02-01T10:00:00+00:00", lat=51.515, lon=-0.09)]
            ),
            "2024-02/2024-02-metropolitan-stop-and-search.csv": text(
                [row("2024-02-03T01:00:00+00:00", lat=51.5, lon=-0.12)] * 3
            ),
        },
    )
    stops = read_stop_search(download)
    assert stops["force"].value_counts().to_dict() == {
        "metropolitan": 3,
        "essex": 2,
        "city-of-london": 1,
    }
    files = stops.attrs["hotspotlib"]["files"]
    assert len(files) == 3 and all(f.endswith("-stop-and-search.csv") for f in files)
    # the same rows from a folder holding the zip, and from a list
    assert len(read_stop_search(tmp_path)) == len(read_stop_search([download])) == 6


def test_folder_glob_and_list_give_the_same_rows(tmp_path: Path) -> None:
    for month in ("2024-01", "2024-02"):
        (tmp_path / month).mkdir()
        write(tmp_path / month / f"{month}-kent-stop-and-search.csv", [row(f"{month}-03T10:00Z")])
        write(tmp_path / month / f"{month}-kent-street.csv", ["x"], header="Crime ID")
    from_folder = read_stop_search(tmp_path)
    from_glob = read_stop_search(str(tmp_path / "*" / "*-stop-and-search.csv"))
    from_list = read_stop_search(sorted(tmp_path.glob("*/*-stop-and-search.csv")))
    for other in (from_glob, from_list):
        pd.testing.assert_frame_equal(pd.DataFrame(from_folder), pd.DataFrame(other))
    assert from_folder["timestamp"].dt.month.tolist() == [1, 2]


def test_windows_1252_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-essex-stop-and-search.csv"
    operation = row(operation="True").replace("True,,", "True,Opération Café £,", 1)
    path.write_bytes(text([operation]).encode("cp1252"))
    stops = read_stop_search(path)
    assert stops["policing_operation"].tolist() == ["Opération Café £"]


def test_older_files_without_the_last_columns(tmp_path: Path) -> None:
    header = ",".join(HEADER.split(",")[:-2])
    rows = [row().rsplit(",", 2)[0]]
    stops = read_stop_search(write(tmp_path / "2016-01-essex-stop-and-search.csv", rows, header))
    assert "removal_of_more_than_just_outer_clothing" not in stops.columns
    assert stops["outcome"].tolist() == ["Arrest"]


def test_times_without_offset_are_uk_wall_clock(tmp_path: Path) -> None:
    path = write(
        tmp_path / "2023-10-kent-stop-and-search.csv",
        [row("2023-07-01T12:00:00"), row("2023-10-29T01:30:00"), row("2023-03-26T01:30:00")],
    )
    with pytest.warns(UserWarning, match=r"2 times without a UTC offset .* clock-change hour"):
        stops = read_stop_search(path)
    utc = stops["timestamp"].dt.tz_convert("UTC")
    assert utc.iloc[0] == pd.Timestamp("2023-07-01T11:00Z")
    assert utc.iloc[1] == pd.Timestamp("2023-10-29T00:30Z")  # the first (summer-time) 01:30
    assert stops.attrs["hotspotlib"]["n_local_times_guessed"] == 2


def test_out_of_range_rows_are_dropped_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "s.csv", [row(), row(lat=0.711, lon=51.538)])
    with pytest.warns(UserWarning, match=r"dropped 1 of 2 rows: 0 without .* 1 outside"):
        stops = read_stop_search(path)
    assert stops.attrs["hotspotlib"]["n_dropped_out_of_range"] == 1 and len(stops) == 1


@pytest.mark.parametrize(
    ("rows", "header", "error", "match"),
    [
        (
            [row(lat="", lon="")],
            HEADER,
            ValueError,
            r"rows with usable coordinates` is empty; none of the 1 rows has them",
        ),
        (
            [row(lat="north")],
            HEADER,
            ValueError,
            r"column 'latitude'` has 1 of 1 values that are not finite",
        ),
        ([row(date="yesterday")], HEADER, ValueError, r"`Date` could not be parsed.*yesterday"),
        ([row(date="")], HEADER, ValueError, r"`Date` has 1 missing"),
        ([row(linked="maybe")], HEADER, ValueError, r"'outcome_linked_to_object_of_search'.*maybe"),
        (
            ["x,2024-01"],
            "Crime ID,Month",
            ValueError,
            r"missing column\(s\) 'type', 'date', 'longitude'",
        ),
        ([], HEADER, ValueError, r"hold a header but no rows"),
    ],
)
def test_bad_files(tmp_path: Path, rows: list[str], header: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        read_stop_search(write(tmp_path / "2024-01-essex-stop-and-search.csv", rows, header))


def test_bad_paths(tmp_path: Path) -> None:
    write(tmp_path / "2024-01-essex-street.csv", ["x"], header="Crime ID")
    with pytest.raises(FileNotFoundError, match=r"no '\*-stop-and-search.csv' files in the folder"):
        read_stop_search(tmp_path)
    street_only = build_zip(tmp_path / "street.zip", {"2024-01/2024-01-essex-street.csv": "a\n"})
    with pytest.raises(
        FileNotFoundError,
        match=r"no '\*-stop-and-search.csv' files in the zip .* \(it holds 1 other",
    ):
        read_stop_search(street_only)
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match="not a readable zip"):
        read_stop_search(tmp_path / "broken.zip")
    (tmp_path / "broken.zip").unlink()
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        read_stop_search(tmp_path / "missing.csv")
    with pytest.raises(FileNotFoundError, match="no file matches the pattern"):
        read_stop_search(str(tmp_path / "*.nothing"))
    with pytest.raises(TypeError, match="`paths` must be"):
        read_stop_search(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`paths` is empty"):
        read_stop_search([])
    one = write(tmp_path / "2024-01-essex-stop-and-search.csv", [row()])
    with pytest.raises(ValueError, match="has repeated files .each would count its rows twice."):
        read_stop_search([one, tmp_path])
    with pytest.raises(ValueError, match="`crs` must be a projected CRS"):
        read_stop_search(one, crs="EPSG:4326")


def test_files_are_not_modified(stops_file: Path) -> None:
    before = stops_file.read_bytes()
    with pytest.warns(UserWarning, match="without coordinates"):
        read_stop_search([stops_file], crs=27700)
    assert stops_file.read_bytes() == before


def test_stops_and_crimes_count_on_one_grid(tmp_path: Path, stops_file: Path) -> None:
    crimes_file = tmp_path / "2024-06-essex-street.csv"
    crimes_file.write_text(
        "Crime ID,Month,Longitude,Latitude,Crime type\n"
        "a1,2024-06,0.7110,51.5380,Robbery\n"
        "a2,2024-06,0.7000,51.5400,Burglary\n"
        "a3,2024-06,0.7000,51.5400,Burglary\n"
    )
    crimes = hs.read_police_uk(crimes_file)
    with pytest.warns(UserWarning, match="without coordinates"):
        stops = read_stop_search(stops_file)
    grid = hs.make_grid(pd.concat([crimes.geometry, stops.geometry]), cell_size_m=150)
    frame = hs.count_events(crimes, grid, weights="harm").to_frame()
    frame["stops"] = hs.count_events(stops, grid).to_frame()["count"].to_numpy()
    frame["score"] = (
        0.7 * frame["weight_sum"] / frame["weight_sum"].sum()
        + 0.3 * frame["stops"] / frame["stops"].sum()
    )
    top = hs.select_places(frame, score="score", n=2)
    assert top["stops"].sum() == 2 and top["count"].sum() == 3
