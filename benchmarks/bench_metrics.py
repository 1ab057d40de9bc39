"""metrics: Knox test against pointpats, compare_methods on a year, Gini bootstrap.

Run with ``python -m benchmarks metrics``. pointpats' Knox loops over events in Python
for every permutation, so it runs on subsets and its 100k-event time is extrapolated
from two subset sizes (stated in the table).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import hotspotlib as hs
from benchmarks._timing import median_seconds, report

N_PERMUTATIONS = 99


def _xy_days(events: Any) -> tuple[np.ndarray, np.ndarray]:
    xy = np.column_stack([events.geometry.x.to_numpy(), events.geometry.y.to_numpy()])
    days = (events["timestamp"].dt.normalize() - events["timestamp"].min().normalize()).dt.days
    return xy, days.to_numpy(dtype=float).reshape(-1, 1)


def _pointpats_seconds(events: Any, delta: float, tau: float, permutations: int) -> float:
    from pointpats.spacetime import Knox

    xy, days = _xy_days(events)
    start = time.perf_counter()
    Knox(xy, days, delta=delta, tau=tau, permutations=permutations)
    return time.perf_counter() - start


def _city() -> Any:
    # Two years over 25 km x 25 km: about the density of a large city's burglaries.
    return hs.synthetic_city(
        n_events=100_000, size_m=25_000, days=730, hotspot_share=0.05, rng=7
    ).events


def knox_rows() -> list[dict[str, Any]]:
    events = _city()
    rows = []
    ours_full = median_seconds(
        lambda: hs.knox_test(
            events,
            spatial_bands_m=[100, 200, 300],
            temporal_bands_days=[7, 14, 21],
            n_permutations=N_PERMUTATIONS,
            rng=1,
        ),
        repeat=1,
        warmup=0,
    )
    result = hs.knox_test(events, spatial_bands_m=[300], temporal_bands_days=[21], n_permutations=0)
    listed = int(result.observed[:-1].sum())
    # Same data, same single threshold (d <= 300 m, |t| <= 21 days), same permutations.
    small = events.iloc[::20]
    ours_small = median_seconds(
        lambda: hs.knox_test(
            small,
            spatial_bands_m=[300],
            temporal_bands_days=[21],
            n_permutations=N_PERMUTATIONS,
            rng=1,
        ),
        repeat=3,
    )
    peer_small = _pointpats_seconds(small, 300, 21, N_PERMUTATIONS)
    rows.append(
        {
            "case": f"{len(small):,} events, 1 x 1 band, {N_PERMUTATIONS} perms",
            "hotspotlib_s": ours_small,
            "pointpats_s": peer_small,
            "speed-up": peer_small / ours_small,
            "target": "-",
        }
    )
    # pointpats at two subset sizes with 9 permutations -> power law -> 100k x 99.
    sizes, times = [], []
    for step in (40, 20):
        subset = events.iloc[::step]
        sizes.append(len(subset))
        times.append(_pointpats_seconds(subset, 300, 21, 9) * N_PERMUTATIONS / 9)
    exponent = np.log(times[1] / times[0]) / np.log(sizes[1] / sizes[0])
    peer_full = times[1] * (len(events) / sizes[1]) ** exponent
    rows.append(
        {
            "case": f"{len(events):,} events ({listed:,} pairs <= 300 m), 5 x 4 bands, "
            f"{N_PERMUTATIONS} perms",
            "hotspotlib_s": ours_full,
            "pointpats_s": f"~{peer_full:,.0f} (extrapolated, n^{exponent:.2f})",
            "speed-up": peer_full / ours_full,
            "target": "<= 10 s",
        }
    )
    return rows


def _shared_chicago() -> Path | None:
    for folder in Path(__file__).resolve().parents:
        candidate = folder / "shared" / "data" / "chicago_burglary_2014_2017.csv"
        if candidate.exists():
            return candidate
    return None


def chicago_rows() -> list[dict[str, Any]]:
    path = _shared_chicago()
    if path is None:
        return []
    frame = pd.read_csv(path)
    frame["timestamp"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    import geopandas as gpd

    events = gpd.GeoDataFrame(
        frame[["timestamp"]], geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=26971
    )
    seconds = median_seconds(
        lambda: hs.knox_test(
            events,
            spatial_bands_m=[100, 200, 300],
            temporal_bands_days=[2, 4],
            n_permutations=N_PERMUTATIONS,
            rng=1,
            nrc_compatible=True,
        ),
        repeat=3,
    )
    return [
        {
            "case": f"Chicago burglary 2014-17 ({len(events):,} events), NRC bands",
            "hotspotlib_s": seconds,
            "pointpats_s": "-",
            "speed-up": "-",
            "target": "<= 2 s",
        }
    ]


def compare_rows() -> list[dict[str, Any]]:
    city = hs.synthetic_city(n_events=20_000, rng=2024)
    methods: list[str] = ["counts", "prospective"]
    methods += [name for name in ("kde", "gi_star") if hasattr(hs.hotspots, name)]
    start = time.perf_counter()
    result = hs.compare_methods(
        city.events,
        methods=methods,
        train=pd.DateOffset(months=3),
        test=pd.DateOffset(months=1),
        cell_size_m=150,
        area=city.boundary,
        coverage=[0.01, 0.05],
    )
    seconds = time.perf_counter() - start
    means = result.mean()
    rows = []
    for name in methods:
        at = means[(means["method"] == name)].set_index("coverage")
        rows.append(
            {
                "method": name,
                "origins": len(result.origins),
                "cells": result.grid.n_cells,
                "hit_rate_1%": at.loc[0.01, "hit_rate"],
                "pai_1%": at.loc[0.01, "pai"],
                "hit_rate_5%": at.loc[0.05, "hit_rate"],
                "pai_5%": at.loc[0.05, "pai"],
                "pei_5%": at.loc[0.05, "pei"],
                "total_s": seconds,
            }
        )
    return rows


def gini_rows() -> list[dict[str, Any]]:
    rng = np.random.default_rng(0)
    counts = rng.poisson(rng.gamma(0.3, 2.0, 1_000_000))
    ours = median_seconds(lambda: hs.gini(counts, n_bootstrap=999, rng=1), repeat=3)
    sample = counts[:100_000]

    def naive() -> None:
        for _ in range(20):  # resample places, sort, closed-form Gini
            draw = np.sort(sample[rng.integers(0, sample.size, sample.size)])
            ranks = np.arange(1, draw.size + 1)
            _ = 2 * (ranks * draw).sum() / (draw.size * draw.sum()) - (draw.size + 1) / draw.size

    naive_scaled = median_seconds(naive, repeat=1, warmup=0) * (999 / 20) * 10
    return [
        {
            "case": "gini, 1M places, 999 bootstrap replicates",
            "hotspotlib_s": ours,
            "resample+sort_s (scaled from 100k x 20)": naive_scaled,
            "speed-up": naive_scaled / ours,
            "target": "<= 1 s",
        }
    ]


def main() -> None:
    report("knox_test vs pointpats.Knox", knox_rows() + chicago_rows())
    report("compare_methods: a year of the synthetic city, monthly origins", compare_rows())
    report("gini bootstrap (multinomial over distinct counts) vs resampling places", gini_rows())


if __name__ == "__main__":
    main()
