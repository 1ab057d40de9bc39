"""Grid fast path against the sparse path; permutations; multiple-testing adjustments."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib._multiple_testing import adjust_pvalues
from hotspotlib.hotspots.inference import (
    conditional_permutation_p,
    confidence_bins,
    draw_without_replacement,
    fdr_cut,
)


@pytest.fixture(scope="module")
def clipped_counts(city):
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    return hs.count_events(city.events, grid, weights="harm")


def _as_polygons(counts):
    return counts.to_frame()


@pytest.mark.parametrize(
    ("weights", "distance_m"),
    [
        ("distance_band", 900.0),
        ("distance_band", 400.0),
        ("queen", None),
        ("rook", None),
        ("distance_band", None),
    ],
)
@pytest.mark.parametrize("star", [True, False])
def test_grid_stencil_equals_sparse_path_exactly(clipped_counts, weights, distance_m, star):
    fast = hs.gi_star(
        clipped_counts, value="count", spatial_weights=weights, distance_m=distance_m, star=star
    )
    slow = hs.gi_star(
        _as_polygons(clipped_counts),
        value="count",
        spatial_weights=weights,
        distance_m=distance_m,
        star=star,
    )
    assert fast.method.startswith("grid") and slow.method == "sparse weights"
    np.testing.assert_array_equal(fast.n_neighbours, slow.n_neighbours)
    np.testing.assert_array_equal(fast.z_score, slow.z_score)
    np.testing.assert_array_equal(fast.bin, slow.bin)


def test_grid_kernel_equals_sparse_kernel(clipped_counts):
    fast = hs.gi_star(clipped_counts, spatial_weights="kernel", distance_m=1_000)
    slow = hs.gi_star(
        _as_polygons(clipped_counts), value="weight_sum", spatial_weights="kernel", distance_m=1_000
    )
    assert fast.method.startswith("grid")
    np.testing.assert_allclose(fast.z_score, slow.z_score, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(fast.n_neighbours, slow.n_neighbours)


def test_grid_units_take_an_array_and_hex_grids_use_the_sparse_path(city):
    hexes = hs.make_grid(city.boundary, cell_size_m=500, cell_shape="hex")
    counts = hs.count_events(city.events, hexes)
    result = hs.gi_star(hexes, value=counts.count, spatial_weights="queen")
    assert result.method == "sparse weights"
    assert np.median(result.n_neighbours) == 6
    with pytest.raises(TypeError, match="one value per grid cell"):
        hs.gi_star(hexes, value="count")


def test_event_counts_on_polygons_use_the_sparse_path(city):
    places = gpd.GeoDataFrame(geometry=city.hotspots.buffer(400).geometry, crs=city.crs)
    counts = hs.count_events(city.events, places)
    result = hs.gi_star(counts, distance_m=3_000)
    assert result.method == "sparse weights" and result.value.sum() == counts.count.sum()


def _exact_conditional_p(weights_row, x, i, alternative):
    """Enumerate every ordered draw of the neighbours' values from the other values."""
    others = np.delete(x, i)
    w = weights_row[weights_row > 0]
    observed = weights_row @ x
    centre = w.sum() * others.mean()
    sims = np.array(
        [w @ others[list(c)] for c in itertools.permutations(range(len(others)), len(w))]
    )
    tol = 1e-9
    if alternative == "greater":
        return np.mean(sims >= observed - tol)
    if alternative == "less":
        return np.mean(sims <= observed + tol)
    return np.mean(np.abs(sims - centre) >= np.abs(observed - centre) - tol)


@pytest.mark.parametrize("alternative", ["two-sided", "greater", "less"])
def test_permutation_p_converges_to_the_exact_conditional_p(alternative):
    rng = np.random.default_rng(4)
    n = 7
    x = rng.gamma(2, 2, n)
    weights = np.zeros((n, n))
    for i in range(n):
        nb = rng.choice(np.delete(np.arange(n), i), size=1 + i % 3, replace=False)
        weights[i, nb] = rng.uniform(0.5, 2, len(nb))
    B = 20_000
    p = conditional_permutation_p(
        sparse.csr_array(weights),
        x,
        alternative=alternative,
        n_permutations=B,
        rng=np.random.default_rng(1),
    )
    exact = np.array([_exact_conditional_p(weights[i], x, i, alternative) for i in range(n)])
    se = np.sqrt(exact * (1 - exact) / B) + 1 / B
    assert np.all(np.abs(p - exact) <= 4 * se + 1 / (B + 1))


def test_permutations_in_gi_star_are_reproducible_and_bounded(clipped_counts):
    B = 99
    first = hs.gi_star(clipped_counts, n_permutations=B, rng=7, distance_m=900)
    again = hs.gi_star(clipped_counts, n_permutations=B, rng=7, distance_m=900)
    np.testing.assert_array_equal(first.p_value, again.p_value)
    finite = first.p_value[np.isfinite(first.p_value)]
    assert finite.min() >= 1 / (B + 1) and finite.max() <= 1
    assert first.p_permutation is not None
    frame = first.to_frame()
    assert "p_permutation" in frame and "p_analytic" in frame
    # strong hot spots are significant under both kinds of inference
    strong = first.z_score > 4
    assert strong.any() and (first.p_value[strong] <= 0.05).all()
    assert "permutation" in str(first.summary())


