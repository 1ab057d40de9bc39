"""Optimized hot-spot analysis: incidents to a grid, scale chosen from the data, Gi* with FDR.

Every automatic decision (locational outliers, cell size, empty cells, distance band,
FDR cut) is recorded on the result and printed by ``.summary()``. The steps follow
ArcGIS's Optimized Hot Spot Analysis; where Esri's exact constants are not published
(the cell-size rule and the fallback distance) the rules here are our own and stated.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import SpotKind
from hotspotlib._validation import (
    require_points,
    require_polygons,
    require_positive,
    require_same_crs,
    require_type,
    require_varying,
    require_weights,
    require_whole,
)
from hotspotlib.hotspots.getis_ord._optimized_scale import (
    _cell_size,
    _fallback_distance,
    _locational_outliers,
)
from hotspotlib.hotspots.getis_ord.autocorrelation import (
    IncrementalAutocorrelation,
    default_bands,
    first_significant_peak,
    moran_by_band,
)
from hotspotlib.hotspots.getis_ord.gi import GI_CONVENTIONS, gi_star
from hotspotlib.hotspots.getis_ord.gi_result import GiStar
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts, count_events
from hotspotlib.hotspots.grid.lattice import subgrid
from hotspotlib.hotspots.grid.make import make_grid
from hotspotlib.hotspots.inference import fdr_cut

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["OptimizedHotspots", "optimized_hotspots"]

MIN_EVENTS = 30
"""Fewest incidents accepted (ArcGIS's documented minimum)."""


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class OptimizedHotspots(FrozenResult):
    """Gi* hot spots on an automatically sized grid, with every decision recorded.

    Attributes
    ----------
    gi : GiStar
        The Gi* analysis of the cells (FDR-corrected bins).
    event_counts : EventCounts
        Incidents (and weights) per analysed cell.
    grid : Grid
        The analysed cells (empty cells removed when ``keep_empty_cells`` is False).
    cell_size_m, distance_m : float
        Cell size and fixed distance band used.
    cell_size_rule, distance_rule, empty_cells_rule : str
        How each was chosen.
    scale : IncrementalAutocorrelation or None
        Moran's I by distance band (None when ``distance_m`` was given).
    n_events, n_outliers, n_outside, n_empty_dropped : int
        Incidents passed, locational outliers (left out when sizing the grid), incidents
        outside every analysed cell (not counted), empty cells removed.
    fdr_cut_p : float
        The largest p-value significant at 95 % after the FDR correction (NaN: none).
    parameters, counts : Mapping
        Every automatic decision and its rule; incidents, cells and significant cells.
    notes : tuple of str
        How outliers, weights and bins were handled, then the Gi* caveats.

    See Also
    --------
    optimized_hotspots : Compute one.

    References
    ----------
    .. [1] Ord and Getis (1995). https://doi.org/10.1111/j.1538-4632.1995.tb00912.x
    """

    _title: ClassVar[str] = "Optimized hot-spot analysis"

    gi: GiStar
    event_counts: EventCounts
    grid: Grid
    cell_size_m: float
    cell_size_rule: str
    distance_m: float
    distance_rule: str
    empty_cells_rule: str
    scale: IncrementalAutocorrelation | None
    n_events: int
    n_outliers: int
    n_outside: int
    n_empty_dropped: int
    fdr_cut_p: float

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the Gi* frame of the cells (see :meth:`GiStar.to_frame`)."""
        return self.gi.to_frame()

    def significant(self, level: float = 0.95, *, kind: SpotKind = "hot") -> gpd.GeoDataFrame:
        """Return the cells significant at ``level`` (FDR bins; see :meth:`GiStar.significant`)."""
        return self.gi.significant(level, kind=kind)

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Every automatic decision (cell size, empty cells, distance band) and its rule."""
        return frozen_mapping(
            {
                "cell_size_m": self.cell_size_m,
                "cell_size_rule": self.cell_size_rule,
                "empty_cells": self.empty_cells_rule,
                "distance_m": self.distance_m,
                "distance_rule": self.distance_rule,
                "spatial_weights": self.gi.parameters.get("spatial_weights"),
                "value": self.gi.value_name,
                "fdr_cut_p_0.05": self.fdr_cut_p,
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Incidents used and left out, cells analysed and dropped, significant cells."""
        return frozen_mapping(
            {
                "n_events": self.n_events,
                "n_outliers": self.n_outliers,
                "n_outside": self.n_outside,
                "n_cells": self.grid.n_cells,
                "n_empty_dropped": self.n_empty_dropped,
                "n_hot_95": int((self.gi.bin >= 2).sum()),
                "n_cold_95": int((self.gi.bin <= -2).sum()),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How outliers, weights and bins were handled, then the Gi* caveats."""
        return (
            f"Locational outliers: incidents at a location whose nearest other location is "
            f"further than the mean plus 3 SD of those distances ({self.n_outliers}); "
            "excluded when sizing the grid and, without an area, its extent. Incidents "
            f"outside every analysed cell are not counted ({self.n_outside}).",
            "Gi* with binary fixed-distance weights between cell centres (self included), "
            "two-sided p, bins from Benjamini-Hochberg q-values (ArcGIS always applies FDR "
            "here).",
            "ArcGIS's exact cell-size and fallback-distance rules are not published; the "
            "rules used are stated above.",
            *self.gi.notes[len(GI_CONVENTIONS) :],
        )

    def _summary_table(self) -> pd.DataFrame:
        """Return the cells per Gi* confidence bin."""
        return self.gi._summary_table()

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Map the FDR-corrected Gi* bins (keyword arguments as in :meth:`GiStar.plot`)."""
        kwargs.setdefault("title", f"Optimized hot spots (Gi*, FDR, {self.cell_size_m:g} m cells)")
        return self.gi.plot(ax, **kwargs)

    def explore(self, **kwargs: Any) -> Any:
        """Return an interactive folium map of the bins (as :meth:`GiStar.explore`)."""
        return self.gi.explore(**kwargs)


def optimized_hotspots(
    events: gpd.GeoDataFrame,
    *,
    area: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
    cell_size_m: float | None = None,
    weights: str | Any | None = None,
    distance_m: float | None = None,
    keep_empty_cells: bool | None = None,
    n_bands: int = 10,
) -> OptimizedHotspots:
    """Optimized hot-spot analysis of incident points (ArcGIS-style, every step stated).

    1. Locational outliers (nearest other distinct location farther than the mean plus 3
       standard deviations of those distances; incidents at one address are not each
       other's neighbours) are set aside when sizing the grid.
    2. Cell size (unless given): the larger of 1/100 of the longer side of the
       outliers-excluded extent and twice the mean nearest-neighbour distance between
       those incidents' distinct locations, rounded to two significant figures.
    3. Incidents (or their summed ``weights``) are counted in square cells covering
       ``area`` (or the outliers-excluded extent; outliers beyond it go to ``n_outside``).
       Empty cells are kept inside a given ``area`` (zeros are real there) and dropped
       without one (ArcGIS's rule), unless ``keep_empty_cells`` says otherwise.
    4. Scale (unless ``distance_m`` is given): the first significant peak (z >= 1.96)
       of global Moran's I over ``n_bands`` bands from the smallest giving every cell a
       neighbour, in steps of the mean nearest-neighbour distance between cells; without
       one, the mean distance to the k-th nearest cell, k = clip(round(0.05 n), 3, 30).
    5. Gi* on that binary distance band (self included), two-sided p, Benjamini-Hochberg bins.

    Parameters
    ----------
    events : GeoDataFrame
        Incident points in a projected CRS in metres (at least 30).
    area : GeoDataFrame or GeoSeries, optional
        Polygons where incidents are possible (the study area).
    cell_size_m : float, optional
        Cell size in metres (automatic when None).
    weights : str or array-like, optional
        A column of ``events`` (e.g. ``"harm"``) or one weight per event (a Series is
        matched by index label); cells are then scored by their summed weight.
    distance_m : float, optional
        Fixed distance band in metres (automatic when None).
    keep_empty_cells : bool, optional
        Keep cells with no incident (default: True with ``area``, False without).
    n_bands : int
        Number of distance bands tried for the scale (a whole number >= 2).

    Returns
    -------
    OptimizedHotspots
        Gi* per cell and every decision made.

    Raises
    ------
    ValueError
        For fewer than 30 events, a geographic CRS, different CRSs, bad weights or
        sizes, or a grid over the cell limit.

    See Also
    --------
    gi_star : Gi* with the settings given.
    incremental_autocorrelation : The distance band search.

    References
    ----------
    .. [1] Ord and Getis (1995). https://doi.org/10.1111/j.1538-4632.1995.tb00912.x
    .. [2] Esri. How Optimized Hot Spot Analysis works. ArcGIS Pro tool reference.
       https://pro.arcgis.com/en/pro-app/tool-reference/spatial-statistics/how-optimized-hot-spot-analysis-works.htm

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=2)
    >>> result = hs.optimized_hotspots(city.events, area=city.boundary)
    >>> result.cell_size_m
    130.0
    >>> bool((result.to_frame()["bin"] == 3).any())
    True
    """
    xy = require_points(events, name="events")
    event_weights = require_weights(events, weights)
    require_whole(n_bands, name="n_bands", minimum=2)
    require_type(
        keep_empty_cells,
        (bool, np.bool_, type(None)),
        name="keep_empty_cells",
        expected="True, False or None (automatic)",
    )
    require_varying(
        xy,
        name="events",
        minimum=MIN_EVENTS,
        fix="Optimized hot-spot analysis needs at least 30 incidents that do not all share "
        "one location; use gi_star on counts you choose instead.",
    )
    if area is not None:
        require_polygons(area, name="area")
        require_same_crs(events, area, names=("events", "area"))
    outlier = _locational_outliers(xy)
    size, size_rule = _cell_size(xy[~outlier], cell_size_m)
    full = _full_grid(events, xy[~outlier], area, size)
    counts, grid, n_dropped, empty_rule = _count_cells(
        events, full, event_weights, area_given=area is not None, keep=keep_empty_cells
    )
    values = require_varying(
        counts.weight_sum if counts.weight_sum is not None else counts.count,
        name="cell counts",
        fix="Every analysed cell has the same count; there is no pattern to test. Use a "
        "smaller `cell_size_m` or keep empty cells.",
    ).astype(float)
    band, distance_rule, scale = _distance_band(grid, values, distance_m, int(n_bands))
    gi = gi_star(counts, distance_m=band, fdr=True)
    return OptimizedHotspots(
        gi=gi,
        event_counts=counts,
        grid=grid,
        cell_size_m=size,
        cell_size_rule=size_rule,
        distance_m=band,
        distance_rule=distance_rule,
        empty_cells_rule=empty_rule,
        scale=scale,
        n_events=len(xy),
        n_outliers=int(outlier.sum()),
        n_outside=counts.n_outside,
        n_empty_dropped=n_dropped,
        fdr_cut_p=fdr_cut(gi.p_value, 0.05),
    )


def _full_grid(
    events: gpd.GeoDataFrame, trimmed: NDArray[np.float64], area: Any, size: float
) -> Grid:
    """Return the grid over ``area``, or over the extent of the incidents but outliers."""
    if area is not None:
        return make_grid(area, cell_size_m=size)
    # Built on the corner points, not a box: incidents on the north/east edge of the
    # extent then get a cell of their own instead of falling outside.
    corners = shapely.points([trimmed.min(axis=0), trimmed.max(axis=0)])
    return make_grid(gpd.GeoSeries(corners, crs=events.crs), cell_size_m=size)


def _count_cells(
    events: gpd.GeoDataFrame,
    full: Grid,
    weights: NDArray[np.float64] | None,
    *,
    area_given: bool,
    keep: bool | None,
) -> tuple[EventCounts, Grid, int, str]:
    """Count incidents per cell; drop empty cells unless kept (by default with an area)."""
    counts = count_events(events, full, weights=weights)
    keep_empty = area_given if keep is None else bool(keep)
    if keep_empty:
        rule = "kept (keep_empty_cells=True)" if keep is not None and not area_given else None
        return counts, full, 0, rule or "kept (inside the given area)"
    occupied = counts.count > 0
    grid = subgrid(full, occupied)
    rule = (
        "dropped (no area given, as ArcGIS)" if keep is None else "dropped (keep_empty_cells=False)"
    )
    return count_events(events, grid, weights=weights), grid, int((~occupied).sum()), rule


def _distance_band(
    grid: Grid, values: NDArray[np.float64], distance_m: Any, n_bands: int
) -> tuple[float, str, IncrementalAutocorrelation | None]:
    """Return the Gi* distance band, its rule and (when chosen here) Moran's I by band."""
    if distance_m is not None:
        return require_positive(distance_m, name="distance_m"), "given", None
    centres = grid.centroids()
    bands = default_bands(centres, n_bands)
    table = moran_by_band(centres, values, bands)
    peak = first_significant_peak(table["z_score"].to_numpy())
    scale = IncrementalAutocorrelation(
        table=table,
        peak_m=None if peak is None else float(bands[peak]),
        z_critical=1.959964,
        n_units=grid.n_cells,
        bands_rule=f"{n_bands} bands from the smallest linking distance, mean NN distance apart",
    )
    if peak is not None:
        rule = "first significant peak of Moran's I z over distance bands"
        return float(bands[peak]), rule, scale
    band, neighbours = _fallback_distance(centres)
    return band, f"no significant peak: mean distance to the {neighbours}th nearest cell", scale
