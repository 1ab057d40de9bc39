"""Finding and decoding police.uk CSV files: files, folders, globs and zip downloads."""

from __future__ import annotations

import glob
import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hotspotlib._validation import require_found, require_nonempty, require_type, require_unique

PathLike = str | os.PathLike[str]

_ACCEPTED = "a path to a police.uk CSV file, a folder, a glob pattern or a .zip download"


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


def _zip_members(path: Path) -> list[Source]:
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"`paths`: the file {str(path)!r} is not a readable zip archive ({error}); "
            "download it again from data.police.uk or unzip it and pass the folder."
        ) from error
    csvs = sorted(n for n in names if n.lower().endswith(".csv"))
    street = [n for n in csvs if n.lower().endswith("-street.csv")]
    require_found(
        csvs,
        name="paths",
        what=".csv files",
        where=f"in the zip {str(path)!r} (it has {len(names)} other file(s))",
        fix="Pass a police.uk street-level download.",
    )
    return [Source(path, member) for member in (street or csvs)]


def _expand(path: Path) -> list[Source]:
    if path.suffix.lower() == ".zip":
        return _zip_members(path)
    return [Source(path)]


def resolve_paths(paths: PathLike | Iterable[PathLike]) -> list[Source]:
    """Return every CSV that ``paths`` names: files, folders, glob patterns, zip members."""
    require_type(
        paths,
        (str, os.PathLike, list, tuple, set, frozenset),
        name="paths",
        expected=f"{_ACCEPTED}, or a list",
    )
    items: list[Any] = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    require_nonempty(items, name="paths", fix=f"pass {_ACCEPTED}, or a list of these.")
    found: list[Source] = []
    for item in items:  # a handful of paths
        require_type(item, (str, os.PathLike), name="paths", expected=f"file paths ({_ACCEPTED})")
        found += [source for file in _files(os.fspath(item)) for source in _expand(file)]
    require_unique(
        [source.key() for source in found],
        name="paths",
        what="files (each would count its crimes twice)",
    )
    return found


def _files(text: str) -> list[Path]:
    """Return the files one path names: itself, a folder's CSVs (or zips) or a glob's matches."""
    path = Path(text)
    if path.is_dir():
        files = sorted(path.rglob("*-street.csv")) or sorted(path.rglob("*.csv"))
        files = files or sorted(path.rglob("*.zip"))
        require_found(
            files,
            name="paths",
            what=".csv files (nor .zip downloads)",
            where=f"in the folder {text!r}",
        )
    elif any(char in text for char in "*?["):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True))
        require_found(files, name="paths", what="file", where=f"matches the pattern {text!r}")
    else:
        files = [path] if path.is_file() else []
        require_found(files, name="paths", what="such file or folder", where=repr(text))
    return files


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
