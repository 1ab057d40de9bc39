"""The Dask path at national scale: >= 50M events onto a 100 m lattice of >= 90M cells.

Run only when named (it takes the machine for a few minutes)::

    PYTHONPATH=$PWD python -m benchmarks scale

1. Equality (run last): on a 2,000 x 2,000 lattice (4M cells, 2M events) the tiled counts and Gi*
   (z, p, q, bin) are compared with the in-memory ``hs.count_events`` and ``hs.gi_star``;
   the maximum differences are printed.
2. National case, out of core: 50M synthetic events (generated partition by partition
   on the workers, never held whole) are counted onto a 13,000 x 7,000 lattice at
   100 m (91M cells) and written to Zarr; Gi* (distance band 300 m) is read from that
   Zarr store tile by tile and written to another. Once on 1 worker, once on 2 (local
   processes, 1 thread each). Each worker has ``memory_limit`` = the bound below; its
   peak resident memory (``ru_maxrss``) is printed and checked against the bound.
   Times are single runs (each is minutes of work on a shared 2-core machine), not
   minima of repeats: read the 1 vs 2 worker ratio with the machine's load in mind.
"""

from __future__ import annotations

import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._timing import report

N_EVENTS = 50_000_000
N_PARTITIONS = 50
SHAPE = (7_000, 13_000)  # rows x cols at 100 m: 700 x 1,300 km, 91M cells
CELL_M = 100.0
DISTANCE_M = 300.0
TILE = 1024
BOUND_BYTES = 3 * 2**30  # per worker: the workers' memory_limit, checked below


def _events(part: int, n: int, seed: int) -> pd.DataFrame:
    """One partition of synthetic national events: towns (clusters) on a sparse background."""
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(part + 1)[part])
    towns = np.random.default_rng(seed).uniform(
        (20_000, 20_000), (SHAPE[1] * CELL_M - 20_000, SHAPE[0] * CELL_M - 20_000), (3_000, 2)
    )
    n_town = int(n * 0.8)
    which = rng.integers(0, len(towns), n_town)
    town_xy = towns[which] + rng.normal(0.0, 1_500.0, (n_town, 2))
    rural = rng.uniform((0, 0), (SHAPE[1] * CELL_M, SHAPE[0] * CELL_M), (n - n_town, 2))
    xy = np.clip(np.vstack([town_xy, rural]), 0.0, [SHAPE[1] * CELL_M - 1, SHAPE[0] * CELL_M - 1])
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})


def _peak_rss() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) * 1024


def _equality() -> list[dict[str, Any]]:
    import geopandas as gpd
    from shapely.geometry import box

    import hotspotlib as hs
    from hotspotlib import scale

    grid = hs.make_grid(gpd.GeoSeries([box(0, 0, 200_000, 200_000)], crs=27700), cell_size_m=100)
    rng = np.random.default_rng(1)
    xy = np.clip(
        np.vstack([rng.normal(100_000, 30_000, (1_500_000, 2)), rng.uniform(0, 2e5, (500_000, 2))]),
        0,
        199_999,
    )
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    start = time.perf_counter()
    expected_counts = hs.count_events(events, grid)
    expected = hs.gi_star(expected_counts, distance_m=DISTANCE_M)
    in_memory = time.perf_counter() - start
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
    start = time.perf_counter()
    counts = scale.count_events(frame, scale.Lattice.from_grid(grid), tile=TILE)
    result = scale.gi_star(counts, distance_m=DISTANCE_M).compute()
    tiled = time.perf_counter() - start
    rows = [
        {
            "what": "count",
            "max_abs_diff": float(
                np.abs(counts.values - grid.to_array(expected_counts.count)).max()
            ),
        }
    ]
    for name in ("z_score", "p_value", "q_value", "bin"):
        diff = np.nanmax(np.abs(result[name].values - grid.to_array(getattr(expected, name))))
        rows.append({"what": name, "max_abs_diff": float(diff)})
    worst = max(row["max_abs_diff"] for row in rows)
    assert worst <= 1e-10, f"tiled and in-memory differ by {worst}"
    rows.append(
        {
            "what": f"time in memory {in_memory:.2f} s (with cell outlines), tiled {tiled:.2f} s",
            "max_abs_diff": worst,
        }
    )
    return rows


