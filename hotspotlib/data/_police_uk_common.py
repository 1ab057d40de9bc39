"""What the police.uk readers share: the target CRS, coordinates, months, flags and forces.

The street-level, stop-and-search and outcomes readers find and read their files with
:mod:`hotspotlib.data._files`, then use the steps here: place rows on the map (dropping,
counting and telling about rows without usable coordinates), read ``YYYY-MM`` months,
``True``/``False`` columns and the force named in a file name.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from hotspotlib._validation import (
    require_crs,
    require_nonempty,
    require_numeric_text,
    require_subset,
    require_timestamps,
)
from hotspotlib._warnings import HotspotlibWarning

# Generous boxes around the United Kingdom (incl. Scilly, Shetland and Northern Ireland)
# and around Great Britain in British National Grid metres.
UK_LONGITUDE = (-9.0, 2.5)
UK_LATITUDE = (49.5, 61.0)
GB_EASTING = (0.0, 700_000.0)
GB_NORTHING = (0.0, 1_300_000.0)
_MONTH = r"[12]\d{3}-(?:0[1-9]|1[0-2])"


def target_crs(crs: Any) -> CRS:
    """Return the CRS to project to: projected, in metres."""
    return require_crs(
        crs,
        metres=True,
        fix="Use 'EPSG:27700' (British National Grid) in England and Wales, or 'EPSG:2157' "
        "(Irish Transverse Mercator) in Northern Ireland.",
    )


def numeric(frame: pd.DataFrame, column: str) -> NDArray[np.float64]:
    """Return a coordinate column as floats, blanks as NaN (a missing column: all NaN)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return require_numeric_text(
        frame[column],
        name=f"paths: column {column!r}",
        allow_missing=True,
        fix="Fix or remove those rows.",
    )


def _file_names(files: pd.Series) -> str:
    """Name the files some rows come from (``files`` is categorical, one entry per row)."""
    used = [str(name) for name in files.cat.remove_unused_categories().cat.categories]
    shown = ", ".join(repr(name) for name in used[:3])
    more = f" and {len(used) - 3} more" if len(used) > 3 else ""
    return f"the file {shown}" if len(used) == 1 else f"the files {shown}{more}"


def parse_month(month: pd.Series, files: pd.Series) -> pd.Series:
    """Read the 'Month' column (police.uk's ``YYYY-MM``), each distinct month once.

    ``files`` names each row's file (categorical, aligned with ``month``), so that a
    bad month is reported with the files that hold it.
    """
    text = month.str.strip()
    codes, uniques = pd.factorize(text)  # a missing month has code -1
    months = pd.Index(uniques)[pd.Series(uniques, dtype=object).str.fullmatch(_MONTH)]
    require_subset(
        text,
        months,
        name=f"paths: column 'Month' of {_file_names(files[~text.isin(months).to_numpy()])}",
        among="the months police.uk writes as YYYY-MM",
        fix="Write them as e.g. '2024-01' for January 2024, or remove those rows.",
    )
    found = require_timestamps(pd.Series(uniques), name="Month", date_format="%Y-%m")
    return pd.Series(found.to_numpy().astype("datetime64[ns]")[codes], index=month.index)


def _coordinates(table: pd.DataFrame) -> dict[str, Any]:
    """Read longitude/latitude (else easting/northing); mark the rows located in the UK."""
    lon, lat = numeric(table, "longitude"), numeric(table, "latitude")
    east, north = numeric(table, "easting"), numeric(table, "northing")
    has_lonlat = np.isfinite(lon) & np.isfinite(lat)
    has_en = ~has_lonlat & np.isfinite(east) & np.isfinite(north)
    located = has_lonlat | has_en
    in_range = np.where(
        has_lonlat,
        (lon >= UK_LONGITUDE[0])
        & (lon <= UK_LONGITUDE[1])
        & (lat >= UK_LATITUDE[0])
        & (lat <= UK_LATITUDE[1]),
        (east >= GB_EASTING[0])
        & (east <= GB_EASTING[1])
        & (north >= GB_NORTHING[0])
        & (north <= GB_NORTHING[1]),
    )
    keep = located & in_range
    return {
        "keep": keep,
        "n_no_location": int((~located).sum()),
        "n_out": int((located & ~in_range).sum()),
        "EPSG:4326": (has_lonlat[keep], lon[keep], lat[keep]),
        "EPSG:27700": (has_en[keep], east[keep], north[keep]),
    }


