"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*, local Moran's I."""

from hotspotlib.hotspots.autocorrelation import (
    IncrementalAutocorrelation,
    incremental_autocorrelation,
)
from hotspotlib.hotspots.bandwidth import BandwidthChoice, select_bandwidth
from hotspotlib.hotspots.compare import SurfaceComparison, compare_surfaces
from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.emerging import emerging_hotspots
from hotspotlib.hotspots.emerging_result import EmergingHotspots
from hotspotlib.hotspots.general_g import GeneralG, general_g
from hotspotlib.hotspots.getis_ord import gi_star
from hotspotlib.hotspots.gi_result import GiStar
from hotspotlib.hotspots.grid import Grid, make_grid
from hotspotlib.hotspots.kde import kde
from hotspotlib.hotspots.local_moran import local_moran
from hotspotlib.hotspots.local_moran_result import LocalMoran
from hotspotlib.hotspots.optimized import OptimizedHotspots, optimized_hotspots
from hotspotlib.hotspots.selection import select_places
from hotspotlib.hotspots.surface import DensitySurface

__all__ = [
    "BandwidthChoice",
    "DensitySurface",
    "EmergingHotspots",
    "EventCounts",
    "GeneralG",
    "GiStar",
    "Grid",
    "IncrementalAutocorrelation",
    "LocalMoran",
    "OptimizedHotspots",
    "SurfaceComparison",
    "compare_surfaces",
    "count_events",
    "emerging_hotspots",
    "general_g",
    "gi_star",
    "incremental_autocorrelation",
    "kde",
    "local_moran",
    "locate_events",
    "make_grid",
    "optimized_hotspots",
    "select_bandwidth",
    "select_places",
]
