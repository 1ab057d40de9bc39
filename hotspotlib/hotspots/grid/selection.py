"""Choosing the top places to patrol from a ranked map: the one way to pick places."""

from __future__ import annotations

import math
import warnings
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import shapely
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_exclusive,
    require_given,
    require_polygons,
    require_positive,
    require_range,
    require_type,
    require_whole,
)
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.hotspots.grid._place_labels import check_crimes, label_places

__all__ = ["select_places"]


@runtime_checkable
class _Ranked(Protocol):
    """A result that lists its places with :meth:`to_frame`."""

    def to_frame(self) -> Any: ...


def select_places(
    source: gpd.GeoDataFrame | Any,
    *,
    n: int | None = None,
    share: float | None = None,
    score: str | None = None,
    events: str | None = None,
    smoothing_only: bool = False,
    min_separation_m: float = 0.0,
    crimes: gpd.GeoDataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Pick the highest-scoring places, optionally at least a distance apart.

    The one way to take the top places of any ranked map: counts, a density surface,
    Gi* z-scores, a forecast, crime on street segments. A result is ranked by its default
    score column (its class attribute ``_place_score``: ``count`` or ``weight_sum`` for
    :class:`~hotspotlib.EventCounts`, ``density`` for :class:`~hotspotlib.DensitySurface`,
    ``z_score`` for :class:`~hotspotlib.GiStar`, ``count`` or ``harm`` for
    :class:`~hotspotlib.SegmentCounts`, ...) unless ``score`` names another column of its
    ``to_frame()`` (e.g. ``"count_per_100m"`` for segments).

    A smoothed score (a density surface, a forecast) spreads crime into cells that had
    none, and can rank such a cell above cells with crime. So when the places carry a
    count of the events they were scored from (``events``; by default a result's own
    tally, ``n_events`` for a :class:`~hotspotlib.DensitySurface`), every place with at
    least one event is ranked above every place with none, each group by its score.
    ``smoothing_only=True`` ranks by the score alone.

    A ranked map puts the neighbouring cells of one hot spot next to each other at the
    top of the list. A trial needs separate places, so with ``min_separation_m`` this
    walks down the ranking and keeps a place only if it is at least that far from every
    place already kept (distance between the polygons' edges, or between the lines of
    street segments: 0 applies no constraint, any positive distance also rules out
    touching cells and segments meeting at an intersection).

    Parameters
    ----------
    source : GeoDataFrame or result
        Polygons (or street-segment lines) with a score column in a projected CRS, or a
        result with ``to_frame()`` and a default score (``hs.count_events(...)``,
        ``hs.kde(...)``, ``hs.gi_star(...)``, ``hs.count_on_segments(...)``).
    n : int, optional
        How many places to pick.
    share : float, optional
        Alternatively, the share of the scored places to pick, in (0, 1]: ``0.01`` is the
        top 1% of the cells (rounded up). Give ``n`` or ``share``.
    score : str, optional
        Column to rank by, highest first; NaN or infinite scores are never picked.
        Default: for a GeoDataFrame, its ``score`` column (as in
        ``ForecastSurface.to_frame()``), required when it has none; for a result, its
        default score.
    events : str, optional
        Column of the events each place was scored from (its training-window count):
        places with none come after places with any. Default: the result's own tally
        (``n_events`` of a density surface); none for a GeoDataFrame or for results
        whose score is itself a count.
    smoothing_only : bool
        Rank by the score alone, so that a place with no events can outrank one with
        events (not with ``events``).
    min_separation_m : float
        Minimum distance between picked places, in metres.
    crimes : GeoDataFrame, optional
        police.uk crimes as :func:`hotspotlib.read_police_uk` returns them (points in the
        places' CRS with ``location``, ``lsoa_code`` and ``lsoa_name``), to name each
        place by the LSOA and street most of its crimes were recorded in.

    Returns
    -------
    geopandas.GeoDataFrame
        The picked rows (index kept) in ranking order, with ``rank`` (1 = highest score)
        and, when no score is negative, ``cumulative_share``: the running share of the
        total score of all scored places held by the places picked so far. A ``rank`` or
        ``cumulative_share`` column the source already had (e.g. the competition rank of
        a :class:`~hotspotlib.PlaceRanking`) is kept as ``source_rank`` or
        ``source_cumulative_share``, never overwritten.

        Every table carries ``longitude`` and ``latitude``: WGS84 (EPSG:4326) of the
        place's centroid, or of a point inside it (``representative_point``) when the
        centroid falls outside, the same point :func:`hotspotlib.to_csv` writes. With
        ``crimes``, also ``lsoa_code`` and ``lsoa_name`` (the LSOA most of the place's
        crimes were recorded in) and ``street`` (the most frequent police.uk location
        text, e.g. ``"On or near High Street"``); ties go to the first alphabetically,
        and a place with no crimes gets a missing value. Columns of these names already in the
        source are kept as ``source_<name>``.

    Raises
    ------
    ValueError
        If fewer places than asked satisfy the separation, for a missing column, a score
        that is the same everywhere, a geographic CRS, both or neither of ``n`` and
        ``share``, a bad ``n`` or ``share``, or a result with no default score and no
        ``score``; ``crimes`` without the police.uk columns, in another CRS, or with
        no crime inside any picked place.
    TypeError
        If ``source`` is neither a GeoDataFrame nor a result with ``to_frame()``, or
        ``crimes`` is not a GeoDataFrame.

    See Also
    --------
    count_events : Counts to rank.
    kde : A density surface to rank.
    rank_places : Ranks with intervals.
    count_on_segments : Counts per street segment to rank.

    Notes
    -----
    Places with no events are ranked last only among the places scored: a NaN score is
    never picked. Ties are broken by the order of the places (``to_frame()`` order, which is cell id
    order on a grid), so the result is deterministic. The walk is greedy: the result is
    the set an analyst working down the list would choose, not the set with the highest
    total score. It stops as soon as enough places are kept.

    References
    ----------
    .. [1] Sherman, L. W. and Weisburd, D. (1995). General deterrent effects of police
       patrol in crime "hot spots": a randomized, controlled trial. Justice Quarterly 12(4),
       625-648. https://doi.org/10.1080/07418829500096221
    .. [2] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots:
       do police community support officers work? A randomized controlled trial. Journal of
       Experimental Criminology 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=5_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=150)
    >>> harm = hs.count_events(city.events, grid, weights="harm")
    >>> places = hs.select_places(harm, n=5, min_separation_m=300)  # ranked by weight_sum
    >>> len(places), places["rank"].tolist()
    (5, [1, 2, 3, 4, 5])
    >>> top = hs.select_places(harm.to_frame(), score="count", share=0.01)
    >>> len(top) == -(-grid.n_cells // 100)
    True

    A wide kernel spreads crime into empty cells; they rank after cells with events:

    >>> surface = hs.kde(city.events, grid=grid, bandwidth_m=1_000)
    >>> int((hs.select_places(surface, n=200)["n_events"] == 0).sum())
    0
    >>> alone = hs.select_places(surface, n=200, smoothing_only=True)  # density alone
    >>> bool((alone["n_events"] == 0).any())
    True

    Street segments (a plus sign: four 100 m arms meeting at one intersection),
    busiest first; with any separation, arms that meet cannot both be picked:

    >>> import geopandas as gpd
    >>> from shapely.geometry import LineString, Point
    >>> plus = gpd.GeoSeries(
    ...     [LineString([(0, 100), (200, 100)]), LineString([(100, 0), (100, 200)])],
    ...     crs=27700,
    ... )
    >>> events = gpd.GeoDataFrame(
    ...     geometry=[Point(20, 105), Point(30, 98), Point(100, 170)], crs=27700
    ... )
    >>> on_segments = hs.count_on_segments(events, hs.street_segments(plus), tolerance_m=10)
    >>> hs.select_places(on_segments, n=2)["count"].tolist()
    [2, 1]
    >>> len(hs.select_places(on_segments, share=1.0, min_separation_m=1))
    Traceback (most recent call last):
    ...
    ValueError: Only 1 places are 1 m apart among 4 scored places; ...
    """
    check_crimes(crimes)
    frame, column = _ranked_frame(source, score)
    geometry = require_polygons(frame, name="source", lines=True)
    require_exclusive({"n": n, "share": share}, required=True, fix="E.g. n=20 or share=0.01.")
    gap = require_positive(min_separation_m, name="min_separation_m", allow_zero=True)
    tally = _event_column(source, frame, events, smoothing_only=smoothing_only)
    values = frame[column].to_numpy(dtype=float)
    order = _ranking(values, column)
    if tally is not None:
        empty = ~(frame[tally].to_numpy(dtype=float)[order] > 0)
        order = order[np.argsort(empty, kind="stable")]  # places with events first
    if share is not None:
        fraction = require_range(share, name="share", low=0, low_open=True, high=1)
        wanted = max(1, math.ceil(fraction * len(order) - 1e-9))
    else:
        wanted = require_whole(n, name="n", minimum=1)
    kept = _walk(order, geometry.to_numpy(), gap, wanted)
    if len(kept) < wanted:
        found = f"are {gap:g} m apart among {len(order)} scored places" if gap else "have a score"
        asked = "`share`" if share is not None else "`n`"
        fix = f"({asked}) or lower `min_separation_m`" if gap else f"({asked}: at most {len(kept)})"
        raise ValueError(f"Only {len(kept)} places {found}; ask for fewer than {wanted} {fix}.")
    _warn_empty_picks(frame, kept, tally if tally is not None else column)
    picked = frame.iloc[kept].copy()
    picked = picked.rename(
        columns={c: f"source_{c}" for c in ("rank", "cumulative_share") if c in picked.columns}
    )
    picked["rank"] = np.arange(1, len(kept) + 1)
    finite = values[order]
    if len(finite) and finite.min() >= 0 and finite.sum() > 0:
        picked["cumulative_share"] = np.cumsum(values[kept]) / finite.sum()
    return label_places(picked, crimes)


def _warn_empty_picks(frame: gpd.GeoDataFrame, kept: list[int], column: str) -> None:
    """Warn when places with no events (or a zero count) had to be picked to reach ``n``."""
    values = frame[column].to_numpy(dtype=float)
    if np.nanmin(values, initial=0.0) < 0:  # not a count: zero means nothing
        return
    empty = int((~(values[kept] > 0)).sum())
    if empty:
        busy = int((values > 0).sum())
        warnings.warn(
            f"{empty} of the {len(kept)} places picked have no events ({column!r} is 0); "
            f"only {busy} places have any. Ask for at most {busy} places, or use a longer "
            "window of events.",
            HotspotlibWarning,
            stacklevel=3,
        )


def _ranked_frame(source: Any, score: str | None) -> tuple[gpd.GeoDataFrame, str]:
    """Return the places as a frame (a copy for results) and the column to rank by."""
    require_type(
        source,
        (gpd.GeoDataFrame, _Ranked),
        name="source",
        expected="a GeoDataFrame of places or a result with to_frame() (e.g. EventCounts)",
    )
    if isinstance(source, gpd.GeoDataFrame):
        if score is None and "score" in source.columns:
            score = "score"  # e.g. ForecastSurface.to_frame()
        layout = {"row", "col", "area_share", "cell_id"}  # a grid's columns, not scores
        numeric = [str(c) for c in source.select_dtypes("number").columns if c not in layout]
        column = require_given(
            score,
            name="score",
            when="`source` is a GeoDataFrame without a `score` column",
            fix=f"Name the column to rank by, e.g. score={numeric[0]!r} (numeric columns: "
            f"{', '.join(numeric[:8])}{', ...' if len(numeric) > 8 else ''})."
            if numeric
            else "It has no numeric column: add one to rank by and name it.",
        )
        frame = source
    else:
        default = getattr(source, "_place_score", None)
        column = require_given(
            score if score is not None else default,
            name="score",
            when=f"`source` is a {type(source).__name__} (it has no default score)",
            fix="Name a column of `source.to_frame()` to rank by.",
        )
        frame = source.to_frame()
    require_type(column, str, name="score", expected="a column name")
    require_columns(frame, [column], name="source")
    return frame, column


def _event_column(
    source: Any, frame: gpd.GeoDataFrame, events: str | None, *, smoothing_only: bool
) -> str | None:
    """Return the column of training-event counts that puts empty places last, or None."""
    require_type(smoothing_only, bool, name="smoothing_only", expected="True or False")
    if smoothing_only:
        require_exclusive(
            {"events": events, "smoothing_only": True},
            fix="Drop `events` to rank by the score alone, or `smoothing_only` to rank "
            "places with events first.",
        )
        return None
    column = events if events is not None else getattr(source, "_place_events", None)
    if column is None:
        return None
    require_type(column, str, name="events", expected="a column name")
    require_columns(frame, [column], name="source")
    return str(column)


def _ranking(values: NDArray[np.float64], column: str) -> NDArray[np.int64]:
    """Positions of the finite scores, highest first, ties in frame order."""
    scored = np.flatnonzero(np.isfinite(values))
    finite = values[scored]
    if len(finite) == 0 or (np.ptp(finite) == 0 and not (finite > 0).any()):
        what = "NaN or infinite" if len(finite) == 0 else f"{finite[0]:g}"
        raise ValueError(
            f"`source[{column!r}]` is {what} in every place, so there is nothing to rank; "
            "pass a score that varies (e.g. counts of events)."
        )
    return scored[np.argsort(-finite, kind="stable")]


def _walk(order: NDArray[np.int64], shapes: NDArray[Any], gap: float, wanted: int) -> list[int]:
    """Keep places down the ranking, each at least ``gap`` from those kept before it."""
    if gap == 0:
        return [int(p) for p in order[:wanted]]
    kept: list[int] = []
    for position in order:  # stops after `wanted` keeps; each check is vectorised over kept
        if not kept or shapely.distance(shapes[kept], shapes[position]).min() >= gap:
            kept.append(int(position))
            if len(kept) == wanted:
                break
    return kept
