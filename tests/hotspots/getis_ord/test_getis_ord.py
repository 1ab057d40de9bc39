"""Gi* and Gi: the general Ord-Getis z against esda, the G1 case, weights, inputs, errors."""

from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geodataframe_equal
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse, stats
from shapely.geometry import Point, box

import hotspotlib as hs
from hotspotlib.hotspots.getis_ord.gi import local_g_scores
from hotspotlib.hotspots.inference import confidence_bins as local_confidence_bins

# domain.md section 6 G1 (esda G_Local docstring), binary distance band 15.
G1_GI_STAR = [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331]
G1_GI = [-1.0136729, -0.04361589, 1.31558703, -0.31412676, 1.15373986, 1.77833941]
# esda's deflated values with its default row-standardised weights (not the general z).
G1_ESDA_GI_R = [-0.62074534, -0.01780611, 1.31558703, -0.12824171, 0.28843496, 1.77833941]
G1_ESDA_GI_STAR_R = [-0.62488094, -0.09144599, 0.41150696, -0.09144599, 0.24690418, 1.28024388]


def _esda_local(y, w, *, star):
    import esda

    w = w.to_W() if hasattr(w, "to_W") else w  # esda 2.5 takes a W, not a Graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(y, copy.deepcopy(w), transform="B", star=star, permutations=0)


def _g1_row_standardised_matrix(points: gpd.GeoDataFrame) -> sparse.csr_array:
    xy = np.column_stack([points.geometry.x, points.geometry.y])
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    binary = ((distance <= 15) & (distance > 0)).astype(float)
    return sparse.csr_array(binary / binary.sum(axis=1, keepdims=True))


def test_g1_binary_gi_star_and_gi(g1_points):
    star = hs.gi_star(g1_points, value="y", distance_m=15)
    plain = hs.gi_star(g1_points, value="y", distance_m=15, star=False)
    np.testing.assert_allclose(star.z_score, G1_GI_STAR, atol=1e-6)
    np.testing.assert_allclose(plain.z_score, G1_GI, atol=1e-6)


def test_g1_row_standardised_equals_binary_under_general_formula(g1_points):
    # Row-standardising rescales each row; the general z does not move. esda's
    # deflated row-standardised figures (G1) are therefore NOT reproduced, on purpose.
    matrix = _g1_row_standardised_matrix(g1_points)
    star = hs.gi_star(g1_points, value="y", spatial_weights=matrix)
    plain = hs.gi_star(g1_points, value="y", spatial_weights=matrix, star=False)
    np.testing.assert_allclose(star.z_score, G1_GI_STAR, atol=1e-10)
    np.testing.assert_allclose(plain.z_score, G1_GI, atol=1e-10)
    assert not np.allclose(star.z_score, G1_ESDA_GI_STAR_R, atol=1e-3)
    assert not np.allclose(plain.z_score, G1_ESDA_GI_R, atol=1e-3)


def test_g1_esda_binary_figures_reproduce_with_esda(g1_points):
    from libpysal.weights import DistanceBand

    xy = np.column_stack([g1_points.geometry.x, g1_points.geometry.y])
    w = DistanceBand(xy, threshold=15, binary=True, silence_warnings=True)
    for star, expected in ((True, G1_GI_STAR), (False, G1_GI)):
        np.testing.assert_allclose(
            _esda_local(g1_points["y"].to_numpy(), w, star=star).Zs, expected, atol=1e-6
        )


@pytest.mark.parametrize("star", [True, False])
def test_matches_esda_on_columbus_with_gal_weights(columbus, columbus_w, star):
    w = columbus_w
    y = columbus["CRIME"].to_numpy()
    ours = hs.gi_star(columbus, value="CRIME", spatial_weights=w, star=star)
    theirs = _esda_local(y, w, star=star)
    np.testing.assert_allclose(ours.z_score, theirs.Zs, rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours.gi, theirs.Gs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.p_analytic, 2 * theirs.p_norm, atol=1e-12)


@pytest.mark.parametrize("star", [True, False])
def test_matches_esda_on_stl_with_queen_built_here(stl, star):
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(stl, rook=False)
    y = stl["HR8893"].to_numpy()
    ours = hs.gi_star(stl, value="HR8893", spatial_weights="queen", star=star)
    np.testing.assert_allclose(ours.z_score, _esda_local(y, graph, star=star).Zs, atol=1e-10)
    assert ours.n_islands == 0


