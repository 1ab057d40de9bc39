"""Counting, density and Gi* on a Grid build no cell outline (national grids have millions).

Each step runs on a fresh grid and on one whose outlines were built first; the results
must be equal and the fresh grid must still have no outline.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import hotspotlib as hs


def test_count_kde_gi_and_prospective_leave_the_outlines_unbuilt() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=2)
    lazy = hs.make_grid(city.boundary, cell_size_m=300)
    eager = hs.make_grid(city.boundary, cell_size_m=300)
    assert len(eager.cells) == eager.n_cells and eager._outlines

    counts = hs.count_events(city.events, lazy)
    surface = hs.kde(city.events, grid=lazy, bandwidth_m=450)
    gi = hs.gi_star(counts, distance_m=450)
    risk = hs.prospective_hotspots(city.events, grid=lazy, origin="2024-06-01")
    assert not lazy._outlines

    np.testing.assert_array_equal(counts.count, hs.count_events(city.events, eager).count)
    np.testing.assert_array_equal(
        surface.values, hs.kde(city.events, grid=eager, bandwidth_m=450).values
    )
    np.testing.assert_array_equal(gi.z_score, hs.gi_star(counts, distance_m=450).z_score)
    np.testing.assert_array_equal(
        risk.risk, hs.prospective_hotspots(city.events, grid=eager, origin="2024-06-01").risk
    )
    assert counts.counts["n_cells"] == lazy.n_cells and not lazy._outlines
    frame = counts.to_frame()  # the outlines are built now, once, and kept by the grid
    assert lazy._outlines and counts.cells is lazy.cells
    pd.testing.assert_frame_equal(frame, hs.count_events(city.events, eager).to_frame())
