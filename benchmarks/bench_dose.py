"""Patrol dose: GPS pings to visits at scale, and the fixed-effects model vs statsmodels.

Set HOTSPOTLIB_BENCH_PINGS (default 10_000_000) to run the ping cases at another size,
and HOTSPOTLIB_BENCH_STAGES=1 for the grid case's seconds per stage (under cProfile).
The pings are simulated with ``hs.simulate_patrol_pings`` from a schedule that overshoots
the size, then cut to exactly that many rows (the "10M" case holds 10,000,000 pings).
"""

from __future__ import annotations

import os
import time
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import statsmodels.api as sm

import hotspotlib as hs
from benchmarks._timing import (
    interleaved_seconds,
    load_average,
    median_seconds,
    report,
    traced_peak_bytes,
)

_AREA_M = 10_000.0


def _polygon_places(n: int, rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Twelve-sided hot spots of 60-110 m radius scattered over a 10 km square."""
    centre = rng.uniform(500, _AREA_M - 500, (n, 2))
    radius = rng.uniform(60, 110, n)
    geoms = shapely.buffer(shapely.points(centre), radius, quad_segs=3)
    return gpd.GeoDataFrame(
        geometry=geoms, crs=27700, index=pd.Index(np.arange(n), name="place_id")
    )


def _schedule(places: gpd.GeoDataFrame, n_pings: int, rng: np.random.Generator) -> pd.DataFrame:
    """Officers' visits of 1-25 minutes with 20-60 minute walks between them."""
    per_officer = 200
    # ~53 pings per visit and walk; 20% more officers so that the cut keeps n_pings rows.
    n_officers = max(1, int(np.ceil(1.2 * n_pings / (per_officer * 53))))
    minutes = rng.integers(1, 26, (n_officers, per_officer)).astype(float)
    gap = rng.integers(20, 61, (n_officers, per_officer))
    start = np.cumsum(minutes + gap, axis=1) - (minutes + gap)
    return pd.DataFrame(
        {
            "officer_id": np.repeat([f"officer_{i}" for i in range(n_officers)], per_officer),
            "place_id": rng.choice(places.index.to_numpy(), n_officers * per_officer),
            "arrival": pd.Timestamp("2024-01-01") + pd.to_timedelta(start.ravel(), unit="min"),
            "minutes": minutes.ravel(),
        }
    )


def _ping_cases(n_pings: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    places = _polygon_places(500, rng)
    schedule = _schedule(places, n_pings, rng)
    started = time.perf_counter()
    pings = hs.simulate_patrol_pings(places, schedule, rng=1).pings
    simulate_s = time.perf_counter() - started
    if len(pings) < n_pings:
        raise RuntimeError(f"simulated {len(pings):,} pings, fewer than {n_pings:,}")
    pings = pings.iloc[:n_pings]
    side = np.sqrt(5_000) * 100.0  # 5,000 cells of 100 m in the middle of the area
    low = (_AREA_M - side) / 2
    grid = hs.make_grid(
        gpd.GeoSeries([shapely.box(low, low, low + side, low + side)], crs=27700),
        cell_size_m=100,
    )
    sample = pings.iloc[:500_000]
    rows = []
    for label, target_places, target in [
        ("500 polygons", places, "<= 10 s at 10M pings on 2 cores"),
        (f"{grid.n_cells} grid cells", grid, "<= 3 s and < 2 GB at 10M pings on 2 cores"),
    ]:
        before = load_average()
        spread, results = interleaved_seconds(
            {"ours": lambda p=target_places: hs.patrol_visits(pings, p)}, repeat=3
        )
        ours, ours_median = spread["ours"]
        peak = traced_peak_bytes(lambda p=target_places: hs.patrol_visits(pings, p))
        cells = target_places.cells if isinstance(target_places, hs.Grid) else target_places
        peer = median_seconds(
            lambda c=cells: gpd.sjoin(sample, c, predicate="intersects"), repeat=1, warmup=0
        )
        # Both sides locate the same sample pings: pings inside a place, ours and sjoin's.
        counts = hs.patrol_visits(sample, target_places).counts
        joined = gpd.sjoin(sample, cells, predicate="intersects").index.nunique()
        rows.append(
            {
                "places": label,
                "pings": len(pings),
                "visits": len(results["ours"].visits),
                "patrol_visits_s min/median (runs)": f"{ours:.2f}/{ours_median:.2f} (3)",
                "peak_GB (tracemalloc)": peak / 1e9,
                "sjoin_only_s (scaled)": peer * len(pings) / len(sample),
                "speed-up": peer * len(pings) / len(sample) / ours,
                "sample pings inside ours/sjoin": f"{counts['n_used'] - counts['n_outside']}"
                f"/{joined}",
                "target": target,
                "load before/after": f"{before} / {load_average()}",
            }
        )
    rows.append(
        {
            "places": "(simulating the pings)",
            "pings": len(pings),
            "visits": len(schedule),
            "patrol_visits_s min/median (runs)": f"{simulate_s:.2f} (1)",
            "peak_GB (tracemalloc)": float("nan"),
            "sjoin_only_s (scaled)": float("nan"),
            "speed-up": float("nan"),
            "sample pings inside ours/sjoin": "-",
            "target": "setup, not a target",
            "load before/after": load_average(),
        }
    )
    if os.environ.get("HOTSPOTLIB_BENCH_STAGES"):
        report(f"patrol_visits by stage, {len(pings):,} pings, grid", _stage_rows(pings, grid))
    return rows


# The engine's steps, by the functions that do them (cumulative wall time under cProfile).
_STAGES = {
    "read coordinates, CRS check": ("ping_positions",),
    "times and officer ids": ("clean_pings",),
    "order by officer and time": ("sort_order", "guess_interval"),
    "gather, de-duplicate, locate": ("sorted_chunks",),
    "episodes": ("chunk_episodes",),
    "union into visits": ("union_visits",),
    "tables": ("visit_table", "episode_table"),
    "total": ("patrol_visits",),
}


def _stage_rows(pings: gpd.GeoDataFrame, grid: hs.Grid) -> list[dict[str, Any]]:
    """Seconds per stage (min of 3 profiled runs), from cProfile's cumulative times."""
    import cProfile
    import pstats

    seconds: dict[str, list[float]] = {stage: [] for stage in _STAGES}
    for _ in range(3):
        profile = cProfile.Profile()
        profile.runcall(hs.patrol_visits, pings, grid)
        stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
        for stage, names in _STAGES.items():
            seconds[stage].append(
                sum(
                    v[3] for (path, _, name), v in stats.items() if name in names and "dose" in path
                )
            )
    return [
        {"stage": stage, "min_s": min(values), "median_s": sorted(values)[1]}
        for stage, values in seconds.items()
    ]


def _panel(n_places: int, n_days: int, rng: np.random.Generator) -> pd.DataFrame:
    place = np.repeat(np.arange(n_places), n_days)
    day = np.tile(np.arange(n_days), n_places)
    minutes = rng.choice([0, 0, 0, 5, 10, 15, 20, 30], place.size).astype(float)
    eta = rng.normal(0, 0.6, n_places)[place] + rng.normal(0, 0.2, n_days)[day]
    eta = eta - 0.2 * np.log1p(minutes)
    return pd.DataFrame(
        {
            "place": place,
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(day, unit="D"),
            "patrol_minutes": minutes,
            "crimes": rng.poisson(np.exp(eta)),
        }
    )


def _fixed_effects_case(rng: np.random.Generator) -> list[dict[str, Any]]:
    frame = _panel(200, 500, rng)
    ours = median_seconds(
        lambda: hs.dose_response(frame, outcome="crimes", place="place"), repeat=3
    )
    fit = hs.dose_response(frame, outcome="crimes", place="place")

    def dummy_model() -> Any:
        dummies = np.column_stack(
            [
                np.ones(len(frame)),
                pd.get_dummies(frame["place"], drop_first=True).to_numpy(float),
                pd.get_dummies(frame["date"], drop_first=True).to_numpy(float),
            ]
        )
        exog = np.column_stack([np.log1p(frame["patrol_minutes"].to_numpy()), dummies])
        return sm.GLM(frame["crimes"].to_numpy(float), exog, family=sm.families.Poisson()).fit(
            cov_type="cluster", cov_kwds={"groups": frame["place"].to_numpy()}, tol=1e-10
        )

    started = time.perf_counter()
    oracle = dummy_model()
    peer = time.perf_counter() - started
    negbin = median_seconds(
        lambda: hs.dose_response(frame, outcome="crimes", place="place", family="negbin"), repeat=1
    )
    return [
        {
            "model": "Poisson, 200 places x 500 days, place+day FE",
            "hotspotlib_s": ours,
            "statsmodels_dummies_s": peer,
            "speed-up": peer / ours,
            "max_abs_coef_diff": float(abs(fit.beta[0] - oracle.params[0])),
            "max_rel_se_diff": float(abs(fit.table["std_error"].iloc[0] / oracle.bse[0] - 1)),
            "target": ">= 10x, same coefficients to 1e-6",
        },
        {
            "model": "NB2 (alpha by profile likelihood), same panel",
            "hotspotlib_s": negbin,
            "statsmodels_dummies_s": float("nan"),
            "speed-up": float("nan"),
            "max_abs_coef_diff": float("nan"),
            "max_rel_se_diff": float("nan"),
            "target": "for the record",
        },
    ]


def main() -> None:
    report(
        "dose_response vs statsmodels GLM with dummy columns",
        _fixed_effects_case(np.random.default_rng(0)),
    )
    n_pings = int(os.environ.get("HOTSPOTLIB_BENCH_PINGS", 10_000_000))
    report(
        f"patrol_visits on ~{n_pings:,} simulated pings",
        _ping_cases(n_pings, np.random.default_rng(0)),
    )


if __name__ == "__main__":
    main()
