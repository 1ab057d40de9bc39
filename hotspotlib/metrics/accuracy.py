"""How good is a hot-spot map? Hit rate, PAI, PPAI, PEI and RRI at chosen coverages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import AreaMeasure
from hotspotlib._validation import (
    check_option,
    require_array,
    require_polygons,
    require_range,
    require_type,
    require_unique,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts, count_events
from hotspotlib.metrics._inputs import as_share
from hotspotlib.metrics._ranking import TIE_RULES, Ties, coverage_table, ranked_curve

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["AccuracyCurve", "accuracy_curve"]

DEFAULT_COVERAGES = (0.01, 0.02, 0.05, 0.1, 0.2)
_METRICS = ("hit_rate", "pai", "ppai", "pei", "rri")
_TIES = {
    "expected": "Cells are ranked by score, highest first; cells with tied scores (exactly "
    "equal) share their test events in proportion to the area taken from them (the mean "
    "over random orders of the tied cells when they are of equal size; smaller tied "
    "cells are taken first), so a map with many ties, such as counts, is neither helped "
    "nor penalised by how its ties are broken.",
    "conservative": "Cells are ranked by score, highest first; tied scores are ordered by "
    "ascending observed test count (conservative, as ptools does), then by cell order: "
    "with cells of equal size a lower bound that penalises maps with many tied scores.",
}
_PPAI_FIX = "0 gives the hit rate and 1 the PAI."


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class AccuracyCurve(FrozenResult):
    """Predictive accuracy of a ranked surface at several coverages.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per coverage: ``coverage`` (asked), ``area_share`` (achieved, a/A),
        ``n_cells``, ``hits`` (n; fractional when tied cells share their events),
        ``n_events`` (N), ``hit_rate`` (n/N), ``pai``, ``ppai``, ``pei``, ``max_hits``
        (n*, the best possible in the same area), ``pai_max`` (PAI*), ``train_hits`` and
        ``rri`` (NaN without training events).
    curve_area_share, curve_hit_rate : numpy.ndarray
        The whole curve, one point per cell added (length ``n_cells + 1``).
    n_events, n_outside : int
        Test events inside the study area (N) and outside every cell (not counted).
    n_train_events, n_train_outside : int
        The same for training events (0 when none were given).
    total_area : float
        Study area A in the units of ``areas`` (m² for ``"area"``).
    areas : str
        How cell sizes were measured.
    ppai_exponent : float
        Exponent of the PPAI's area share (0 = hit rate, 1 = PAI).
    ties : str
        How tied scores were counted (``"expected"`` or ``"conservative"``).
    parameters : Mapping
        Read-only: ``coverage``, ``areas``, ``ppai_exponent``, ``ties`` and ``total_area``.
    counts : Mapping
        Read-only: cells, test and training events used and outside every cell.
    notes : tuple of str
        The definitions of the metrics and the conventions (ties, whole cells).

    See Also
    --------
    accuracy_curve : Compute one.

    References
    ----------
    .. [1] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("n_events", "n_outside", "table")
    _title: ClassVar[str] = "Predictive accuracy of a hot-spot map"

    table: pd.DataFrame
    curve_area_share: NDArray[np.float64]
    curve_hit_rate: NDArray[np.float64]
    n_events: int
    n_outside: int
    n_train_events: int
    n_train_outside: int
    total_area: float
    areas: str
    ppai_exponent: float
    ties: str

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: the coverages asked, how cells were sized, the PPAI exponent."""
        return frozen_mapping(
            {
                "coverage": tuple(float(c) for c in self.table["coverage"]),
                "areas": self.areas,
                "ppai_exponent": self.ppai_exponent,
                "ties": self.ties,
                "total_area": self.total_area,
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Read-only: cells ranked, test and training events inside and outside the cells."""
        return frozen_mapping(
            {
                "n_cells": len(self.curve_area_share) - 1,
                "n_events": self.n_events,
                "n_outside": self.n_outside,
                "n_train_events": self.n_train_events,
                "n_train_outside": self.n_train_outside,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The metrics' definitions, the selection rule and the events left out."""
        notes = [
            "hit_rate = n/N; PAI = (n/N)/(a/A) (Chainey et al. 2008); "
            f"PPAI = (n/N)/(a/A)^e with exponent e = {self.ppai_exponent:g}.",
            "PEI = n/n*, n* = the most test events any set of cells of the same area could "
            "hold (exact with equal cells; a fractional upper bound otherwise, so PEI <= 1).",
            "RRI = (n2/N2)/(n1/N1): test-period hit rate over training-period hit rate in "
            "the same cells (Levine 2008). ptools' RRI (predicted/observed) differs.",
            "Coverage selects whole cells, busiest first, while their area share stays "
            "<= the coverage; metrics use the achieved area share.",
            _TIES[self.ties],
        ]
        if self.n_outside:
            notes.append(
                f"{self.n_outside} test events fell outside every cell and are not counted in N."
            )
        if self.n_train_outside:
            notes.append(f"{self.n_train_outside} training events fell outside every cell.")
        return tuple(notes)

    def to_frame(self) -> pd.DataFrame:
        """Return the table (a copy), one row per coverage."""
        return self.table.copy()

    def _summary_table(self) -> pd.DataFrame:
        return self.table

    def plot(self, ax: Axes | None = None, *, metric: str = "hit_rate", **kwargs: Any) -> Axes:
        """Plot a metric against the share of area searched.

        ``metric="hit_rate"`` draws the whole hit-rate curve with the chosen coverages
        marked; ``"pai"``, ``"ppai"``, ``"pei"`` and ``"rri"`` draw the values at the
        coverages.
        """
        from hotspotlib._plotting import get_axes

        check_option(metric, _METRICS, name="metric")
        axes = get_axes(ax)
        if metric == "hit_rate":
            curves = [
                line
                for line in axes.get_lines()
                if line.get_linestyle() != "None" and line.get_label() != "random"
            ]  # each curve drawn on these axes takes the next colour of the cycle
            kwargs.setdefault("color", f"C{len(curves) % 10}")
            axes.plot(self.curve_area_share, self.curve_hit_rate, **kwargs)
            axes.plot(self.table["area_share"], self.table["hit_rate"], "o", color="black")
            if "random" not in [line.get_label() for line in axes.get_lines()]:
                axes.plot([0, 1], [0, 1], color="0.6", linewidth=1, label="random")
        else:
            kwargs.setdefault("marker", "o")
            axes.plot(self.table["area_share"], self.table[metric], **kwargs)
        axes.set_xlabel("share of area searched (a/A)")
        axes.set_ylabel(metric.replace("_", " "))
        return axes


def accuracy_curve(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float | ArrayLike = DEFAULT_COVERAGES,
    train_events: gpd.GeoDataFrame | None = None,
    areas: AreaMeasure | ArrayLike = "area",
    ppai_exponent: float = 0.5,
    ties: Ties = "expected",
) -> AccuracyCurve:
    """Hit rate, PAI, PPAI, PEI and RRI of a ranked surface at a list of coverages.

    Parameters
    ----------
    scores : array-like, Series or EventCounts
        One score per cell (higher = hotter): counts, kernel density, Gi* z-scores,
        prospective risk ... A Series is matched to the cells by its index (the cell
        ids; any order), and must hold every cell id exactly once; arrays are taken in
        the cells' order. An :class:`EventCounts` supplies its counts and its grid.
    test_events : GeoDataFrame
        Events of the period being predicted, in the grid's CRS.
    grid : Grid or GeoDataFrame, optional
        The cells the scores belong to (any polygons, e.g. street-segment buffers).
        Optional when ``scores`` is an EventCounts made on a grid.
    coverage : float or sequence of float
        Share(s) of the study area to search, in (0, 1].
    train_events : GeoDataFrame, optional
        Events of the period the map was made from; needed for the RRI.
    areas : {"area", "equal"} or array-like
        Cell sizes: ``"area"`` uses the part of each cell inside the study area (a
        clipped grid cell counts its ``area_share``; polygons their area); ``"equal"``
        counts every cell the same (open_cp and ptools); or one positive size per cell,
        e.g. street length (Drawve & Wooditch 2019).
    ppai_exponent : float
        Exponent of the area share in the penalised PAI, in [0, 1] (0 = hit rate,
        1 = PAI). Joshi et al. (2021) call it alpha; it is not a significance level.
    ties : {"expected", "conservative"}
        Cells with exactly equal scores at the edge of a coverage: ``"expected"`` gives
        them their share of the tied cells' test events in proportion to the area taken
        (the mean over every order of the tied cells when they are of equal size; smaller
        tied cells are taken whole first); ``"conservative"`` takes the tied cells with
        the fewest test events first (ptools), a lower bound (with equal cells) that
        favours maps without ties (kernel surfaces, model scores) over maps with many
        (counts).

    Returns
    -------
    AccuracyCurve
        One table row per coverage and the full hit-rate curve.

    Raises
    ------
    ValueError
        For scores not aligned with the cells, NaN scores, coverages outside (0, 1],
        events in another CRS, or no test event inside the cells.
    TypeError
        For a ``grid`` that is not a Grid or polygons (or missing when ``scores`` is
        not an EventCounts made on a grid).

    See Also
    --------
    hotspotlib.metrics.hit_rate : One metric at one coverage.
    hotspotlib.metrics.rolling_evaluation : The metrics over many forecast origins.

    Notes
    -----
    Cells are ranked by score. Tied scores matter for counts: on the Chicago burglaries
    (150 m cells, 28-day tests, 2017) three years' counts catch 12.7% of the next
    month's burglaries in the top 1% of the area with ``"expected"`` ties and 11.9% with
    ``"conservative"`` ones (36.6% and 32.5% at 5%), while a tie-free surface scores the
    same under both; compare methods with ``"expected"``. For each coverage the busiest
    cells are taken whole while their area share is at most the coverage, and every
    metric uses the area share achieved. Test events outside every cell are left out of
    N (counted in ``n_outside``); open_cp counts them as misses instead.

    References
    ----------
    Chainey, S., Tompson, L. & Uhlig, S. (2008). The utility of hotspot mapping for
    predicting spatial patterns of crime. Security Journal, 21, 4-28.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> first_half = city.events[city.events["month"] <= "2024-06"]
    >>> second_half = city.events[city.events["month"] > "2024-06"]
    >>> train = hs.count_events(first_half, grid)
    >>> result = accuracy_curve(train, second_half, coverage=[0.05, 1.0])
    >>> float(result.table["pai"].iloc[-1])
    1.0
    >>> bool(result.table["pai"].iloc[0] > 1)
    True
    """
    resolved, values = _resolve(scores, grid)
    shares = as_share(coverage, name="coverage")
    size = _areas(areas, resolved, values)
    power = require_range(ppai_exponent, name="ppai_exponent", low=0, high=1, fix=_PPAI_FIX)
    check_option(ties, TIE_RULES, name="ties")
    test = count_events(test_events, resolved)
    train = None if train_events is None else count_events(train_events, resolved)
    curve = ranked_curve(values, test.count.astype(float), size, ties)
    table = coverage_table(curve, shares, train, power)
    return AccuracyCurve(
        table=table,
        curve_area_share=curve.area,
        curve_hit_rate=curve.hits / curve.total_events,
        n_events=int(curve.total_events),
        n_outside=test.n_outside,
        n_train_events=0 if train is None else int(train.count.sum()),
        n_train_outside=0 if train is None else train.n_outside,
        total_area=curve.total_area,
        areas=areas if isinstance(areas, str) else "custom",
        ppai_exponent=power,
        ties=ties,
    )


def _resolve(
    scores: Any, grid: Grid | gpd.GeoDataFrame | None
) -> tuple[Grid | gpd.GeoDataFrame, NDArray[np.float64]]:
    """Return the cells and the scores as a float array aligned with them."""
    if grid is None and isinstance(scores, EventCounts) and scores.grid is not None:
        grid = scores.grid
    require_type(
        grid,
        (Grid, gpd.GeoDataFrame, gpd.GeoSeries),
        name="grid",
        expected="the Grid from make_grid (or the polygons) the scores were computed on, "
        "e.g. `grid=grid`",
    )
    grid = cast(Grid | gpd.GeoDataFrame, grid)  # checked just above
    if not isinstance(grid, Grid):
        require_polygons(grid, name="grid")
    cells_frame = grid.cells if isinstance(grid, Grid) else grid
    if isinstance(scores, EventCounts):
        raw: Any = scores.count
    elif isinstance(scores, pd.Series):
        raw = _by_cell_id(scores, cells_frame.index)
    else:
        raw = scores
    values = require_array(
        raw,
        name="scores",
        length=len(cells_frame),
        fix="Give one value per cell: compute the scores on the same grid, and fill missing "
        "ones, e.g. with the lowest score.",
    )
    return grid, values


def _by_cell_id(scores: pd.Series, cell_ids: pd.Index) -> NDArray[np.float64]:
    """Scores of a Series matched to the cells by index (cell id), never by position."""
    require_unique(scores.index, name="scores", what="cell ids in its index")
    missing = cell_ids.difference(scores.index)
    extra = scores.index.difference(cell_ids)
    if len(missing) or len(extra):
        raise ValueError(
            f"The index of `scores` must hold the cell ids of `grid`: {len(missing)} cell(s) "
            f"have no score (e.g. {missing[:5].tolist()}) and {len(extra)} score(s) match "
            f"no cell (e.g. {extra[:5].tolist()}). Index the scores by cell id, or pass "
            "`scores.to_numpy()` if they are already in the grid's cell order."
        )
    return scores.reindex(cell_ids).to_numpy(dtype=float)


def _areas(areas: Any, grid: Grid | gpd.GeoDataFrame, scores: NDArray[np.float64]) -> NDArray[Any]:
    """Size of each cell that counts towards coverage."""
    if isinstance(areas, str):
        check_option(areas, AreaMeasure, name="areas")
        if areas == "equal":
            return np.ones(scores.size)
        if isinstance(grid, Grid):
            return grid.area_share * grid.cell_area_m2
        return np.asarray(grid.geometry.area.to_numpy(), dtype=float)
    return require_array(
        areas,
        name="areas",
        length=scores.size,
        low=0,
        low_open=True,
        fix="Pass 'area', 'equal' or one positive size per cell.",
    )
