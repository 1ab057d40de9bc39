"""Prospective hot-spotting: recent nearby crime raises the risk (Bowers, Johnson & Pease)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.spatial import KDTree

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import (
    require_columns,
    require_join,
    require_moment,
    require_points,
    require_positive,
    require_same_crs,
    require_timestamps,
    require_type,
    require_whole,
)
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.make import make_grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ProspectiveHotspots", "prospective_hotspots"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ProspectiveHotspots(FrozenResult):
    """Prospective risk per grid cell at one moment.

    Pick the riskiest cells with :func:`hotspotlib.select_places` (its default score is
    ``risk``), e.g. ``hs.select_places(result, n=20)``.

    Attributes
    ----------
    grid : Grid
        The cells scored.
    risk : numpy.ndarray
        Risk per cell (read-only), aligned with ``grid.cells``.
    origin : pandas.Timestamp
        The moment the risk refers to; only events before it count.
    bandwidth_m : float
        Events farther than this from a cell centre do not count.
    bandwidth_weeks : int
        Events this many whole weeks old or older do not count.
    cell_size_m : float
        Cell width.
    distance_unit_m : float
        Length of one step of ``d`` in the weights (the cell width by default).
    n_events, n_used, n_after_origin, n_too_old : int
        Events passed in; used (within the time window); at or after ``origin``; too old.
    parameters, counts : Mapping
        Read-only: the inputs above; cells and the events used and left out.
    notes : tuple of str
        The weighting convention and the events not used, in words.

    See Also
    --------
    prospective_hotspots : Compute one.

    References
    ----------
    .. [1] Bowers, Johnson and Pease (2004). https://doi.org/10.1093/bjc/azh036
    """

    _title: ClassVar[str] = "Prospective hot spots (Bowers, Johnson & Pease 2004)"
    _place_score: ClassVar[str] = "risk"

    grid: Grid
    risk: NDArray[np.float64]
    origin: pd.Timestamp
    bandwidth_m: float
    bandwidth_weeks: int
    cell_size_m: float
    distance_unit_m: float
    n_events: int
    n_used: int
    n_after_origin: int
    n_too_old: int

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: the origin, the bandwidths in space and time, the cell and unit sizes."""
        return frozen_mapping(
            {
                "origin": self.origin,
                "bandwidth_m": self.bandwidth_m,
                "bandwidth_weeks": self.bandwidth_weeks,
                "cell_size_m": self.cell_size_m,
                "distance_unit_m": self.distance_unit_m,
            }
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Read-only: cells, and events passed in, used and left out (with why)."""
        return frozen_mapping(
            {
                "n_cells": self.grid.n_cells,
                "n_events": self.n_events,
                "n_used": self.n_used,
                "n_after_origin": self.n_after_origin,
                "n_too_old": self.n_too_old,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The weighting convention, the highest risk and the events not used."""
        max_risk = float(self.risk.max()) if self.risk.size else 0.0
        return (
            "risk = sum over events within bandwidth_m of the cell centre and fewer than "
            "bandwidth_weeks whole weeks before `origin` of 1/(1 + d) x 1/(1 + t); "
            f"the highest risk is {max_risk:.4g}.",
            f"d = complete {self._unit_text()} between cell centre and event "
            f"(floor(distance / {self.distance_unit_m:g} m)); t = complete weeks "
            "elapsed (floor(days / 7); an event in the last 7 days has t = 0), so "
            f"events less than {7 * self.bandwidth_weeks} days old count (t = 0 to "
            f"{self.bandwidth_weeks - 1}).",
            f"Not used: {self.n_after_origin} events at or after `origin`, {self.n_too_old} "
            f"events {self.bandwidth_weeks} or more weeks old.",
        )

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells with a ``risk`` column, in the events' CRS."""
        frame = self.grid.to_frame()
        frame["risk"] = self.risk
        return frame

    def _unit_text(self) -> str:
        if self.distance_unit_m == self.cell_size_m:
            return "cell widths"
        if 2 * self.distance_unit_m == self.cell_size_m:
            return "half cell widths"
        return f"{self.distance_unit_m:g} m steps"

    def plot(
        self,
        ax: Axes | None = None,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch = "sqrt",
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the risk per cell, with a scale bar and the CRS named.

        Parameters
        ----------
        {map_options}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot`.

        {map_returns}
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import choropleth_map

        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        label = "risk score (Bowers-Johnson-Pease)"
        title = f"Prospective risk at {self.origin:%Y-%m-%d %H:%M}"
        frame = self.to_frame()
        return choropleth_map(frame, "risk", label=label, title=title, style=style, ax=ax, **kwargs)

    def explore(
        self,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the risk; popups show each cell's figures.

        Parameters
        ----------
        {explore_parameters}

        See Also
        --------
        ProspectiveHotspots.plot : The static map for a briefing.

        {explore_references}
        """
        from hotspotlib._explore import explore_values

        label = "risk score (Bowers-Johnson-Pease)"
        return explore_values(
            self.to_frame(), "risk", label=label, tiles=tiles, scheme=scheme, k=k, **kwargs
        )


def prospective_hotspots(
    events: gpd.GeoDataFrame,
    *,
    origin: str | pd.Timestamp,
    cell_size_m: float | None = None,
    grid: Grid | None = None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    bandwidth_m: float = 400.0,
    bandwidth_weeks: int = 8,
    distance_unit_m: float | None = None,
    time: str = "timestamp",
    dayfirst: bool | None = None,
) -> ProspectiveHotspots:
    """Score grid cells by recent nearby crime, the Bowers-Johnson-Pease way.

    After a burglary, homes within about 400 m are at raised risk for a month or two
    (Bowers, Johnson & Pease 2004). Each cell gets ``sum 1/(1 + d) * 1/(1 + t)`` over
    the events within ``bandwidth_m`` of its centre and fewer than ``bandwidth_weeks``
    whole weeks before ``origin``.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres) with a time column.
    origin : str or Timestamp
        The moment to forecast from: only events strictly before it count.
    cell_size_m : float, optional
        Cell width for a new square grid (the paper used 50 m). Give this or ``grid``.
    grid : Grid, optional
        An existing grid to score (e.g. to compare with other maps on the same cells).
    area : GeoDataFrame or GeoSeries, optional
        Study area for a new grid; the events' bounding box when omitted.
    bandwidth_m : float
        Search radius in metres around each cell centre (distance <= bandwidth_m).
    bandwidth_weeks : int
        Number of whole weeks of history that count (``t < bandwidth_weeks``): with
        the default 8, events less than 56 days old.
    distance_unit_m : float, optional
        Length of one step of ``d``: the cell width by default ("complete grid
        widths"); ``cell_size_m / 2`` gives the "complete half grid widths" reading
        of the paper.
    time : str
        Column of ``events`` with the event times.
    dayfirst : bool, optional
        Read slash dates (``origin``, ``events[time]``) day-first (UK) or month-first;
        None lets the data settle it and refuses dates that could be either.

    Returns
    -------
    ProspectiveHotspots
        Risk per cell with the grid and the counts of events used and not used.

    Raises
    ------
    ValueError
        For both or neither of ``cell_size_m`` and ``grid``, a non-positive bandwidth,
        a missing, unparseable or ambiguous time column, ``origin`` that is not a time,
        ``origin`` and event times on different clocks (aware vs naive), no event in the
        ``bandwidth_weeks`` before ``origin`` (the map would be all zero; both time
        ranges are shown), or layers in different CRSs.
    TypeError
        For a ``grid`` that is not a Grid.

    See Also
    --------
    ProspectiveHotspots : The returned risk surface.
    knox_test : Measure the near-repeat bands first.
    recency_counts : Exponentially decayed counts per cell.

    Notes
    -----
    What is computed, precisely (the reference formula is
    ``risk_c = sum 1/(1 + d) * 1/(1 + t)`` over events with ``d_ce <= 400 m`` and
    ``t <= 8 weeks``; Bowers, Johnson & Pease 2004):

    - ``d = floor(distance_m / distance_unit_m)``, the distance from the cell
      *centre* to the event in complete units; the default unit is one cell width,
      so an event in the centre's own cell-width ring has ``d = 0``. The paper
      speaks of "complete 1/2 grid widths", which can be read as half-cell steps:
      pass ``distance_unit_m=cell_size_m / 2`` for that reading (open_cp offers
      other grid-distance notions). An event counts when ``distance_m <=
      bandwidth_m`` (inclusive).
    - ``t = floor((origin - time) / 7 days)``, complete weeks elapsed: events of the last
      7 days have ``t = 0``. An event counts when ``t < bandwidth_weeks``, i.e. the
      default covers the 8 weeks (56 days) before ``origin``, ``t = 0 .. 7``. Reading
      "t <= 8 weeks" as whole weeks ``t <= 8`` would add a ninth weekly bin (56-62
      days old): pass ``bandwidth_weeks=9`` for it. Events at or after ``origin``
      never count (no look-ahead).

    The pairs of cells and events within the bandwidth come from a KD-tree.

    References
    ----------
    .. [1] Bowers, K. J., Johnson, S. D. and Pease, K. (2004). Prospective hot-spotting: the
       future of crime mapping? British Journal of Criminology 44(5), 641-658.
       https://doi.org/10.1093/bjc/azh036

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=2)
    >>> result = prospective_hotspots(city.events, origin="2024-07-01", cell_size_m=250)
    >>> result.n_used + result.n_after_origin + result.n_too_old == len(city.events)
    True
    >>> bool(result.risk.max() > 0)
    True
    """
    xy = require_points(events, name="events")
    require_columns(events, [time], name="events")
    radius = require_positive(bandwidth_m, name="bandwidth_m")
    unit = (
        None
        if distance_unit_m is None
        else require_positive(distance_unit_m, name="distance_unit_m")
    )
    weeks_back = require_whole(bandwidth_weeks, name="bandwidth_weeks", minimum=1)
    stamps = require_timestamps(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    moment = require_moment(origin, name="origin", like=stamps, dayfirst=dayfirst)
    cells = _grid(events, cell_size_m=cell_size_m, grid=grid, area=area)
    weeks, future, used = _event_weeks(stamps, moment, weeks_back, time)
    step = unit if unit is not None else cells.cell_size_m
    return ProspectiveHotspots(
        grid=cells,
        risk=_risk(cells, xy[used], weeks[used], radius, step),
        origin=moment,
        bandwidth_m=radius,
        bandwidth_weeks=weeks_back,
        cell_size_m=cells.cell_size_m,
        distance_unit_m=float(step),
        n_events=len(xy),
        n_used=int(used.sum()),
        n_after_origin=int(future.sum()),
        n_too_old=int((~future & ~used).sum()),
    )


def _event_weeks(
    stamps: pd.Series, moment: pd.Timestamp, weeks_back: int, time: str
) -> tuple[NDArray[np.int64], NDArray[np.bool_], NDArray[np.bool_]]:
    """Whole weeks from each event to ``moment``; which are in the future, which count."""
    elapsed = (moment - stamps).to_numpy(dtype="timedelta64[ns]").astype(np.int64)
    future = elapsed <= 0
    weeks = np.floor_divide(elapsed, 7 * 86_400 * 10**9)
    used = ~future & (weeks < weeks_back)
    window = pd.Series([moment - pd.Timedelta(weeks=weeks_back), moment])
    require_join(
        stamps,
        window,
        left=f"events[{time!r}]",
        right="the weeks before `origin`",
        matched=used,
        what="events",
        share=1,
    )
    return weeks, future, used


def _grid(
    events: gpd.GeoDataFrame,
    *,
    cell_size_m: float | None,
    grid: Grid | None,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None,
) -> Grid:
    if (cell_size_m is None) == (grid is None):
        raise ValueError(
            "Give exactly one of `cell_size_m` (to build a square grid, e.g. 50) or `grid` "
            "(an existing Grid from make_grid)."
        )
    if grid is not None:
        require_type(grid, Grid, name="grid", expected="a Grid from make_grid")
        require_same_crs(grid, events, names=("grid", "events"))
        return grid
    if area is not None:
        require_same_crs(area, events, names=("area", "events"))
    return make_grid(area if area is not None else events, cell_size_m=float(cell_size_m or 0))


def _risk(
    grid: Grid, xy: NDArray[np.float64], weeks: NDArray[np.int64], radius: float, step: float
) -> NDArray[np.float64]:
    """Sum the BJP weights over all (cell, event) pairs within ``radius``."""
    risk = np.zeros(grid.n_cells)
    if len(xy) == 0:
        return risk
    near = KDTree(grid.centroids()).sparse_distance_matrix(
        KDTree(xy), radius, output_type="ndarray"
    )
    cell, event, distance = near["i"], near["j"], near["v"]
    widths = np.floor(distance / step)
    weight = 1.0 / (1.0 + widths) / (1.0 + weeks[event])
    risk += np.bincount(cell, weights=weight, minlength=grid.n_cells)
    return risk
