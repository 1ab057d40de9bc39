"""Getis-Ord statistics: Gi*, General G, optimized and emerging hot spots."""

from hotspotlib.hotspots.getis_ord.autocorrelation import (
    IncrementalAutocorrelation,
    incremental_autocorrelation,
)
from hotspotlib.hotspots.getis_ord.emerging import emerging_hotspots
from hotspotlib.hotspots.getis_ord.emerging_result import EmergingHotspots
from hotspotlib.hotspots.getis_ord.general_g import GeneralG, general_g
from hotspotlib.hotspots.getis_ord.gi import gi_star
from hotspotlib.hotspots.getis_ord.gi_result import GiStar
from hotspotlib.hotspots.getis_ord.optimized import OptimizedHotspots, optimized_hotspots

__all__ = [
    "EmergingHotspots",
    "GeneralG",
    "GiStar",
    "IncrementalAutocorrelation",
    "OptimizedHotspots",
    "emerging_hotspots",
    "general_g",
    "gi_star",
    "incremental_autocorrelation",
    "optimized_hotspots",
]
