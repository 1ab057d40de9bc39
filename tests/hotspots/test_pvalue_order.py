"""The integer-key sort behind the p-value adjustments equals a stable argsort's result."""

import numpy as np
import pytest

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
        order = ascending_order(values)
        np.testing.assert_array_equal(np.sort(order), np.arange(n))
        assert np.all(np.diff(values[order]) >= 0)
        np.testing.assert_array_equal(
            adjust_pvalues(values, method="fdr_bh"), _stable_bh(values + 0.0)
        )
