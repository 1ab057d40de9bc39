"""A small self-contained HTML report: headings, text, tables and embedded PNG figures."""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["HtmlReport"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}
h1{border-bottom:3px solid #b22;padding-bottom:.2em} h2{margin-top:1.8em;color:#822}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right} th{background:#f3f3f3}
td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #ddd;margin:.4em 0}
.truth{background:#eef6ee;border-left:4px solid #393;padding:.4em .8em}
.meaning{background:#eef2fa;border-left:4px solid #36c;padding:.4em .8em}
dt{margin-top:.5em} dd{margin-left:1.5em}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
"""


@dataclass
class HtmlReport:
    """Collects sections and writes one HTML file with everything embedded.

    Examples
    --------
    >>> report = HtmlReport(title="Demo")
    >>> report.heading("Step 1")
    >>> report.text("Nothing to see.")
    >>> "<h2>Step 1</h2>" in report.to_html()
    True
    """

    title: str
    parts: list[str] = field(default_factory=list)

    def heading(self, text: str) -> None:
        """Add a section heading."""
        self.parts.append(f"<h2>{html.escape(text)}</h2>")

    def text(self, text: str, *, css_class: str | None = None) -> None:
        """Add a paragraph of plain text."""
        attr = f' class="{html.escape(css_class)}"' if css_class else ""
        self.parts.append(f"<p{attr}>{html.escape(text)}</p>")

    def raw(self, fragment: str) -> None:
        """Add an HTML fragment produced by the library (e.g. a summary's HTML)."""
        self.parts.append(fragment)

    def table(self, frame: pd.DataFrame, *, float_format: str = "{:,.3g}") -> None:
        """Add a table."""
        self.parts.append(
            frame.to_html(float_format=lambda v: float_format.format(v), border=0, na_rep="")
        )

    def figure(self, fig: Any, *, alt: str) -> None:
        """Embed a matplotlib figure as a PNG and close it."""
        from hotspotlib._plotting import require_matplotlib

        plt = require_matplotlib()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">')

    def to_html(self) -> str:
        """Return the whole document."""
        body = "\n".join(self.parts)
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(self.title)}"
            f"</title><style>{_STYLE}</style></head><body><h1>{html.escape(self.title)}</h1>"
            f"{body}</body></html>"
        )

    def write(self, path: Path) -> Path:
        """Write the document to ``path`` and return it."""
        path.write_text(self.to_html(), encoding="utf-8")
        return path
