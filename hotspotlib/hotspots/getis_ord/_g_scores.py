"""Gi and Gi* scores from neighbourhood sums; for counts, once per distinct pair of sums.

``local_g_scores`` turns the sums of every unit into ratios and z-scores.

With 0/1 weights and whole-number values (counts of events), a unit's Gi* z depends
only on its neighbourhood sum, a whole number, and its weight sum, the number of units
in its neighbourhood: a few values along the edges of the study area and one inside.
Every unit then maps to a code ``weight sum * n_sums + (sum - smallest sum)``, and z, p,
q and the bins are computed once per code present and gathered back: the same
per-element arithmetic on the same inputs, so bit for bit the values of the per-unit
path. The Benjamini-Hochberg q-values need only the distinct p-values and how many
units hold each (``fdr_of_distinct``), so no sort of every unit's p-value is needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._multiple_testing import fdr_of_distinct
from hotspotlib._options import Alternative
from hotspotlib.hotspots.inference import confidence_bins, normal_p

__all__ = ["CodedSums", "coded_sums", "local_g_scores"]


def local_g_scores(
    *,
    lag: NDArray[np.float64],
    weight_sum: NDArray[np.float64],
    weight_sq_sum: NDArray[np.float64],
    n_neighbours: NDArray[np.int64],
    x: NDArray[np.float64],
    star: bool,
) -> dict[str, NDArray[Any]]:
    """Turn neighbourhood sums into Gi/Gi* ratios, expectations and z-scores.

    ``lag``, ``weight_sum`` and ``weight_sq_sum`` include the self-weight for Gi* and
    exclude it for Gi. Units with no neighbour besides themselves (islands) and units
    whose z is undefined (every other unit a neighbour with equal weight, or, for Gi,
    all other values equal) get NaN z.

    Returns
    -------
    dict
        ``gi``, ``expected``, ``z_score`` arrays and boolean ``island``, ``undefined``.
    """
    n = x.size
    total = float(x.sum())
    centred = x - total / n
    ss = float(centred @ centred)
    mean: Any
    spread: Any
    denominator_sum: Any
    if star:
        count = float(n)
        mean, spread, denominator_sum = total / n, np.sqrt(ss / n), total
    else:
        count = float(n - 1)
        mean = (total - x) / count
        spread = np.sqrt(np.maximum((ss - centred**2) / count - (centred / count) ** 2, 0.0))
        denominator_sum = total - x
    # In place, in the order of (count S1 - W^2) / (count - 1) and (lag - mean W) / (S sqrt(.)):
    # the same values as those expressions, with fewer full-size temporaries.
    variance_factor = np.multiply(weight_sq_sum, count)
    work = np.square(weight_sum)
    variance_factor -= work
    variance_factor /= count - 1.0
    scale = max(abs(float(x.max())), abs(float(x.min())), 1e-300)  # max |x|, no temporary
    island = n_neighbours == 0
    np.maximum(weight_sq_sum, 1e-300, out=work)
    work *= 1e-12 * count
    undefined = np.less_equal(variance_factor, work, out=np.empty(island.shape, dtype=bool))
    undefined |= np.asarray(spread <= 1e-12 * scale)
    undefined &= ~island
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.multiply(mean, weight_sum)
        np.subtract(lag, z, out=z)
        np.sqrt(variance_factor, out=work)
        work *= spread
        z /= work
        gi = lag / denominator_sum if (x >= 0).all() else np.full(lag.shape, np.nan)
    invalid = island | undefined
    z[invalid] = np.nan
    gi[invalid | ~(np.asarray(denominator_sum) > 0)] = np.nan
    expected = weight_sum / count
    expected[island] = np.nan
    return {
        "gi": gi,
        "expected": expected,
        "z_score": z,
        "island": island,
        "undefined": undefined,
    }


@dataclass(slots=True)
class CodedSums:
    """Each unit's code, how many units hold each code, and the Gi* scores of each code."""

    code: NDArray[np.int32] | NDArray[np.int64]
    counts: NDArray[np.int64]
    table: dict[str, NDArray[Any]]

    def gather(self, table: dict[str, NDArray[Any]]) -> dict[str, NDArray[Any]]:
        """Return each entry of ``table`` (one value per code) at every unit."""
        return {name: values.take(self.code) for name, values in table.items()}

    def tests(self, *, alternative: Alternative, fdr: bool) -> dict[str, Any]:
        """Return the analytic tests of ``gi_tests``, computed per code, at every unit."""
        z = self.table["z_score"]
        p = normal_p(z, alternative)
        q = fdr_of_distinct(p, self.counts)
        p_two, q_two = p, q
        if alternative != "two-sided":
            p_two = normal_p(z, "two-sided")
            q_two = fdr_of_distinct(p_two, self.counts)
        found = self.gather(
            {"p_value": p, "q_value": q, "bin": confidence_bins(z, q_two if fdr else p_two)}
        )
        return {**found, "p_analytic": found["p_value"], "p_permutation": None}


def coded_sums(
    lag: NDArray[np.float64],
    weight_sum: NDArray[np.float64],
    x: NDArray[np.float64],
    *,
    table_limit: int | None = None,
) -> CodedSums | None:
    """Gi* scores per (weight sum, neighbourhood sum) code, or None when codes are not few.

    Needs 0/1 weights with the self-weight (the caller's promise: ``weight_sum`` is the
    number of units in each neighbourhood) and whole-number sums, checked here; the
    table of codes must hold at most ``table_limit`` entries (default: the number of
    units, at least 2**20), else None and the per-unit path is used.
    """
    if lag.size == 0:
        return None
    low, high = float(lag.min()), float(lag.max())
    n_sums = high - low + 1.0
    size = (float(weight_sum.max()) + 1.0) * n_sums
    limit = max(lag.size, 1 << 20) if table_limit is None else table_limit
    if not (np.isfinite(size) and size <= limit):
        return None
    flat = np.rint(lag)
    if not np.array_equal(flat, lag):  # sums of fractions: not few codes
        return None
    flat -= low
    flat += weight_sum * n_sums  # whole numbers below the table size: exact
    code = flat.astype(np.int32 if size < 2**31 else np.int64)
    counts = np.bincount(code, minlength=int(size))
    classes, sums = np.divmod(np.arange(int(size)), int(n_sums))
    weights = classes.astype(float)
    table = local_g_scores(
        lag=sums + low,
        weight_sum=weights,
        weight_sq_sum=weights,
        n_neighbours=np.rint(weights - 1.0).astype(np.int64),
        x=x,
        star=True,
    )
    return CodedSums(code, counts, table)
