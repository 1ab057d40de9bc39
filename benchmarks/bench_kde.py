"""kde: binned FFT kernel density against KDEpy, scipy and scikit-learn on the same grid."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

import hotspotlib as hs
from benchmarks._timing import (
    SHARED_DATA,
    interleaved_seconds,
    load_average,
    median_seconds,
    report,
)

SIDE_M = 20_000.0
CELL_M = 20.0  # 1000 x 1000 cells
RADIUS_M = 200.0  # ten cells: a typical crime-mapping search radius
PEER_CELLS = 2_000  # peers evaluated on a random subset of cells, scaled to the grid


def _clustered(n: int, rng: np.random.Generator) -> np.ndarray:
    """Points in 60 Gaussian clusters (80%) and a uniform floor (20%), inside the square."""
    centres = rng.uniform(0.1 * SIDE_M, 0.9 * SIDE_M, size=(60, 2))
    spread = rng.uniform(100, 1_500, size=60)
    n_clustered = int(0.8 * n)
    pick = rng.integers(0, 60, n_clustered)
    clustered = centres[pick] + rng.standard_normal((n_clustered, 2)) * spread[pick, None]
    xy = np.vstack([clustered, rng.uniform(0, SIDE_M, size=(n - n_clustered, 2))])
    margin = CELL_M  # KDEpy needs the grid to enclose every point strictly
    return np.clip(xy, margin, SIDE_M - margin)


def _events(xy: np.ndarray) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)


def _cell_centres(surface: hs.DensitySurface) -> tuple[np.ndarray, np.ndarray]:
    x = surface.grid.origin_x + np.arange(surface.grid.n_cols) * surface.cell_size_m
    y = surface.grid.origin_y + np.arange(surface.grid.n_rows) * surface.cell_size_m
    return x, y


def _kdepy_on_grid(xy: np.ndarray, x: np.ndarray, y: np.ndarray, bw: float) -> np.ndarray:
    from KDEpy import FFTKDE

    gx, gy = np.meshgrid(x, y, indexing="ij")  # KDEpy wants the grid sorted by x, then y
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    values = FFTKDE(kernel="biweight", bw=bw).fit(xy).evaluate(grid)
    return np.asarray(values).reshape(len(x), len(y)).T * len(xy)


def _exact_at(xy: np.ndarray, surface: hs.DensitySurface, cells: np.ndarray) -> np.ndarray:
    """The exact kernel sum (per m2) at the given flat cell ids of ``surface``."""
    from hotspotlib.hotspots.density._engines import exact_density

    grid = surface.grid
    rows, cols = np.divmod(cells, grid.n_cols)
    centres = np.column_stack(
        [grid.origin_x + cols * grid.cell_size_m, grid.origin_y + rows * grid.cell_size_m]
    )
    return exact_density(xy, None, centres, surface.kernel, surface.bandwidth_m)


def _two_threads(fn: Any) -> Any:
    """``fn`` run with two threads for scipy's transforms (the default is one)."""
    import scipy.fft

    def run() -> Any:
        with scipy.fft.set_workers(2):
            return fn()

    return run


def _main_case(rng: np.random.Generator) -> list[dict[str, Any]]:
    """Ours and KDEpy interleaved, 5 rounds: min/median, differences, threads stated."""
    xy = _clustered(1_000_000, rng)
    events = _events(xy)
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, SIDE_M, SIDE_M)], crs=27700)
    options: dict[str, Any] = dict(
        area=area, cell_size_m=CELL_M, bandwidth_m=RADIUS_M, units="per_m2"
    )
    surface = hs.kde(events, **options)
    x, y = _cell_centres(surface)
    bw = RADIUS_M / math.sqrt(7.0)  # peers.md 3.1: KDEpy biweight bw = r / sqrt(7)
    calls = {
        "default": lambda: hs.kde(events, **options),
        "array": lambda: hs.kde(xy, crs=27700, **options),
        "default_2": _two_threads(lambda: hs.kde(events, **options)),
        "at_cells": lambda: hs.kde(events, oversample=1, **options),
        "KDEpy": lambda: _kdepy_on_grid(xy, x, y, bw),
    }
    spread, results = interleaved_seconds(calls, repeat=5)
    reference = results["KDEpy"]
    peak = float(np.nanmax(reference))
    cells = rng.choice(surface.grid.n_rows * surface.grid.n_cols, size=2_000, replace=False)
    exact = _exact_at(xy, surface, cells)
    peer_time = spread["KDEpy"]
    labels = {
        "default": f"defaults (oversample {surface.oversample}), 1 thread",
        "array": f"array input: (n, 2) x/y with crs=, defaults (oversample "
        f"{surface.oversample}), 1 thread",
        "default_2": f"defaults (oversample {surface.oversample}), 2 threads "
        "(scipy.fft.set_workers(2))",
        "at_cells": "tuned: oversample=1, binned at cells as KDEpy, 1 thread",
    }
    rows = []
    for name, label in labels.items():
        values = results[name].values
        rows.append(
            {
                "case": f"1M clustered pts, 1000x1000 cells, quartic r=10 cells, {label}",
                "ours min/med s": f"{spread[name][0]:.3f}/{spread[name][1]:.3f}",
                "KDEpy min/med s": f"{peer_time[0]:.3f}/{peer_time[1]:.3f}",
                "ratio (min)": f"{peer_time[0] / spread[name][0]:.2f}x",
                "max|ours-KDEpy|/peak": np.nanmax(np.abs(values - reference)) / peak,
                "max|ours-exact|/peak (2,000 cells)": np.max(np.abs(values.ravel()[cells] - exact))
                / peak,
                "bound per event": results[name].binning_error_bound,
            }
        )
    return rows


