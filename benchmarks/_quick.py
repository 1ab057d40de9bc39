"""Headline rows, quickly: ``python -m benchmarks --quick`` (``make bench-quick``).

Every row runs the library with its default settings (a tuned setting is a separate,
labelled row), times ours and the peer's in one process, interleaved, at least 3
rounds, and prints the minimum and median of each, the largest difference between the
two results, and the traced peak memory of one untimed run for the large cases. The
machine's load average is printed with the table: on a shared machine compare ratios.
"""

from __future__ import annotations

import copy
import math
import time
import warnings
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
    report,
    traced_peak_bytes,
)

REPEAT = 3


def _row(
    case: str,
    spread: dict[str, tuple[float, float]],
    *,
    ours: str,
    peer: str | None,
    peer_name: str,
    difference: str,
    peak: tuple[int, int | None] | None = None,
) -> dict[str, Any]:
    mine = spread[ours]
    theirs = spread[peer] if peer is not None else (math.nan, math.nan)
    return {
        "case": case,
        "ours min/med s": f"{mine[0]:.3f}/{mine[1]:.3f}",
        "peer": peer_name,
        "peer min/med s": f"{theirs[0]:.3f}/{theirs[1]:.3f}" if peer else "-",
        "ratio (min)": f"{theirs[0] / mine[0]:.2f}x" if peer else "-",
        "max diff": difference,
        "peak MB ours/peer": "-"
        if peak is None
        else "/".join("-" if value is None else f"{value / 1e6:,.0f}" for value in peak),
    }


def kde_rows() -> list[dict[str, Any]]:
    """kde, 1M clustered points onto 1000 x 1000 cells, against KDEpy FFTKDE (biweight).

    Both sides on one thread: kde's transforms use ``scipy.fft.set_workers`` (one unless
    set), KDEpy's are single-threaded.
    """
    from benchmarks.bench_kde import CELL_M, RADIUS_M, SIDE_M, _clustered, _kdepy_on_grid

    xy = _clustered(1_000_000, np.random.default_rng(0))
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, SIDE_M, SIDE_M)], crs=27700)
    options: dict[str, Any] = {"area": area, "cell_size_m": CELL_M, "bandwidth_m": RADIUS_M}
    surface = hs.kde(events, **options)
    x = surface.grid.origin_x + np.arange(surface.grid.n_cols) * CELL_M
    y = surface.grid.origin_y + np.arange(surface.grid.n_rows) * CELL_M
    bw = RADIUS_M / math.sqrt(7.0)  # KDEpy's biweight bw is the SD of the 1-D kernel
    spread, results = interleaved_seconds(
        {
            "default": lambda: hs.kde(events, **options),
            "array": lambda: hs.kde(xy, crs=27700, **options),
            "at_cells": lambda: hs.kde(events, oversample=1, **options),
            "KDEpy": lambda: _kdepy_on_grid(xy, x, y, bw),
        },
        repeat=REPEAT,
    )
    reference = results["KDEpy"]
    peak_ref = float(np.nanmax(reference))
    exact = _exact_sample(xy, surface, np.random.default_rng(1))
    peer_peak = traced_peak_bytes(lambda: _kdepy_on_grid(xy, x, y, bw))
    calls = {
        "default": lambda: hs.kde(events, **options),
        "array": lambda: hs.kde(xy, crs=27700, **options),
        "at_cells": lambda: hs.kde(events, oversample=1, **options),
    }
    rows = []
    for name, label in (
        ("default", f"defaults (oversample {surface.oversample}), 1 thread"),
        ("array", f"array input: (n, 2) x/y with crs=, oversample {surface.oversample}"),
        ("at_cells", "tuned: oversample=1, binned at cells as KDEpy, 1 thread"),
    ):
        per_m2 = results[name].values / 1e6  # default units are per square kilometre
        diff = float(np.nanmax(np.abs(per_m2 - reference))) / peak_ref
        cells, values = exact
        off = float(np.max(np.abs(per_m2.ravel()[cells] - values))) / peak_ref
        bound = results[name].binning_error_bound  # per event, of its own kernel's peak
        rows.append(
            _row(
                f"kde 1M pts, 1000x1000 cells, quartic r=200 m, {label}",
                spread,
                ours=name,
                peer="KDEpy",
                peer_name="KDEpy FFTKDE",
                difference=f"{diff:.1e} of peak (exact sum at {len(cells):,} cells: "
                f"{off:.1e}; bound per event {bound:.1e})",
                peak=(traced_peak_bytes(calls[name]), peer_peak),
            )
        )
    return rows


