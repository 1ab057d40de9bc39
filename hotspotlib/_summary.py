"""The Summary object returned by every result's ``.summary()``."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["Summary"]


def _format_value(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """A printable summary of a result: parameters, counts, an optional table, and caveats.

    Results build it from their ``parameters``, ``counts`` and ``notes`` and one table of
    their own (see :meth:`hotspotlib._frozen.FrozenResult.summary`).

    Parameters
    ----------
    title : str
        One line naming the analysis.
    parameters : Mapping[str, Any]
        The parameters used, including those chosen automatically.
    counts : Mapping[str, Any]
        What was used, dropped and why (events, cells, rows ...).
    table : pandas.DataFrame or None
        An optional table of estimates or counts.
    notes : Sequence[str]
        Caveats and conventions (one-/two-sided p, units, dropped rows ...).

    Examples
    --------
    >>> from hotspotlib._summary import Summary
    >>> s = Summary(
    ...     title="Example",
    ...     parameters={"cell_size_m": 150.0},
    ...     counts={"n_events": 12, "n_outside": 1},
    ...     notes=["Counts per cell."],
    ... )
    >>> print(s)
    Example
    =======
    cell_size_m : 150
    Counts:
      n_events  : 12
      n_outside : 1
    Notes:
    - Counts per cell.
    """

    title: str
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, Any] = field(default_factory=dict)
    table: pd.DataFrame | None = None
    notes: Sequence[str] = ()

    def __str__(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        width = max((len(k) for k in self.parameters), default=0)
        lines += [f"{k:<{width}} : {_format_value(v)}" for k, v in self.parameters.items()]
        if self.counts:
            width = max(len(k) for k in self.counts)
            lines.append("Counts:")
            lines += [f"  {k:<{width}} : {_format_value(v)}" for k, v in self.counts.items()]
        if self.table is not None:
            lines += ["", self.table.to_string()]
        if self.notes:
            lines.append("Notes:")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        parts = [f"<h4>{html.escape(self.title)}</h4>", _html_pairs(self.parameters)]
        if self.counts:
            parts += ["<p>Counts:</p>", _html_pairs(self.counts)]
        if self.table is not None:
            parts.append(self.table.to_html())
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f"<p>Notes:</p><ul>{items}</ul>")
        return "".join(parts)

    def to_markdown(self) -> str:
        """Return the summary as GitHub-flavoured Markdown.

        Returns
        -------
        str
            A heading, a two-column parameter table, the table (if any) and the notes.

        Examples
        --------
        >>> from hotspotlib._summary import Summary
        >>> print(Summary(title="T", parameters={"n": 3}).to_markdown())
        ### T
        <BLANKLINE>
        | parameter | value |
        |---|---|
        | n | 3 |
        """
        lines = [f"### {self.title}", "", "| parameter | value |", "|---|---|"]
        lines += [f"| {k} | {_format_value(v)} |" for k, v in self.parameters.items()]
        if self.counts:
            lines += ["", "| count | value |", "|---|---|"]
            lines += [f"| {k} | {_format_value(v)} |" for k, v in self.counts.items()]
        if self.table is not None:
            lines += ["", _frame_to_markdown(self.table)]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines)


def _html_pairs(pairs: Mapping[str, Any]) -> str:
    """Render name/value pairs as a two-column HTML table."""
    rows = "".join(
        f"<tr><th style='text-align:left'>{html.escape(str(k))}</th>"
        f"<td style='text-align:left'>{html.escape(_format_value(v))}</td></tr>"
        for k, v in pairs.items()
    )
    return f"<table>{rows}</table>"


def _frame_to_markdown(frame: pd.DataFrame) -> str:
    """Render a small DataFrame as a Markdown table without optional dependencies."""
    flat = (
        frame.reset_index()
        if frame.index.name or not frame.index.equals(pd.RangeIndex(len(frame)))
        else frame
    )
    header = "| " + " | ".join(str(c) for c in flat.columns) + " |"
    rule = "|" + "---|" * len(flat.columns)
    body = [
        "| " + " | ".join(_format_value(v) for v in row) + " |"
        for row in flat.itertuples(index=False)
    ]
    return "\n".join([header, rule, *body])
