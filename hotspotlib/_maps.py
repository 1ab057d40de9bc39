"""Maps a briefing can use: the shared drawing behind every spatial result's ``.plot()``.

Imported only inside ``.plot()`` methods (matplotlib, mapclassify and contextily load
lazily). A map has no coordinate ticks; it has a scale bar, the CRS named in a caption,
a legend or colour bar off the data, a title and labels carrying quantity and unit, and
optionally a north arrow and basemap tiles (drawn without them, with a note and a
``HotspotlibWarning``, when the tiles cannot be fetched).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import check_option, require_module, require_whole

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "HOTSPOT_BIN_COLOURS",
    "MapStyle",
    "classify",
    "draw_categories",
    "draw_choropleth",
    "draw_raster",
    "finish_map",
    "map_axes",
    "map_style",
    "plain",
    "quantity",
    "side_legend",
]

PLOT_INSTALL = "pip install 'hotspotlib[plot]'"
SAMPLE_LIMIT = 5_000
"""Natural breaks on more values than this are computed on a random sample of this size."""

# ArcGIS Pro's hot-spot palette, cold 99% to hot 99%; not significant is light grey.
HOTSPOT_BIN_COLOURS = {
    3: "#d62f27",
    2: "#ed7551",
    1: "#fab984",
    0: "#e3e3e3",
    -1: "#c0ccbe",
    -2: "#849eba",
    -3: "#4575b5",
}
_SCHEME_NAMES = {
    "quantiles": "quantiles",
    "natural_breaks": "natural breaks (Fisher-Jenks)",
    "std_mean": "standard deviations from the mean",
    "equal_interval": "equal intervals",
}


@dataclass(frozen=True, slots=True)
class MapStyle:
    """The map options every spatial ``.plot()`` takes, checked once."""

    scheme: str | None = None
    k: int = 5
    stretch: str = "sqrt"
    basemap: bool = False
    north_arrow: bool = False


def map_style(
    *,
    scheme: MapScheme | None = None,
    k: int = 5,
    stretch: MapStretch = "sqrt",
    basemap: bool = False,
    north_arrow: bool = False,
) -> MapStyle:
    """Check the map options and return them as a :class:`MapStyle`.

    Examples
    --------
    >>> map_style(scheme="quantiles", k=4).k
    4
    """
    if scheme is not None:
        check_option(scheme, MapScheme, name="scheme")
    check_option(stretch, MapStretch, name="stretch")
    k = require_whole(k, name="k", minimum=2, maximum=12, fix="Pass 2 to 12 classes.")
    for name, flag in (("basemap", basemap), ("north_arrow", north_arrow)):
        if not isinstance(flag, bool | np.bool_):
            raise TypeError(f"`{name}` must be True or False, got {flag!r}. Pass {name}=True.")
    return MapStyle(scheme, k, stretch, bool(basemap), bool(north_arrow))


def quantity(weights_name: str | None) -> str:
    """Name what a count or weighted sum measures: ``"crimes"``, ``"harm (CCHI days)"``.

    Examples
    --------
    >>> quantity(None), quantity("harm"), quantity("loss_gbp")
    ('crimes', 'harm (CCHI days)', 'loss gbp')
    """
    if weights_name is None:
        return "crimes"
    if weights_name == "harm":
        return "harm (CCHI days)"
    return weights_name.replace("_", " ")


def plain(value: float) -> str:
    """Format a number for a legend: plain digits, thousands separated, no offset.

    Examples
    --------
    >>> plain(1234567.8), plain(12.345), plain(0.012345), plain(0)
    ('1,234,568', '12.3', '0.0123', '0')
    """
    value = float(value)
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 1e-3:
        digits = max(0, 2 - math.floor(math.log10(abs(value))))
        text = f"{value:.{digits}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.2g}"


def map_axes(ax: Axes | None, *, figsize: tuple[float, float] = (7.5, 6.0)) -> Axes:
    """Return ``ax``, or the Axes of a new figure whose layout keeps legends on the page."""
    if ax is not None:
        return ax
    plt = require_module("matplotlib.pyplot", feature="Plotting", install=PLOT_INSTALL)
    figure, new_ax = plt.subplots(figsize=figsize, layout="constrained")
    figure._hotspotlib_fit = True  # finish_map sizes it to the map's shape
    return new_ax


def classify(
    values: NDArray[np.float64], scheme: str, k: int
) -> tuple[NDArray[np.int64], list[str], str]:
    """Class each value with mapclassify: class index (-1 for NaN), labels, description.

    Natural breaks on more than ``SAMPLE_LIMIT`` values are computed on a random sample
    (mapclassify's ``FisherJenksSampled``), and the description says so.

    Examples
    --------
    >>> classes, labels, text = classify(np.array([0.0, 1, 2, 3, 10, 11]), "equal_interval", 2)
    >>> classes.tolist(), labels, text
    ([0, 0, 0, 0, 1, 1], ['0 – 5.5', '5.5 – 11'], 'equal intervals, 2 classes')
    """
    mapclassify = require_module("mapclassify", feature="Classed maps", install=PLOT_INSTALL)
    values = np.asarray(values, dtype=float)
    finite = np.isfinite(values)
    data = values[finite]
    sampled = ""
    with warnings.catch_warnings():
        # ties leave fewer classes than asked: the legend shows the classes there are
        warnings.simplefilter("ignore", UserWarning)
        if scheme == "quantiles":
            classifier = mapclassify.Quantiles(data, k=k)
        elif scheme == "equal_interval":
            classifier = mapclassify.EqualInterval(data, k=k)
        elif scheme == "std_mean":
            classifier = mapclassify.StdMean(data)
        elif data.size > SAMPLE_LIMIT:
            pct = SAMPLE_LIMIT / data.size
            classifier = mapclassify.FisherJenksSampled(data, k=k, pct=pct, truncate=True)
            sampled = f", breaks from a random sample, {SAMPLE_LIMIT:,} of {data.size:,} values"
        else:
            classifier = mapclassify.FisherJenks(data, k=k)
    upper = np.asarray(classifier.bins, dtype=float)
    classes = np.full(values.shape, -1, dtype=np.int64)
    classes[finite] = np.minimum(np.searchsorted(upper, data, side="left"), len(upper) - 1)
    lower = np.concatenate([[data.min()], upper[:-1]])
    labels = [
        f"{plain(lo)} – {plain(hi)}" if lo <= hi else f"up to {plain(hi)} (none)"
        for lo, hi in zip(lower, upper, strict=True)
    ]
    if len(labels) and 0 < lower[0] < 0.01 * abs(upper[0]):  # a sliver above zero
        labels[0] = f"up to {plain(upper[0])}"
    return classes, labels, f"{_SCHEME_NAMES[scheme]}, {len(upper)} classes{sampled}"


def _ramp(cmap: Any, n: int) -> NDArray[np.float64]:
    """``n`` colours along ``cmap``, skipping its palest fifth (lost on white paper)."""
    from matplotlib import colormaps

    ramp = colormaps[cmap] if isinstance(cmap, str) else cmap
    return np.asarray(ramp(np.linspace(0.2, 1.0, n)))


def _norm(values: NDArray[np.float64], stretch: str, norm: Any) -> Any:
    from matplotlib.colors import Normalize, PowerNorm

    if norm is not None:
        return norm
    finite = values[np.isfinite(values)]
    low = float(finite.min()) if finite.size else 0.0
    high = float(finite.max()) if finite.size else 1.0
    if stretch == "sqrt" and low >= 0:
        return PowerNorm(gamma=0.5, vmin=0.0, vmax=high if high > 0 else 1.0)
    return Normalize(vmin=low, vmax=high if high > low else low + 1.0)


def _colourbar(axes: Axes, mappable: Any, label: str) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    bar = axes.figure.colorbar(mappable, ax=axes, shrink=0.7, pad=0.02, aspect=30)
    bar.set_label(label, fontsize=9)
    bar.ax.yaxis.set_major_locator(MaxNLocator(nbins=5))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: plain(value)))
    bar.ax.tick_params(labelsize=8)
    bar.outline.set_edgecolor("0.6")  # type: ignore[operator]


def side_legend(axes: Axes, handles: list[Any], title: str) -> None:
    """Place a legend to the right of the map, off the data."""
    axes.set_anchor("W")
    legend = axes.legend(
        handles=handles,
        title=title,
        loc="upper left",
        bbox_to_anchor=(1.02, 1.0),
        borderaxespad=0.0,
        fontsize=8,
        title_fontsize=8,
        frameon=False,
    )
    legend._legend_box.align = "left"  # type: ignore[attr-defined]


def _class_legend(axes: Axes, colours: Any, labels: list[str], label: str, text: str) -> None:
    from matplotlib.patches import Patch

    handles = [
        Patch(facecolor=colour, edgecolor="0.6", linewidth=0.4, label=name)
        for colour, name in zip(colours, labels, strict=True)
    ]
    side_legend(axes, handles, "\n".join([label, *text.split(", ")]))


def draw_choropleth(
    axes: Axes,
    frame: Any,
    values: Any,
    *,
    label: str,
    style: MapStyle,
    cmap: Any = "YlOrRd",
    norm: Any = None,
    **kwargs: Any,
) -> None:
    """Draw polygons, lines or points coloured by ``values``: classed or a stretched ramp."""
    values = np.asarray(values, dtype=float)
    if style.basemap:
        kwargs.setdefault("alpha", 0.75)
    geometry = frame.geom_type.iloc[0] if len(frame) else "Polygon"
    if geometry.endswith("Polygon"):
        kwargs.setdefault("edgecolor", "0.75")
        kwargs.setdefault("linewidth", 0.2)
    layer = frame.geometry.to_frame()
    if style.scheme is not None:
        classes, labels, text = classify(values, style.scheme, style.k)
        colours = _ramp(cmap, len(labels))
        rgba = np.where(classes[:, None] >= 0, colours[np.maximum(classes, 0)], [0.9, 0.9, 0.9, 1])
        layer.plot(ax=axes, color=rgba, **kwargs)
        _class_legend(axes, colours, labels, label, text)
        return
    from matplotlib.cm import ScalarMappable

    scale = _norm(values, style.stretch, norm)
    layer["value"] = values
    layer.plot(ax=axes, column="value", cmap=cmap, norm=scale, **kwargs)
    _colourbar(axes, ScalarMappable(norm=scale, cmap=cmap), label)


def draw_raster(
    axes: Axes,
    values: NDArray[np.float64],
    extent: tuple[float, float, float, float],
    *,
    label: str,
    style: MapStyle,
    cmap: Any = "YlOrRd",
    norm: Any = None,
    blank_zero: str | None = None,
    **kwargs: Any,
) -> None:
    """Draw a raster (rows south to north) coloured like :func:`draw_choropleth`.

    With ``blank_zero`` (what a zero means, e.g. ``"no crimes within the bandwidth"``),
    zero cells are left blank and out of the classes, and the legend says so.
    """
    values = np.asarray(values, dtype=float)
    if blank_zero is not None:
        values = np.where(values == 0, np.nan, values)
        label = f"{label}\n(blank: {blank_zero})"
    if style.basemap:
        kwargs.setdefault("alpha", 0.75)
    kwargs.setdefault("interpolation", "nearest")
    if style.scheme is not None:
        classes, labels, text = classify(values.ravel(), style.scheme, style.k)
        colours = _ramp(cmap, len(labels))
        rgba = np.where(classes[:, None] >= 0, colours[np.maximum(classes, 0)], 0.0)
        axes.imshow(rgba.reshape(*values.shape, 4), origin="lower", extent=extent, **kwargs)
        _class_legend(axes, colours, labels, label, text)
        return
    scale = _norm(values, style.stretch, norm)
    image = axes.imshow(values, origin="lower", extent=extent, cmap=cmap, norm=scale, **kwargs)
    _colourbar(axes, image, label)


def draw_categories(
    axes: Axes,
    frame: Any,
    keys: Any,
    colours: dict[Any, str],
    labels: dict[Any, str],
    *,
    legend_title: str,
    style: MapStyle,
    **kwargs: Any,
) -> None:
    """Draw ``frame`` coloured by category ``keys``; the legend lists those present."""
    from matplotlib.patches import Patch

    keys = np.asarray(keys)
    if style.basemap:
        kwargs.setdefault("alpha", 0.8)
    geometry = frame.geom_type.iloc[0] if len(frame) else "Polygon"
    if geometry.endswith("Polygon"):
        kwargs.setdefault("edgecolor", "0.75")
        kwargs.setdefault("linewidth", 0.2)
    elif geometry == "Point":
        kwargs.setdefault("markersize", 8)
    frame.geometry.plot(ax=axes, color=[colours[key] for key in keys.tolist()], **kwargs)
    present = [key for key in colours if (keys == key).any()]
    handles = [
        Patch(facecolor=colours[key], edgecolor="0.6", linewidth=0.4, label=labels[key])
        for key in present
    ]
    side_legend(axes, handles, legend_title)


def finish_map(axes: Axes, crs: Any, *, title: str, style: MapStyle) -> Axes:
    """Finish a map: no ticks, basemap, scale bar, CRS caption, title (see _map_furniture)."""
    from hotspotlib._map_furniture import finish_map as finish

    return finish(axes, crs, title=title, style=style)
