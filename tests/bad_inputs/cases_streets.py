"""Bad inputs for street segments and counts on them.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point


@functools.cache
def _network():
    xmin, ymin, xmax, ymax = fx.city.boundary.total_bounds
    steps = np.arange(0.0, xmax - xmin + 1, 1000.0)
    lines = [LineString([(xmin + d, ymin), (xmin + d, ymax)]) for d in steps]
    lines += [LineString([(xmin, ymin + d), (xmax, ymin + d)]) for d in steps]
    return gpd.GeoDataFrame(geometry=lines, crs=fx.city.events.crs)


@functools.cache
def _segments():
    return hs.street_segments(_network())


def _with_point():
    network = _network().copy()
    network.loc[len(network), "geometry"] = Point(network.total_bounds[:2])
    return network


def _with_empty():
    network = _network().copy()
    network.loc[len(network), "geometry"] = LineString()
    return network


def _far():
    return fx.city.events.set_geometry(fx.city.events.translate(0, 100_000))


def _counts():
    return hs.count_on_segments(fx.city.events, _segments(), tolerance_m=600)


CASES = [
    Case(
        "street_segments",
        "network of polygons",
        lambda: hs.street_segments(fx.grid.cells),
        match="`network` has .* geometries not among LineString, MultiLineString.*boundary",
    ),
    Case(
        "street_segments",
        "a point among the lines",
        lambda: hs.street_segments(_with_point()),
        match=r"`network` has 1 geometries not among .*\['Point'\]",
    ),
    Case(
        "street_segments",
        "an empty line",
        lambda: hs.street_segments(_with_empty()),
        match=r"`network` has 1 geometries .*\['empty'\].*Drop missing or empty",
    ),
    Case(
        "street_segments",
        "plain DataFrame",
        lambda: hs.street_segments(pd.DataFrame(_network())),
        match="`network` must be a GeoDataFrame or GeoSeries of LineStrings",
        raises=TypeError,
    ),
    Case(
        "street_segments",
        "no rows",
        lambda: hs.street_segments(_network().iloc[:0]),
        match="`network` is empty",
    ),
    Case(
        "street_segments",
        "longitude/latitude",
        lambda: hs.street_segments(_network().to_crs(4326)),
        match="`network` uses a geographic CRS",
    ),
    Case(
        "street_segments",
        "US survey feet",
        lambda: hs.street_segments(_network().set_crs(2227, allow_override=True)),
        match="`network` uses a projected CRS .* not metres",
    ),
    Case(
        "count_on_segments",
        "segments in another CRS",
        lambda: hs.count_on_segments(fx.city.events, _segments().to_crs(32631)),
        match="`events` .* and `segments` .* must share one CRS",
    ),
    Case(
        "count_on_segments",
        "segments that are points",
        lambda: hs.count_on_segments(fx.city.events, fx.city.events),
        match="`segments` has .* geometries not among LineString",
    ),
    Case(
        "count_on_segments",
        "events that are lines",
        lambda: hs.count_on_segments(_segments(), _segments()),
        match="`events` must contain Point geometries",
    ),
    Case(
        "count_on_segments",
        "zero tolerance",
        lambda: hs.count_on_segments(fx.city.events, _segments(), tolerance_m=0),
        match="`tolerance_m` must be a finite number > 0; got 0",
    ),
    Case(
        "count_on_segments",
        "every event beyond the tolerance",
        lambda: hs.count_on_segments(_far(), _segments()),
        match=r"All .* `events` fall outside the `segments \(within tolerance_m=25\)`",
    ),
    Case(
        "count_on_segments",
        "most events beyond the tolerance",
        lambda: hs.count_on_segments(fx.city.events, _segments(), tolerance_m=10),
        match=r"of [\d,]+ `events` \(\d+%\) fall outside .* not counted",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "count_on_segments",
        "negative harm",
        lambda: hs.count_on_segments(
            fx.city.events, _segments(), weights=-np.ones(len(fx.city.events)), tolerance_m=600
        ),
        match="`weights` .* negative values",
    ),
    Case(
        "count_on_segments",
        "weights column missing",
        lambda: hs.count_on_segments(fx.city.events, _segments(), weights="severity"),
        match="missing column.*'severity'",
    ),
    Case(
        "SegmentCounts.plot",
        "harm without weights",
        lambda: _counts().plot(column="harm"),
        match="`column` must be one of 'count', 'count_per_100m'; got 'harm'",
    ),
    Case(
        "SegmentCounts.contiguity",
        "negative touch distance",
        lambda: _counts().contiguity(touch_m=-1),
        match="`touch_m` must be a finite number > 0",
    ),
]
