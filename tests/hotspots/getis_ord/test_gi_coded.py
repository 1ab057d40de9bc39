"""Gi* of counts per distinct (weight sum, neighbourhood sum) pair equals the per-unit path.

The per-unit path is run by making the coding step decline (it returns None); every
array of the two results must be equal bit for bit, NaN where NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspotlib as hs
from hotspotlib.hotspots.getis_ord import _g_scores, gi
from hotspotlib.hotspots.grid.cells import grid_on_lattice

_ARRAYS = ("gi", "expected", "z_score", "p_value", "p_analytic", "q_value", "p_bonferroni", "bin")


def _both(monkeypatch: pytest.MonkeyPatch, units: Any, **kwargs: Any) -> tuple[Any, Any, bool]:
    """Return gi_star by codes and by units, and whether the codes were used."""
    used: list[bool] = []

    def spy(*args: Any, **options: Any) -> Any:
        found = _g_scores.coded_sums(*args, **options)
        used.append(found is not None)
        return found

    with monkeypatch.context() as patch:
        patch.setattr(gi, "coded_sums", spy)
        coded = hs.gi_star(units, **kwargs)
    with monkeypatch.context() as patch:
        patch.setattr(gi, "coded_sums", lambda *args, **options: None)
        per_unit = hs.gi_star(units, **kwargs)
    return coded, per_unit, any(used)


def _assert_same(coded: Any, per_unit: Any) -> None:
    for name in _ARRAYS:
        np.testing.assert_array_equal(getattr(coded, name), getattr(per_unit, name), err_msg=name)
    if coded.p_permutation is None:
        assert per_unit.p_permutation is None
    else:
        np.testing.assert_array_equal(coded.p_permutation, per_unit.p_permutation)
    assert coded.n_islands == per_unit.n_islands
    assert coded.n_undefined == per_unit.n_undefined
    assert coded.notes == per_unit.notes
    assert str(coded.parameters) == str(per_unit.parameters)


def _lattice(rows: int, cols: int) -> Any:
    return grid_on_lattice(
        cell_shape="square",
        cell_size_m=100.0,
        origin=(50.0, 50.0),
        lattice_shape=(rows, cols),
        crs=27700,
    )


@pytest.mark.parametrize(
    ("kwargs", "coded_expected"),
    [
        ({"distance_m": 150.0}, True),
        ({"distance_m": 320.0}, True),  # wide band: the row-run engine
        ({"spatial_weights": "queen"}, True),
        ({"spatial_weights": "rook"}, True),
        ({"distance_m": 150.0, "alternative": "greater"}, True),
        ({"distance_m": 150.0, "alternative": "less", "fdr": False}, True),
        ({"spatial_weights": "kernel", "distance_m": 250.0}, False),  # weights not 0/1
        ({"distance_m": 150.0, "star": False}, False),  # Gi: mean and spread per unit
        ({"distance_m": 150.0, "n_permutations": 19, "rng": 1}, False),
    ],
)
def test_counts_on_a_grid_by_codes_equal_the_per_unit_path(
    monkeypatch: pytest.MonkeyPatch, kwargs: dict[str, Any], coded_expected: bool
) -> None:
    grid = _lattice(30, 40)
    values = np.random.default_rng(3).poisson(1.5, grid.n_cells).astype(float)
    values[:40] = 0.0  # a cold edge
    values[600:605] = 25.0  # a hot spot
    coded, per_unit, used = _both(monkeypatch, grid, value=values, **kwargs)
    assert used is coded_expected
    _assert_same(coded, per_unit)


def test_clipped_grid_islands_and_negative_whole_values(monkeypatch: pytest.MonkeyPatch) -> None:
    city = hs.synthetic_city(n_events=2_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    counts = hs.count_events(city.events, grid)
    coded, per_unit, used = _both(monkeypatch, counts, spatial_weights="rook")
    assert used and grid.n_cells < grid.n_rows * grid.n_cols  # cells clipped away
    _assert_same(coded, per_unit)

    lattice = _lattice(4, 6)  # cell (0, 0) loses both rook neighbours: an island
    keep = np.ones(24, dtype=bool)
    keep[[1, 6]] = False
    sub = hs.hotspots.grid.lattice.subgrid(lattice, keep)
    values = np.random.default_rng(6).integers(-4, 8, sub.n_cells).astype(float)
    coded, per_unit, used = _both(monkeypatch, sub, value=values, spatial_weights="rook")
    assert used and coded.n_islands == 1 and np.isnan(coded.gi).all()  # negative values
    _assert_same(coded, per_unit)


def test_fractional_values_take_the_per_unit_path(monkeypatch: pytest.MonkeyPatch) -> None:
    grid = _lattice(12, 12)
    values = np.random.default_rng(5).gamma(2.0, 1.5, grid.n_cells)
    coded, per_unit, used = _both(monkeypatch, grid, value=values, distance_m=150.0)
    assert not used
    _assert_same(coded, per_unit)


def test_a_table_larger_than_allowed_is_declined() -> None:
    lag = np.array([0.0, 5.0, 3.0, 1e7])
    weights = np.array([2.0, 3.0, 3.0, 2.0])
    x = np.array([0.0, 1.0, 2.0, 3.0])
    assert _g_scores.coded_sums(lag, weights, x, table_limit=100) is None
    assert _g_scores.coded_sums(lag[:3], weights[:3], x, table_limit=100) is not None


@settings(max_examples=40, deadline=None)
@given(
    shape=st.tuples(st.integers(3, 12), st.integers(3, 12)),
    mean=st.floats(0.05, 6.0),
    band=st.sampled_from([100.0, 150.0, 250.0, 420.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_codes_equal_the_per_unit_path_on_random_counts(
    shape: tuple[int, int], mean: float, band: float, seed: int
) -> None:
    grid = _lattice(*shape)
    values = np.random.default_rng(seed).poisson(mean, grid.n_cells).astype(float)
    if values.min() == values.max():
        values[0] += 1.0
    with pytest.MonkeyPatch.context() as patch:
        coded, per_unit, used = _both(patch, grid, value=values, distance_m=band)
    assert used
    _assert_same(coded, per_unit)
