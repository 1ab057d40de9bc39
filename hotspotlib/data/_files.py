"""Finding, decoding and reading police.uk CSV files: files, folders, globs and zip downloads.

A police.uk download holds three kinds of file per force and month: ``*-street.csv``
(crimes), ``*-stop-and-search.csv`` and ``*-outcomes.csv``. Every reader finds the
files of its kind with :func:`resolve_paths` and reads them with :func:`read_tables`:
UTF-8 or Windows-1252, text columns kept as text, column names snake-cased.
"""

from __future__ import annotations

import codecs
import glob
import io
import os
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import numpy as np
import pandas as pd

from hotspotlib._validation import (
    require_columns,
    require_found,
    require_nonempty,
    require_type,
    require_unique,
)

PathLike = str | os.PathLike[str]
Kind = Literal["street", "stop-and-search", "outcomes"]

SUFFIXES: dict[str, str] = {
    "street": "-street.csv",
    "stop-and-search": "-stop-and-search.csv",
    "outcomes": "-outcomes.csv",
}
# The columns a file must have to be read as its kind. Files of 2012 give Easting and
# Northing (British National Grid) in place of Longitude and Latitude.
_REQUIRED: dict[str, tuple[str, ...]] = {
    "street": ("month", "crime_type", "longitude", "latitude"),
    "stop-and-search": ("type", "date", "longitude", "latitude"),
    "outcomes": ("crime_id", "month", "outcome_type"),
}
_COORDINATES = {"longitude", "latitude", "easting", "northing"}


@dataclass(frozen=True)
class Source:
    """One CSV to read: a file on disk, or a member of a zip archive."""

    path: Path
    member: str | None = None

    def __str__(self) -> str:
        return str(self.path) if self.member is None else f"{self.path}/{self.member}"

    def key(self) -> str:
        base = str(self.path.resolve())
        return base if self.member is None else f"{base}/{self.member}"

    def read_bytes(self) -> bytes:
        if self.member is None:
            return self.path.read_bytes()
        with zipfile.ZipFile(self.path) as archive:
            return archive.read(self.member)


def snake_case(name: str) -> str:
    """Put a police.uk column name in snake case (``"Crime ID"`` -> ``"crime_id"``)."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


def _pick(names: list[str], kind: str, *, fallback: bool) -> list[str]:
    """Pick the files of ``kind``; with ``fallback``, if none, the CSVs of no police.uk kind."""
    lower = [name.lower() for name in names]  # file names, not rows
    own = [name for name, low in zip(names, lower, strict=True) if low.endswith(SUFFIXES[kind])]
    if own or not fallback:
        return own
    others = tuple(SUFFIXES.values())
    return [
        name
        for name, low in zip(names, lower, strict=True)
        if low.endswith(".csv") and not low.endswith(others)
    ]


def _zip_members(path: Path, kind: str, *, fallback: bool) -> tuple[list[Source], list[str]]:
    """Return the members of one kind in a zip download, and the names of all its files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = sorted(n for n in archive.namelist() if not n.endswith("/"))
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"`paths`: the file {str(path)!r} is not a readable zip archive ({error}); "
            "download it again from data.police.uk or unzip it and pass the folder."
        ) from error
    return [Source(path, member) for member in _pick(names, kind, fallback=fallback)], names