def _subset_peers(rng: np.random.Generator) -> list[dict[str, Any]]:
    from scipy.stats import gaussian_kde
    from sklearn.neighbors import KernelDensity

    n = 100_000
    xy = _clustered(n, rng)
    events = _events(xy)
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, SIDE_M, SIDE_M)], crs=27700)
    sigma = RADIUS_M / math.sqrt(8.0)  # the quartic's per-coordinate SD
    ours_gauss = median_seconds(
        lambda: hs.kde(
            events,
            area=area,
            cell_size_m=CELL_M,
            bandwidth_m=sigma,
            kernel="gaussian",
            method="fft",
        ),
        repeat=3,
    )
    ours_epan = median_seconds(
        lambda: hs.kde(
            events,
            area=area,
            cell_size_m=CELL_M,
            bandwidth_m=RADIUS_M,
            kernel="epanechnikov",
            method="fft",
        ),
        repeat=3,
    )
    cells = rng.uniform(0, SIDE_M, size=(PEER_CELLS, 2))
    scale = 1_000_000 / PEER_CELLS
    scipy_kde = gaussian_kde(xy.T, bw_method=sigma / float(np.sqrt(np.cov(xy.T).diagonal().mean())))
    scipy_s = median_seconds(lambda: scipy_kde(cells.T), repeat=1, warmup=0) * scale
    tree = KernelDensity(kernel="epanechnikov", bandwidth=RADIUS_M).fit(xy)
    sklearn_s = median_seconds(lambda: tree.score_samples(cells), repeat=1, warmup=0) * scale
    return [
        {
            "case": "100k pts onto 1M cells, Gaussian SD r/sqrt(8)",
            "hotspotlib_s": ours_gauss,
            "peer": "scipy gaussian_kde",
            "peer_s (scaled from 2k cells)": scipy_s,
            "speed-up": scipy_s / ours_gauss,
            "target": ">= 1000x",
        },
        {
            "case": "100k pts onto 1M cells, Epanechnikov r",
            "hotspotlib_s": ours_epan,
            "peer": "sklearn KernelDensity",
            "peer_s (scaled from 2k cells)": sklearn_s,
            "speed-up": sklearn_s / ours_epan,
            "target": "",
        },
    ]


def _shared_file(name: str) -> Path | None:
    """The shared data file beside the project or in a folder above it, if present."""
    here = Path(__file__).resolve()
    for folder in [SHARED_DATA, *(p / "shared" / "data" for p in here.parents)]:
        if (folder / name).exists():
            return folder / name
    return None


