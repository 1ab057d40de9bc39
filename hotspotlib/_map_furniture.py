"""Map furniture: scale bar, CRS caption, north arrow, basemap tiles, and the finish.

Imported only when a map is drawn (matplotlib and contextily load lazily).
"""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import require_module
from hotspotlib._warnings import HotspotlibWarning

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib._maps import MapStyle

__all__ = ["finish_map", "nice_length", "outline_places"]

BASEMAP_INSTALL = "pip install 'hotspotlib[basemap]'"


def nice_length(metres: float) -> float:
    """Return the largest 1, 2 or 5 times a power of ten not above ``metres``."""
    power = 10.0 ** math.floor(math.log10(metres))
    return max(m * power for m in (1, 2, 5) if m * power <= metres)


def _scale_bar(axes: Axes, metres_per_unit: float) -> None:
    from matplotlib.font_manager import FontProperties
    from mpl_toolkits.axes_grid1.anchored_artists import AnchoredSizeBar

    x0, x1 = axes.get_xlim()
    y0, y1 = axes.get_ylim()
    width_m = abs(x1 - x0) * metres_per_unit
    if not width_m > 0:
        return
    length_m = nice_length(width_m / 5)
    text = f"{length_m / 1000:g} km" if length_m >= 1000 else f"{length_m:g} m"
    bar = AnchoredSizeBar(
        axes.transData,
        length_m / metres_per_unit,
        text,
        loc="lower right",
        pad=0.3,
        borderpad=0.6,
        sep=3,
        frameon=True,
        size_vertical=abs(y1 - y0) / 150,
        color="0.15",
        fontproperties=FontProperties(size=7),
    )
    bar.patch.set(facecolor="white", alpha=0.75, edgecolor="none")
    axes.add_artist(bar)


def _crs_caption(crs: Any) -> tuple[str, float | None]:
    """Name the CRS (``EPSG:27700 OSGB36 / British National Grid``); give metres per unit."""
    if crs is None:
        return "coordinate reference system not set", None
    from pyproj import CRS

    crs = CRS.from_user_input(crs)
    code = crs.to_epsg()
    name = f"EPSG:{code} {crs.name}" if code else crs.name
    axis = crs.axis_info[0] if crs.axis_info else None
    metres = axis.unit_conversion_factor if crs.is_projected and axis is not None else None
    return name, metres


def _add_basemap(axes: Axes, crs: Any) -> None:
    """Draw map tiles under the data; offline, a note on the map and a ``HotspotlibWarning``."""
    contextily = require_module("contextily", feature="`basemap=True`", install=BASEMAP_INSTALL)
    try:
        contextily.add_basemap(axes, crs=crs, attribution_size=5, zorder=0)
    except Exception as error:  # tiles are a nicety: any failure to fetch them is not fatal
        reason = type(error).__name__
        warnings.warn(
            f"basemap tiles could not be fetched ({reason}); the map is drawn without them. "
            "Pass basemap=False to skip them.",
            HotspotlibWarning,
            stacklevel=5,
        )
        axes.text(
            0.01,
            0.99,
            "No basemap: map tiles could not be fetched",
            transform=axes.transAxes,
            ha="left",
            va="top",
            fontsize=7,
            color="0.3",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "none", "pad": 1.5},
        )


def _north_arrow(axes: Axes) -> None:
    axes.annotate(
        "N",
        xy=(0.96, 0.97),
        xytext=(0.96, 0.86),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=9,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "0.2", "linewidth": 1.2},
    )


def _fit_figure(axes: Axes) -> None:
    """Size a figure made for this map to the map's shape (tall areas, narrow figures)."""
    figure: Any = axes.figure
    if not getattr(figure, "_hotspotlib_fit", False):
        return
    x0, x1 = axes.get_xlim()
    y0, y1 = axes.get_ylim()
    if not (x1 - x0) > 0 or not (y1 - y0) > 0:
        return
    height = float(figure.get_size_inches()[1])
    side = 2.6 if axes.get_legend() is not None or len(figure.axes) > 1 else 0.4
    width = 0.86 * height * (x1 - x0) / (y1 - y0) + side
    figure.set_size_inches(min(max(width, 4.5), 12.0), height)


