"""BLAS threads: the library's fits with one BLAS thread against the default pool.

Run with ``python -m benchmarks threads`` (by name only: it loads both cores on purpose).
The fits of ``lagged_regression`` (Chicago burglaries, 150 m cells, origin 2017-06-01),
``self_exciting`` (2016, cell background), ``dose_response`` (Poisson, 200 places x 500
days) and ``estimate_effect`` (Poisson with place and day effects, 60 x 365; GEE on a
20 x 90 crossover) run with the library's limit of one BLAS thread
(``hotspotlib._threads``) and with it switched off (OpenBLAS's default: one thread per
core), interleaved, the minimum of 2 rounds each; first on the machine as it is, then
with two busy processes competing for the 2 cores (as when other work shares the
machine). Prints the load average, the times, their ratio and the largest difference
between the two results (one thread sums in another order: differences are rounding,
within each fit's convergence tolerance). Skips the Chicago rows when the shared file
is absent.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import hotspotlib as hs
from benchmarks._timing import interleaved_min_seconds, report
from benchmarks.bench_dose import _panel
from benchmarks.bench_forecast import load_chicago
from benchmarks.bench_trials import _southend_panel
from hotspotlib import _threads

ONLY_WHEN_NAMED = True


def _numbers(table: pd.DataFrame) -> np.ndarray:
    return table.select_dtypes("number").to_numpy(float)


def cases() -> dict[str, Callable[[], Any]]:
    """Each case: f() -> an array of its results."""
    found: dict[str, Callable[[], Any]] = {}
    events = load_chicago()
    if events is not None:
        grid = hs.make_grid(events, cell_size_m=150.0)
        june = pd.Timestamp("2017-06-01")
        before = events[events["timestamp"] < june]

        def self_exciting() -> Any:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                return hs.self_exciting(events, grid, origin="2017-01-01", window_days=365.0).scores

        found["lagged_regression, Chicago 2017-06-01"] = lambda: (
            hs.lagged_regression(before, grid, origin=june).scores
        )
        found["self_exciting, Chicago 2016"] = self_exciting
    dose = _panel(200, 500, np.random.default_rng(0))
    found["dose_response, 200 x 500"] = lambda: _numbers(
        hs.dose_response(dose, outcome="crimes", place="place").to_frame()
    )
    year = hs.assign_days(range(60), start="2020-01-01", days=365, treated_per_day=20, rng=1)
    big = year.to_frame()
    big["crimes"] = np.random.default_rng(1).poisson(np.where(big["treated"] == 1, 0.2, 0.3))
    found["estimate_effect, 60 x 365"] = lambda: _numbers(
        hs.estimate_effect(big, outcome="crimes").to_frame()
    )
    _, crossover = _southend_panel()
    found["estimate_effect GEE, 20 x 90"] = lambda: _numbers(
        hs.estimate_effect(crossover, outcome="crimes", model="mixed").to_frame()
    )
    return found


def _switched(fn: Callable[[], Any], limit: int | None) -> Callable[[], Any]:
    def run() -> Any:
        _threads._limit = limit
        try:
            return fn()
        finally:
            _threads._limit = 1

    return run


def rows(chosen: dict[str, Callable[[], Any]], load: str) -> list[dict[str, Any]]:
    found = []
    for name, fn in chosen.items():
        seconds, results = interleaved_min_seconds(
            {"one": _switched(fn, 1), "default": _switched(fn, None)}, repeat=2
        )
        one, default = (np.asarray(results[k], dtype=float) for k in ("one", "default"))
        found.append(
            {
                "case": name,
                "load": load,
                "one_thread_s": seconds["one"],
                "default_s": seconds["default"],
                "default / one": seconds["default"] / seconds["one"],
                "max_abs_diff": float(np.nanmax(np.abs(one - default))),
                "max_rel_diff": float(
                    np.nanmax(np.abs(one - default) / np.maximum(np.abs(one), 1e-300))
                ),
            }
        )
    return found


def main() -> None:
    chosen = cases()
    load = f"as is (load {os.getloadavg()[0]:.1f})"
    table = rows(chosen, load)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    time.sleep(5)  # let the load build up before the timed rounds
    try:
        table += rows(chosen, f"+2 busy (load {os.getloadavg()[0]:.1f})")
    finally:
        for process in busy:
            process.kill()
            process.wait()
    report("BLAS threads: fits with one thread vs the default pool", table)


if __name__ == "__main__":
    main()
