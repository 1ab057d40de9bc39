"""Bad inputs for kde with events as an (n, 2) array (``Case``, ``fx``, ``hs`` given)."""

import functools

import numpy as np


@functools.cache
def _xy():
    return fx.city.events.get_coordinates().to_numpy()


def _with(row, value):
    xy = _xy().copy()
    xy[row] = value
    return xy


CASES = [
    Case(
        "kde",
        "array without crs",
        lambda: hs.kde(_xy(), bandwidth_m=300),
        match=r"`crs` is required with `events` as an \(n, 2\) array",
    ),
    Case(
        "kde",
        "crs with a GeoDataFrame",
        lambda: hs.kde(fx.city.events, crs=27700, bandwidth_m=300),
        match="`crs` does not apply.*GeoDataFrame.*to_crs",
    ),
    Case(
        "kde",
        "unreadable crs",
        lambda: hs.kde(_xy(), crs="metres", bandwidth_m=300),
        match="`crs` is not a valid CRS",
    ),
    Case(
        "kde",
        "geographic crs for an array",
        lambda: hs.kde(_xy(), crs=4326, bandwidth_m=300),
        match="`crs` uses a geographic CRS.*Transformer",
    ),
    Case(
        "kde",
        "Web Mercator crs for an array",
        lambda: hs.kde(_xy(), crs=3857, bandwidth_m=300),
        match="`crs` uses Web Mercator",
    ),
    Case(
        "kde",
        "array coordinates outside the crs",
        lambda: hs.kde(_xy() + 5e6, crs=27700, bandwidth_m=300),
        match="`events` has coordinates.*outside the area",
    ),
    Case(
        "kde",
        "longitude/latitude labelled as metres",
        lambda: hs.kde([[-0.12, 51.5], [-0.11, 51.51]], crs=27700, bandwidth_m=300),
        match="look like longitude/latitude.*Transformer.from_crs\\(4326, 27700",
    ),
    Case(
        "kde",
        "array of three columns",
        lambda: hs.kde(np.c_[_xy(), _xy()[:, :1]], crs=27700, bandwidth_m=300),
        match=r"shape \(n, 2\).*got shape \(\d+, 3\)",
    ),
    Case(
        "kde",
        "empty array",
        lambda: hs.kde(np.empty((0, 2)), crs=27700, bandwidth_m=300),
        match=r"got shape \(0, 2\)",
    ),
    Case(
        "kde",
        "array with NaN and infinite rows",
        lambda: hs.kde(_with([3, 7], [np.nan, np.inf]), crs=27700, bandwidth_m=300),
        match="`events` has 2 rows with NaN or infinite",
    ),
    Case(
        "kde",
        "array of text",
        lambda: hs.kde([["a", "b"]], crs=27700, bandwidth_m=300),
        match="`events` must hold numbers",
        raises=TypeError,
    ),
    Case(
        "kde",
        "column-name weights with an array",
        lambda: hs.kde(_xy(), crs=27700, weights="harm", bandwidth_m=300),
        match="`weights` is a column name.*to_numpy",
        raises=TypeError,
    ),
    Case(
        "kde",
        "array weights of the wrong length",
        lambda: hs.kde(_xy(), crs=27700, weights=[1.0, 2.0], bandwidth_m=300),
        match="`weights` must have one value per row",
    ),
    Case(
        "kde",
        "area in another CRS than the array",
        lambda: hs.kde(_xy(), crs=27700, area=fx.city.boundary.to_crs(32630), bandwidth_m=300),
        match=r"`crs` \(EPSG:27700\) and `area`.*area.to_crs\(crs\)",
    ),
    Case(
        "kde",
        "grid in another CRS than the array",
        lambda: hs.kde(_xy(), crs=32630, grid=fx.grid, bandwidth_m=300),
        match=r"`crs` .*and `grid`",
    ),
]
