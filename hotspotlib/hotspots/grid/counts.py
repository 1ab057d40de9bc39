"""Counting events (and summing weights such as harm) per grid cell or place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, cast

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, ReadOnlyDict, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._maps import quantity
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import (
    check_option,
    require_points,
    require_polygons,
    require_same_crs,
    require_some_inside,
    require_weights,
)
from hotspotlib.hotspots.grid._cell_geometry import first_owner
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EventCounts", "count_events", "locate_events"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class EventCounts(FrozenResult):
    """Events counted per cell (or place), with an optional weighted sum such as harm.

    Attributes
    ----------
    cells : geopandas.GeoDataFrame
        The cells or places counted into: the grid's cells (their outlines built when
        first read, then kept by the grid), or a copy of the caller's polygons.
    places : geopandas.GeoDataFrame or None
        The caller's polygons (a copy, not modified); None when counting onto a grid,
        whose cells are read from the grid (a subset of them may be given instead).
    count : numpy.ndarray
        Number of events per cell, aligned with ``cells``.
    weight_sum : numpy.ndarray or None
        Sum of the weights per cell, when weights were given.
    weights_name : str or None
        Name of the weights column (``"weights"`` for an array).
    n_events : int
        Events passed in.
    n_outside : int
        Events that fell in no cell (they are in no count).
    grid : Grid or None
        The grid, when counting onto a :class:`Grid`.

    See Also
    --------
    count_events : Compute one.

    References
    ----------
    .. [1] Weisburd (2015). https://doi.org/10.1111/1745-9125.12070
    """

    places: gpd.GeoDataFrame | None = field(repr=False)
    count: NDArray[np.int64]
    weight_sum: NDArray[np.float64] | None
    weights_name: str | None
    n_events: int
    n_outside: int
    grid: Grid | None

    _title: ClassVar[str] = "Event counts per cell"

    @property
    def cells(self) -> gpd.GeoDataFrame:
        """The cells or places counted into (a grid's outlines are built on first use)."""
        if self.places is not None or self.grid is None:
            return cast(gpd.GeoDataFrame, self.places)
        return self.grid.cells

    @property
    def _place_score(self) -> str:
        """The column :func:`~hotspotlib.select_places` ranks by: weight when given."""
        return "weight_sum" if self.weight_sum is not None else "count"

    @property
    def parameters(self) -> ReadOnlyDict:
        """What was counted into: the grid (or polygons) and the weights column."""
        if self.grid is not None:
            where = f"{self.grid.cell_shape} grid of {self.grid.cell_size_m:g} m cells"
        else:
            where = "polygons"
        return frozen_mapping({"places": where, "weights": self.weights_name})

    @property
    def counts(self) -> ReadOnlyDict:
        """Events in and outside the cells, and how concentrated the events are."""
        ordered = np.sort(self.count)[::-1]
        inside = int(ordered.sum())
        top = max(1, round(0.05 * len(ordered)))
        tallies: dict[str, Any] = {
            "n_events": self.n_events,
            "n_inside": inside,
            "n_outside": self.n_outside,
            "n_cells": len(self.count),
            "max_count": int(ordered[0]) if len(ordered) else 0,
            "share_in_top_5pct_cells": float(ordered[:top].sum() / inside)
            if inside
            else float("nan"),
        }
        if self.weight_sum is not None:
            tallies["total_weight_inside"] = float(self.weight_sum.sum())
        return frozen_mapping(tallies)

    @property
    def notes(self) -> tuple[str, ...]:
        """Events left out, and the edge rule."""
        notes = [
            "An event on a cell edge is counted in the cell just north-east of it "
            "(square cells are half-open [x0, x1) x [y0, y1))."
        ]
        if self.n_outside:
            notes.append(f"{self.n_outside} events fell outside every cell and are not counted.")
        return tuple(notes)

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return cells with ``count`` (and ``weight_sum``) as a GeoDataFrame in the input CRS."""
        frame = self.cells.copy()
        frame["count"] = self.count
        if self.weight_sum is not None:
            frame["weight_sum"] = self.weight_sum
        return frame

    def _map_column(self, column: str) -> tuple[str, str, str]:
        """Return the column to map, its colour-bar label and the map title."""
        weighted = ("weight_sum",) if self.weight_sum is not None else ()
        check_option(column, ("auto", "count", *weighted), name="column")
        name = self._place_score if column == "auto" else column
        what = quantity(self.weights_name if name == "weight_sum" else None)
        place = f"{self.grid.cell_size_m:g} m cell" if self.grid is not None else "place"
        return name, f"{what} per {place.split()[-1]}", f"{what[0].upper()}{what[1:]} per {place}"

    def plot(
        self,
        ax: Axes | None = None,
        *,
        column: str = "auto",
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch = "sqrt",
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map counts (or weighted sums such as harm) per cell.

        Parameters
        ----------
        {map_axes}
        column : {"auto", "count", "weight_sum"}
            What to map; ``"auto"`` maps the weighted sum when there is one.
        {map_classes}
        {map_furniture}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot` (``cmap``, ``edgecolor`` ...).

        {map_returns}

        See Also
        --------
        EventCounts.explore : The same map, interactive.
        hotspotlib.GiStar.plot : Hot and cold spots in the ArcGIS palette.

        References
        ----------
        .. [1] Rey, S. J. et al. mapclassify: classification schemes for choropleth maps.
           https://pysal.org/mapclassify/
        .. [2] Chainey, S. (2014). Examining the extent to which hotspot analysis can
           support spatial predictions of crime. UCL.
           https://discovery.ucl.ac.uk/id/eprint/1436261/

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=500, days=30, rng=1)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
        >>> ax = hs.count_events(city.events, grid).plot(scheme="quantiles", k=4)
        >>> ax.get_title()
        'Crimes per 500 m cell'
        >>> ax.get_legend().get_title().get_text().splitlines()[:2]
        ['crimes per cell', 'quantiles']
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import choropleth_map

        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        name, label, title = self._map_column(column)
        frame = self.to_frame()
        return choropleth_map(frame, name, label=label, title=title, style=style, ax=ax, **kwargs)

    def explore(
        self,
        *,
        column: str = "auto",
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the counts, with each cell's figures in a popup.

        Parameters
        ----------
        column : {"auto", "count", "weight_sum"}
            What to map, as in :meth:`plot`.
        {explore_parameters}

        See Also
        --------
        EventCounts.plot : The static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=500, days=30, rng=1)
        >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
        >>> layer = hs.count_events(city.events, grid).explore(tiles=None)
        >>> type(layer).__name__
        'Map'
        """
        from hotspotlib._explore import explore_values

        name, label, _ = self._map_column(column)
        return explore_values(
            self.to_frame(), name, label=label, tiles=tiles, scheme=scheme, k=k, **kwargs
        )


def locate_events(
    events: gpd.GeoDataFrame | gpd.GeoSeries, places: Grid | gpd.GeoDataFrame | gpd.GeoSeries
) -> NDArray[np.int64]:
    """Return, for each event, the position of the cell or place that holds it (-1: none).

    Grids use arithmetic (no spatial join). Other polygons use a vectorised STRtree
    query. Both follow one edge rule: an event inside a place belongs to it; an event on
    a border belongs to the place that holds the points just north-east of it (so square
    cells are half-open, ``[x0, x1) x [y0, y1)``), and, where no place lies there (the
    north and east edges of a grid or of a set of places), to the first place whose
    closed outline holds it. So counting on a :class:`Grid` and on ``grid.cells`` give
    the same answer, and every event in the grid's bounding box is counted once.

    See Also
    --------
    count_events : Count the located events per cell.
    make_grid : The cells to locate in.

    References
    ----------
    .. [1] Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
       predicting spatial patterns of crime. Security Journal 21(1-2), 4-28.
       https://doi.org/10.1057/palgrave.sj.8350066

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> places = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10), box(20, 0, 30, 10)], crs=27700)
    >>> events = gpd.GeoDataFrame(geometry=[Point(25, 5), Point(15, 5)], crs=27700)
    >>> locate_events(events, places).tolist()
    [1, -1]
    """
    xy = require_points(events, name="events")
    if isinstance(places, Grid):
        require_same_crs(places, events, names=("grid", "events"))
        return places.locate(xy)
    polygons = require_polygons(places, name="places")
    require_same_crs(places, events, names=("places", "events"))
    return first_owner(polygons.to_numpy(), xy)


def count_events(
    events: gpd.GeoDataFrame,
    grid: Grid | gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
) -> EventCounts:
    """Count events, and optionally sum a weight such as harm, in each cell or place.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres).
    grid : Grid or GeoDataFrame
        A :class:`Grid` from :func:`make_grid` (counted by arithmetic), or any polygons
        such as hot-spot boundaries or beats (counted by an STRtree query).
    weights : str or array-like, optional
        A column of ``events`` (e.g. ``"harm"``) or one value per event (a Series is
        matched to the events by index label). Finite, non-negative and not all zero.

    Returns
    -------
    EventCounts
        Counts aligned with the cells; ``n_outside`` events fell in no cell.

    Raises
    ------
    ValueError
        For empty events, non-point geometries, NaN coordinates, a geographic or Web
        Mercator CRS, coordinates outside the CRS's area of use, different CRSs, bad
        weights, or events that all fall outside the cells (the message shows both
        bounds).

    Warns
    -----
    HotspotlibWarning
        When more than half of the events fall outside a :class:`Grid` (with the counts;
        not for other polygons, such as hot spots, that leave most events outside).

    See Also
    --------
    EventCounts : The returned counts.
    make_grid : The cells to count in.
    select_places : Take the top places.
    gi_star : Test the counts for hot spots.

    Notes
    -----
    Edge rule (the same for a Grid and for polygons, see :func:`locate_events`): an
    event on an edge is counted in the cell just north-east of it; square cells are
    half-open ``[x0, x1) x [y0, y1)`` except that the grid's outer north and east edges
    are closed, so every event in the grid's bounding box is counted exactly once.

    References
    ----------
    .. [1] Weisburd, D. (2015). The law of crime concentration and the criminology of place.
       Criminology 53(2), 133-157. https://doi.org/10.1111/1745-9125.12070
    .. [2] Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
       predicting spatial patterns of crime. Security Journal 21(1-2), 4-28.
       https://doi.org/10.1057/palgrave.sj.8350066

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=2_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> counts = hs.count_events(city.events, grid, weights="harm")
    >>> int(counts.count.sum()) + counts.n_outside == len(city.events)
    True
    """
    weight_values = require_weights(events, weights)
    position = locate_events(events, grid)
    places: gpd.GeoDataFrame | None = None  # a grid's cell outlines are not built here
    if isinstance(grid, gpd.GeoSeries):
        places = gpd.GeoDataFrame(geometry=grid)
    elif not isinstance(grid, Grid):
        places = grid.copy()  # the caller's frame stays theirs: edits to it cannot reach us
    n_cells = grid.n_cells if isinstance(grid, Grid) else len(cast(gpd.GeoDataFrame, places))
    inside = position >= 0
    n_outside = len(position) - int(np.count_nonzero(inside))
    # A grid covers the study area, so most events outside it is a warning; places such
    # as hot spots leave most events outside by design, so only "all outside" is refused.
    on_grid = isinstance(grid, Grid)
    if n_outside > len(position) // 2 if on_grid else n_outside == len(position):
        require_some_inside(
            n_outside,
            len(position),
            events_bounds=events.total_bounds,
            area_bounds=(grid.cells if on_grid else places).total_bounds,  # type: ignore[union-attr]
            area="grid" if on_grid else "places",
            warn_share=0.5 if on_grid else 1.0,
        )
    count = np.bincount(position[inside], minlength=n_cells).astype(np.int64)
    weight_sum: NDArray[np.float64] | None = None
    if weight_values is not None:
        sums = np.bincount(position[inside], weights=weight_values[inside], minlength=n_cells)
        weight_sum = sums.astype(np.float64, copy=False)
    return EventCounts(
        places=places,
        count=count,
        weight_sum=weight_sum,
        weights_name=(weights if isinstance(weights, str) else "weights")
        if weights is not None
        else None,
        n_events=len(position),
        n_outside=n_outside,
        grid=grid if isinstance(grid, Grid) else None,
    )