def kde_gaussian_row() -> dict[str, Any]:
    """kde with the Gaussian kernel, defaults, against KDEpy FFTKDE (gaussian) on the grid."""
    from KDEpy import FFTKDE

    from benchmarks.bench_kde import CELL_M, RADIUS_M, SIDE_M, _clustered

    xy = _clustered(1_000_000, np.random.default_rng(0))
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    area = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, SIDE_M, SIDE_M)], crs=27700)
    sd = RADIUS_M / math.sqrt(8.0)  # the quartic's per-coordinate SD
    options: dict[str, Any] = {
        "area": area,
        "cell_size_m": CELL_M,
        "bandwidth_m": sd,
        "kernel": "gaussian",
    }
    surface = hs.kde(events, **options)
    x = surface.grid.origin_x + np.arange(surface.grid.n_cols) * CELL_M
    y = surface.grid.origin_y + np.arange(surface.grid.n_rows) * CELL_M

    def peer() -> np.ndarray:  # KDEpy's Gaussian bw is the SD of each coordinate
        gx, gy = np.meshgrid(x, y, indexing="ij")
        values = (
            FFTKDE(kernel="gaussian", bw=sd)
            .fit(xy)
            .evaluate(np.column_stack([gx.ravel(), gy.ravel()]))
        )
        return np.asarray(values).reshape(len(x), len(y)).T * len(xy)

    spread, results = interleaved_seconds(
        {"default": lambda: hs.kde(events, **options), "KDEpy": peer}, repeat=REPEAT
    )
    reference = results["KDEpy"]
    peak_ref = float(np.nanmax(reference))
    per_m2 = results["default"].values / 1e6
    diff = float(np.nanmax(np.abs(per_m2 - reference))) / peak_ref
    cells, values = _exact_sample(xy, surface, np.random.default_rng(1))
    off = float(np.max(np.abs(per_m2.ravel()[cells] - values))) / peak_ref
    peer_off = float(np.max(np.abs(reference.ravel()[cells] - values))) / peak_ref
    return _row(
        f"kde 1M pts, 1000x1000 cells, Gaussian SD {sd:.1f} m, defaults "
        f"(oversample {surface.oversample}, cubic binning), 1 thread",
        spread,
        ours="default",
        peer="KDEpy",
        peer_name="KDEpy FFTKDE",
        difference=f"{diff:.1e} of peak (exact sum at {len(cells):,} cells: ours {off:.1e}, "
        f"KDEpy {peer_off:.1e}; bound per event {surface.binning_error_bound:.1e})",
        peak=(
            traced_peak_bytes(lambda: hs.kde(events, **options)),
            traced_peak_bytes(peer),
        ),
    )


