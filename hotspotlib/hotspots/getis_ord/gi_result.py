"""The result of :func:`~hotspotlib.gi_star`: per-unit statistics, hot spots, a map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping, lock_in_place
from hotspotlib._map_docs import TILES
from hotspotlib._options import SpotKind
from hotspotlib._validation import check_option
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.units import grid_index

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["GiStar"]

_LEVEL_CODES = {0.90: 1, 0.95: 2, 0.99: 3}
_BIN_LABELS = {
    -3: "cold 99%",
    -2: "cold 95%",
    -1: "cold 90%",
    0: "not significant",
    1: "hot 90%",
    2: "hot 95%",
    3: "hot 99%",
}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class GiStar(FrozenResult):
    """Getis-Ord Gi* (or Gi) per unit, with p-values, q-values and confidence bins.

    Attributes
    ----------
    geometry : geopandas.GeoSeries
        The units' geometry, indexed like the input (on a grid the cell outlines are
        built the first time this, :meth:`to_frame`, :meth:`significant` or
        :meth:`plot` needs them).
    units : GeoSeries or Grid
        Where the geometry comes from: the units' geometry, or the grid analysed.
    value, gi, expected, z_score : numpy.ndarray
        The analysed value, the ratio ``G_i = sum_j w_ij x_j / sum_j x_j`` (NaN when
        some value is negative), its expectation ``W_i / N`` and the general z-score.
    p_value : numpy.ndarray
        The p-value used for inference: permutation when ``n_permutations > 0``, else
        analytic; sidedness from ``alternative``.
    p_analytic, p_permutation : numpy.ndarray (p_permutation may be None)
        The normal p-value, and the conditional-randomisation p-value when computed.
    q_value, p_bonferroni : numpy.ndarray
        Benjamini-Hochberg q-values and Bonferroni-adjusted p-values of ``p_value``
        (the latter computed when read: ``min(1, p m)`` over the ``m`` units tested).
    bin : numpy.ndarray
        ArcGIS ``Gi_Bin``: +/-3, 2, 1 for 99/95/90 % confidence (q-values when ``fdr``),
        always from two-sided p-values, whatever ``alternative``.
    n_neighbours : numpy.ndarray
        Neighbours of each unit, itself excluded.
    n_islands, n_undefined : int
        Units with no neighbour, and units whose z is undefined (NaN z, bin 0).
    parameters : Mapping
        Every input and automatic choice: the statistic, the value, ``spatial_weights``
        (what the weights are), distance, method, p-value kind, FDR, alpha (read-only).
    counts : Mapping
        Units analysed, islands, undefined z, tests, and significant hot and cold units
        at ``alpha`` (read-only).
    notes : tuple of str
        Conventions, then caveats found while computing, e.g. permutation p-values too
        coarse to pass the FDR.

    See Also
    --------
    gi_star : Compute one.

    References
    ----------
    .. [1] Ord and Getis (1995). https://doi.org/10.1111/j.1538-4632.1995.tb00912.x
    """

    _title: ClassVar[str] = "Getis-Ord hot spots (Gi*/Gi)"
    _place_score: ClassVar[str] = "z_score"

    _repr_fields: ClassVar[tuple[str, ...]] = (
        "value_name",
        "method",
        "distance_m",
        "alpha",
        "fdr",
        "n_islands",
        "z_score",
    )

    units: gpd.GeoSeries | Grid = field(repr=False)
    value: NDArray[np.float64]
    gi: NDArray[np.float64]
    expected: NDArray[np.float64]
    z_score: NDArray[np.float64]
    p_value: NDArray[np.float64]
    p_analytic: NDArray[np.float64]
    q_value: NDArray[np.float64]
    bin: NDArray[np.int8]
    n_neighbours: NDArray[np.int64]
    value_name: str
    star: bool
    alternative: str
    n_permutations: int
    fdr: bool
    alpha: float
    distance_m: float | None
    method: str
    n_islands: int
    n_undefined: int
    p_permutation: NDArray[np.float64] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def p_bonferroni(self) -> NDArray[np.float64]:
        """Bonferroni-adjusted ``p_value`` (NaN where untested), computed when read."""
        from hotspotlib._multiple_testing import adjust_pvalues

        return lock_in_place(adjust_pvalues(self.p_value, method="bonferroni"))

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return one row per unit, indexed like the input, in the input CRS.

        Columns: ``value, gi, expected, z_score, p_value, q_value, bin, n_neighbours``,
        then ``p_analytic``, ``p_bonferroni`` (and ``p_permutation`` with permutations).
        """
        columns: dict[str, Any] = {
            "value": self.value,
            "gi": self.gi,
            "expected": self.expected,
            "z_score": self.z_score,
            "p_value": self.p_value,
            "q_value": self.q_value,
            "bin": self.bin,
            "n_neighbours": self.n_neighbours,
            "p_analytic": self.p_analytic,
            "p_bonferroni": self.p_bonferroni,
        }
        if self.p_permutation is not None:
            columns["p_permutation"] = self.p_permutation
        data = {name: np.array(array) for name, array in columns.items()}
        return gpd.GeoDataFrame(
            data, geometry=self.geometry.to_numpy(), crs=self.geometry.crs, index=self.index
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

    @property
    def counts(self) -> Mapping[str, int]:
        """Units analysed, islands, undefined z, tests, significant hot and cold units."""
        test = self.q_value if self.fdr else self.p_value
        with np.errstate(invalid="ignore"):
            significant = np.isfinite(test) & (test <= self.alpha)
        return frozen_mapping(
            {
                "n_units": int(self.value.size),
                "n_islands": self.n_islands,
                "n_undefined": self.n_undefined,
                "n_tests": int(np.isfinite(self.p_value).sum()),
                "n_hot_significant": int((significant & (self.z_score > 0)).sum()),
                "n_cold_significant": int((significant & (self.z_score < 0)).sum()),
            }
        )

    def significant(self, level: float = 0.95, *, kind: SpotKind = "hot") -> gpd.GeoDataFrame:
        """Return the units significant at a confidence ``level`` (0.90, 0.95 or 0.99).

        A significance filter, not a ranking (for the top places use
        :func:`~hotspotlib.select_places`). Uses the bins, so FDR-corrected when
        ``fdr=True``. ``kind`` is ``"hot"``, ``"cold"`` or ``"both"``. Rows are sorted by
        z-score, strongest first.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=3_000, rng=1)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
        >>> result = hs.gi_star(hs.count_events(city.events, grid), distance_m=750)
        >>> bool((result.significant(0.99)["bin"] == 3).all())
        True
        """
        code = _LEVEL_CODES[check_option(round(float(level), 2), tuple(_LEVEL_CODES), name="level")]
        check_option(kind, SpotKind, name="kind")
        frame = self.to_frame()
        bins = frame["bin"].to_numpy()
        keep = {"hot": bins >= code, "cold": bins <= -code, "both": np.abs(bins) >= code}[kind]
        chosen = frame[keep]
        order = np.argsort(-np.abs(chosen["z_score"].to_numpy()), kind="stable")
        return chosen.iloc[order]

    def _summary_table(self) -> pd.DataFrame:
        """Units per confidence bin."""
        bins = pd.Series(self.bin).value_counts().reindex(range(-3, 4), fill_value=0)
        table = pd.DataFrame(
            {"bin": list(range(-3, 4)), "meaning": [_BIN_LABELS[b] for b in range(-3, 4)]}
        )
        table["n_units"] = bins.to_numpy()
        return table

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        title: str | None = None,
        **kwargs: Any,
    ) -> Axes:
        """Map the confidence bins in the ArcGIS palette (hot reds, cold blues, grey).

        Parameters
        ----------
        {map_axes}
        {map_furniture}
        title : str, optional
            Replaces the default title.
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot`.

        {map_returns}

        See Also
        --------
        GiStar.explore : The same bins on an interactive map.

        References
        ----------
        .. [1] Esri. How Hot Spot Analysis (Getis-Ord Gi*) works (the output bins and
           their colours). https://pro.arcgis.com/en/pro-app/latest/tool-reference/
           spatial-statistics/h-how-hot-spot-analysis-getis-ord-gi-spatial-stati.htm

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=800, days=30, rng=1)
        >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
        >>> ax = hs.gi_star(counts, distance_m=750).plot()
        >>> ax.get_legend().get_title().get_text()
        'Gi* confidence, FDR-corrected'
        """
        from hotspotlib._maps import HOTSPOT_BIN_COLOURS, map_style
        from hotspotlib._result_maps import category_map

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        frame = self.to_frame()
        statistic = "Gi*" if self.star else "Gi"
        fdr = ", FDR-corrected" if self.fdr else ""
        if title is None:
            title = f"{statistic} hot and cold spots" + (" (FDR)" if self.fdr else "")
        bins = frame["bin"].to_numpy(dtype=int)
        legend = f"{statistic} confidence{fdr}"
        return category_map(
            frame,
            bins,
            HOTSPOT_BIN_COLOURS,
            _BIN_LABELS,
            legend_title=legend,
            title=title,
            style=style,
            ax=ax,
            **kwargs,
        )

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the bins; popups show each unit's figures.

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        GiStar.plot : The same bins on a static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=800, days=30, rng=1)
        >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
        >>> layer = hs.gi_star(counts, distance_m=750).explore(tiles=None)
        >>> type(layer).__name__
        'Map'
        """
        from hotspotlib._explore import explore_categories
        from hotspotlib._maps import HOTSPOT_BIN_COLOURS

        frame = self.to_frame()
        kwargs.setdefault("tooltip", ["map_class", "value", "z_score", "p_value"])
        return explore_categories(
            frame,
            frame["bin"].to_numpy(dtype=int),
            HOTSPOT_BIN_COLOURS,
            _BIN_LABELS,
            legend_title=("Gi*" if self.star else "Gi") + " confidence",
            tiles=tiles,
            **kwargs,
        )
