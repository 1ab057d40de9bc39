"""The docstring entries every spatial result's ``.plot()`` and ``.explore()`` share.

A ``plot`` or ``explore`` docstring names a shared entry on a line of its own, in braces
(``{map_classes}`` in its Parameters section, say); :class:`hotspotlib._frozen.FrozenResult`
puts the entry's text there, at that line's indentation, when the result class is made.
So the map options are described once, and ``help(result.plot)`` shows them in full.
"""

from __future__ import annotations

import re
import textwrap

__all__ = ["ENTRIES", "TILES", "fill_map_docs"]

TILES = "OpenStreetMap"
"""Default background of ``.explore()``: tiles that need no key (CARTO's now do)."""

_PLOT_KWARGS = "    Passed to :meth:`geopandas.GeoDataFrame.plot`."
_GEOPANDAS_EXPLORE = "https://geopandas.org/en/stable/docs/user_guide/interactive_mapping.html"

ENTRIES = {
    "map_axes": """\
ax : matplotlib Axes, optional
    Where to draw (a new figure, sized to the map, when None).""",
    "map_classes": """\
scheme : {"quantiles", "natural_breaks", "std_mean", "equal_interval"}, optional
    A classed map (mapclassify) with ``k`` classes instead of a continuous ramp.
k : int
    Number of classes for ``scheme`` (2 to 12).
stretch : {"sqrt", "linear"}
    How the continuous ramp spreads the colours (``"sqrt"`` keeps a few busy places
    from washing the rest out).""",
    "map_furniture": """\
basemap : bool
    Draw web map tiles underneath (contextily); offline, a note on the map and a
    ``HotspotlibWarning`` instead.
north_arrow : bool
    Draw a north arrow.""",
    "map_returns": """\
Returns
-------
matplotlib.axes.Axes
    The map: no coordinate ticks, a scale bar, the CRS named under it, the legend or
    colour bar beside it.""",
    "explore_options": """\
scheme : {"quantiles", "natural_breaks", "std_mean", "equal_interval"}, optional
    Classes as in ``.plot()`` (the same breaks and palette); a continuous ramp when None.
k : int
    Number of classes for ``scheme`` (2 to 12).""",
    "explore_tiles": """\
tiles : str or None
    Background tiles: any name folium or xyzservices knows, or None for none. The
    default, OpenStreetMap, needs no key (CARTO's tiles, such as "CartoDB positron",
    now need one). Building the map fetches nothing: the browser loads the tiles when
    the map is shown.
**kwargs
    Passed to :meth:`geopandas.GeoDataFrame.explore`.

Returns
-------
folium.Map
    Hovering shows the key figures; clicking a feature shows all of them.""",
    "explore_references": f"""\
References
----------
.. [1] geopandas ``GeoDataFrame.explore`` (folium maps).
   {_GEOPANDAS_EXPLORE}""",
}
ENTRIES["map_options"] = "\n".join(
    ENTRIES[name] for name in ("map_axes", "map_classes", "map_furniture")
)
ENTRIES["category_options"] = "\n".join(
    [ENTRIES["map_axes"], ENTRIES["map_furniture"], "**kwargs", _PLOT_KWARGS]
)
ENTRIES["explore_parameters"] = ENTRIES["explore_options"] + "\n" + ENTRIES["explore_tiles"]
"""The shared entries, by the name a docstring gives them."""

_MARKER = re.compile(r"^( *)\{(" + "|".join(ENTRIES) + r")\}$", re.MULTILINE)


def fill_map_docs(doc: str) -> str:
    r"""Put each shared entry named on a line of its own in ``doc`` (see the module).

    Examples
    --------
    >>> doc = "Map it.\n\n    Parameters\n    ----------\n    {map_furniture}\n"
    >>> print(fill_map_docs(doc).splitlines()[4])
        basemap : bool
    """
    return _MARKER.sub(lambda match: textwrap.indent(ENTRIES[match[2]], match[1]), doc)