def test_permutations_with_small_memory_budget_give_the_same_p():
    rng = np.random.default_rng(9)
    n = 60
    # lil, then csr: setdiag on csr warns on scipy 1.10
    weights = sparse.random(n, n, density=0.15, random_state=3, format="lil")
    weights.setdiag(0)
    weights = sparse.csr_array(weights)
    weights.eliminate_zeros()
    x = rng.poisson(3, n).astype(float)
    kwargs = dict(alternative="two-sided", n_permutations=200)
    big = conditional_permutation_p(weights, x, rng=np.random.default_rng(5), **kwargs)
    small = conditional_permutation_p(
        weights, x, rng=np.random.default_rng(5), max_elements=300, **kwargs
    )
    np.testing.assert_allclose(big, small)


def test_draw_without_replacement_rows_are_distinct_and_uniform():
    rng = np.random.default_rng(0)
    for m in (1, 5, 300):
        rows = draw_without_replacement(rng, 400, 2_000, m)
        assert rows.min() >= 0 and rows.max() < 400
        sorted_rows = np.sort(rows, axis=1)
        assert (np.diff(sorted_rows, axis=1) > 0).all()
    first = draw_without_replacement(rng, 5, 50_000, 3)[:, 0]
    assert np.allclose(np.bincount(first, minlength=5) / 50_000, 0.2, atol=0.01)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_adjustments_match_statsmodels(pvalues):
    from statsmodels.stats.multitest import multipletests

    p = np.array(pvalues)
    for ours, theirs in (("fdr_bh", "fdr_bh"), ("bonferroni", "bonferroni"), ("holm", "holm")):
        expected = multipletests(p, method=theirs)[1]
        np.testing.assert_allclose(adjust_pvalues(p, method=ours), expected, atol=1e-12)


def test_adjustments_skip_nan_and_bh_cut():
    p = np.array([0.001, np.nan, 0.02, 0.04, 0.5])
    q = adjust_pvalues(p, method="fdr_bh")
    assert np.isnan(q[1])
    np.testing.assert_allclose(q[[0, 2, 3, 4]], [0.004, 0.04, 0.04 * 4 / 3, 0.5])
    assert fdr_cut(p, 0.05) == 0.02
    assert np.isnan(fdr_cut([0.5, 0.7], 0.05))
    np.testing.assert_allclose(adjust_pvalues(p, method="none"), p)
    with pytest.raises(ValueError, match="method"):
        adjust_pvalues(p, method="sidak")


def test_confidence_bins_edges_and_nan():
    bins = confidence_bins([2.0, -2.0, np.nan, 1.0, 3.0], [0.01, 0.05, 0.01, 0.1000001, np.nan])
    assert bins.tolist() == [3, -2, 0, 0, 0]


def test_fdr_bins_equal_bh_applied_at_each_level():
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 3_000, (500, 2))
    y = rng.poisson(1.5, 500) + 6 * (np.hypot(*(xy - 1_500).T) < 300)
    points = gpd.GeoDataFrame({"y": y}, geometry=gpd.points_from_xy(*xy.T), crs=27700)
    result = hs.gi_star(points, value="y", distance_m=250)
    p = result.p_value
    m = np.isfinite(p).sum()
    for code, level in ((1, 0.10), (2, 0.05), (3, 0.01)):
        order = np.sort(p[np.isfinite(p)])
        passed = np.nonzero(order <= level * np.arange(1, m + 1) / m)[0]
        cut = order[passed[-1]] if passed.size else -1
        np.testing.assert_array_equal(np.abs(result.bin) >= code, p <= cut)


def test_progress_bar_runs(g1_points):
    result = hs.gi_star(
        g1_points, value="y", distance_m=15, n_permutations=19, rng=0, progress=True
    )
    assert np.isfinite(result.p_value).all()


def test_points_with_duplicates_work_with_knn():
    xy = [(0, 0), (0, 0), (0, 0), (10, 0), (20, 0), (30, 5), (40, 0), (0, 0)]
    points = gpd.GeoDataFrame(
        {"y": [1.0, 2, 3, 4, 9, 2, 1, 5]}, geometry=[Point(p) for p in xy], crs=27700
    )
    result = hs.gi_star(points, value="y", spatial_weights="knn", k=2)
    np.testing.assert_array_equal(result.n_neighbours, 2)


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_permutations=st.integers(1, 60),
    alternative=st.sampled_from(["two-sided", "greater", "less"]),
)
def test_permutation_p_values_lie_in_their_range(seed, n_permutations, alternative):
    rng = np.random.default_rng(seed)
    n = 25
    # lil, then csr: setdiag on csr warns on scipy 1.10
    weights = sparse.random(n, n, density=0.2, random_state=seed, format="lil")
    weights.setdiag(0)
    weights = sparse.csr_array(weights)
    weights.eliminate_zeros()
    x = rng.poisson(2, n).astype(float)
    p = conditional_permutation_p(
        weights, x, alternative=alternative, n_permutations=n_permutations, rng=rng
    )
    has = np.diff(weights.indptr) > 0
    assert np.isnan(p[~has]).all()
    assert (p[has] >= 1 / (n_permutations + 1)).all() and (p[has] <= 1).all()
    # p is a whole number of (B + 1)ths
    np.testing.assert_allclose(
        p[has] * (n_permutations + 1), np.round(p[has] * (n_permutations + 1)), atol=1e-9
    )
