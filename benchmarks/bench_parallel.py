"""Parallel parts on a Dask LocalCluster: speed-up from 1 to 2 workers, and equality.

Each function runs in this process (no client), then on a local cluster of 1 and of 2
worker processes (one thread each). The rows print the minimum of 3 interleaved
repeats, the speed-up of 2 workers over 1, and whether all three results are
bit-identical. On a machine shared with other work the speed-up is bounded by the
cores actually free. Run it by name: ``python -m benchmarks parallel``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np

import hotspotlib as hs
from benchmarks._timing import report

ONLY_WHEN_NAMED = True
"""Starts two local clusters and takes a few minutes: run only when named."""


def _cases() -> dict[str, tuple[Callable[[Any], Any], Callable[[Any], np.ndarray]]]:
    # Sized so that each case is seconds of work: with tens of milliseconds (499 Gi*
    # permutations on 4,000 events, 100 Knox permutations) the cluster's per-call
    # overhead (scatter, scheduling) is the whole time and 2 workers cannot help.
    city = hs.synthetic_city(n_events=20_000, rng=1)
    counts = hs.count_events(city.events, hs.make_grid(city.events, cell_size_m=100))
    knox_events = city.events.iloc[:10_000]
    plan = hs.assign_days(range(40), start="2020-07-01", days=120, treated_per_day=20, rng=1)
    means = np.linspace(0.1, 1.0, 40)
    rng = np.random.default_rng(0)
    panels = {}
    for force in range(8):
        panel = hs.assign_days(range(30), start="2021-01-01", days=60, treated_per_day=15, rng=rng)
        frame = panel.to_frame().reset_index()
        frame["crimes"] = rng.poisson(np.where(frame["treated"] == 1, 0.8, 1.0))
        panels[f"force {force}"] = frame
    return {
        "gi_star, 9,999 permutations": (
            lambda c: hs.gi_star(counts, distance_m=300, n_permutations=9_999, rng=1, client=c),
            lambda r: r.p_value,
        ),
        "knox_test, 999 permutations": (
            lambda c: hs.knox_test(
                knox_events,
                spatial_bands_m=[100, 200, 400],
                temporal_bands_days=[7, 14],
                n_permutations=999,
                rng=1,
                client=c,
            ),
            lambda r: r.simulated,
        ),
        "simulate_power, 1,000 trials": (
            lambda c: hs.simulate_power(
                plan, place_means=means, irr=0.8, n_simulations=1_000, rng=1, client=c
            ),
            lambda r: r.estimates,
        ),
        "evaluate_forces, 8 forces": (
            lambda c: hs.evaluate_forces(
                panels, outcome="crimes", design="crossover", model="poisson", client=c
            ),
            lambda r: r.table[["estimate", "std_error"]].to_numpy(),
        ),
    }


def _equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Bit-identical arrays (NaN where NaN)."""
    try:
        np.testing.assert_array_equal(a, b)
    except AssertionError:
        return False
    return True


def main() -> None:
    import distributed

    cases = _cases()
    clusters = {
        n: distributed.LocalCluster(
            n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
        for n in (1, 2)
    }
    clients = {"no client": None} | {
        f"{n} worker{'s' if n > 1 else ''}": distributed.Client(c) for n, c in clusters.items()
    }
    rows = []
    try:
        for name, (run, key) in cases.items():
            best = {label: float("inf") for label in clients}
            results: dict[str, Any] = {}
            for label, client in clients.items():  # warm-up: imports and first scatter
                results[label] = key(run(client))
            for _ in range(3):  # interleaved repeats
                for label, client in clients.items():
                    start = time.perf_counter()
                    run(client)
                    best[label] = min(best[label], time.perf_counter() - start)
            same = all(_equal(results["no client"], r) for r in results.values())
            rows.append(
                {
                    "case": name,
                    **{f"{label} s": best[label] for label in clients},
                    "speed-up 1 -> 2": best["1 worker"] / best["2 workers"],
                    "identical": same,
                }
            )
            print(f"done: {rows[-1]}", flush=True)
    finally:
        for client in clients.values():
            if client is not None:
                client.close()
        for cluster in clusters.values():
            cluster.close()
    report("Parallel parts on a local Dask cluster (min of 3, seconds)", rows)


if __name__ == "__main__":
    main()
