"""Forecast: scores per cell for a future window (counts, KDE, regression, self-exciting)."""

from hotspotlib.forecast.decayed_kde import decayed_kde
from hotspotlib.forecast.ensemble import ensemble
from hotspotlib.forecast.lagged_regression import lagged_regression
from hotspotlib.forecast.recency import recency_counts, window_counts
from hotspotlib.forecast.self_exciting import self_exciting
from hotspotlib.forecast.shrinkage import shrunken_counts
from hotspotlib.forecast.surface import ForecastSurface

__all__ = [
    "ForecastSurface",
    "decayed_kde",
    "ensemble",
    "lagged_regression",
    "recency_counts",
    "self_exciting",
    "shrunken_counts",
    "window_counts",
]
