"""Tiled kernel density equals the in-memory exact engine on the same cells."""

from __future__ import annotations

import numpy as np
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
