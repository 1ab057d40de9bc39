"""Bad inputs for hotspotlib.data (names ``Case``, ``fx`` and ``hs`` are given)."""

import atexit
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd

HEADER = "Crime ID,Month,Longitude,Latitude,Location,Crime type"


@cache
def folder() -> Path:
    """A scratch folder of small police.uk files for the cases below."""
    root = Path(tempfile.mkdtemp(prefix="hotspotlib-bad-inputs-"))
    atexit.register(shutil.rmtree, root, True)
    good = f"{HEADER}\na1,2024-01,0.711,51.538,On or near Café Row,Robbery\n"
    (root / "empty.csv").write_bytes(b"")
    (root / "header-only.csv").write_text(HEADER + "\n")
    (root / "odd-bytes.csv").write_bytes(good.encode("utf-8") + b"\x81\x8d\x9d")
    (root / "outcomes.csv").write_text("Crime ID,Month,Outcome type\nx,2024-01,Charged\n")
    (root / "blank-coords.csv").write_text(f"{HEADER}\na1,2024-01,,,On or near X,Robbery\n")
    (root / "bad-month.csv").write_text(f"{HEADER}\na1,01/2024,0.711,51.538,X,Robbery\n")
    (root / "unknown-type.csv").write_text(f"{HEADER}\na1,2024-01,0.711,51.538,X,Piracy\n")
    (root / "text-coords.csv").write_text(f"{HEADER}\na1,2024-01,east,51.538,X,Robbery\n")
    (root / "good.csv").write_text(good, encoding="utf-8")
    (root / "no-folder").mkdir()
    for download in ("overlap/a", "overlap/b"):  # two downloads holding the same month
        (root / download).mkdir(parents=True)
        (root / download / "2024-01-essex-street.csv").write_text(good, encoding="utf-8")
    with zipfile.ZipFile(root / "no-csv.zip", "w") as archive:
        archive.writestr("2024-01/readme.txt", "no crimes here")
    (root / "broken.zip").write_bytes(b"PK\x03\x04 truncated")
    return root


def frame(**columns):
    return pd.DataFrame({"x": [588_000.0, 588_100.0], "y": [186_000.0, 186_100.0], **columns})


@cache
def schedule() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "officer_id": ["A", "A"],
            "hotspot_id": [0, 1],
            "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-01 11:00"]),
            "minutes": [15, 10],
        }
    )


@cache
def patrol_days() -> pd.DataFrame:
    return pd.DataFrame({"hotspot_id": range(20), "date": fx.city.start, "treated": 1})


