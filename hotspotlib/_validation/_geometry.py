"""Geometry checks: points, polygons, CRSs in metres and their area of use, events inside."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError

from hotspotlib._validation._common import require_nonempty
from hotspotlib._validation._coordinates import checked_point_coordinates, point_coordinates
from hotspotlib._warnings import HotspotlibWarning

_FIX_CRS = (
    "Project it first, e.g. `{name}.to_crs({name}.estimate_utm_crs())`, "
    "or `{name}.to_crs(27700)` in Great Britain."
)


@dataclass(frozen=True)
class _CrsFacts:
    """What the checks need to know about one CRS, looked up once per CRS."""

    label: str
    geographic: bool
    units: frozenset[str]
    web_mercator: bool
    area_lonlat: tuple[float, float, float, float] | None  # west, south, east, north
    area_xy: tuple[float, float, float, float] | None  # the area of use in the CRS, widened


_AREA_MARGIN = 0.5  # widen the area of use by half its extent on each side ...
_AREA_MARGIN_MIN_M = 100_000.0  # ... and by at least 100 km


@functools.lru_cache(maxsize=64)
def _crs_facts_from(text: str) -> _CrsFacts:
    crs = CRS.from_user_input(text)
    operation = crs.coordinate_operation
    method = (operation.method_name if operation is not None else "").lower()
    units = frozenset(axis.unit_name for axis in crs.axis_info)
    area = crs.area_of_use
    area_lonlat = area_xy = None
    if area is not None and not crs.is_geographic:
        west, south, east, north = (float(v) for v in area.bounds)
        area_lonlat = (west, south, east, north)
        try:
            to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
            x0, y0, x1, y1 = to_crs.transform_bounds(west, south, east, north, densify_pts=21)
        except ProjError:  # an area pyproj cannot carry over: skip the bounds check
            x0 = y0 = x1 = y1 = float("nan")
        if np.isfinite([x0, y0, x1, y1]).all():
            mx = max(_AREA_MARGIN * (x1 - x0), _AREA_MARGIN_MIN_M)
            my = max(_AREA_MARGIN * (y1 - y0), _AREA_MARGIN_MIN_M)
            area_xy = (x0 - mx, y0 - my, x1 + mx, y1 + my)
    return _CrsFacts(
        label=crs.to_string(),
        geographic=bool(crs.is_geographic),
        units=units,
        web_mercator="pseudo mercator" in method or "pseudo-mercator" in crs.name.lower(),
        area_lonlat=area_lonlat,
        area_xy=area_xy,
    )


def _crs_facts(crs: Any) -> _CrsFacts:
    return _crs_facts_from(crs.srs or crs.to_wkt())


def require_projected_crs(
    frame: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    name: str,
    bounds: tuple[float, float, float, float] | None = None,
) -> None:
    """Require a projected CRS in metres on the ground, and coordinates that fit it.

    The coordinates' bounds (``bounds``, or the layer's own) must lie within the CRS's
    area of use, widened by half its extent (at least 100 km) on each side; coordinates
    that read as longitude/latitude inside that area are refused as mislabelled.

    Raises
    ------
    ValueError
        If the CRS is missing, geographic (degrees), not in metres, Web Mercator (whose
        "metres" are not metres on the ground away from the equator), or if the
        coordinates lie outside the CRS's area of use; the message names the CRS, the
        data's bounds and the fix.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pts = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=4326)
    >>> require_projected_crs(pts, name="events")
    Traceback (most recent call last):
    ...
    ValueError: `events` uses a geographic CRS (EPSG:4326) ...
    """
    facts = _require_metre_crs(frame, name=name)
    if bounds is None:
        if len(frame) == 0:
            return
        with np.errstate(invalid="ignore"):  # shapely 2.0 warns on NaN coordinates
            xmin, ymin, xmax, ymax = (float(v) for v in frame.total_bounds)
        bounds = (xmin, ymin, xmax, ymax)
    _require_crs_area(bounds, facts, name=name)


def _require_metre_crs(frame: Any, *, name: str, fix: str | None = None) -> _CrsFacts:
    """Refuse a missing, geographic, non-metre or Web Mercator CRS; return its facts.

    ``frame`` is anything with a ``crs``; ``fix`` replaces the advice to project it.
    """
    crs, given = frame.crs, fix
    fix = fix or _FIX_CRS.format(name=name)
    if crs is None:
        raise ValueError(
            f"`{name}` has no CRS; distances need a projected CRS in metres. "
            f"Set the CRS the coordinates are in with `{name}.set_crs(...)`, then project "
            f"it, e.g. `{name}.to_crs({name}.estimate_utm_crs())`."
        )
    facts = _crs_facts(crs)
    label = facts.label
    if facts.geographic:
        raise ValueError(
            f"`{name}` uses a geographic CRS ({label}) with coordinates in degrees; "
            f"distances need a projected CRS in metres. {fix}"
        )
    if not facts.units <= {"metre", "meter", "m"}:
        raise ValueError(
            f"`{name}` uses a projected CRS ({label}) in {', '.join(sorted(facts.units))}, "
            f"not metres; distances in this library are in metres. {fix}"
        )
    if facts.web_mercator:
        local = given or (
            f"Project it to a local CRS: `{name}.to_crs({name}.estimate_utm_crs())`, "
            f"or `{name}.to_crs(27700)` in Great Britain."
        )
        raise ValueError(
            f"`{name}` uses Web Mercator ({label}), whose units are not metres on the "
            f"ground (at 51.5 degrees N a 150 m cell is 93 m across). {local}"
        )
    return facts


def _require_crs_area(
    bounds: tuple[float, float, float, float],
    facts: _CrsFacts,
    *,
    name: str,
    relabel: str | None = None,
) -> None:
    """Refuse coordinates whose ``bounds`` (xmin, ymin, xmax, ymax) do not fit the CRS.

    Two checks, both on the bounds alone: coordinates that read as longitude/latitude
    inside the CRS's area of use are mislabelled degrees; coordinates outside the widened
    area of use are in another CRS.
    """
    xmin, ymin, xmax, ymax = bounds
    if not np.isfinite(bounds).all():
        return  # NaN coordinates are refused by the caller with their own message
    relabel = relabel or (
        f"`{name}.set_crs(4326, allow_override=True).to_crs({_epsg_or_label(facts)})`"
    )
    shown = f"x {xmin:,.6g} to {xmax:,.6g}, y {ymin:,.6g} to {ymax:,.6g}"
    if facts.area_lonlat is not None:
        west, south, east, north = facts.area_lonlat
        if west - 1 <= xmin and xmax <= east + 1 and south - 1 <= ymin and ymax <= north + 1:
            raise ValueError(
                f"`{name}` is labelled {facts.label} (metres) but its coordinates ({shown}) "
                "look like longitude/latitude in degrees. Label them as degrees and "
                f"project them: {relabel}."
            )
    if facts.area_xy is not None:
        x0, y0, x1, y1 = facts.area_xy
        if xmin < x0 or ymin < y0 or xmax > x1 or ymax > y1:
            raise ValueError(
                f"`{name}` has coordinates ({shown}) outside the area where {facts.label} "
                f"is used (about x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}); the CRS "
                "label is probably wrong. Set the CRS the coordinates are really in, e.g. "
                f"{relabel} for longitude/latitude."
            )


def _epsg_or_label(facts: _CrsFacts) -> str:
    label = facts.label
    return label.split(":", 1)[1] if label.upper().startswith("EPSG:") else repr(label)


def require_same_crs(
    first: Any, second: Any, *, names: tuple[str, str], target: str | None = None
) -> None:
    """Raise ``ValueError`` naming both CRSs when two layers (anything with a ``crs``) differ.

    ``target`` is how the fix names the first CRS (default ``<first>.crs``).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> events = gpd.GeoDataFrame(geometry=[Point(530_000, 180_000)], crs=27700)
    >>> require_same_crs(events, events, names=("events", "grid"))
    >>> require_same_crs(events, events.to_crs(32630), names=("events", "grid"))
    Traceback (most recent call last):
    ...
    ValueError: `events` (EPSG:27700) and `grid` (EPSG:32630) ...
    """
    one, two = first.crs, second.crs
    if one is not None and two is not None and (one is two or one.srs == two.srs):
        return  # the same label: no need for the slower full comparison
    if first.crs is None or second.crs is None or not first.crs.equals(second.crs):
        a = first.crs.to_string() if first.crs is not None else "no CRS"
        b = second.crs.to_string() if second.crs is not None else "no CRS"
        raise ValueError(
            f"`{names[0]}` ({a}) and `{names[1]}` ({b}) must share one CRS. "
            f"Project one onto the other: `{names[1]}.to_crs({target or names[0] + '.crs'})`."
        )


def _require_geoframe(frame: Any, *, name: str) -> None:
    if not isinstance(frame, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise TypeError(
            f"`{name}` must be a GeoDataFrame or GeoSeries; got {type(frame).__name__}. "
            "Build one with `hotspotlib.data.from_frame(df, x=..., y=..., crs=...)`."
        )


def _geometry(frame: gpd.GeoDataFrame | gpd.GeoSeries) -> gpd.GeoSeries:
    return frame.geometry if isinstance(frame, gpd.GeoDataFrame) else frame


def require_points(
    frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str, projected: bool = True
) -> NDArray[np.float64]:
    """Validate a layer of points and return its coordinates as an ``(n, 2)`` array.

    Checks: a GeoDataFrame/GeoSeries, not empty, a projected CRS in metres (unless
    ``projected=False``), every geometry a non-empty Point, every coordinate finite.

    Returns
    -------
    numpy.ndarray
        Float64 array of shape ``(n, 2)``: x and y in the layer's CRS.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> pts = gpd.GeoDataFrame(geometry=[Point(1, 2), Point(3, 4)], crs=27700)
    >>> require_points(pts, name="events")
    array([[1., 2.],
           [3., 4.]])
    """
    _require_geoframe(frame, name=name)
    require_nonempty(frame, name=name)
    facts = _require_metre_crs(frame, name=name) if projected else None
    geom = _geometry(frame)
    shapes = np.asarray(geom.array)  # shapely's vectorised functions: fast on 1e6 points
    found = point_coordinates(shapes)
    if found is None:  # something is wrong: find what, with the full checks
        found = checked_point_coordinates(geom, shapes, name=name)
    xy, bounds = found
    if facts is not None:  # bounds only, found with the coordinates
        _require_crs_area(bounds, facts, name=name)
    return xy


def require_polygons(
    frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str, lines: bool = False
) -> gpd.GeoSeries:
    """Validate a layer of (multi)polygons with a projected CRS and return its geometry.

    ``lines=True`` also accepts (multi)linestrings (street segments as places).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> areas = gpd.GeoDataFrame(geometry=[box(0, 0, 10, 10)], crs=27700)
    >>> require_polygons(areas, name="area").area.tolist()
    [100.0]
    """
    _require_geoframe(frame, name=name)
    require_nonempty(frame, name=name)
    facts = _require_metre_crs(frame, name=name)
    geom = _geometry(frame)
    missing = geom.isna().to_numpy() | geom.is_empty.to_numpy()
    if missing.any():
        raise ValueError(
            f"`{name}` has {int(missing.sum())} missing or empty geometries; drop them first."
        )
    kinds = geom.geom_type.to_numpy()
    allowed = ["Polygon", "MultiPolygon", *(["LineString", "MultiLineString"] if lines else [])]
    wrong = ~np.isin(kinds, allowed)
    if wrong.any():
        found = sorted(set(kinds[wrong].tolist()))
        raise ValueError(
            f"`{name}` must contain {', '.join(allowed[:-1])} or {allowed[-1]} geometries; "
            f"{int(wrong.sum())} are "
            f"{', '.join(found)}. Buffer points into areas with `{name}.buffer(radius_m)`."
        )
    xmin, ymin, xmax, ymax = (float(v) for v in geom.total_bounds)
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        raise ValueError(f"`{name}` has NaN or infinite coordinates; drop those geometries.")
    _require_crs_area((xmin, ymin, xmax, ymax), facts, name=name)
    return geom


def _bounds_text(bounds: Sequence[float]) -> str:
    xmin, ymin, xmax, ymax = (float(v) for v in bounds)
    return f"x {xmin:,.6g} to {xmax:,.6g}, y {ymin:,.6g} to {ymax:,.6g}"


def require_some_inside(
    n_outside: int,
    n_events: int,
    *,
    events_bounds: Sequence[float],
    area_bounds: Sequence[float],
    name: str = "events",
    area: str = "grid",
    warn_share: float = 0.5,
) -> None:
    """Refuse events that all fall outside ``area``; warn, with counts, when most do.

    The message shows both layers' bounds, so a wrong CRS or a wrong area is plain.

    Examples
    --------
    >>> require_some_inside(3, 10, events_bounds=(0, 0, 5, 5), area_bounds=(0, 0, 4, 4))
    >>> require_some_inside(10, 10, events_bounds=(0, 0, 5, 5), area_bounds=(9, 9, 12, 12))
    Traceback (most recent call last):
    ...
    ValueError: All 10 `events` fall outside the `grid`, ...
    """
    if n_events == 0:
        return
    if n_outside >= n_events:
        raise ValueError(
            f"All {n_events:,} `{name}` fall outside the `{area}`, so every count and density "
            f"would be zero: `{name}` span {_bounds_text(events_bounds)}; the `{area}` spans "
            f"{_bounds_text(area_bounds)}. Check that both are in the same place and CRS."
        )
    if n_outside > warn_share * n_events:
        warnings.warn(
            f"{n_outside:,} of {n_events:,} `{name}` ({n_outside / n_events:.0%}) fall outside "
            f"the `{area}` and are not counted: `{name}` span {_bounds_text(events_bounds)}; "
            f"the `{area}` spans {_bounds_text(area_bounds)}.",
            HotspotlibWarning,
            stacklevel=3,
        )


def require_crs(crs: Any, *, name: str = "crs", metres: bool = False, fix: str = "") -> CRS:
    """Read a CRS the user names (an EPSG code, a string, a pyproj CRS) and return it.

    None, or anything pyproj cannot read, is a ``ValueError`` that says how to name one;
    ``metres=True`` also refuses a geographic CRS or one whose axes are not in metres.

    Examples
    --------
    >>> require_crs(27700).to_epsg()
    27700
    >>> require_crs(4326, metres=True)
    Traceback (most recent call last):
    ...
    ValueError: `crs` must be a projected CRS in metres; got EPSG:4326. ...
    """
    example = "e.g. 27700 for British National Grid metres or 4326 for longitude/latitude"
    if crs is None:
        raise ValueError(f"`{name}` is required: name the CRS the coordinates are in, {example}.")
    try:
        target = CRS.from_user_input(crs)
    except Exception as error:  # pyproj raises its own CRSError
        raise ValueError(f"`{name}` is not a valid CRS: {crs!r} ({error}).") from error
    units = {axis.unit_name for axis in target.axis_info}
    if metres and (target.is_geographic or not units <= {"metre", "meter", "m"}):
        raise ValueError(
            f"`{name}` must be a projected CRS in metres; got {target.to_string()}. "
            f"{fix or 'Pass one such as 27700 (British National Grid).'}"
        )
    return target
