"""Shared, seeded, synthetic fixtures."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import matplotlib
import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from shapely.geometry import Point, box

import hotspotlib as hs

matplotlib.use("Agg")

# Older hypothesis releases (the declared floor) count drawn floats against a smaller
# size budget and stop some property tests with a "data too large" health check.
settings.register_profile("hotspotlib", suppress_health_check=[HealthCheck.data_too_large])
settings.load_profile("hotspotlib")

# The bad-input case files are tables read by tests/test_bad_inputs.py, and _results.py
# holds the result builders loaded by the result tests: neither is a test module.
collect_ignore_glob = ["bad_inputs/cases_*.py", "_results.py"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def city() -> hs.SyntheticCity:
    """A small synthetic city (read-only: tests must not modify it)."""
    return hs.synthetic_city(n_events=8_000, rng=20240101)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture
def square_area() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[box(0, 0, 1_000, 1_000)], crs="EPSG:27700")


@pytest.fixture
def points_lonlat() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(0.7, 51.55), Point(0.71, 51.54)], crs="EPSG:4326")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