def _from_path(path: Path, kind: str) -> list[Source]:
    """Return the sources one existing path gives: a folder's, a zip's, or the file itself.

    A folder gives its files and the members of its zips, but not a member already
    extracted where unzipping puts it (beside the zip, or in a folder named after it):
    a download unzipped in place is read once. A copy elsewhere is kept, so that
    :func:`require_one_copy` refuses two overlapping downloads.
    """
    suffix = SUFFIXES[kind]
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file())
        names = [str(p) for p in files]
        found = [Source(Path(p)) for p in _pick(names, kind, fallback=False)]
        zips = [p for p in files if p.suffix.lower() == ".zip"]
        extracted = {str(source.path).lower() for source in found}
        found += [
            member
            for z in zips
            for member in _zip_members(z, kind, fallback=False)[0]
            if not _unzipped_in_place(member, extracted)
        ]
        found = found or [Source(Path(p)) for p in _pick(names, kind, fallback=True)]
        require_found(
            found,
            name="paths",
            what=f"'*{suffix}' files",
            where=f"in the folder {str(path)!r} (nor in .zip downloads under it)",
            fix=f"Pass a folder holding police.uk {kind} files or their .zip downloads.",
        )
        return found
    if path.suffix.lower() != ".zip":
        return [Source(path)]  # a file is read whatever its name
    found, names = _zip_members(path, kind, fallback=True)
    n_csv = sum(name.lower().endswith(".csv") for name in names)
    require_found(
        found,
        name="paths",
        what=f"'*{suffix}' files",
        where=f"in the zip {str(path)!r} (it holds {n_csv} other .csv and "
        f"{len(names) - n_csv} other files)",
        fix="Tick that data set on the data.police.uk download page.",
    )
    return found


def _unzipped_in_place(member: Source, extracted: set[str]) -> bool:
    """Tell whether a zip member is on disk where unzipping its zip puts it."""
    relative = PurePosixPath((member.member or "").replace("\\", "/"))
    zipped = member.path
    places = (
        zipped.parent.joinpath(*relative.parts),
        zipped.with_suffix("").joinpath(*relative.parts),
    )
    return any(str(place).lower() in extracted for place in places)


def _from_text(text: str, kind: str) -> list[Source]:
    """Return the sources one path or glob pattern gives."""
    if any(char in text for char in "*?["):
        paths = sorted(Path(p) for p in glob.glob(text, recursive=True))
        require_found(paths, name="paths", what="file", where=f"matches the pattern {text!r}")
    else:
        paths = [Path(text)] if Path(text).exists() else []
        require_found(paths, name="paths", what="such file or folder", where=repr(text))
    return [source for path in paths for source in _from_path(path, kind)]


def resolve_paths(paths: PathLike | Iterable[PathLike], *, kind: Kind) -> list[Source]:
    """Return every CSV of ``kind`` that ``paths`` names, in a stable order.

    A file is read whatever its name. A folder gives its ``*-{kind}.csv`` files
    (recursively) and the matching members of the zip downloads under it not already
    unzipped in place; if none, its CSV files not named as another police.uk kind (a
    user's own ``crimes.csv``). A zip gives its matching members, else its CSVs of no police.uk
    kind. A glob pattern gives each match by these rules.
    """
    accepted = (
        f"a path to a police.uk '*{SUFFIXES[kind]}' file, a folder, a glob pattern or a "
        ".zip download"
    )
    require_type(
        paths,
        (str, os.PathLike, list, tuple, set, frozenset),
        name="paths",
        expected=f"{accepted}, or a list of these",
    )
    items: list[Any] = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    require_nonempty(items, name="paths", fix=f"pass {accepted}, or a list of these.")
    found: list[Source] = []
    for item in items:  # a handful of paths
        require_type(item, (str, os.PathLike), name="paths", expected=f"file paths ({accepted})")
        found += _from_text(os.fspath(item), kind)
    require_unique(
        [source.key() for source in found],
        name="paths",
        what="files (each would count its rows twice)",
    )
    require_one_copy(found, kind=kind)
    return found


def _file_name(source: Source) -> str:
    """Return the file's own name, lower case (a zip member's last part after / or a backslash)."""
    name = PurePosixPath(source.member.replace("\\", "/")).name if source.member else ""
    return (name or source.path.name).lower()


