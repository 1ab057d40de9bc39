"""The whole map behind a spatial result's ``.plot()``: draw the layer, then finish it.

Each spatial result's ``.plot()`` is one call to :func:`choropleth_map` (values per
polygon, line or point), :func:`raster_map` (a surface on a square grid),
:func:`category_map` (one colour per class, such as Gi* bins) or :func:`route_map`
(officers' routes between places), with its own column, labels and title. The drawing
itself is in :mod:`hotspotlib._maps` and the scale bar, CRS caption and title in
:mod:`hotspotlib._map_furniture`; matplotlib loads only when a map is drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hotspotlib._maps import (
    draw_categories,
    draw_choropleth,
    draw_raster,
    finish_map,
    map_axes,
    side_legend,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib._maps import MapStyle

__all__ = ["category_map", "choropleth_map", "raster_map", "route_colours", "route_map"]

BLANK_COLOUR = "0.8"
"""The grey of the rows a choropleth leaves out of its colours (``blank``)."""


def _title(label: str) -> str:
    """Return ``label`` as a title: ``"crimes per segment"`` -> ``"Crimes per segment"``."""
    return f"{label[:1].upper()}{label[1:]}"


def choropleth_map(
    frame: Any,
    column: str,
    *,
    label: str,
    title: str | None = None,
    style: MapStyle,
    ax: Axes | None = None,
    blank: Any = None,
    **kwargs: Any,
) -> Axes:
    """Map ``frame[column]`` (polygons, lines or points) with the map furniture.

    ``style`` holds the map options (from :func:`hotspotlib._maps.map_style`, called
    before anything is drawn so that a bad option leaves no empty figure); ``ax`` is
    drawn on (a new figure when None); ``label`` names the quantity and its unit in the
    legend or colour bar; ``title`` defaults to ``label`` with a capital. Rows flagged
    by the boolean mask ``blank`` (segments without events) are drawn thin and grey
    under the others and kept out of the colours. Other keyword arguments go to
    :meth:`geopandas.GeoDataFrame.plot`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspotlib._maps import map_style
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame({"count": [1, 4]}, crs=27700,
    ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)])
    >>> choropleth_map(frame, "count", label="crimes per cell", style=map_style()).get_title()
    'Crimes per cell'
    """
    axes = map_axes(ax)
    shown = frame
    if blank is not None:
        blank = np.asarray(blank, dtype=bool)
        if blank.any():
            frame[blank].plot(ax=axes, color=BLANK_COLOUR, linewidth=0.6)
        shown = frame[~blank]
    if blank is None or len(shown):  # with every row blank there is nothing to colour
        draw_choropleth(axes, shown, shown[column], label=label, style=style, **kwargs)
    return finish_map(axes, frame.crs, title=title or _title(label), style=style)


def raster_map(
    values: Any,
    extent: tuple[float, float, float, float],
    crs: Any,
    *,
    label: str,
    title: str,
    style: MapStyle,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Map a raster (rows south to north, ``extent`` in ``crs``) with the map furniture.

    As :func:`choropleth_map`; other keyword arguments (``cmap``, ``norm``,
    ``blank_zero``) go to :func:`hotspotlib._maps.draw_raster` and
    :meth:`matplotlib.axes.Axes.imshow`.

    Examples
    --------
    >>> import numpy as np
    >>> from hotspotlib._maps import map_style
    >>> raster_map(np.arange(6.0).reshape(2, 3), (0, 300, 0, 200), 27700,
    ...     label="density, crimes per km²", title="Density", style=map_style()).get_title()
    'Density'
    """
    axes = map_axes(ax)
    draw_raster(axes, values, extent, label=label, style=style, **kwargs)
    return finish_map(axes, crs, title=title, style=style)


