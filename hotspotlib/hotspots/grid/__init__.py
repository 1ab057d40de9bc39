"""Grids and counts: the cells, events per cell, and the top places to patrol."""

from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts, count_events, locate_events
from hotspotlib.hotspots.grid.make import make_grid
from hotspotlib.hotspots.grid.selection import select_places

__all__ = ["EventCounts", "Grid", "count_events", "locate_events", "make_grid", "select_places"]
