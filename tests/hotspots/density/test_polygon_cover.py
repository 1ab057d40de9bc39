"""The scanline cover of a study area: a rectangle's shortcut equals the general path."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from hotspotlib.hotspots.density import _polygon_cover
from hotspotlib.hotspots.density._engines import Lattice


def _cases() -> list[tuple[shapely.Geometry, Lattice]]:
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(60):
        x0, y0 = rng.uniform(-50, 50, 2)
        dx = float(rng.choice([1.0, 2.5, 10.0]))
        lattice = Lattice(x0, y0, dx, dx, int(rng.integers(1, 30)), int(rng.integers(1, 30)))
        # Edges on nodes (offset 0) or between them.
        west = x0 + dx * rng.integers(-3, 20) + rng.choice([0.0, 0.3])
        east = west + dx * rng.integers(1, 25) + rng.choice([0.0, 0.7])
        south = y0 + dx * rng.integers(-3, 20) + rng.choice([0.0, 0.4])
        north = south + dx * rng.integers(1, 25) + rng.choice([0.0, 0.2])
        # Clockwise, from another corner: still the rectangle.
        ring = [(east, north), (east, south), (west, south), (west, north)]
        cases.append((shapely.Polygon(ring), lattice))
    return cases


@pytest.mark.parametrize("cover", ["polygon_node_mask", "polygon_node_cover"])
def test_rectangle_shortcut_equals_the_scanline_intersection(monkeypatch, cover):
    compute = getattr(_polygon_cover, cover)
    cases = _cases()
    fast = [compute(polygon, lattice) for polygon, lattice in cases]
    monkeypatch.setattr(_polygon_cover.shapely, "equals", lambda *_: False)
    for (polygon, lattice), found in zip(cases, fast, strict=True):
        with np.errstate(invalid="ignore"):  # shapely 2.0.1 flags some empty line pieces
            general = compute(polygon, lattice)
        np.testing.assert_allclose(found, general, rtol=0, atol=1e-12)
    assert any(np.asarray(found).any() for found in fast)  # the cases do reach nodes
