"""Exact, global Benjamini-Hochberg q-values of a chunked (dask) array of p-values.

A q-value needs every p-value: ``q(p) = min over values v >= p of m v / F(v)`` (capped at
1), where ``F(v)`` counts the p-values <= v and m the finite ones. That is a function of
the *distinct* p-values and their counts only, so no global argsort is needed:

1. each chunk reduces its p-values to sorted distinct values and counts (parallel);
2. the tables are merged pairwise in a tree (parallel at each level, log2(chunks)
   levels), then the running minimum from the top runs once, on one worker, over the
   distinct values: this step is **not parallel** (its time and memory grow with the
   number of distinct p-values, at worst with the number of cells);
3. each chunk looks its q-values up in the table (parallel).

With ties the result is bit-for-bit that of ``adjust_pvalues(p, method="fdr_bh")``
(statsmodels' ``multipletests``): the same products ``v * m / F(v)`` and the same
running minimum. Gi* p-values of counts repeat heavily (every empty neighbourhood has
the same z), so the table is usually small.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._multiple_testing import fdr_of_sorted_distinct

__all__ = ["fdr_table", "lookup_q"]


def _distinct(block: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    values = block[np.isfinite(block)]
    found, counts = np.unique(values, return_counts=True)
    return found, counts.astype(np.int64)


def _merge(*tables: tuple[NDArray[np.float64], NDArray[np.int64]]) -> tuple[Any, Any]:
    values = np.concatenate([t[0] for t in tables])
    counts = np.concatenate([t[1] for t in tables])
    found, where = np.unique(values, return_inverse=True)
    return found, np.bincount(where, weights=counts, minlength=len(found)).astype(np.int64)


def _q_table(
    table: tuple[NDArray[np.float64], NDArray[np.int64]],
) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    values, counts = table
    return values, fdr_of_sorted_distinct(values, counts), int(counts.sum())


def fdr_table(p: Any, *, fan_in: int = 8) -> tuple[NDArray[np.float64], NDArray[np.float64], int]:
    """Compute the table ``(distinct p, q of each, m)`` of a dask array of p-values."""
    import dask

    distinct = dask.delayed(_distinct, pure=True)
    merge = dask.delayed(_merge, pure=True)
    level = [distinct(block) for block in p.to_delayed().ravel()]
    while len(level) > 1:
        level = [merge(*level[i : i + fan_in]) for i in range(0, len(level), fan_in)]
    (table,) = dask.compute(dask.delayed(_q_table, pure=True)(level[0]))
    return table  # type: ignore[no-any-return]


def lookup_q(
    block: NDArray[np.float64], values: NDArray[np.float64], q: NDArray[np.float64]
) -> NDArray[np.float64]:
    """q-value of each p-value of ``block`` from the table (NaN stays NaN)."""
    out = np.full(block.shape, np.nan)
    finite = np.isfinite(block)
    out[finite] = q[np.searchsorted(values, block[finite])]
    return out
