"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*."""

from hotspotlib.hotspots.autocorrelation import (
    IncrementalAutocorrelationResult,
    incremental_autocorrelation,
)
from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.emerging import emerging_hotspots
from hotspotlib.hotspots.emerging_result import EmergingHotspotsResult
from hotspotlib.hotspots.general_g import GeneralGResult, general_g
from hotspotlib.hotspots.getis_ord import gi_star
from hotspotlib.hotspots.gi_result import GiStarResult
from hotspotlib.hotspots.grid import Grid, make_grid
from hotspotlib.hotspots.optimized import OptimizedHotspotsResult, optimized_hotspots

__all__ = [
    "EmergingHotspotsResult",
    "EventCounts",
    "GeneralGResult",
    "GiStarResult",
    "Grid",
    "IncrementalAutocorrelationResult",
    "OptimizedHotspotsResult",
    "count_events",
    "emerging_hotspots",
    "general_g",
    "gi_star",
    "incremental_autocorrelation",
    "locate_events",
    "make_grid",
    "optimized_hotspots",
]
