"""Reading police.uk street-level crime files.

police.uk publishes one CSV per force and month (``2024-01-essex-street.csv``) with
anonymised locations: each crime is snapped to one of a set of points ("On or near
<street>"), never its exact address. :func:`read_police_uk` reads any number of those
files into one projected GeoDataFrame with a harm weight per crime.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from hotspotlib._options import HarmScheme
from hotspotlib._validation import (
    require_columns,
    require_complete,
    require_crs,
    require_nonempty,
    require_numeric_text,
    require_timestamps,
    require_unique,
)
from hotspotlib.data._files import Source, encoding_of, resolve_paths
from hotspotlib.data.harm import (
    HARM_TABLE_VERSION,
    apply_harm,
    canonical_crime_types,
    resolve_harm,
)

__all__ = ["read_police_uk"]

PathLike = str | os.PathLike[str]

# Generous boxes around the United Kingdom (incl. Scilly, Shetland and Northern Ireland)
# and around Great Britain in British National Grid metres.
UK_LONGITUDE = (-9.0, 2.5)
UK_LATITUDE = (49.5, 61.0)
GB_EASTING = (0.0, 700_000.0)
GB_NORTHING = (0.0, 1_300_000.0)
_COORDINATES = {"longitude", "latitude", "easting", "northing"}


def _snake_case(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _read_one(source: Source) -> pd.DataFrame:
    raw_bytes = source.read_bytes()
    encoding = encoding_of(raw_bytes, source)
    try:
        header = pd.read_csv(io.BytesIO(raw_bytes), nrows=0, encoding=encoding).columns
    except pd.errors.EmptyDataError as error:
        raise ValueError(
            f"`paths`: the file {str(source)!r} is empty (no header row); "
            "remove it or download it again."
        ) from error
    # Everything but the coordinates is read as text: ids, codes and months must not
    # turn into numbers; coordinates are parsed (and checked) later.
    text = {raw: str for raw in header if _snake_case(raw) not in _COORDINATES}
    frame = pd.read_csv(io.BytesIO(raw_bytes), dtype=text, skipinitialspace=True, encoding=encoding)
    frame.columns = [_snake_case(c) for c in frame.columns]
    name = f"paths: the file {str(source)!r}"
    require_unique(frame.columns, name=name, what="column names once snake-cased")
    has_en = {"easting", "northing"} <= set(frame.columns)
    coordinates = ["easting", "northing"] if has_en else ["longitude", "latitude"]
    require_columns(frame, ["month", "crime_type", *coordinates], name=name)
    return frame


def _numeric(frame: pd.DataFrame, column: str) -> np.ndarray:
    """Return a coordinate column as floats, blanks as NaN (a missing column: all NaN)."""
    if column not in frame.columns:
        return np.full(len(frame), np.nan)
    return require_numeric_text(
        frame[column],
        name=f"paths: column {column!r}",
        allow_missing=True,
        fix="Fix or remove those rows.",
    )


def _parse_month(month: pd.Series) -> pd.Series:
    """Read the 'Month' column (YYYY-MM: unambiguous), each distinct month once."""
    name = "paths: the 'Month' column (YYYY-MM)"
    require_complete(month, name=name, fix="fill or drop those rows.")
    codes, uniques = pd.factorize(month.str.strip())
    found = require_timestamps(pd.Series(uniques), name=name, date_format="%Y-%m")
    return pd.Series(found.to_numpy().astype("datetime64[ns]")[codes], index=month.index)


def _target_crs(crs: Any) -> CRS:
    """Return the CRS to project to: projected, in metres."""
    return require_crs(
        crs,
        metres=True,
        fix="Use 'EPSG:27700' (British National Grid) in England and Wales, or 'EPSG:2157' "
        "(Irish Transverse Mercator) in Northern Ireland.",
    )


def read_police_uk(
    paths: PathLike | Iterable[PathLike],
    *,
    crs: Any = "EPSG:27700",
    harm: HarmScheme | Mapping[str, float] = "cchi",
) -> gpd.GeoDataFrame:
    r"""Read police.uk street-level crime CSVs into one projected GeoDataFrame.

    Parameters
    ----------
    paths : path, glob or list of paths
        A CSV file, a folder (every ``*-street.csv`` under it, recursively, or every
        ``*.csv`` if none is so named, or every ``*.zip`` if it holds no CSV; a
        police.uk download also holds outcomes and stop-and-search files, which are
        skipped), a ``.zip`` as downloaded from data.police.uk (monthly folders of any
        number of forces, read without unzipping), a glob pattern
        (``"data/2024-*/*-street.csv"``) or a list of any of these. Files are read as
        UTF-8 (with or without a byte-order mark), else as Windows-1252.
    crs : str, int or pyproj.CRS
        Projected CRS in metres for the result; British National Grid by default.
    harm : {"cchi", "none"} or mapping
        Harm weights per crime type (see :func:`hotspotlib.data.harm_weights`): the
        indicative Cambridge Crime Harm Index days by default, or a mapping of your own.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per crime with a clean ``RangeIndex``, point geometry in ``crs`` and:

        - every column of the files, snake-cased (lower case, runs of other characters
          become ``_``): ``Crime ID`` -> ``crime_id``, ``Month`` -> ``month``,
          ``Reported by`` -> ``reported_by``, ``Falls within`` -> ``falls_within``,
          ``Longitude``/``Latitude`` -> ``longitude``/``latitude``, ``Location`` ->
          ``location``, ``LSOA code`` -> ``lsoa_code``, ``LSOA name`` -> ``lsoa_name``,
          ``Crime type`` -> ``crime_type``, ``Last outcome category`` ->
          ``last_outcome_category``, ``Context`` -> ``context``; old files'
          ``Easting``/``Northing`` -> ``easting``/``northing``; unknown columns are
          kept under their snake-cased names. Text columns stay text.
        - ``month``: datetime64 at the first day of the month. The ``YYYY-MM`` text is
          not kept; get it back with ``frame["month"].dt.strftime("%Y-%m")``.
        - ``crime_type``: the current police.uk label. Legacy labels are mapped:
          ``"Violent crime"`` -> ``"Violence and sexual offences"``; ``"Public disorder
          and weapons"`` -> ``"Public order"`` (its larger successor, and the lower
          harm weight of the two it was split into). API slugs such as
          ``"violent-crime"`` are accepted too. Early files (2010-2013) used 6 and then
          11 categories, so series across those changes are not comparable by type.
        - ``harm``: the weight of the crime type under ``harm``.

        ``frame.attrs["hotspotlib"]`` records what happened: ``files`` (paths read),
        ``n_read`` (rows in the files), ``n_dropped_no_location`` (rows without
        coordinates), ``n_dropped_out_of_range`` (coordinates outside the United
        Kingdom), ``n_relabelled`` (legacy label or slug -> rows mapped),
        ``harm_scheme`` (the scheme name, or ``"mapping"``), ``harm_table_version``
        (None for a mapping) and ``crs``. pandas keeps ``attrs`` through copies but
        not through every operation: read it straight after loading.

    Warns
    -----
    UserWarning
        When rows are dropped: rows without coordinates (police.uk publishes crimes
        it could not place with blank coordinates) and rows outside the United
        Kingdom (longitude -9 to 2.5, latitude 49.5 to 61; for Easting/Northing files,
        0-700 km east and 0-1,300 km north). The warning gives the numbers.

    Raises
    ------
    TypeError
        ``paths`` is not a path (or a list of paths).
    FileNotFoundError
        A path, folder, pattern or zip that finds no CSV file.
    ValueError
        An empty file, a file that is neither UTF-8 nor Windows-1252, a broken zip,
        a file without ``Month``, ``Crime type`` or coordinate columns,
        non-numeric coordinates, a malformed month, no rows left, a crime type without
        a harm weight (the message lists them with counts: pass a mapping covering
        them), or a ``crs`` that is not projected in metres.

    Notes
    -----
    Locations are anonymised snap points shared by many crimes, so many events have
    identical coordinates; that is expected, not an error. Very old files (2012) with
    ``Easting``/``Northing`` in British National Grid are read as EPSG:27700. Rows
    from files of both kinds can be mixed in one call.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.data import read_police_uk
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "2024-01-essex-street.csv").write_text(
    ...     "Crime ID,Month,Longitude,Latitude,Crime type\n"
    ...     "a1,2024-01,0.7110,51.5380,Robbery\n"
    ...     ",2024-01,0.7120,51.5390,Anti-social behaviour\n")
    >>> crimes = read_police_uk(folder)
    >>> crimes[["crime_type", "harm"]].values.tolist()
    [['Robbery', 365.0], ['Anti-social behaviour', 0.0]]
    >>> crimes.crs.to_epsg(), crimes.attrs["hotspotlib"]["n_read"]
    (27700, 2)
    >>> import shutil; shutil.rmtree(folder)
    """
    target = _target_crs(crs)
    resolve_harm(harm, name="harm")  # fail on a bad scheme before reading any file
    files = resolve_paths(paths)
    table = _read_all(files)
    n_read = len(table)
    coordinates = _coordinates(table)
    keep, n_no_location, n_out = (
        coordinates["keep"],
        coordinates["n_no_location"],
        coordinates["n_out"],
    )
    if n_no_location or n_out:
        warnings.warn(
            f"read_police_uk dropped {n_no_location + n_out} of {n_read} rows: "
            f"{n_no_location} without coordinates and {n_out} outside the United Kingdom. "
            "See `frame.attrs['hotspotlib']`.",
            UserWarning,
            stacklevel=2,
        )
    require_nonempty(
        np.flatnonzero(keep),
        name="paths",
        fix=f"none of the {n_read} rows has usable coordinates ({n_no_location} blank, "
        f"{n_out} outside the United Kingdom: are longitude and latitude swapped?).",
    )
    table = table.loc[keep].reset_index(drop=True)
    table["month"] = _parse_month(table["month"])
    relabelled = _relabel(table)
    table["harm"] = apply_harm(table, scheme=harm).to_numpy()
    xs, ys = _project(coordinates, target)
    events = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(xs, ys), crs=target)
    events.attrs["hotspotlib"] = {
        "source": "police.uk street-level CSV",
        "files": [str(path) for path in files],
        "n_read": n_read,
        "n_dropped_no_location": n_no_location,
        "n_dropped_out_of_range": n_out,
        "n_relabelled": relabelled,
        "harm_scheme": harm if isinstance(harm, str) else "mapping",
        "harm_table_version": HARM_TABLE_VERSION if isinstance(harm, str) else None,
        "crs": target.to_string(),
    }
    return events


def _read_all(files: list[Source]) -> pd.DataFrame:
    """Read every file into one table (refused when no file holds a row)."""
    frames = [_read_one(path) for path in files]
    # files without rows add only their columns (pandas 2.1-2.3 warn on concatenating them)
    columns = list(dict.fromkeys(name for frame in frames for name in frame.columns))
    rows = [frame for frame in frames if len(frame)] or frames[:1]
    table = pd.concat(rows, ignore_index=True, sort=False) if len(rows) > 1 else rows[0]
    require_nonempty(
        table,
        name="paths",
        fix=f"the {len(files)} file(s) hold a header but no rows; nothing to read.",
    )
    return table.reindex(columns=columns)


def _coordinates(table: pd.DataFrame) -> dict[str, Any]:
    """Read longitude/latitude (else easting/northing); mark the rows located in the UK."""
    lon, lat = _numeric(table, "longitude"), _numeric(table, "latitude")
    east, north = _numeric(table, "easting"), _numeric(table, "northing")
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


def _relabel(table: pd.DataFrame) -> dict[str, int]:
    """Put crime types in today's police.uk words; return how many rows each old label had."""
    codes, labels = pd.factorize(table["crime_type"])
    labels = pd.Series(labels, dtype="object")
    current = canonical_crime_types(labels)
    changed = np.flatnonzero(labels.str.strip().ne(current).to_numpy())
    per_label = np.bincount(codes[codes >= 0], minlength=len(labels))
    table["crime_type"] = np.where(codes >= 0, current.to_numpy()[codes], None)
    return {str(labels[i]): int(per_label[i]) for i in changed}


def _project(coordinates: dict[str, Any], target: CRS) -> tuple[Any, Any]:
    """Project the kept rows' coordinates (longitude/latitude or BNG) to ``target``."""
    n = len(coordinates["EPSG:4326"][0])
    xs, ys = np.empty(n), np.empty(n)
    for source in ("EPSG:4326", "EPSG:27700"):  # two coordinate systems
        mask, a, b = coordinates[source]
        if mask.any():
            transformer = Transformer.from_crs(source, target, always_xy=True)
            xs[mask], ys[mask] = transformer.transform(a[mask], b[mask])
    return xs, ys
