"""The result of :func:`~hotspotlib.emerging_hotspots`: patterns, trends and the cube."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib.hotspots.getis_ord.patterns import PATTERNS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EmergingHotspots"]

_HOT_COLOURS = (
    "#b2182b",
    "#f4a582",
    "#d6604d",
    "#fddbc7",
    "#ef8a62",
    "#e7298a",
    "#fdb863",
    "#7f3b08",
)
_COLD_COLOURS = (
    "#2166ac",
    "#92c5de",
    "#4393c3",
    "#d1e5f0",
    "#67a9cf",
    "#1b9e77",
    "#b2abd2",
    "#2d004b",
)
PATTERN_COLOURS = dict(zip(PATTERNS, (*_HOT_COLOURS, *_COLD_COLOURS, "#e3e3e3"), strict=True))


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class EmergingHotspots(FrozenResult):
    """Emerging hot-spot patterns per location, with the space-time cube behind them.

    Attributes
    ----------
    locations : geopandas.GeoDataFrame
        The analysed cells, indexed by ``cell_id``.
    periods : pandas.PeriodIndex
        The time steps, oldest first.
    count, z_score, p_value, q_value : numpy.ndarray
        ``(steps, locations)`` cubes of incident counts, Gi* z, two-sided p and
        Benjamini-Hochberg q (over the whole cube).
    trend_z, trend_p, trend_tau : numpy.ndarray
        Mann-Kendall z, two-sided p and Kendall's tau of each location's Gi* z series.
    n_hot, n_cold : numpy.ndarray
        Significant hot / cold steps per location.
    pattern : numpy.ndarray of str
        One of the 17 pattern names per location.
    parameters, counts : Mapping
        Every input and choice (interval, periods, cell size, distances, time window,
        alpha, FDR, which cells are locations); incidents used and left out, locations
        and steps (read-only).
    notes : tuple of str
        How bins, trends and patterns are tested, and what was left out.

    See Also
    --------
    emerging_hotspots : Compute one.

    References
    ----------
    .. [1] Esri. How Emerging Hot Spot Analysis works. ArcGIS Pro tool reference.
       https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm
    """

    _title: ClassVar[str] = "Emerging hot-spot analysis"

    _repr_fields: ClassVar[tuple[str, ...]] = (
        "n_events",
        "interval",
        "cell_size_m",
        "distance_m",
        "periods",
        "locations",
    )

    locations: gpd.GeoDataFrame
    periods: pd.PeriodIndex
    count: NDArray[np.int64]
    z_score: NDArray[np.float64]
    p_value: NDArray[np.float64]
    q_value: NDArray[np.float64]
    trend_z: NDArray[np.float64]
    trend_p: NDArray[np.float64]
    trend_tau: NDArray[np.float64]
    n_hot: NDArray[np.int64]
    n_cold: NDArray[np.int64]
    pattern: NDArray[np.str_]
    interval: str
    cell_size_m: float
    distance_m: float
    time_window: int
    time_neighbours: str
    alpha: float
    fdr: bool
    n_events: int
    n_outside: int
    n_outside_window: int
    area_given: bool

    @property
    def n_steps(self) -> int:
        """Number of time steps."""
        return len(self.periods)

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return one row per location, indexed by ``cell_id``, in the input CRS.

        Columns: ``pattern, n_hot, n_cold, trend_z, trend_p, trend_tau, final_z_score,
        total_count`` and geometry.
        """
        frame = gpd.GeoDataFrame(
            {
                "pattern": pd.Categorical(np.array(self.pattern), categories=list(PATTERNS)),
                "n_hot": np.array(self.n_hot),
                "n_cold": np.array(self.n_cold),
                "trend_z": np.array(self.trend_z),
                "trend_p": np.array(self.trend_p),
                "trend_tau": np.array(self.trend_tau),
                "final_z_score": np.array(self.z_score[-1]),
                "total_count": np.array(self.count.sum(axis=0)),
            },
            geometry=self.locations.geometry.to_numpy(),
            crs=self.locations.crs,
            index=self.locations.index,
        )
        return frame

    def cube_frame(self) -> pd.DataFrame:
        """Return the cube in long form: one row per location and period.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=2_000, days=150, rng=3)
        >>> result = hs.emerging_hotspots(city.events, interval="M", cell_size_m=1_000,
        ...                               distance_m=1_500)
        >>> list(result.cube_frame().columns)
        ['cell_id', 'period', 'count', 'z_score', 'p_value', 'q_value']
        """
        steps, cells = self.count.shape
        return pd.DataFrame(
            {
                "cell_id": np.tile(self.locations.index.to_numpy(), steps),
                "period": np.repeat(self.periods.astype(str).to_numpy(), cells),
                "count": self.count.ravel(),
                "z_score": self.z_score.ravel(),
                "p_value": self.p_value.ravel(),
                "q_value": self.q_value.ravel(),
            }
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Every input and choice: periods, sizes, neighbourhoods, alpha, FDR, locations."""
        return frozen_mapping(
            {
                "interval": self.interval,
                "first_period": str(self.periods[0]),
                "last_period": str(self.periods[-1]),
                "cell_size_m": self.cell_size_m,
                "distance_m": self.distance_m,
                "spatial_weights": f"binary distance band d <= {self.distance_m:g} m between "
                "cell centres (self included)",
                "time_window": self.time_window,
                "time_neighbours": self.time_neighbours,
                "alpha": self.alpha,
                "fdr": self.fdr,
                "locations": "every cell inside the area"
                if self.area_given
                else "cells with >= 1 incident",
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Incidents passed, outside every cell or the window; locations and steps."""
        return frozen_mapping(
            {
                "n_events": self.n_events,
                "n_outside": self.n_outside,
                "n_outside_window": self.n_outside_window,
                "n_locations": len(self.locations),
                "n_steps": self.n_steps,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How bins, trends and patterns are tested, and what was left out."""
        return (
            "Gi* per bin with binary space-time weights (self included), compared with "
            "the whole cube; two-sided p; Benjamini-Hochberg over all bins when fdr.",
            "Trend: Mann-Kendall on each location's Gi* z series (tie-corrected, "
            "continuity-corrected), significant at alpha.",
            "Patterns by the ordered rule table in hotspotlib.hotspots.getis_ord.patterns; "
            "ArcGIS looks only at previous steps (time_neighbours='previous').",
            f"{self.n_outside_window} incidents fell outside the whole periods of the "
            "study window and are left out; n_outside fell in no cell.",
        )

    def _summary_table(self) -> pd.DataFrame:
        """Return the locations per pattern."""
        counts = pd.Series(np.array(self.pattern)).value_counts().reindex(list(PATTERNS))
        table = pd.DataFrame({"pattern": list(PATTERNS), "n_locations": counts.fillna(0)})
        return table.astype({"n_locations": int}).reset_index(drop=True)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the pattern of each location, with the legend off the map.

        Parameters
        ----------
        {category_options}

        {map_returns}

        See Also
        --------
        EmergingHotspots.explore : The same patterns on an interactive map.
        GiStar.plot : Hot and cold spots in one period.

        References
        ----------
        .. [1] Esri. How Emerging Hot Spot Analysis works (the patterns and their
           colours). https://pro.arcgis.com/en/pro-app/latest/tool-reference/
           space-time-pattern-mining/learnmoreemerging.htm

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_500, days=70, rng=3)
        >>> result = hs.emerging_hotspots(
        ...     city.events, interval="W", cell_size_m=500, distance_m=750, area=city.boundary)
        >>> result.plot().get_legend().get_title().get_text()
        'pattern over time'
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import category_map

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        steps = {"D": "daily", "W": "weekly", "M": "monthly", "MS": "monthly", "ME": "monthly"}
        every = steps.get(str(self.interval).split("-")[0])
        kind = f"{every} steps" if every else f"steps of {self.interval!r}"
        title = f"Emerging hot spots ({self.n_steps} {kind})"
        frame = self.to_frame()
        patterns = frame["pattern"].astype(str).to_numpy()
        return category_map(
            frame,
            patterns,
            PATTERN_COLOURS,
            {p: p for p in PATTERNS},
            legend_title="pattern over time",
            title=title,
            style=style,
            ax=ax,
            **kwargs,
        )

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the patterns; popups show each location's figures.

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        EmergingHotspots.plot : The static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_500, days=70, rng=3)
        >>> result = hs.emerging_hotspots(
        ...     city.events, interval="W", cell_size_m=500, distance_m=750, area=city.boundary)
        >>> type(result.explore(tiles=None)).__name__
        'Map'
        """
        from hotspotlib._explore import explore_categories

        frame = self.to_frame()
        return explore_categories(
            frame,
            frame["pattern"].astype(str).to_numpy(),
            PATTERN_COLOURS,
            {p: p for p in PATTERNS},
            legend_title="pattern over time",
            tiles=tiles,
            **kwargs,
        )