def finish_map(axes: Axes, crs: Any, *, title: str, style: MapStyle) -> Axes:
    """Finish a map: equal aspect, no ticks, basemap, scale bar, CRS caption, title."""
    axes.set_aspect("equal")
    _fit_figure(axes)
    caption, metres_per_unit = _crs_caption(crs)
    if style.basemap and crs is not None:
        _add_basemap(axes, crs)
    # hidden, not emptied: layers drawn on top later (geopandas labels axes with the CRS's
    # "Easting [metre]") bring back no ticks or labels
    axes.xaxis.set_visible(False)
    axes.yaxis.set_visible(False)
    for spine in axes.spines.values():
        spine.set_edgecolor("0.7")
        spine.set_linewidth(0.6)
    if metres_per_unit is not None:
        _scale_bar(axes, metres_per_unit)
    axes.text(
        0.0,
        -0.01,
        caption,
        transform=axes.transAxes,
        ha="left",
        va="top",
        fontsize=7,
        color="0.35",
    )
    if style.north_arrow:
        _north_arrow(axes)
    axes.set_title(title, fontsize=11)
    return axes


# where a place's number goes, tried in turn: beside its top-right, top-left,
# bottom-right and bottom-left corners (points offset, horizontal and vertical alignment)
_CORNERS = (
    ("maxx", "maxy", (2, 2), "left", "bottom"),
    ("minx", "maxy", (-2, 2), "right", "bottom"),
    ("maxx", "miny", (2, -2), "left", "top"),
    ("minx", "miny", (-2, -2), "right", "top"),
)
_LABEL_GAP_PT = 9.0
# The outline of a listed place: its distance from the place's edge, its dark line and
# the white line under it, in points. Half the white line (1 pt) is less than the gap,
# so neither line reaches into the place.
_OUTLINE_GAP_PT = 1.6
_OUTLINE_PT = 0.8
_OUTLINE_HALO_PT = 2.0


def outline_places(axes: Axes, places: Any, labels: Any, *, colour: str = "black") -> None:
    """Outline ``places`` (a GeoDataFrame) on a finished map and number them with ``labels``.

    The outline is drawn just outside each place, ``_OUTLINE_GAP_PT`` points from its
    edge however large the place is on the figure: a thin dark line on a thin white one,
    seen on dark and light neighbours alike, which never covers the place's own colour
    (a 150 m cell on a force-wide map is only a few points across).

    Each number sits beside a corner of its place, on a white halo, at the first corner
    whose number does not crowd one already placed (neighbouring places otherwise share
    a spot); when every corner is crowded the top-right one is used.
    """
    from matplotlib import patheffects

    limits = axes.get_xlim(), axes.get_ylim()
    points_per_pixel = 72.0 / axes.figure.dpi
    origin, one_unit = axes.transData.transform([(0.0, 0.0), (1.0, 0.0)])
    points_per_unit = float(np.hypot(*(one_unit - origin))) * points_per_pixel
    ring = places.geometry.buffer(_OUTLINE_GAP_PT / points_per_unit, join_style="mitre")
    ring.boundary.plot(ax=axes, color="white", linewidth=_OUTLINE_HALO_PT, zorder=4)
    ring.boundary.plot(ax=axes, color=colour, linewidth=_OUTLINE_PT, zorder=4)
    axes.set_xlim(*limits[0])
    axes.set_ylim(*limits[1])
    corners = ring.bounds
    placed: list[NDArray[np.float64]] = []
    halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
    for row, label in enumerate(list(labels)):
        spots = []
        for x_name, y_name, offset, _, _ in _CORNERS:
            anchor = (float(corners[x_name].iloc[row]), float(corners[y_name].iloc[row]))
            shown = axes.transData.transform(anchor) * points_per_pixel + 3 * np.array(offset)
            spots.append((anchor, shown))  # roughly where the number's centre lands, in points
        free = [
            not placed or bool(np.hypot(*(np.array(placed) - shown).T).min() >= _LABEL_GAP_PT)
            for _, shown in spots
        ]
        choice = free.index(True) if any(free) else 0
        anchor, shown = spots[choice]
        _, _, offset, ha, va = _CORNERS[choice]
        placed.append(shown)
        axes.annotate(
            str(label),
            anchor,
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=7,
            fontweight="bold",
            path_effects=halo,
            zorder=5,
        )
