"""The integer-key sort behind the p-value adjustments equals a stable argsort's result."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspotlib._multiple_testing import adjust_pvalues, ascending_order


def _stable_bh(p):
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(1.0, stepped)
    return out


@pytest.mark.parametrize("n", [1, 2, 3, 17, 5_000])
def test_ascending_order_with_ties_and_near_ties(n):
    rng = np.random.default_rng(n)
    cases = [
        rng.random(n),
        rng.integers(0, 5, n) / 5.0,
        0.3 + rng.integers(0, 1_000, n) * 1e-16,
        np.where(rng.random(n) < 0.5, -0.0, rng.random(n) * 1e-300),
    ]
    for values in cases:
        order, ranked = ascending_order(values)
        np.testing.assert_array_equal(ranked, values[order])
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        assert np.all(np.diff(values[order]) >= 0)
        np.testing.assert_array_equal(
            adjust_pvalues(values, method="fdr_bh"), _stable_bh(values + 0.0)
        )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(2, 3_000),
    centres=st.lists(st.floats(0.0, 1.0), min_size=1, max_size=6),
    spacing=st.sampled_from([0.0, 1e-17, 1e-16, 1e-13, 1e-9]),
    seed=st.integers(0, 2**32 - 1),
)
def test_runs_of_near_ties_are_sorted_wherever_they_fall(n, centres, spacing, seed):
    rng = np.random.default_rng(seed)
    values = np.asarray(centres)[rng.integers(0, len(centres), n)]
    values = np.clip(values + rng.integers(0, 50, n) * spacing, 0.0, 1.0)
    order, ranked = ascending_order(values)
    np.testing.assert_array_equal(np.sort(order), np.arange(n))
    np.testing.assert_array_equal(ranked, values[order])
    np.testing.assert_array_equal(ranked, np.sort(values))
    np.testing.assert_array_equal(adjust_pvalues(values, method="fdr_bh"), _stable_bh(values))
