"""likelihood_cv: pairs listed once for every exact candidate equal the per-candidate sums."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from hotspotlib.hotspots.density import _bandwidth_cv
from hotspotlib.hotspots.density._bandwidth_cv import (
    _close_pairs,
    _exact_loo_density,
    _pairs_loo_density,
    likelihood_cv_sd,
)


def _clustered(rng: np.random.Generator, n: int) -> np.ndarray:
    centres = rng.uniform(0, 5_000, size=(8, 2))
    return centres[rng.integers(0, 8, n)] + rng.normal(0, 150, size=(n, 2))


def test_pairs_listed_once_give_each_smaller_sd_its_exact_sum() -> None:
    rng = np.random.default_rng(4)
    xy = _clustered(rng, 600)
    xy[:20] = xy[20:40]  # events at the same place
    w = rng.exponential(1.0, len(xy))
    sds = [12.0, 30.0, 55.0]
    pairs = _close_pairs(xy, sds)
    assert pairs is not None and pairs[3] == pytest.approx(55.0)
    for sd in sds:
        exact = _exact_loo_density(xy, w, sd, cKDTree(xy))
        np.testing.assert_allclose(_pairs_loo_density(pairs, w, sd), exact, rtol=1e-10, atol=0)


def _previous_score(xy, w, sd, tree):  # the per-candidate engine before pairs were shared
    xmin, ymin, xmax, ymax = _bandwidth_cv.bounds_of(xy)
    span = np.array([xmax - xmin, ymax - ymin])
    if _bandwidth_cv._lattice_nodes(xy, sd) <= _bandwidth_cv._MAX_NODES:
        loo = _bandwidth_cv._binned_loo_density(xy, w, sd)
    else:
        if tree.count_neighbors(tree, _bandwidth_cv._REACH * sd) > _bandwidth_cv._MAX_PAIRS:
            return float("nan")
        loo = _exact_loo_density(xy, w, sd, tree)
    floor = 1e-12 / max(float(span[0] * span[1]), 1.0)
    return float((w * np.log(np.maximum(loo, floor))).sum() / w.sum())


@pytest.mark.parametrize("max_pairs", [30_000_000, 40_000])
def test_selected_sd_and_trace_equal_the_previous_engine(
    max_pairs: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(9)
    xy = _clustered(rng, 1_500)
    w = np.ones(len(xy))
    scott = 400.0
    monkeypatch.setattr(_bandwidth_cv, "_MAX_NODES", 20_000)  # most candidates go exact
    monkeypatch.setattr(_bandwidth_cv, "_MAX_PAIRS", max_pairs)  # 40k: the largest skipped
    sd, details = likelihood_cv_sd(xy, w, scott)
    candidates = np.geomspace(scott / 30, 3 * scott, 30)
    tree = cKDTree(xy)
    before = np.array([_previous_score(xy, w, c, tree) for c in candidates])
    ours = details["cv_log_likelihood"]
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(before))
    np.testing.assert_allclose(ours, before, rtol=1e-10, equal_nan=True)
    assert sd == candidates[int(np.nanargmax(before))]
    exact = [c for c in candidates if _bandwidth_cv._lattice_nodes(xy, c) > 20_000]
    assert len(exact) >= 5  # the shared pairs served several candidates
    if max_pairs == 40_000:
        assert details["n_candidates_skipped"] > 0
