from __future__ import annotations

import glob
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pyproj import Transformer

import hotspotlib as hs
from hotspotlib.data import read_police_uk

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


_CRIME_IDS = itertools.count()


def row(crime_type: str, lon: object = 0.711, lat: object = 51.538, month: str = "2024-01") -> str:
    return (
        f"abc{next(_CRIME_IDS)},{month},Essex Police,Essex Police,{lon},{lat},"
        "On or near High Street,"
        f"E01000001,Southend 001A,{crime_type},Under investigation,"
    )


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *rows]) + "\n")
    return path


@pytest.fixture
def street_file(tmp_path: Path) -> Path:
    return write(
        tmp_path / "2024-01-essex-street.csv",
        [
            row("Robbery"),
            row("Anti-social behaviour", lon=0.70, lat=51.54),
            row("Burglary", "", ""),
        ],
    )


def test_reads_projects_and_weighs(street_file: Path) -> None:
    with pytest.warns(UserWarning, match=r"dropped 1 of 3 rows: 1 without coordinates and 0"):
        crimes = read_police_uk(street_file)
    assert list(crimes.columns) == [
        "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude",
        "location", "lsoa_code", "lsoa_name", "crime_type", "last_outcome_category",
        "context", "harm", "geometry",
    ]  # fmt: skip
    assert crimes.crs.to_epsg() == 27700
    assert crimes.index.tolist() == [0, 1]
    assert crimes["crime_type"].tolist() == ["Robbery", "Anti-social behaviour"]
    assert crimes["harm"].tolist() == [365.0, 0.0]
    assert crimes["month"].tolist() == [pd.Timestamp("2024-01-01")] * 2
    # Oracle: pyproj's own transformation of the same longitude/latitude.
    to_bng = Transformer.from_crs(4326, 27700, always_xy=True)
    x, y = to_bng.transform([0.711, 0.70], [51.538, 51.54])
    np.testing.assert_allclose(crimes.geometry.x, x, atol=1e-6)
    np.testing.assert_allclose(crimes.geometry.y, y, atol=1e-6)
    record = crimes.attrs["hotspotlib"]
    assert record["n_read"] == 3
    assert record["n_dropped_no_location"] == 1
    assert record["n_dropped_out_of_range"] == 0
    assert record["n_anti_social_behaviour"] == 1  # kept, and counted
    assert record["n_repeated_crime_id"] == 0
    assert record["files"] == [str(street_file)]
    assert record["harm_scheme"] == "cchi"
    assert record["harm_table_version"] == hs.HARM_TABLE_VERSION
    # The result feeds the rest of the library directly.
    assert hs.count_events(crimes, hs.make_grid(crimes, cell_size_m=500)).count.sum() == 2


def test_many_points_match_pyproj(tmp_path: Path, rng: np.random.Generator) -> None:
    lon = rng.uniform(-5.5, 1.7, 300)
    lat = rng.uniform(50.1, 55.5, 300)
    path = write(tmp_path / "a.csv", [row("Drugs", a, b) for a, b in zip(lon, lat, strict=True)])
    crimes = read_police_uk(path, crs="EPSG:27700")
    x, y = Transformer.from_crs(4326, 27700, always_xy=True).transform(lon, lat)
    np.testing.assert_allclose(crimes.geometry.x, x, atol=1e-6)
    np.testing.assert_allclose(crimes.geometry.y, y, atol=1e-6)
    assert (crimes["harm"] == 3.5).all()


def test_folder_list_and_glob_give_the_same_rows(tmp_path: Path) -> None:
    for month in ("2024-01", "2024-02"):
        folder = tmp_path / month
        folder.mkdir()
        write(folder / f"{month}-essex-street.csv", [row("Robbery", month=month)])
        # police.uk downloads also hold outcomes files: a folder read skips them.
        (folder / f"{month}-essex-outcomes.csv").write_text("Crime ID,Month,Outcome type\n")
    by_folder = read_police_uk(tmp_path)
    files = sorted(tmp_path.glob("*/*-street.csv"))
    by_list = read_police_uk(files)
    by_glob = read_police_uk(str(tmp_path / "*" / "*-street.csv"))
    assert len(by_folder) == 2
    assert by_folder["month"].dt.strftime("%Y-%m").tolist() == ["2024-01", "2024-02"]
    for other in (by_list, by_glob):
        pd.testing.assert_frame_equal(by_folder, other)
    assert by_folder.attrs["hotspotlib"]["files"] == [str(f) for f in files]
    assert glob.glob(str(tmp_path / "*" / "*.csv"))  # files untouched


