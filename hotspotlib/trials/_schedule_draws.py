"""Crossover schedule draws: places per block each day, runs, and arms (internal).

The two-arm draw treats exactly k places per block each day (uniform keys), with an
optional limit on consecutive control days. A multi-arm schedule is drawn in two
stages: the non-control place-days exactly as a two-arm schedule, then those
place-days are split among the non-control arms with exact numbers per block and day
(uniform keys again), so every arrangement with those numbers is equally likely.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_relevant,
    require_subset,
    require_unique,
    require_whole,
    require_within,
)
from hotspotlib.trials._draws import draw_within_blocks
from hotspotlib.trials.arms import per_block_counts

__all__ = [
    "day_arms",
    "longest_control_run",
    "per_arm_counts",
    "per_block",
    "schedules",
    "share_counts",
    "split_arms",
]

_MAX_RESTARTS = 50


def schedules(
    generator: np.random.Generator,
    codes: NDArray[np.int64],
    k: NDArray[np.int64],
    n_draws: int,
    n_days: int,
    limit: int | None,
) -> tuple[NDArray[np.bool_], int]:
    """Draw ``(n_draws, n_places, n_days)`` schedules; also return restarts needed."""
    if limit is None:
        draws = draw_within_blocks(generator, codes, k, (n_draws, n_days))
        return np.swapaxes(draws, 1, 2), 0
    result = np.empty((n_draws, len(codes), n_days), dtype=bool)
    pending = np.arange(n_draws)
    restarts = 0
    while len(pending):  # restarts are rare: a handful of passes at most
        if restarts > _MAX_RESTARTS * max(1, n_draws):
            raise ValueError(
                f"Could not draw schedules honouring max_consecutive_control={limit}; "
                "allow a longer run or patrol more places a day."
            )
        draws, failed = _constrained(generator, codes, k, len(pending), n_days, limit)
        result[pending[~failed]] = draws[~failed]
        restarts += int(failed.sum())
        pending = pending[failed]
    return result, restarts


def _constrained(
    generator: np.random.Generator,
    codes: NDArray[np.int64],
    k: NDArray[np.int64],
    n_draws: int,
    n_days: int,
    limit: int,
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Day-by-day draws (vectorised over draws and places) with forced patrols."""
    n_places = len(codes)
    treated = np.zeros((n_draws, n_places, n_days), dtype=bool)
    run = np.zeros((n_draws, n_places), dtype=np.int64)
    failed = np.zeros(n_draws, dtype=bool)
    block_start = np.searchsorted(np.sort(codes), np.arange(len(k)))
    for day in range(n_days):  # a loop over days; each step is vectorised
        forced = run >= limit
        # Forced places sort first in their block (key -1), the rest by random key.
        keys = np.where(forced, -1.0, generator.random((n_draws, n_places))) + 2 * codes
        order = np.argsort(keys, axis=1, kind="stable")
        rank = np.arange(n_places) - block_start[codes[order]]
        chosen = np.empty((n_draws, n_places), dtype=bool)
        np.put_along_axis(chosen, order, rank < k[codes[order]], axis=1)
        failed |= (forced & ~chosen).any(axis=1)
        treated[:, :, day] = chosen
        run = np.where(chosen, 0, run + 1)
    return treated, failed


def longest_control_run(treated: NDArray[np.bool_]) -> NDArray[np.int64]:
    """Longest run of consecutive control days per place (rows)."""
    n_days = treated.shape[1]
    day = np.arange(n_days)
    last_treated = np.maximum.accumulate(np.where(treated, day, -1), axis=1)
    return np.asarray((day - last_treated).max(axis=1), dtype=np.int64)


def split_arms(
    generator: np.random.Generator,
    codes: NDArray[np.int64],
    treated: NDArray[np.bool_],
    counts: NDArray[np.int64],
) -> NDArray[np.int64]:
    """Arm codes for ``treated`` of shape ``(draws, places, days)``; 0 is control.

    Within each block and day the treated places are put in random order (uniform
    keys) and the first ``counts[b, 1]`` get arm 1, the next ``counts[b, 2]`` arm 2 and
    so on. ``counts[b, 1:]`` sums to the places treated per day in block ``b``.
    """
    by_day = np.swapaxes(treated, 1, 2)  # (draws, days, places)
    keys = generator.random(by_day.shape) + (~by_day) + 2 * codes  # treated first in block
    order = np.argsort(keys, axis=-1, kind="stable")
    sorted_blocks = codes[order]
    start = np.searchsorted(np.sort(codes), np.arange(len(counts)))
    rank = np.arange(len(codes)) - start[sorted_blocks]
    limits = np.cumsum(counts[:, 1:], axis=1)[sorted_blocks]  # (draws, days, places, arms-1)
    arm_sorted = 1 + (rank[..., None] >= limits).sum(axis=-1)
    arm = np.empty_like(arm_sorted)
    np.put_along_axis(arm, order, arm_sorted, axis=-1)
    arm = np.where(by_day, arm, 0)
    return np.swapaxes(arm, 1, 2).astype(np.int64)


def day_arms(
    arms: int | Sequence[str] | Mapping[str, float] | None,
) -> tuple[tuple[str, ...] | None, NDArray[np.float64] | None]:
    """Arm labels (None: two-arm design) and shares (None unless a mapping was given)."""
    if arms is None:
        return None, None
    if not isinstance(arms, str | Mapping | Sequence):
        k = require_whole(arms, name="arms", minimum=2, fix="Name at least two arms.")
        return ("control", *(f"arm_{i}" for i in range(1, k))), None
    labels = [str(a) for a in ([arms] if isinstance(arms, str) else arms)]
    require_whole(len(labels), name="number of arms", minimum=2, fix="Name at least two arms.")
    require_unique(labels, name="arms", what="arm labels")
    if not isinstance(arms, Mapping):
        return tuple(labels), None
    values = require_within(list(arms.values()), name="arms (shares)", low=0, low_open=True)
    return tuple(labels), np.asarray(values, dtype=float) / float(np.sum(values))


def per_arm_counts(
    sizes: NDArray[np.int64], k: NDArray[np.int64], n_arms: int
) -> NDArray[np.int64]:
    """``(blocks, arms)`` places a day: ``k`` in each non-control arm, the rest control."""
    counts = np.repeat(k[:, None], n_arms, axis=1)
    counts[:, 0] = sizes - (n_arms - 1) * k
    return counts.astype(np.int64)


def share_counts(sizes: NDArray[np.int64], shares: NDArray[np.float64]) -> NDArray[np.int64]:
    """``(blocks, arms)`` places a day from shares (floors, leftovers by deficit)."""
    counts = per_block_counts(sizes, shares)
    require_whole(
        int(counts.sum(axis=0).min()),
        name="places a day in the smallest arm",
        minimum=1,
        fix="Raise that arm's share in `arms`, or use more places.",
    )
    return counts


def per_block(treated_per_day: Any, labels: list[Any]) -> NDArray[np.int64]:
    if isinstance(treated_per_day, Mapping):
        require_relevant(
            None if labels == [None] else labels,
            name="blocks",
            used=True,
            required=True,
            context="with a mapping `treated_per_day` (one entry per block)",
        )
        require_subset(
            labels,
            list(treated_per_day),
            name="blocks",
            among="the keys of `treated_per_day`",
            what="labels",
            fix="Give `treated_per_day` one entry per block.",
        )
        values = [treated_per_day[b] for b in labels]
    else:
        values = [treated_per_day] * len(labels)
    return np.array([require_whole(v, name="treated_per_day", minimum=0) for v in values])
