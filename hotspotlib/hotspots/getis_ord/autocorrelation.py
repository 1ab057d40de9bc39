"""Incremental spatial autocorrelation: global Moran's I over increasing distance bands.

Used by :func:`~hotspotlib.optimized_hotspots` to choose the scale of analysis (the
first distance at which clustering peaks), and available on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import cKDTree

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    require_allocation,
    require_finite,
    require_nonempty,
    require_positive,
    require_range,
    require_varying,
    require_whole,
)
from hotspotlib.hotspots.inference import normal_p
from hotspotlib.hotspots.units import resolve_units
from hotspotlib.hotspots.weights import BAND_TOLERANCE

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "IncrementalAutocorrelation",
    "first_significant_peak",
    "incremental_autocorrelation",
    "moran_by_band",
]

PAIR_BYTES = 56
"""Memory per unit pair within the largest band (ids, length, order, products)."""


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class IncrementalAutocorrelation(FrozenResult):
    """Moran's I per distance band and the first statistically significant peak.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per band: ``distance_m, moran_i, expected, variance, z_score, p_value,
        mean_neighbours``.
    peak_m : float or None
        The first significant peak distance (None when there is none).
    z_critical : float
        The z a peak must reach to count as significant.
    n_units : int
        Units analysed.
    bands_rule : str
        How the band distances were chosen.

    See Also
    --------
    incremental_autocorrelation : Compute one.

    References
    ----------
    .. [1] Esri. Incremental Spatial Autocorrelation (Spatial Statistics). ArcGIS Pro tool
       reference.
       https://pro.arcgis.com/en/pro-app/tool-reference/spatial-statistics/incremental-spatial-autocorrelation.htm
    """

    _title: ClassVar[str] = "Incremental spatial autocorrelation (global Moran's I)"

    table: pd.DataFrame
    peak_m: float | None
    z_critical: float
    n_units: int
    bands_rule: str

    def to_frame(self) -> pd.DataFrame:
        """Return the per-band table (a copy)."""
        return self.table.copy()

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The bands and how they were chosen, the critical z and the peak found."""
        return frozen_mapping(
            {
                "spatial_weights": "binary distance band d <= band between centres",
                "bands": self.bands_rule,
                "z_critical": self.z_critical,
                "first_significant_peak_m": self.peak_m,
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Units analysed, bands tried, and bands whose z reaches ``z_critical``."""
        z = self.table["z_score"].to_numpy()
        with np.errstate(invalid="ignore"):
            n_significant = int((z >= self.z_critical).sum())
        return frozen_mapping(
            {
                "n_units": self.n_units,
                "n_bands": len(self.table),
                "n_bands_significant": n_significant,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How z, p and the peak are defined."""
        return (
            "Binary distance-band weights (d <= band, between centres); z under the "
            "randomisation assumption; p two-sided.",
            "A peak is a band whose z exceeds both neighbours' (the first band needs "
            "only exceed the second; the last band cannot be a peak).",
        )

    def _summary_table(self) -> pd.DataFrame:
        """Return the per-band table."""
        return self.table

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Plot Moran's I z-score against distance, marking the chosen peak."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 4.0))
        kwargs.setdefault("marker", "o")
        axes.plot(self.table["distance_m"], self.table["z_score"], **kwargs)
        axes.axhline(self.z_critical, color="0.5", linestyle=":", label="significance")
        if self.peak_m is not None:
            axes.axvline(self.peak_m, color="crimson", label=f"peak {self.peak_m:g} m")
        axes.set_xlabel("distance band (m)")
        axes.set_ylabel("Moran's I z-score")
        axes.legend(frameon=False)
        return axes


def moran_by_band(
    xy: NDArray[np.float64], values: NDArray[np.float64], distances: NDArray[np.float64]
) -> pd.DataFrame:
    """Global Moran's I with binary distance-band weights for each band, vectorised.

    Pairs within the largest band are found once, sorted by distance and accumulated,
    so every band costs one pass over its pairs. z is under the randomisation
    assumption (Cliff & Ord), as ``esda.Moran``'s ``z_rand``.

    Examples
    --------
    >>> import numpy as np
    >>> xy = np.column_stack([np.arange(10.0), np.zeros(10)])
    >>> table = moran_by_band(xy, np.arange(10.0), np.array([1.0, 2.0]))
    >>> table["moran_i"].round(3).tolist()
    [0.778, 0.654]
    """
    n = values.size
    z = values - values.mean()
    m2 = float(z @ z)
    b2 = n * float(np.sum(z**4)) / (m2 * m2)
    tree = cKDTree(xy)
    reach = float(distances.max()) * (1 + BAND_TOLERANCE)
    expected_pairs = int(tree.count_neighbors(tree, reach)) - n
    require_allocation(
        expected_pairs // 2,
        PAIR_BYTES,
        name="distances_m",
        what=f"pairs of units within the largest band ({distances.max():g} m)",
        fix="Use fewer or shorter bands or a larger cell size.",
    )
    pairs = np.asarray(tree.query_pairs(reach, output_type="ndarray"), dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    length = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    order = np.argsort(length, kind="stable")
    pairs, length = pairs[order], length[order]
    cross = np.concatenate([[0.0], np.cumsum(z[pairs[:, 0]] * z[pairs[:, 1]])])
    stops = np.searchsorted(length, distances * (1 + BAND_TOLERANCE), side="right")
    rows = []
    for band, stop in zip(distances, stops, strict=True):  # a handful of bands
        s0 = 2.0 * stop
        card = np.bincount(pairs[:stop].ravel(), minlength=n).astype(float)
        s1 = 2.0 * s0
        s2 = 4.0 * float(card @ card)
        expected = -1.0 / (n - 1)
        if s0 == 0:
            rows.append((band, np.nan, expected, np.nan, np.nan, card.mean()))
            continue
        moran = n / s0 * 2.0 * cross[stop] / m2
        numerator = n * ((n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0) - b2 * (
            (n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0
        )
        variance = numerator / ((n - 1) * (n - 2) * (n - 3) * s0 * s0) - expected**2
        z_score = (moran - expected) / np.sqrt(variance) if variance > 0 else np.nan
        rows.append((band, moran, expected, variance, z_score, card.mean()))
    table = pd.DataFrame(
        rows,
        columns=["distance_m", "moran_i", "expected", "variance", "z_score", "mean_neighbours"],
    )
    table.insert(5, "p_value", normal_p(table["z_score"].to_numpy()))
    return table


def first_significant_peak(z: ArrayLike, z_critical: float = 1.959964) -> int | None:
    """Return the position of the first local maximum of ``z`` above ``z_critical``.

    A band is a peak when its z exceeds the previous band's (the first band has none)
    and is at least the next band's; the last band cannot be a peak because the curve
    beyond it is unknown.

    Examples
    --------
    >>> first_significant_peak([2.5, 4.0, 3.0, 5.0, 6.0])
    1
    >>> first_significant_peak([1.0, 1.5, 1.2, 3.0]) is None
    True
    """
    values = np.asarray(z, dtype=float)
    for k in range(len(values) - 1):  # a handful of bands
        previous = values[k - 1] if k > 0 else -np.inf
        if values[k] > previous and values[k] >= values[k + 1] and values[k] >= z_critical:
            return k
    return None


def incremental_autocorrelation(
    units: Any,
    *,
    value: str | ArrayLike | None = None,
    distances_m: ArrayLike | None = None,
    n_bands: int = 10,
    z_critical: float = 1.959964,
) -> IncrementalAutocorrelation:
    """Global Moran's I over increasing distance bands (ArcGIS's Incremental SA).

    Parameters
    ----------
    units : GeoDataFrame, EventCounts or Grid
        As for :func:`~hotspotlib.gi_star`; distances between centres need a projected
        CRS in metres.
    value : str or array-like, optional
        As for :func:`~hotspotlib.gi_star`.
    distances_m : array-like, optional
        Band distances in metres. By default ``n_bands`` bands starting at the smallest
        band giving every unit a neighbour, in steps of the mean nearest-neighbour
        distance.
    n_bands : int
        Number of default bands.
    z_critical : float
        z a peak must reach (1.96: two-sided 5 %).

    Returns
    -------
    IncrementalAutocorrelation
        The per-band table and the first significant peak.

    See Also
    --------
    IncrementalAutocorrelation : The returned profile.
    optimized_hotspots : Uses the first significant peak.
    gi_star : Hot spots at the chosen distance.

    References
    ----------
    .. [1] Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. Biometrika
       37(1/2), 17-23. https://doi.org/10.2307/2332142
    .. [2] Esri. Incremental Spatial Autocorrelation (Spatial Statistics). ArcGIS Pro tool
       reference.
       https://pro.arcgis.com/en/pro-app/tool-reference/spatial-statistics/incremental-spatial-autocorrelation.htm

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=1)
    >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    >>> isa = hs.incremental_autocorrelation(counts, distances_m=[500, 1000, 1500, 2000])
    >>> len(isa.to_frame())
    4
    """
    z_critical = require_positive(z_critical, name="z_critical")
    resolved = resolve_units(units, value)
    values = require_varying(
        resolved.values,
        name="value",
        minimum=4,
        fix="Moran's I compares values over at least 4 units; check the value column.",
    )
    xy = resolved.centroids()
    if distances_m is None:
        require_whole(n_bands, name="n_bands", minimum=2)
        require_varying(xy, name="units", fix="Distance bands need units at two locations.")
        distances = default_bands(xy, int(n_bands))
        rule = f"{n_bands} bands from the smallest linking distance, mean NN distance apart"
    else:
        distances = np.sort(require_finite(distances_m, name="distances_m").ravel())
        require_nonempty(distances, name="distances_m", fix="pass distances in metres.")
        require_range(
            distances[0], name="distances_m", low=0, low_open=True, fix="Pass distances in metres."
        )
        rule = "given"
    table = moran_by_band(xy, values, distances)
    peak = first_significant_peak(table["z_score"].to_numpy(), z_critical)
    return IncrementalAutocorrelation(
        table=table,
        peak_m=None if peak is None else float(table["distance_m"].iloc[peak]),
        z_critical=float(z_critical),
        n_units=resolved.n,
        bands_rule=rule,
    )


def default_bands(xy: NDArray[np.float64], n_bands: int) -> NDArray[np.float64]:
    """Bands from the largest non-outlying nearest-neighbour distance, in mean NN steps.

    Units whose nearest neighbour is further than the mean plus three standard
    deviations of nearest-neighbour distances are ignored when choosing the first band
    (they would otherwise push it far out); they stay in the analysis. When every unit
    shares its location with another, the distances are between distinct locations.
    """
    distance, _ = cKDTree(xy).query(xy, k=2)
    nearest = distance[:, 1]
    typical = nearest[nearest <= nearest.mean() + 3 * nearest.std()]
    start = float(typical.max()) if typical.size else float(nearest.max())
    step = float(typical.mean()) if typical.size and typical.mean() > 0 else start
    if start <= 0:  # every unit shares its location with another: measure between locations
        return default_bands(np.unique(xy, axis=0), n_bands)
    start = max(start, step)
    return np.asarray(start + step * np.arange(n_bands), dtype=np.float64)
