"""Street segments, the unit of the law of crime concentration, and events counted on them.

A street segment is the stretch of street between two intersections (or an
intersection and a dead end): both block faces, as in Weisburd (2015). The network is
noded (split wherever two lines meet or cross) and the pieces are joined again through
points where only two pieces meet, so that each segment runs from one intersection to
the next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_finite,
    require_nonempty,
    require_points,
    require_positive,
    require_projected_crs,
    require_same_crs,
    require_some_inside,
    require_subset,
    require_type,
    require_weights,
)
from hotspotlib.hotspots.streets_result import SegmentCounts, segment_notes

__all__ = ["count_on_segments", "street_segments"]

_LINES = ("LineString", "MultiLineString")


def _line_geometry(frame: Any, *, name: str) -> NDArray[Any]:
    """Check a layer of (multi)lines in a projected CRS and return its shapely geometries."""
    require_type(
        frame,
        (gpd.GeoDataFrame, gpd.GeoSeries),
        name=name,
        expected="a GeoDataFrame or GeoSeries of LineStrings (streets)",
    )
    require_nonempty(frame, name=name)
    require_projected_crs(frame, name=name)
    geoms = np.asarray(frame.geometry.array if isinstance(frame, gpd.GeoDataFrame) else frame.array)
    kinds = np.array(frame.geometry.geom_type, dtype=object)
    kinds[shapely.is_missing(geoms)] = "missing"
    kinds[~shapely.is_missing(geoms) & shapely.is_empty(geoms)] = "empty"
    require_subset(
        kinds,
        _LINES,
        name=name,
        among="LineString, MultiLineString",
        what="geometries",
        fix="Drop missing or empty rows; turn areas into lines with `.boundary`.",
    )
    require_finite(shapely.get_coordinates(geoms), name=f"{name} coordinates")
    return geoms


def street_segments(
    network: gpd.GeoDataFrame | gpd.GeoSeries, *, split_at_ends: bool = False
) -> gpd.GeoDataFrame:
    """Split a street network into segments between intersections.

    Every line is split wherever it meets or crosses another (shapely's noding, so
    overlapping stretches are kept once), and the pieces are joined again where only
    two meet (a bend, or a street that changes name mid-block), so each segment runs
    between two intersections, or an intersection and a dead end.

    Parameters
    ----------
    network : GeoDataFrame or GeoSeries
        LineStrings or MultiLineStrings in a projected CRS in metres.
    split_at_ends : bool, default False
        False: segments run between intersections (three or more streets meeting) and
        dead ends; pieces meeting two at a time are joined, so an L-shaped corner of
        two streets is one segment. True: every end of an input line is a segment end
        too (keep a GIS's own block division, or split at corners and name changes).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per segment, index ``segment_id`` (0, 1, ...), columns ``length_m``,
        ``source`` (the index label of the input line holding the segment's midpoint,
        to join street names back) and the geometry, in the network's CRS.
        ``frame.attrs["hotspotlib"]`` records ``n_lines``, ``n_segments``,
        ``network_length_m`` and ``overlap_removed_m`` (length of input lines lying on
        other lines, kept once).

    Raises
    ------
    ValueError
        For an empty network, missing, empty or non-line geometries, NaN coordinates,
        or a CRS that is missing, geographic or not in metres.
    TypeError
        If ``network`` is not a GeoDataFrame or GeoSeries.

    See Also
    --------
    count_on_segments : Count events (and harm) on the segments.

    Notes
    -----
    Lines that cross without a junction (a bridge over a street) are split where they
    cross, as in any planar noding: remove such crossings first if they matter.
    Endpoints that almost touch (digitising gaps) are not joined: snap them in a GIS.

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of place.
    *Criminology*, 53(2), 133-157.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString
    >>> plus = gpd.GeoSeries(
    ...     [LineString([(0, 100), (200, 100)]), LineString([(100, 0), (100, 200)])],
    ...     crs=27700,
    ... )
    >>> segments = street_segments(plus)
    >>> segments["length_m"].tolist()
    [100.0, 100.0, 100.0, 100.0]
    """
    geoms = _line_geometry(network, name="network")
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    parts = parts[shapely.length(parts) > 0]
    noded = shapely.union_all(parts)
    if not split_at_ends:
        noded = shapely.line_merge(noded)
    pieces = shapely.get_parts(noded)
    pieces = pieces[shapely.length(pieces) > 0]
    middle = shapely.line_interpolate_point(pieces, 0.5, normalized=True)
    tree = shapely.STRtree(geoms)
    found = tree.query_nearest(middle, all_matches=False)
    source = np.empty(len(pieces), dtype=np.int64)
    source[found[0]] = found[1]
    order = np.lexsort((shapely.get_y(middle), shapely.get_x(middle), source))
    pieces, source = pieces[order], source[order]
    lengths = shapely.length(pieces)
    total = float(shapely.length(geoms).sum())
    frame = gpd.GeoDataFrame(
        {"length_m": lengths, "source": network.index[source]},
        geometry=pieces,
        crs=network.crs,
        index=pd.RangeIndex(len(pieces), name="segment_id"),
    )
    frame.attrs["hotspotlib"] = {
        "n_lines": len(geoms),
        "n_segments": len(pieces),
        "network_length_m": total,
        "overlap_removed_m": max(total - float(lengths.sum()), 0.0),
    }
    return frame


def _snap(
    points: NDArray[Any], lines: NDArray[Any], tolerance_m: float
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.bool_]]:
    """Return each point's nearest line (-1 beyond the tolerance), its distance and ties.

    An event equally near several lines (at an intersection) goes to the lowest
    position among them, so the answer does not depend on the tree's order.
    """
    tree = shapely.STRtree(lines)
    pairs, distance = tree.query_nearest(
        points, max_distance=tolerance_m, return_distance=True, all_matches=True
    )
    order = np.lexsort((pairs[1], pairs[0]))
    which, line, distance = pairs[0][order], pairs[1][order], distance[order]
    first = np.ones(len(which), dtype=bool)
    first[1:] = which[1:] != which[:-1]
    segment = np.full(len(points), -1, dtype=np.int64)
    gap = np.full(len(points), np.nan)
    segment[which[first]] = line[first]
    gap[which[first]] = distance[first]
    tied = np.zeros(len(points), dtype=bool)
    tied[which[~first]] = True
    return segment, gap, tied


def count_on_segments(
    events: gpd.GeoDataFrame,
    segments: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    tolerance_m: float = 25.0,
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
) -> SegmentCounts:
    """Snap events to the nearest street segment and count them (and harm) per segment.

    Parameters
    ----------
    events : GeoDataFrame
        Event points in the CRS of ``segments`` (projected, metres).
    segments : GeoDataFrame or GeoSeries
        Street segments, usually from :func:`street_segments` (lines; their index is
        kept as the segment id).
    tolerance_m : float, default 25.0
        Events farther than this from every segment are not counted; they are
        counted as ``n_unsnapped`` and noted. Geocoded crimes usually sit on the
        street centre line or at an address a few metres off it.
    weights : str or array-like, optional
        Per-event weights such as harm (a column of ``events`` or one value per event).

    Returns
    -------
    SegmentCounts
        ``count`` (``harm``) and ``length_m`` per segment, per 100 m of street in
        ``.to_frame()``; ``contiguity()`` and ``midpoints()`` for :func:`gi_star`.

    Raises
    ------
    ValueError
        For bad events or segments, different CRSs, a non-positive tolerance, bad
        weights, or when every event is beyond the tolerance (a warning when most are).

    See Also
    --------
    street_segments : Split a network into segments between intersections.
    gini, concentration_share : How concentrated the counts are.
    gi_star : Hot spots of segments, with ``spatial_weights=result.contiguity()``.

    Notes
    -----
    The nearest segment is found by straight-line distance to the line. An event
    equally near several segments (one at an intersection touches every segment
    meeting there) is counted once, on the segment that comes first in ``segments``;
    ``counts["n_ties"]`` says how many there were.

    References
    ----------
    Weisburd, D. (2015). The law of crime concentration and the criminology of place.
    *Criminology*, 53(2), 133-157.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import hotspotlib as hs
    >>> from shapely.geometry import LineString, Point
    >>> plus = gpd.GeoSeries(
    ...     [LineString([(0, 100), (200, 100)]), LineString([(100, 0), (100, 200)])],
    ...     crs=27700,
    ... )
    >>> segments = hs.street_segments(plus)
    >>> events = gpd.GeoDataFrame(
    ...     geometry=[Point(20, 105), Point(30, 98), Point(100, 170), Point(500, 500)],
    ...     crs=27700,
    ... )
    >>> result = hs.count_on_segments(events, segments, tolerance_m=10)
    >>> result.count.tolist(), result.counts["n_unsnapped"]
    ([2, 0, 0, 1], 1)
    """
    xy = require_points(events, name="events")
    lines = _line_geometry(segments, name="segments")
    require_same_crs(events, segments, names=("events", "segments"))
    tolerance = require_positive(tolerance_m, name="tolerance_m", fix="Give metres, e.g. 25.")
    harm_weights = require_weights(events, weights)
    points = shapely.points(xy)
    segment, gap, tied = _snap(points, lines, tolerance)
    snapped = segment >= 0
    n_unsnapped = int((~snapped).sum())
    require_some_inside(
        n_unsnapped,
        len(points),
        events_bounds=events.total_bounds,
        area_bounds=segments.total_bounds,
        area=f"segments (within tolerance_m={tolerance:g})",
    )
    count = np.bincount(segment[snapped], minlength=len(lines))
    harm: NDArray[np.float64] | None = None
    if harm_weights is not None:
        where = segment[snapped]
        harm = np.bincount(where, weights=harm_weights[snapped], minlength=len(lines)).astype(float)
    geometry = segments.geometry if isinstance(segments, gpd.GeoDataFrame) else segments
    counts = {
        "n_events": len(points),
        "n_snapped": int(snapped.sum()),
        "n_unsnapped": n_unsnapped,
        "n_ties": int(tied.sum()),
        "n_segments": len(lines),
        "n_segments_with_events": int((count > 0).sum()),
    }
    parameters = {
        "tolerance_m": tolerance,
        "weights": weights if isinstance(weights, str) or weights is None else "array",
        "snapping": "nearest segment by straight-line distance; ties to the first segment",
    }
    return SegmentCounts(
        geometry=geometry.copy(),
        length_m=shapely.length(lines),
        count=count,
        harm=harm,
        event_segment=segment,
        event_distance_m=gap,
        parameters=parameters,
        counts=counts,
        notes=tuple(segment_notes(counts, tolerance)),
    )
