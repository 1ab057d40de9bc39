"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*."""

from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.general_g import GeneralGResult, general_g
from hotspotlib.hotspots.getis_ord import gi_star
from hotspotlib.hotspots.gi_result import GiStarResult
from hotspotlib.hotspots.grid import Grid, make_grid

__all__ = [
    "EventCounts",
    "GeneralGResult",
    "GiStarResult",
    "Grid",
    "count_events",
    "general_g",
    "gi_star",
    "locate_events",
    "make_grid",
]
