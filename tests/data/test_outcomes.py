"""read_outcomes and latest_outcomes: police.uk outcomes joined to crimes by Crime ID."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib.data import latest_outcomes, read_outcomes

HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Outcome type"
)
STREET = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
    "LSOA name,Crime type,Last outcome category,Context"
)
CHARGED = "Suspect charged as part of another case"
NO_SUSPECT = "Investigation complete; no suspect identified"


def outcome(crime_id: str, month: str, kind: str, lon: object = 0.711, lat: object = 51.538) -> str:
    return (
        f"{crime_id},{month},Essex Police,Essex Police,{lon},{lat},On or near High Street,"
        f'E01000001,Southend 001A,"{kind}"'
    )


def crime(crime_id: str, month: str = "2024-01", kind: str = "Burglary") -> str:
    return (
        f"{crime_id},{month},Essex Police,Essex Police,0.711,51.538,On or near High Street,"
        f"E01000001,Southend 001A,{kind},Under investigation,"
    )


def text(rows: list[str], header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def write(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(text(rows, header), encoding="utf-8")
    return path


@pytest.fixture
def download(tmp_path: Path) -> Path:
    """A zip with two months of crimes and three months of outcomes for two forces."""
    members = {
        "2024-01/2024-01-essex-street.csv": text(
            [crime("c1"), crime("c2"), crime("", kind="Anti-social behaviour")], STREET
        ),
        "2024-02/2024-02-essex-street.csv": text([crime("c3", "2024-02")], STREET),
        "2024-01/2024-01-essex-outcomes.csv": text(
            [outcome("c1", "2024-01", "Under investigation"), outcome("c0", "2024-01", NO_SUSPECT)]
        ),
        "2024-02/2024-02-essex-outcomes.csv": text(
            [
                outcome("c1", "2024-02", "Awaiting court outcome"),
                outcome("c3", "2024-02", NO_SUSPECT),
            ]
        ),
        "2024-02/2024-02-kent-outcomes.csv": text([outcome("k9", "2024-02", NO_SUSPECT)]),
        "2024-03/2024-03-essex-outcomes.csv": text(
            [outcome("c1", "2024-03", CHARGED, lon="", lat="")]
        ),
        "2024-03/2024-03-essex-stop-and-search.csv": "Type,Date\nPerson search,2024-03-01\n",
    }
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def test_read_outcomes_from_a_zip(download: Path) -> None:
    outcomes = read_outcomes(download)
    assert type(outcomes) is pd.DataFrame and len(outcomes) == 6
    assert list(outcomes.columns) == [
        "crime_id",
        "month",
        "reported_by",
        "falls_within",
        "longitude",
        "latitude",
        "location",
        "lsoa_code",
        "lsoa_name",
        "outcome_type",
    ]
    assert outcomes["month"].dt.strftime("%Y-%m").tolist() == [
        "2024-01",
        "2024-01",
        "2024-02",
        "2024-02",
        "2024-02",
        "2024-03",
    ]
    assert outcomes["longitude"].dtype == np.float64 and outcomes["longitude"].isna().sum() == 1
    assert outcomes.attrs["hotspotlib"]["n_read"] == 6
    assert len(outcomes.attrs["hotspotlib"]["files"]) == 4


def test_latest_outcome_per_crime_from_the_download(download: Path) -> None:
    crimes = hs.read_police_uk(download)
    joined = latest_outcomes(crimes, read_outcomes(download))
    assert isinstance(joined, gpd.GeoDataFrame) and joined.crs == crimes.crs
    assert joined["crime_id"].tolist() == crimes["crime_id"].tolist()
    by_id = joined.set_index(joined["crime_id"].fillna("(none)"))
    assert by_id.loc["c1", "outcome_type_latest"] == CHARGED
    assert by_id.loc["c1", "outcome_month_latest"] == pd.Timestamp("2024-03-01")
    assert by_id.loc["c3", "outcome_type_latest"] == NO_SUSPECT
    assert pd.isna(by_id.loc["c2", "outcome_type_latest"])
    assert pd.isna(by_id.loc["(none)", "outcome_month_latest"])
    assert by_id["n_outcomes"].to_dict() == {"c1": 3, "c2": 0, "(none)": 0, "c3": 1}
    counts = joined.attrs["hotspotlib"]["latest_outcomes"]
    assert counts == {
        "n_crimes": 4,
        "n_without_crime_id": 1,
        "n_with_outcome": 2,
        "n_without_outcome": 1,
        "n_outcome_rows": 6,
        "n_outcome_rows_other_crimes": 2,
        "n_latest_tied": 0,
    }
    assert joined.attrs["hotspotlib"]["n_read"] == 4  # what read_police_uk recorded is kept
    assert "outcome_type_latest" not in crimes.columns  # crimes unchanged


def test_file_order_does_not_decide_the_latest_month(tmp_path: Path) -> None:
    march = write(tmp_path / "2024-03-essex-outcomes.csv", [outcome("c1", "2024-03", CHARGED)])
    january = write(tmp_path / "2024-01-essex-outcomes.csv", [outcome("c1", "2024-01", NO_SUSPECT)])
    crimes = pd.DataFrame({"crime_id": ["c1"]})
    for order in ([march, january], [january, march]):
        joined = latest_outcomes(crimes, read_outcomes(order))
        assert joined["outcome_type_latest"].tolist() == [CHARGED]


def test_ties_in_the_latest_month_go_to_the_row_read_last_and_are_counted() -> None:
    outcomes = pd.DataFrame(
        {
            "crime_id": ["a", "a", "b", "b"],
            "month": ["2024-02", "2024-02", "2024-02", "2024-02"],
            "outcome_type": ["Awaiting court outcome", CHARGED, NO_SUSPECT, NO_SUSPECT],
        }
    )
    joined = latest_outcomes(pd.DataFrame({"crime_id": ["a", "b"]}), outcomes)
    assert joined["outcome_type_latest"].tolist() == [CHARGED, NO_SUSPECT]
    assert joined.attrs["hotspotlib"]["latest_outcomes"]["n_latest_tied"] == 1


def test_matches_a_brute_force_latest(rng: np.random.Generator) -> None:
    n = 3_000
    ids = rng.integers(0, 500, n).astype(str)
    months = pd.to_datetime("2023-01-01") + pd.to_timedelta(rng.integers(0, 12, n) * 31, "D")
    months = months.to_period("M").to_timestamp()
    kinds = rng.choice(["A", "B", "C", "D"], n)
    outcomes = pd.DataFrame({"crime_id": ids, "month": months, "outcome_type": kinds})
    crimes = pd.DataFrame({"crime_id": np.r_[np.arange(0, 600).astype(str), [None]]})
    joined = latest_outcomes(crimes, outcomes)
    expected: dict[str, tuple[str, pd.Timestamp, int]] = {}
    for i in range(n):  # the definition, row by row: a later month, or the same month read later
        key = ids[i]
        if key not in expected or months[i] >= expected[key][1]:
            expected[key] = (kinds[i], months[i], expected.get(key, ("", months[i], 0))[2] + 1)
        else:
            expected[key] = (*expected[key][:2], expected[key][2] + 1)
    latest_kinds = outcomes.assign(last=outcomes.groupby("crime_id")["month"].transform("max"))
    latest_kinds = latest_kinds[latest_kinds["month"] == latest_kinds["last"]]
    tied = int((latest_kinds.groupby("crime_id")["outcome_type"].nunique() > 1).sum())
    assert tied > 0 and joined.attrs["hotspotlib"]["latest_outcomes"]["n_latest_tied"] == tied
    for _, row in joined.iterrows():
        if row["crime_id"] in expected:
            kind, month, count = expected[row["crime_id"]]
            assert (row["outcome_type_latest"], row["outcome_month_latest"]) == (kind, month)
            assert row["n_outcomes"] == count
        else:
            assert pd.isna(row["outcome_type_latest"]) and row["n_outcomes"] == 0


def test_inputs_are_not_modified() -> None:
    crimes = pd.DataFrame({"crime_id": [" c1 ", "c2"], "x": [1, 2]})
    outcomes = pd.DataFrame({"crime_id": ["c1"], "month": ["2024-01"], "outcome_type": ["X"]})
    before = (crimes.copy(), outcomes.copy())
    joined = latest_outcomes(crimes, outcomes)
    latest = joined["outcome_type_latest"]
    assert latest.iloc[0] == "X" and pd.isna(latest.iloc[1])  # spaces are trimmed
    pd.testing.assert_frame_equal(crimes, before[0])
    pd.testing.assert_frame_equal(outcomes, before[1])


def test_a_join_matching_nothing_shows_both_sides() -> None:
    outcomes = pd.DataFrame({"crime_id": ["k1", "k2"], "month": "2024-01", "outcome_type": "X"})
    with pytest.raises(ValueError, match=r"No crimes of .*\(0 of 2\).*'c1'.*'k1'"):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1", "c2"]}), outcomes)
    with pytest.raises(ValueError, match="text on one side and numbers on the other"):
        latest_outcomes(pd.DataFrame({"crime_id": [1, 2]}), outcomes)


def test_most_crimes_without_an_outcome_warn_with_counts() -> None:
    outcomes = pd.DataFrame({"crime_id": ["c1"], "month": ["2024-01"], "outcome_type": ["X"]})
    crimes = pd.DataFrame({"crime_id": ["c1", "c2", "c3", "c4"]})
    with pytest.warns(UserWarning, match=r"3 of 4 crimes \(75%\) have a .crimes.*matches nothing"):
        joined = latest_outcomes(crimes, outcomes)
    assert joined.attrs["hotspotlib"]["latest_outcomes"]["n_without_outcome"] == 3


def test_bad_joins() -> None:
    outcomes = pd.DataFrame({"crime_id": ["c1"], "month": ["2024-01"], "outcome_type": ["X"]})
    with pytest.raises(
        ValueError, match=r"`crimes\['crime_id'\] .*` is empty; it is blank in all 2 rows"
    ):
        latest_outcomes(pd.DataFrame({"crime_id": [None, " "]}), outcomes)
    with pytest.raises(
        ValueError,
        match="`crimes` has repeated column names once `latest_outcomes` adds.*outcome_type_latest",
    ):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1"], "outcome_type_latest": ["Y"]}), outcomes)
    with pytest.raises(ValueError, match=r"`outcomes` is missing column.*'outcome_type'"):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1"]}), outcomes.drop(columns="outcome_type"))
    with pytest.raises(ValueError, match=r"`outcomes\['month'\]` could not be parsed"):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1"]}), outcomes.assign(month="soon"))
    with pytest.raises(ValueError, match=r"`crimes\['crime_id'\]` mixes text and numbers"):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1", 2]}), outcomes)
    with pytest.raises(ValueError, match="`outcomes` is empty"):
        latest_outcomes(pd.DataFrame({"crime_id": ["c1"]}), outcomes.iloc[:0])


def test_windows_1252_and_rows_without_crime_id(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-essex-outcomes.csv"
    caution = outcome("c1", "2024-01", "Offender given a caution").replace("High", "Café")
    rows = [caution, outcome("", "2024-01", "X")]
    path.write_bytes(text(rows).encode("cp1252"))
    with pytest.warns(UserWarning, match=r"dropped 1 of 2 rows without a Crime ID"):
        outcomes = read_outcomes(path)
    assert outcomes["location"].tolist() == ["On or near Café Street"]
    assert outcomes.attrs["hotspotlib"]["n_dropped_no_crime_id"] == 1


@pytest.mark.parametrize(
    ("rows", "header", "match"),
    [
        (
            ["c1,2024-01"],
            "Crime ID,Month",
            r"read as a police.uk outcomes file` is missing column\(s\) 'outcome_type'",
        ),
        (
            [outcome("c1", "01/2024", "X")],
            HEADER,
            r"column 'Month' of the file .*-outcomes.csv'` .* YYYY-MM .*01/2024",
        ),
        (
            [outcome("c1", "2024-01", "X", lon="east")],
            HEADER,
            r"'longitude'` has 1 of 1 values that are not finite",
        ),
        (
            [outcome("", "2024-01", "X")],
            HEADER,
            r"`paths: the rows with a Crime ID` is empty; none of the 1 rows has one",
        ),
        ([], HEADER, "hold a header but no rows"),
    ],
)
def test_bad_files(tmp_path: Path, rows: list[str], header: str, match: str) -> None:
    path = write(tmp_path / "2024-01-essex-outcomes.csv", rows, header)
    with pytest.raises(ValueError, match=match):
        read_outcomes(path)


def test_bad_paths(tmp_path: Path) -> None:
    write(tmp_path / "2024-01-essex-street.csv", [crime("c1")], STREET)
    with pytest.raises(FileNotFoundError, match=r"no '\*-outcomes.csv' files in the folder"):
        read_outcomes(tmp_path)
    with pytest.raises(TypeError, match="`paths` must be"):
        read_outcomes({"a": 1})  # type: ignore[arg-type]
