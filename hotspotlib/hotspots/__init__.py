"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*."""

from hotspotlib.hotspots.bandwidth import BandwidthChoice, select_bandwidth
from hotspotlib.hotspots.compare import SurfaceComparison, compare_surfaces
from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.grid import Grid, make_grid
from hotspotlib.hotspots.kde import kde
from hotspotlib.hotspots.surface import DensitySurface

__all__ = [
    "BandwidthChoice",
    "DensitySurface",
    "EventCounts",
    "Grid",
    "SurfaceComparison",
    "compare_surfaces",
    "count_events",
    "kde",
    "locate_events",
    "make_grid",
    "select_bandwidth",
]
