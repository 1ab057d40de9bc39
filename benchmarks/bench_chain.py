"""The national chain in memory: make_grid, count_events, kde and gi_star on 91M cells.

Run only when named (it needs about 11 GiB of memory and a minute)::

    PYTHONPATH=$PWD python -m benchmarks chain          # 13,000 x 7,000 cells of 100 m
    HOTSPOTLIB_CHAIN_SHAPE=4000x4000 python -m benchmarks chain   # a smaller lattice

6 million events (120 towns, each event spread 300 m, 2 km or 8 km around its town,
so counts pile up to hundreds per cell in town centres) on a 100 m square grid over a
rectangle the size of Great Britain's National Grid extent (13,000 x 7,000 = 91M
cells, the issue's national grid); ``kde`` (quartic, 300 m, events as an x/y array)
onto that grid and ``gi_star`` (distance band 300 m) of the counts. Each step's peak
resident memory is the process's high-water mark (``VmHWM``) reset before the step
(``/proc/self/clear_refs``; Linux), beside the memory held after it. The events
themselves (a GeoDataFrame of points and their x/y array) are in memory throughout,
as in an analyst's session. Single run: the load average is printed beside it.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

from benchmarks._timing import report

ONLY_WHEN_NAMED = True
"""Needs about 11 GiB of memory: run only when named."""

TARGET_S = 60.0
TARGET_GB = 12.0  # decimal gigabytes, 10**9 bytes


def _status(key: str) -> float:
    """A ``/proc/self/status`` memory figure in GiB (NaN where there is none)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(key):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def _reset_peak() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        pass


def _events(shape: tuple[int, int], n_events: int) -> tuple[Any, Any, np.ndarray]:
    import geopandas as gpd
    import shapely
    from shapely.geometry import box

    rng = np.random.default_rng(0)
    width, height = shape[1] * 100.0, shape[0] * 100.0
    centres = rng.uniform([0.1 * width, 0.1 * height], [0.9 * width, 0.9 * height], (120, 2))
    spread = rng.choice([300.0, 2_000.0, 8_000.0], n_events)[:, None]
    xy = centres[rng.integers(0, 120, n_events)] + rng.normal(0, 1, (n_events, 2)) * spread
    xy = np.clip(xy, 1.0, [width - 1.0, height - 1.0])
    events = gpd.GeoDataFrame(geometry=shapely.points(xy), crs=27700)
    return events, gpd.GeoSeries([box(0, 0, width, height)], crs=27700), xy


def main() -> None:
    import hotspotlib as hs

    rows, cols = (int(v) for v in os.environ.get("HOTSPOTLIB_CHAIN_SHAPE", "13000x7000").split("x"))
    events, area, xy = _events((rows, cols), 6_000_000)
    held_before = _status("VmRSS")
    load = os.getloadavg()
    kept: dict[str, Any] = {}
    steps: list[tuple[str, str, Any]] = [  # (row, name of what it keeps, the work)
        ("make_grid (100 m)", "grid", lambda: hs.make_grid(area, cell_size_m=100, max_cells=10**9)),
        ("count_events", "counts", lambda: hs.count_events(events, kept["grid"])),
        (
            "kde (quartic 300 m, x/y array)",
            "kde",
            lambda: hs.kde(xy, crs=27700, grid=kept["grid"], bandwidth_m=300, max_cells=10**9),
        ),
        ("gi_star (band 300 m)", "gi", lambda: hs.gi_star(kept["counts"], distance_m=300)),
    ]
    table, total, peak = [], 0.0, held_before
    for row, name, work in steps:
        _reset_peak()
        start = time.perf_counter()
        kept[name] = work()
        seconds = time.perf_counter() - start
        total += seconds
        peak = max(peak, _status("VmHWM"))
        table.append(
            {
                "step": row,
                "seconds": seconds,
                "peak_GiB": _status("VmHWM"),
                "held_after_GiB": _status("VmRSS"),
            }
        )
    grid, counts, gi = kept["grid"], kept["counts"], kept["gi"]
    report(
        f"national chain in memory: {grid.n_cells:,} cells, {len(events):,} events "
        f"(single run; load before {load[0]:.1f})",
        table,
    )
    print(
        f"whole chain {total:.1f} s (target < {TARGET_S:.0f} s: "
        f"{'met' if total < TARGET_S else 'not met'}); process peak {peak:.2f} GiB = "
        f"{peak * 2**30 / 1e9:.2f} GB (target < {TARGET_GB:.0f} GB: "
        f"{'met' if peak * 2**30 / 1e9 < TARGET_GB else 'not met'}), of which "
        f"{held_before:.2f} GiB were held before the chain (the events, the interpreter). "
        f"{int(counts.count.sum()):,} events counted; {int((gi.bin == 3).sum()):,} cells "
        "in Gi* bin 3."
    )


if __name__ == "__main__":
    main()