CASES = [
    # apply_harm
    Case("apply_harm", "list, not a frame", lambda: hs.apply_harm([1, 2]), "`events`", TypeError),
    Case(
        "apply_harm",
        "missing crime-type column",
        lambda: hs.apply_harm(fx.city.events, crime_type="type"),
        "`events` is missing column.*'type'",
    ),
    Case(
        "apply_harm",
        "unknown scheme",
        lambda: hs.apply_harm(fx.city.events, scheme="cambridge"),
        "`scheme` must be one of",
    ),
    Case(
        "apply_harm",
        "text weights in a mapping",
        lambda: hs.apply_harm(fx.city.events, scheme=dict.fromkeys(hs.CRIME_TYPES, "high")),
        "`scheme` must hold numbers.*string",
        TypeError,
    ),
    # harm_weights
    Case("harm_weights", "unknown scheme", lambda: hs.harm_weights("ons"), "`scheme`"),
    Case("harm_weights", "a number", lambda: hs.harm_weights(5), "`scheme` must be one of"),
    Case(
        "harm_weights",
        "infinite weight",
        lambda: hs.harm_weights({"Robbery": np.inf}),
        r"`scheme\['.*'\]` must be a finite number >= 0; got inf",
    ),
    Case(
        "harm_weights",
        "negative weight",
        lambda: hs.harm_weights({"Robbery": -365}),
        r"`scheme\['.*'\]` must be a finite number >= 0; got -",
    ),
    Case(
        "harm_weights",
        "number as text",
        lambda: hs.harm_weights({"Robbery": "365"}),
        "`scheme` must hold numbers",
        TypeError,
    ),
    # harm_table and list_samples take no arguments
    Case(
        "harm_table",
        "a positional argument",
        lambda: hs.harm_table("cchi"),
        r"harm_table\(\) takes 0 positional arguments",
        TypeError,
    ),
    Case(
        "harm_table",
        "a keyword argument",
        lambda: hs.harm_table(scheme="cchi"),
        "unexpected keyword argument 'scheme'",
        TypeError,
    ),
    Case(
        "list_samples",
        "a positional argument",
        lambda: hs.list_samples("mesa"),
        r"list_samples\(\) takes 0 positional arguments",
        TypeError,
    ),
    Case(
        "list_samples",
        "a keyword argument",
        lambda: hs.list_samples(name="mesa"),
        "unexpected keyword argument 'name'",
        TypeError,
    ),
    # from_frame
    Case(
        "from_frame",
        "list, not a frame",
        lambda: hs.from_frame([[1, 2]], x="x", y="y", crs=27700),
        "`df` must be a pandas DataFrame",
        TypeError,
    ),
    Case(
        "from_frame",
        "missing x column",
        lambda: hs.from_frame(frame(), x="easting", y="y", crs=27700),
        "`df` is missing column.*'easting'",
    ),
    Case(
        "from_frame",
        "text coordinates",
        lambda: hs.from_frame(frame(x=["a", "b"]), x="x", y="y", crs=27700),
        r"`df\['x'\] \(x\)` has 2 of 2 values that are not finite numbers",
    ),
    Case(
        "from_frame",
        "NaN coordinate",
        lambda: hs.from_frame(frame(y=[np.nan, 1.0]), x="x", y="y", crs=27700),
        r"`df\['y'\] \(y\)` has 1 of 2 values that are not finite numbers, such as \[\W?nan\W?\]",
    ),
    Case(
        "from_frame",
        "unknown CRS",
        lambda: hs.from_frame(frame(), x="x", y="y", crs="EPSG:99999"),
        "`crs` is not a valid CRS",
    ),
    Case(
        "from_frame",
        "no CRS",
        lambda: hs.from_frame(frame(), x="x", y="y", crs=None),
        "`crs` is required",
    ),
    # plant_patrol_effect
    Case(
        "plant_patrol_effect",
        "zero IRR",
        lambda: hs.plant_patrol_effect(fx.city, patrol_days(), irr=0),
        "`irr` must be a number > 0 and <= 1; got 0",
    ),
    Case(
        "plant_patrol_effect",
        "IRR as text",
        lambda: hs.plant_patrol_effect(fx.city, patrol_days(), irr="0.5"),
        "`irr` must be a number",
        TypeError,
    ),
    Case(
        "plant_patrol_effect",
        "negative half-life",
        lambda: hs.plant_patrol_effect(fx.city, patrol_days(), irr=0.5, residual_half_life_days=-1),
        "`residual_half_life_days` must be a finite number >= 0",
    ),
    Case(
        "plant_patrol_effect",
        "events instead of a city",
        lambda: hs.plant_patrol_effect(fx.city.events, patrol_days(), irr=0.5),
        "`city` must be a SyntheticCity",
        TypeError,
    ),
    Case(
        "plant_patrol_effect",
        "schedule without treated",
        lambda: hs.plant_patrol_effect(fx.city, patrol_days()[["hotspot_id", "date"]], irr=0.5),
        "`schedule` is missing column.*'treated'",
    ),
    # read_police_uk
    Case(
        "read_police_uk",
        "a number",
        lambda: hs.read_police_uk(123),
        "`paths` must be a path to a police.uk '\\*-street.csv' file, a folder.*zip",
        TypeError,
    ),
    Case(
        "read_police_uk",
        "list holding a number",
        lambda: hs.read_police_uk([folder() / "header-only.csv", 7]),
        "`paths` must be file paths",
        TypeError,
    ),
    Case(
        "read_police_uk",
        "wrong path",
        lambda: hs.read_police_uk(folder() / "missing.csv"),
        "`paths`: no such file or folder",
        FileNotFoundError,
    ),
    Case(
        "read_police_uk",
        "folder without CSVs",
        lambda: hs.read_police_uk(folder() / "no-folder"),
        r"`paths`: no '\*-street.csv' files in the folder .*\(nor in \.zip downloads",
        FileNotFoundError,
    ),
    Case(
        "read_police_uk",
        "empty file",
        lambda: hs.read_police_uk(folder() / "empty.csv"),
        "`paths: the file .*empty.csv'` is empty; it has no header row",
    ),
    Case(
        "read_police_uk",
        "header but no rows",
        lambda: hs.read_police_uk(folder() / "header-only.csv"),
        "`paths` is empty .* the 1 file.* hold a header but no rows",
    ),
    Case(
        "read_police_uk",
        "neither UTF-8 nor Windows-1252",
        lambda: hs.read_police_uk(folder() / "odd-bytes.csv"),
        "`paths`: the file .*odd-bytes.csv.* neither UTF-8 nor Windows-1252",
    ),
    Case(
        "read_police_uk",
        "zip with no CSVs",
        lambda: hs.read_police_uk(folder() / "no-csv.zip"),
        r"`paths`: no '\*-street.csv' files in the zip .*no-csv.zip",
        FileNotFoundError,
    ),
    Case(
        "read_police_uk",
        "broken zip",
        lambda: hs.read_police_uk(folder() / "broken.zip"),
        "`paths`: the file .*broken.zip.* not a readable zip",
    ),
    Case(
        "read_police_uk",
        "one force-month in two downloads",
        lambda: hs.read_police_uk(folder() / "overlap"),
        r"`paths`: the police.uk street file '2024-01-essex-street.csv' .* is read from 2 "
        r"places: .*overlap/a/2024-01-essex-street.csv', .*overlap/b/.*Keep one copy",
    ),
    Case(
        "read_police_uk",
        "outcomes file",
        lambda: hs.read_police_uk(folder() / "outcomes.csv"),
        "`paths: the file .*outcomes.csv.*` is missing column.*crime_type",
    ),
    Case(
        "read_police_uk",
        "malformed month",
        lambda: hs.read_police_uk(folder() / "bad-month.csv"),
        r"`paths: column 'Month' of the file .*bad-month.csv'` has 1 values not among the "
        r"months police.uk writes as YYYY-MM",
    ),
    Case(
        "read_police_uk",
        "text coordinates",
        lambda: hs.read_police_uk(folder() / "text-coords.csv"),
        "`paths: column 'longitude'` has 1 of 1 values that are not finite numbers",
    ),
    Case(
        "read_police_uk",
        "blank coordinates are dropped and counted",
        lambda: hs.read_police_uk([folder() / "blank-coords.csv", folder() / "good.csv"]),
        "dropped 1 of 2 rows: 1 without coordinates",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "read_police_uk",
        "crime type without a harm weight",
        lambda: hs.read_police_uk(folder() / "unknown-type.csv"),
        "has 1 of 1 rows' crime types not in `the harm weights` .*'Piracy'",
    ),
    Case(
        "read_police_uk",
        "geographic CRS",
        lambda: hs.read_police_uk(folder() / "header-only.csv", crs=4326),
        "`crs` must be a projected CRS in metres",
    ),
    Case(
        "read_police_uk",
        "unknown harm scheme",
        lambda: hs.read_police_uk(folder() / "header-only.csv", harm="ons"),
        "`harm` must be one of",
    ),
    # simulate_patrol_pings
    Case(
        "simulate_patrol_pings",
        "negative noise",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, schedule(), noise_m=-1),
        "`noise_m` must be a finite number >= 0",
    ),
    Case(
        "simulate_patrol_pings",
        "zero interval",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, schedule(), interval_seconds=0),
        "`interval_seconds` must be a finite number > 0",
    ),
    Case(
        "simulate_patrol_pings",
        "gap rate as text",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, schedule(), gap_rate="low"),
        "`gap_rate` must be a number",
        TypeError,
    ),
    Case(
        "simulate_patrol_pings",
        "minutes as text",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, schedule().assign(minutes=["15", "10"])),
        r"`schedule\['minutes'\]` must hold numbers; got Series of dtype",
        TypeError,
    ),
    Case(
        "simulate_patrol_pings",
        "place not in places",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, schedule().assign(hotspot_id=[0, 99])),
        r"`schedule\['hotspot_id'\]` has 1 of 2 ids not in `places.index` .*\[99\]",
    ),
    # synthetic_city (size and hang checks are elsewhere)
    Case(
        "synthetic_city",
        "hot-spot share of 1",
        lambda: hs.synthetic_city(hotspot_share=1.0),
        r"`hotspot_share` must be a number >= 0 and < 1; got 1",
    ),
    Case(
        "synthetic_city",
        "hot-spot share as text",
        lambda: hs.synthetic_city(hotspot_share="0.2"),
        "`hotspot_share` must be a number",
        TypeError,
    ),
    Case(
        "synthetic_city",
        "origin with one number",
        lambda: hs.synthetic_city(origin=(1.0,)),
        r"`len\(origin\)` must be a whole number between 2 and 2; got 1. Give one \(x, y\) pair",
    ),
    Case(
        "synthetic_city",
        "origin as text",
        lambda: hs.synthetic_city(origin=("a", "b")),
        "`origin` must hold numbers",
        TypeError,
    ),
    Case(
        "synthetic_city",
        "geographic CRS",
        lambda: hs.synthetic_city(crs=4326),
        "`crs` uses a geographic CRS",
    ),
    Case(
        "synthetic_city",
        "fractional days",
        lambda: hs.synthetic_city(days=10.5),
        "`days` must be a whole number >= 1",
    ),
    # exports
    Case(
        "to_csv",
        "path with another suffix",
        lambda: hs.to_csv(fx.city.hotspots, folder() / "places.xlsx"),
        r"`path's suffix` must be one of '\.csv'",
    ),
    Case(
        "to_csv",
        "a list, not a frame",
        lambda: hs.to_csv([1, 2], folder() / "places.csv"),
        "`frame` must be a pandas DataFrame",
        TypeError,
    ),
    Case(
        "to_geojson",
        "frame without a CRS",
        lambda: hs.to_geojson(  # rebuilt: geopandas 0.14 refuses set_crs(None)
            type(fx.city.hotspots)(geometry=list(fx.city.hotspots.geometry)),
            folder() / "x.geojson",
        ),
        "`frame.crs` is required",
    ),
    Case(
        "to_geojson",
        "plain DataFrame",
        lambda: hs.to_geojson(pd.DataFrame({"a": [1]}), folder() / "x.geojson"),
        "`frame` must be a GeoDataFrame",
        TypeError,
    ),
    Case(
        "to_geopackage",
        "path with another suffix",
        lambda: hs.to_geopackage(fx.city.hotspots, folder() / "x.shp"),
        r"`path's suffix` must be one of '\.gpkg'",
    ),
    Case(
        "to_geopackage",
        "layer that is not text",
        lambda: hs.to_geopackage(fx.city.hotspots, folder() / "x.gpkg", layer=3),
        "`layer` must be a str",
        TypeError,
    ),
]
