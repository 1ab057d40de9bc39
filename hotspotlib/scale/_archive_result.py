"""The result of :func:`~hotspotlib.scale.police_uk_to_parquet`: what was read, written, dropped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd

from hotspotlib._frozen import FrozenResult, frozen_mapping

__all__ = ["PoliceArchive"]

_FILE_COLUMNS = [
    "file",
    "force",
    "n_read",
    "n_dropped_no_location",
    "n_dropped_out_of_range",
    "n_written",
]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PoliceArchive(FrozenResult):
    """A police.uk archive written to GeoParquet, with what was read, dropped and written.

    Attributes
    ----------
    folder : str
        The archive's folder (pass it to :func:`~hotspotlib.scale.read_events`).
    files : pandas.DataFrame
        One row per file read: ``file``, ``force``, ``n_read``,
        ``n_dropped_no_location``, ``n_dropped_out_of_range``, ``n_written``.
    partitions : pandas.DataFrame
        One row per force and month: ``force``, ``month`` (``YYYY-MM``), ``n_files``,
        ``n_events``.
    relabelled : Mapping
        Legacy crime-type labels (or API slugs) mapped to today's, with their rows.
    extra_columns : tuple of str
        Columns found in some files that the archive does not keep (police.uk's own
        columns are always kept).
    parameters : Mapping (read-only)
        ``crs``, ``harm_scheme``, ``harm_table_version``.
    """

    folder: str
    _files: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    _partitions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    parts: tuple[str, ...] = field(default=(), repr=False)
    relabelled: Mapping[str, int] = field(default_factory=dict)
    extra_columns: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)

    _title: ClassVar[str] = "police.uk archive (GeoParquet)"

    @classmethod
    def from_rows(
        cls, rows: list[dict[str, Any]], *, folder: str, parameters: Mapping[str, Any]
    ) -> PoliceArchive:
        """Gather the per-file counts that the conversion tasks return."""
        files = pd.DataFrame([{k: row[k] for k in _FILE_COLUMNS} for row in rows])
        parts = [
            (name, row["force"], month, n)
            for row in rows
            for name, (month, n) in row["parts"].items()
        ]
        frame = pd.DataFrame(parts, columns=["part", "force", "month", "n_events"])
        partitions = (
            frame.groupby(["force", "month"], sort=True)
            .agg(n_files=("part", "size"), n_events=("n_events", "sum"))
            .reset_index()
        )
        relabelled: dict[str, int] = {}
        for row in rows:  # one row per file
            for label, n in row["relabelled"].items():
                relabelled[label] = relabelled.get(label, 0) + int(n)
        extra = sorted({name for row in rows for name in row["extra_columns"]})
        return cls(
            folder=folder,
            _files=files,
            _partitions=partitions,
            parts=tuple(frame.sort_values(["force", "month", "part"])["part"]),
            relabelled=relabelled,
            extra_columns=tuple(extra),
            parameters={**parameters, "folder": folder, "n_files": len(rows)},
        )

    @property
    def files(self) -> pd.DataFrame:
        """Per-file counts (a copy)."""
        return self._files.copy()

    @property
    def partitions(self) -> pd.DataFrame:
        """Per force and month: files and events written (a copy)."""
        return self._partitions.copy()

    def to_frame(self) -> pd.DataFrame:
        """Return the per force and month table (a copy)."""
        return self._partitions.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Files, rows read, dropped (and why), relabelled and written; forces, months."""
        totals = self._files[_FILE_COLUMNS[2:]].sum() if len(self._files) else None
        count = {name: int(totals[name]) if totals is not None else 0 for name in _FILE_COLUMNS[2:]}
        return frozen_mapping(
            {
                "n_files": len(self._files),
                **count,
                "n_relabelled": int(sum(self.relabelled.values())),
                "n_forces": int(self._partitions["force"].nunique())
                if len(self._partitions)
                else 0,
                "n_months": int(self._partitions["month"].nunique())
                if len(self._partitions)
                else 0,
                "n_parts": len(self.parts),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """What was dropped and why, and how to open the archive."""
        c = self.counts
        notes = [
            f"{c['n_written']:,} of {c['n_read']:,} rows written from {c['n_files']} files: "
            f"{c['n_dropped_no_location']:,} dropped without coordinates and "
            f"{c['n_dropped_out_of_range']:,} outside the United Kingdom (as read_police_uk).",
            f"Open it with hotspotlib.scale.read_events({self.folder!r}).",
        ]
        if self.relabelled:
            notes.append(
                "Legacy crime types relabelled: "
                + ", ".join(f"{k!r} ({v})" for k, v in self.relabelled.items())
                + "."
            )
        if self.extra_columns:
            notes.append(
                "Columns not kept in the archive (not police.uk's): "
                + ", ".join(self.extra_columns)
                + "."
            )
        return tuple(notes)

    def _summary_table(self) -> pd.DataFrame:
        return self._partitions.copy()

    def manifest(self) -> dict[str, Any]:
        """Return what the archive's folder records about itself (JSON-ready)."""
        return {
            "format": "hotspotlib police.uk archive 1",
            "parameters": dict(self.parameters),
            "counts": dict(self.counts),
            "parts": list(self.parts),
        }