def _exact_sample(
    xy: np.ndarray, surface: hs.DensitySurface, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The exact kernel sum (per m2) at 2,000 random cells of ``surface``: flat ids, values."""
    from hotspotlib.hotspots.density._engines import exact_density

    grid = surface.grid
    cells = rng.choice(grid.n_rows * grid.n_cols, size=2_000, replace=False)
    rows, cols = np.divmod(cells, grid.n_cols)
    centres = np.column_stack(
        [grid.origin_x + cols * grid.cell_size_m, grid.origin_y + rows * grid.cell_size_m]
    )
    return cells, exact_density(xy, None, centres, surface.kernel, surface.bandwidth_m)


def _esda_weights(grid: hs.Grid) -> Any:
    from benchmarks.bench_getis_ord import _esda_weights as weights

    return weights(grid)


def lattice_rows() -> list[dict[str, Any]]:
    """Gi* and local Moran's I (analytic) on 40,000 cells against esda."""
    import esda

    from benchmarks.bench_getis_ord import _grid_case

    grid, values = _grid_case(200, np.random.default_rng(0))
    w = _esda_weights(grid)

    def peer_gi(fresh: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return esda.G_Local(values, fresh, transform="B", star=True, permutations=0)

    def peer_moran(fresh: Any) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return esda.Moran_Local(values, fresh, transformation="r", permutations=0)

    spread, results = interleaved_seconds(
        {
            "gi": lambda _: hs.gi_star(grid, value=values, distance_m=150),
            "G_Local": peer_gi,
            "moran": lambda _: hs.local_moran(grid, value=values, distance_m=150, n_permutations=0),
            "Moran_Local": peer_moran,
        },
        repeat=REPEAT,
        setup=lambda: copy.deepcopy(w),  # esda transforms the W it is given: untimed copy
    )
    gi_diff = float(np.nanmax(np.abs(results["gi"].z_score - results["G_Local"].Zs)))
    moran_diff = float(np.max(np.abs(results["moran"].local_i - results["Moran_Local"].Is)))
    return [
        _row(
            "gi_star 40,000 cells, 150 m band (defaults: analytic)",
            spread,
            ours="gi",
            peer="G_Local",
            peer_name="esda G_Local",
            difference=f"|z| {gi_diff:.1e}",
        ),
        _row(
            "local_moran 40,000 cells, 150 m band, n_permutations=0",
            spread,
            ours="moran",
            peer="Moran_Local",
            peer_name="esda Moran_Local",
            difference=f"|I| {moran_diff:.1e}",
        ),
    ]


def _chicago() -> gpd.GeoDataFrame | None:
    path = SHARED_DATA / "chicago_burglary_2014_2017.csv"
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    return gpd.GeoDataFrame(
        frame[["timestamp"]], geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=26971
    )


def knox_rows() -> list[dict[str, Any]]:
    """knox_test: against pointpats on a subset, and on all Chicago burglaries alone."""
    from pointpats.spacetime import Knox

    events = _chicago()
    if events is None:
        return []
    small = events.iloc[::20]
    xy = np.column_stack([small.geometry.x, small.geometry.y])
    day0 = small["timestamp"].min().normalize()
    days = (small["timestamp"].dt.normalize() - day0).dt.days.to_numpy(float)[:, None]
    one_band = {"spatial_bands_m": [300], "temporal_bands_days": [21], "rng": 1}
    spread, results = interleaved_seconds(
        {
            "ours": lambda: hs.knox_test(small, **one_band),
            "pointpats": lambda: Knox(xy, days, delta=300, tau=21, permutations=99),
        },
        repeat=REPEAT,
    )
    close = int(results["ours"].observed[:2, 0].sum())  # same location + (0, 300] m, <= 21 d
    nrc = {"spatial_bands_m": [100, 200, 300], "temporal_bands_days": [2, 4]}
    peak = traced_peak_bytes(lambda: hs.knox_test(events, nrc_compatible=True, **nrc))
    whole, _ = interleaved_seconds(
        {"ours": lambda: hs.knox_test(events, nrc_compatible=True, rng=1, **nrc)},
        repeat=REPEAT,
    )
    return [
        _row(
            f"knox_test {len(small):,} events, 1 x 1 band, 99 permutations",
            spread,
            ours="ours",
            peer="pointpats",
            peer_name="pointpats Knox",
            difference=f"statistic {abs(close - int(results['pointpats'].statistic_))}",
        ),
        _row(
            f"knox_test Chicago {len(events):,} events, NRC bands, 99 permutations",
            whole,
            ours="ours",
            peer=None,
            peer_name="(none at this size)",
            difference="-",
            peak=(peak, None),
        ),
    ]


def bandwidth_rows() -> list[dict[str, Any]]:
    """select_bandwidth(rule="likelihood_cv") on the Chicago burglaries (no peer)."""
    events = _chicago()
    if events is None:
        return []
    spread, results = interleaved_seconds(
        {"ours": lambda: hs.select_bandwidth(events, rule="likelihood_cv")}, repeat=REPEAT
    )
    chosen = results["ours"].bandwidth_m
    return [
        _row(
            f"select_bandwidth likelihood_cv, Chicago {len(events):,} events ({chosen:.0f} m)",
            spread,
            ours="ours",
            peer=None,
            peer_name="(none at this size)",
            difference="-",
            peak=(
                traced_peak_bytes(lambda: hs.select_bandwidth(events, rule="likelihood_cv")),
                None,
            ),
        )
    ]


def grid_rows() -> list[dict[str, Any]]:
    """make_grid, 1M square cells over a box (no peer at this size)."""
    area = gpd.GeoSeries([shapely.box(0, 0, 100_000.0, 100_000.0)], crs=27700)
    spread, results = interleaved_seconds(
        {"ours": lambda: hs.make_grid(area, cell_size_m=100, max_cells=2_000_000)},
        repeat=REPEAT,
    )
    peak = traced_peak_bytes(lambda: hs.make_grid(area, cell_size_m=100, max_cells=2_000_000))
    return [
        _row(
            f"make_grid {results['ours'].n_cells:,} square cells",
            spread,
            ours="ours",
            peer=None,
            peer_name="-",
            difference="-",
            peak=(peak, None),
        )
    ]


def emerging_rows() -> list[dict[str, Any]]:
    """emerging_hotspots, 366 daily steps on 56,000 cells (the previous engine: bench_emerging)."""
    from benchmarks.bench_emerging import OPTIONS, daily_case

    events, area = daily_case()
    options = {**OPTIONS, "area": area}
    spread, results = interleaved_seconds(
        {"ours": lambda: hs.emerging_hotspots(events, **options)}, repeat=REPEAT
    )
    found = results["ours"]
    return [
        _row(
            f"emerging_hotspots {len(events):,} events, {found.n_steps} daily steps x "
            f"{found.count.shape[1]:,} cells (target <= 10 s)",
            spread,
            ours="ours",
            peer=None,
            peer_name="(previous engine: python -m benchmarks emerging)",
            difference="-",
            peak=(traced_peak_bytes(lambda: hs.emerging_hotspots(events, **options)), None),
        )
    ]


def patrol_rows() -> list[dict[str, Any]]:
    """patrol_visits, exactly 10M simulated pings onto 5,184 grid cells (bench_dose's case)."""
    from benchmarks.bench_dose import _AREA_M, _polygon_places, _schedule

    n_pings = 10_000_000
    rng = np.random.default_rng(0)
    places = _polygon_places(500, rng)
    pings = hs.simulate_patrol_pings(places, _schedule(places, n_pings, rng), rng=1).pings
    pings = pings.iloc[:n_pings]
    side = np.sqrt(5_000) * 100.0
    low = (_AREA_M - side) / 2
    grid = hs.make_grid(
        gpd.GeoSeries([shapely.box(low, low, low + side, low + side)], crs=27700),
        cell_size_m=100,
    )
    spread, results = interleaved_seconds(
        {"ours": lambda: hs.patrol_visits(pings, grid)}, repeat=REPEAT
    )
    peak = traced_peak_bytes(lambda: hs.patrol_visits(pings, grid))
    return [
        _row(
            f"patrol_visits {len(pings):,} pings, {grid.n_cells:,} cells "
            f"({len(results['ours'].visits):,} visits)",
            spread,
            ours="ours",
            peer=None,
            peer_name="-",
            difference="-",
            peak=(peak, None),
        )
    ]


def main() -> None:
    """Run the headline rows and print one table."""
    start = time.perf_counter()
    before = load_average()
    rows = kde_rows() + [kde_gaussian_row()] + lattice_rows()
    rows += knox_rows() + bandwidth_rows() + grid_rows() + emerging_rows() + patrol_rows()
    title = (
        f"headline rows, defaults; min/median of {REPEAT} interleaved rounds "
        f"(load average before: {before}; after: {load_average()})"
    )
    report(title, rows)
    print(f"\n(bench-quick took {time.perf_counter() - start:.0f} s)")
