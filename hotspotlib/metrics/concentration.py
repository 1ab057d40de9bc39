"""How concentrated is crime? The Gini coefficient and its generalised form for sparse data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import CiMethod
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_allocation,
    require_draws,
    require_probability,
)
from hotspotlib.metrics._gini import adjust, bca_levels, gini_grouped, jackknife_grouped
from hotspotlib.metrics._inputs import as_counts

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["GiniCoefficient", "gini"]

_MAX_DRAWS = 4_000_000  # multinomial cells drawn per bootstrap chunk (bounded memory)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class GiniCoefficient(FrozenResult):
    """A Gini coefficient of crime across places, with an optional bootstrap interval.

    Attributes
    ----------
    estimate : float
        The requested Gini variant (see ``generalized`` and ``unbiased``).
    standard : float
        The standard (biased) Gini ``G``, for reference.
    generalized, unbiased : bool
        Which variant ``estimate`` is.
    n_units : int
        Number of places.
    total : float
        Sum of the counts (number of events ``N``).
    ci_low, ci_high : float
        Bootstrap confidence limits (NaN without a bootstrap).
    confidence : float
        Level of the interval.
    ci_method : {"percentile", "bca"}
        Interval method.
    n_bootstrap : int
        Bootstrap replicates drawn (0: none).
    n_undefined : int
        Replicates without any event (the Gini is undefined there); left out of the CI.
    bootstrap : numpy.ndarray or None
        The replicate estimates (read-only).
    parameters, counts : Mapping
        Read-only: variant and bootstrap settings; places, total, undefined replicates.
    notes : tuple of str
        The formula, the variant and caveats.

    See Also
    --------
    gini : Compute one.

    References
    ----------
    .. [1] Bernasco and Steenbeek (2017). Journal of Quantitative Criminology 33(3),
       451-467.
    """

    _title: ClassVar[str] = "Gini coefficient of crime across places"

    estimate: float
    standard: float
    generalized: bool
    unbiased: bool
    n_units: int
    total: float
    ci_low: float
    ci_high: float
    confidence: float
    ci_method: CiMethod
    n_bootstrap: int
    n_undefined: int
    bootstrap: NDArray[np.float64] | None

    def to_frame(self) -> pd.DataFrame:
        """Return a one-row DataFrame: estimate, ci_low, ci_high, n_units, total, variant."""
        return pd.DataFrame(
            {
                "estimate": [self.estimate],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
                "standard": [self.standard],
                "n_units": [self.n_units],
                "total": [self.total],
                "generalized": [self.generalized],
                "unbiased": [self.unbiased],
            }
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: the variant and the bootstrap settings."""
        params: dict[str, Any] = {
            "variant": self._variant(),
            "generalized": self.generalized,
            "unbiased": self.unbiased,
            "n_bootstrap": self.n_bootstrap,
        }
        if self.n_bootstrap:
            params.update(confidence=self.confidence, ci_method=self.ci_method)
        return frozen_mapping(params)

    @property
    def counts(self) -> Mapping[str, Any]:
        """Read-only: places, total of the counts, undefined bootstrap replicates."""
        return frozen_mapping(
            {"n_units": self.n_units, "total": self.total, "n_undefined": self.n_undefined}
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The formula, the variant's definition and caveats about sparse data."""
        notes = [
            "G = sum_i sum_j |x_i - x_j| / (2 n^2 mean); 0 = crime spread evenly, "
            "1 = all crime in one place.",
        ]
        if self.generalized:
            notes.append(
                "Generalised Gini (Bernasco & Steenbeek 2017): G' = max(1, n/N) (G - 1) + 1 "
                "compares with the most even spread possible when there are fewer events "
                "than places; unbiased: x m/(m - 1), m = min(n, N)."
            )
        elif self.unbiased:
            notes.append("Unbiased Gini (Deltas 2003): G x n/(n - 1).")
        if self.total < self.n_units and not self.generalized:
            notes.append(
                f"There are fewer events ({self.total:g}) than places ({self.n_units}), so "
                "the standard Gini is at least 1 - N/n even if crime is spread as evenly as "
                "possible; consider `generalized=True`."
            )
        if self.n_bootstrap:
            notes.append("Bootstrap: places resampled with replacement.")
        if self.n_undefined:
            notes.append(
                f"{self.n_undefined} bootstrap replicates drew no event (Gini undefined) "
                "and were left out of the interval."
            )
        return tuple(notes)

    def _variant(self) -> str:
        words = ("generalised" if self.generalized else "", "unbiased" if self.unbiased else "")
        return " ".join(w for w in words if w) or "standard"

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame()

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Histogram of the bootstrap replicates with the estimate and interval marked."""
        from hotspotlib._plotting import get_axes

        if self.bootstrap is None:
            raise ValueError(
                "This result has no bootstrap replicates to plot; call `gini(..., "
                "n_bootstrap=999)`, or use `lorenz_curve(counts).plot()` for the curve."
            )
        axes = get_axes(ax)
        kwargs.setdefault("bins", 40)
        kwargs.setdefault("color", "0.7")
        axes.hist(self.bootstrap[np.isfinite(self.bootstrap)], **kwargs)
        axes.axvline(self.estimate, color="black", label="estimate")
        for limit in (self.ci_low, self.ci_high):
            axes.axvline(limit, color="tab:red", linestyle="--")
        axes.set_xlabel("Gini")
        axes.set_ylabel("bootstrap replicates")
        return axes


def gini(
    counts: ArrayLike | pd.Series | EventCounts,
    *,
    generalized: bool = False,
    unbiased: bool = False,
    n_bootstrap: int = 0,
    confidence: float = 0.95,
    ci_method: CiMethod = "percentile",
    rng: int | np.random.Generator | None = None,
) -> GiniCoefficient:
    """Gini coefficient of crime across places, optionally generalised for sparse data.

    Parameters
    ----------
    counts : array-like, Series or EventCounts
        Events (or a weight such as harm) per place, zeros included: the places without
        crime are what makes crime look concentrated.
    generalized : bool
        Use the Bernasco & Steenbeek (2017) generalised Gini ``G' = max(1, n/N)(G-1)+1``,
        which measures concentration against the most even spread possible when there
        are fewer events ``N`` than places ``n``. Needs whole-number counts. Equal to the
        standard Gini when ``N >= n``.
    unbiased : bool
        Multiply by ``n/(n-1)`` (Deltas 2003) or, when generalised, by ``m/(m-1)`` with
        ``m = min(n, N)`` (as the authors' ``lorenzgini`` R package does).
    n_bootstrap : int
        Bootstrap replicates for a confidence interval (0: none). Places are resampled
        with replacement; with whole-number counts each replicate is a multinomial draw
        over the distinct counts, so 10,000 replicates take milliseconds.
    confidence : float
        Level of the interval, in (0, 1).
    ci_method : {"percentile", "bca"}
        Percentile interval, or bias-corrected and accelerated (BCa, Efron 1987) with the
        acceleration from an exact jackknife.
    rng : int, Generator or None
        Seed or generator for the bootstrap.

    Returns
    -------
    GiniCoefficient
        ``estimate`` with ``ci_low``/``ci_high`` (NaN without a bootstrap).

    Raises
    ------
    ValueError
        For fewer than 2 places, NaN or negative counts, all-zero counts, fractional
        counts with ``generalized=True``, or bad bootstrap settings.

    See Also
    --------
    GiniCoefficient : The returned estimate and interval.
    lorenz_curve : The curve the coefficient summarises.
    concentration_share : Shares of places holding shares of crime.

    Notes
    -----
    ``G = sum_i sum_j |x_i - x_j| / (2 n^2 mean(x))``, computed exactly from the sorted
    distinct values. With 20 events over 10 places as ``[10, 8, 2]`` plus seven zeros,
    ``G = G' = 0.78`` and the unbiased ``G' = 0.8667``.

    References
    ----------
    .. [1] Bernasco, W. and Steenbeek, W. (2017). More places than crimes: implications for
       evaluating the law of crime concentration at place. Journal of Quantitative
       Criminology 33(3), 451-467.
    .. [2] Deltas, G. (2003). The small-sample bias of the Gini coefficient: results and
       implications for empirical research. Review of Economics and Statistics 85(1),
       226-234.
    .. [3] Efron, B. (1987). Better bootstrap confidence intervals. Journal of the American
       Statistical Association 82(397), 171-185.

    Examples
    --------
    >>> from hotspotlib.metrics import gini
    >>> counts = [10, 8, 2, 0, 0, 0, 0, 0, 0, 0]
    >>> round(gini(counts).estimate, 4)
    0.78
    >>> round(gini(counts, generalized=True, unbiased=True).estimate, 4)
    0.8667
    >>> result = gini(counts, n_bootstrap=200, rng=1)
    >>> bool(result.ci_low <= result.estimate <= result.ci_high)
    True
    """
    values = as_counts(counts, integer=generalized)
    check_option(ci_method, CiMethod, name="ci_method")
    n_boot = require_draws(n_bootstrap, name="n_bootstrap")
    require_allocation(
        n_boot, 8, name="n_bootstrap", what="replicates", fix="Use fewer (999 is usual)."
    )
    level = require_probability(confidence, name="confidence")
    distinct, freq_int = np.unique(values, return_counts=True)
    freq = freq_int.astype(float)
    n_units, total = values.size, float(values.sum())
    standard = float(gini_grouped(distinct, freq))
    estimate = float(adjust(standard, n_units, total, generalized=generalized, unbiased=unbiased))
    boot: NDArray[np.float64] | None = None
    ci_low = ci_high = float("nan")
    if n_boot:
        boot = _bootstrap(distinct, freq, n_boot, as_rng(rng), generalized, unbiased)
        variant = {"generalized": generalized, "unbiased": unbiased}
        ci_low, ci_high = _interval(boot, estimate, distinct, freq, level, ci_method, variant)
    return GiniCoefficient(
        estimate=estimate,
        standard=standard,
        generalized=generalized,
        unbiased=unbiased,
        n_units=n_units,
        total=total,
        ci_low=ci_low,
        ci_high=ci_high,
        confidence=level,
        ci_method=ci_method,
        n_bootstrap=n_boot,
        n_undefined=0 if boot is None else int((~np.isfinite(boot)).sum()),
        bootstrap=boot,
    )


def _interval(
    boot: NDArray[np.float64],
    estimate: float,
    distinct: NDArray[np.float64],
    freq: NDArray[np.float64],
    level: float,
    ci_method: str,
    variant: dict[str, bool],
) -> tuple[float, float]:
    """Percentile or BCa limits from the defined replicates (refused if none is)."""
    finite = boot[np.isfinite(boot)]
    if finite.size == 0:
        raise ValueError(
            "Every bootstrap replicate was undefined (no events drawn); there are too "
            "few events for a bootstrap interval."
        )
    alpha = (1.0 - level) / 2.0
    levels = (alpha, 1.0 - alpha)
    if ci_method == "bca":
        loo, n_left, total_left = jackknife_grouped(distinct, freq)
        jack = adjust(loo, n_left, total_left, **variant)
        levels = bca_levels(estimate, finite, jack, freq, level)
    low, high = np.quantile(finite, levels)
    return float(low), float(high)


def _bootstrap(
    distinct: NDArray[np.float64],
    freq: NDArray[np.float64],
    n_bootstrap: int,
    generator: np.random.Generator,
    generalized: bool,
    unbiased: bool,
) -> NDArray[np.float64]:
    """Gini of ``n_bootstrap`` resamples of places, drawn as multinomial frequencies."""
    n_units = int(freq.sum())
    prob = freq / freq.sum()
    chunk = max(1, _MAX_DRAWS // distinct.size)
    out = np.empty(n_bootstrap)
    for start in range(0, n_bootstrap, chunk):  # a few chunks, each vectorised
        size = min(chunk, n_bootstrap - start)
        draws = generator.multinomial(n_units, prob, size=size).astype(float)
        totals = draws @ distinct
        raw = gini_grouped(distinct, draws)
        out[start : start + size] = adjust(
            raw, n_units, totals, generalized=generalized, unbiased=unbiased
        )
    return out