def test_matches_esda_with_a_distance_band_on_points():
    from libpysal.weights import DistanceBand

    rng = np.random.default_rng(3)
    xy = rng.uniform(0, 1_000, (120, 2))
    y = rng.poisson(4, 120).astype(float)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    w = DistanceBand(xy, threshold=180, binary=True, silence_warnings=True)
    islands = np.array([w.cardinalities[i] == 0 for i in w.id_order])
    ours = hs.gi_star(points, value="y", distance_m=180)
    theirs = _esda_local(y, w, star=True)
    np.testing.assert_allclose(ours.z_score[~islands], theirs.Zs[~islands], atol=1e-10)
    assert ours.n_islands == islands.sum()


def test_knn_matches_libpysal_knn_graph():
    from libpysal.graph import Graph

    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1_000, (80, 2))
    y = rng.gamma(2.0, 3.0, 80)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    graph = Graph.build_knn(xy, k=5)
    ours = hs.gi_star(points, value="y", spatial_weights="knn", k=5)
    np.testing.assert_allclose(ours.z_score, _esda_local(y, graph, star=True).Zs, atol=1e-10)
    np.testing.assert_array_equal(ours.n_neighbours, 5)


def test_kernel_weights_match_a_hand_built_matrix(g1_points):
    xy = np.column_stack([g1_points.geometry.x, g1_points.geometry.y])
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    weights = np.where(distance < 25, (1 - (distance / 25) ** 2) ** 2, 0.0)
    ours = hs.gi_star(g1_points, value="y", spatial_weights="kernel", distance_m=25)
    given_ = hs.gi_star(g1_points, value="y", spatial_weights=sparse.csr_array(weights))
    np.testing.assert_allclose(ours.z_score, given_.z_score, atol=1e-12)


def test_general_formula_by_brute_force_for_weighted_rows():
    rng = np.random.default_rng(11)
    n = 9
    weights = rng.uniform(0, 2, (n, n)) * (rng.random((n, n)) < 0.5)
    np.fill_diagonal(weights, 0)
    weights[:, 0] += 0.5
    weights[0, 0] = 0
    x = rng.gamma(2, 2, n)
    for star in (True, False):
        w = weights + (np.eye(n) if star else 0)
        result = hs.gi_star(_points(n), value=x, spatial_weights=sparse.csr_array(w), star=star)
        for i in range(n):
            keep = np.ones(n, bool) if star else np.arange(n) != i
            xs, ws = x[keep], w[i, keep]
            count = keep.sum()
            num = ws @ xs - xs.mean() * ws.sum()
            den = xs.std() * np.sqrt((count * (ws**2).sum() - ws.sum() ** 2) / (count - 1))
            assert result.z_score[i] == pytest.approx(num / den, abs=1e-12)


def _points(n: int, *, crs: str | None = "EPSG:27700") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=[Point(i, 0) for i in range(n)], crs=crs)


@settings(max_examples=30, deadline=None)
@given(
    scale=st.lists(st.floats(0.01, 100), min_size=10, max_size=10),
    seed=st.integers(0, 10_000),
    star=st.booleans(),
)
def test_z_unchanged_when_a_row_is_rescaled(scale, seed, star):
    rng = np.random.default_rng(seed)
    n = 10
    weights = rng.uniform(0.1, 1, (n, n)) * (rng.random((n, n)) < 0.6)
    np.fill_diagonal(weights, 1.0)
    x = rng.poisson(5, n).astype(float) + np.arange(n) % 2
    base = hs.gi_star(_points(n), value=x, spatial_weights=sparse.csr_array(weights), star=star)
    scaled = hs.gi_star(
        _points(n),
        value=x,
        spatial_weights=sparse.csr_array(weights * np.array(scale)[:, None]),
        star=star,
    )
    np.testing.assert_allclose(scaled.z_score, base.z_score, atol=1e-9, equal_nan=True)


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.001, 1_000), b=st.floats(-1_000, 1_000), seed=st.integers(0, 10_000))
def test_z_unchanged_by_a_linear_change_of_values(a, b, seed):
    rng = np.random.default_rng(seed)
    x = rng.gamma(2, 5, 40) + 1.0
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*rng.uniform(0, 100, (2, 40))), crs=27700)
    base = hs.gi_star(points, value=x, distance_m=30)
    moved = hs.gi_star(points, value=a * x + b, distance_m=30)
    np.testing.assert_allclose(moved.z_score, base.z_score, atol=1e-7, equal_nan=True)