def _national(n_workers: int, store: Path) -> dict[str, Any]:
    import dask
    import dask.dataframe as dd
    import distributed
    import xarray as xr

    from hotspotlib import scale

    cluster = distributed.LocalCluster(
        n_workers=n_workers,
        threads_per_worker=1,
        processes=True,
        memory_limit=BOUND_BYTES,
        dashboard_address=":0",
    )
    client = distributed.Client(cluster)
    try:
        per_part = N_EVENTS // N_PARTITIONS
        parts = [dask.delayed(_events)(i, per_part, 2026) for i in range(N_PARTITIONS)]
        events = dd.from_delayed(parts, meta=pd.DataFrame({"x": [0.0], "y": [0.0]}).iloc[:0])
        lattice = scale.Lattice(
            origin_x=CELL_M / 2,
            origin_y=CELL_M / 2,
            cell_size_m=CELL_M,
            n_rows=SHAPE[0],
            n_cols=SHAPE[1],
            crs=27700,
        )
        start = time.perf_counter()
        counts = scale.count_events(events, lattice, tile=TILE)
        counts.to_dataset().to_zarr(store / "counts.zarr", mode="w", consolidated=False)
        del counts
        count_s = time.perf_counter() - start
        start = time.perf_counter()
        stored = xr.open_zarr(store / "counts.zarr", consolidated=False)["count"]
        result = scale.gi_star(stored, distance_m=DISTANCE_M)
        result.to_zarr(store / "gi.zarr", mode="w", consolidated=False)
        gi_s = time.perf_counter() - start
        peaks = client.run(_peak_rss)
        total = int(
            xr.open_zarr(store / "counts.zarr", consolidated=False)["count"].sum().compute()
        )
        hot = int((xr.open_zarr(store / "gi.zarr", consolidated=False)["bin"] == 3).sum().compute())
    finally:
        client.close()
        cluster.close()
    peak = max(peaks.values())
    assert total == N_EVENTS, f"counted {total} of {N_EVENTS} events"
    assert peak <= BOUND_BYTES, f"a worker peaked at {peak / 2**30:.2f} GiB > the bound"
    return {
        "workers": n_workers,
        "events": f"{N_EVENTS:,}",
        "cells": f"{SHAPE[0] * SHAPE[1]:,}",
        "count_s": count_s,
        "gi_star_s": gi_s,
        "peak_GiB_per_worker": peak / 2**30,
        "bound_GiB": BOUND_BYTES / 2**30,
        "n_tests": int(result.attrs["n_tests"]),
        "n_distinct_p": int(result.attrs["n_distinct_p"]),
        "bin_3_cells": hot,
    }


def main() -> None:
    if not any("scale" in arg for arg in sys.argv[1:]):
        print("\n== scale (Dask) == skipped: run `python -m benchmarks scale` (several minutes)")
        return
    try:
        import dask  # noqa: F401
        import distributed  # noqa: F401
    except ImportError:
        print("\n== scale (Dask) == skipped: needs the dask extra")
        return
    rows = []
    for n_workers in (1, 2):
        store = Path(tempfile.mkdtemp(prefix="hotspotlib-bench-scale-"))
        try:
            rows.append(_national(n_workers, store))
        finally:
            shutil.rmtree(store, ignore_errors=True)
    rows[1]["speed_up"] = (rows[0]["count_s"] + rows[0]["gi_star_s"]) / (
        rows[1]["count_s"] + rows[1]["gi_star_s"]
    )
    rows[0]["speed_up"] = 1.0
    report("scale: national case out of core (single runs)", rows)
    print(f"client process peak RSS {_peak_rss() / 2**30:.2f} GiB (scheduler + client)")
    # After the national runs, so the worker processes do not inherit this one's memory.
    report("scale: tiled vs in-memory on a 4M-cell lattice (max |difference|)", _equality())
    print(f"client process peak RSS {_peak_rss() / 2**30:.2f} GiB after the equality check")


if __name__ == "__main__":
    main()
