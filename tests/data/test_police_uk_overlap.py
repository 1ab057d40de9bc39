"""The same police.uk month read twice is refused; a Crime ID on two rows is counted and told."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

import hotspotlib as hs

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)


def _download(folder: Path, months: list[str], force: str = "essex") -> Path:
    """Write police.uk monthly folders (two crimes per month, distinct Crime IDs)."""
    for month in months:
        (folder / month).mkdir(parents=True, exist_ok=True)
        rows = [
            f"{month}-{force}-{i},{month},Essex Police,Essex Police,0.71{i},51.538,On or near "
            f"High Street,E01000001,Southend-on-Sea 001A,Burglary,Under investigation,"
            for i in range(2)
        ]
        path = folder / month / f"{month}-{force}-street.csv"
        path.write_text("\n".join([HEADER, *rows]) + "\n")
    return folder


def test_overlapping_downloads_in_one_folder_are_not_counted_twice(tmp_path: Path) -> None:
    # Two downloads of the same force whose months overlap (2024-02 is in both).
    _download(tmp_path / "first", ["2024-01", "2024-02"])
    _download(tmp_path / "second", ["2024-02", "2024-03"])
    with pytest.raises(ValueError) as error:
        hs.read_police_uk(tmp_path)
    message = str(error.value)
    assert "'2024-02-essex-street.csv'" in message and "read from 2 places" in message
    for download in ("first", "second"):  # both sources named, with the fix
        assert str(tmp_path / download / "2024-02" / "2024-02-essex-street.csv") in message
    assert "Keep one copy of each month" in message
    # each download alone, or the two without the overlap, read every crime once
    assert len(hs.read_police_uk(tmp_path / "first")) == 4
    (tmp_path / "second" / "2024-02" / "2024-02-essex-street.csv").unlink()
    crimes = hs.read_police_uk(tmp_path)
    assert len(crimes) == 6 and not crimes["crime_id"].duplicated().any()


def test_a_folder_and_its_zip_in_one_list_are_not_counted_twice(tmp_path: Path) -> None:
    folder = _download(tmp_path / "download", ["2024-01"])
    archive = tmp_path / "download.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*.csv"):
            zipped.write(path, path.relative_to(folder))
    with pytest.raises(ValueError, match=r"2024-01-essex-street.csv.* read from 2 places") as error:
        hs.read_police_uk([folder, archive])
    assert f"{archive}/2024-01/2024-01-essex-street.csv" in str(error.value)
    assert len(hs.read_police_uk(folder)) == len(hs.read_police_uk(archive)) == 2


def test_other_forces_and_kinds_of_the_same_month_are_not_repeats(tmp_path: Path) -> None:
    _download(tmp_path / "a", ["2024-01"], force="essex")
    _download(tmp_path / "b", ["2024-01"], force="kent")
    (tmp_path / "b" / "2024-01" / "2024-01-essex-outcomes.csv").write_text(
        "Crime ID,Month,Outcome type\n2024-01-essex-0,2024-01,Suspect charged\n"
    )
    assert len(hs.read_police_uk(tmp_path)) == 4
    assert len(hs.read_outcomes(tmp_path)) == 1


def test_every_reader_refuses_a_file_read_twice(tmp_path: Path) -> None:
    for download in ("a", "b"):
        (tmp_path / download).mkdir()
        (tmp_path / download / "2024-01-essex-outcomes.csv").write_text(
            "Crime ID,Month,Outcome type\nc1,2024-01,Suspect charged\n"
        )
    with pytest.raises(ValueError, match=r"police.uk outcomes file '2024-01-essex-outcomes.csv'"):
        hs.read_outcomes(tmp_path)


def test_many_repeated_files_are_all_counted_in_the_message(tmp_path: Path) -> None:
    months = ["2024-01", "2024-02", "2024-03"]
    _download(tmp_path / "first", months)
    _download(tmp_path / "copy", months)
    with pytest.raises(ValueError, match=r"\(2 other police.uk file\(s\) are read twice too\)"):
        hs.read_police_uk(tmp_path)


def test_a_crime_id_on_two_rows_is_kept_counted_and_told(tmp_path: Path) -> None:
    # police.uk files do repeat a record now and then (the same Crime ID, same row);
    # anti-social behaviour rows have no Crime ID and are never repeats.
    rows = [
        "c1,2024-01,,,0.711,51.538,On or near A,,,Robbery,,",
        "c1,2024-01,,,0.711,51.538,On or near A,,,Robbery,,",
        "c1,2024-01,,,0.711,51.538,On or near A,,,Robbery,,",
        "c2,2024-01,,,0.712,51.538,On or near B,,,Robbery,,",
        ",2024-01,,,0.713,51.538,On or near C,,,Anti-social behaviour,,",
        " ,2024-01,,,0.713,51.538,On or near C,,,Anti-social behaviour,,",
    ]
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    warning = re.escape("kept 2 of 6 rows whose Crime ID an earlier row has too (e.g. 'c1')")
    with pytest.warns(UserWarning, match=warning):
        crimes = hs.read_police_uk(path)
    assert len(crimes) == 6 and crimes.attrs["hotspotlib"]["n_repeated_crime_id"] == 2
    once = crimes[~crimes["crime_id"].duplicated() | crimes["crime_id"].isna()]
    assert len(once) == 4  # the recipe the warning gives: c1, c2 and the two blank ids


def _zip(folder: Path, archive: Path, *, backslash: bool = False) -> Path:
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in folder.rglob("*.csv"):
            member = str(path.relative_to(folder))
            zipped.write(path, member.replace("/", "\\") if backslash else member)
    return archive


def test_a_zip_beside_extracted_months_is_read_too(tmp_path: Path) -> None:
    # February extracted and March still zipped, in one folder: both months are read.
    download = _download(tmp_path / "download", ["2024-02"])
    _zip(_download(tmp_path / "march", ["2024-03"]), download / "march.zip")
    crimes = hs.read_police_uk(download)
    assert sorted(crimes["month"].dt.strftime("%Y-%m").unique()) == ["2024-02", "2024-03"]
    assert len(crimes) == 4


def test_a_zip_of_extracted_months_in_the_same_folder_adds_only_the_others(
    tmp_path: Path,
) -> None:
    download = _download(tmp_path / "download", ["2024-02"])
    _zip(_download(tmp_path / "copy", ["2024-02", "2024-03"]), download / "copy.zip")
    crimes = hs.read_police_uk(download)  # February once (unzipped in place), March from the zip
    assert len(crimes) == 4 and not crimes["crime_id"].duplicated().any()


@pytest.mark.parametrize("backslash", [False, True])
def test_a_folder_and_a_zip_of_the_same_month_are_refused(tmp_path: Path, backslash: bool) -> None:
    download = _download(tmp_path / "download", ["2024-02"])
    archive = _zip(
        _download(tmp_path / "copy", ["2024-02"]), tmp_path / "copy.zip", backslash=backslash
    )
    with pytest.raises(ValueError, match=r"2024-02-essex-street.csv.* read from 2 places"):
        hs.read_police_uk([download, archive])


@pytest.mark.parametrize("backslash", [False, True])
def test_a_zip_unzipped_into_a_folder_of_its_name_is_read_once(
    tmp_path: Path, backslash: bool
) -> None:
    # "Extract all" puts download.zip's months in download/, beside the zip.
    folder = _download(tmp_path / "downloads" / "download", ["2024-02"])
    _zip(folder, tmp_path / "downloads" / "download.zip", backslash=backslash)
    assert len(hs.read_police_uk(tmp_path / "downloads")) == 2


def test_overlapping_downloads_one_zipped_in_one_folder_are_refused(tmp_path: Path) -> None:
    # Two downloads whose months overlap, one unzipped (its own folder), one still zipped:
    # refused as when both are unzipped, not one copy of 2024-02 silently dropped.
    _download(tmp_path / "downloads" / "first", ["2024-01", "2024-02"])
    _zip(_download(tmp_path / "second", ["2024-02", "2024-03"]), tmp_path / "downloads" / "b.zip")
    with pytest.raises(ValueError, match=r"2024-02-essex-street.csv.* read from 2 places"):
        hs.read_police_uk(tmp_path / "downloads")