def test_local_scores_flag_units_whose_neighbourhood_is_everything():
    x = np.array([1.0, 2.0, 3.0, 5.0])
    weights = np.ones((4, 4))
    scores = local_g_scores(
        lag=weights @ x,
        weight_sum=weights.sum(1),
        weight_sq_sum=(weights**2).sum(1),
        n_neighbours=np.full(4, 3),
        x=x,
        star=True,
    )
    assert np.isnan(scores["z_score"]).all()
    assert scores["undefined"].sum() == 4


def test_islands_are_nan_counted_and_not_tests():
    xy = [(0, 0), (10, 0), (20, 0), (0, 10), (10, 10), (5000, 5000)]
    points = gpd.GeoDataFrame(
        {"y": [1.0, 5, 2, 8, 3, 9]}, geometry=[Point(p) for p in xy], crs=27700
    )
    with pytest.warns(UserWarning, match=r"1 of 6 units have no neighbour.*>= 7,056"):
        result = hs.gi_star(points, value="y", distance_m=15)
    frame = result.to_frame()
    assert result.n_islands == 1
    assert np.isnan(frame["z_score"].iloc[-1]) and np.isnan(frame["q_value"].iloc[-1])
    assert frame["bin"].iloc[-1] == 0 and frame["n_neighbours"].iloc[-1] == 0
    assert "1 units have no neighbour" in str(result.summary())
    with pytest.warns(UserWarning, match="1 of 6 units"):
        plain = hs.gi_star(points, value="y", distance_m=15, star=False)
    assert plain.n_islands == 1 and np.isnan(plain.z_score[-1])


def test_p_values_alternatives_and_esda_p_norm(g1_points):
    two = hs.gi_star(g1_points, value="y", distance_m=15)
    greater = hs.gi_star(g1_points, value="y", distance_m=15, alternative="greater")
    less = hs.gi_star(g1_points, value="y", distance_m=15, alternative="less")
    np.testing.assert_allclose(two.p_value, 2 * stats.norm.sf(np.abs(two.z_score)))
    np.testing.assert_allclose(greater.p_value + less.p_value, 1.0)
    one_sided = np.where(two.z_score > 0, greater.p_value, less.p_value)
    np.testing.assert_allclose(one_sided, two.p_value / 2)


def test_bins_are_two_sided_whatever_the_alternative(g1_points):
    # G1's sixth point has Gi z = 1.778: two-sided p = 0.075 (90 %, bin 1), one-sided
    # p = 0.038, which used to put it in the 95 % bin under alternative="greater".
    for alternative in ("two-sided", "greater", "less"):
        result = hs.gi_star(
            g1_points, value="y", distance_m=15, star=False, alternative=alternative, fdr=False
        )
        assert result.z_score[5] == pytest.approx(G1_GI[5], abs=1e-6)
        assert result.bin.tolist() == [0, 0, 0, 0, 0, 1]
    greater = hs.gi_star(g1_points, value="y", distance_m=15, star=False, alternative="greater")
    assert greater.p_value[5] == pytest.approx(stats.norm.sf(G1_GI[5]), abs=1e-6)
    # With permutations the bins come from a two-sided run: never from the one-sided p.
    rng = np.random.default_rng(4)
    xy = rng.uniform(0, 2_000, (300, 2))
    y = rng.poisson(2, 300) + 6 * (np.hypot(*(xy - 1_000).T) < 300)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    one_sided = hs.gi_star(
        points, value="y", distance_m=250, alternative="greater", n_permutations=199, rng=1
    )
    two_sided = hs.gi_star(points, value="y", distance_m=250, n_permutations=199, rng=1)
    one_sided_bins = local_confidence_bins(one_sided.z_score, one_sided.q_value)
    assert (np.abs(one_sided.bin) < np.abs(one_sided_bins)).any()
    assert np.abs(one_sided.bin - two_sided.bin).max() <= 1


