"""General G: moments by exhaustive enumeration, against esda.G, permutations, errors."""

from __future__ import annotations

import copy
import itertools
import warnings

import geopandas as gpd
import numpy as np
import pytest
from scipy import sparse
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib.hotspots.getis_ord.general_g import general_g_moments


@pytest.mark.parametrize("binary", [True, False])
def test_moments_equal_exhaustive_permutation_moments(binary):
    rng = np.random.default_rng(0)
    n = 7
    weights = rng.uniform(0, 2, (n, n)) * (rng.random((n, n)) < 0.5)  # asymmetric
    np.fill_diagonal(weights, 0)
    if binary:
        weights = (weights > 0).astype(float)
    x = rng.gamma(2, 2, n)
    g, expected, variance = general_g_moments(sparse.csr_array(weights), x)
    denominator = x.sum() ** 2 - x @ x
    values = (
        np.array([x[list(p)] @ weights @ x[list(p)] for p in itertools.permutations(range(n))])
        / denominator
    )
    assert g == pytest.approx(x @ weights @ x / denominator)
    assert expected == pytest.approx(values.mean(), rel=1e-12)
    assert variance == pytest.approx(values.var(), rel=1e-10)


def test_matches_esda_g_on_columbus(columbus, columbus_w):
    import esda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = esda.G(columbus["CRIME"].to_numpy(), copy.deepcopy(columbus_w), permutations=0)
    ours = hs.general_g(columbus, value="CRIME", spatial_weights=columbus_w)
    assert ours.g == pytest.approx(theirs.G, abs=1e-12)
    assert ours.expected == pytest.approx(theirs.EG, abs=1e-12)
    assert ours.variance == pytest.approx(theirs.VG, rel=1e-10)
    assert ours.z_score == pytest.approx(theirs.z_norm, abs=1e-10)
    assert ours.p_value == pytest.approx(2 * theirs.p_norm, abs=1e-12)


def test_permutation_inference_is_consistent_and_reproducible(city):
    counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=1_000))
    first = hs.general_g(counts, distance_m=1_500, n_permutations=199, rng=3)
    again = hs.general_g(counts, distance_m=1_500, n_permutations=199, rng=3)
    assert first.p_value == again.p_value
    assert first.p_value == pytest.approx(1 / 200)  # clustered city: nothing as extreme
    assert first.simulated is not None and len(first.simulated) == 199
    assert abs(first.simulated.mean() - first.expected) < 4 * np.sqrt(first.variance / 199) + 1e-9
    frame = first.to_frame()
    assert list(frame.columns[:6]) == [
        "statistic",
        "estimate",
        "expected",
        "std_error",
        "z_score",
        "p_value",
    ]
    assert "General G" in str(first.summary())
    assert first.plot() is not None


def test_random_values_are_not_significant_on_average():
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 1_000, (200, 2))
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=27700)
    z = [
        hs.general_g(points, value=rng.gamma(2, 2, 200), distance_m=120).z_score for _ in range(30)
    ]
    assert abs(np.mean(z)) < 0.6 and 0.5 < np.std(z) < 1.6


def test_errors():
    points = gpd.GeoDataFrame(
        {"y": [1.0, 2, 3, 4, 5]}, geometry=[Point(i, 0) for i in range(5)], crs=27700
    )
    with pytest.raises(ValueError, match="negative"):
        hs.general_g(points, value=[1.0, -2, 3, 4, 5], distance_m=2)
    with pytest.raises(ValueError, match="at least 4"):
        hs.general_g(points.iloc[:3], value="y", distance_m=2)
    with pytest.raises(ValueError, match="zero variance"):
        hs.general_g(points, value=[2.0] * 5, distance_m=2)
    with pytest.raises(ValueError, match="n_permutations"):
        hs.general_g(points, value="y", distance_m=2, n_permutations=-3)
    with pytest.raises(ValueError, match="alternative"):
        hs.general_g(points, value="y", distance_m=2, alternative="up")
    with pytest.raises(ValueError, match="`distance_m` applies to named weights"):
        hs.general_g(points, value="y", spatial_weights=np.ones((5, 5)), distance_m=2)
    with pytest.raises(ValueError, match="`k` applies to spatial_weights='knn' only"):
        hs.general_g(points, value="y", distance_m=2, k=2)


def test_inputs_are_not_mutated_w_graph_and_frame(columbus, columbus_w):
    from geopandas.testing import assert_geodataframe_equal
    from libpysal.graph import Graph

    w = columbus_w
    w.transform = "R"
    before_w = (w.transform, w.sparse.data.copy(), w.sparse.diagonal().copy())
    graph = Graph.build_contiguity(columbus, rook=False).transform("R")
    before_g = (graph.transformation, graph.sparse.data.copy(), graph.sparse.diagonal().copy())
    frame_before = columbus.copy()
    for weights in (w, graph):
        hs.general_g(columbus, value="CRIME", spatial_weights=weights, n_permutations=9, rng=0)
    assert w.transform == before_w[0]
    np.testing.assert_array_equal(w.sparse.data, before_w[1])
    np.testing.assert_array_equal(w.sparse.diagonal(), before_w[2])
    assert graph.transformation == before_g[0]
    np.testing.assert_array_equal(graph.sparse.data, before_g[1])
    np.testing.assert_array_equal(graph.sparse.diagonal(), before_g[2])
    assert_geodataframe_equal(columbus, frame_before)
