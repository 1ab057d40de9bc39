"""Inference for local and global statistics.

Normal p-values, multiple-testing adjustments, ArcGIS-style confidence bins and
conditional-randomisation permutations.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse, special

from hotspotlib._chunk_map import map_chunks
from hotspotlib._multiple_testing import adjust_pvalues
from hotspotlib._options import Alternative
from hotspotlib._validation import check_option, require_allocation

__all__ = [
    "confidence_bins",
    "conditional_permutation_p",
    "draw_without_replacement",
    "fdr_cut",
    "normal_p",
]

MAX_DRAW_BYTES = 2 * 2**30
"""Largest memory for the tables of permutation draws before a run is refused."""

BIN_LEVELS = (0.10, 0.05, 0.01)
"""Significance levels of bins 1, 2 and 3 (90, 95 and 99 % confidence)."""


def normal_p(z: ArrayLike, alternative: Alternative = "two-sided") -> NDArray[np.float64]:
    """Return normal p-values for z-scores (NaN stays NaN).

    ``"two-sided"`` is ``2 * P(Z >= |z|)`` (ArcGIS, sfhotspot); ``"greater"`` is
    ``P(Z >= z)`` (esda's ``p_norm`` for positive z); ``"less"`` is ``P(Z <= z)``.

    Examples
    --------
    >>> normal_p([1.959964, -1.959964]).round(4).tolist()
    [0.05, 0.05]
    >>> normal_p([1.644854], "greater").round(4).tolist()
    [0.05]
    >>> round(float(normal_p(1.959964)), 4)
    0.05
    """
    check_option(alternative, Alternative, name="alternative")
    values = np.asarray(z, dtype=float)
    if alternative == "greater":
        return np.asarray(special.ndtr(-values), dtype=float)
    if alternative == "less":
        return np.asarray(special.ndtr(values), dtype=float)
    p = np.abs(values, out=np.empty(values.shape))  # 2 * P(Z >= |z|), capped at 1, in place
    np.negative(p, out=p)
    special.ndtr(p, out=p)
    p *= 2.0
    return np.minimum(p, 1.0, out=p)


def fdr_cut(p: ArrayLike, alpha: float, *, q: ArrayLike | None = None) -> float:
    """Return the largest p-value rejected by Benjamini-Hochberg at ``alpha`` (NaN if none).

    Unlike ``esda.fdr``, which returns the BH threshold ``k * alpha / m`` with a strict
    inequality, this is the p-value cut actually applied (``p <= cut`` is significant).
    ``q`` gives the Benjamini-Hochberg q-values of ``p`` when already computed.

    Examples
    --------
    >>> fdr_cut([0.01, 0.02, 0.03, 0.04, 0.05], 0.05)
    0.05
    """
    values = np.asarray(p, dtype=float)
    adjusted = adjust_pvalues(values, method="fdr_bh") if q is None else np.asarray(q, float)
    with np.errstate(invalid="ignore"):
        rejected = adjusted <= alpha  # NaN (untested) compares False
    return float(values[rejected].max()) if rejected.any() else float("nan")


def confidence_bins(z: ArrayLike, p: ArrayLike) -> NDArray[np.int8]:
    """Return ArcGIS ``Gi_Bin`` codes: +/-3, +/-2, +/-1 at 99, 95, 90 % confidence, else 0.

    The sign follows z (hot +, cold -); NaN z or p gives 0. Pass q-values as ``p`` for
    FDR-corrected bins: a unit is in bin 2 when it is rejected by Benjamini-Hochberg at
    0.05, the same as applying the procedure separately at 0.10, 0.05 and 0.01 (ArcGIS).

    Examples
    --------
    >>> confidence_bins([3.0, -2.0, 1.7, 0.5], [0.003, 0.046, 0.09, 0.6]).tolist()
    [3, -2, 1, 0]
    """
    zs = np.asarray(z, dtype=float)
    ps = np.asarray(p, dtype=float)
    level = np.zeros(zs.shape, dtype=np.int8)
    with np.errstate(invalid="ignore"):
        for code, cut in enumerate(BIN_LEVELS, start=1):
            level[ps <= cut] = code
    sign = np.sign(np.nan_to_num(zs)).astype(np.int8)
    return np.asarray(level * sign, dtype=np.int8)


def draw_without_replacement(
    rng: np.random.Generator, n: int, size: int, m: int
) -> NDArray[np.int64]:
    """Draw ``size`` rows of ``m`` distinct integers from ``range(n)`` in random order.

    Small ``m``: sequential draws, each mapped past the values already chosen (O(m^2)
    vector operations over the rows). Large ``m``: the ``m`` smallest of ``n`` uniform
    keys per row, in chunks.

    Examples
    --------
    >>> import numpy as np
    >>> rows = draw_without_replacement(np.random.default_rng(0), 10, 4, 3)
    >>> rows.shape, all(len(set(r)) == 3 for r in rows.tolist())
    ((4, 3), True)
    """
    # callers draw m <= n - 1 neighbours' values from the n - 1 other units
    if m <= 256:
        drawn = np.empty((size, m), dtype=np.int64)
        chosen = np.empty((size, 0), dtype=np.int64)
        for j in range(m):
            value = rng.integers(0, n - j, size=size)
            for c in range(j):  # `chosen` is sorted, so each shift is final
                value += chosen[:, c] <= value
            drawn[:, j] = value
            chosen = np.sort(np.column_stack([chosen, value]), axis=1)
        return drawn
    parts = []
    step = max(1, 4_000_000 // n)
    for start in range(0, size, step):
        keys = rng.random((min(step, size - start), n))
        smallest = np.argpartition(keys, m - 1, axis=1)[:, :m]
        order = np.argsort(np.take_along_axis(keys, smallest, axis=1), axis=1)
        parts.append(np.take_along_axis(smallest, order, axis=1))
    return np.vstack(parts).astype(np.int64)


def conditional_permutation_p(
    neighbours: sparse.csr_array,
    x: NDArray[np.float64],
    *,
    alternative: Alternative,
    n_permutations: int,
    rng: np.random.Generator,
    progress: bool = False,
    max_elements: int = 4_000_000,
    n_groups: int = 16,
    equal_tailed: bool = False,
    client: Any = None,
) -> NDArray[np.float64]:
    """Conditional-randomisation p-values for local lags ``sum_j w_ij x_j`` (j != i).

    Each unit's value is held fixed and its neighbours' values are drawn at random,
    without replacement, from the other ``n - 1`` values. Units are split at random
    into ``n_groups`` groups with independent tables of draws (esda shares one table
    among all units, which makes every unit's p-value move together); each p-value is
    exact in distribution. ``p = (1 + #extreme) / (B + 1)`` with B the number
    of permutations; "extreme" is ``>=`` the observed lag for ``"greater"``, ``<=`` for
    ``"less"``, and for ``"two-sided"`` at least as far from the lag's exact
    conditional mean (``W_i * mean of the other values``) as the observed one, or with
    ``equal_tailed=True`` twice the smaller one-sided p-value (capped at 1). Ties
    (within 1e-10 of the lag's scale) count as extreme. Units with no neighbours get
    NaN. Memory is bounded by processing ``max_elements`` simulated lags at a time.

    Parameters
    ----------
    neighbours : scipy.sparse.csr_array
        Off-diagonal weights (the diagonal must be empty).
    x : numpy.ndarray
        Values, one per unit.
    alternative : {"two-sided", "greater", "less"}
        Alternative hypothesis.
    n_permutations : int
        Number of random draws B.
    rng : numpy.random.Generator
        Random generator.
    progress : bool
        Show a progress bar over chunks.
    max_elements : int
        Simulated lags held in memory at a time.
    n_groups : int
        Number of groups of units with independent draws.
    equal_tailed : bool
        For ``"two-sided"``: double the smaller tail (suits skewed null distributions,
        such as local Moran's I) instead of folding about the conditional mean.
    client : distributed.Client, optional
        Count the blocks of units on this Dask cluster. The draws are made here from
        ``rng``, in the same order as without a client; only the counting (the costly
        part) is sent out, so the p-values are identical for any number of workers.

    Returns
    -------
    numpy.ndarray
        One p-value per unit, in ``[1 / (B + 1), 1]`` (NaN for units without neighbours).

    Raises
    ------
    ValueError
        When the tables of draws would take more than ``MAX_DRAW_BYTES`` (2 GiB).
    """
    n = x.size
    card = np.diff(neighbours.indptr).astype(np.int64)
    kmax = int(card.max()) if n else 0
    p = np.full(n, np.nan)
    if kmax == 0:
        return p
    require_allocation(
        min(n_groups, n) * n_permutations * (kmax + 1),
        8,
        name="n_permutations",
        what=f"draws ({min(n_groups, n)} groups x B x {kmax + 1} neighbours + 1)",
        fix="Use fewer permutations (999 is usual) or fewer neighbours.",
        max_bytes=MAX_DRAW_BYTES,
    )
    observed = neighbours @ x
    weight_sum = np.asarray(neighbours.sum(axis=1)).ravel()
    mean_other = (x.sum() - x) / (n - 1)
    centre = weight_sum * mean_other
    tol = 1e-10 * (np.abs(neighbours) @ np.abs(x) + np.abs(centre) + 1e-300)
    plan = _draw_plan(rng, card, n_permutations, n_groups=n_groups, max_elements=max_elements)
    shared = {
        "neighbours": neighbours,
        "x": x,
        "card": card,
        "tests": (observed, centre, tol, alternative, equal_tailed),
        "max_elements": max_elements,
    }
    blocks = map_chunks(
        _block_hits, plan, shared=shared, client=client, progress=progress, desc="permutations"
    )
    extreme = np.zeros(n, dtype=np.int64)
    lower = np.zeros(n, dtype=np.int64)
    for (sites, _), (up, down) in zip(plan, blocks, strict=True):  # a few blocks
        extreme[sites] += up
        lower[sites] += down
    has = card > 0
    p[has] = (1.0 + extreme[has]) / (n_permutations + 1.0)
    if alternative == "two-sided" and equal_tailed:
        smaller = (1.0 + np.minimum(extreme[has], lower[has])) / (n_permutations + 1.0)
        p[has] = np.minimum(1.0, 2.0 * smaller)
    return p


def _block_hits(
    block: tuple[NDArray[np.int64], NDArray[np.int64]],
    *,
    neighbours: sparse.csr_array,
    x: NDArray[np.float64],
    card: NDArray[np.int64],
    tests: tuple[Any, ...],
    max_elements: int,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Count, for one block of units and its table of draws, the extreme draws per unit."""
    sites, draws = block
    observed, centre, tol, alternative, equal_tailed = tests
    n_permutations = draws.shape[0]
    step = max(1, max_elements // len(sites))
    k_block = int(card[sites].max())
    slots = _padded_weights(neighbours, sites, k_block)  # (k_block, len(sites))
    rank = np.full(x.size, -1, dtype=np.int64)
    rank[sites] = np.arange(len(sites))
    up_total = np.zeros(len(sites), dtype=np.int64)
    down_total = np.zeros(len(sites), dtype=np.int64)
    for start in range(0, n_permutations, step):  # chunks of draws bounded in memory
        batch = draws[start : min(start + step, n_permutations)]
        sim = _weighted_draws(x, batch, slots)
        _swap_self(sim, batch, rank, card, slots, x)
        up, down = _hits(sim, observed[sites], centre[sites], tol[sites], alternative, equal_tailed)
        up_total += up
        if down is not None:
            down_total += down
    return up_total, down_total


def _draw_plan(
    rng: np.random.Generator,
    card: NDArray[np.int64],
    n_permutations: int,
    *,
    n_groups: int,
    max_elements: int,
) -> list[tuple[NDArray[np.int64], NDArray[np.int64]]]:
    """Return blocks of units, each with its group's table of draws.

    Units are split at random into groups, each with its own table of draws: within
    a group p-values share draws (as esda's single table), across groups they do not.
    """
    n = card.size
    groups = np.array_split(rng.permutation(n), min(n_groups, n))
    plan = []
    for members in groups:  # a handful of groups
        order = members[np.argsort(card[members], kind="stable")]
        k_group = int(card[order].max()) if order.size else 0
        if k_group == 0:
            continue
        draws = draw_without_replacement(rng, n, n_permutations, k_group + 1)
        for lo, hi in _site_blocks(card[order], max_elements):
            plan.append((order[lo:hi], draws))
    return plan


def _hits(
    sim: NDArray[np.float64],
    observed: NDArray[np.float64],
    centre: NDArray[np.float64],
    tol: NDArray[np.float64],
    alternative: str,
    equal_tailed: bool,
) -> tuple[NDArray[np.int64], NDArray[np.int64] | None]:
    """Count, per unit, draws as extreme as observed (and, equal-tailed, the lower tail)."""
    if alternative == "two-sided" and equal_tailed:
        return (sim >= observed - tol).sum(axis=0), (sim <= observed + tol).sum(axis=0)
    if alternative == "greater":
        hit = sim >= observed - tol
    elif alternative == "less":
        hit = sim <= observed + tol
    else:
        hit = np.abs(sim - centre) >= np.abs(observed - centre) - tol
    return hit.sum(axis=0), None


def _weighted_draws(
    x: NDArray[np.float64], batch: NDArray[np.int64], slots: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``x[batch[:, :k]] @ slots`` in one single-threaded pass.

    These products are thin (k is the number of neighbours); threaded BLAS spends more
    time coordinating threads than multiplying, and much more on a busy machine.
    """
    k_block = slots.shape[0]
    return np.asarray(np.einsum("bk,ks->bs", x[batch[:, :k_block]], slots), dtype=float)


def _swap_self(
    sim: NDArray[np.float64],
    batch: NDArray[np.int64],
    rank: NDArray[np.int64],
    card: NDArray[np.int64],
    slots: NDArray[np.float64],
    x: NDArray[np.float64],
) -> None:
    """Where a unit drew itself among its first k_i draws, use draw k_i in that slot."""
    k_block = slots.shape[0]
    head = batch[:, :k_block]
    site_rank = rank[head]
    row, slot = np.nonzero((site_rank >= 0) & (np.arange(k_block)[None, :] < card[head]))
    if row.size == 0:
        return
    site = head[row, slot]
    column = site_rank[row, slot]
    replacement = x[batch[row, card[site]]]
    sim[row, column] += slots[slot, column] * (replacement - x[site])


def _padded_weights(
    neighbours: sparse.csr_array, sites: NDArray[np.int64], k_block: int
) -> NDArray[np.float64]:
    sub = sparse.csr_array(neighbours[sites])
    counts = np.diff(sub.indptr)
    row = np.repeat(np.arange(len(sites)), counts)
    slot = np.arange(sub.nnz) - np.repeat(sub.indptr[:-1], counts)
    slots = np.zeros((k_block, len(sites)))
    slots[slot, row] = sub.data
    return slots


def _site_blocks(sorted_card: NDArray[np.int64], max_elements: int) -> list[tuple[int, int]]:
    """Split sites (sorted by number of neighbours) so each block's padded table fits."""
    n = sorted_card.size
    blocks = []
    start = 0
    while start < n:
        stop = n
        if int(sorted_card[-1]) * (n - start) > max_elements:
            # grow the block while its padded width times its length stays in budget
            widths = np.maximum(sorted_card[start:], 1)
            lengths = np.arange(1, n - start + 1)
            fits = np.nonzero(widths * lengths <= max_elements)[0]
            stop = start + (int(fits[-1]) + 1 if fits.size else 1)
        blocks.append((start, stop))
        start = stop
    return blocks
