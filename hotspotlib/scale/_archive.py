"""A whole police.uk archive to GeoParquet, file by file, and back as a dask-geopandas frame.

Each street-level file is read with the same parsing, projection, harm weights and
drop counting as :func:`~hotspotlib.read_police_uk`, one task per file (on a Dask
cluster when a client is given), and written as one GeoParquet part per force and
month: ``<folder>/<force>/<YYYY-MM>/part-<file number>.parquet``.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._chunk_map import check_client, map_chunks
from hotspotlib._options import HarmScheme
from hotspotlib._validation import require_found, require_module, require_nonempty, require_type
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.data._files import Source, _read_one, resolve_paths
from hotspotlib.data._police_uk_common import (
    _coordinates,
    _project,
    force_of,
    parse_month,
    target_crs,
)
from hotspotlib.data.harm import HARM_TABLE_VERSION, apply_harm, resolve_harm
from hotspotlib.data.police_uk import _relabel
from hotspotlib.scale._archive_result import PoliceArchive

__all__ = ["police_uk_to_parquet", "read_events"]

PathLike = str | os.PathLike[str]

MANIFEST = "hotspotlib-archive.json"
"""The file that marks a folder as an archive written here (and records how)."""

TEXT_COLUMNS = (
    "crime_id",
    "reported_by",
    "falls_within",
    "location",
    "lsoa_code",
    "lsoa_name",
    "crime_type",
    "last_outcome_category",
    "context",
)
NUMBER_COLUMNS = ("longitude", "latitude", "easting", "northing")
"""Every part has these columns (missing ones are empty), then month, harm, force, geometry."""


def police_uk_to_parquet(
    paths: PathLike | Iterable[PathLike],
    folder: PathLike,
    *,
    crs: Any = "EPSG:27700",
    harm: HarmScheme | Mapping[str, float] = "cchi",
    overwrite: bool = False,
    client: Any = None,
) -> PoliceArchive:
    r"""Convert a police.uk archive (any number of months and forces) to GeoParquet.

    Every street-level file that ``paths`` names is read on its own, with the parsing,
    projection, harm weights and drop counting of :func:`~hotspotlib.read_police_uk`,
    and written to ``folder`` as one GeoParquet part per force and month. Later runs
    open the archive with :func:`read_events` in seconds.

    Parameters
    ----------
    paths : path, glob or list of paths
        As for :func:`~hotspotlib.read_police_uk`: files, folders, globs or the
        ``.zip`` downloads of data.police.uk (read without unzipping).
    folder : path
        Folder to write; created if missing. Parts go to
        ``<folder>/<force>/<YYYY-MM>/part-<n>.parquet`` (the force from the file name,
        ``"unknown"`` when the name is not police.uk's).
    crs : str, int or pyproj.CRS
        Projected CRS in metres; British National Grid by default.
    harm : {"cchi", "none"} or mapping
        Harm weights per crime type, as for :func:`~hotspotlib.read_police_uk`.
    overwrite : bool
        Replace an archive already written to ``folder`` (a folder holding anything
        else is never emptied).
    client : distributed.Client, optional
        Read and write the files on this Dask cluster, one task per file; else one
        after another in this process. The archive is the same either way.

    Returns
    -------
    PoliceArchive
        Files read, rows read, written and dropped (and why), per file and per force
        and month; ``folder`` to pass to :func:`read_events`.

    Warns
    -----
    HotspotlibWarning
        When rows are dropped (without coordinates, or outside the United Kingdom),
        once for the whole archive, with the numbers.

    Raises
    ------
    FileExistsError
        ``folder`` is not empty and is not an archive (or ``overwrite`` is False).
    ValueError, FileNotFoundError, TypeError
        As :func:`~hotspotlib.read_police_uk` for the files (the message names the
        file), and when no row of any file has usable coordinates.

    See Also
    --------
    read_events : open the archive as a dask-geopandas frame.
    hotspotlib.read_police_uk : the same reading, into memory.

    References
    ----------
    .. [1] data.police.uk, "About: data and its limitations",
       https://data.police.uk/about/
    .. [2] GeoParquet specification, https://geoparquet.org/

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.scale import police_uk_to_parquet
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (source / "2024-01-essex-street.csv").write_text(
    ...     "Crime ID,Month,Longitude,Latitude,Crime type\n"
    ...     "a1,2024-01,0.7110,51.5380,Robbery\n"
    ...     ",2024-01,0.7120,51.5390,Anti-social behaviour\n")
    >>> archive = police_uk_to_parquet(source, source / "archive")
    >>> archive.counts["n_written"], archive.partitions["force"].tolist()
    (2, ['essex'])
    >>> import shutil; shutil.rmtree(source)
    """
    target = target_crs(crs)
    resolve_harm(harm, name="harm")
    require_type(overwrite, (bool, np.bool_), name="overwrite", expected="True or False")
    check_client(client)
    sources = resolve_paths(paths, kind="street")
    root = _prepare(Path(os.fspath(folder)), overwrite=bool(overwrite))
    rows = map_chunks(
        _convert_file,
        list(enumerate(sources)),
        shared={"folder": str(root), "target": target, "harm": harm},
        client=client,
        desc="police.uk files",
    )
    result = PoliceArchive.from_rows(
        rows,
        folder=str(root),
        parameters={
            "crs": target.to_string(),
            "harm_scheme": harm if isinstance(harm, str) else "mapping",
            "harm_table_version": HARM_TABLE_VERSION if isinstance(harm, str) else None,
        },
    )
    c = result.counts
    require_nonempty(
        range(c["n_written"]),
        name="paths: the rows with usable coordinates",
        fix=f"none of the {c['n_read']} rows in {c['n_files']} file(s) has them "
        f"({c['n_dropped_no_location']} blank, {c['n_dropped_out_of_range']} outside the "
        "United Kingdom: are longitude and latitude swapped?).",
    )
    (root / MANIFEST).write_text(json.dumps(result.manifest(), indent=1))
    dropped = result.counts["n_dropped_no_location"] + result.counts["n_dropped_out_of_range"]
    if dropped:
        warnings.warn(
            f"police_uk_to_parquet dropped {dropped} of {result.counts['n_read']} rows: "
            f"{result.counts['n_dropped_no_location']} without coordinates and "
            f"{result.counts['n_dropped_out_of_range']} outside the United Kingdom. "
            "See `archive.files` for each file.",
            HotspotlibWarning,
            stacklevel=2,
        )
    return result


def read_events(folder: PathLike) -> Any:
    r"""Open an archive written by :func:`police_uk_to_parquet` as a dask-geopandas frame.

    Parameters
    ----------
    folder : path
        The archive's folder.

    Returns
    -------
    dask_geopandas.GeoDataFrame
        One partition per force, month and source file, in force and month order, with
        the columns of :func:`~hotspotlib.read_police_uk` (every police.uk column;
        missing ones empty), ``month``, ``harm``, ``force`` and point geometry in the
        archive's CRS. ``.compute()`` gives a GeoDataFrame.

    Raises
    ------
    FileNotFoundError
        ``folder`` holds no archive written by :func:`police_uk_to_parquet`.

    See Also
    --------
    police_uk_to_parquet : write the archive.

    References
    ----------
    .. [1] dask-geopandas, https://dask-geopandas.readthedocs.io/

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.scale import police_uk_to_parquet, read_events
    >>> source = pathlib.Path(tempfile.mkdtemp())
    >>> for month in ["2024-01", "2024-02"]:
    ...     _ = (source / f"{month}-kent-street.csv").write_text(
    ...         f"Month,Longitude,Latitude,Crime type\n{month},0.52,51.27,Burglary\n")
    >>> _ = police_uk_to_parquet(source, source / "archive")
    >>> events = read_events(source / "archive")
    >>> events.npartitions, len(events.compute())
    (2, 2)
    >>> import shutil; shutil.rmtree(source)
    """
    root = Path(os.fspath(folder))
    require_found(
        (root / MANIFEST).is_file(),
        name="folder",
        what=f"archive ({MANIFEST})",
        where=f"in {str(root)!r}",
        fix="Write one first with `police_uk_to_parquet(paths, folder)`.",
    )
    dataframe = require_module(
        "dask.dataframe", feature="`read_events`", install='pip install "hotspotlib[dask]"'
    )
    require_module(
        "dask_geopandas", feature="`read_events`", install='pip install "hotspotlib[dask]"'
    )
    manifest = json.loads((root / MANIFEST).read_text())
    parts = [str(root / part) for part in manifest["parts"]]
    meta = gpd.read_parquet(parts[0]).iloc[:0]
    return dataframe.from_map(gpd.read_parquet, parts, meta=meta, enforce_metadata=False)


def _prepare(root: Path, *, overwrite: bool) -> Path:
    """Create ``root``, or empty it when it holds an archive written here and may go."""
    if root.exists() and any(root.iterdir()):
        if not (root / MANIFEST).is_file():
            raise FileExistsError(
                f"`folder`: {str(root)!r} is not empty and holds no archive ({MANIFEST}); "
                "pass an empty or new folder (nothing else is ever deleted)."
            )
        if not overwrite:
            raise FileExistsError(
                f"`folder`: {str(root)!r} already holds an archive; pass `overwrite=True` "
                "to replace it, or another folder."
            )
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    return root


def _convert_file(
    item: tuple[int, Source],
    *,
    folder: str,
    target: Any,
    harm: HarmScheme | Mapping[str, float],
) -> dict[str, Any]:
    """Read one file as read_police_uk does; write one part per month; return its counts."""
    number, source = item
    table = _read_one(source, kind="street")
    files = pd.Series(pd.Categorical.from_codes(np.zeros(len(table), int), [str(source)]))
    force = force_of(pd.Series(pd.Categorical([str(source)])), "street").iloc[0] or "unknown"
    row: dict[str, Any] = {
        "file": str(source),
        "force": force,
        "n_read": len(table),
        "n_dropped_no_location": 0,
        "n_dropped_out_of_range": 0,
        "n_written": 0,
        "relabelled": {},
        "extra_columns": sorted(set(table.columns) - {*TEXT_COLUMNS, *NUMBER_COLUMNS, "month"}),
        "parts": {},
    }
    if not len(table):
        return row
    coordinates = _coordinates(table)
    keep = coordinates["keep"]
    row["n_dropped_no_location"] = coordinates["n_no_location"]
    row["n_dropped_out_of_range"] = coordinates["n_out"]
    if not keep.any():
        return row
    xs, ys = _project(coordinates, target)
    table = table.loc[keep].reset_index(drop=True)
    table["month"] = parse_month(table["month"], files[keep].reset_index(drop=True))
    row["relabelled"] = _relabel(table)
    table["harm"] = apply_harm(table, scheme=harm).to_numpy()
    events = gpd.GeoDataFrame(_standard(table, force), geometry=gpd.points_from_xy(xs, ys))
    events = events.set_crs(target)
    for month, part in events.groupby(events["month"].dt.strftime("%Y-%m"), sort=True):
        name = Path(force) / str(month) / f"part-{number:06d}.parquet"
        (Path(folder) / name.parent).mkdir(parents=True, exist_ok=True)
        part.reset_index(drop=True).to_parquet(Path(folder) / name, index=False)
        row["parts"][str(name)] = (str(month), len(part))
    row["n_written"] = len(events)
    return row


def _standard(table: pd.DataFrame, force: str) -> pd.DataFrame:
    """Give the archive's columns, in one order and one type in every part."""
    columns: dict[str, Any] = {}
    for name in TEXT_COLUMNS:
        values = table[name] if name in table.columns else pd.Series(pd.NA, index=table.index)
        columns[name] = values.astype("string")
    for name in NUMBER_COLUMNS:
        values = table[name] if name in table.columns else pd.Series(np.nan, index=table.index)
        columns[name] = pd.to_numeric(values, errors="coerce").astype(float)
    columns["month"] = table["month"].astype("datetime64[ns]")
    columns["harm"] = table["harm"].astype(float)
    columns["force"] = pd.Series(force, index=table.index, dtype="string")
    return pd.DataFrame(columns)
