"""Bad inputs for the stop-and-search and outcomes readers (``Case``, ``fx``, ``hs`` given)."""

import atexit
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import pandas as pd

FIX = "2024-01-05T10:00Z"
STOPS = "Type,Date,Part of a policing operation,Latitude,Longitude,Object of search"
OUTCOMES = "Crime ID,Month,Longitude,Latitude,Outcome type"


@cache
def folder() -> Path:
    """A scratch folder of small stop-and-search and outcomes files for the cases below."""
    root = Path(tempfile.mkdtemp(prefix="hotspotlib-bad-inputs-other-"))
    atexit.register(shutil.rmtree, root, True)
    files = {
        "empty-stop-and-search.csv": "",
        "header-stop-and-search.csv": STOPS + "\n",
        "blank-stop-and-search.csv": f"{STOPS}\nPerson search,{FIX},False,,,Drugs\n",
        "swapped-stop-and-search.csv": f"{STOPS}\nPerson search,{FIX},False,0.7,51.5,X\n",
        "date-stop-and-search.csv": f"{STOPS}\nPerson search,soon,False,51.5,0.7,X\n",
        "flag-stop-and-search.csv": f"{STOPS}\nPerson search,{FIX},Yes,51.5,0.7,X\n",
        "some-blank-stop-and-search.csv": (
            f"{STOPS}\nPerson search,{FIX},False,51.5,0.7,X\nVehicle search,{FIX},False,,,X\n"
        ),
        "2024-01-essex-street.csv": "Crime ID,Month,Longitude,Latitude,Crime type\n",
        "street-outcomes.csv": "Crime ID,Month,Longitude,Latitude,Crime type\na,2024-01,0,51,X\n",
        "month-outcomes.csv": f"{OUTCOMES}\na1,Jan 2024,0.7,51.5,Charged\n",
        "noid-outcomes.csv": f"{OUTCOMES}\n,2024-01,0.7,51.5,Charged\na1,2024-01,0.7,51.5,X\n",
        "header-outcomes.csv": OUTCOMES + "\n",
    }
    for name, content in files.items():
        (root / name).write_text(content)
    (root / "odd-bytes-outcomes.csv").write_bytes(f"{OUTCOMES}\n".encode() + b"\x81\x8d\x9d")
    (root / "street-only").mkdir()
    (root / "street-only" / "2024-01-essex-street.csv").write_text("Crime ID\nx\n")
    with zipfile.ZipFile(root / "street.zip", "w") as archive:
        archive.writestr("2024-01/2024-01-essex-street.csv", "Crime ID\nx\n")
    (root / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    return root


def crimes(*ids):
    return pd.DataFrame({"crime_id": list(ids)})


def outcomes(ids=("c1",), month="2024-01"):
    return pd.DataFrame({"crime_id": list(ids), "month": month, "outcome_type": "Charged"})


CASES = [
    # read_stop_search
    Case(
        "read_stop_search",
        "a number",
        lambda: hs.read_stop_search(123),
        "`paths` must be a path to a police.uk '.*-stop-and-search.csv' file",
        TypeError,
    ),
    Case(
        "read_stop_search",
        "folder with street files only",
        lambda: hs.read_stop_search(folder() / "street-only"),
        r"`paths`: no '\*-stop-and-search.csv' files in the folder .*street-only",
        FileNotFoundError,
    ),
    Case(
        "read_stop_search",
        "zip with street files only",
        lambda: hs.read_stop_search(folder() / "street.zip"),
        r"`paths`: no '\*-stop-and-search.csv' files in the zip .*street.zip.*download page",
        FileNotFoundError,
    ),
    Case(
        "read_stop_search",
        "broken zip",
        lambda: hs.read_stop_search(folder() / "broken.zip"),
        "`paths`: the file .*broken.zip.* not a readable zip",
    ),
    Case(
        "read_stop_search",
        "empty file",
        lambda: hs.read_stop_search(folder() / "empty-stop-and-search.csv"),
        "`paths: the file .*` is empty; it has no header row",
    ),
    Case(
        "read_stop_search",
        "header but no rows",
        lambda: hs.read_stop_search(folder() / "header-stop-and-search.csv"),
        "`paths` is empty .*the 1 file.* hold a header but no rows",
    ),
    Case(
        "read_stop_search",
        "a street-level file",
        lambda: hs.read_stop_search(folder() / "2024-01-essex-street.csv"),
        r"police.uk stop-and-search file` is missing column\(s\) 'type', 'date'",
    ),
    Case(
        "read_stop_search",
        "no coordinates at all",
        lambda: hs.read_stop_search(folder() / "blank-stop-and-search.csv"),
        "`paths: the rows with usable coordinates` is empty; none of the 1 rows has them",
    ),
    Case(
        "read_stop_search",
        "latitude and longitude swapped",
        lambda: hs.read_stop_search(folder() / "swapped-stop-and-search.csv"),
        "1 outside the United Kingdom: are longitude and latitude swapped",
    ),
    Case(
        "read_stop_search",
        "some rows without coordinates",
        lambda: hs.read_stop_search(folder() / "some-blank-stop-and-search.csv"),
        "read_stop_search dropped 1 of 2 rows: 1 without coordinates",
        None,
        UserWarning,
    ),
    Case(
        "read_stop_search",
        "unreadable date",
        lambda: hs.read_stop_search(folder() / "date-stop-and-search.csv"),
        "`Date` could not be parsed.*'soon'",
    ),
    Case(
        "read_stop_search",
        "yes/no column holding another word",
        lambda: hs.read_stop_search(folder() / "flag-stop-and-search.csv"),
        "'part_of_a_policing_operation'` has 1 values not among True, False and blank.*Yes",
    ),
    Case(
        "read_stop_search",
        "geographic crs",
        lambda: hs.read_stop_search(folder() / "some-blank-stop-and-search.csv", crs=4326),
        "`crs` must be a projected CRS in metres",
    ),
    # read_outcomes
    Case(
        "read_outcomes",
        "a mapping",
        lambda: hs.read_outcomes({"a": 1}),
        "`paths` must be a path to a police.uk '.*-outcomes.csv' file",
        TypeError,
    ),
    Case(
        "read_outcomes",
        "zip with street files only",
        lambda: hs.read_outcomes(folder() / "street.zip"),
        r"`paths`: no '\*-outcomes.csv' files in the zip",
        FileNotFoundError,
    ),
    Case(
        "read_outcomes",
        "a street-level file",
        lambda: hs.read_outcomes(folder() / "street-outcomes.csv"),
        r"police.uk outcomes file` is missing column\(s\) 'outcome_type'",
    ),
    Case(
        "read_outcomes",
        "spelled-out month",
        lambda: hs.read_outcomes(folder() / "month-outcomes.csv"),
        r"column 'Month' of the file .*month-outcomes.csv'` .*YYYY-MM.*Jan 2024",
    ),
    Case(
        "read_outcomes",
        "a row without Crime ID",
        lambda: hs.read_outcomes(folder() / "noid-outcomes.csv"),
        "read_outcomes dropped 1 of 2 rows without a Crime ID",
        None,
        UserWarning,
    ),
    Case(
        "read_outcomes",
        "neither UTF-8 nor Windows-1252",
        lambda: hs.read_outcomes(folder() / "odd-bytes-outcomes.csv"),
        "neither UTF-8 nor Windows-1252",
    ),
    Case(
        "read_outcomes",
        "the same file twice",
        lambda: hs.read_outcomes([folder() / "header-outcomes.csv"] * 2),
        r"`paths` has repeated files \(each would count its rows twice\)",
    ),
    # latest_outcomes
    Case(
        "latest_outcomes",
        "crimes not a frame",
        lambda: hs.latest_outcomes(["c1"], outcomes()),
        "`crimes`",
        TypeError,
    ),
    Case(
        "latest_outcomes",
        "crimes without crime_id",
        lambda: hs.latest_outcomes(pd.DataFrame({"id": ["c1"]}), outcomes()),
        r"`crimes` is missing column.*'crime_id'",
    ),
    Case(
        "latest_outcomes",
        "outcomes without outcome_type",
        lambda: hs.latest_outcomes(crimes("c1"), outcomes().drop(columns="outcome_type")),
        r"`outcomes` is missing column.*'outcome_type'",
    ),
    Case(
        "latest_outcomes",
        "no outcome rows",
        lambda: hs.latest_outcomes(crimes("c1"), outcomes().iloc[:0]),
        "`outcomes` is empty",
    ),
    Case(
        "latest_outcomes",
        "ids match nothing",
        lambda: hs.latest_outcomes(crimes("c1", "c2"), outcomes(["k1"])),
        r"No crimes of `crimes\['crime_id'\]` match `outcomes.*` \(0 of 2\).*'c1'.*'k1'",
    ),
    Case(
        "latest_outcomes",
        "numbers against text",
        lambda: hs.latest_outcomes(crimes(1, 2), outcomes(["1"])),
        "text on one side and numbers on the other",
    ),
    Case(
        "latest_outcomes",
        "most crimes without an outcome",
        lambda: hs.latest_outcomes(crimes("c1", "c2", "c3"), outcomes()),
        r"2 of 3 crimes \(67%\) have a `crimes\['crime_id'\]` that matches nothing",
        None,
        UserWarning,
    ),
    Case(
        "latest_outcomes",
        "crime ids mixing text and numbers",
        lambda: hs.latest_outcomes(crimes("c1", 2), outcomes()),
        r"`crimes\['crime_id'\]` mixes text and numbers",
    ),
    Case(
        "latest_outcomes",
        "every crime id blank",
        lambda: hs.latest_outcomes(crimes(None, ""), outcomes()),
        r"`crimes\['crime_id'\] .*` is empty; it is blank in all 2 rows.*anti-social behaviour",
    ),
    Case(
        "latest_outcomes",
        "unreadable month",
        lambda: hs.latest_outcomes(crimes("c1"), outcomes(month="soon")),
        r"`outcomes\['month'\]` could not be parsed",
    ),
    Case(
        "latest_outcomes",
        "joined twice",
        lambda: hs.latest_outcomes(hs.latest_outcomes(crimes("c1"), outcomes()), outcomes()),
        "`crimes` has repeated column names once `latest_outcomes` adds.*drop them first.*"
        "outcome_type_latest",
    ),
]
