"""The small map a result with geometry shows in notebooks, beside its summary table.

A result's ``_repr_html_`` is its summary; when the result has geometry (it has
``.explore()`` and, for place tables, places with geometry) a small PNG of its own
``.plot()`` is put beside the table, inline as base64. Showing a result must never fail:
when matplotlib is missing, the drawing raises, or the map has more shapes than
``MAP_SHAPES_LIMIT`` (drawing 100,000 polygons takes seconds), the table is shown alone
with one small line saying why.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import sys
import warnings
from typing import Any

PLOT_INSTALL = "pip install 'hotspotlib[plot]'"

__all__ = ["MAP_SHAPES_LIMIT", "has_map", "map_html", "n_shapes", "with_map"]

MAP_SHAPES_LIMIT = 2_500
"""Results with more polygons, lines or points than this show no inline map (call .plot())."""
MAP_SIZE_IN = (4.0, 3.0)
MAP_DPI = 72
_REASON_CHARACTERS = 160


def has_map(result: Any) -> bool:
    """Whether ``result`` has geometry to map: it has ``.explore()`` and its places have shapes.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> has_map(hs.meta_analysis([0.1, 0.3], variances=[0.01, 0.02], method="fixed"))
    False
    """
    if not callable(getattr(type(result), "explore", None)):
        return False
    try:
        return getattr(result, "geometry", True) is not None
    except Exception:  # a geometry that cannot be computed: no map, and no error
        return False


def n_shapes(result: Any, *, depth: int = 0) -> int:
    """Count the most polygons, lines or points in one layer of ``result`` (0 for rasters).

    Looks at the result's geometry fields, its grid (its cells, unless the result is
    drawn as an image: ``_raster_map``) and, one level down, the results it holds (an
    optimized hot-spot analysis holds its Gi*).
    """
    import geopandas as gpd

    from hotspotlib._frozen import FrozenResult
    from hotspotlib.hotspots.grid.cells import Grid

    largest = 0
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        if isinstance(value, Grid):  # its cells, drawn as polygons unless as an image
            largest = max(largest, 0 if getattr(result, "_raster_map", False) else value.n_cells)
        elif isinstance(value, gpd.GeoSeries | gpd.GeoDataFrame):
            largest = max(largest, len(value))
        elif isinstance(value, FrozenResult) and dataclasses.is_dataclass(value) and depth < 1:
            largest = max(largest, n_shapes(value, depth=depth + 1))
    return largest


def _png(result: Any) -> bytes:
    """Draw ``result.plot()`` on a small Agg figure (no pyplot: nothing left open)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=MAP_SIZE_IN, dpi=MAP_DPI)  # the tight bbox below fits the legend
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    opened = _pyplot_figures()
    try:
        with warnings.catch_warnings():
            # a caveat about the result is in its notes; the thumbnail does not repeat it
            warnings.simplefilter("ignore")
            result.plot(ax=axes)
            buffer = io.BytesIO()
            figure.savefig(buffer, format="png", dpi=MAP_DPI, bbox_inches="tight", pad_inches=0.05)
    finally:
        figure.clear()
        # geopandas 0.14 calls ``plt.draw()`` after drawing, which opens an empty pyplot
        # figure when none is open: close any the drawing opened
        pyplot = sys.modules.get("matplotlib.pyplot")
        for number in _pyplot_figures() - opened:
            pyplot.close(number)  # type: ignore[union-attr]
    return buffer.getvalue()


def _pyplot_figures() -> set[int]:
    """Numbers of the open pyplot figures (none when pyplot was never imported)."""
    pyplot = sys.modules.get("matplotlib.pyplot")
    return set(pyplot.get_fignums()) if pyplot is not None else set()


def _note(text: str) -> str:
    return f'<p style="font-size:smaller;color:#666">{html.escape(text)}</p>'


def map_html(result: Any) -> str:
    """Return an ``<img>`` of ``result``'s map, or one small line saying why there is none."""
    try:
        shapes = n_shapes(result)
    except Exception:  # not a dataclass, or a field that cannot be read: try the drawing
        shapes = 0
    if shapes > MAP_SHAPES_LIMIT:
        return _note(
            f"map unavailable: {shapes:,} shapes is more than the {MAP_SHAPES_LIMIT:,} "
            "drawn inline; call .plot() for the map."
        )
    try:
        import matplotlib.backends.backend_agg  # noqa: F401
    except ImportError:
        return _note(f"map unavailable: matplotlib is not installed ({PLOT_INSTALL}).")
    try:
        png = _png(result)
    except Exception as error:  # showing a result never fails: the table is shown alone
        reason = f"{type(error).__name__}: {error}".splitlines()[0][:_REASON_CHARACTERS]
        return _note(f"map unavailable: {reason}")
    data = base64.b64encode(png).decode("ascii")
    alt = html.escape(f"map of the {type(result).__name__}")
    return f'<img src="data:image/png;base64,{data}" alt="{alt}" style="max-width:100%">'


def with_map(result: Any, table_html: str) -> str:
    """Return ``table_html`` with ``result``'s small map beside it (when it has geometry)."""
    if not has_map(result):
        return table_html
    return (
        '<div style="display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start">'
        f"<div>{table_html}</div><div>{map_html(result)}</div></div>"
    )
