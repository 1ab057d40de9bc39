"""The result of :func:`~hotspotlib.count_on_segments`: events and harm per street segment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from hotspotlib._frozen import FrozenResult
from hotspotlib._map_docs import TILES
from hotspotlib._maps import quantity
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import check_option, require_positive

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SegmentCounts", "segment_notes"]

PER_M = 100.0  # rates are per 100 m of street


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class SegmentCounts(FrozenResult):
    """Events (and harm) snapped to street segments, with the segments' lengths.

    Attributes
    ----------
    geometry : geopandas.GeoSeries
        The segments (lines), indexed by segment id, in their CRS.
    length_m : numpy.ndarray
        Length of each segment in metres.
    count : numpy.ndarray
        Events snapped to each segment.
    harm : numpy.ndarray or None
        Sum of the per-event weights per segment, when ``weights`` were given.
    event_segment : numpy.ndarray
        For each event (in input order), the position of its segment; -1 when it lay
        beyond the tolerance.
    event_distance_m : numpy.ndarray
        For each event, the distance to its segment (NaN when unsnapped).
    parameters, counts : Mapping
        The tolerance, weights and snapping rule; events snapped, unsnapped, tied,
        segments and segments with events (read-only).
    notes : tuple of str
        Conventions and caveats.

    See Also
    --------
    count_on_segments : Compute one.

    References
    ----------
    .. [1] Weisburd (2015). https://doi.org/10.1111/1745-9125.12070
    """

    geometry: gpd.GeoSeries
    length_m: NDArray[np.float64]
    count: NDArray[np.int64]
    harm: NDArray[np.float64] | None
    event_segment: NDArray[np.int64]
    event_distance_m: NDArray[np.float64]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    _repr_fields = ("n_segments", "n_snapped", "n_unsnapped")
    _title: ClassVar[str] = "Events on street segments (busiest per 100 m first)"

    @property
    def _place_score(self) -> str:
        """The column :func:`~hotspotlib.select_places` ranks by: harm when given."""
        return "harm" if self.harm is not None else "count"

    @property
    def n_segments(self) -> int:
        """Number of segments."""
        return int(self.count.size)

    @property
    def n_snapped(self) -> int:
        """Events counted on the segments (within the tolerance of one)."""
        return int(self.count.sum())

    @property
    def n_unsnapped(self) -> int:
        """Events farther than the tolerance from every segment (not counted)."""
        return int(self.counts["n_unsnapped"])

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return one row per segment (a copy), indexed by segment id, in the CRS.

        Columns: ``length_m, count, count_per_100m`` (``harm, harm_per_100m``), geometry.
        """
        columns: dict[str, Any] = {
            "length_m": np.array(self.length_m),
            "count": np.array(self.count),
            "count_per_100m": self.count / self.length_m * PER_M,
        }
        if self.harm is not None:
            columns["harm"] = np.array(self.harm)
            columns["harm_per_100m"] = self.harm / self.length_m * PER_M
        return gpd.GeoDataFrame(
            columns,
            geometry=self.geometry.to_numpy(),
            crs=self.geometry.crs,
            index=self.geometry.index.copy(),
        )

    def midpoints(self) -> gpd.GeoDataFrame:
        """Return :meth:`to_frame` with each segment's midpoint (on the line) as geometry.

        These are the units to pass to :func:`~hotspotlib.gi_star`, which takes points
        or polygons: with ``spatial_weights=self.contiguity()``, or a distance band
        between midpoints (``distance_m=``).
        """
        frame = self.to_frame()
        middle = shapely.line_interpolate_point(self.geometry.to_numpy(), 0.5, normalized=True)
        return frame.set_geometry(gpd.GeoSeries(middle, index=frame.index, crs=frame.crs))

    def contiguity(self, *, touch_m: float = 0.001) -> sparse.csr_array:
        """Return binary network contiguity: segments sharing an end (an intersection).

        Parameters
        ----------
        touch_m : float
            Ends closer than this (metres) are one intersection. Segments from
            :func:`~hotspotlib.street_segments` share exact end points.

        Returns
        -------
        scipy.sparse.csr_array
            ``(n, n)`` with 1 where two segments share an end, 0 on the diagonal, rows
            in segment order: pass it as ``gi_star(..., spatial_weights=...)``.
            Segments that cross without sharing an end are not neighbours.
        """
        reach = require_positive(touch_m, name="touch_m")
        lines = self.geometry.to_numpy()
        ends = np.concatenate(
            [shapely.get_coordinates(shapely.get_point(lines, i)) for i in (0, -1)]
        )
        owner = np.tile(np.arange(len(lines)), 2)
        pairs = cKDTree(ends).query_pairs(reach, output_type="ndarray")
        one, two = owner[pairs[:, 0]], owner[pairs[:, 1]]
        keep = one != two
        rows = np.concatenate([one[keep], two[keep]])
        cols = np.concatenate([two[keep], one[keep]])
        matrix = sparse.csr_array(
            (np.ones(rows.size), (rows, cols)), shape=(len(lines), len(lines))
        )
        matrix.data[:] = 1.0  # two loops between the same ends count once
        matrix.sort_indices()
        return matrix

    def _column(self, choice: str) -> str:
        options = ["count", "count_per_100m"]
        options += ["harm", "harm_per_100m"] if self.harm is not None else []
        return check_option(choice, options, name="column")

    def _summary_table(self) -> pd.DataFrame:
        """Return the ten segments with the most events per 100 m (ties: most events)."""
        frame = pd.DataFrame(self.to_frame().drop(columns="geometry"))
        order = np.lexsort((-frame["count"].to_numpy(), -frame["count_per_100m"].to_numpy()))
        return frame.iloc[order[:10]]

    def _label(self, name: str) -> str:
        """Return the quantity and unit of ``name``: ``"crimes per 100 m of street"`` ..."""
        weights = self.parameters.get("weights")
        what = quantity(weights if isinstance(weights, str) else "harm")
        what = what if name.startswith("harm") else "crimes"
        return f"{what} per 100 m of street" if name.endswith("per_100m") else f"{what} per segment"

    def plot(
        self,
        ax: Axes | None = None,
        *,
        column: str = "count",
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch = "sqrt",
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Draw the segments coloured by ``column``; segments without events thin and grey.

        Parameters
        ----------
        {map_axes}
        column : {"count", "count_per_100m", "harm", "harm_per_100m"}
            What to map (the harm columns when events were weighted).
        {map_classes}
        {map_furniture}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot` (``linewidth`` 2 by default).

        {map_returns}

        See Also
        --------
        SegmentCounts.explore : The same segments on an interactive map.
        EventCounts.plot : Counts per grid cell.

        References
        ----------
        .. [1] Weisburd, Bushway, Lum & Yang (2004). Trajectories of crime at places: a
           longitudinal study of street segments in the city of Seattle. Criminology
           42(2), 283-322. https://doi.org/10.1111/j.1745-9125.2004.tb00521.x

        Examples
        --------
        >>> import geopandas as gpd
        >>> import hotspotlib as hs
        >>> from shapely.geometry import LineString, Point
        >>> plus = gpd.GeoSeries(
        ...     [LineString([(0, 100), (200, 100)]), LineString([(100, 0), (100, 200)])],
        ...     crs=27700,
        ... )
        >>> events = gpd.GeoDataFrame(geometry=[Point(20, 105), Point(30, 98)], crs=27700)
        >>> result = hs.count_on_segments(events, hs.street_segments(plus), tolerance_m=10)
        >>> result.plot().get_title()
        'Crimes per segment'
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import choropleth_map

        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        name = self._column(column)
        kwargs.setdefault("linewidth", 2.0)
        if "cmap" not in kwargs:  # the pale start of YlOrRd is lost on thin lines
            from matplotlib import colormaps
            from matplotlib.colors import ListedColormap

            warm = colormaps["YlOrRd"](np.linspace(0.3, 1.0, 256))
            kwargs["cmap"] = ListedColormap(warm)
        frame = self.to_frame().sort_values(name)  # the busiest segments drawn last, on top
        empty = np.asarray(frame[name] <= 0)
        label = self._label(name)
        return choropleth_map(frame, name, label=label, style=style, ax=ax, blank=empty, **kwargs)

    def explore(
        self,
        *,
        column: str = "count",
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the segments; popups show each one's figures.

        Parameters
        ----------
        column : str
            What to map, as in :meth:`plot`.
        {explore_parameters}

        See Also
        --------
        SegmentCounts.plot : The static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import geopandas as gpd
        >>> import hotspotlib as hs
        >>> from shapely.geometry import LineString, Point
        >>> plus = gpd.GeoSeries(
        ...     [LineString([(0, 100), (200, 100)]), LineString([(100, 0), (100, 200)])],
        ...     crs=27700,
        ... )
        >>> events = gpd.GeoDataFrame(geometry=[Point(20, 105), Point(30, 98)], crs=27700)
        >>> result = hs.count_on_segments(events, hs.street_segments(plus), tolerance_m=10)
        >>> type(result.explore(tiles=None)).__name__
        'Map'
        """
        from hotspotlib._explore import explore_values

        name = self._column(column)
        return explore_values(
            self.to_frame(),
            name,
            label=self._label(name),
            tiles=tiles,
            scheme=scheme,
            k=k,
            **kwargs,
        )


def segment_notes(counts: Mapping[str, int], tolerance_m: float) -> list[str]:
    """Return the plain-English conventions and caveats of a segment count."""
    notes = [
        f"Each event is counted on the nearest segment within {tolerance_m:g} m "
        "(straight-line distance to the line).",
        "Per-100 m figures divide by each segment's length: very short segments (slip "
        "roads, pieces between close junctions) get large rates from a single event.",
    ]
    if counts["n_unsnapped"]:
        notes.append(
            f"{counts['n_unsnapped']:,} of {counts['n_events']:,} events lie farther than "
            f"{tolerance_m:g} m from every segment and are in no count (event_segment -1)."
        )
    if counts["n_ties"]:
        notes.append(
            f"{counts['n_ties']:,} events were equally near several segments (at an "
            "intersection): each is counted once, on the segment that comes first."
        )
    notes.append(
        "Gi* on segments: pass `midpoints()` as units, with `spatial_weights=contiguity()` "
        "(segments sharing an intersection) or a distance band between midpoints."
    )
    return notes
