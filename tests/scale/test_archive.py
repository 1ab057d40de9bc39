"""A police.uk archive to GeoParquet and back: equal to read_police_uk on the same files."""

from __future__ import annotations

import warnings
import zipfile

import numpy as np
import pandas as pd
import pytest

from hotspotlib.data import read_police_uk
from hotspotlib.scale import PoliceArchive, police_uk_to_parquet, read_events

HEADER = "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,Crime type"


def _rows(prefix, month, force, n, rng):
    lon = rng.uniform(0.4, 0.8, n).round(6)
    lat = rng.uniform(51.2, 51.6, n).round(6)
    types = rng.choice(["Burglary", "Robbery", "Violent crime", "Anti-social behaviour"], n)
    return [
        f"{prefix}{i},{month},{force},{force},{x},{y},On or near X,{t}"
        for i, (x, y, t) in enumerate(zip(lon, lat, types, strict=True))
    ]


@pytest.fixture()
def download(tmp_path):
    """Monthly files of two forces, one zip, rows to drop, a header-only and a bad file."""
    rng = np.random.default_rng(1)
    source = tmp_path / "download"
    for month in ["2024-01", "2024-02", "2024-03"]:
        for force in ["essex", "kent"]:
            folder = source / month
            folder.mkdir(parents=True, exist_ok=True)
            rows = _rows(f"{force}{month}-", month, force, 40, rng)
            if (month, force) == ("2024-02", "kent"):
                rows += [f"x1,{month},kent,kent,,,No location,Robbery"]  # no coordinates
                rows += [f"x2,{month},kent,kent,12.5,41.9,Rome,Robbery"]  # outside the UK
            (folder / f"{month}-{force}-street.csv").write_text("\n".join([HEADER, *rows]) + "\n")
    (source / "2024-03" / "2024-03-surrey-street.csv").write_text(HEADER + "\n")  # no rows
    (source / "2024-03" / "2024-03-dorset-street.csv").write_text(
        HEADER + "\nd1,2024-03,dorset,dorset,,,No location,Burglary\n"
    )
    with zipfile.ZipFile(tmp_path / "2024-04.zip", "w") as archive:
        rows = _rows("avon-", "2024-04", "avon", 30, rng)
        archive.writestr("2024-04/2024-04-avon-street.csv", "\n".join([HEADER, *rows]) + "\n")
        archive.writestr("2024-04/2024-04-avon-outcomes.csv", "Crime ID,Month\n")
    return [source, tmp_path / "2024-04.zip"]


def _sorted(frame):
    return frame.sort_values("crime_id").reset_index(drop=True)


def test_archive_equals_read_police_uk(download, tmp_path):
    pytest.importorskip("pyarrow", reason="GeoParquet needs pyarrow (the dask extra)")
    pytest.importorskip("dask_geopandas", reason="read_events needs dask-geopandas")
    with pytest.warns(UserWarning, match="dropped 3 of"):
        memory = read_police_uk(download)
    with pytest.warns(UserWarning, match="dropped 3 of 273 rows: 2 without coordinates and 1"):
        archive = police_uk_to_parquet(download, tmp_path / "archive")
    assert isinstance(archive, PoliceArchive)
    attrs = memory.attrs["hotspotlib"]
    for key in ["n_read", "n_dropped_no_location", "n_dropped_out_of_range"]:
        assert archive.counts[key] == attrs[key], key
    assert archive.counts["n_written"] == len(memory) == 270
    assert archive.counts["n_files"] == len(attrs["files"]) == 9
    assert dict(archive.relabelled) == attrs["n_relabelled"]
    events = read_events(archive.folder)
    assert events.npartitions == archive.counts["n_parts"] == 7
    got, want = _sorted(events.compute()), _sorted(memory)
    assert got.crs == want.crs
    np.testing.assert_array_equal(got.geometry.x, want.geometry.x)
    np.testing.assert_array_equal(got.geometry.y, want.geometry.y)
    np.testing.assert_array_equal(got["harm"], want["harm"])
    for column in ["crime_id", "crime_type", "location", "falls_within"]:
        assert got[column].astype(object).tolist() == want[column].astype(object).tolist()
    assert (got["month"].to_numpy() == want["month"].to_numpy()).all()
    assert set(got["force"]) == {"essex", "kent", "avon"}
    table = archive.partitions
    assert table["n_events"].sum() == 270
    assert table.set_index(["force", "month"]).loc[("kent", "2024-02"), "n_events"] == 40
    files = archive.files.set_index("force")
    assert files.loc["dorset", "n_dropped_no_location"] == 1
    assert files.loc["surrey", "n_read"] == 0


def test_archive_identical_with_a_client(download, tmp_path, client):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the dropped rows, counted
        here = police_uk_to_parquet(download, tmp_path / "here")
        there = police_uk_to_parquet(download, tmp_path / "there", client=client)
    pd.testing.assert_frame_equal(here.files.drop(columns="file"), there.files.drop(columns="file"))
    pd.testing.assert_frame_equal(here.partitions, there.partitions)
    assert here.parts == there.parts
    pd.testing.assert_frame_equal(
        read_events(here.folder).compute(), read_events(there.folder).compute()
    )


def test_folder_rules(download, tmp_path):
    pytest.importorskip("pyarrow", reason="GeoParquet needs pyarrow (the dask extra)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        first = police_uk_to_parquet(download, tmp_path / "archive")
        with pytest.raises(FileExistsError, match="already holds an archive"):
            police_uk_to_parquet(download, tmp_path / "archive")
        again = police_uk_to_parquet(download, tmp_path / "archive", overwrite=True)
    assert again.parts == first.parts
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    with pytest.raises(FileExistsError, match="holds no archive"):
        police_uk_to_parquet(download, other, overwrite=True)
    assert (other / "mine.txt").read_text() == "keep me"
    with pytest.raises(FileNotFoundError, match="`folder`: no archive"):
        read_events(other)


def test_nothing_usable_is_refused(tmp_path):
    (tmp_path / "2024-01-kent-street.csv").write_text(
        HEADER + "\na,2024-01,kent,kent,,,No location,Burglary\n"
    )
    with pytest.raises(ValueError, match="rows with usable coordinates"):
        police_uk_to_parquet(tmp_path, tmp_path / "archive")
