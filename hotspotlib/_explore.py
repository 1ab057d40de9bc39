"""Interactive maps behind every spatial result's ``.explore()`` (geopandas and folium).

The classes and palettes are those of the static maps in :mod:`hotspotlib._maps`.
Tiles are drawn by the browser, so building a map never touches the network.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from hotspotlib._map_docs import TILES
from hotspotlib._maps import MapStyle, classify, map_style

__all__ = ["TILES", "explore_categories", "explore_values"]

EXPLORE_INSTALL = "pip install 'hotspotlib[explore]'"


def _require_folium() -> None:
    from hotspotlib._validation import require_module

    require_module("folium", feature="`.explore()`", install=EXPLORE_INSTALL)


def _hex(colour: Any) -> str:
    from matplotlib.colors import to_hex

    return str(to_hex(colour))


def _layer_kwargs(frame: Any, kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("popup", True)
    geometry = frame.geom_type.iloc[0] if len(frame) else "Polygon"
    if geometry == "Point":
        kwargs.setdefault("marker_kwds", {"radius": 3})
    elif geometry.endswith("Polygon"):
        kwargs.setdefault("style_kwds", {"weight": 0.5, "color": "#999999", "fillOpacity": 0.7})
    else:
        kwargs.setdefault("style_kwds", {"weight": 3})


def explore_values(
    frame: Any,
    column: str,
    *,
    label: str,
    tiles: Any = TILES,
    scheme: Any = None,
    k: int = 5,
    cmap: str = "YlOrRd",
    tooltip: list[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Return a folium Map of ``frame`` coloured by ``column`` (classed when ``scheme``)."""
    _require_folium()
    style: MapStyle = map_style(scheme=scheme, k=k)
    frame = frame.copy()
    _layer_kwargs(frame, kwargs)
    kwargs.setdefault("tooltip", tooltip if tooltip is not None else [column])
    if style.scheme is None:
        values = frame[column].to_numpy(dtype=float)
        finite = values[np.isfinite(values)]
        return frame.explore(
            column=column,
            cmap=cmap,
            tiles=tiles,
            vmin=float(finite.min()) if finite.size else None,
            vmax=float(finite.max()) if finite.size else None,
            legend_kwds={"caption": label},
            **kwargs,
        )
    from matplotlib import colormaps

    classes, labels, text = classify(frame[column].to_numpy(dtype=float), style.scheme, style.k)
    colours = colormaps[cmap](np.linspace(0.2, 1.0, len(labels)))
    frame["map_class"] = np.where(classes >= 0, np.array(labels, dtype=object)[classes], "none")
    present = labels + (["none"] if (classes < 0).any() else [])
    palette = [_hex(c) for c in colours] + (["#e3e3e3"] if (classes < 0).any() else [])
    return frame.explore(
        column="map_class",
        categorical=True,
        categories=present,
        cmap=palette,
        tiles=tiles,
        legend_kwds={"caption": f"{label} ({text})"},
        **kwargs,
    )


def explore_categories(
    frame: Any,
    keys: Any,
    colours: dict[Any, str],
    labels: dict[Any, str],
    *,
    legend_title: str,
    tiles: Any = TILES,
    tooltip: list[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Return a folium Map of ``frame`` coloured by category ``keys`` (a static map's palette)."""
    _require_folium()
    frame = frame.copy()
    keys = np.asarray(keys)
    frame["map_class"] = [labels[key] for key in keys.tolist()]
    present = [key for key in colours if (keys == key).any()]
    _layer_kwargs(frame, kwargs)
    kwargs.setdefault("tooltip", tooltip if tooltip is not None else ["map_class"])
    return frame.explore(
        column="map_class",
        categorical=True,
        categories=[labels[key] for key in present],
        cmap=[_hex(colours[key]) for key in present],
        tiles=tiles,
        legend_kwds={"caption": legend_title},
        **kwargs,
    )
