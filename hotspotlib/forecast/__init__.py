"""Forecast: scores per cell for a future window (recency, empirical Bayes)."""

from hotspotlib.forecast.recency import recency_counts, window_counts
from hotspotlib.forecast.shrinkage import shrunken_counts
from hotspotlib.forecast.surface import ForecastSurface

__all__ = ["ForecastSurface", "recency_counts", "shrunken_counts", "window_counts"]
