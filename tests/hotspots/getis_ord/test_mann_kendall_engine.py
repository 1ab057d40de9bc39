"""Mann-Kendall S: the rank engines equal the pairwise sign sum, NaN and ties included."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from benchmarks._emerging_previous import previous_kendall_s, previous_mann_kendall
from hotspotlib.hotspots.getis_ord import _kendall
from hotspotlib.hotspots.getis_ord._kendall import (
    compare_s,
    kendall_s_and_ties,
    labelled_s_and_ties,
)
from hotspotlib.hotspots.getis_ord.patterns import mann_kendall, mann_kendall_labelled


def _brute_s(row: np.ndarray) -> int:
    total = 0
    for t in range(len(row)):
        for u in range(t + 1, len(row)):
            if not (np.isnan(row[t]) or np.isnan(row[u])):  # infinities compare as values
                total += int(row[u] > row[t]) - int(row[u] < row[t])
    return total


def _brute_ties(row: np.ndarray) -> float:
    _, sizes = np.unique(row[~np.isnan(row)], return_counts=True)
    return float(sum(g * (g - 1) * (2 * g + 5) for g in sizes))


def _global_labels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense ranks of all finite values at once, (steps, rows); rows with others flagged."""
    finite = np.isfinite(values)
    labels = np.zeros(values.shape, dtype=np.int64)
    labels[finite] = np.unique(values[finite], return_inverse=True)[1].ravel()
    return labels.T, ~finite.all(axis=1)


def _cases(steps: int) -> np.ndarray:
    rng = np.random.default_rng(steps)
    values = rng.integers(0, 6, size=(300, steps)).astype(float)  # many ties
    values[:100] = rng.normal(size=(100, steps))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[0] = np.nan  # a location with no value
    values[1] = 2.0  # a constant series
    values[2] = np.inf  # infinities tie with each other
    values[3, ::2] = -np.inf
    return values


@pytest.mark.parametrize("steps", [1, 2, 5, 37, 120])
def test_rank_engines_equal_the_previous_engine_and_brute_force(steps: int) -> None:
    values = _cases(steps)
    s, ties = kendall_s_and_ties(values)
    np.testing.assert_array_equal(s, previous_kendall_s(values))
    np.testing.assert_array_equal(compare_s(values), previous_kendall_s(values))
    labels, nonfinite = _global_labels(values)
    s_labelled, ties_labelled = labelled_s_and_ties(labels, values, nonfinite)
    np.testing.assert_array_equal(s_labelled, s)
    np.testing.assert_array_equal(ties_labelled, ties)
    for row in (0, 1, 2, 3, 150, 299):
        assert s[row] == _brute_s(values[row])
        assert ties[row] == _brute_ties(values[row])
    previous = previous_mann_kendall(values)
    for found in (mann_kendall(values), mann_kendall_labelled(labels, values, nonfinite)):
        for key in ("s", "variance", "z_score", "p_value", "tau"):
            np.testing.assert_array_equal(found[key], previous[key])


def test_rank_blocks_cover_every_row(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several cache blocks and a short last one: every row summed once."""
    monkeypatch.setattr(_kendall, "_BLOCK_BYTES", 60 * 2 * 100)  # 100 rows a block
    rng = np.random.default_rng(7)
    values = rng.integers(0, 9, size=(1_050, 60)).astype(float)
    s, _ = kendall_s_and_ties(values)
    np.testing.assert_array_equal(s, previous_kendall_s(values))


@settings(max_examples=200, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(0, 12)),
        elements=st.one_of(
            st.sampled_from([0.0, 1.0, -1.0, 2.5]),  # ties
            st.floats(-1e6, 1e6),
            st.just(np.nan),
        ),
    )
)
def test_s_equals_the_pairwise_sign_sum(values: np.ndarray) -> None:
    s, ties = kendall_s_and_ties(values)
    labels, nonfinite = _global_labels(values)
    s_labelled, ties_labelled = labelled_s_and_ties(labels, values, nonfinite)
    for row in range(values.shape[0]):
        assert s[row] == s_labelled[row] == _brute_s(values[row])
        assert ties[row] == ties_labelled[row] == _brute_ties(values[row])
