"""forecast: which scores pick next month's burglary hot spots best (Chicago, 2017)?

Run with ``python -m benchmarks forecast``. Real residential burglaries (Chicago
2014-2017, the shared data file), 150 m cells over the events' extent, monthly origins
over 2017; every method trains on the events before the origin and is judged on the
next 28 days by :func:`hotspotlib.rolling_evaluation`. Prints the mean hit rate, PAI
and PEI at 1% and 5% of the area, their spread across origins (sd) and a bootstrap
interval over origins, then whether the best method beats the better of the 1-year and
3-year counts by at least 10% at both coverages. Skips when the file is absent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd

import hotspotlib as hs
from benchmarks._timing import SHARED_DATA, report

CELL_SIZE_M = 150.0
COVERAGES = (0.01, 0.05)
YEAR = 365.0


def load_chicago() -> gpd.GeoDataFrame | None:
    """The Chicago burglaries as points in EPSG:26971 with a ``timestamp`` (or None)."""
    path = SHARED_DATA / "chicago_burglary_2014_2017.csv"
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    return gpd.GeoDataFrame(
        frame[["timestamp"]], geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=26971
    )


def methods(grid: hs.Grid) -> dict[str, Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]]:
    """Forecast methods, each f(training_events, origin) -> scores per cell."""

    def window(days: float) -> Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]:
        return lambda train, origin: hs.window_counts(train, grid, origin=origin, window_days=days)

    def recency(half_life: float) -> Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]:
        return lambda train, origin: hs.recency_counts(
            train, grid, origin=origin, half_life_days=half_life
        )

    def kde(bandwidth_m: float | None) -> Callable[[gpd.GeoDataFrame, pd.Timestamp], Any]:
        def score(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> Any:
            recent = train[train["timestamp"] >= origin - pd.Timedelta(days=3 * YEAR)]
            surface = hs.kde(recent, grid=grid, bandwidth_m=bandwidth_m)
            return surface.to_frame()["density"].to_numpy()

        return score

    return {
        "counts 1y": window(YEAR),
        "counts 3y": window(3 * YEAR),
        "recency hl 90d": recency(90),
        "recency hl 180d": recency(180),
        "recency hl 365d": recency(365),
        "recency hl 730d": recency(730),
        "shrunk global 3y": lambda train, origin: hs.shrunken_counts(
            train, grid, origin=origin, window_days=3 * YEAR
        ),
        "shrunk local 3y": lambda train, origin: hs.shrunken_counts(
            train, grid, origin=origin, window_days=3 * YEAR, prior="local"
        ),
        "shrunk local all": lambda train, origin: hs.shrunken_counts(
            train, grid, origin=origin, prior="local"
        ),
        "kde 3y default bw": kde(None),
        "kde 3y bw 150 m": kde(150.0),
    }


def forecast_rows(events: gpd.GeoDataFrame) -> tuple[list[dict[str, Any]], str]:
    grid = hs.make_grid(events, cell_size_m=CELL_SIZE_M)
    origins = pd.date_range("2017-01-01", periods=12, freq="MS")
    start = time.perf_counter()
    result = hs.rolling_evaluation(
        events,
        grid,
        methods=methods(grid),
        origins=origins,
        test_days=28,
        coverage=COVERAGES,
        n_bootstrap=2_000,
        rng=1,
    )
    seconds = time.perf_counter() - start
    means = result.means.set_index(["method", "coverage"])
    rows = []
    for name in result.methods:
        row: dict[str, Any] = {"method": name}
        for cov in COVERAGES:
            line = means.loc[(name, cov)]
            tag = f"@{cov:.0%}"
            row[f"hit{tag}"] = float(line["hit_rate"])
            row[f"ci{tag}"] = f"{line['hit_rate_ci_low']:.3f}-{line['hit_rate_ci_high']:.3f}"
            row[f"sd{tag}"] = float(line["hit_rate_sd"])
            row[f"pai{tag}"] = float(line["pai"])
            row[f"pei{tag}"] = float(line["pei"])
            row[f"p_best{tag}"] = float(line["p_best"])
        rows.append(row)
    verdicts = []
    for cov in COVERAGES:
        tag = f"hit@{cov:.0%}"
        baseline = max(r[tag] for r in rows if r["method"].startswith("counts"))
        best = max(rows, key=lambda r: r[tag])
        gain = best[tag] / baseline - 1
        verdicts.append(
            f"{cov:.0%}: best {best['method']!r} {best[tag]:.4f} vs best counts "
            f"{baseline:.4f} ({gain:+.1%}; target +10%: {'met' if gain >= 0.10 else 'not met'})"
        )
    footer = (
        f"{len(result.origins)} origins, {result.counts['n_test_events']} test events, "
        f"{grid.n_cells:,} cells, {seconds:.0f} s in all.\n" + "\n".join(verdicts)
    )
    return rows, footer


def static_rows(events: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """Train 2014-2016, test all of 2017: the one-split check behind the monthly protocol."""
    grid = hs.make_grid(events, cell_size_m=CELL_SIZE_M)
    origin = pd.Timestamp("2017-01-01")
    train, test = events[events["timestamp"] < origin], events[events["timestamp"] >= origin]
    rows = []
    for name, method in methods(grid).items():  # a handful of methods
        scores = method(train, origin)
        values = getattr(scores, "scores", scores)
        table = hs.accuracy_curve(values, test, grid=grid, coverage=COVERAGES).table
        rows.append(
            {
                "method": name,
                "hit@1%": float(table["hit_rate"].iloc[0]),
                "hit@5%": float(table["hit_rate"].iloc[1]),
            }
        )
    return rows


def main() -> None:
    events = load_chicago()
    if events is None:
        print("\n== forecast: Chicago file absent, skipped ==")
        return
    rows, footer = forecast_rows(events)
    report("forecast: monthly origins over 2017, test 28 days, 150 m cells (Chicago)", rows)
    print(footer)
    report("forecast: one split, train 2014-2016, test 2017 (Chicago)", static_rows(events))


if __name__ == "__main__":
    main()
