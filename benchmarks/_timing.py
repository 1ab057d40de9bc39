"""Shared timing and reporting helpers for the benchmarks."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def median_seconds(fn: Callable[[], Any], *, repeat: int = 5, warmup: int = 1) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(title: str, rows: list[dict[str, Any]]) -> None:
    """Print a table of benchmark rows (dicts with the same keys)."""
    print(f"\n== {title} ==")
    if not rows:
        print("(no rows)")
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(_fmt(r.get(k))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for row in rows:
        print("  ".join(_fmt(row.get(k)).ljust(widths[k]) for k in keys))


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def interleaved_min_seconds(
    fns: dict[str, Callable[[], Any]],
    *,
    repeat: int = 3,
    setup: Callable[[], Any] | None = None,
) -> tuple[dict[str, float], dict[str, Any]]:
    """Minimum wall time of each function over ``repeat`` interleaved rounds.

    Each round runs every function once, in turn, so load on the machine falls on all
    of them alike. ``setup`` (untimed) runs before each call and its result is passed
    to the function when given, e.g. a fresh copy of an input the peer modifies.
    Returns the minimum times and each function's last result.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            argument = setup() if setup is not None else None
            start = time.perf_counter()
            results[name] = fn(argument) if setup is not None else fn()
            times[name].append(time.perf_counter() - start)
    return {name: min(values) for name, values in times.items()}, results


def interleaved_seconds(
    fns: dict[str, Callable[[], Any]],
    *,
    repeat: int = 3,
    setup: Callable[[], Any] | None = None,
) -> tuple[dict[str, tuple[float, float]], dict[str, Any]]:
    """Minimum and median wall time of each function over ``repeat`` interleaved rounds.

    As :func:`interleaved_min_seconds` (``setup`` runs untimed before each call), but
    returns ``(min, median)`` per function.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, fn in fns.items():
            argument = setup() if setup is not None else None
            start = time.perf_counter()
            results[name] = fn(argument) if setup is not None else fn()
            times[name].append(time.perf_counter() - start)
    spread = {name: (min(v), statistics.median(v)) for name, v in times.items()}
    return spread, results


def traced_peak_bytes(fn: Callable[[], Any]) -> int:
    """Peak of memory traced (numpy arrays included) while ``fn()`` runs, untimed."""
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, as ``uptime`` prints them."""
    import os

    try:
        return ", ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"
