"""hit_rates: the partial sort of the leading cells equals a full sort and accuracy_curve."""

from __future__ import annotations

import numpy as np
import pytest

import hotspotlib as hs
from hotspotlib.forecast._members import hit_rates


@pytest.mark.parametrize("levels", [3, 50, 0])  # many ties, a few, none (continuous)
def test_partial_sort_equals_full_sort_and_accuracy_curve(levels: int) -> None:
    made = hs.synthetic_city(n_events=2_000, rng=3)
    grid = hs.make_grid(made.boundary, cell_size_m=100)
    test = made.events.iloc[:700]
    observed = hs.count_events(test, grid).count.astype(float)
    size = grid.cells["area_share"].to_numpy(dtype=float)
    assert (size < 1).any() and grid.n_cells > 2_000  # clipped cells; the partial path
    rng = np.random.default_rng(levels)
    shape = (6, grid.n_cells)
    scores = rng.integers(0, levels, shape).astype(float) if levels else rng.random(shape)
    scores[0] = observed  # the future itself, with its ties
    coverages = np.array([0.005, 0.01, 0.02, 0.05])
    got = hit_rates(scores, observed, size, coverages)
    np.testing.assert_allclose(
        got, hit_rates(scores, observed, size, coverages, full_sort=True), rtol=1e-12, atol=1e-15
    )
    for row, values in zip(scores[:3], got[:3], strict=True):  # a few rows
        table = hs.accuracy_curve(row, test, grid=grid, coverage=coverages).table
        np.testing.assert_allclose(values, table["hit_rate"].to_numpy(), rtol=1e-12)
    assert got[0, 0] > got[1:, 0].max()  # the observed counts as scores catch the most
    # Ties share their events: integer scores with 3 levels catch about the coverage.
    if levels == 3:
        np.testing.assert_allclose(got[1:].mean(axis=0), coverages, rtol=0.5)


def test_nan_scores_take_the_full_sort() -> None:
    """A NaN would rank above every score in a partition: those rows are sorted in full."""
    rng = np.random.default_rng(5)
    n_cells = 2_000
    observed = rng.poisson(0.3, n_cells).astype(float)
    size = np.ones(n_cells)
    scores = rng.random((2, n_cells))
    scores[:, rng.choice(n_cells, 100, replace=False)] = np.nan
    coverages = np.array([0.01, 0.02])
    expected = hit_rates(scores, observed, size, coverages, full_sort=True)
    np.testing.assert_array_equal(hit_rates(scores, observed, size, coverages), expected)
    assert (expected > 0).all()


def test_nan_scores_tie_with_each_other() -> None:
    scores = np.array([[1.0, np.nan, np.nan, 0.0]])
    observed = np.array([0.0, 0.0, 4.0, 0.0])
    got = hit_rates(scores, observed, np.ones(4), np.array([0.75]))
    assert got[0, 0] == pytest.approx(0.5)  # half the NaN pair's area, half its events
