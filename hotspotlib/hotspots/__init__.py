"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*."""

from hotspotlib.hotspots.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.grid import Grid, make_grid

__all__ = ["EventCounts", "Grid", "count_events", "locate_events", "make_grid"]
