"""Forecast gains on shifted grids: is a method's lead over counts a property of one partition?

Run with ``python -m benchmarks shifted_grids`` (about 20 minutes; only when named). The
monthly protocol of ``python -m benchmarks forecast`` (Chicago burglaries, 150 m cells,
28-day tests, every method trained only on events before each origin) repeated on grids
whose lattice is shifted: over 2017 (12 origins, the target year) on four grids, the cells
of the events' extent and the same lattice moved by half a cell east, north and both; over
April-December 2015 (9 origins; before April the data hold too little history) and 2016
(12) on the grid moved both ways. For each method and coverage it prints the mean hit rate
and the gain over the better of the 1- and 3-year counts on the same grid and year,
averaged over the year's grids, with the lowest and highest; the last lines apply the rule
written before these runs were first made: a method meets the target robustly when its
average gain is at least +10% at 1% and at 5% of the area in every year.
``HOTSPOTLIB_FORECAST_ORIGINS=2`` (say) runs 2 origins per year for a quick look (the
verdict is then not the one quoted).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from shapely.geometry import box

import hotspotlib as hs
from benchmarks._timing import report
from benchmarks.bench_forecast import load_chicago

ONLY_WHEN_NAMED = True
CELL_SIZE_M = 150.0
COVERAGES = (0.01, 0.05)
HALF = CELL_SIZE_M / 2
RUNS = (  # (year, east and north shift of the lattice in metres)
    *((2017, shift) for shift in ((0.0, 0.0), (HALF, 0.0), (0.0, HALF), (HALF, HALF))),
    (2015, (HALF, HALF)),
    (2016, (HALF, HALF)),
)
YEARS = (2017, 2015, 2016)
TARGET = 0.10
BASELINES = ("counts 1y", "counts 3y")
YEAR = 365.0


def shifted_grid(events: gpd.GeoDataFrame, east_m: float, north_m: float) -> hs.Grid:
    """Cells over the events' extent, the lattice's corner moved west and south."""
    x0, y0, x1, y1 = events.total_bounds
    area = gpd.GeoDataFrame(geometry=[box(x0 - east_m, y0 - north_m, x1, y1)], crs=events.crs)
    return hs.make_grid(area, cell_size_m=CELL_SIZE_M)


def methods(grid: hs.Grid) -> dict[str, Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]]:
    """The counts baselines and the methods at their defaults."""
    return {
        "counts 1y": lambda t, o: hs.window_counts(t, grid, origin=o, window_days=YEAR),
        "counts 3y": lambda t, o: hs.window_counts(t, grid, origin=o, window_days=3 * YEAR),
        "shrunk local all": lambda t, o: hs.shrunken_counts(t, grid, origin=o, prior="local"),
        "decayed_kde": lambda t, o: hs.decayed_kde(t, grid, origin=o),
        "lagged_regression": lambda t, o: hs.lagged_regression(t, grid, origin=o),
        "ensemble": lambda t, o: hs.ensemble(t, grid, origin=o),
    }


def year_origins(year: int) -> pd.DatetimeIndex:
    """Monthly origins of ``year`` (April on in 2015), thinned by the environment variable."""
    origins = pd.date_range(f"{year}-01-01", periods=12, freq="MS")
    if year == 2015:
        origins = origins[3:]
    wanted = int(os.environ.get("HOTSPOTLIB_FORECAST_ORIGINS", str(len(origins))))
    picks = np.linspace(0, len(origins) - 1, max(1, min(wanted, len(origins))))
    return origins[np.unique(picks.round().astype(int))]


def gains(events: gpd.GeoDataFrame, grid: hs.Grid, year: int) -> pd.DataFrame:
    """Mean hit rate and gain over the better counts baseline, per method and coverage."""
    with warnings.catch_warnings():  # members' caveats (a flat kernel, few events): in notes
        warnings.simplefilter("ignore", UserWarning)
        result = hs.rolling_evaluation(
            events,
            grid,
            methods=methods(grid),
            origins=year_origins(year),
            test_days=28,
            coverage=COVERAGES,
            n_bootstrap=0,
        )
    means = result.means[["method", "coverage", "hit_rate"]].copy()
    baseline = means[means["method"].isin(BASELINES)].groupby("coverage")["hit_rate"].max()
    means["gain"] = means["hit_rate"] / means["coverage"].map(baseline) - 1
    return means


def main() -> None:
    events = load_chicago()
    if events is None:
        print("\n== shifted_grids: Chicago file absent, skipped ==")
        return
    runs = []
    for year, (east, north) in RUNS:
        table = gains(events, shifted_grid(events, east, north), year)
        runs.append(table.assign(year=year, shift=f"{east:g},{north:g}"))
    every = pd.concat(runs, ignore_index=True)
    grouped = every.groupby(["year", "method", "coverage"])
    summary = grouped["gain"].agg(["mean", "min", "max"])
    hits = grouped["hit_rate"].mean()
    rows = []
    for (year, method, coverage), line in summary.iterrows():
        rows.append(
            {
                "year": year,
                "method": method,
                "coverage": f"{coverage:.0%}",
                "hit_rate": float(hits[(year, method, coverage)]),
                "gain_mean": f"{line['mean']:+.1%}",
                "gain_min": f"{line['min']:+.1%}",
                "gain_max": f"{line['max']:+.1%}",
            }
        )
    report("shifted_grids: gain over the better of 1- and 3-year counts, by year and grid", rows)
    mean_gain = summary["mean"]
    for method in every["method"].unique():
        if method in BASELINES:
            continue
        met = all(mean_gain[(y, method, c)] >= TARGET for y in YEARS for c in COVERAGES)
        shown = ", ".join(
            f"{y} {c:.0%} {mean_gain[(y, method, c)]:+.1%}" for y in YEARS for c in COVERAGES
        )
        print(f"{method}: {'meets' if met else 'does not meet'} the rule ({shown})")


if __name__ == "__main__":
    main()