def test_folder_without_street_files_reads_every_csv(tmp_path: Path) -> None:
    write(tmp_path / "mine.csv", [row("Shoplifting")])
    assert len(read_police_uk(tmp_path)) == 1


def test_legacy_labels_and_slugs_are_mapped(tmp_path: Path) -> None:
    path = write(
        tmp_path / "old.csv",
        [
            row("Violent crime"),
            row("Public disorder and weapons"),
            row("violent-crime"),
            row("criminal-damage-arson"),
            row(" Robbery "),
        ],
    )
    crimes = read_police_uk(path)
    assert crimes["crime_type"].tolist() == [
        "Violence and sexual offences",
        "Public order",
        "Violence and sexual offences",
        "Criminal damage and arson",
        "Robbery",
    ]
    assert crimes["harm"].tolist() == [200.0, 7.5, 200.0, 10.0, 365.0]
    assert crimes.attrs["hotspotlib"]["n_relabelled"] == {
        "Violent crime": 1,
        "Public disorder and weapons": 1,
        "violent-crime": 1,
        "criminal-damage-arson": 1,
    }


def test_easting_northing_files_mix_with_new_files(tmp_path: Path) -> None:
    old = tmp_path / "2011-old-street.csv"
    old.write_text(
        "Month,Force,Easting,Northing,Location,Crime type,Extra Column\n"
        "2011-05,Essex,588000,186500,On or near A Road,Violent crime,x\n"
    )
    new = write(tmp_path / "2024-01-new-street.csv", [row("Robbery")])
    crimes = read_police_uk([old, new])
    assert len(crimes) == 2
    assert crimes.geometry.x.iloc[0] == pytest.approx(588000)
    assert crimes.geometry.y.iloc[0] == pytest.approx(186500)
    assert crimes["extra_column"].iloc[0] == "x"  # unknown columns kept, snake-cased
    assert pd.isna(crimes["extra_column"].iloc[1])
    assert crimes["crime_type"].tolist() == ["Violence and sexual offences", "Robbery"]
    # Projecting to another metric CRS moves the British National Grid points too.
    itm = read_police_uk([old, new], crs="EPSG:2157")
    back = Transformer.from_crs(2157, 27700, always_xy=True).transform(
        itm.geometry.x.to_numpy(), itm.geometry.y.to_numpy()
    )
    # (only the Easting/Northing row: WGS84 -> OSGB36 pipelines differ by metres)
    assert back[0][0] == pytest.approx(588000, abs=1e-3)
    assert back[1][0] == pytest.approx(186500, abs=1e-3)


def test_harm_schemes_and_mappings(street_file: Path) -> None:
    with pytest.warns(UserWarning):
        none = read_police_uk(street_file, harm="none")
    assert none["harm"].tolist() == [1.0, 0.0]
    mapping = {"Robbery": 9.0, "Anti-social behaviour": 1.0, "Burglary": 2.0}
    with pytest.warns(UserWarning):
        mine = read_police_uk(street_file, harm=mapping)
    assert mine["harm"].tolist() == [9.0, 1.0]
    assert mine.attrs["hotspotlib"]["harm_scheme"] == "mapping"
    assert mine.attrs["hotspotlib"]["harm_table_version"] is None
    assert mapping == {"Robbery": 9.0, "Anti-social behaviour": 1.0, "Burglary": 2.0}


def test_unknown_crime_types_are_an_error_listing_them(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("Robbery"), row("Littering"), row("Littering")])
    with pytest.raises(
        ValueError,
        match=r"has 2 of 3 rows' crime types not in `the harm weights` .*\['Littering'\]",
    ):
        read_police_uk(path)
    crimes = read_police_uk(path, harm={"Robbery": 365, "Littering": 0.5})
    assert crimes["harm"].tolist() == [365.0, 0.5, 0.5]
    with pytest.raises(
        ValueError, match=r"has 1 of 3 rows' crime types not in `the harm weights` .*\['Robbery'\]"
    ):
        read_police_uk(path, harm={"Littering": 0.5})


