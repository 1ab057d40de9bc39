"""Effect sizes from pre/post counts: log ratio, its variance and Cohen's d."""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from hotspotlib._validation import require_finite, require_shape, require_within

__all__ = ["count_effect_size"]

_D_FACTOR = np.sqrt(3.0) / np.pi  # logistic conversion of a log ratio to d


def count_effect_size(*, treated: ArrayLike, control: ArrayLike) -> pd.DataFrame:
    """Effect sizes from pre/post counts in treated and control areas.

    ``ln RES = ln[(T0 C1) / (T1 C0)]`` (positive = relative reduction in the treated
    area) with Poisson variance ``1/T0 + 1/T1 + 1/C0 + 1/C1``; the percentage
    reduction ``100 (1 - 1/RES)``; and Cohen's d by the logistic conversion used in
    the Campbell reviews, ``d = ln(RES) sqrt(3) / pi``, ``Var(d) = Var * 3 / pi^2``.
    Overdispersion inflates the true variance (Wilson 2022); treat it as a floor.

    Parameters
    ----------
    treated, control : array-like
        ``(before, after)`` counts, or ``(k, 2)`` for k studies.

    Returns
    -------
    pandas.DataFrame
        One row per study: ``log_ratio``, ``variance``, ``percent_reduction``, ``d``,
        ``d_variance``.

    See Also
    --------
    meta_analysis : Pool effect sizes across studies.
    wdd : The weighted displacement difference test.

    References
    ----------
    .. [1] Wilson, D. B. (2022). The relative incident rate ratio effect size for
       count-based impact evaluations: when an odds ratio is not an odds ratio. Journal of
       Quantitative Criminology 38.
    .. [2] Braga, A. A., Turchan, B., Papachristos, A. V. and Hureau, D. M. (2019). Hot
       spots policing of small geographic areas effects on crime. Campbell Systematic
       Reviews 15(3), e1046. https://doi.org/10.1002/cl2.1046

    Examples
    --------
    >>> import hotspotlib as hs
    >>> row = hs.count_effect_size(treated=(100, 70), control=(100, 100))
    >>> round(float(row["percent_reduction"].iloc[0]), 1)
    30.0
    """
    t = np.atleast_2d(require_finite(treated, name="treated"))
    c = np.atleast_2d(require_finite(control, name="control"))
    what = "(before, after) counts, or one such pair per study, as `treated`"
    require_shape(t, (None, 2), name="treated", what="(before, after) counts, or (k, 2)")
    require_shape(c, t.shape, name="control", what=what)
    for name, counts in (("treated", t), ("control", c)):
        require_within(
            counts,
            name=name,
            low=0,
            low_open=True,
            fix="The log ratio and its variance are undefined at 0. Add 0.5 to every count "
            "of that study (a continuity correction) or leave the study out.",
        )
    log_ratio = np.log(t[:, 0] * c[:, 1] / (t[:, 1] * c[:, 0]))
    variance = (1 / t).sum(axis=1) + (1 / c).sum(axis=1)
    return pd.DataFrame(
        {
            "log_ratio": log_ratio,
            "variance": variance,
            "percent_reduction": 100 * (1 - np.exp(-log_ratio)),
            "d": log_ratio * _D_FACTOR,
            "d_variance": variance * _D_FACTOR**2,
        }
    )
