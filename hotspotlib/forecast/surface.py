"""ForecastSurface: one score per grid cell for a future window, with its provenance."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._map_docs import TILES
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ForecastSurface"]


_SCORE_LABELS = {
    "window_counts": "events per cell in the window",
    "recency_counts": "events per cell, weighted by recency",
    "shrunken_counts": "shrunken events per cell (empirical Bayes)",
    "self_exciting": "expected events per cell in the horizon",
    "decayed_kde": "decayed events per cell, smoothed by a kernel",
    "lagged_regression": "expected events per cell in the horizon (regression)",
    "ensemble": "combined score (weighted average of the methods)",
}
_ENSEMBLE_LABELS = {
    "rank": "rank share, weighted average of the methods\n"
    "(0: lowest in every method, e.g. no events)",
    "mean": "share of each method's total, weighted average\n(0: every method scored 0)",
}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ForecastSurface(FrozenResult):
    """Scores per grid cell for the window after ``origin`` (higher = more crime expected).

    Returned by :func:`window_counts`, :func:`recency_counts`, :func:`shrunken_counts`,
    :func:`decayed_kde`, :func:`lagged_regression`, :func:`self_exciting` and
    :func:`ensemble`.
    Pass ``surface.scores`` to :func:`hotspotlib.metrics.accuracy_curve`; a method given
    to :func:`hotspotlib.metrics.rolling_evaluation` may return the surface itself.

    Attributes
    ----------
    scores : numpy.ndarray
        One read-only score per cell, aligned with ``grid.cells``.
    grid : Grid
        The cells scored.
    method : str
        ``"window_counts"``, ``"recency_counts"``, ``"shrunken_counts"``,
        ``"decayed_kde"``, ``"lagged_regression"``, ``"self_exciting"`` or ``"ensemble"``.
    parameters : Mapping
        Read-only: every input (``origin``, ``time``, ``half_life_days`` ...) and every
        automatic choice (e.g. the prior's ``prior_shape``).
    counts : Mapping
        Read-only: ``n_events`` passed in, ``n_used``, and those left out with why:
        ``n_after_origin``, ``n_too_old``, ``n_outside``.
    notes : tuple of str
        Conventions and caveats in plain English.

    Pick the highest-scoring cells with :func:`hotspotlib.select_places` (its default
    score is ``score``), e.g. ``hs.select_places(surface, n=20)``.

    See Also
    --------
    recency_counts : Exponentially decayed counts per cell.
    shrunken_counts : Empirical Bayes counts per cell.
    self_exciting : A self-exciting point process forecast.
    ensemble : Combine several forecasts.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    .. [2] Mohler et al. (2011). https://doi.org/10.1198/jasa.2011.ap09546
    """

    _title: ClassVar[str] = "Forecast scores per cell"
    _place_score: ClassVar[str] = "score"

    scores: NDArray[np.float64]
    grid: Grid
    method: str
    parameters: Mapping[str, Any]
    counts: Mapping[str, int]
    notes: tuple[str, ...]

    def __repr__(self) -> str:
        origin = self.parameters.get("origin")
        return (
            f"ForecastSurface(method={self.method!r}, origin={origin}, "
            f"n_cells={self.scores.size}, n_used={self.counts.get('n_used')}, "
            f"max_score={float(self.scores.max()):.4g})"
        )

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells with a ``score`` column (a copy, in the grid's CRS)."""
        frame = self.grid.cells.copy()
        frame["score"] = np.array(self.scores)
        return frame

    def _summary_table(self) -> pd.DataFrame:
        """One row: the method, the cells scored and the spread of the scores."""
        return pd.DataFrame(
            {
                "method": [self.method],
                "n_cells": [self.scores.size],
                "min_score": [float(self.scores.min())],
                "mean_score": [float(self.scores.mean())],
                "max_score": [float(self.scores.max())],
            }
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch | None = None,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the score per cell, with a scale bar and the CRS named.

        Cells scoring 0 take the palest colour; an ensemble's colour bar says what 0 means.

        Parameters
        ----------
        {map_axes}
        scheme : {"quantiles", "natural_breaks", "std_mean", "equal_interval"}, optional
            A classed map (mapclassify) with ``k`` classes instead of a continuous ramp.
        k : int
            Number of classes for ``scheme`` (2 to 12).
        stretch : {"sqrt", "linear"}, optional
            How the continuous ramp spreads the colours. None: ``"linear"`` for an
            ensemble's rank shares (spread evenly over 0-1 already), else ``"sqrt"``
            (a few busy cells do not wash the rest out).
        {map_furniture}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot`.

        {map_returns}
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import choropleth_map

        if stretch is None:
            stretch = "linear" if self._combine() == "rank" else "sqrt"
        if self._combine() == "rank" and stretch == "linear" and "norm" not in kwargs:
            from matplotlib.colors import Normalize

            kwargs["norm"] = Normalize(vmin=0.0, vmax=1.0)  # a rank share's whole range
        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        label = self._label()
        method = self.method.replace("_", " ").capitalize()
        origin = pd.Timestamp(self.parameters["origin"])
        title = f"{method} forecast from {origin:%Y-%m-%d %H:%M}"
        frame = self.to_frame()
        return choropleth_map(
            frame, "score", label=label, title=title, style=style, ax=ax, **kwargs
        )

    def _combine(self) -> str | None:
        """How an ensemble combined its methods ("rank" or "mean"); None for others."""
        return self.parameters.get("combine") if self.method == "ensemble" else None

    def _label(self) -> str:
        """Return the quantity mapped; for an ensemble, also what a score of 0 means."""
        combine = self._combine()
        if combine in _ENSEMBLE_LABELS:
            return _ENSEMBLE_LABELS[str(combine)]
        return _SCORE_LABELS.get(self.method, "score")

    def explore(
        self,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the score; popups show each cell's figures.

        Parameters
        ----------
        {explore_parameters}

        See Also
        --------
        ForecastSurface.plot : The static map for a briefing.

        {explore_references}
        """
        from hotspotlib._explore import explore_values

        label = self._label().replace("\n", " ")
        return explore_values(
            self.to_frame(), "score", label=label, tiles=tiles, scheme=scheme, k=k, **kwargs
        )