def _chicago() -> list[dict[str, Any]]:
    path = _shared_file("chicago_burglary_2014_2017.csv")
    if path is None:
        return []
    table = pd.read_csv(path, usecols=["x", "y"])
    xy = table[["x", "y"]].to_numpy(dtype=float)
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=26971)
    arcgis: dict[str, Any] = {"method": "fft", "bandwidth_rule": "arcgis"}
    surface = hs.kde(events, **arcgis)
    ours = median_seconds(lambda: hs.kde(events, **arcgis), repeat=3)
    same = median_seconds(lambda: hs.kde(events, oversample=1, **arcgis), repeat=3)
    x, y = _cell_centres(surface)
    bw = surface.bandwidth_m / math.sqrt(7.0)
    inside = (xy[:, 0] > x[0]) & (xy[:, 0] < x[-1]) & (xy[:, 1] > y[0]) & (xy[:, 1] < y[-1])
    peer = median_seconds(lambda: _kdepy_on_grid(xy[inside], x, y, bw), repeat=3)
    label = (
        f"Chicago burglary {len(xy):,} pts, defaults: r={surface.bandwidth_m:.0f} m (arcgis), "
        f"{surface.grid.n_rows}x{surface.grid.n_cols} cells of {surface.cell_size_m:.0f} m"
    )
    return [
        {
            "case": f"{label}, binned at cells",
            "hotspotlib_s": same,
            "KDEpy_FFTKDE_s": peer,
            "speed-up": peer / same,
        },
        {
            "case": f"{label}, default oversample={surface.oversample}",
            "hotspotlib_s": ours,
            "KDEpy_FFTKDE_s": peer,
            "speed-up": peer / ours,
        },
    ]


def _micro_places() -> tuple[list[dict[str, Any]], str]:
    """Which radius ranks 150 m cells best? Chicago, train 2014-2016, test 2017."""
    path = _shared_file("chicago_burglary_2014_2017.csv")
    if path is None:
        return [], ""
    table = pd.read_csv(path)
    when = pd.to_datetime(table["date_single"], format="%d/%m/%Y")
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(table["x"], table["y"]), crs=26971)
    train, test = events[when < "2017-01-01"], events[when >= "2017-01-01"]
    grid = hs.make_grid(events, cell_size_m=150)
    coverage = (0.01, 0.05)

    def hits(scores: Any) -> list[float]:
        table = hs.accuracy_curve(scores, test, grid=grid, coverage=coverage).table
        return [float(v) for v in table["hit_rate"]]

    def row(method: str, scores: Any, surface: Any = None) -> dict[str, Any]:
        one, five = hits(scores)
        out: dict[str, Any] = {"method": method, "hit@1%": one, "hit@5%": five}
        out.update({"empty in top 1%": "", "events first: hit@1%": "", "hit@5%*": ""})
        if surface is not None:  # cells with no 2014-2016 burglary among the top 1%
            alone = hs.select_places(surface, share=0.01, smoothing_only=True)
            out["empty in top 1%"] = int((alone["n_events"] == 0).sum())
            # select_places's default order: cells with events first, then by density
            density = surface.cell_values()
            lifted = density + (surface.to_frame()["n_events"].to_numpy() > 0) * 2 * density.max()
            out["events first: hit@1%"], out["hit@5%*"] = hits(lifted)
        return out

    rows = [row("counts 2014-2016", hs.count_events(train, grid).count)]
    rules = {"arcgis (the default rule)": "arcgis", "likelihood_cv": "likelihood_cv"}
    for label, rule in rules.items():
        surface = hs.kde(train, grid=grid, bandwidth_rule=rule)  # type: ignore[arg-type]
        name = f"kde {label}: r={surface.bandwidth_m:,.0f} m"
        rows.append(row(name, surface.cell_values(), surface))
    for radius in (150, 225, 300, 450, 600, 1_000):
        surface = hs.kde(train, grid=grid, bandwidth_m=radius)
        rows.append(row(f"kde r={radius} m", surface.cell_values(), surface))
    footer = (
        f"{len(train):,} training and {len(test):,} test burglaries, {grid.n_cells:,} cells of "
        f"150 m; the top 1% is {math.ceil(0.01 * grid.n_cells)} cells. 'empty': cells with no "
        "training burglary picked by density alone; 'events first': the hit rates when such "
        "cells rank last (select_places's default; * the same at 5%)."
    )
    return rows, footer


def main() -> None:
    rng = np.random.default_rng(0)
    before = load_average()
    rows = _main_case(rng)
    report(
        "kde vs KDEpy FFTKDE on the same 1000 x 1000 grid; min/median of 5 interleaved rounds "
        f"(load average before: {before}; after: {load_average()})",
        rows,
    )
    report("kde vs scipy / scikit-learn (peers on 2,000 cells, scaled)", _subset_peers(rng))
    rows = _chicago()
    if rows:
        report("kde on real data (Chicago residential burglary 2014-2017)", rows)
    else:
        print("\n(Chicago burglary file absent: real-data case skipped)")
        return
    rows, footer = _micro_places()
    report("kde for micro-places: hit rates of 2017 burglaries, 150 m cells (Chicago)", rows)
    print(footer)


if __name__ == "__main__":
    main()
