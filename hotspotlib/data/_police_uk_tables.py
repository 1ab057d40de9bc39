"""Finding, reading and placing the police.uk files other than street-level crime.

A police.uk download holds three kinds of file per force and month:
``*-street.csv`` (crimes), ``*-outcomes.csv`` and ``*-stop-and-search.csv``. The
street-level reader picks the first kind; the helpers here pick one of the other two by
its file-name suffix, in folders, zip archives and globs, and read them with the same
rules (UTF-8 or Windows-1252, text columns kept as text, snake-cased names).
"""

from __future__ import annotations

import glob
import io
import os
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from pyproj import CRS, Transformer

from hotspotlib.data._files import Source, encoding_of
from hotspotlib.data.police_uk import UK_LATITUDE, UK_LONGITUDE, _numeric, _snake_case

PathLike = str | os.PathLike[str]

_COORDINATES = {"longitude", "latitude"}


def _members(path: Path, suffix: str) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"`paths`: the file {str(path)!r} is not a readable zip archive ({error}); "
            "download it again from data.police.uk or unzip it and pass the folder."
        ) from error
    wanted = sorted(n for n in names if n.lower().endswith(suffix))
    if not wanted:
        n_csv = sum(n.lower().endswith(".csv") for n in names)
        raise FileNotFoundError(
            f"`paths`: the zip {str(path)!r} holds no '*{suffix}' files ({n_csv} other "
            f".csv and {len(names) - n_csv} other files); tick that data set on the "
            "data.police.uk download page."
        )
    return [Source(path, member) for member in wanted]


def _expand(path: Path, suffix: str) -> list[Source]:
    return _members(path, suffix) if path.suffix.lower() == ".zip" else [Source(path)]


def resolve_kind(paths: PathLike | Iterable[PathLike], *, suffix: str) -> list[Source]:
    """Every CSV named ``*{suffix}`` that ``paths`` point to, in a stable order.

    A file is taken whatever its name; a folder gives its ``*{suffix}`` files and the
    matching members of its zip archives (recursively); a zip gives its matching
    members; a glob gives each match by the same rules.
    """
    accepted = f"a path to a police.uk '*{suffix}' file, a folder, a glob pattern or a .zip"
    if isinstance(paths, (str, os.PathLike)):
        items: list[Any] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, (bytes, Mapping)):
        items = list(paths)
    else:
        raise TypeError(f"`paths` must be {accepted}, or a list of these; got {paths!r}.")
    if not items:
        raise ValueError(f"`paths` is empty; pass {accepted}, or a list of these.")
    found: list[Source] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(
                f"`paths` must hold file paths ({accepted}); got {type(item).__name__} {item!r}."
            )
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            csvs = sorted(p for p in path.rglob("*") if p.name.lower().endswith(suffix))
            zips = sorted(path.rglob("*.zip"))
            inside = [s for z in zips for s in _zip_or_nothing(z, suffix)]
            if not csvs and not inside:
                raise FileNotFoundError(
                    f"`paths`: the folder {text!r} holds no '*{suffix}' files "
                    f"(nor .zip downloads holding them)."
                )
            found += [Source(p) for p in csvs] + inside
        elif any(char in text for char in "*?["):
            files = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not files:
                raise FileNotFoundError(f"`paths`: no file matches the pattern {text!r}.")
            found += [source for file in files for source in _expand(file, suffix)]
        elif path.is_file():
            found += _expand(path, suffix)
        else:
            raise FileNotFoundError(f"`paths`: no such file or folder {text!r}.")
    keys = pd.Series([source.key() for source in found])
    if keys.duplicated().any():
        twice = keys[keys.duplicated()].unique()[:3].tolist()
        raise ValueError(
            f"`paths` names the same file more than once (e.g. {twice}), which would "
            "count its rows twice; pass each file or folder once."
        )
    return found


def _zip_or_nothing(path: Path, suffix: str) -> list[Source]:
    """Give the matching members of a zip found in a folder (none if it holds other files)."""
    try:
        return _members(path, suffix)
    except FileNotFoundError:
        return []


def read_tables(
    sources: list[Source], *, required: tuple[str, ...], kind: str
) -> tuple[pd.DataFrame, pd.Series]:
    """Read every source as text (coordinates aside), snake-case and stack them.

    Returns the stacked table (clean RangeIndex) and, per row, the name of its file.
    """
    frames = [_read_one(source, required=required, kind=kind) for source in sources]
    columns = list(dict.fromkeys(name for frame in frames for name in frame.columns))
    origin = np.repeat(np.arange(len(frames)), [len(frame) for frame in frames])
    rows = [frame for frame in frames if len(frame)] or frames[:1]
    table = pd.concat(rows, ignore_index=True, sort=False) if len(rows) > 1 else rows[0]
    table = table.reindex(columns=columns).reset_index(drop=True)
    if not len(table):
        raise ValueError(
            f"`paths`: the {len(sources)} file(s) hold a header but no rows; nothing to read."
        )
    names = pd.Series([Path(source.member or source.path).name for source in sources])
    return table, names.iloc[origin].reset_index(drop=True)