def _project(coordinates: dict[str, Any], target: CRS) -> tuple[NDArray[Any], NDArray[Any]]:
    """Project the kept rows' coordinates (longitude/latitude or BNG) to ``target``."""
    n = len(coordinates["EPSG:4326"][0])
    xs, ys = np.empty(n), np.empty(n)
    for source in ("EPSG:4326", "EPSG:27700"):  # two coordinate systems
        mask, a, b = coordinates[source]
        if mask.any():
            transformer = Transformer.from_crs(source, target, always_xy=True)
            xs[mask], ys[mask] = transformer.transform(a[mask], b[mask])
    return xs, ys


def place(
    table: pd.DataFrame, *, target: CRS, function: str
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], dict[str, int]]:
    """Project the rows to ``target``; count and warn about the rows it cannot place.

    Rows are placed by longitude/latitude, else by Easting/Northing (files of 2012).
    Returns the mask of rows kept, their x and y in ``target``, and the counts
    ``n_read``, ``n_dropped_no_location`` and ``n_dropped_out_of_range``.
    """
    coordinates = _coordinates(table)
    keep, n_no_location, n_out = (
        coordinates["keep"],
        coordinates["n_no_location"],
        coordinates["n_out"],
    )
    n_read = len(table)
    require_nonempty(
        np.flatnonzero(keep),
        name="paths: the rows with usable coordinates",
        fix=f"none of the {n_read} rows has them ({n_no_location} blank, {n_out} outside "
        "the United Kingdom: are longitude and latitude swapped?).",
    )
    if n_no_location or n_out:
        warnings.warn(
            f"{function} dropped {n_no_location + n_out} of {n_read} rows: "
            f"{n_no_location} without coordinates and {n_out} outside the United Kingdom. "
            "See `frame.attrs['hotspotlib']`.",
            HotspotlibWarning,
            stacklevel=3,
        )
    xs, ys = _project(coordinates, target)
    counts = {
        "n_read": n_read,
        "n_dropped_no_location": n_no_location,
        "n_dropped_out_of_range": n_out,
    }
    return keep, xs, ys, counts


def flags(table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Turn police.uk ``True``/``False`` text columns (blank = unknown) into nullable booleans."""
    for column in columns:  # a few columns
        if column not in table.columns:
            continue
        codes, uniques = pd.factorize(table[column])  # a missing value has code -1
        text = pd.Series([*uniques, ""], dtype="object").astype(str).str.strip().str.lower()
        values = text.map({"true": True, "false": False})
        readable = (text.eq("") | values.notna()).to_numpy()
        require_subset(
            table[column],
            pd.Index([*uniques, np.nan])[readable],
            name=f"paths: column {column!r}",
            among="True, False and blank",
            fix="Fix or remove those rows.",
        )
        known = values.where(values.notna(), None).to_numpy(dtype=object)
        table[column] = pd.array(known[codes], dtype="boolean")


def force_of(files: pd.Series, kind: str) -> pd.Series:
    """Find the force in police.uk file names (``2024-01-essex-outcomes.csv`` -> ``essex``).

    ``files`` names each row's file (categorical); the force is missing where the name
    has another form.
    """
    names = pd.Series([Path(name).name for name in files.cat.categories], dtype="object")
    found = names.str.lower().str.extract(rf"^\d{{4}}-\d{{2}}-(.+)-{kind}\.csv$", expand=False)
    forces = found.where(found.notna(), None).to_numpy(dtype=object)
    return pd.Series(forces[files.cat.codes.to_numpy()], index=files.index, dtype="object")
