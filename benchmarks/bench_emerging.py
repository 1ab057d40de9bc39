"""Emerging hot spots with daily steps over a year: the current engine against the previous.

The case of issue 13: 300,000 incidents over 2024 (366 daily steps) on a 200 x 280 grid
of 100 m cells (56,000 locations, 20.5M bins), 150 m band, one step either side. Half the
incidents are background, half in 40 clusters that grow or fade through the year.

The previous engine (``benchmarks/_emerging_previous.py``: per-bin Gi*, an argsort for
the FDR, pairwise Mann-Kendall comparisons on floats) is timed beside the current one,
interleaved, min/median of 3 rounds, whole call and each stage; the results are compared
(largest difference of z, p, q and trend z; patterns that differ). The load average is
printed: on a shared machine compare the ratio.
"""

from __future__ import annotations

import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import hotspotlib as hs
from benchmarks._emerging_previous import (
    previous_bin_scores,
    previous_cube_sums,
    previous_emerging_hotspots,
    previous_kendall_s,
    previous_mann_kendall,
    previous_tie_term,
)
from benchmarks._timing import interleaved_seconds, load_average, report, traced_peak_bytes
from hotspotlib.hotspots.getis_ord import _cube_scores, _kendall
from hotspotlib.hotspots.getis_ord._cube_scores import cube_scores
from hotspotlib.hotspots.getis_ord.gi import local_g_scores
from hotspotlib.hotspots.getis_ord.patterns import mann_kendall_labelled
from hotspotlib.hotspots.grid.make import make_grid
from hotspotlib.hotspots.inference import adjust_pvalues, normal_p

ROWS, COLS, CELL_M, BAND_M = 200, 280, 100.0, 150.0
OPTIONS: dict[str, Any] = {"interval": "D", "cell_size_m": CELL_M, "distance_m": BAND_M}


