"""Mann-Kendall S and tie term per row from within-row ranks, vectorised over rows.

``S = sum_{s<t} sign(x_t - x_s)`` depends only on the order of each row's values, so
the values are first replaced by their within-row ranks (tied values share the lowest
rank; one sort per row, which also yields the tie groups). Ranks of a few hundred steps
fit in 16-bit integers, so the pairwise signs are summed lag by lag on small integer
blocks of rows that stay in the processor's cache, never on full-size float
temporaries. Rows holding NaN (which compares as neither above nor below) are summed
by comparing the float values themselves.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["compare_s", "kendall_s_and_ties", "labelled_s_and_ties", "ranked_s"]

_BLOCK_BYTES = 1 << 18  # a block of ranks, its tally and scratch fit in a core's L2 cache


def kendall_s_and_ties(
    values: NDArray[np.float64],
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Return ``S`` and ``sum_g g(g-1)(2g+5)`` over tied groups, per row.

    NaN values take part in neither (a NaN is its own group of one).

    Examples
    --------
    >>> s, ties = kendall_s_and_ties(np.array([[1.0, 2, 2, 4], [3.0, np.nan, 1, 1]]))
    >>> s.tolist(), ties.tolist()
    ([5, -2], [18.0, 18.0])
    """
    rows, steps = values.shape
    order = np.argsort(values, axis=1)  # NaN last
    ordered = np.take_along_axis(values, order, axis=1)
    starts = np.ones((rows, steps), dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]  # NaN != NaN: a group of its own
    ties = _tie_term(starts)
    s = np.zeros(rows, dtype=np.int64)
    if rows == 0 or steps < 2:
        return s, ties
    dtype = np.int16 if steps < 2**15 else np.int64
    lowest = np.where(starts, np.arange(steps, dtype=dtype), dtype(0))
    np.maximum.accumulate(lowest, axis=1, out=lowest)  # a tied group's lowest rank
    ranks = np.empty((rows, steps), dtype=dtype)
    np.put_along_axis(ranks, order, lowest, axis=1)
    with_nan = np.isnan(ordered[:, -1])
    if with_nan.any():
        s[with_nan] = compare_s(values[with_nan])
        s[~with_nan] = ranked_s(ranks[~with_nan].T)
    else:
        s[:] = ranked_s(ranks.T)
    return s, ties


def labelled_s_and_ties(
    labels: NDArray[np.integer], values: NDArray[np.float64], nonfinite: NDArray[np.bool_]
) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """As :func:`kendall_s_and_ties`, from integer labels that order the values.

    ``labels`` is ``(steps, rows)``: any integers in the order of the values of
    ``values`` (``(rows, steps)``), equal exactly where the values are (e.g. ranks of
    all the values at once). Rows flagged in ``nonfinite`` hold NaN or infinite values
    (their labels are ignored) and are summed from ``values``; the others need no sort
    but that of their labels for the tied groups.

    Examples
    --------
    >>> values = np.array([[1.0, 2, 2, 4], [3.0, np.nan, 1, 1]])
    >>> labels = np.array([[0, 2], [1, 0], [1, 0], [3, 0]], dtype=np.int16)
    >>> s, ties = labelled_s_and_ties(labels, values, np.array([False, True]))
    >>> s.tolist(), ties.tolist()
    ([5, -2], [18.0, 18.0])
    """
    rows = values.shape[0]
    s = np.zeros(rows, dtype=np.int64)
    ties = np.zeros(rows)
    if nonfinite.any():
        s[nonfinite], ties[nonfinite] = kendall_s_and_ties(values[nonfinite])
        clean = ~nonfinite
        s[clean] = ranked_s(labels[:, clean])
        ties[clean] = _label_ties(labels[:, clean])
    else:
        s[:] = ranked_s(labels)
        ties[:] = _label_ties(labels)
    return s, ties


def _label_ties(labels: NDArray[np.integer]) -> NDArray[np.float64]:
    ordered = np.sort(labels.T, axis=1)  # (rows, steps)
    starts = np.ones(ordered.shape, dtype=bool)
    starts[:, 1:] = ordered[:, 1:] != ordered[:, :-1]
    return _tie_term(starts)


def ranked_s(ranks: NDArray[np.integer]) -> NDArray[np.int64]:
    """``S`` per column of ``(steps, rows)`` integer ranks: signs of later minus earlier.

    Columns are taken in blocks small enough to stay in cache; within a block, each lag
    is one subtraction, one sign and one addition into a per-step tally. The ranks' type
    must hold the differences and the steps - 1.

    Examples
    --------
    >>> ranked_s(np.array([[0, 1, 2, 3], [2, 0, 3, 0]], dtype=np.int16).T).tolist()
    [6, -1]
    """
    steps, rows = ranks.shape
    s = np.zeros(rows, dtype=np.int64)
    block_rows = max(16, _BLOCK_BYTES // max(steps * ranks.itemsize, 1))
    for start in range(0, rows, block_rows):  # blocks of rows, each vectorised
        block = np.ascontiguousarray(ranks[:, start : start + block_rows])  # (steps, rows)
        tally = np.zeros_like(block)  # |tally| <= steps - 1: fits the ranks' type
        scratch = np.empty_like(block)
        for lag in range(1, steps):  # loops over time lags, vectorised over rows
            difference = scratch[: steps - lag]
            np.subtract(block[lag:], block[:-lag], out=difference)
            np.sign(difference, out=difference)
            tally[lag:] += difference
        s[start : start + block_rows] = tally.sum(axis=0, dtype=np.int64)
    return s


def compare_s(values: NDArray[np.float64]) -> NDArray[np.int64]:
    """``S`` per row by comparing float values; any comparison with NaN counts as neither.

    Examples
    --------
    >>> compare_s(np.array([[1.0, np.nan, 3, 2]])).tolist()
    [1]
    """
    by_step = np.ascontiguousarray(values.T)
    s = np.zeros(values.shape[0], dtype=np.int64)
    for lag in range(1, by_step.shape[0]):  # loops over time lags, vectorised over rows
        later, earlier = by_step[lag:], by_step[:-lag]
        s += np.count_nonzero(later > earlier, axis=0)
        s -= np.count_nonzero(later < earlier, axis=0)
    return s


def _tie_term(starts: NDArray[np.bool_]) -> NDArray[np.float64]:
    """``sum_g g(g-1)(2g+5)`` per row from the flags that open each group of sorted values."""
    rows, steps = starts.shape
    opening = np.flatnonzero(starts.ravel())  # every row opens a group at its first step
    size = np.diff(np.append(opening, starts.size)).astype(float)
    term = size * (size - 1) * (2 * size + 5)
    return np.bincount(opening // max(steps, 1), weights=term, minlength=rows).astype(float)
