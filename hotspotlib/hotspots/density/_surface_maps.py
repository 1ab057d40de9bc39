"""Maps of density surfaces and their comparisons (static and interactive)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hotspotlib._maps import MapStyle, quantity
from hotspotlib.hotspots.density._surface_tools import UNIT_LABELS, surface_extent

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib.hotspots.density.compare import SurfaceComparison
    from hotspotlib.hotspots.density.surface import DensitySurface

__all__ = ["explore_surface", "plot_comparison", "plot_surface", "surface_label"]


def surface_label(surface: DensitySurface) -> str:
    """Return the colour-bar label, e.g. ``"density, harm (CCHI days) per km²"``."""
    what = quantity(surface.weights_name)
    if surface.units == "per_cell":
        return f"density, expected {what} per {surface.cell_size_m:g} m cell"
    return f"density, {what} {UNIT_LABELS[surface.units]}"


def plot_surface(surface: DensitySurface, ax: Axes | None, style: MapStyle, **kwargs: Any) -> Axes:
    """Draw :meth:`DensitySurface.plot`."""
    from hotspotlib._maps import draw_choropleth, draw_raster, finish_map, map_axes

    axes = map_axes(ax)
    label = surface_label(surface)
    if surface.cell_shape == "hex":
        frame = surface.to_frame()
        kwargs.setdefault("linewidth", 0.0)
        draw_choropleth(axes, frame, frame["density"], label=label, style=style, **kwargs)
    else:
        extent = surface_extent(surface)
        kwargs.setdefault("blank_zero", "zero density")
        draw_raster(axes, surface.values, extent, label=label, style=style, **kwargs)
    title = f"Kernel density ({surface.kernel}, bandwidth {surface.bandwidth_m:.0f} m)"
    return finish_map(axes, surface.crs, title=title, style=style)


def explore_surface(
    surface: DensitySurface, *, scheme: Any, k: int, tiles: Any, **kwargs: Any
) -> Any:
    """Draw :meth:`DensitySurface.explore`: the cells with a density above zero."""
    from hotspotlib._explore import explore_values

    frame = surface.to_frame()
    frame = frame[np.asarray(frame["density"] > 0)]
    return explore_values(
        frame, "density", label=surface_label(surface), tiles=tiles, scheme=scheme, k=k, **kwargs
    )


def plot_comparison(
    comparison: SurfaceComparison, ax: Axes | None, style: MapStyle, **kwargs: Any
) -> Axes:
    """Draw :meth:`SurfaceComparison.plot`: a diverging ramp centred on no change."""
    from matplotlib.colors import TwoSlopeNorm

    from hotspotlib._maps import draw_choropleth, draw_raster, finish_map, map_axes

    axes = map_axes(ax)
    values = np.asarray(comparison.values, dtype=float)
    centre = 1.0 if comparison.method == "ratio" else 0.0
    finite = values[np.isfinite(values)]
    low = float(finite.min()) if finite.size else centre - 1
    high = float(finite.max()) if finite.size else centre + 1
    low, high = min(low, centre - 1e-9), max(high, centre + 1e-9)
    kwargs.setdefault("cmap", "RdBu_r")
    if style.scheme is None:
        kwargs.setdefault("norm", TwoSlopeNorm(vcenter=centre, vmin=low, vmax=high))
    label = {
        "ratio": "density ratio, a / b (1 = no change)",
        "log_ratio": "log density ratio, ln(a / b) (0 = no change)",
        "difference": f"density difference, a - b, {UNIT_LABELS[comparison.first.units]}",
    }[comparison.method]
    if comparison.first.cell_shape == "hex":
        frame = comparison.to_frame()
        draw_choropleth(axes, frame, frame[comparison.method], label=label, style=style, **kwargs)
    else:
        extent = surface_extent(comparison.first)
        draw_raster(axes, values, extent, label=label, style=style, **kwargs)
    title = f"Density {comparison.method.replace('_', ' ')}: a vs b"
    return finish_map(axes, comparison.first.crs, title=title, style=style)
