"""make_grid at scale: clipping by scan lines against an outline per cell.

The reference is the previous engine: a shapely box per cell, then ``intersects``,
``touches``, ``contains_properly`` and ``intersection`` over every cell. Times are the
minimum of 3 interleaved repeats; memory is the tracemalloc peak of one more run
(numpy and Python allocations; GEOS allocations are not traced) and the bytes the
grid keeps, both per cell.
"""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

import hotspotlib as hs
from benchmarks._timing import interleaved_min_seconds, report
from hotspotlib.hotspots.grid._cell_geometry import cell_polygons


def _outline_clip(area: gpd.GeoSeries, size: float, shape: str) -> Any:
    whole = hs.make_grid(area, cell_size_m=size, cell_shape=shape, clip=False, max_cells=10**9)
    polygons = cell_polygons(whole, whole.rows, whole.cols)
    union = shapely.union_all(area.to_numpy())
    shapely.prepare(union)
    keep = shapely.intersects(union, polygons) & ~shapely.touches(union, polygons)
    polygons = polygons[keep]
    share = np.ones(len(polygons))
    edge = ~shapely.contains_properly(union, polygons)
    share[edge] = shapely.area(shapely.intersection(polygons[edge], union)) / whole.cell_area_m2
    return whole.cell_ids[keep], share


def _memory(fn: Callable[[], Any]) -> tuple[Any, int]:
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak


def _kept_bytes(grid: hs.Grid) -> int:
    return sum(a.nbytes for a in (grid.rows, grid.cols, grid.area_share, grid.lookup))


def _case(name: str, area: gpd.GeoSeries, shape: str, *, peer: bool) -> dict[str, Any]:
    def ours() -> hs.Grid:
        return hs.make_grid(area, cell_size_m=100, cell_shape=shape, max_cells=10**9)

    fns: dict[str, Callable[[], Any]] = {"ours": ours}
    if peer:
        fns["outlines"] = lambda: _outline_clip(area, 100.0, shape)
    times, results = interleaved_min_seconds(fns, repeat=3)
    grid, peak = _memory(ours)
    row: dict[str, Any] = {
        "case": f"{name} {shape}",
        "cells": grid.n_cells,
        "make_grid_s": times["ours"],
        "peak_B/cell": peak / grid.n_cells,
        "kept_B/cell": _kept_bytes(grid) / grid.n_cells,
        "outlines_s": times.get("outlines", float("nan")),
        "max_diff": float("nan"),
        "speed-up": float("nan"),
    }
    if peer:
        ids, share = results["outlines"]
        same = np.array_equal(ids, grid.cell_ids)
        row["max_diff"] = float(np.abs(share - grid.area_share).max()) if same else float("inf")
        row["speed-up"] = times["outlines"] / times["ours"]
    return row


def _circle(side_m: float) -> gpd.GeoSeries:
    radius = side_m / np.sqrt(np.pi)  # the circle's area is side_m ** 2
    disc = shapely.Point(radius, radius).buffer(radius, quad_segs=256)
    return gpd.GeoSeries([disc], crs=27700)


def main(*, largest_side_m: float = 600_000.0) -> None:
    box = gpd.GeoSeries([shapely.box(0, 0, 100_000, 100_000)], crs=27700)
    rows = [
        _case("1M box", box, "square", peer=True),
        _case("1M circle", _circle(100_000), "square", peer=True),
        _case("1M circle", _circle(100_000), "hex", peer=True),
    ]
    start = time.perf_counter()
    rows.append(
        _case(f"{largest_side_m / 100:.0f}^2 circle", _circle(largest_side_m), "square", peer=False)
    )
    report("make_grid (target <= 0.1 s and <= 40 B per cell at 1M cells)", rows)
    print(f"largest case run in {time.perf_counter() - start:.1f} s (4 builds)")


if __name__ == "__main__":
    main()
