"""Kernel density: kde, bandwidth choice, the density surface and surface comparison."""

from hotspotlib.hotspots.density.bandwidth import BandwidthChoice, select_bandwidth
from hotspotlib.hotspots.density.compare import SurfaceComparison, compare_surfaces
from hotspotlib.hotspots.density.kde import kde
from hotspotlib.hotspots.density.surface import DensitySurface

__all__ = [
    "BandwidthChoice",
    "DensitySurface",
    "SurfaceComparison",
    "compare_surfaces",
    "kde",
    "select_bandwidth",
]