def test_bins_with_and_without_fdr():
    rng = np.random.default_rng(2)
    xy = rng.uniform(0, 2_000, (400, 2))
    y = rng.poisson(2, 400) + 12 * (np.hypot(*(xy - 1_000).T) < 250)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    raw = hs.gi_star(points, value="y", distance_m=200, fdr=False)
    fdr = hs.gi_star(points, value="y", distance_m=200)
    np.testing.assert_array_equal(raw.z_score, fdr.z_score)
    assert (np.abs(fdr.bin) <= np.abs(raw.bin)).all()
    assert (np.abs(fdr.bin) < np.abs(raw.bin)).any()
    assert (fdr.bin == 3).sum() > 0
    expected_raw = np.sign(raw.z_score) * (
        (raw.p_value <= 0.10).astype(int) + (raw.p_value <= 0.05) + (raw.p_value <= 0.01)
    )
    np.testing.assert_array_equal(raw.bin, expected_raw)


def test_inputs_are_not_mutated_w_graph_and_frame(columbus, columbus_w):
    from libpysal.graph import Graph

    w = columbus_w
    w.transform = "R"
    before_w = (w.transform, w.sparse.data.copy(), w.sparse.diagonal().copy())
    graph = Graph.build_contiguity(columbus, rook=False).transform("R")
    before_g = (graph.transformation, graph.sparse.data.copy(), graph.sparse.diagonal().copy())
    frame_before = columbus.copy()
    for weights in (w, graph):
        hs.gi_star(columbus, value="CRIME", spatial_weights=weights, n_permutations=9, rng=0)
        hs.gi_star(columbus, value="CRIME", spatial_weights=weights, star=False)
    assert w.transform == before_w[0]
    np.testing.assert_array_equal(w.sparse.data, before_w[1])
    np.testing.assert_array_equal(w.sparse.diagonal(), before_w[2])
    assert graph.transformation == before_g[0]
    np.testing.assert_array_equal(graph.sparse.data, before_g[1])
    np.testing.assert_array_equal(graph.sparse.diagonal(), before_g[2])
    assert_geodataframe_equal(columbus, frame_before)


def test_row_standardised_w_gives_the_binary_result(columbus, columbus_w):
    w = columbus_w
    binary = hs.gi_star(columbus, value="CRIME", spatial_weights=w)
    w.transform = "R"
    rowstd = hs.gi_star(columbus, value="CRIME", spatial_weights=w)
    np.testing.assert_allclose(rowstd.z_score, binary.z_score, atol=1e-10)
    assert "row's largest weight" in rowstd.parameters["spatial_weights"]


def test_frame_index_and_crs_are_kept():
    points = gpd.GeoDataFrame(
        {"y": [1.0, 4, 2, 8, 3, 7, 1, 2]},
        geometry=[Point(i * 10, (i % 3) * 10) for i in range(8)],
        crs="EPSG:27700",
        index=[f"place-{i}" for i in range(8)],
    )
    frame = hs.gi_star(points, value="y", distance_m=25).to_frame()
    assert list(frame.index) == list(points.index)
    assert frame.crs == points.crs
    assert list(frame.columns[:8]) == [
        "value",
        "gi",
        "expected",
        "z_score",
        "p_value",
        "q_value",
        "bin",
        "n_neighbours",
    ]


def test_weights_matched_by_id_when_ids_equal_the_index(g1_points):
    from libpysal.weights import W

    shuffled = g1_points.set_axis(["a", "b", "c", "d", "e", "f"])
    xy = np.column_stack([shuffled.geometry.x, shuffled.geometry.y])
    distance = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
    ids = list(shuffled.index)
    neighbours = {
        ids[i]: [ids[j] for j in np.nonzero((distance[i] <= 15) & (distance[i] > 0))[0]]
        for i in range(6)
    }
    w = W(neighbours, id_order=ids[::-1], silence_warnings=True)
    result = hs.gi_star(shuffled, value="y", spatial_weights=w)
    np.testing.assert_allclose(result.z_score, G1_GI_STAR, atol=1e-6)
    assert "by id" in result.parameters["spatial_weights"]


def _lattice_with_values():
    rng = np.random.default_rng(0)
    y = rng.poisson(3, 36).astype(float)
    y[:5] += 10
    cells = [box(i, j, i + 1, j + 1) for i in range(6) for j in range(6)]
    return gpd.GeoDataFrame({"y": y}, geometry=cells, crs=27700)


