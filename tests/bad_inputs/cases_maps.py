"""Bad inputs for the map options of ``.plot()`` and ``.explore()`` on spatial results.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import functools


@functools.cache
def _surface():
    return hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=400)


@functools.cache
def _gi():
    return hs.gi_star(fx.counts, distance_m=500)


@functools.cache
def _plan():
    return hs.plan_patrols(
        fx.city.hotspots,
        officers=2,
        shift_start="2024-06-01 14:00",
        shift_end="2024-06-01 22:00",
        walking_speed_kmh=20,
        rng=1,
    )


def _unranked_tiers():
    scores = hs.rank_places([5.0, 3.0, 1.0, 0.0], uncertainty="none")
    return hs.assign_tiers(scores, rule="top_k", k=[1])


CASES = [
    Case(
        "EventCounts.plot",
        "unknown scheme",
        lambda: fx.counts.plot(scheme="jenks"),
        match=r"`scheme` must be one of .*natural_breaks",
    ),
    Case(
        "EventCounts.plot",
        "one class",
        lambda: fx.counts.plot(scheme="quantiles", k=1),
        match=r"`k` must be .*2.*got 1.*Pass 2 to 12 classes",
    ),
    Case(
        "EventCounts.plot",
        "fractional number of classes",
        lambda: fx.counts.plot(scheme="quantiles", k=4.5),
        match=r"`k`.*4\.5",
    ),
    Case(
        "EventCounts.plot",
        "unknown stretch",
        lambda: fx.counts.plot(stretch="log"),
        match=r"`stretch` must be one of .*sqrt.*linear",
    ),
    Case(
        "EventCounts.plot",
        "basemap not a flag",
        lambda: fx.counts.plot(basemap="osm"),
        raises=TypeError,
        match=r"`basemap` must be True or False, got 'osm'",
    ),
    Case(
        "DensitySurface.plot",
        "too many classes",
        lambda: _surface().plot(scheme="equal_interval", k=40),
        match=r"`k` must be .*12.*got 40",
    ),
    Case(
        "GiStar.plot",
        "north arrow not a flag",
        lambda: _gi().plot(north_arrow=1),
        raises=TypeError,
        match=r"`north_arrow` must be True or False, got 1",
    ),
    Case(
        "PatrolPlan.plot",
        "basemap not a flag",
        lambda: _plan().plot(basemap="osm"),
        raises=TypeError,
        match=r"`basemap` must be True or False, got 'osm'. Pass basemap=True",
    ),
    Case(
        "EventCounts.explore",
        "unknown scheme",
        lambda: fx.counts.explore(scheme="Quantiles", tiles=None),
        match=r"`scheme` must be one of .*quantiles",
        needs=("folium",),
    ),
    Case(
        "EventCounts.explore",
        "unknown column",
        lambda: fx.counts.explore(column="harm", tiles=None),
        match=r"`column` must be one of",
    ),
    Case(
        "PlaceTiers.explore",
        "places without geometry",
        lambda: _unranked_tiers().explore(),
        match=r"`PlaceTiers.explore\(\)` needs places with geometry.*Rank or tier a GeoDataFrame",
    ),
]
