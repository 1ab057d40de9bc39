"""Fixtures for the Getis-Ord tests: the G1 points and libpysal's shipped data."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

G1_POINTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
G1_VALUES = [2, 3, 3.2, 5, 8, 7]


@pytest.fixture
def g1_points() -> gpd.GeoDataFrame:
    """The six points of domain.md section 6 G1 (esda's G_Local docstring)."""
    return gpd.GeoDataFrame(
        {"y": np.array(G1_VALUES, dtype=float)},
        geometry=[Point(p) for p in G1_POINTS],
        crs="EPSG:27700",
    )


def _shipped(name: str) -> str:
    from libpysal import examples

    path = examples.get_path(name)
    if not path:
        pytest.skip(f"libpysal does not ship {name}")
    return str(path)


@pytest.fixture(scope="session")
def columbus() -> gpd.GeoDataFrame:
    """Columbus neighbourhoods (no CRS in the file), shipped with libpysal."""
    return gpd.read_file(_shipped("columbus.shp"), engine="pyogrio")


@pytest.fixture
def columbus_w():
    """A fresh libpysal W: the queen contiguity file that comes with Columbus."""
    import libpysal

    handle = libpysal.io.open(_shipped("columbus.gal"))
    try:
        return handle.read()
    finally:
        handle.close()


@pytest.fixture(scope="session")
def stl() -> gpd.GeoDataFrame:
    """St Louis region counties with homicide rates, shipped with libpysal."""
    return gpd.read_file(_shipped("stl_hom.shp"), engine="pyogrio")
