"""Tiled kernel density equals the in-memory exact engine on the same cells."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs

pytest.importorskip("dask")
pytest.importorskip("xarray")

from hotspotlib import scale  # noqa: E402
from tests.scale._planted import clustered_events, rectangle_grid  # noqa: E402


@pytest.mark.parametrize(
    ("kernel", "bandwidth_m", "tile", "units", "weights"),
    [
        ("quartic", 350.0, 8, "per_km2", None),
        ("gaussian", 200.0, 10, "per_m2", "harm"),  # reach 1 km spans three tiles
        ("uniform", 120.0, 23, "per_cell", "harm"),
    ],
)
def test_equal_to_in_memory_exact_kde(kernel, bandwidth_m, tile, units, weights) -> None:
    grid = rectangle_grid()
    events = clustered_events(grid, n=6_000)
    before = events.copy()
    expected = hs.kde(
        events,
        grid=grid,
        bandwidth_m=bandwidth_m,
        kernel=kernel,
        units=units,
        weights=weights,
        method="exact",
    )
    density = scale.kde(
        events,
        scale.Lattice.from_grid(grid),
        bandwidth_m=bandwidth_m,
        kernel=kernel,
        units=units,
        weights=weights,
        tile=tile,
    )
    assert density.data.npartitions > 1
    peak = float(np.nanmax(expected.values))
    np.testing.assert_allclose(density.values, expected.values, rtol=0, atol=1e-12 * peak)
    assert density.attrs["n_events"] == len(events)
    assert events.equals(before)


@pytest.mark.parametrize(
    ("x", "cell_size_m", "expected"),
    [
        (200.0, 100.0, 4 * 3 / np.pi / 1.5**2 * (1 - 0.5 / 1.5**2) ** 2),  # corner: 1.027
        (150.0, 100.0, None),  # on a centre: 0.969 (the midpoint sum below)
        (200.0, 10.0, 1.0),  # cells 1/15 of the bandwidth: the sum is the integral, 1
    ],
)
def test_one_event_per_cell_sum_is_the_midpoint_sum_of_the_kernel(x, cell_size_m, expected):
    # per_cell = density at the centre x cell area, so one event sums to the midpoint
    # rule of the 150 m quartic kernel (not exactly 1), as hs.kde does on the same cells.
    n = int(400 / cell_size_m)
    lattice = scale.Lattice(
        origin_x=cell_size_m / 2,
        origin_y=cell_size_m / 2,
        cell_size_m=cell_size_m,
        n_rows=n,
        n_cols=n,
        crs=27700,
    )
    event = pd.DataFrame({"x": [x], "y": [x]})
    total = float(
        scale.kde(event, lattice, bandwidth_m=150, units="per_cell", tile=max(2, n // 2)).sum()
    )
    centres = (np.arange(n) + 0.5) * cell_size_m
    r2 = (centres[:, None] - x) ** 2 + (centres[None, :] - x) ** 2
    midpoint = float(
        np.sum(np.where(r2 < 150**2, 3 / (np.pi * 150**2) * (1 - r2 / 150**2) ** 2, 0))
        * cell_size_m**2
    )
    assert total == pytest.approx(midpoint, rel=1e-12)
    if expected is not None:
        assert total == pytest.approx(expected, abs=2e-3)
    if cell_size_m == 100.0:
        assert abs(total - 1) > 0.02  # a bandwidth of 1.5 cells: a few percent off 1
