"""Multiple-testing adjustment of p-values: one implementation for the whole library."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotspotlib._options import Adjustment
from hotspotlib._validation import check_option, require_numbers

__all__ = ["adjust_pvalues"]


def adjust_pvalues(p_values: ArrayLike, *, method: Adjustment = "holm") -> NDArray[np.float64]:
    """Adjust p-values for multiple testing; NaN entries are ignored and stay NaN.

    ``"holm"`` controls the family-wise error rate (Holm 1979, step-down);
    ``"bonferroni"`` multiplies by the number of tests; ``"fdr_bh"`` gives
    Benjamini-Hochberg q-values (a test is rejected at false discovery rate alpha by the
    step-up procedure exactly when its q-value is <= alpha); ``"none"`` returns a copy.
    The number of tests is the number of finite p-values. Adjusted values are capped at
    1 and returned in the input order; they equal those of
    ``statsmodels.stats.multitest.multipletests``.

    Parameters
    ----------
    p_values : array-like
        Unadjusted p-values in [0, 1] (NaN for untested units, e.g. Gi* islands).
    method : {"holm", "fdr_bh", "bonferroni", "none"}
        Adjustment.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape as the input.

    Raises
    ------
    ValueError
        For an empty input, values outside [0, 1] or an unknown method.

    Examples
    --------
    >>> from hotspotlib import adjust_pvalues
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_pvalues([0.01, 0.04, 0.03], method="fdr_bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    >>> adjust_pvalues([0.01, 0.04, float("nan")], method="bonferroni").round(3).tolist()
    [0.02, 0.08, nan]
    """
    check_option(method, Adjustment, name="method")
    values = require_numbers(p_values, name="p_values")
    if values.size == 0:
        raise ValueError("`p_values` is empty; pass at least one p-value.")
    finite = np.isfinite(values)
    tested = values[finite]
    if ((tested < 0) | (tested > 1)).any():
        raise ValueError(
            f"`p_values` must lie in [0, 1]; got min {tested.min():g}, max {tested.max():g}."
        )
    result = np.full(values.shape, np.nan)
    m = tested.size
    if m == 0 or method == "none":
        result[finite] = tested
        return result
    if method == "bonferroni":
        adjusted = np.minimum(1.0, tested * m)
    else:
        order = np.argsort(tested, kind="stable")
        ranked = tested[order]
        rank = np.arange(1, m + 1)
        if method == "fdr_bh":
            stepped = np.minimum.accumulate((ranked * m / rank)[::-1])[::-1]
        else:
            stepped = np.maximum.accumulate(ranked * (m - rank + 1))
        adjusted = np.empty(m)
        adjusted[order] = np.minimum(1.0, stepped)
    result[finite] = adjusted
    return result
