"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*."""

from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.getis_ord import gi_star
from hotspotlib.hotspots.gi_result import GiStarResult
from hotspotlib.hotspots.grid import Grid, make_grid

__all__ = [
    "EventCounts",
    "GiStarResult",
    "Grid",
    "count_events",
    "gi_star",
    "locate_events",
    "make_grid",
]
