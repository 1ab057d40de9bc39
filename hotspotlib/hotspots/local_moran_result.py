"""The result of :func:`~hotspotlib.local_moran`: clusters, outliers and a map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._map_docs import TILES
from hotspotlib._multiple_testing import permutation_floor_note
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.units import grid_index

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = [
    "CLUSTER_LABELS",
    "LocalMoran",
    "cluster_types",
    "local_moran_notes",
    "moran_counts",
    "moran_parameters",
]

CLUSTER_LABELS = ("no neighbours", "High-High", "Low-High", "Low-Low", "High-Low")
"""Cluster labels indexed by quadrant code (0 island; 1 HH, 2 LH, 3 LL, 4 HL as PySAL)."""

CLUSTER_TYPES = ("High-High", "Low-Low", "High-Low", "Low-High", "not significant", "no neighbours")
"""Every ``cluster_type``, in legend order."""

_COLOURS = {
    "High-High": "#d7191c",
    "Low-Low": "#2c7bb6",
    "High-Low": "#f4a6c6",
    "Low-High": "#abd9e9",
    "not significant": "#d9d9d9",
    "no neighbours": "#ffffff",
}
_MEANING = {
    "High-High": "cluster: high value among high values",
    "Low-Low": "cluster: low value among low values",
    "High-Low": "outlier: high value among low values",
    "Low-High": "outlier: low value among high values",
    "not significant": "not significant at alpha",
    "no neighbours": "no neighbour (not tested)",
}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class LocalMoran(FrozenResult):
    """Local Moran's I per unit, with p-values, q-values, quadrants and cluster types.

    Attributes
    ----------
    geometry : geopandas.GeoSeries
        The units' geometry, indexed like the input (on a grid the cell outlines are
        built the first time this, :meth:`to_frame` or :meth:`plot` needs them).
    units : GeoSeries or Grid
        Where the geometry comes from: the units' geometry, or the grid analysed.
    value : numpy.ndarray
        The analysed value.
    local_i : numpy.ndarray
        ``(n-1)/n * d_i * sum_j w_ij d_j / m2`` with ``d = x - mean``, ``m2 = mean(d^2)``
        (esda's ``Is``); 0 for islands.
    expected, variance : numpy.ndarray
        Exact mean ``-W_i / n`` and variance of ``local_i`` under total randomisation.
    z_score : numpy.ndarray
        ``(local_i - expected) / sqrt(variance)`` (NaN for islands).
    p_value : numpy.ndarray
        Two-sided p-value used for inference: conditional permutation when
        ``n_permutations > 0``, else analytic.
    p_analytic, p_permutation : numpy.ndarray (p_permutation may be None)
        The two-sided normal p-value of ``z_score``, and the permutation p-value.
    q_value : numpy.ndarray
        Benjamini-Hochberg q-values of ``p_value``.
    quadrant : numpy.ndarray
        Moran scatterplot quadrant, whether significant or not, in PySAL's codes (esda's
        ``q``): 1 High-High, 2 Low-High, 3 Low-Low, 4 High-Low; 0 for islands.
    cluster_type : numpy.ndarray
        "High-High", "Low-Low", "High-Low", "Low-High" where significant at ``alpha``
        (q-values when ``fdr``), else "not significant"; "no neighbours" for islands.
    n_neighbours : numpy.ndarray
        Neighbours of each unit, itself excluded.
    standardised_value, standardised_lag : numpy.ndarray
        ``z = (x - mean) / std`` and its spatial lag ``sum_j w_ij z_j``: the axes of the
        Moran scatterplot.
    parameters, counts : Mapping
        Every input and automatic choice; units per cluster type, islands, units at the
        mean (read-only).
    notes : tuple of str
        Conventions and caveats.

    See Also
    --------
    local_moran : Compute one.

    References
    ----------
    .. [1] Anselin (1995). https://doi.org/10.1111/j.1538-4632.1995.tb00338.x
    """

    _title: ClassVar[str] = "Cluster and outlier analysis (Anselin local Moran's I)"

    units: gpd.GeoSeries | Grid = field(repr=False)
    value: NDArray[np.float64]
    local_i: NDArray[np.float64]
    expected: NDArray[np.float64]
    variance: NDArray[np.float64]
    z_score: NDArray[np.float64]
    p_value: NDArray[np.float64]
    p_analytic: NDArray[np.float64]
    q_value: NDArray[np.float64]
    quadrant: NDArray[np.int8]
    cluster_type: NDArray[np.object_]
    n_neighbours: NDArray[np.int64]
    standardised_value: NDArray[np.float64]
    standardised_lag: NDArray[np.float64]
    p_permutation: NDArray[np.float64] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def __repr__(self) -> str:
        c = self.counts
        return (
            f"LocalMoran(n_units={c.get('n_units')}, high_high={c.get('n_high_high')}, "
            f"low_low={c.get('n_low_low')}, high_low={c.get('n_high_low')}, "
            f"low_high={c.get('n_low_high')}, alpha={self.parameters.get('alpha')}, "
            f"fdr={self.parameters.get('fdr')}, "
            f"n_permutations={self.parameters.get('n_permutations')})"
        )

    @property
    def geometry(self) -> gpd.GeoSeries:
        """The units' geometry, indexed like the input (grid outlines built once, kept)."""
        if isinstance(self.units, Grid):
            return self.units.cells.geometry
        return self.units

    @property
    def index(self) -> pd.Index:
        """Index of the units (that of the input)."""
        if isinstance(self.units, Grid):
            return grid_index(self.units)
        return self.units.index

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return one row per unit, indexed like the input, in the input CRS (a copy).

        Columns: ``value, local_i, expected, variance, z_score, p_value, q_value,
        quadrant, cluster_type`` (categorical), ``n_neighbours, p_analytic``
        (``p_permutation`` with permutations), ``standardised_value, standardised_lag``.
        """
        columns: dict[str, Any] = {
            "value": self.value,
            "local_i": self.local_i,
            "expected": self.expected,
            "variance": self.variance,
            "z_score": self.z_score,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "quadrant": self.quadrant,
            "cluster_type": pd.Categorical(
                np.asarray(self.cluster_type, dtype=str), categories=list(CLUSTER_TYPES)
            ),
            "n_neighbours": self.n_neighbours,
            "p_analytic": self.p_analytic,
        }
        if self.p_permutation is not None:
            columns["p_permutation"] = self.p_permutation
        columns["standardised_value"] = self.standardised_value
        columns["standardised_lag"] = self.standardised_lag
        data = {
            name: array if isinstance(array, pd.Categorical) else np.array(array)
            for name, array in columns.items()
        }
        return gpd.GeoDataFrame(
            data, geometry=self.geometry.to_numpy(), crs=self.geometry.crs, index=self.index
        )

    def _summary_table(self) -> pd.DataFrame:
        """Units per cluster type, with what each type means."""
        kinds = pd.Series(np.asarray(self.cluster_type, dtype=str)).value_counts()
        return pd.DataFrame(
            {
                "cluster_type": list(CLUSTER_TYPES),
                "meaning": [_MEANING[name] for name in CLUSTER_TYPES],
                "n_units": [int(kinds.get(name, 0)) for name in CLUSTER_TYPES],
            }
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the cluster types, with the legend outside the map.

        High-High red, Low-Low blue, High-Low pink, Low-High light blue, not
        significant grey (units without neighbours white).

        Parameters
        ----------
        {category_options}

        {map_returns}

        See Also
        --------
        LocalMoran.explore : The same clusters on an interactive map.

        References
        ----------
        .. [1] Anselin (1995). Local indicators of spatial association - LISA.
           https://doi.org/10.1111/j.1538-4632.1995.tb00338.x

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=800, days=30, rng=1)
        >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
        >>> moran = hs.local_moran(counts, spatial_weights="queen", n_permutations=99, rng=1)
        >>> moran.plot().get_legend().get_title().get_text()
        'cluster or outlier'
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import category_map

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        colours = {name: _COLOURS[name] for name in CLUSTER_TYPES}
        fdr = " (FDR)" if self.parameters.get("fdr") else ""
        title = f"Local Moran's I clusters and outliers, alpha = {self.parameters['alpha']}{fdr}"
        return category_map(
            self.to_frame(),
            np.asarray(self.cluster_type, dtype=str),
            colours,
            {name: name for name in CLUSTER_TYPES},
            legend_title="cluster or outlier",
            title=title,
            style=style,
            ax=ax,
            **kwargs,
        )

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the cluster types, with each unit's figures.

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        LocalMoran.plot : The static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=800, days=30, rng=1)
        >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
        >>> moran = hs.local_moran(counts, spatial_weights="queen", n_permutations=99, rng=1)
        >>> type(moran.explore(tiles=None)).__name__
        'Map'
        """
        from hotspotlib._explore import explore_categories

        return explore_categories(
            self.to_frame(),
            np.asarray(self.cluster_type, dtype=str),
            {name: _COLOURS[name] for name in CLUSTER_TYPES},
            {name: name for name in CLUSTER_TYPES},
            legend_title="cluster or outlier",
            tiles=tiles,
            **kwargs,
        )


