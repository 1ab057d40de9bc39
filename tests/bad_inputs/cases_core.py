"""Bad inputs for grids, counts, density, Getis-Ord, the synthetic city and patrol time.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import functools

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import LineString


@functools.cache
def _surface():
    return hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=400)


def _points(xy, crs=27700):
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        {"timestamp": pd.date_range("2024-01-01", periods=len(xy), freq="h")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=crs,
    )


def _empty():
    return fx.city.events.iloc[:0]


def _nan_point():
    xy = np.array([[580_100.0, 180_100.0], [np.nan, 180_200.0], [580_300.0, 180_300.0]])
    return _points(xy)


def _inf_point():
    return _points([[580_100.0, 180_100.0], [np.inf, 180_200.0], [580_300.0, 180_300.0]])


def _lines():
    return gpd.GeoDataFrame(
        geometry=[LineString([(580_000, 180_000), (580_100, 180_100)])] * 3, crs=27700
    )


def _lonlat_as_27700():
    # London in longitude/latitude, labelled as British National Grid metres
    return _points([[-0.12, 51.50], [-0.10, 51.52], [-0.08, 51.51]], crs=27700)


def _utm_as_27700():
    # UTM zone 30N coordinates of London labelled as British National Grid
    return _points([[699_000.0, 5_710_000.0], [699_500.0, 5_710_400.0]], crs=27700)


@functools.cache
def _far():
    return fx.city.events.set_geometry(fx.city.events.translate(200_000, 0))


@functools.cache
def _mostly_far():
    events = fx.city.events
    shift = np.where(np.arange(len(events)) % 4 == 0, 0.0, 200_000.0)
    moved = gpd.points_from_xy(events.geometry.x + shift, events.geometry.y, crs=events.crs)
    return events.set_geometry(moved)


def _cells():
    return fx.counts.to_frame()


def _places():
    return pd.DataFrame({"expected_per_day": [1.0, 2.0, 3.0]})


def _response(minutes):
    return 1.0 / (1.0 + minutes / 60.0)


CASES = [
    # make_grid
    Case(
        "make_grid",
        "negative cell size",
        lambda: hs.make_grid(fx.city.boundary, cell_size_m=-5),
        match="cell_size_m",
    ),
    Case(
        "make_grid",
        "unknown cell shape",
        lambda: hs.make_grid(fx.city.boundary, cell_size_m=100, cell_shape="triangle"),
        match="cell_shape",
    ),
    Case(
        "make_grid",
        "geographic CRS",
        lambda: hs.make_grid(fx.city.boundary.to_crs(4326), cell_size_m=100),
        match="area.*geographic",
    ),
    Case(
        "make_grid",
        "Web Mercator",
        lambda: hs.make_grid(fx.city.boundary.to_crs(3857), cell_size_m=100),
        match="area.*Web Mercator",
    ),
    Case(
        "make_grid",
        "too many cells",
        lambda: hs.make_grid(fx.city.boundary, cell_size_m=0.5),
        match="cell_size_m",
    ),
    Case(
        "make_grid",
        "empty area",
        lambda: hs.make_grid(fx.city.boundary.iloc[:0], cell_size_m=100),
        match="area",
    ),
    # count_events
    Case(
        "count_events",
        "empty events",
        lambda: hs.count_events(_empty(), fx.grid),
        match="events.*empty",
    ),
    Case(
        "count_events",
        "NaN coordinate",
        lambda: hs.count_events(_nan_point(), fx.grid),
        match="events.*NaN",
    ),
    Case(
        "count_events",
        "infinite coordinate",
        lambda: hs.count_events(_inf_point(), fx.grid),
        match="events.*infinite",
    ),
    Case(
        "count_events",
        "line geometries",
        lambda: hs.count_events(_lines(), fx.grid),
        match="events.*Point",
    ),
    Case(
        "count_events",
        "lon/lat labelled 27700",
        lambda: hs.count_events(_lonlat_as_27700(), fx.grid),
        match="events.*longitude/latitude",
    ),
    Case(
        "count_events",
        "UTM labelled 27700",
        lambda: hs.count_events(_utm_as_27700(), fx.grid),
        match="events.*outside the area where EPSG:27700",
    ),
    Case(
        "count_events",
        "mismatched CRSs",
        lambda: hs.count_events(fx.city.events.to_crs(32630), fx.grid),
        match="grid.*events.*share one CRS",
    ),
    Case(
        "count_events",
        "all events outside",
        lambda: hs.count_events(_far(), fx.grid),
        match="events.*outside the `grid`.*span",
    ),
    Case(
        "count_events",
        "most events outside",
        lambda: hs.count_events(_mostly_far(), fx.grid),
        match=r"of 2,\d+ `events` .* fall outside",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "count_events",
        "negative weights",
        lambda: hs.count_events(fx.city.events, fx.grid, weights=-np.ones(len(fx.city.events))),
        match="weights",
    ),
    # locate_events
    Case(
        "locate_events",
        "Web Mercator events",
        lambda: hs.locate_events(fx.city.events.to_crs(3857), fx.grid),
        match="events.*Web Mercator",
    ),
    Case(
        "locate_events",
        "places are points",
        lambda: hs.locate_events(fx.city.events, fx.city.events.iloc[:3]),
        match="places.*Polygon",
    ),
    Case(
        "locate_events",
        "no CRS",
        # rebuilt without a CRS: geopandas 0.14 refuses set_crs(None)
        lambda: hs.locate_events(
            type(fx.city.events)(geometry=list(fx.city.events.geometry)), fx.grid
        ),
        match="events.*no CRS",
    ),
    # kde
    Case(
        "kde",
        "NaN bandwidth",
        lambda: hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=np.nan),
        match="bandwidth_m",
    ),
    Case(
        "kde",
        "zero bandwidth",
        lambda: hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=0),
        match="bandwidth_m",
    ),
    Case(
        "kde",
        "unknown kernel",
        lambda: hs.kde(fx.city.events, grid=fx.grid, kernel="cosine"),
        match="kernel",
    ),
    Case(
        "kde",
        "Web Mercator events",
        lambda: hs.kde(fx.city.events.to_crs(3857), bandwidth_m=300, cell_size_m=100),
        match="events.*Web Mercator",
    ),
    Case(
        "kde",
        "all events outside",
        lambda: hs.kde(_far(), grid=fx.grid, bandwidth_m=300),
        match="events.*outside the `grid`",
    ),
    Case(
        "kde",
        "explicit FFT too large",
        lambda: hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=1e7, method="fft"),
        match="bandwidth_m.*FFT lattice.*GiB",
    ),
    Case(
        "kde",
        "grid and cell size",
        lambda: hs.kde(fx.city.events, grid=fx.grid, cell_size_m=100),
        match="grid.*cell_size_m",
    ),
    # select_bandwidth
    Case(
        "select_bandwidth",
        "unknown rule",
        lambda: hs.select_bandwidth(fx.city.events, rule="guess"),
        match="rule",
    ),
    Case(
        "select_bandwidth",
        "geographic CRS",
        lambda: hs.select_bandwidth(fx.city.events.to_crs(4326)),
        match="events.*geographic",
    ),
    Case(
        "select_bandwidth",
        "empty events",
        lambda: hs.select_bandwidth(_empty()),
        match="events.*empty",
    ),
    # compare_surfaces
    Case(
        "compare_surfaces",
        "unknown method",
        lambda: hs.compare_surfaces(_surface(), _surface(), method="quotient"),
        match="method",
    ),
    Case(
        "compare_surfaces",
        "not a surface",
        lambda: hs.compare_surfaces(_surface(), fx.grid),
        match="b",
        raises=(TypeError, ValueError),
    ),
    Case(
        "compare_surfaces",
        "negative min density",
        lambda: hs.compare_surfaces(_surface(), _surface(), min_density=-1.0),
        match="min_density",
    ),
    # gi_star
    Case(
        "gi_star",
        "every unit an island",
        lambda: hs.gi_star(fx.counts, distance_m=1),
        match=r"distance_m.*>= 250",
    ),
    Case(
        "gi_star",
        "unknown alternative",
        lambda: hs.gi_star(fx.counts, alternative="bigger"),
        match="alternative",
    ),
    Case(
        "gi_star",
        "negative permutations",
        lambda: hs.gi_star(fx.counts, n_permutations=-1),
        match="n_permutations",
    ),
    Case(
        "gi_star",
        "zero variance",
        lambda: hs.gi_star(_cells().assign(v=1.0), value="v", distance_m=500),
        match="value.*zero variance",
    ),
    # general_g
    Case(
        "general_g",
        "every unit an island",
        lambda: hs.general_g(fx.counts, distance_m=1),
        match=r"distance_m.*>= 250",
    ),
    Case(
        "general_g",
        "negative values",
        lambda: hs.general_g(_cells().assign(v=-1.0), value="v", distance_m=500),
        match="value.*negative",
    ),
    Case(
        "general_g",
        "huge permutations",
        lambda: hs.general_g(fx.counts, distance_m=500, n_permutations=10**12),
        match="n_permutations.*GiB",
    ),
    # optimized_hotspots
    Case(
        "optimized_hotspots",
        "all events outside the area",
        lambda: hs.optimized_hotspots(_far(), area=fx.city.boundary),
        match="events.*outside",
    ),
    Case(
        "optimized_hotspots",
        "Web Mercator area",
        lambda: hs.optimized_hotspots(fx.city.events, area=fx.city.boundary.to_crs(3857)),
        match="area.*Web Mercator",
    ),
    Case(
        "optimized_hotspots",
        "negative cell size",
        lambda: hs.optimized_hotspots(fx.city.events, cell_size_m=-1),
        match="cell_size_m",
    ),
    # emerging_hotspots
    Case(
        "emerging_hotspots",
        "all events outside the area",
        lambda: hs.emerging_hotspots(
            _far(), time="timestamp", cell_size_m=500, distance_m=1000, area=fx.city.boundary
        ),
        match="events.*outside the `area`",
    ),
    Case(
        "emerging_hotspots",
        "zero distance",
        lambda: hs.emerging_hotspots(
            fx.city.events, time="timestamp", cell_size_m=500, distance_m=0
        ),
        match="distance_m",
    ),
    Case(
        "emerging_hotspots",
        "unknown time neighbours",
        lambda: hs.emerging_hotspots(
            fx.city.events,
            time="timestamp",
            cell_size_m=500,
            distance_m=1000,
            time_neighbours="sideways",
        ),
        match="time_neighbours",
    ),
    # incremental_autocorrelation
    Case(
        "incremental_autocorrelation",
        "negative distances",
        lambda: hs.incremental_autocorrelation(fx.counts, distances_m=[-100, 200]),
        match="distances_m",
    ),
    Case(
        "incremental_autocorrelation",
        "zero bands",
        lambda: hs.incremental_autocorrelation(fx.counts, n_bands=0),
        match="n_bands",
    ),
    # select_places
    Case(
        "select_places",
        "unknown score column",
        lambda: hs.select_places(_cells(), score="harm_index", n=5),
        match="harm_index",
    ),
    Case(
        "select_places",
        "zero places",
        lambda: hs.select_places(_cells(), score="count", n=0),
        match="`n`",
    ),
    Case(
        "select_places",
        "negative separation",
        lambda: hs.select_places(_cells(), score="count", n=5, min_separation_m=-1),
        match="min_separation_m",
    ),
    Case(
        "select_places",
        "NaN scores",
        lambda: hs.select_places(_cells().assign(s=np.nan), score="s", n=5),
        match="score",
    ),
    Case(
        "select_places",
        "crimes without police.uk columns",
        lambda: hs.select_places(_cells(), score="count", n=5, crimes=fx.city.events),
        match="crimes",
    ),
    Case(
        "select_places",
        "crimes not a GeoDataFrame",
        lambda: hs.select_places(_cells(), score="count", n=5, crimes=[1, 2]),
        raises=TypeError,
        match="crimes",
    ),
    # synthetic_city
    Case(
        "synthetic_city",
        "city too small for its hot spots",
        lambda: hs.synthetic_city(size_m=300, rng=1),
        match="size_m",
    ),
    Case(
        "synthetic_city",
        "hot spots too large",
        lambda: hs.synthetic_city(hotspot_size_m=4_500, rng=1),
        match="hotspot_size_m",
    ),
    Case(
        "synthetic_city",
        "Web Mercator",
        lambda: hs.synthetic_city(crs=3857, rng=1),
        match="Web Mercator",
    ),
    Case(
        "synthetic_city",
        "huge number of events",
        lambda: hs.synthetic_city(n_events=10**12, rng=1),
        match="n_events.*GiB",
    ),
    # allocate_patrol_time
    Case(
        "allocate_patrol_time",
        "budget below one increment",
        lambda: hs.allocate_patrol_time(
            _places(), total_minutes=10, increment_minutes=15, response=_response
        ),
        match="total_minutes.*increment_minutes",
    ),
    Case(
        "allocate_patrol_time",
        "huge table",
        lambda: hs.allocate_patrol_time(
            _places(), total_minutes=1e6, increment_minutes=0.01, response=_response
        ),
        match="increment_minutes.*GiB",
    ),
    Case(
        "allocate_patrol_time",
        "zero risk everywhere",
        lambda: hs.allocate_patrol_time(_places() * 0, total_minutes=60, response=_response),
        match="expected_per_day",
    ),
    Case(
        "allocate_patrol_time",
        "no places",
        lambda: hs.allocate_patrol_time(_places().iloc[:0], total_minutes=60, response=_response),
        match="places.*empty",
    ),
]