def test_positional_w_on_a_sorted_frame_is_refused():
    # W.from_dataframe numbers rows 0..n-1 by position; on a frame sorted by value the
    # index is the same numbers in another order, so matching "by id" gave each unit
    # another unit's neighbours (z off by up to 3.72).
    from libpysal.graph import Graph
    from libpysal.weights import Queen

    cells = _lattice_with_values()
    ordered = cells.sort_values("y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        w = Queen.from_dataframe(ordered)
    assert list(w.id_order) == list(range(36)) and list(ordered.index) != list(range(36))
    with pytest.raises(ValueError, match=r"ids 0 \.\. 35 in order.*reset_index"):
        hs.gi_star(ordered, value="y", spatial_weights=w)
    with pytest.raises(ValueError, match=r"ids 0 \.\. 35 in order"):
        hs.general_g(ordered, value="y", spatial_weights=w)
    # After resetting the index the same W matches, and agrees with named queen weights.
    reset = ordered.reset_index(drop=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        w_reset = Queen.from_dataframe(reset)
    reference = hs.gi_star(cells, value="y", spatial_weights="queen").z_score
    np.testing.assert_allclose(
        hs.gi_star(reset, value="y", spatial_weights=w_reset).z_score,
        reference[ordered.index.to_numpy()],
        atol=1e-12,
    )
    # A Graph carries the frame's labels as ids and is matched by id.
    graph = Graph.build_contiguity(ordered, rook=False)
    result = hs.gi_star(ordered, value="y", spatial_weights=graph)
    np.testing.assert_allclose(result.z_score, reference[ordered.index.to_numpy()], atol=1e-12)
    assert "by id" in result.parameters["spatial_weights"]


def test_event_counts_value_defaults_to_weighted_sum(city):
    grid = hs.make_grid(city.boundary, cell_size_m=1_000)
    counts = hs.count_events(city.events, grid, weights="harm")
    by_default = hs.gi_star(counts, distance_m=1_500)
    by_count = hs.gi_star(counts, value="count", distance_m=1_500)
    assert by_default.value_name == "weight_sum"
    np.testing.assert_array_equal(by_default.value, counts.weight_sum)
    np.testing.assert_array_equal(by_count.value, counts.count)


def test_polygons_use_centroid_distances():
    cells = gpd.GeoDataFrame(
        {"y": [1.0, 2, 9, 3, 1, 0]},
        geometry=[box(i * 10, 0, i * 10 + 10, 10) for i in range(6)],
        crs=27700,
    )
    result = hs.gi_star(cells, value="y", distance_m=10)
    np.testing.assert_array_equal(result.n_neighbours, [1, 2, 2, 2, 2, 1])


def test_result_arrays_read_only_and_methods(g1_points):
    result = hs.gi_star(g1_points, value="y", distance_m=15)
    with pytest.raises(ValueError):
        result.z_score[0] = 1.0
    assert isinstance(result.significant(0.90), gpd.GeoDataFrame)
    assert len(result.significant(0.99, kind="both")) == 0
    assert "Gi*" in str(result.summary())
    assert result.plot() is not None


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"value": "nope"}, ValueError, "missing column"),
        ({"value": [1.0, 2.0]}, ValueError, "one entry per unit"),
        ({"value": [1.0, np.nan, 2, 3, 4, 5]}, ValueError, "NaN"),
        ({"value": [2.0] * 6}, ValueError, "zero variance"),
        ({"value": "y", "alternative": "both"}, ValueError, "alternative"),
        ({"value": "y", "spatial_weights": "delaunay"}, ValueError, "spatial_weights"),
        (
            {"value": "y", "spatial_weights": "queen", "distance_m": None},
            ValueError,
            "needs polygons",
        ),
        ({"value": "y", "spatial_weights": "kernel", "distance_m": None}, TypeError, "distance_m"),
        ({"value": "y", "spatial_weights": "knn", "distance_m": None, "k": 6}, ValueError, "`k`"),
        ({"value": "y", "distance_m": -5}, ValueError, "distance_m"),
        ({"value": "y", "n_permutations": -1}, ValueError, "n_permutations"),
        ({"value": "y", "alpha": 1.5}, ValueError, "alpha"),
        (
            {"value": "y", "spatial_weights": np.ones((3, 3)), "distance_m": None},
            ValueError,
            "6 x 6",
        ),
        (
            {"value": "y", "spatial_weights": -np.ones((6, 6)), "distance_m": None},
            ValueError,
            "negative",
        ),
        (
            {"value": "y", "spatial_weights": {"a": 1}, "distance_m": None},
            TypeError,
            "libpysal Graph",
        ),
        ({"value": "y", "star": "yes"}, TypeError, "star"),
        ({}, TypeError, "`value` must be the name of a numeric column"),
        # distance_m and k where they would be ignored
        ({"value": "y", "spatial_weights": np.eye(6)}, ValueError, "`distance_m` applies to named"),
        (
            {"value": "y", "spatial_weights": "knn", "k": 3},
            ValueError,
            "`distance_m` applies to named",
        ),
        ({"value": "y", "k": 3}, ValueError, "`k` applies to spatial_weights='knn' only"),
        (
            {"value": "y", "spatial_weights": np.eye(6), "distance_m": None, "k": 3},
            ValueError,
            r"`k` applies.*ndarray \(used as given\)",
        ),
    ],
)
def test_errors(g1_points, kwargs, error, match):
    kwargs.setdefault("distance_m", 15)
    with pytest.raises(error, match=match):
        hs.gi_star(g1_points, **kwargs)


