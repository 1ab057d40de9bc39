"""Local Moran's I: esda as oracle, a hand-worked grid, exact moments, planted truth."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import pickle
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.hotspots.local_moran import local_moran_scores
from hotspotlib.hotspots.weights import build_weights


def _esda_moran_local(y, w, transformation="r"):
    """esda's analytic results only (no permutations: numba's compile stays out)."""
    import esda

    w = w.to_W() if hasattr(w, "to_W") else w  # esda 2.5 takes a W, not a Graph
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.Moran_Local(y, copy.deepcopy(w), transformation=transformation, permutations=0)


def _esda_variance_sums_m4():
    import esda
    from packaging.version import Version

    return Version(esda.__version__) >= Version("2.9")


def _assert_matches_esda(ours, theirs, n):
    shrink = (n - 1) / n
    np.testing.assert_allclose(ours.local_i, theirs.Is, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(ours.quadrant, theirs.q)
    np.testing.assert_allclose(ours.expected, theirs.EI * shrink, rtol=0, atol=1e-10)
    if not _esda_variance_sums_m4():
        return  # older esda (2.7 and before) puts z**4 per unit, not its mean, in VI
    np.testing.assert_allclose(ours.variance, theirs.VI * shrink**2, rtol=0, atol=1e-10)
    anselin_z = (theirs.Is / shrink - theirs.EI) / np.sqrt(theirs.VI)
    np.testing.assert_allclose(ours.z_score, anselin_z, rtol=0, atol=1e-10)


def _square_grid(side: int, cell: float = 100.0) -> hs.Grid:
    area = gpd.GeoSeries([box(0, 0, cell * side, cell * side)], crs=27700)
    return hs.make_grid(area, cell_size_m=cell)


def _libpysal_w(grid: hs.Grid, kind: str, distance_m: float | None = None):
    from libpysal.weights import WSP

    spatial = build_weights(
        kind,
        n=grid.n_cells,
        index=grid.cells.index,
        centroids=grid.centroids,
        geometry=None,
        grid=grid,
        distance_m=distance_m,
        k=None,
        star=False,
    )
    return WSP(spatial.matrix.tocsr()).to_W(silence_warnings=True)


# --- esda as the oracle -------------------------------------------------------------


@pytest.mark.parametrize(("kind", "distance_m"), [("queen", None), ("distance_band", 250.0)])
def test_matches_esda_on_a_small_grid(kind, distance_m):
    grid = _square_grid(12)
    values = np.random.default_rng(4).poisson(3.0, grid.n_cells).astype(float)
    w = _libpysal_w(grid, kind, distance_m)
    ours = hs.local_moran(
        grid, value=values, spatial_weights=kind, distance_m=distance_m, n_permutations=0
    )
    _assert_matches_esda(ours, _esda_moran_local(values, w), grid.n_cells)


def test_matches_esda_on_columbus_with_gal_weights(columbus, columbus_w):
    y = columbus["CRIME"].to_numpy()
    ours = hs.local_moran(columbus, value="CRIME", spatial_weights=columbus_w, n_permutations=0)
    _assert_matches_esda(ours, _esda_moran_local(y, columbus_w), len(y))
    assert ours.counts["n_islands"] == 0


def test_queen_built_here_matches_esda_with_a_libpysal_graph(columbus):
    from libpysal.graph import Graph

    graph = Graph.build_contiguity(columbus, rook=False)
    y = columbus["HOVAL"].to_numpy()
    ours = hs.local_moran(columbus, value="HOVAL", spatial_weights="queen", n_permutations=0)
    _assert_matches_esda(ours, _esda_moran_local(y, graph), len(y))


def test_binary_weights_match_esda_transformation_b(columbus, columbus_w):
    y = columbus["INC"].to_numpy()
    ours = hs.local_moran(
        columbus, value="INC", spatial_weights=columbus_w, row_standardise=False, n_permutations=0
    )
    _assert_matches_esda(ours, _esda_moran_local(y, columbus_w, "B"), len(y))


# --- hand-worked and exact checks ---------------------------------------------------


def test_hand_worked_3x3_rook():
    # Centre 9, the other eight 0: mean 1, deviations 8 and -1, m2 = 72/9 = 8,
    # m4 = (4096 + 8)/9 = 456, b2 = 456/64 = 7.125, n = 9, (n-1)/n = 8/9.
    # Row-standardised rook lags of the deviations: centre -1, edge (-1-1+8)/3 = 2,
    # corner -1. I = 8/9 * d_i * lag_i / 8: centre -8/9, edge -2/9, corner 1/9.
    # E = -1/9. Anselin's variance S(n-b2)/(n-1) + (1-S)(2b2-n)/((n-1)(n-2)) - 1/64
    # with S = sum w^2 = 1/4, 1/3, 1/2: 7.25/64, 8/64, 9.5/64; times (8/9)^2:
    # 7.25/81, 8/81, 9.5/81. z: -7/sqrt(7.25), -1/sqrt(8), 2/sqrt(9.5).
    grid = _square_grid(3)
    centre = np.hypot(*(grid.centroids() - 150.0).T)
    values = np.where(centre == 0, 9.0, 0.0)
    kind = np.select([centre == 0, centre == 100], ["centre", "edge"], "corner")
    result = hs.local_moran(grid, value=values, spatial_weights="rook", n_permutations=0)
    want = {
        "centre": (-8 / 9, 7.25 / 81, -7 / np.sqrt(7.25), 4),
        "edge": (-2 / 9, 8 / 81, -1 / np.sqrt(8), 2),
        "corner": (1 / 9, 9.5 / 81, 2 / np.sqrt(9.5), 3),
    }
    for name, (local_i, variance, z, quadrant) in want.items():
        rows = kind == name
        np.testing.assert_allclose(result.local_i[rows], local_i, atol=1e-12)
        np.testing.assert_allclose(result.expected[rows], -1 / 9, atol=1e-12)
        np.testing.assert_allclose(result.variance[rows], variance, atol=1e-12)
        np.testing.assert_allclose(result.z_score[rows], z, atol=1e-12)
        assert (result.quadrant[rows] == quadrant).all()
    assert (result.n_neighbours == np.select([kind == "centre", kind == "edge"], [4, 3], 2)).all()


def test_moments_are_exact_under_total_randomisation():
    # Every one of the 7! arrangements of the values: the mean and variance of I_i over
    # them are the moments by definition.
    rng = np.random.default_rng(3)
    n = 7
    upper = np.triu((rng.random((n, n)) < 0.5).astype(float), 1)
    adjacency = upper + upper.T
    adjacency[0, 1] = adjacency[1, 0] = 1.0
    adjacency[adjacency.sum(axis=1) == 0, 0] = 1.0
    adjacency = np.maximum(adjacency, adjacency.T)
    np.fill_diagonal(adjacency, 0.0)
    weights = sparse.csr_array(adjacency / adjacency.sum(axis=1, keepdims=True))
    x = rng.gamma(2.0, 2.0, n)
    scores = local_moran_scores(weights, x)
    every = np.array(
        [
            local_moran_scores(weights, x[list(p)])["local_i"]
            for p in itertools.permutations(range(n))
        ]
    )
    np.testing.assert_allclose(scores["expected"], every.mean(axis=0), atol=1e-12)
    np.testing.assert_allclose(scores["variance"], every.var(axis=0), atol=1e-12)


def test_permutation_p_matches_the_exact_conditional_distribution():
    # Unit 0 of a 7-unit chain-like layout: hold x_0, place the other six values in
    # every order; the exact two-sided p is twice the smaller share of arrangements
    # whose I_0 is at least (at most) the observed one.
    n = 7
    adjacency = np.zeros((n, n))
    for i, j in [(0, 1), (0, 2), (0, 3), (1, 2), (3, 4), (4, 5), (5, 6), (2, 6)]:
        adjacency[i, j] = adjacency[j, i] = 1.0
    weights = sparse.csr_array(adjacency / adjacency.sum(axis=1, keepdims=True))
    x = np.array([9.0, 7.0, 6.0, 8.0, 1.0, 2.0, 0.5])
    observed = local_moran_scores(weights, x)["local_i"][0]
    simulated = []
    for order in itertools.permutations(range(1, n)):
        shuffled = np.concatenate([[x[0]], x[list(order)]])
        simulated.append(local_moran_scores(weights, shuffled)["local_i"][0])
    simulated = np.array(simulated)
    upper = np.mean(simulated >= observed - 1e-12)
    lower = np.mean(simulated <= observed + 1e-12)
    exact = min(1.0, 2 * min(upper, lower))
    points = gpd.GeoDataFrame(
        {"y": x}, geometry=gpd.points_from_xy(np.arange(n), np.zeros(n)), crs=27700
    )
    result = hs.local_moran(
        points, value="y", spatial_weights=weights, n_permutations=20_000, rng=5
    )
    assert abs(result.p_value[0] - exact) < 4 * np.sqrt(exact * (1 - exact) / 20_000) + 1e-4


# --- planted truth ------------------------------------------------------------------


@pytest.fixture(scope="module")
def planted():
    city = hs.synthetic_city(
        n_events=6_000, n_hotspots=3, hotspot_size_m=750, hotspot_share=0.3, rng=11
    )
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    counts = hs.count_events(city.events, grid)
    return city, grid, counts


def test_planted_hot_spot_is_high_high(planted):
    city, grid, counts = planted
    result = hs.local_moran(counts, spatial_weights="queen", rng=1)
    frame = result.to_frame()
    for spot in city.hotspots.geometry:
        inside = frame.geometry.centroid.within(spot).to_numpy()
        assert inside.any()
        core = inside & (frame["value"].to_numpy() >= np.median(frame["value"][inside]))
        assert (frame["cluster_type"][core] == "High-High").mean() >= 0.5


def test_isolated_high_cell_in_a_low_area_is_high_low(planted):
    _, grid, counts = planted
    values = np.asarray(counts.count, dtype=float).copy()
    queen = build_weights(
        "queen",
        n=grid.n_cells,
        index=grid.cells.index,
        centroids=grid.centroids,
        geometry=None,
        grid=grid,
        distance_m=None,
        k=None,
        star=False,
    ).matrix
    full = np.asarray(queen.sum(axis=1)).ravel() == 8
    neighbourhood_max = np.array([values[queen[[i]].indices].max() for i in np.nonzero(full)[0]])
    quiet = np.nonzero(full)[0][np.argsort(neighbourhood_max + values[full], kind="stable")[0]]
    values[quiet] = values.max() * 3
    result = hs.local_moran(grid, value=values, spatial_weights="queen", fdr=False, rng=2)
    assert result.quadrant[quiet] == 4
    assert result.cluster_type[quiet] == "High-Low"
    assert result.local_i[quiet] < 0


# --- permutations -------------------------------------------------------------------


@settings(max_examples=15, deadline=None)
@given(
    n_permutations=st.integers(min_value=1, max_value=60),
    seed=st.integers(min_value=0, max_value=2**16),
)
def test_permutation_p_values_lie_in_range(n_permutations, seed):
    rng = np.random.default_rng(seed)
    grid = _square_grid(5)
    values = rng.poisson(2.0, grid.n_cells).astype(float) + rng.random(grid.n_cells)
    result = hs.local_moran(
        grid, value=values, spatial_weights="queen", n_permutations=n_permutations, rng=seed
    )
    assert np.all(result.p_value >= 1 / (n_permutations + 1) - 1e-15)
    assert np.all(result.p_value >= 2 / (n_permutations + 1) - 1e-15)
    assert np.all(result.p_value <= 1.0)
    assert np.all(result.q_value >= result.p_value - 1e-15)


def test_same_rng_same_result_and_other_rng_differs():
    grid = _square_grid(10)
    values = np.random.default_rng(0).poisson(3.0, grid.n_cells).astype(float) + 0.5
    first = hs.local_moran(grid, value=values, spatial_weights="queen", n_permutations=199, rng=42)
    again = hs.local_moran(
        grid,
        value=values,
        spatial_weights="queen",
        n_permutations=199,
        rng=np.random.default_rng(42),
    )
    other = hs.local_moran(grid, value=values, spatial_weights="queen", n_permutations=199, rng=43)
    np.testing.assert_array_equal(first.p_value, again.p_value)
    np.testing.assert_array_equal(first.cluster_type, again.cluster_type)
    assert not np.array_equal(first.p_value, other.p_value)


def test_permutation_p_is_close_to_analytic_for_a_strong_cluster():
    grid = _square_grid(15)
    distance = np.hypot(*(grid.centroids() - 750.0).T)
    values = 20.0 * np.exp(-(distance**2) / (2 * 200.0**2)) + np.random.default_rng(1).random(
        grid.n_cells
    )
    result = hs.local_moran(grid, value=values, spatial_weights="queen", n_permutations=999, rng=3)
    centre = np.argmin(distance)
    assert result.p_permutation is not None
    assert result.p_permutation[centre] == pytest.approx(2 / 1000)
    assert result.cluster_type[centre] == "High-High"


def test_value_at_the_mean_has_p_one():
    grid = _square_grid(3)
    values = np.array([0.0, 1, 2, 3, 4, 5, 6, 7, 8])  # mean 4, at the centre cell
    result = hs.local_moran(grid, value=values, spatial_weights="queen", n_permutations=99, rng=0)
    at_mean = values == 4
    assert result.p_value[at_mean] == 1.0
    assert result.counts["n_at_mean"] == 1


def test_islands_are_reported_not_tested():
    xy = np.array([[0, 0], [50, 0], [0, 50], [50, 50], [5_000, 5_000], [90, 20.0]])
    y = np.array([1.0, 3, 2, 5, 9, 4])
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    with pytest.warns(UserWarning, match="1 of 6 units have no neighbour"):
        result = hs.local_moran(points, value="y", distance_m=100, n_permutations=49, rng=0)
    assert result.counts["n_islands"] == 1
    assert result.local_i[4] == 0.0
    assert np.isnan(result.z_score[4]) and np.isnan(result.p_value[4])
    assert result.cluster_type[4] == "no neighbours" and result.quadrant[4] == 0
    assert any("no neighbour" in note for note in result.notes)


# --- the result contract ------------------------------------------------------------


def test_inputs_are_not_mutated(columbus, columbus_w):
    frame = columbus.copy()
    before = frame.copy()
    transform = columbus_w.transform
    weights = sparse.csr_array(columbus_w.sparse, copy=True)
    weights_before = weights.toarray().copy()
    hs.local_moran(frame, value="CRIME", spatial_weights=columbus_w, n_permutations=19, rng=0)
    hs.local_moran(frame, value="CRIME", spatial_weights=weights, n_permutations=19, rng=0)
    pd.testing.assert_frame_equal(frame, before)
    assert columbus_w.transform == transform
    np.testing.assert_array_equal(weights.toarray(), weights_before)


def test_result_is_frozen_and_read_only(columbus):
    result = hs.local_moran(
        columbus, value="CRIME", spatial_weights="queen", n_permutations=19, rng=0
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.local_i = result.z_score  # type: ignore[misc]
    for name in ("local_i", "z_score", "p_value", "quadrant", "cluster_type", "p_permutation"):
        array = getattr(result, name)
        assert not array.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            array[0] = array[1]
    with pytest.raises(TypeError, match="read-only"):
        result.parameters["alpha"] = 0.1
    with pytest.raises(TypeError, match="read-only"):
        result.counts["n_units"] = 0
    assert isinstance(result.notes, tuple)
    for twin in (pickle.loads(pickle.dumps(result)), copy.copy(result), copy.deepcopy(result)):
        assert not twin.local_i.flags.writeable and not twin.cluster_type.flags.writeable
        np.testing.assert_array_equal(twin.p_value, result.p_value)
        with pytest.raises(TypeError, match="read-only"):
            twin.counts["n_units"] = 0


def test_to_frame_summary_repr_and_plot(city):
    counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    result = hs.local_moran(counts, spatial_weights="queen", rng=1)
    frame = result.to_frame()
    assert frame.crs == counts.cells.crs
    assert frame.index.equals(counts.cells.index)
    for column in ("local_i", "z_score", "p_value", "q_value", "quadrant", "cluster_type"):
        assert column in frame.columns
    assert set(frame["cluster_type"].cat.categories) >= {"High-High", "not significant"}
    frame.loc[frame.index[0], "local_i"] = 99.0
    assert result.local_i[0] != 99.0
    text = str(result.summary())
    assert "High-High" in text and "two-sided" in text and "esda" in text
    assert result.summary().counts["n_high_high"] == result.counts["n_high_high"]
    assert "\n" not in repr(result) and repr(result).startswith("LocalMoran(")
    ax = result.plot()
    legend = ax.get_legend()
    labels = [text.get_text() for text in legend.get_texts()]
    assert "High-High" in labels and "not significant" in labels
    assert legend.get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1  # off the map
    import matplotlib.pyplot as plt

    plt.close(ax.figure)


def test_points_and_knn_weights():
    rng = np.random.default_rng(8)
    xy = rng.uniform(0, 1_000, (60, 2))
    y = rng.gamma(2.0, 3.0, 60)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    from libpysal.graph import Graph

    graph = Graph.build_knn(xy, k=5)
    ours = hs.local_moran(points, value="y", spatial_weights="knn", k=5, n_permutations=0)
    _assert_matches_esda(ours, _esda_moran_local(y, graph), 60)
    assert "5 nearest" in ours.parameters["spatial_weights"]


# --- bad inputs ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_permutations": -1}, ValueError, "n_permutations"),
        ({"n_permutations": 9.5}, ValueError, "n_permutations"),
        ({"alpha": 1.5}, ValueError, "alpha"),
        ({"row_standardise": "yes"}, TypeError, "row_standardise"),
        ({"spatial_weights": "hexagonal"}, ValueError, "spatial_weights"),
        ({"k": 4}, ValueError, "`k` applies"),
        ({"spatial_weights": "queen", "distance_m": 300}, ValueError, "distance_m"),
        ({"rng": "seed"}, TypeError, "rng"),
    ],
)
def test_bad_options_raise(kwargs, error, match):
    grid = _square_grid(4)
    values = np.arange(grid.n_cells, dtype=float)
    with pytest.raises(error, match=match):
        hs.local_moran(grid, value=values, **kwargs)


def test_bad_values_raise():
    grid = _square_grid(4)
    with pytest.raises(ValueError, match="zero variance"):
        hs.local_moran(grid, value=np.full(grid.n_cells, 2.0))
    with pytest.raises(ValueError, match="NaN"):
        hs.local_moran(grid, value=np.r_[np.nan, np.ones(grid.n_cells - 1)])
    tiny = gpd.GeoDataFrame(
        {"y": [1.0, 2.0]}, geometry=gpd.points_from_xy([0, 1], [0, 1]), crs=27700
    )
    with pytest.raises(ValueError, match="at least 3"):
        hs.local_moran(tiny, value="y")
    with pytest.raises(ValueError, match="spatial_weights"):
        hs.local_moran(grid, value=np.arange(grid.n_cells, dtype=float), spatial_weights=np.eye(3))
