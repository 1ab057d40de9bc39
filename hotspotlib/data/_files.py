"""Finding and decoding police.uk CSV files: files, folders, globs and zip downloads."""

from __future__ import annotations

import glob
import os
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

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
    if not csvs:
        raise FileNotFoundError(
            f"`paths`: the zip {str(path)!r} holds no .csv files "
            f"(it has {len(names)} other file(s)); pass a police.uk street-level download."
        )
    return [Source(path, member) for member in (street or csvs)]


def _expand(path: Path) -> list[Source]:
    if path.suffix.lower() == ".zip":
        return _zip_members(path)
    return [Source(path)]


def resolve_paths(paths: PathLike | Iterable[PathLike]) -> list[Source]:
    if isinstance(paths, (str, os.PathLike)):
        items: list[Any] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, (bytes, Mapping)):
        items = list(paths)
    else:
        raise TypeError(f"`paths` must be {_ACCEPTED}, or a list of these; got {paths!r}.")
    if not items:
        raise ValueError(f"`paths` is empty; pass {_ACCEPTED}, or a list of these.")
    found: list[Source] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise TypeError(
                f"`paths` must hold file paths ({_ACCEPTED}); got {type(item).__name__} {item!r}."
            )
        text = os.fspath(item)
        path = Path(text)
        if path.is_dir():
            files = sorted(path.rglob("*-street.csv")) or sorted(path.rglob("*.csv"))
            files = files or sorted(path.rglob("*.zip"))
            if not files:
                raise FileNotFoundError(
                    f"`paths`: the folder {text!r} holds no .csv files (nor .zip downloads)."
                )
            found += [source for file in files for source in _expand(file)]
        elif any(char in text for char in "*?["):
            files = sorted(Path(p) for p in glob.glob(text, recursive=True))
            if not files:
                raise FileNotFoundError(f"`paths`: no file matches the pattern {text!r}.")
            found += [source for file in files for source in _expand(file)]
        elif path.is_file():
            found += _expand(path)
        else:
            raise FileNotFoundError(f"`paths`: no such file or folder {text!r}.")
    resolved = pd.Series([source.key() for source in found])
    if resolved.duplicated().any():
        twice = resolved[resolved.duplicated()].unique()[:3].tolist()
        raise ValueError(
            f"`paths` names the same file more than once (e.g. {twice}), which would "
            "count its crimes twice; pass each file or folder once."
        )
    return found


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