def require_one_copy(sources: list[Source], *, kind: Kind) -> None:
    """Refuse two sources of the same police.uk file (one force, month and kind).

    police.uk names each file ``YYYY-MM-force-kind.csv``, once per force, month and kind,
    so two files of one name hold the same records: two overlapping downloads, or a
    folder listed with its own zip. Reading both would count every row twice, whether
    or not the copies are byte for byte the same. Files named otherwise are not compared.
    """
    pattern = re.compile(rf"^\d{{4}}-\d{{2}}-.+{re.escape(SUFFIXES[kind])}$")
    names = pd.Series(
        [_file_name(source) for source in sources],
        dtype="object",
    )
    named = names[names.str.match(pattern.pattern)]
    repeated = named[named.duplicated(keep=False)]
    if repeated.empty:
        return
    first = repeated.iloc[0]
    where = [str(sources[i]) for i in repeated.index[repeated.eq(first)]]
    n_files = int(repeated.nunique())
    more = f" ({n_files - 1} other police.uk file(s) are read twice too)" if n_files > 1 else ""
    raise ValueError(
        f"`paths`: the police.uk {kind} file {first!r} (one force, one month) is read from "
        f"{len(where)} places: {', '.join(repr(w) for w in where)}{more}; its rows would be "
        "counted more than once. Keep one copy of each month: pass one download (a folder "
        "or its zip, not both), or delete the months that overlap from one of them."
    )


def encoding_of(raw: bytes, source: Source) -> str:
    """Name the encoding of a file's bytes: UTF-8 (with or without a BOM), else Windows-1252."""
    try:
        raw.decode("utf-8")  # checked in C; the text itself is parsed by pandas from bytes
        return "utf-8-sig"
    except UnicodeDecodeError as utf8_error:
        try:
            raw.decode("cp1252")
            return "cp1252"
        except UnicodeDecodeError as error:
            raise ValueError(
                f"`paths`: the file {str(source)!r} is neither UTF-8 nor Windows-1252 text "
                f"({utf8_error.reason} at byte {utf8_error.start}); is it a CSV? Save it "
                "as UTF-8 and try again."
            ) from error


def read_tables(sources: list[Source], *, kind: Kind) -> tuple[pd.DataFrame, pd.Series]:
    """Read every source as text (coordinates aside), snake-case and stack them.

    Returns the stacked table (clean RangeIndex) and, per row, the file it came from
    (a categorical Series of the sources' names). Refused when no file holds a row.
    """
    frames = [_read_one(source, kind=kind) for source in sources]
    # files without rows add only their columns (pandas 2.1-2.3 warn on concatenating them)
    columns = list(dict.fromkeys(name for frame in frames for name in frame.columns))
    rows = [frame for frame in frames if len(frame)] or frames[:1]
    table = pd.concat(rows, ignore_index=True, sort=False) if len(rows) > 1 else rows[0]
    require_nonempty(
        table,
        name="paths",
        fix=f"the {len(sources)} file(s) hold a header but no rows; nothing to read.",
    )
    origin = np.repeat(np.arange(len(frames)), [len(frame) for frame in frames])
    files = pd.Categorical.from_codes(origin, categories=[str(source) for source in sources])
    return table.reindex(columns=columns).reset_index(drop=True), pd.Series(files)


def _read_one(source: Source, *, kind: str) -> pd.DataFrame:
    raw_bytes = source.read_bytes()
    name = f"paths: the file {str(source)!r}"
    content = raw_bytes.removeprefix(codecs.BOM_UTF8)
    require_nonempty(
        b"" if content.isspace() else content,
        name=name,
        fix="it has no header row: remove it or download it again.",
    )
    encoding = encoding_of(raw_bytes, source)
    header = pd.read_csv(io.BytesIO(raw_bytes), nrows=0, encoding=encoding).columns
    # Everything but the coordinates is read as text: ids, codes, dates and flags must
    # not turn into numbers; coordinates are parsed (and checked) later.
    text = {raw: str for raw in header if snake_case(raw) not in _COORDINATES}
    frame = pd.read_csv(io.BytesIO(raw_bytes), dtype=text, skipinitialspace=True, encoding=encoding)
    frame.columns = [snake_case(c) for c in frame.columns]
    require_unique(frame.columns, name=name, what="column names once snake-cased")
    required = _REQUIRED[kind]
    if {"easting", "northing"} <= set(frame.columns):
        required = tuple(c for c in required if c not in ("longitude", "latitude"))
    require_columns(frame, required, name=f"{name}, read as a police.uk {kind} file")
    return frame