def daily_case(n_events: int = 300_000, seed: int = 0) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Incidents over 2024 on a 28 x 20 km box, and the box (the study area)."""
    rng = np.random.default_rng(seed)
    width, height = COLS * CELL_M, ROWS * CELL_M
    n_background = n_events // 2
    n_clustered = n_events - n_background
    centres = rng.uniform([0, 0], [width, height], size=(40, 2))
    cluster = rng.integers(0, 40, n_clustered)
    xy = np.concatenate(
        [
            rng.uniform([0, 0], [width, height], size=(n_background, 2)),
            centres[cluster] + rng.normal(0, 300, (n_clustered, 2)),
        ]
    )
    xy = np.clip(xy, 1, [width - 1, height - 1])
    u = rng.random(n_clustered)
    trend = np.where(cluster % 2 == 0, np.sqrt(u), 1 - np.sqrt(u))  # growing or fading
    day = np.concatenate([rng.random(n_background), trend]) * 366
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(day, unit="D")
    events = gpd.GeoDataFrame(
        {"timestamp": times}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700
    )
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, width, height)], crs=27700)
    return events, area


def _difference(ours: Any, previous: Any) -> str:
    parts = []
    for name in ("z_score", "p_value", "q_value", "trend_z"):
        mine, theirs = np.asarray(getattr(ours, name)), np.asarray(getattr(previous, name))
        same_nan = bool((np.isnan(mine) == np.isnan(theirs)).all())
        gap = float(np.nanmax(np.abs(mine - theirs))) if same_nan else float("inf")
        parts.append(f"{name.split('_')[0]} {gap:.1e}")
    differ = int((np.asarray(ours.pattern) != np.asarray(previous.pattern)).sum())
    return ", ".join(parts) + f"; patterns differing {differ}"


def rows() -> list[dict[str, Any]]:
    """The whole call and its two heavy stages, current and previous, interleaved."""
    events, area = daily_case()
    options = {**OPTIONS, "area": area}
    start = time.perf_counter()
    hs.emerging_hotspots(events, **options)  # first call: imports, allocator warm-up
    first = time.perf_counter() - start
    whole, results = interleaved_seconds(
        {
            "ours": lambda: hs.emerging_hotspots(events, **options),
            "previous": lambda: previous_emerging_hotspots(events, **options),
        },
        repeat=3,
    )
    ours = results["ours"]
    cube = np.array(ours.count)
    grid = make_grid(area, cell_size_m=CELL_M)
    x = cube.astype(float).ravel()
    scores = cube_scores(grid, cube, x, BAND_M, 1, "both")
    z = scores.gather(scores.z_table)
    labels, nonfinite = scores.labels()

    def gi_ours() -> Any:
        found = cube_scores(grid, cube, x, BAND_M, 1, "both")
        return [found.gather(t) for t in (found.z_table, found.p_table, found.q_table)]

    stages, _ = interleaved_seconds(
        {
            "gi_ours": gi_ours,
            "gi_previous": lambda: previous_bin_scores(grid, cube, BAND_M, 1, "both"),
            "mk_ours": lambda: mann_kendall_labelled(*scores.labels()[:1], z.T, nonfinite),
            "mk_previous": lambda: previous_mann_kendall(z.T),
        },
        repeat=3,
    )
    peaks = (
        traced_peak_bytes(lambda: hs.emerging_hotspots(events, **options)),
        traced_peak_bytes(lambda: previous_emerging_hotspots(events, **options)),
    )
    case = f"{len(events):,} events, {ours.n_steps} daily steps x {cube.shape[1]:,} cells"
    table = []
    for label, ours_key, previous_key, spread, note in (
        ("whole call", "ours", "previous", whole, _difference(ours, results["previous"])),
        ("Gi*, p, FDR q", "gi_ours", "gi_previous", stages, "-"),
        ("Mann-Kendall (ranks: labels)", "mk_ours", "mk_previous", stages, "-"),
    ):
        mine, theirs = spread[ours_key], spread[previous_key]
        table.append(
            {
                "case": f"{case}: {label}",
                "ours min/med s": f"{mine[0]:.2f}/{mine[1]:.2f}",
                "previous min/med s": f"{theirs[0]:.2f}/{theirs[1]:.2f}",
                "speed-up (min)": f"{theirs[0] / mine[0]:.1f}x",
                "max diff": note,
                "peak MB ours/previous": f"{peaks[0] / 1e6:,.0f}/{peaks[1] / 1e6:,.0f}"
                if label == "whole call"
                else "-",
            }
        )
    table.append(
        {
            "case": f"{case}: first call (ours)",
            "ours min/med s": f"{first:.2f}",
            "previous min/med s": "-",
            "speed-up (min)": "-",
            "max diff": f"labels {labels.dtype}, {int(nonfinite.sum())} locations with NaN z",
            "peak MB ours/previous": "-",
        }
    )
    return table


def stage_rows() -> list[dict[str, Any]]:
    """Each step of both engines on the same cube, interleaved, min/median of 3 rounds."""
    events, area = daily_case()
    cube = np.array(hs.emerging_hotspots(events, **OPTIONS, area=area).count)
    grid = make_grid(area, cell_size_m=CELL_M)
    x = cube.astype(float).ravel()
    scores = cube_scores(grid, cube, x, BAND_M, 1, "both")
    z = scores.gather(scores.z_table)
    p = scores.gather(scores.p_table)
    labels, _ = scores.labels()
    lag, weight = previous_cube_sums(grid, cube.astype(float), BAND_M, 1, "both")
    sums = {"lag": lag.ravel(), "weight_sum": weight.ravel(), "weight_sq_sum": weight.ravel()}
    links = np.rint(weight.ravel() - 1).astype(np.int64)
    steps: dict[str, Any] = {
        "previous: neighbourhood sums (float cubes)": lambda: previous_cube_sums(
            grid, cube.astype(float), BAND_M, 1, "both"
        ),
        "previous: Gi* z per bin": lambda: local_g_scores(
            **sums, n_neighbours=links, x=x, star=True
        ),
        "previous: p per bin": lambda: normal_p(z),
        "previous: FDR q (adjust_pvalues, sort of 20.5M)": lambda: adjust_pvalues(
            p.ravel(), method="fdr_bh"
        ),
        "previous: Mann-Kendall S (float comparisons)": lambda: previous_kendall_s(z.T),
        "previous: Mann-Kendall ties (sort of floats)": lambda: previous_tie_term(z.T),
        "ours: neighbourhood sums and weight factors": lambda: _cube_scores._cube_sums(
            grid, cube, BAND_M, 1, "both"
        ),
        "ours: codes, z/p/q per code (sums included)": lambda: cube_scores(
            grid, cube, x, BAND_M, 1, "both"
        ),
        "ours: gather z, p, q to bins": lambda: [
            scores.gather(t) for t in (scores.z_table, scores.p_table, scores.q_table)
        ],
        "ours: z ranks to bins (labels)": scores.labels,
        "ours: Mann-Kendall S (16-bit ranks)": lambda: _kendall.ranked_s(labels),
        "ours: Mann-Kendall ties (sort of ranks)": lambda: _kendall._label_ties(labels),
    }
    spread, _ = interleaved_seconds(steps, repeat=3)
    return [
        {"stage": name, "min s": f"{low:.2f}", "median s": f"{middle:.2f}"}
        for name, (low, middle) in spread.items()
    ]


def main() -> None:
    before = load_average()
    table = rows()
    report(
        "emerging_hotspots, daily steps over a year (target <= 10 s on 2 cores); "
        f"min/median of 3 interleaved rounds (load average before: {before}; "
        f"after: {load_average()})",
        table,
    )
    before = load_average()
    stages = stage_rows()
    report(
        f"the same case, stage by stage (load average before: {before}; after: {load_average()})",
        stages,
    )


if __name__ == "__main__":
    main()
