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
    from hotspotlib._result_maps import choropleth_map, raster_map

    label = surface_label(surface)
    title = f"Kernel density ({surface.kernel}, bandwidth {surface.bandwidth_m:.0f} m)"
    if surface.cell_shape == "hex":
        kwargs.setdefault("linewidth", 0.0)
        frame = surface.to_frame()
        return choropleth_map(
            frame, "density", label=label, title=title, style=style, ax=ax, **kwargs
        )
    kwargs.setdefault("blank_zero", "zero density")
    extent = surface_extent(surface)
    return raster_map(
        surface.values, extent, surface.crs, label=label, title=title, style=style, ax=ax, **kwargs
    )


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

    from hotspotlib._result_maps import choropleth_map, raster_map

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
    title = f"Density {comparison.method.replace('_', ' ')}: a vs b"
    if comparison.first.cell_shape == "hex":
        frame = comparison.to_frame()
        method = comparison.method
        return choropleth_map(frame, method, label=label, title=title, style=style, ax=ax, **kwargs)
    extent = surface_extent(comparison.first)
    crs = comparison.first.crs
    return raster_map(values, extent, crs, label=label, title=title, style=style, ax=ax, **kwargs)
