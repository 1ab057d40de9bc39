"""Automatic bandwidths for kernel density: ArcGIS's default radius, Scott, Silverman, CV.

Every rule first finds a scale for its own reference kernel and then converts it to the
kernel asked for by matching the kernel's per-coordinate standard deviation (spatstat's
convention): a quartic of radius ``r`` has SD ``r / sqrt(8)``, an Epanechnikov
``r / sqrt(6)``, a triangular ``r * sqrt(3 / 20)``, a uniform disc ``r / 2``, and a
Gaussian's bandwidth is its SD.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, ReadOnlyDict, frozen_mapping
from hotspotlib._options import BandwidthRule, Kernel
from hotspotlib._validation import check_option, require_points, require_positive, require_weights
from hotspotlib.hotspots.density._bandwidth_cv import likelihood_cv_sd
from hotspotlib.hotspots.density._kernels import kernel_sd_factor

__all__ = ["BandwidthChoice", "select_bandwidth"]

_QUARTIC_SD = kernel_sd_factor("quartic")


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class BandwidthChoice(FrozenResult):
    """A bandwidth chosen by a rule, with the numbers that made it.

    Attributes
    ----------
    bandwidth_m : float
        The bandwidth for ``kernel`` in metres, after ``bandwidth_adjust``: the search
        radius of a compact kernel, the standard deviation of the Gaussian.
    rule : str
        The rule used (``"arcgis"``, ``"scott"``, ``"silverman"``, ``"likelihood_cv"``).
    kernel : str
        The kernel the bandwidth is for.
    bandwidth_adjust : float
        Multiplier applied to the rule's value.
    n_events : int
        Events used.
    details : Mapping
        Intermediate values: e.g. ``standard_distance_m`` and ``median_distance_m`` for
        ArcGIS, the pooled SD for Scott, the candidates and log-likelihoods for CV
        (read-only, arrays included).

    See Also
    --------
    select_bandwidth : Make one.

    References
    ----------
    .. [1] Silverman (1986). Density Estimation for Statistics and Data Analysis.
    """

    _title: ClassVar[str] = "Kernel density bandwidth"

    bandwidth_m: float
    rule: str
    kernel: str
    bandwidth_adjust: float
    n_events: int
    details: Mapping[str, Any] = field(default_factory=frozen_mapping)

    def to_frame(self) -> pd.DataFrame:
        """Return one row: the bandwidth, the rule and its scalar details.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=3)
        >>> row = hs.select_bandwidth(city.events).to_frame()
        >>> "standard_distance_m" in row.columns
        True
        """
        row: dict[str, Any] = {
            "bandwidth_m": self.bandwidth_m,
            "rule": self.rule,
            "kernel": self.kernel,
            "bandwidth_adjust": self.bandwidth_adjust,
            "n_events": self.n_events,
        }
        row.update({k: v for k, v in self.details.items() if np.ndim(v) == 0})
        return pd.DataFrame([row])

    @property
    def parameters(self) -> ReadOnlyDict:
        """The rule, the kernel, the multiplier, the bandwidth chosen and scalar details.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=3)
        >>> hs.select_bandwidth(city.events).parameters["rule"]
        'arcgis'
        """
        params: dict[str, Any] = {
            "rule": self.rule,
            "kernel": self.kernel,
            "bandwidth_adjust": self.bandwidth_adjust,
            "bandwidth_m": self.bandwidth_m,
        }
        params.update({k: v for k, v in self.details.items() if np.ndim(v) == 0})
        return frozen_mapping(params)

    @property
    def counts(self) -> ReadOnlyDict:
        """Events used."""
        return frozen_mapping({"n_events": self.n_events})

    @property
    def notes(self) -> tuple[str, ...]:
        """What the bandwidth means and how the rule works.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=3)
        >>> "search radius" in hs.select_bandwidth(city.events).notes[0]
        True
        """
        notes = [_MEANING[self.kernel == "gaussian"], _RULE_NOTES[self.rule]]
        if self.details.get("at_search_boundary"):
            notes.append(
                "The likelihood was still rising at the edge of the search range; the "
                "bandwidth is a bound, not an optimum (often caused by repeated locations)."
            )
        return tuple(notes)

    def _summary_table(self) -> pd.DataFrame | None:
        """Return the cross-validation trace (candidate SDs, log-likelihoods), if any."""
        if "cv_sd_m" not in self.details:
            return None
        return pd.DataFrame(
            {
                "gaussian_sd_m": self.details["cv_sd_m"],
                "log_likelihood": self.details["cv_log_likelihood"],
            }
        )


_MEANING = {
    False: "bandwidth_m is the search radius: the kernel is zero beyond it.",
    True: "bandwidth_m is the Gaussian's standard deviation (cut off at 5 SD).",
}
_RULE_NOTES = {
    "arcgis": (
        "ArcGIS default radius: 0.9 * min(SD, sqrt(1/ln 2) * Dm) * n^-0.2 with SD the "
        "standard distance and Dm the median distance to the mean centre (weighted, and "
        "n = total weight, when weights are given). Other kernels: same per-coordinate SD "
        "as that quartic."
    ),
    "scott": (
        "Scott's 2-D rule: Gaussian SD = pooled coordinate SD * n^(-1/6), n the effective "
        "number of events. In 2-D this equals scipy's 'scott' and 'silverman' factors "
        "applied to an isotropic covariance."
    ),
    "silverman": (
        "Silverman-style robust 2-D rule: Gaussian SD = min(pooled SD, pooled IQR / 1.349) "
        "* n^(-1/6), n the effective number of events."
    ),
    "likelihood_cv": (
        "Likelihood cross-validation: the Gaussian SD maximising the leave-one-out "
        "log-likelihood of the events, on linearly binned data (8 bins per SD; exact pair sums "
        "for small SDs), over 30 candidates from 1/30 to 3 x Scott's value; converted to "
        "other kernels by equal SD."
    ),
    "given": "Bandwidth given by the user.",
}


def select_bandwidth(
    events: Any,
    *,
    rule: BandwidthRule = "arcgis",
    kernel: Kernel = "quartic",
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    bandwidth_adjust: float = 1.0,
) -> BandwidthChoice:
    """Choose a kernel density bandwidth for a set of events by a named rule.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres).
    rule : {"arcgis", "scott", "silverman", "likelihood_cv"}
        ``"arcgis"``: the default search radius of ArcGIS Kernel Density (10.2.1 and
        later), ``0.9 * min(SD, sqrt(1 / ln 2) * Dm) * n ** -0.2``, SD the standard
        distance and Dm the median distance to the mean centre. ``"scott"``: Gaussian SD
        ``sigma * n ** (-1/6)`` with the pooled coordinate SD. ``"silverman"``: the same
        with ``min(sigma, IQR / 1.349)``. ``"likelihood_cv"``: leave-one-out likelihood
        cross-validation of a Gaussian (as spatstat's ``bw.ppl``), fast on binned data.
    kernel : {"quartic", "epanechnikov", "triangular", "uniform", "gaussian"}
        The kernel the bandwidth is for; rules are converted between kernels by matching
        the per-coordinate standard deviation.
    weights : str or array-like, optional
        A column (e.g. ``"harm"``) or one value per event: weighted centre, distances and
        spreads. For ``"arcgis"``, ``n`` is the total weight, as ArcGIS uses the population
        field; the other rules use the effective number ``sum(w)**2 / sum(w**2)``.
    bandwidth_adjust : float
        Multiplier on the rule's value (as sfhotspot's ``bandwidth_adjust``).

    Returns
    -------
    BandwidthChoice
        The bandwidth in metres with the rule's intermediate values.

    Raises
    ------
    ValueError
        For fewer than two distinct locations, bad weights, a geographic CRS or an
        unknown rule or kernel.

    See Also
    --------
    BandwidthChoice : The returned choice.
    kde : Use the bandwidth.

    References
    ----------
    .. [1] Silverman, B. W. (1986). Density Estimation for Statistics and Data Analysis.
       Chapman and Hall, London. ISBN 978-0-412-24620-3.
    .. [2] Scott, D. W. (1992). Multivariate Density Estimation. Wiley, New York.
    .. [3] Esri. How Kernel Density works. ArcGIS Pro tool reference.
       https://pro.arcgis.com/en/pro-app/latest/tool-reference/spatial-analyst/how-kernel-density-works.htm

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=3)
    >>> choice = hs.select_bandwidth(city.events)
    >>> choice.rule, round(choice.bandwidth_m, -1) > 0
    ('arcgis', True)
    >>> gauss = hs.select_bandwidth(city.events, kernel="gaussian")
    >>> round(choice.bandwidth_m / gauss.bandwidth_m, 4)  # quartic radius = sqrt(8) SD
    2.8284
    """
    check_option(rule, BandwidthRule, name="rule")
    check_option(kernel, Kernel, name="kernel")
    xy = require_points(events, name="events")
    w = require_weights(events, weights)
    factor = require_positive(bandwidth_adjust, name="bandwidth_adjust")
    return choose_bandwidth(xy, w, rule=rule, kernel=kernel, bandwidth_adjust=factor)


def choose_bandwidth(
    xy: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    *,
    rule: BandwidthRule,
    kernel: Kernel,
    bandwidth_adjust: float,
) -> BandwidthChoice:
    """Array core of :func:`select_bandwidth` (inputs already validated)."""
    w = np.ones(len(xy)) if weights is None else weights
    details: dict[str, Any]
    if rule == "arcgis":
        sd, details = _arcgis_quartic_radius(xy, w, weighted=weights is not None)
        sd *= _QUARTIC_SD
    elif rule in ("scott", "silverman"):
        sd, details = _reference_sd(xy, w, robust=rule == "silverman")
    else:
        scott, _ = _reference_sd(xy, w, robust=False)
        sd, details = likelihood_cv_sd(xy, w, scott)
    require_positive(
        sd,
        name="bandwidth_m",
        fix=f"The {rule!r} rule gives this for these events: they need at least 2 distinct "
        "locations. Pass `bandwidth_m` explicitly.",
    )
    value = sd / kernel_sd_factor(kernel) * bandwidth_adjust
    return BandwidthChoice(
        bandwidth_m=float(value),
        rule=rule,
        kernel=kernel,
        bandwidth_adjust=bandwidth_adjust,
        n_events=len(xy),
        details=details,
    )


def _weighted_median(values: NDArray[np.float64], weights: NDArray[np.float64]) -> float:
    """Weighted median; with equal weights it equals :func:`numpy.median`."""
    order = np.argsort(values, kind="stable")
    v, cw = values[order], np.cumsum(weights[order])
    half = cw[-1] / 2.0
    i = int(np.searchsorted(cw, half, side="left"))
    if i + 1 < len(v) and math.isclose(cw[i], half, rel_tol=1e-12):
        return float((v[i] + v[i + 1]) / 2.0)
    return float(v[min(i, len(v) - 1)])


def _weighted_quantile(
    values: NDArray[np.float64], weights: NDArray[np.float64], q: float
) -> float:
    order = np.argsort(values, kind="stable")
    v, cw = values[order], np.cumsum(weights[order])
    position = (cw - 0.5 * weights[order]) / cw[-1]
    return float(np.interp(q, position, v))


def _arcgis_quartic_radius(
    xy: NDArray[np.float64], w: NDArray[np.float64], *, weighted: bool
) -> tuple[float, dict[str, Any]]:
    total = float(w.sum())
    centre = (w @ xy) / total
    distance = np.hypot(xy[:, 0] - centre[0], xy[:, 1] - centre[1])
    standard_distance = math.sqrt(float((w * distance**2).sum()) / total)
    median_distance = _weighted_median(distance, w)
    n = total if weighted else float(len(xy))
    radius = 0.9 * min(standard_distance, math.sqrt(1.0 / math.log(2.0)) * median_distance)
    radius *= n**-0.2
    return radius, {
        "quartic_radius_m": radius,
        "standard_distance_m": standard_distance,
        "median_distance_m": median_distance,
        "n_in_formula": n,
    }


def _effective_n(w: NDArray[np.float64]) -> float:
    return float(w.sum() ** 2 / (w**2).sum())


def _reference_sd(
    xy: NDArray[np.float64], w: NDArray[np.float64], *, robust: bool
) -> tuple[float, dict[str, Any]]:
    total = float(w.sum())
    mean = (w @ xy) / total
    variance = (w @ (xy - mean) ** 2) / total
    pooled = math.sqrt(float(variance.mean()))
    n = _effective_n(w)
    details: dict[str, Any] = {"pooled_sd_m": pooled, "effective_n": n}
    spread = pooled
    if robust:
        iqr = np.array(
            [
                _weighted_quantile(xy[:, j], w, 0.75) - _weighted_quantile(xy[:, j], w, 0.25)
                for j in range(2)
            ]
        )
        pooled_iqr = math.sqrt(float((iqr**2).mean())) / 1.349
        details["pooled_iqr_sd_m"] = pooled_iqr
        if pooled_iqr > 0:
            spread = min(pooled, pooled_iqr)
    sd = spread * n ** (-1.0 / 6.0)
    details["gaussian_sd_m"] = sd
    return sd, details
