"""One point per place in WGS84 longitude/latitude, shared by place tables and CSV exports.

A point is placed where it is; an area or cell by its centroid when the centroid lies
inside it (a square cell: its centre), else by a point inside it (shapely's
``representative_point``), found in the layer's own CRS before projecting to WGS84.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray


def label_points(geometry: gpd.GeoSeries) -> gpd.GeoSeries:
    """Return one point per geometry in its CRS: itself, its centroid, or a point inside."""
    if (geometry.geom_type.dropna() == "Point").all():
        return geometry
    shapes = geometry.to_numpy()
    centroids = shapely.centroid(shapes)
    inside = shapely.covers(shapes, centroids)
    points = np.where(inside, centroids, shapely.point_on_surface(shapes))
    return gpd.GeoSeries(points, index=geometry.index, crs=geometry.crs)


def lonlat(geometry: gpd.GeoSeries) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Return WGS84 longitude and latitude of each geometry's label point (NaN when empty)."""
    wgs84 = label_points(geometry).to_crs(4326)
    empty = (wgs84.isna() | wgs84.is_empty).to_numpy()
    lon = np.where(empty, np.nan, wgs84.x.where(~empty).to_numpy(dtype=float))
    lat = np.where(empty, np.nan, wgs84.y.where(~empty).to_numpy(dtype=float))
    return lon, lat