def cluster_types(
    scores: Mapping[str, Any], test: NDArray[np.float64], *, alpha: float
) -> NDArray[np.object_]:
    """Return each unit's cluster type: its quadrant where ``test <= alpha``, else not."""
    significant = np.nan_to_num(test, nan=np.inf) <= alpha  # NaN (untested): not significant
    labels = np.array(CLUSTER_LABELS, dtype=object)
    kinds = np.where(significant, labels[scores["quadrant"]], "not significant")
    kinds[scores["island"]] = "no neighbours"
    return kinds


def moran_counts(
    scores: Mapping[str, Any], cluster_type: NDArray[np.object_], at_mean: NDArray[np.bool_]
) -> dict[str, int]:
    """Return units analysed, islands, undefined z, units at the mean, units per type."""
    per_type = {
        "n_" + name.lower().replace("-", "_").replace(" ", "_"): int((cluster_type == name).sum())
        for name in (*CLUSTER_LABELS[1:], "not significant")
    }
    return {
        "n_units": int(cluster_type.size),
        "n_islands": int(scores["island"].sum()),
        "n_undefined": int(scores["undefined"].sum()),
        "n_at_mean": int(at_mean.sum()),
        **per_type,
    }


def moran_parameters(
    units: Any,
    spatial: Any,
    *,
    row_standardised: bool,
    n_permutations: int,
    fdr: bool,
    alpha: float,
    rng: Any,
) -> dict[str, Any]:
    """Return every input and automatic choice of a local Moran's I run."""
    return {
        "statistic": "local Moran's I (Anselin 1995; esda's Is)",
        "n_units": units.n,
        "value": units.value_name,
        "spatial_weights": spatial.description,
        "row_standardised": row_standardised,
        "n_permutations": n_permutations,
        "p_value": (
            f"conditional permutation, B = {n_permutations}, two-sided: twice the smaller "
            "tail, 2 (1 + #tail)/(B + 1)"
            if n_permutations
            else "analytic (normal, total randomisation), two-sided"
        ),
        "fdr": fdr,
        "alpha": alpha,
        "rng": rng if isinstance(rng, (int, np.integer)) or rng is None else "Generator",
    }