def test_missing_crime_type_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("Robbery"), row("")])
    with pytest.raises(
        ValueError, match=r"has 1 of 2 rows' crime types not in `the harm weights` .*\[(nan|None)\]"
    ):
        read_police_uk(path)


def test_bad_harm_options_fail_before_reading(street_file: Path) -> None:
    with pytest.raises(ValueError, match="`harm` must be one of"):
        read_police_uk(street_file, harm="days")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`harm=.css.` is not available.*Crime Severity Score"):
        read_police_uk(street_file, harm="css")


def test_out_of_range_rows_are_dropped_and_counted(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("Robbery"), row("Robbery", lon=51.5, lat=0.7)])
    with pytest.warns(UserWarning, match="0 without coordinates and 1 outside the United"):
        crimes = read_police_uk(path)
    assert len(crimes) == 1
    assert crimes.attrs["hotspotlib"]["n_dropped_out_of_range"] == 1


def test_no_usable_rows_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("Robbery", lon=51.5, lat=0.7), row("Drugs", "", "")])
    with pytest.raises(
        ValueError, match=r"none of the 2 rows has them \(1 blank, 1 outside.*swapped"
    ):
        read_police_uk(path)


@pytest.mark.parametrize("value", ["abc", "inf", "1,5"])
def test_non_numeric_coordinates_are_an_error(tmp_path: Path, value: str) -> None:
    lon = f'"{value}"' if "," in value else value
    path = write(tmp_path / "a.csv", [row("Robbery"), row("Robbery", lon=lon)])
    with pytest.raises(
        ValueError, match="column 'longitude'` has 1 of 2 values that are not finite numbers"
    ):
        read_police_uk(path)


def test_malformed_month_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", [row("Robbery", month="Jan 2024")])
    with pytest.raises(
        ValueError,
        match=r"`paths: column 'Month' of the file '.*a.csv'` has 1 values not among the "
        r"months police.uk writes as YYYY-MM \(e.g. \['Jan 2024'\]\)",
    ):
        read_police_uk(path)


def test_empty_and_header_only_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match="empty.csv'` is empty; it has no header row"):
        read_police_uk(empty)
    header_only = write(tmp_path / "header.csv", [])
    with pytest.raises(ValueError, match="hold a header but no rows"):
        read_police_uk(header_only)
    # A header-only month among others is fine.
    good = write(tmp_path / "good.csv", [row("Robbery")])
    assert len(read_police_uk([header_only, good])) == 1


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("Crime ID,Month,Longitude,Latitude", "crime_type"),
        ("Crime ID,Crime type,Longitude,Latitude", "month"),
        ("Crime ID,Month,Crime type,Location", "'longitude', 'latitude'"),
    ],
)
def test_missing_columns_are_an_error(tmp_path: Path, header: str, missing: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(header + "\n" + ",".join(["x"] * 4) + "\n")
    with pytest.raises(ValueError, match=f"missing column.*{missing}"):
        read_police_uk(path)


def test_bad_paths(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file or folder"):
        read_police_uk(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="no file matches the pattern"):
        read_police_uk(str(tmp_path / "*.csv"))
    with pytest.raises(
        FileNotFoundError, match=r"no '\*-street.csv' files in the folder .*\(nor in \.zip"
    ):
        read_police_uk(tmp_path)
    write(tmp_path / "a-street.csv", [row("Robbery")])
    with pytest.raises(ValueError, match="`paths` is empty"):
        read_police_uk([])
    with pytest.raises(ValueError, match="has repeated files .each would count its rows twice."):
        read_police_uk([tmp_path, tmp_path / "a-street.csv"])
    with pytest.raises(TypeError, match="must be file paths"):
        read_police_uk([3])  # type: ignore[list-item]


@pytest.mark.parametrize(
    ("crs", "message"),
    [("EPSG:4326", "must be a projected CRS in metres"), ("not a crs", "not a valid CRS")],
)
def test_bad_crs(street_file: Path, crs: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        read_police_uk(street_file, crs=crs)


def test_files_and_arguments_are_not_modified(street_file: Path) -> None:
    before = street_file.read_bytes()
    paths = [street_file]
    with pytest.warns(UserWarning):
        read_police_uk(paths)
    assert street_file.read_bytes() == before
    assert paths == [street_file]