def _read_one(source: Source, *, required: tuple[str, ...], kind: str) -> pd.DataFrame:
    raw_bytes = source.read_bytes()
    encoding = encoding_of(raw_bytes, source)
    try:
        header = pd.read_csv(io.BytesIO(raw_bytes), nrows=0, encoding=encoding).columns
    except pd.errors.EmptyDataError as error:
        raise ValueError(
            f"`paths`: the file {str(source)!r} is empty (no header row); "
            "remove it or download it again."
        ) from error
    # Everything but the coordinates is read as text: ids, codes, dates and flags must
    # not turn into numbers; coordinates are parsed (and checked) later.
    text = {raw: str for raw in header if _snake_case(raw) not in _COORDINATES}
    frame = pd.read_csv(io.BytesIO(raw_bytes), dtype=text, skipinitialspace=True, encoding=encoding)
    frame.columns = [_snake_case(c) for c in frame.columns]
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise ValueError(
            f"`paths`: the file {str(source)!r} has columns that clash once snake-cased: {dupes}."
        )
    missing = [c for c in required if c not in frame.columns]
    if missing:
        raise ValueError(
            f"`paths`: the file {str(source)!r} is missing column(s) {', '.join(missing)}; "
            f"it has {list(frame.columns)}. Is it a police.uk {kind} file?"
        )
    return frame


def place(
    table: pd.DataFrame, *, target: CRS, function: str
) -> tuple[NDArray[np.bool_], NDArray[np.float64], NDArray[np.float64], dict[str, int]]:
    """Project longitude/latitude to ``target``; count and warn about rows it cannot place.

    Returns the mask of rows kept, their x and y in ``target``, and the counts
    ``n_read``, ``n_dropped_no_location`` and ``n_dropped_out_of_range``.
    """
    lon, lat = _numeric(table, "longitude"), _numeric(table, "latitude")
    located = np.isfinite(lon) & np.isfinite(lat)
    in_range = (
        (lon >= UK_LONGITUDE[0])
        & (lon <= UK_LONGITUDE[1])
        & (lat >= UK_LATITUDE[0])
        & (lat <= UK_LATITUDE[1])
    )
    n_read = len(table)
    n_no_location = int((~located).sum())
    n_out = int((located & ~in_range).sum())
    keep = located & in_range
    if not keep.any():
        raise ValueError(
            f"`paths`: none of the {n_read} rows has usable coordinates "
            f"({n_no_location} blank, {n_out} outside the United Kingdom: are longitude "
            "and latitude swapped?)."
        )
    if n_no_location or n_out:
        warnings.warn(
            f"{function} dropped {n_no_location + n_out} of {n_read} rows: "
            f"{n_no_location} without coordinates and {n_out} outside the United Kingdom. "
            "See `frame.attrs['hotspotlib']`.",
            UserWarning,
            stacklevel=3,
        )
    transformer = Transformer.from_crs("EPSG:4326", target, always_xy=True)
    xs, ys = transformer.transform(lon[keep], lat[keep])
    counts = {
        "n_read": n_read,
        "n_dropped_no_location": n_no_location,
        "n_dropped_out_of_range": n_out,
    }
    return keep, np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.float64), counts


def flags(table: pd.DataFrame, columns: tuple[str, ...]) -> None:
    """Turn police.uk ``True``/``False`` text columns (blank = unknown) into nullable booleans."""
    for column in columns:
        if column not in table.columns:
            continue
        codes, uniques = pd.factorize(table[column])  # a missing value has code -1
        text = pd.Series([*uniques, ""], dtype="object").astype(str).str.strip().str.lower()
        values = text.map({"true": True, "false": False})
        bad = (text.ne("") & values.isna()).to_numpy()[codes]
        if bad.any():
            examples = table.loc[bad, column].astype(str).unique()[:3].tolist()
            raise ValueError(
                f"`paths`: column {column!r} has {int(bad.sum())} values that are neither "
                f"True, False nor blank, e.g. {examples}; fix or remove those rows."
            )
        known = values.where(values.notna(), None).to_numpy(dtype=object)
        table[column] = pd.array(known[codes], dtype="boolean")


def force_of(names: pd.Series, suffix: str) -> pd.Series:
    """Find the force in police.uk file names (``2024-01-essex-outcomes.csv`` -> ``essex``)."""
    codes, uniques = pd.factorize(names)
    pattern = rf"^\d{{4}}-\d{{2}}-(.+){re.escape(suffix)}$"
    found = pd.Series(uniques, dtype="object").str.lower().str.extract(pattern, expand=False)
    forces = found.where(found.notna(), None).to_numpy(dtype=object)
    return pd.Series(forces[codes], index=names.index, dtype="object")