def local_moran_notes(
    counts: Mapping[str, int],
    p_value: NDArray[np.float64],
    *,
    alpha: float,
    n_perm: int,
    fdr: bool,
) -> tuple[str, ...]:
    """Return the plain-English conventions and caveats of a local Moran's I run."""
    notes = [
        "local_i is esda's Moran_Local Is ((n-1)/n times Anselin's I_i); expected and "
        "variance are its exact moments under total randomisation (esda's EI = "
        "expected * n/(n-1), VI = variance * (n/(n-1))^2); z_score is Anselin's z.",
        "p-values are two-sided (permutations: twice the smaller tail); esda's p_sim "
        "is one-sided (the tail on the observed side): p_value / 2 reproduces it, "
        "min(1, 2 * p_sim) is comparable with p_value.",
        "cluster_type uses "
        + ("Benjamini-Hochberg q-values" if fdr else "raw p-values")
        + " at alpha; High/Low compare a unit's value, and its neighbours' weighted "
        "deviations, with the mean of all units.",
    ]
    if not n_perm:
        notes.append(
            "Analytic p-values only: the normal approximation to local Moran's I is poor "
            "in small or skewed samples (Anselin 1995); prefer n_permutations=999."
        )
    if counts["n_islands"]:
        notes.append(
            f"{counts['n_islands']} units have no neighbour: local_i 0, z and p NaN, "
            "cluster_type 'no neighbours'; they are not counted as tests for the FDR."
        )
    if counts["n_undefined"]:
        notes.append(
            f"{counts['n_undefined']} units have zero variance under randomisation: NaN z."
        )
    if counts["n_at_mean"]:
        notes.append(
            f"{counts['n_at_mean']} units have a value equal to the mean: I_i = 0 under "
            "every conditional permutation, so their permutation p-value is 1."
        )
    n_found = sum(v for k, v in counts.items() if k in _SIGNIFICANT)
    floor_note = permutation_floor_note(
        n_tests=int(np.isfinite(p_value).sum()),
        n_permutations=n_perm,
        alpha=alpha,
        n_found=n_found,
        method="fdr_bh" if fdr else "none",
        tails=2,
    )
    return (*notes, *(() if floor_note is None else (floor_note,)))


_SIGNIFICANT = ("n_high_high", "n_low_high", "n_low_low", "n_high_low")
