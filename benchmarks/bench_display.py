"""Cost of a result showing itself in a notebook: ``_repr_html_`` with its small map.

Polygons cost about 0.1-0.3 ms each to draw, so a result with more than
``MAP_SHAPES_LIMIT`` shapes shows its table without a map (target: < 0.5 s); a raster
(``DensitySurface``) is one image whatever its size. Events are uniform on a square
area gridded at 100 m; the first display (importing matplotlib) is not timed.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from shapely.geometry import box

import hotspotlib as hs
from benchmarks._timing import median_seconds, report
from hotspotlib import _repr_map


def _area(side_m: float, n_events: int = 20_000) -> tuple[hs.Grid, gpd.GeoDataFrame]:
    rng = np.random.default_rng(0)
    x0, y0 = 500_000.0, 170_000.0
    area = gpd.GeoDataFrame(geometry=[box(x0, y0, x0 + side_m, y0 + side_m)], crs=27700)
    xy = rng.uniform(0, side_m, (n_events, 2)) + [x0, y0]
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    return hs.make_grid(area, cell_size_m=100), events


def main() -> None:
    grid, events = _area(3_000)
    hs.count_events(events, grid)._repr_html_()  # imports matplotlib
    rows = []
    for side_m in (3_000, 5_000, 31_600):
        grid, events = _area(side_m)
        counts = hs.count_events(events, grid)
        surface = hs.kde(events, grid=grid, bandwidth_m=400)
        for result in (counts, surface):
            html = result._repr_html_()
            rows.append(
                {
                    "result": type(result).__name__,
                    "cells": grid.n_cells,
                    "map": "yes" if "<img" in html else "no (over the limit)",
                    "seconds": median_seconds(result._repr_html_, repeat=3),
                }
            )
    report(
        f"_repr_html_ with its map (limit {_repr_map.MAP_SHAPES_LIMIT:,} shapes; target < 0.5 s)",
        rows,
    )


if __name__ == "__main__":
    main()