def test_errors_on_units(g1_points):
    with pytest.raises(TypeError, match="GeoDataFrame"):
        hs.gi_star(np.ones(5), value=np.ones(5))
    with pytest.raises(ValueError, match="at least 3"):
        hs.gi_star(g1_points.iloc[:2], value="y", distance_m=15)
    with pytest.raises(ValueError, match="geographic"):
        hs.gi_star(g1_points.to_crs(4326), value="y", distance_m=15)
    with pytest.raises(ValueError, match="empty"):
        hs.gi_star(g1_points.iloc[:0], value="y")
    mixed = g1_points.copy()
    mixed.loc[0, "geometry"] = box(0, 0, 1, 1)
    with pytest.raises(ValueError, match="all points or all polygons"):
        hs.gi_star(mixed, value="y", distance_m=15)


def test_value_series_is_matched_by_label(g1_points):
    # The same values listed in reverse order under their own labels.
    reversed_values = g1_points["y"].iloc[::-1]
    result = hs.gi_star(g1_points, value=reversed_values, distance_m=15)
    np.testing.assert_allclose(result.z_score, G1_GI_STAR, atol=1e-6)
    g_aligned = hs.general_g(g1_points, value="y", distance_m=15)
    g_by_label = hs.general_g(g1_points, value=reversed_values, distance_m=15)
    assert g_by_label.z_score == pytest.approx(g_aligned.z_score, abs=1e-12)
    with pytest.raises(ValueError, match="Series whose index labels are not those of the units"):
        hs.gi_star(g1_points, value=reversed_values.set_axis(list("abcdef")), distance_m=15)
    counts = hs.count_events(g1_points, hs.make_grid(g1_points.buffer(5), cell_size_m=10))
    per_cell = pd.Series(counts.count, index=counts.cells.index)
    np.testing.assert_allclose(
        hs.gi_star(counts, value=per_cell.iloc[::-1], distance_m=15).z_score,
        hs.gi_star(counts, value="count", distance_m=15).z_score,
    )


def test_islands_refused_or_warned(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    counts = hs.count_events(city.events, grid)
    with pytest.raises(ValueError, match=r"every one of the .* units has no neighbour.*>= 500"):
        hs.gi_star(counts, distance_m=1)
    frame = counts.to_frame()
    lonely = frame.iloc[[0]].set_geometry(frame.geometry.iloc[[0]].translate(50_000, 0))
    some = gpd.GeoDataFrame(pd.concat([frame, lonely]), crs=frame.crs)
    result = hs.gi_star(some, value="count", distance_m=600)  # one island in many: noted
    assert result.n_islands == 1 and "1 units have no neighbour" in str(result.summary())


def test_permutation_floor_is_explained(city):
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    counts = hs.count_events(city.events, grid)
    result = hs.gi_star(counts, distance_m=300, n_permutations=99, rng=1)
    assert any("smallest possible p-value is 1/(B+1) = 0.01" in note for note in result.notes)
    assert "permutations" in str(result.summary())
    analytic = hs.gi_star(counts, distance_m=300).notes
    assert not any("1/(B+1)" in note for note in analytic)