def category_map(
    frame: Any,
    keys: Any,
    colours: dict[Any, str],
    labels: dict[Any, str],
    *,
    legend_title: str,
    title: str,
    style: MapStyle,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Map ``frame`` coloured by the category ``keys`` with the map furniture.

    ``colours`` and ``labels`` map each category to its colour and legend entry; the
    legend, titled ``legend_title``, lists the categories present, in the order of
    ``colours``. Other keyword arguments go to :meth:`geopandas.GeoDataFrame.plot`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspotlib._maps import map_style
    >>> from shapely.geometry import box
    >>> frame = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)], crs=27700)
    >>> ax = category_map(frame, ["hot", "cold"], {"hot": "red", "cold": "blue"},
    ...     {"hot": "hot spot", "cold": "cold spot"}, legend_title="spot", title="Spots",
    ...     style=map_style())
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['hot spot', 'cold spot']
    """
    axes = map_axes(ax)
    draw_categories(
        axes, frame, keys, colours, labels, legend_title=legend_title, style=style, **kwargs
    )
    return finish_map(axes, frame.crs, title=title, style=style)


_FIRST_STOP: dict[str, Any] = {
    "marker": "s",
    "markersize": 7,
    "markerfacecolor": "white",
    "linestyle": "",
}
"""How a route's first stop is marked (a hollow square)."""


def route_colours(n: int) -> list[str]:
    """Return the colours of ``n`` routes in hex: ``tab10`` in turn (``route_map``'s colours).

    Examples
    --------
    >>> route_colours(2)
    ['#1f77b4', '#ff7f0e']
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    palette = colormaps["tab10"]
    return [str(to_hex(palette(number % 10))) for number in range(n)]


def route_map(
    stops: Any,
    routes: Any,
    *,
    route_labels: dict[Any, str],
    stop_labels: Any,
    legend_title: str,
    title: str,
    style: MapStyle,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Map routes through points: one coloured line per route, each place named once.

    ``stops`` (a GeoSeries of points) are the stops in visiting order and ``routes``
    says whose route each stop is on (an officer); ``route_labels`` gives each route's
    legend entry, in the order the legend lists them, and ``stop_labels`` each stop's
    name (a place id), written once beside its place; each route's first stop is a
    hollow square. Colours are matplotlib's ``tab10``, in the order of ``route_labels``.
    Other keyword arguments go to :meth:`matplotlib.axes.Axes.plot`.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from hotspotlib._maps import map_style
    >>> from shapely.geometry import Point
    >>> stops = gpd.GeoSeries([Point(0, 0), Point(300, 0), Point(0, 400)], crs=27700)
    >>> ax = route_map(stops, ["A", "A", "B"], route_labels={"A": "PC A", "B": "PC B"},
    ...     stop_labels=["x", "y", "z"], legend_title="officer", title="Routes",
    ...     style=map_style())
    >>> [text.get_text() for text in ax.get_legend().get_texts()]
    ['PC A', 'PC B', 'first visit']
    """
    import shapely
    from matplotlib import patheffects
    from matplotlib.lines import Line2D

    axes = map_axes(ax)
    xy = shapely.get_coordinates(stops.to_numpy())
    routes = np.asarray(routes, dtype=object)
    colours = route_colours(len(route_labels))
    handles = []
    for number, (key, text) in enumerate(route_labels.items()):  # one line per route
        route = xy[routes == key]
        drawn: dict[str, Any] = {"color": colours[number], "marker": "o", "markersize": 4}
        drawn["linewidth"] = 1.5
        (line,) = axes.plot(route[:, 0], route[:, 1], label=text, **(drawn | kwargs))
        axes.plot(*route[:1].T, color=line.get_color(), **_FIRST_STOP)
        handles.append(line)
    handles.append(Line2D([], [], color="0.3", label="first visit", **_FIRST_STOP))
    names, first = np.unique(np.asarray(stop_labels, dtype=str), return_index=True)
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for name, (x, y) in zip(names.tolist(), xy[first].tolist(), strict=True):  # places
        axes.annotate(
            name,
            (x, y),
            xytext=(3, 3),
            textcoords="offset points",
            fontsize=7,
            path_effects=halo,
            zorder=5,
        )
    side_legend(axes, handles, legend_title)
    return finish_map(axes, stops.crs, title=title, style=style)
