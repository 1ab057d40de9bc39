"""police.uk files as they arrive: zip downloads and Windows-1252 text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

import hotspotlib as hs
from hotspotlib.data import read_police_uk

HEADER = "Crime ID,Month,Longitude,Latitude,Location,Crime type"


def csv_text(month: str, force: str, n: int, location: str = "On or near High Street") -> str:
    rows = [f"{force}{month}-{i},{month},0.711,51.538,{location},Robbery" for i in range(n)]
    return "\n".join([HEADER, *rows]) + "\n"


def build_zip(path: Path, members: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_zip_of_monthly_folders_for_several_forces(tmp_path: Path) -> None:
    download = build_zip(
        tmp_path / "download.zip",
        {
            "2024-01/2024-01-essex-street.csv": csv_text("2024-01", "e", 2),
            "2024-01/2024-01-kent-street.csv": csv_text("2024-01", "k", 3),
            "2024-01/2024-01-kent-outcomes.csv": "Crime ID,Month\nx,2024-01\n",
            "2024-02/2024-02-essex-street.csv": csv_text("2024-02", "e", 4),
            "2024-02/2024-02-kent-stop-and-search.csv": "Type,Date\nPerson,2024-02-01\n",
        },
    )
    crimes = read_police_uk(download)
    assert len(crimes) == 9
    assert crimes["month"].dt.strftime("%Y-%m").value_counts().to_dict() == {
        "2024-02": 4,
        "2024-01": 5,
    }
    files = crimes.attrs["hotspotlib"]["files"]
    assert len(files) == 3 and all("download.zip/2024-0" in f for f in files)


def test_zip_in_a_folder_and_in_a_list(tmp_path: Path) -> None:
    build_zip(tmp_path / "a.zip", {"2024-01/2024-01-essex-street.csv": csv_text("2024-01", "e", 2)})
    assert len(read_police_uk(tmp_path)) == 2
    assert len(read_police_uk([tmp_path / "a.zip"])) == 2


def test_zip_without_csv_files_is_an_error(tmp_path: Path) -> None:
    empty = build_zip(tmp_path / "empty.zip", {"readme.txt": "nothing here"})
    with pytest.raises(
        FileNotFoundError, match=r"`paths`: no '\*-street.csv' files in the zip .*empty.zip"
    ):
        read_police_uk(empty)


def test_broken_zip_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match=r"`paths`: the file .*broken.zip.* not a readable zip"):
        read_police_uk(broken)


def test_windows_1252_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_bytes(csv_text("2024-01", "e", 2, "On or near Café Row £").encode("cp1252"))
    crimes = read_police_uk(path)
    assert crimes["location"].tolist() == ["On or near Café Row £"] * 2


def test_utf8_with_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text("2024-01", "e", 1, "Café").encode("utf-8"))
    crimes = read_police_uk(path)
    assert "month" in crimes.columns and crimes["location"].tolist() == ["Café"]


def test_neither_utf8_nor_cp1252_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(csv_text("2024-01", "e", 1).encode() + b"\x81\x8d\x9d")
    with pytest.raises(ValueError, match=r"`paths`: the file .*odd.csv.* neither UTF-8"):
        read_police_uk(path)


@pytest.mark.parametrize("value", [123, None, 1.5, b"bytes", {"a": "b.csv"}])
def test_paths_that_are_not_paths_say_what_is_accepted(value: object) -> None:
    with pytest.raises(
        TypeError,
        match=r"`paths` must be a path to a police.uk '\*-street.csv' file, a folder.*zip",
    ):
        read_police_uk(value)  # type: ignore[arg-type]


def test_list_holding_a_number_is_a_type_error(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"`paths` must be file paths .*got int 7"):
        read_police_uk([7])  # type: ignore[list-item]


STOP = "Type,Date,Latitude,Longitude\nPerson search,2024-01-05T10:00:00+00:00,51.538,0.711\n"
OUTCOME = "Crime ID,Month,Outcome type\ne0,2024-01,Suspect charged\n"


def test_each_reader_takes_its_own_kind_from_one_download(tmp_path: Path) -> None:
    download = build_zip(
        tmp_path / "download.zip",
        {
            "2024-01/2024-01-essex-street.csv": csv_text("2024-01", "e", 2),
            "2024-01/2024-01-essex-outcomes.csv": OUTCOME,
            "2024-01/2024-01-essex-stop-and-search.csv": STOP,
        },
    )
    for paths in (download, tmp_path):  # the zip itself, or the folder holding it
        assert len(read_police_uk(paths)) == 2
        assert hs.read_outcomes(paths)["crime_id"].tolist() == ["e0"]
        assert hs.read_stop_search(paths)["force"].tolist() == ["essex"]


def test_a_folder_with_a_download_and_its_unzipped_files_gives_each_row_once(
    tmp_path: Path,
) -> None:
    build_zip(tmp_path / "download.zip", {"2024-01/2024-01-essex-stop-and-search.csv": STOP})
    (tmp_path / "2024-01").mkdir()
    (tmp_path / "2024-01" / "2024-01-essex-stop-and-search.csv").write_text(STOP)
    stops = hs.read_stop_search(tmp_path)
    assert len(stops) == 1
    assert stops.attrs["hotspotlib"]["files"] == [
        str(tmp_path / "2024-01" / "2024-01-essex-stop-and-search.csv")
    ]


def test_csvs_named_as_no_kind_are_read_when_none_is_of_the_kind(tmp_path: Path) -> None:
    (tmp_path / "mine.csv").write_text(STOP)
    (tmp_path / "2024-01-essex-street.csv").write_text(csv_text("2024-01", "e", 2))
    assert len(hs.read_stop_search(tmp_path)) == 1  # mine.csv: no stop-and-search file
    assert len(read_police_uk(tmp_path)) == 2  # the street file only
    others = tmp_path / "others"
    others.mkdir()
    (others / "2024-01-essex-outcomes.csv").write_text(OUTCOME)
    with pytest.raises(FileNotFoundError, match=r"no '\*-street.csv' files in the folder"):
        read_police_uk(others)  # an outcomes file is never read as crimes
    mixed = build_zip(tmp_path / "mixed.zip", {"crimes.csv": csv_text("2024-01", "e", 3)})
    assert len(read_police_uk(mixed)) == 3


def test_a_bad_month_names_its_file_and_the_police_uk_layout(tmp_path: Path) -> None:
    (tmp_path / "2024-01-essex-street.csv").write_text(csv_text("2024-01", "e", 2))
    (tmp_path / "2024-02-kent-street.csv").write_text(csv_text("Feb 2024", "k", 1))
    with pytest.raises(ValueError) as error:
        read_police_uk(tmp_path)
    message = str(error.value)
    assert message.startswith("`paths: column 'Month' of the file '")
    assert "2024-02-kent-street.csv'` has 1 values not among the months police.uk" in message
    assert "YYYY-MM (e.g. ['Feb 2024'])" in message
    assert "essex" not in message and "date_format" not in message
    (tmp_path / "2024-02-kent-street.csv").write_text(csv_text("", "k", 1))
    with pytest.raises(ValueError, match=r"2024-02-kent-street.csv'` has 1 values .*\[nan\]"):
        read_police_uk(tmp_path)
