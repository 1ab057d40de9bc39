"""Bad inputs for concentration, accuracy, near-repeat and prospective metrics.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import functools

import geopandas as gpd
import numpy as np


@functools.cache
def _far():
    return fx.city.events.set_geometry(fx.city.events.translate(200_000, 0))


def _zeros():
    return np.zeros(fx.grid.n_cells)


def _lonlat_as_27700():
    return gpd.GeoDataFrame(
        {"timestamp": fx.city.events["timestamp"].iloc[:3].to_numpy()},
        geometry=gpd.points_from_xy([-0.12, -0.10, -0.08], [51.50, 51.52, 51.51]),
        crs=27700,
    )


_AT = "2024-02-15"

CASES = [
    # gini
    Case("gini", "all zero counts", lambda: hs.gini(_zeros()), match="counts.*zero"),
    Case("gini", "NaN count", lambda: hs.gini([1.0, np.nan, 2.0]), match="counts.*NaN"),
    Case(
        "gini",
        "huge bootstrap",
        lambda: hs.gini(fx.counts, n_bootstrap=10**12),
        match="n_bootstrap.*GiB",
    ),
    Case(
        "gini",
        "negative bootstrap",
        lambda: hs.gini(fx.counts, n_bootstrap=-1),
        match="n_bootstrap",
    ),
    # lorenz_curve
    Case(
        "lorenz_curve", "all zero counts", lambda: hs.lorenz_curve(_zeros()), match="counts.*zero"
    ),
    Case("lorenz_curve", "empty counts", lambda: hs.lorenz_curve([]), match="counts"),
    Case(
        "lorenz_curve", "negative count", lambda: hs.lorenz_curve([1.0, -2.0, 3.0]), match="counts"
    ),
    # concentration_share
    Case(
        "concentration_share",
        "all zero counts",
        lambda: hs.concentration_share(_zeros()),
        match="counts.*zero",
    ),
    Case(
        "concentration_share",
        "share above one",
        lambda: hs.concentration_share(fx.counts, share=1.5),
        match="share",
    ),
    Case(
        "concentration_share",
        "infinite count",
        lambda: hs.concentration_share([1.0, np.inf]),
        match="counts",
    ),
    # hit_rate, pai, pei, ppai, rri
    Case(
        "hit_rate",
        "test events all outside",
        lambda: hs.hit_rate(fx.counts, _far(), grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "hit_rate",
        "NaN scores",
        lambda: hs.hit_rate(_zeros() * np.nan, fx.city.events, grid=fx.grid),
        match="scores.*NaN",
    ),
    Case(
        "hit_rate",
        "coverage above one",
        lambda: hs.hit_rate(fx.counts, fx.city.events, coverage=2.0),
        match="coverage",
    ),
    Case(
        "pai",
        "test events all outside",
        lambda: hs.pai(fx.counts, _far(), grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "pai",
        "no grid for plain scores",
        lambda: hs.pai(_zeros(), fx.city.events),
        match="grid",
        raises=TypeError,
    ),
    Case(
        "pai",
        "scores of the wrong length",
        lambda: hs.pai(np.ones(3), fx.city.events, grid=fx.grid),
        match="scores.*one value per cell",
    ),
    Case(
        "pei",
        "test events all outside",
        lambda: hs.pei(fx.counts, _far(), grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "pei",
        "unknown area measure",
        lambda: hs.pei(fx.counts, fx.city.events, areas="volume"),
        match="areas",
    ),
    Case(
        "pei",
        "mismatched CRS",
        lambda: hs.pei(fx.counts, fx.city.events.to_crs(32630)),
        match="share one CRS",
    ),
    Case(
        "ppai",
        "test events all outside",
        lambda: hs.ppai(fx.counts, _far(), grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "ppai",
        "negative exponent",
        lambda: hs.ppai(fx.counts, fx.city.events, ppai_exponent=-1.0),
        match="ppai_exponent",
    ),
    Case(
        "rri",
        "test events all outside",
        lambda: hs.rri(fx.counts, _far(), train_events=fx.city.events, grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "rri",
        "Web Mercator train events",
        lambda: hs.rri(fx.counts, fx.city.events, train_events=fx.city.events.to_crs(3857)),
        match="Web Mercator",
    ),
    # accuracy_curve
    Case(
        "accuracy_curve",
        "test events all outside",
        lambda: hs.accuracy_curve(fx.counts, _far(), grid=fx.grid),
        match="events.*outside",
    ),
    Case(
        "accuracy_curve",
        "coverage zero",
        lambda: hs.accuracy_curve(fx.counts, fx.city.events, coverage=[0.0]),
        match="coverage",
    ),
    Case(
        "accuracy_curve",
        "unknown area measure",
        lambda: hs.accuracy_curve(fx.counts, fx.city.events, areas="volume"),
        match="areas",
    ),
    Case(
        "accuracy_curve",
        "unknown tie rule",
        lambda: hs.accuracy_curve(fx.counts, fx.city.events, ties="random"),
        match="ties",
    ),
    # knox_test
    Case(
        "knox_test",
        "lon/lat labelled 27700",
        lambda: hs.knox_test(_lonlat_as_27700(), spatial_bands_m=[100], temporal_bands_days=[7]),
        match="events.*longitude/latitude",
    ),
    Case(
        "knox_test",
        "huge permutations",
        lambda: hs.knox_test(
            fx.city.events,
            spatial_bands_m=[100, 200],
            temporal_bands_days=[7, 14],
            n_permutations=10**12,
        ),
        match="n_permutations.*GiB",
    ),
    Case(
        "knox_test",
        "decreasing bands",
        lambda: hs.knox_test(fx.city.events, spatial_bands_m=[200, 100], temporal_bands_days=[7]),
        match="spatial_bands_m",
    ),
    Case(
        "knox_test",
        "unknown metric",
        lambda: hs.knox_test(
            fx.city.events, spatial_bands_m=[100], temporal_bands_days=[7], metric="chebyshev"
        ),
        match="metric",
    ),
    # prospective_hotspots
    Case(
        "prospective_hotspots",
        "geographic events",
        lambda: hs.prospective_hotspots(fx.city.events.to_crs(4326), origin=_AT, cell_size_m=250),
        match="events.*geographic",
    ),
    Case(
        "prospective_hotspots",
        "zero bandwidth",
        lambda: hs.prospective_hotspots(fx.city.events, origin=_AT, cell_size_m=250, bandwidth_m=0),
        match="bandwidth_m",
    ),
    Case(
        "prospective_hotspots",
        "zero weeks",
        lambda: hs.prospective_hotspots(
            fx.city.events, origin=_AT, cell_size_m=250, bandwidth_weeks=0
        ),
        match="bandwidth_weeks",
    ),
    # compare_methods
    Case(
        "compare_methods",
        "unknown method",
        lambda: hs.compare_methods(fx.city.events, methods=["tea_leaves"], cell_size_m=250),
        match="method",
    ),
    Case(
        "compare_methods",
        "negative cell size",
        lambda: hs.compare_methods(fx.city.events, cell_size_m=-250),
        match="cell_size_m",
    ),
    Case(
        "compare_methods",
        "Web Mercator events",
        lambda: hs.compare_methods(fx.city.events.to_crs(3857), cell_size_m=250),
        match="events.*Web Mercator",
    ),
]
