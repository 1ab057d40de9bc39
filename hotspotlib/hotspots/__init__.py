"""Find hot spots: grids and counts, kernel density, Getis-Ord Gi*, local Moran's I, rates.

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
from hotspotlib.hotspots.ranking import rank_places
from hotspotlib.hotspots.ranking_result import PlaceRanking, PlaceTiers
from hotspotlib.hotspots.rates import crime_rates
from hotspotlib.hotspots.rates_result import CrimeRates
from hotspotlib.hotspots.streets import count_on_segments, street_segments
from hotspotlib.hotspots.streets_result import SegmentCounts
from hotspotlib.hotspots.tiers import assign_tiers

__all__ = [
    "BandwidthChoice",
    "CrimeRates",
    "DensitySurface",
    "EmergingHotspots",
    "EventCounts",
    "GeneralG",
    "GiStar",
    "Grid",
    "IncrementalAutocorrelation",
    "LocalMoran",
    "OptimizedHotspots",
    "PlaceRanking",
    "PlaceTiers",
    "SegmentCounts",
    "SurfaceComparison",
    "assign_tiers",
    "compare_surfaces",
    "count_on_segments",
    "crime_rates",
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
    "rank_places",
    "select_bandwidth",
    "select_places",
    "street_segments",
]
