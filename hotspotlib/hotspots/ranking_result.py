"""Results of :func:`~hotspotlib.rank_places` and :func:`~hotspotlib.assign_tiers`."""

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

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PlaceRanking", "PlaceTiers"]

_MAX_BARS = 40  # places drawn in the rank-interval plot


def _framed(
    columns: dict[str, Any], index: pd.Index, geometry: gpd.GeoSeries | None, order: Any
) -> pd.DataFrame:
    """Columns as a table (a GeoDataFrame when there is geometry), rows in ``order``."""
    data = {name: np.array(values) for name, values in columns.items()}
    if geometry is None:
        frame = pd.DataFrame(data, index=index.copy())
    else:
        frame = gpd.GeoDataFrame(data, geometry=geometry.to_numpy(), crs=geometry.crs, index=index)
    return frame.iloc[order]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PlaceRanking(FrozenResult):
    """Places ranked by a score (1 = highest), with rank intervals by simulation.

    Attributes
    ----------
    place : pandas.Index
        The places, in input order (the index of the scores).
    geometry : geopandas.GeoSeries or None
        Their geometry, when the scores had one.
    score : numpy.ndarray
        The score ranked.
    rank : numpy.ndarray
        Competition rank: 1 for the highest score, ties share the best rank.
    rank_low, rank_high : numpy.ndarray
        The rank interval: the central ``confidence`` range of the simulated ranks.
    rank_median : numpy.ndarray
        Median simulated rank.
    parameters, counts : Mapping
        Inputs and automatic choices; places, tied scores, places whose rank is certain.
    notes : tuple of str
        Conventions and caveats.

    See Also
    --------
    rank_places : Compute one.

    References
    ----------
    .. [1] Goldstein and Spiegelhalter (1996). Journal of the Royal Statistical Society A
       159(3), 385-443.
    """

    place: pd.Index
    geometry: gpd.GeoSeries | None
    score: NDArray[np.float64]
    rank: NDArray[np.int64]
    rank_low: NDArray[np.int64]
    rank_high: NDArray[np.int64]
    rank_median: NDArray[np.float64]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    _repr_fields = ("n_places", "by", "uncertainty", "confidence")
    _title = "Places ranked, with rank intervals"
    _place_score: ClassVar[str] = "score"  # the score ranked: select_places follows the ranks

    @property
    def n_places(self) -> int:
        """Number of places ranked."""
        return len(self.score)

    @property
    def by(self) -> str:
        """The score ranked."""
        return str(self.parameters["by"])

    @property
    def uncertainty(self) -> str:
        """How the rank intervals were made."""
        return str(self.parameters["uncertainty"])

    @property
    def confidence(self) -> float:
        """Coverage of the rank intervals."""
        return float(self.parameters["confidence"])

    def to_frame(self) -> pd.DataFrame:
        """Return one row per place, best rank first (a copy; a GeoDataFrame with geometry).

        Columns: ``score, rank, rank_low, rank_high, rank_median``; the index names the
        places.
        """
        columns = {
            "score": self.score,
            "rank": self.rank,
            "rank_low": self.rank_low,
            "rank_high": self.rank_high,
            "rank_median": self.rank_median,
        }
        order = np.lexsort((np.arange(self.n_places), self.rank))
        return _framed(columns, self.place, self.geometry, order)

    def _summary_table(self) -> pd.DataFrame:
        """Return the twenty best-ranked places, without geometry."""
        table = pd.DataFrame(self.to_frame().head(20))
        return table.drop(columns="geometry") if "geometry" in table else table

    def plot(self, ax: Axes | None = None, *, n: int = _MAX_BARS, **kwargs: Any) -> Axes:
        """Draw the ``n`` best-ranked places' ranks with their intervals (a caterpillar plot)."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax)
        frame = self.to_frame().head(n)
        position = np.arange(len(frame))
        rank = frame["rank"].to_numpy()
        error = np.vstack(
            [rank - frame["rank_low"].to_numpy(), frame["rank_high"].to_numpy() - rank]
        )
        kwargs.setdefault("fmt", "o")
        kwargs.setdefault("color", "#b2182b")
        kwargs.setdefault("capsize", 2)
        axes.errorbar(rank, position, xerr=error, **kwargs)
        axes.set_yticks(position, [str(label) for label in frame.index])
        axes.invert_yaxis()
        axes.set_xlabel(f"rank ({self.confidence:.0%} interval; 1 = highest {self.by})")
        axes.set_title(f"Places ranked by {self.by}")
        return axes

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the places by rank (needs geometry).

        Colours follow the score; popups show each place's rank and its interval.

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        PlaceRanking.plot : The ranks with their intervals.

        {explore_references}
        """
        from hotspotlib._explore import explore_values

        _require_geometry(self.geometry, "PlaceRanking.explore()")
        kwargs.setdefault("tooltip", ["score", "rank", "rank_low", "rank_high"])
        return explore_values(self.to_frame(), "score", label=str(self.by), tiles=tiles, **kwargs)


