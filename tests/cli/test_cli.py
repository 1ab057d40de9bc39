"""The ``hotspotlib`` command line, run by calling ``main(argv)`` on police.uk-style files."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib.cli import build_parser, main

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
    "LSOA code,LSOA name,Crime type,Last outcome category,Context"
)
# Two planted hot points in Southend, and scattered crimes around them.
HIGH_STREET = (0.7110, 51.5380, "On or near High Street", "E01000001", "Southend 001A")
PIER_HILL = (0.7200, 51.5330, "On or near Pier Hill", "E01000002", "Southend 002B")


def _rows(month: str, rng: np.random.Generator) -> list[str]:
    rows = []
    for (lon, lat, street, code, name), n, kind in (
        (HIGH_STREET, 15, "Burglary"),
        (PIER_HILL, 10, "Robbery"),
    ):
        rows += [f"{month}-{code}-{j},{month},Essex Police,Essex Police,{lon},{lat},{street},"
                 f"{code},{name},{kind},Under investigation," for j in range(n)]  # fmt: skip
    lon = rng.uniform(0.68, 0.74, 40)
    lat = rng.uniform(51.53, 51.55, 40)
    for i in range(40):
        rows.append(
            f",{month},Essex Police,Essex Police,{lon[i]:.5f},{lat[i]:.5f},"
            f"On or near Road {i},E0100009{i % 3},Southend 09{i % 3}X,"
            f"{'Burglary' if i % 2 else 'Vehicle crime'},,"
        )
    return rows


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """A police.uk zip: two monthly folders of Essex street-level crimes."""
    rng = np.random.default_rng(3)
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for month in ("2024-01", "2024-02"):
            text = "\n".join([HEADER, *_rows(month, rng)]) + "\n"
            archive.writestr(f"{month}/{month}-essex-street.csv", text)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_version(capsys):
    code, out, _ = _run(capsys, "--version")
    assert code == 0 and out.strip() == f"hotspotlib {hs.__version__}"


def test_module_runs_as_a_program():
    done = subprocess.run(
        [sys.executable, "-m", "hotspotlib", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and done.stdout.strip() == f"hotspotlib {hs.__version__}"


def test_hotspots_writes_map_gis_files_csv_and_report(download, tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = _run(
        capsys, "hotspots", str(download), "--cell-size-m", "150", "--top", "5", "--out", str(out)
    )
    assert code == 0 and err == "", err  # no progress bar when stderr is not a terminal
    names = {"hotspots.csv", "hotspots.gpkg", "hotspots.geojson", "hotspots_map.png", "report.html"}
    assert names == {p.name for p in out.iterdir()}
    assert {Path(line).name for line in stdout.split()} == names
    table = pd.read_csv(out / "hotspots.csv")
    assert table["hotspot_id"].tolist() == [1, 2, 3, 4, 5]
    assert table.loc[0, "street"] == "On or near High Street"  # 30 crimes in two months
    crimes = hs.read_police_uk(download)
    cells = gpd.read_file(out / "hotspots.gpkg", engine="pyogrio")
    inside = [int(crimes.within(cell).sum()) for cell in cells.geometry]  # brute force
    assert table["count"].tolist() == inside and inside[0] >= 30 and inside[1] >= 20
    assert table.loc[1, "street"] == "On or near Pier Hill"
    assert table.loc[0, "lsoa_code"] == "E01000001" and table.loc[1, "lsoa_name"] == "Southend 002B"
    # each place's coordinates lie inside its cell: the planted points sit in the top two
    lonlat = gpd.GeoSeries.from_xy(table["longitude"], table["latitude"], crs=4326)
    assert cells.crs.to_epsg() == 27700 and len(cells) == 5
    assert cells.geometry.contains(lonlat.to_crs(27700)).all()
    planted = gpd.GeoSeries.from_xy([HIGH_STREET[0]], [HIGH_STREET[1]], crs=4326)
    assert cells.geometry.iloc[0].contains(planted.to_crs(27700).iloc[0])
    assert gpd.read_file(out / "hotspots.geojson", engine="pyogrio").crs.to_epsg() == 4326
    assert (out / "hotspots_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"{len(crimes)} crimes (all crime types)" in html and "January 2024" in html
    assert "What this means" in html and "On or near High Street" in html
    assert not re.search(r"\b(n_\w+|weight_sum|cumulative_share)\b", html)


def test_harm_and_crime_type(download, tmp_path, capsys):
    out = tmp_path / "robbery"
    argv = ["hotspots", str(download), "--top", "1", "--out", str(out), "--quiet"]
    code, stdout, err = _run(capsys, *argv, "--crime-type", "robbery", "--harm")
    assert code == 0 and stdout == "" and err == ""
    table = pd.read_csv(out / "hotspots.csv")
    assert table.loc[0, "street"] == "On or near Pier Hill"
    assert table.loc[0, "weight_sum"] == 20 * hs.harm_weights().loc["Robbery"]


def _with_asb(tmp_path: Path, download: Path) -> Path:
    """The download plus 45 anti-social behaviour incidents at a third point, Station Road."""
    path = tmp_path / "with_asb.zip"
    with zipfile.ZipFile(download) as source, zipfile.ZipFile(path, "w") as archive:
        for name in source.namelist():
            text = source.read(name).decode()
            month = name[:7]
            asb = [
                f",{month},Essex Police,Essex Police,0.7000,51.5450,On or near Station Road,"
                "E01000003,Southend 003C,Anti-social behaviour,,"
            ] * (45 if month == "2024-01" else 0)
            archive.writestr(name, text + "\n".join(asb) + ("\n" if asb else ""))
    return path


def test_anti_social_behaviour_is_not_counted_as_crime_unless_asked(download, tmp_path, capsys):
    source = _with_asb(tmp_path, download)
    out = tmp_path / "out"
    assert main(["hotspots", str(source), "--top", "3", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "hotspots.csv")
    assert "On or near Station Road" not in table["street"].tolist()
    assert table.loc[0, "street"] == "On or near High Street"
    crimes = hs.read_police_uk(source)
    kept = crimes[crimes["crime_type"] != "Anti-social behaviour"]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert f"{len(kept)} crimes (all crime types)" in html
    assert "45 anti-social behaviour incidents were left out" in html
    # --include-asb counts them: Station Road's 45 incidents top the list
    both = tmp_path / "both"
    argv = ["hotspots", str(source), "--top", "3", "--out", str(both), "--quiet"]
    assert main([*argv, "--include-asb"]) == 0
    table = pd.read_csv(both / "hotspots.csv")
    assert table.loc[0, "street"] == "On or near Station Road" and table.loc[0, "count"] == 45
    html = (both / "report.html").read_text(encoding="utf-8")
    assert f"{len(crimes)} crimes (all crime types, of which 45 anti-social" in html
    assert "left out" not in html
    # naming the type keeps it too; files of nothing else need the flag
    argv[3], argv[5] = "1", str(tmp_path / "named")
    assert main([*argv, "--crime-type", "anti-social behaviour"]) == 0
    assert pd.read_csv(tmp_path / "named" / "hotspots.csv")["count"].tolist()[0] == 45
    only = tmp_path / "2024-01-essex-street.csv"
    only.write_text(HEADER + "\n,2024-01,,,0.7,51.545,On or near X,,,Anti-social behaviour,,\n")
    code, _, err = _run(capsys, "hotspots", str(only), "--out", str(tmp_path / "asb"))
    assert code == 2 and "only anti-social behaviour (1 rows)" in err and "--include-asb" in err


def test_cell_ids_and_columns_are_those_of_the_python_calls(download, tmp_path):
    out = tmp_path / "out"
    argv = ["hotspots", str(download), "--top", "8", "--cell-size-m", "120", "--harm"]
    assert main([*argv, "--min-separation-m", "50", "--out", str(out), "--quiet"]) == 0
    table = pd.read_csv(out / "hotspots.csv")
    crimes = hs.read_police_uk(download)
    counts = hs.count_events(crimes, hs.make_grid(crimes, cell_size_m=120), weights="harm")
    places = hs.select_places(counts, n=8, score="weight_sum", min_separation_m=50, crimes=crimes)
    assert table["cell_id"].tolist() == places.index.tolist()  # indexed by cell_id
    assert table["hotspot_id"].tolist() == places["rank"].tolist() == list(range(1, 9))
    for column in ("count", "weight_sum", "cumulative_share", "street", "lsoa_code"):
        assert table[column].tolist() == pytest.approx(places[column].tolist()), column
    layer = gpd.read_file(out / "hotspots.gpkg", engine="pyogrio")
    assert layer.geometry.geom_equals_exact(places.geometry.reset_index(drop=True), 1e-6).all()


def test_the_same_month_in_two_downloads_is_refused(download, tmp_path, capsys):
    folder = tmp_path / "downloads"
    for name in ("a", "b"):  # the same download unzipped twice under one folder
        with zipfile.ZipFile(download) as archive:
            archive.extractall(folder / name)
    code, _, err = _run(capsys, "hotspots", str(folder), "--out", str(tmp_path / "out"))
    assert code == 2 and err.count("\n") == 1 and "read from 2 places" in err
    for name in ("a", "b"):
        assert str(folder / name / "2024-01" / "2024-01-essex-street.csv") in err
    # a folder holding a download and its unzipped files reads each crime once
    (folder / "b").rename(tmp_path / "elsewhere")
    (folder / "a.zip").write_bytes(download.read_bytes())
    assert main(["hotspots", str(folder), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert f"{len(hs.read_police_uk(download))} crimes" in html


def test_errors_are_one_line_with_exit_status_2(download, tmp_path, capsys):
    code, _, err = _run(capsys, "hotspots", str(download), "--crime-type", "Arson")
    assert code == 2 and err.count("\n") == 1
    assert err.startswith("hotspotlib: error: --crime-type 'Arson' is not in these files")
    assert "Burglary (" in err and "Traceback" not in err
    code, _, err = _run(capsys, "hotspots", str(tmp_path / "missing.zip"))
    assert code == 2 and err.count("\n") == 1 and "does not exist" in err
    code, _, err = _run(capsys, "hotspots", str(download), "--top", "many")
    assert code == 2 and err.count("\n") == 1 and "invalid int value: 'many'" in err
    code, _, err = _run(capsys, "hotspots", str(download), "--top", "0", "--out", str(tmp_path))
    assert code == 2 and err.count("\n") == 1 and "--top must be" in err and "`n`" not in err
    code, _, err = _run(capsys, "hotspots", str(download), "--top", "0", "--debug")
    assert code == 2 and "Traceback (most recent call last)" in err


def test_plan_from_the_hotspots_csv(download, tmp_path, capsys):
    found = tmp_path / "found"
    assert main(["hotspots", str(download), "--top", "6", "--out", str(found), "--quiet"]) == 0
    argv = ["plan", str(found / "hotspots.csv"), "--date", "2025-01-31", "--treated", "2"]
    code, _, err = _run(capsys, *argv, "--seed", "4", "--out", str(tmp_path / "a"))
    assert code == 0, err
    plan = pd.read_csv(tmp_path / "a" / "patrol_plan.csv")
    assert plan["patrol"].tolist() == ["patrol"] * 2 + ["control"] * 4
    assert set(plan["date"]) == {"2025-01-31"} and sorted(plan["hotspot_id"]) == [1, 2, 3, 4, 5, 6]
    assert plan["street"].notna().all() and {"longitude", "latitude"} <= set(plan.columns)
    audit = json.loads((tmp_path / "a" / "patrol_plan_audit.json").read_text())
    assert audit["seed"] == 4 and audit["first_day"] == "2025-01-31"
    # the same seed from the GeoPackage gives the same draw; the oracle is assign_days itself
    argv[1] = str(found / "hotspots.gpkg")
    assert main([*argv, "--seed", "4", "--out", str(tmp_path / "b"), "--quiet"]) == 0
    again = pd.read_csv(tmp_path / "b" / "patrol_plan.csv")
    assert again["hotspot_id"].tolist() == plan["hotspot_id"].tolist()
    direct = hs.assign_days(range(1, 7), start="2025-01-31", days=1, treated_per_day=2, rng=4)
    chosen = direct.to_frame().query("treated == 1")
    assert sorted(chosen.iloc[:, 0]) == sorted(plan["hotspot_id"][:2])


def test_plan_errors(download, tmp_path, capsys):
    places = tmp_path / "places.csv"
    pd.DataFrame({"id": [1, 2, 2]}).to_csv(places, index=False)
    code, _, err = _run(capsys, "plan", str(places), "--treated", "1")
    assert code == 2 and "no column 'hotspot_id'" in err and "--id-column" in err
    code, _, err = _run(capsys, "plan", str(places), "--treated", "1", "--id-column", "id")
    assert code == 2 and "no blanks or repeats" in err
    code, _, err = _run(capsys, "plan", str(places))
    assert code == 2 and "--treated" in err and err.count("\n") == 1


def test_help_is_plain_and_shows_every_default():
    parser = build_parser()
    subparsers = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    for name, sub in subparsers.items():
        text = sub.format_help()
        assert not re.search(r"``|:func:|:class:|\.\. ", text), name
        for action in sub._actions:
            if action.option_strings and action.dest != "help" and not action.required:
                assert "default" in (action.help or "") or action.default is not None, action
        flat = " ".join(text.split())
        assert flat.count("(default:") >= 3, name


def test_plan_with_officers_writes_a_visit_timetable(download, tmp_path, capsys):
    found = tmp_path / "found"
    assert main(["hotspots", str(download), "--top", "6", "--out", str(found), "--quiet"]) == 0
    out = tmp_path / "shift"
    argv = ["plan", str(found / "hotspots.gpkg"), "--date", "2025-01-31", "--treated", "4"]
    more = ["--seed", "2", "--officers", "2", "--shift", "22:00-02:00", "--speed-kmh", "20"]
    code, _, err = _run(capsys, *argv, *more, "--out", str(out))
    assert code == 0, err
    plan = pd.read_csv(out / "patrol_plan.csv")
    visits = pd.read_csv(out / "patrol_visits.csv", parse_dates=["arrival", "departure"])
    patrolled = plan.loc[plan["patrol"] == "patrol", "hotspot_id"]
    assert sorted(visits["hotspot_id"]) == sorted(patrolled)  # one visit to each, no other
    assert visits["officer_id"].nunique() == 2 and (visits["minutes"] == 15).all()
    assert visits["arrival"].min() >= pd.Timestamp("2025-01-31 22:00")
    assert visits["departure"].max() <= pd.Timestamp("2025-02-01 02:00")
    assert visits["street"].notna().all()
    # from the CSV there are no outlines to route between: one clear line
    argv[1] = str(found / "hotspots.csv")
    code, _, err = _run(capsys, *argv, *more, "--out", str(out))
    assert code == 2 and "give the .gpkg file" in err and err.count("\n") == 1
    gpkg = str(found / "hotspots.gpkg")
    late = ["--treated", "1", "--officers", "1", "--shift", "late", "--out", str(out)]
    code, _, err = _run(capsys, "plan", gpkg, *late)
    assert code == 2 and "--shift 'late' is not HH:MM-HH:MM" in err


def test_library_errors_name_the_command_options_not_python_arguments(download, tmp_path, capsys):
    # a grid too fine for memory: the library says "raise `max_cells`", which the command
    # line cannot pass; the command says which option to change
    out = str(tmp_path / "out")
    code, _, err = _run(capsys, "hotspots", str(download), "--cell-size-m", "0.15", "--out", out)
    assert code == 2 and err.count("\n") == 1
    assert "over the limit" in err and "Use a larger --cell-size-m" in err
    assert "max_cells" not in err and "`" not in err
    places = tmp_path / "places.csv"
    pd.DataFrame({"hotspot_id": [1, 2, 3]}).to_csv(places, index=False)
    for date in ("01/02/2025", "2025-13-01", "tomorrow"):  # the help asks for YYYY-MM-DD
        code, _, err = _run(capsys, "plan", str(places), "--date", date, "--treated", "1")
        assert code == 2 and err.count("\n") == 1, err
        assert f"--date {date!r} is not a YYYY-MM-DD date" in err
        assert "dayfirst" not in err and "`start`" not in err
    code, _, err = _run(capsys, "plan", str(places), "--treated", "5", "--out", out)
    assert code == 2 and err.startswith("hotspotlib: error: --treated 5 leaves more places")


def test_reword_replaces_python_only_advice():
    from hotspotlib._validation import require_timestamp
    from hotspotlib.cli._common import reword

    with pytest.raises(ValueError) as error:
        require_timestamp("01/02/2025", name="start")
    assert "dayfirst=True" in str(error.value)  # the library's advice, for Python callers
    text = reword(error.value, {"start": "--date"})
    assert text.startswith("--date has dates such as '01/02/2025' that read both")
    assert text.endswith("write it as YYYY-MM-DD (31 January 2024 is 2024-01-31).")
    assert "`" not in text


def test_library_warnings_are_one_line_without_python_advice(tmp_path, capsys):
    source = tmp_path / "2024-01-essex-street.csv"
    rows = [f"c{i},2024-01,,,0.711,51.538,On or near A,E01,A 01,Robbery,," for i in range(3)]
    rows += ["c0,2024-01,,,0.712,51.538,On or near B,E01,A 01,Robbery,,"]  # c0 again
    rows += ["c9,2024-01,,,,,No location,,,Robbery,,"]  # police.uk could not place it
    source.write_text("\n".join([HEADER, *rows]) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("default")  # as a shell runs it (the test run makes them errors)
        code, _, err = _run(capsys, "hotspots", str(source), "--top", "1", "--out", str(tmp_path))
    assert code == 0, err
    lines = err.splitlines()
    assert len(lines) == 2 and all(line.startswith("hotspotlib: warning: ") for line in lines)
    assert "dropped 1 of 5 rows: 1 without coordinates" in err
    assert "kept 1 of 4 rows whose Crime ID an earlier row has too (e.g. 'c0')" in err
    assert "`" not in err and "attrs" not in err
