"""Mann-Kendall S: the fast engine equals the pairwise sign sum, NaN and ties included."""

from __future__ import annotations

import numpy as np
import pytest

from hotspotlib.hotspots.getis_ord.patterns import _kendall_s, mann_kendall


def _previous_s(values: np.ndarray) -> np.ndarray:  # the engine before: NaN-aware sign sums
    s = np.zeros(values.shape[0])
    for lag in range(1, values.shape[1]):
        s += np.nansum(np.sign(values[:, lag:] - values[:, :-lag]), axis=1)
    return s


def _brute_s(row: np.ndarray) -> float:
    total = 0.0
    for t in range(len(row)):
        for u in range(t + 1, len(row)):
            if np.isfinite(row[t]) and np.isfinite(row[u]):
                total += np.sign(row[u] - row[t])
    return total


@pytest.mark.parametrize("steps", [2, 5, 37, 120])
def test_kendall_s_equals_the_previous_engine_and_brute_force(steps: int) -> None:
    rng = np.random.default_rng(steps)
    values = rng.integers(0, 6, size=(300, steps)).astype(float)  # many ties
    values[:100] = rng.normal(size=(100, steps))
    values[rng.random(values.shape) < 0.1] = np.nan
    values[0] = np.nan  # a location with no value
    values[1] = 2.0  # a constant series
    fast = _kendall_s(values)
    np.testing.assert_array_equal(fast, _previous_s(values))
    for row in (0, 1, 2, 150, 299):
        assert fast[row] == _brute_s(values[row])
    np.testing.assert_array_equal(mann_kendall(values)["s"], _previous_s(values))