def _require_geometry(geometry: Any, what: str) -> None:
    if geometry is None:
        raise ValueError(
            f"`{what}` needs places with geometry; these scores had none. "
            "Rank or tier a GeoDataFrame (or a result with geometry) to map it."
        )


_TIER_COLOURS = ("#b2182b", "#ef8a62", "#fddbc7", "#d1e5f0", "#67a9cf", "#2166ac")


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PlaceTiers(FrozenResult):
    """Places sorted into tiers (1 = the highest scores) by a stated rule.

    Attributes
    ----------
    place : pandas.Index
        The places, in input order.
    geometry : geopandas.GeoSeries or None
        Their geometry, when the scores had one.
    score : numpy.ndarray
        The score tiered.
    tier : numpy.ndarray
        Tier number, 1 for the highest scores.
    tier_label : numpy.ndarray
        The tier's label (``"Tier 1"`` ... unless labels were given).
    rule : str
        The rule in words and numbers, e.g. ``"natural breaks (Fisher-Jenks): Tier 1
        score >= 11.8; Tier 2 score >= 6.7; Tier 3 the rest"``.
    lower_bounds : tuple of float
        The lowest score admitted to each tier but the last, tier 1 first.
    rank_low, rank_high : numpy.ndarray or None
        Rank intervals, when the scores were a :class:`PlaceRanking`.
    tier_best, tier_worst : numpy.ndarray or None
        For ``rule="top_k"`` on a ranking: the tiers of ``rank_low`` and ``rank_high``,
        so ``tier_best == tier_worst`` marks a place whose tier is certain.
    parameters, counts : Mapping
        Inputs and automatic choices; places per tier.
    notes : tuple of str
        Conventions and caveats.

    See Also
    --------
    assign_tiers : Compute one.

    References
    ----------
    .. [1] Fisher (1958). On grouping for maximum homogeneity. Journal of the American
       Statistical Association 53(284), 789-798.
    """

    place: pd.Index
    geometry: gpd.GeoSeries | None
    score: NDArray[np.float64]
    tier: NDArray[np.int64]
    tier_label: NDArray[np.object_]
    rule: str
    lower_bounds: tuple[float, ...]
    rank_low: NDArray[np.int64] | None = None
    rank_high: NDArray[np.int64] | None = None
    tier_best: NDArray[np.int64] | None = None
    tier_worst: NDArray[np.int64] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    _repr_fields = ("n_places", "n_tiers", "method")
    _title = "Places in tiers"
    _place_score: ClassVar[str] = "score"  # the score tiered: Tier 1 places are picked first

    @property
    def n_places(self) -> int:
        """Number of places."""
        return len(self.score)

    @property
    def n_tiers(self) -> int:
        """Number of tiers."""
        return int(self.parameters["n_tiers"])

    @property
    def method(self) -> str:
        """The rule's name: thresholds, quantiles, natural_breaks or top_k."""
        return str(self.parameters["rule"])

    def to_frame(self) -> pd.DataFrame:
        """Return one row per place, highest score first (a copy; GeoDataFrame with geometry).

        Columns: ``score, tier, tier_label`` (and ``rank_low, rank_high, tier_best,
        tier_worst`` when tiered from a ranking).
        """
        columns: dict[str, Any] = {
            "score": self.score,
            "tier": self.tier,
            "tier_label": self.tier_label.astype(object),
        }
        for name in ("rank_low", "rank_high", "tier_best", "tier_worst"):
            value = getattr(self, name)
            if value is not None:
                columns[name] = value
        order = np.lexsort((np.arange(self.n_places), -self.score))
        return _framed(columns, self.place, self.geometry, order)

    def tier_table(self) -> pd.DataFrame:
        """Return one row per tier: label, places, lowest and highest score."""
        frame = pd.DataFrame({"tier": self.tier, "score": self.score})
        labels = self.parameters["labels"]
        grouped = frame.groupby("tier")["score"]
        tiers = np.arange(1, self.n_tiers + 1)
        return pd.DataFrame(
            {
                "tier": tiers,
                "tier_label": list(labels),
                "n_places": grouped.size().reindex(tiers, fill_value=0).to_numpy(),
                "lowest_score": grouped.min().reindex(tiers).to_numpy(),
                "highest_score": grouped.max().reindex(tiers).to_numpy(),
            }
        )

    def _summary_table(self) -> pd.DataFrame:
        """Return places and score range per tier (the rule is the first note)."""
        return self.tier_table()

    def _tier_styles(self) -> tuple[dict[int, str], dict[int, str]]:
        labels = list(self.parameters["labels"])
        colours = {t + 1: _TIER_COLOURS[min(t, len(_TIER_COLOURS) - 1)] for t in range(len(labels))}
        return colours, {t + 1: str(label) for t, label in enumerate(labels)}

    def plot(
        self,
        ax: Axes | None = None,
        *,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the tiers (with geometry), else draw the scores coloured by tier.

        ``basemap`` and ``north_arrow`` apply to the map only.

        Parameters
        ----------
        {map_axes}
        {map_furniture}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot` (or ``Axes.bar``).

        Returns
        -------
        matplotlib.axes.Axes
            The map, or without geometry the bar chart.
        """
        from matplotlib.patches import Patch

        from hotspotlib._maps import map_axes, map_style
        from hotspotlib._result_maps import category_map

        style = map_style(basemap=basemap, north_arrow=north_arrow)
        colours, labels = self._tier_styles()
        title = f"Tiers by {self.method.replace('_', ' ')}"
        if self.geometry is not None:
            kwargs.setdefault("edgecolor", "0.6")
            kwargs.setdefault("linewidth", 0.3)
            layer = gpd.GeoDataFrame(geometry=self.geometry.to_numpy(), crs=self.geometry.crs)
            legend = f"tier ({str(self.parameters['by']).replace('_', ' ')})"
            return category_map(
                layer,
                self.tier,
                colours,
                labels,
                legend_title=legend,
                title=title,
                style=style,
                ax=ax,
                **kwargs,
            )
        axes = map_axes(ax)
        order = np.argsort(-self.score, kind="stable")
        bars = np.array([colours[t] for t in self.tier])[order]
        axes.bar(np.arange(self.n_places), self.score[order], color=bars, **kwargs)
        axes.set_xlabel("places, highest score first")
        axes.set_ylabel(str(self.parameters["by"]))
        handles = [Patch(facecolor=colours[t], label=labels[t]) for t in colours]
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
        axes.set_title(title)
        return axes

    def explore(self, *, tiles: Any = TILES, **kwargs: Any) -> Any:
        """Return an interactive folium map of the tiers (needs geometry), with the figures.

        Parameters
        ----------
        {explore_tiles}

        See Also
        --------
        PlaceTiers.plot : The static map for a briefing.

        {explore_references}
        """
        from hotspotlib._explore import explore_categories

        _require_geometry(self.geometry, "PlaceTiers.explore()")
        colours, labels = self._tier_styles()
        frame = self.to_frame()
        return explore_categories(
            frame,
            frame["tier"].to_numpy(),
            colours,
            labels,
            legend_title="tier",
            tiles=tiles,
            **kwargs,
        )
