"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*, local Moran's I.

Subpackages: ``grid`` (cells, counts, place selection), ``density`` (kde, bandwidth, the
surface), ``getis_ord`` (Gi*, General G, optimized and emerging hot spots). Spatial
weights, units and inference shared by the local statistics stay at this level.
"""

from hotspotlib.hotspots.density import (
    BandwidthChoice,
    DensitySurface,
    SurfaceComparison,
    compare_surfaces,
    kde,
    select_bandwidth,
)
from hotspotlib.hotspots.getis_ord import (
    EmergingHotspots,
    GeneralG,
    GiStar,
    IncrementalAutocorrelation,
    OptimizedHotspots,
    emerging_hotspots,
    general_g,
    gi_star,
    incremental_autocorrelation,
    optimized_hotspots,
)
from hotspotlib.hotspots.grid import (
    EventCounts,
    Grid,
    count_events,
    locate_events,
    make_grid,
    select_places,
)
from hotspotlib.hotspots.local_moran import local_moran
from hotspotlib.hotspots.local_moran_result import LocalMoran

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
