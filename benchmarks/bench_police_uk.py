"""read_police_uk against a hand-written pandas + geopandas reader of the same file."""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import hotspotlib as hs
from benchmarks._timing import median_seconds, report


def _write_force_year(folder: Path, n_rows: int, rng: np.random.Generator) -> Path:
    """A police.uk-shaped street file: a large force's year, 2% without a location."""
    types = np.array(hs.CRIME_TYPES)
    lon = rng.uniform(0.3, 0.9, n_rows).round(6)
    lat = rng.uniform(51.4, 51.7, n_rows).round(6)
    no_location = np.arange(n_rows) % 50 == 0
    table = pd.DataFrame(
        {
            "Crime ID": [f"{i:064x}" for i in range(n_rows)],
            "Month": [f"2024-{m:02d}" for m in rng.integers(1, 13, n_rows)],
            "Reported by": "Essex Police",
            "Falls within": "Essex Police",
            "Longitude": np.where(no_location, np.nan, lon),
            "Latitude": np.where(no_location, np.nan, lat),
            "Location": "On or near High Street",
            "LSOA code": "E01021000",
            "LSOA name": "Southend-on-Sea 001A",
            "Crime type": types[rng.integers(0, len(types), n_rows)],
            "Last outcome category": "Under investigation",
            "Context": "",
        }
    )
    path = folder / "2024-essex-street.csv"
    table.to_csv(path, index=False)
    return path


def _by_hand(path: Path) -> gpd.GeoDataFrame:
    """What an analyst writes without the library: no checks, labels or records."""
    table = pd.read_csv(path).dropna(subset=["Longitude", "Latitude"])
    table["Month"] = pd.to_datetime(table["Month"], format="%Y-%m")
    table["harm"] = table["Crime type"].map(hs.harm_weights("cchi"))
    points = gpd.points_from_xy(table["Longitude"], table["Latitude"], crs=4326)
    return gpd.GeoDataFrame(table, geometry=points).to_crs(27700)


def _ours(path: Path) -> gpd.GeoDataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the dropped-rows warning
        return hs.read_police_uk(path)


def _case(n_rows: int, rng: np.random.Generator) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = _write_force_year(Path(folder), n_rows, rng)
        ours = median_seconds(lambda: _ours(path), repeat=3)
        peer = median_seconds(lambda: _by_hand(path), repeat=3)
        same = np.allclose(_ours(path).geometry.x, _by_hand(path).geometry.x)
    return {
        "rows": n_rows,
        "read_police_uk_s": ours,
        "pandas+geopandas_s": peer,
        "ratio (ours / by hand)": ours / peer,
        "same points": same,
        "target": "< 2 s for a large force-year (300k rows)",
    }


def main() -> None:
    rng = np.random.default_rng(0)
    report("read_police_uk vs a hand-written reader", [_case(300_000, rng), _case(30_000, rng)])


if __name__ == "__main__":
    main()
