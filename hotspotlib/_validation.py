"""The one place for input checks (the numeric ones are written in ``_numbers``).

Every public function validates its arguments here, at its top; internal code trusts
its inputs. Messages follow one template: *which* argument, *what* is wrong, *the value*,
and *the fix*.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import CRS, Transformer
from pyproj.exceptions import ProjError

# The numeric checks are written in _numbers and imported from here, with the rest.
from hotspotlib._numbers import (
    _short,
    require_finite,  # noqa: F401
    require_number,  # noqa: F401
    require_numbers,
    require_positive,  # noqa: F401
    require_probability,  # noqa: F401
    require_whole,  # noqa: F401
)

T = TypeVar("T")

_FIX_CRS = (
    "Project it first, e.g. `{name}.to_crs({name}.estimate_utm_crs())`, "
    "or `{name}.to_crs(27700)` in Great Britain."
)


def check_option(value: T, options: Any, *, name: str) -> T:
    """Return ``value`` if it is one of ``options`` (a ``Literal`` alias or a sequence).

    Raises ``ValueError`` listing the options otherwise; ``name`` is the argument's name.

    Examples
    --------
    >>> from hotspotlib._options import Kernel
    >>> check_option("quartic", Kernel, name="kernel")
    'quartic'
    """
    allowed = get_args(options) or tuple(options)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"`{name}` must be one of {listed}; got {_short(value)}.")
    return value


def as_rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``rng`` (a seed, a Generator or None) into a :class:`numpy.random.Generator`.

    Examples
    --------
    >>> int(as_rng(1).integers(10)) == int(as_rng(1).integers(10))
    True
    """
    if isinstance(rng, np.random.RandomState):
        raise TypeError(
            "`rng` must be an int, a numpy.random.Generator or None; got a legacy "
            "RandomState. Use `numpy.random.default_rng(seed)`."
        )
    if rng is not None and not isinstance(rng, (int, np.integer, np.random.Generator)):
        raise TypeError(
            f"`rng` must be an int, a numpy.random.Generator or None; got {_short(rng)}."
        )
    return np.random.default_rng(rng)


def require_nonempty(frame: pd.DataFrame | pd.Series, *, name: str) -> None:
    """Raise ``ValueError`` if ``frame`` has no rows."""
    if len(frame) == 0:
        raise ValueError(f"`{name}` is empty (0 rows); pass at least one row.")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> None:
    """Raise ``ValueError`` naming any of ``columns`` missing from ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], name="table")
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(repr(c) for c in list(frame.columns)[:20])
        raise ValueError(
            f"`{name}` is missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"it has {have}. Rename the columns or pass the right names."
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
    require_crs_area(bounds, facts, name=name)


def _require_metre_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str) -> _CrsFacts:
    """Refuse a missing, geographic, non-metre or Web Mercator CRS; return its facts."""
    crs = frame.crs
    fix = _FIX_CRS.format(name=name)
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
        raise ValueError(
            f"`{name}` uses Web Mercator ({label}), whose units are not metres on the "
            "ground (at 51.5 degrees N a 150 m cell is 93 m across). Project it to a local "
            f"CRS: `{name}.to_crs({name}.estimate_utm_crs())`, or `{name}.to_crs(27700)` "
            "in Great Britain."
        )
    return facts


def require_crs_area(
    bounds: tuple[float, float, float, float], facts: _CrsFacts, *, name: str
) -> None:
    """Refuse coordinates whose ``bounds`` (xmin, ymin, xmax, ymax) do not fit the CRS.

    Two checks, both on the bounds alone: coordinates that read as longitude/latitude
    inside the CRS's area of use are mislabelled degrees; coordinates outside the widened
    area of use are in another CRS.
    """
    xmin, ymin, xmax, ymax = bounds
    if not np.isfinite(bounds).all():
        return  # NaN coordinates are refused by the caller with their own message
    shown = f"x {xmin:,.6g} to {xmax:,.6g}, y {ymin:,.6g} to {ymax:,.6g}"
    if facts.area_lonlat is not None:
        west, south, east, north = facts.area_lonlat
        if west - 1 <= xmin and xmax <= east + 1 and south - 1 <= ymin and ymax <= north + 1:
            raise ValueError(
                f"`{name}` is labelled {facts.label} (metres) but its coordinates ({shown}) "
                "look like longitude/latitude in degrees. Label them as degrees and "
                f"project them: `{name}.set_crs(4326, allow_override=True)"
                f".to_crs({_epsg_or_label(facts)})`."
            )
    if facts.area_xy is not None:
        x0, y0, x1, y1 = facts.area_xy
        if xmin < x0 or ymin < y0 or xmax > x1 or ymax > y1:
            raise ValueError(
                f"`{name}` has coordinates ({shown}) outside the area where {facts.label} "
                f"is used (about x {x0:,.0f} to {x1:,.0f}, y {y0:,.0f} to {y1:,.0f}); the CRS "
                "label is probably wrong. Set the CRS the coordinates are really in, e.g. "
                f"`{name}.set_crs(4326, allow_override=True).to_crs({_epsg_or_label(facts)})` "
                "for longitude/latitude."
            )


def _epsg_or_label(facts: _CrsFacts) -> str:
    label = facts.label
    return label.split(":", 1)[1] if label.upper().startswith("EPSG:") else repr(label)


def require_same_crs(
    first: gpd.GeoDataFrame | gpd.GeoSeries,
    second: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    names: tuple[str, str],
) -> None:
    """Raise ``ValueError`` naming both CRSs when two layers differ."""
    one, two = first.crs, second.crs
    if one is not None and two is not None and (one is two or one.srs == two.srs):
        return  # the same label: no need for the slower full comparison
    if first.crs is None or second.crs is None or not first.crs.equals(second.crs):
        a = first.crs.to_string() if first.crs is not None else "no CRS"
        b = second.crs.to_string() if second.crs is not None else "no CRS"
        raise ValueError(
            f"`{names[0]}` ({a}) and `{names[1]}` ({b}) must share one CRS. "
            f"Project one onto the other: `{names[1]}.to_crs({names[0]}.crs)`."
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
    kinds = shapely.get_type_id(shapes)  # -1 when missing; empty points have no coordinates
    xy = shapely.get_coordinates(shapes).astype(float, copy=False)
    if len(xy) != len(shapes) or (kinds != shapely.GeometryType.POINT).any():
        missing = shapely.is_missing(shapes) | shapely.is_empty(shapes)
        if missing.any():
            raise ValueError(
                f"`{name}` has {int(missing.sum())} missing or empty geometries out of "
                f"{len(geom)}; drop or locate them first, e.g. `{name}[~{name}.geometry.is_empty]`."
            )
        wrong = kinds != shapely.GeometryType.POINT
        found = sorted(set(geom[wrong].geom_type.tolist()))
        raise ValueError(
            f"`{name}` must contain Point geometries; {int(wrong.sum())} are {', '.join(found)}. "
            f"Use `{name}.centroid` or `{name}.representative_point()` to turn areas into points."
        )
    bad = ~(np.isfinite(xy[:, 0]) & np.isfinite(xy[:, 1]))  # column-wise: fast
    if bad.any():
        raise ValueError(
            f"`{name}` has {int(bad.sum())} points with NaN or infinite coordinates; "
            "drop them first."
        )
    if facts is not None:  # bounds only: two passes over the columns, cheap on 1e6 points
        x, y = xy[:, 0], xy[:, 1]
        bounds = (float(x.min()), float(y.min()), float(x.max()), float(y.max()))
        require_crs_area(bounds, facts, name=name)
    return xy


def require_polygons(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str) -> gpd.GeoSeries:
    """Validate a layer of (multi)polygons with a projected CRS and return its geometry.

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
    wrong = ~np.isin(kinds, ["Polygon", "MultiPolygon"])
    if wrong.any():
        found = sorted(set(kinds[wrong].tolist()))
        raise ValueError(
            f"`{name}` must contain Polygon or MultiPolygon geometries; {int(wrong.sum())} are "
            f"{', '.join(found)}. Buffer points into areas with `{name}.buffer(radius_m)`."
        )
    xmin, ymin, xmax, ymax = (float(v) for v in geom.total_bounds)
    if not np.isfinite([xmin, ymin, xmax, ymax]).all():
        raise ValueError(f"`{name}` has NaN or infinite coordinates; drop those geometries.")
    require_crs_area((xmin, ymin, xmax, ymax), facts, name=name)
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
            UserWarning,
            stacklevel=3,
        )


def require_weights(
    frame: pd.DataFrame,
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None,
    *,
    name: str = "weights",
) -> NDArray[np.float64] | None:
    """Resolve ``weights`` (a column name or an array aligned with ``frame``) to an array.

    Return float64 weights, one per row (None when ``weights`` is None), which must be
    finite, non-negative and not all zero. A Series is matched to the rows by label.

    Examples
    --------
    >>> import pandas as pd
    >>> require_weights(pd.DataFrame({"harm": [1.0, 365.0]}), "harm")
    array([  1., 365.])
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(frame, [weights], name="events")
        source = f"column {weights!r}"
        raw = frame[weights]
        if not pd.api.types.is_numeric_dtype(raw):
            raise TypeError(
                f"`{name}` {source} must be numeric; it has dtype {raw.dtype}. Convert it "
                f"first, e.g. `events[{weights!r}] = pandas.to_numeric(events[{weights!r}])`."
            )
        values = raw.to_numpy(dtype=float)
    else:
        source = "array"
        if isinstance(weights, pd.Series) and not weights.index.equals(frame.index):
            source = "Series"
            found = frame.index.isin(weights.index) if weights.index.is_unique else [False]
            if len(weights) != len(frame) or not frame.index.is_unique or not np.all(found):
                raise ValueError(
                    f"`{name}` is a Series whose index labels are not the rows' labels; "
                    "reindex it to the rows, or pass `.to_numpy()` to use it by position."
                )
            weights = weights.reindex(frame.index)
        values = require_numbers(
            weights,
            name=name,
            fix="Pass a column name or one number per row (a list, array or Series).",
        )
        if values.shape != (len(frame),):
            raise ValueError(
                f"`{name}` must have one value per row ({len(frame)}); got shape {values.shape}."
            )
    if not np.isfinite(values).all():
        n_bad = int((~np.isfinite(values)).sum())
        raise ValueError(
            f"`{name}` ({source}) has {n_bad} NaN or infinite values; fill them "
            "(e.g. `.fillna(0)`) or drop those rows."
        )
    if (values < 0).any():
        raise ValueError(
            f"`{name}` ({source}) has {int((values < 0).sum())} negative values "
            f"(min {values.min():g}); weights must be >= 0."
        )
    if not (values > 0).any():
        raise ValueError(f"`{name}` ({source}) are all zero; nothing to weigh.")
    return values


_NUMERIC_DATE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]+(.*?))?\s*$"
_YEAR_FIRST = r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(.*?))?\s*$"
_MONTH_NAME = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
_DATE_FIX = (
    "pass `dayfirst=True` (UK: 31/01/2024) or `dayfirst=False` (or a `date_format=`), "
    "or read them first with `pd.to_datetime(values, format='%d/%m/%Y')`"
)


def _examples(values: Any, limit: int = 3) -> str:
    unique = pd.unique(np.asarray(values, dtype=object).ravel())
    shown = ", ".join(repr(v) for v in unique[:limit])
    return shown + (", ..." if len(unique) > limit else "")


def _order_fields(
    text: pd.Series, parts: pd.DataFrame, *, name: str, dayfirst: bool | None
) -> pd.Series:
    """Rewrite numeric ``a/b/yyyy`` dates as ISO 8601, settling which field is the day."""
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_evidence, month_evidence = text[first > 12], text[second > 12]
    if len(day_evidence) and len(month_evidence):
        raise ValueError(
            f"`{name}` mixes day-first dates ({_examples(day_evidence)}) and month-first "
            f"dates ({_examples(month_evidence)}); make them one format first."
        )
    if dayfirst is None:
        if not len(day_evidence) and not len(month_evidence):
            raise ValueError(
                f"`{name}` has dates such as {_examples(text)} that read both day-first and "
                f"month-first (no value has a field above 12); {_DATE_FIX}, or use ISO 8601 "
                "('2024-01-31')."
            )
        dayfirst = bool(len(day_evidence))
    contradicting = month_evidence if dayfirst else day_evidence
    if len(contradicting):
        order = "day-first" if dayfirst else "month-first"
        raise ValueError(
            f"`{name}` has dates such as {_examples(contradicting)} that cannot be {order}; "
            f"check `dayfirst` (it is {dayfirst})."
        )
    day, month = (first, second) if dayfirst else (second, first)
    clock = parts[3].fillna("").astype(str)
    return (
        parts[2]
        + "-"
        + month.astype(str).str.zfill(2)
        + "-"
        + day.astype(str).str.zfill(2)
        + clock.where(clock == "", " " + clock)
    )


def _parse_text(
    text: pd.Series, *, name: str, dayfirst: bool | None, date_format: str | None
) -> pd.Series:
    if date_format is not None:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    iso = text.copy()
    numeric = text.str.extract(_NUMERIC_DATE)
    is_numeric = numeric[0].notna()
    if is_numeric.any():
        iso[is_numeric] = _order_fields(
            text[is_numeric], numeric[is_numeric], name=name, dayfirst=dayfirst
        )
    year_first = text.str.extract(_YEAR_FIRST)
    is_year_first = year_first[0].notna()
    if is_year_first.any():
        ymd = year_first[is_year_first]
        clock = ymd[3].fillna("").astype(str)
        iso[is_year_first] = (
            ymd[0] + "-" + ymd[1].str.zfill(2) + "-" + ymd[2].str.zfill(2)
        ) + clock.where(clock == "", " " + clock)
    with warnings.catch_warnings():  # pandas 2.1-2.3 warn on mixed offsets; 3 raises
        warnings.filterwarnings("ignore", ".*mixed time zones", FutureWarning)
        parsed = pd.to_datetime(iso, format="ISO8601", errors="coerce")
    if not pd.api.types.is_datetime64_any_dtype(parsed):  # pandas < 3: objects
        raise ValueError("mixed time zones or UTC offsets")
    named = parsed.isna() & text.str.contains(_MONTH_NAME)
    if named.any():  # "2 January 2024", "Jan 2, 2024": the month is spelled out
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            extra = pd.to_datetime(text[named], format="mixed", errors="coerce")
        parsed = pd.concat([parsed[~named], extra]).sort_index()
    return parsed


def require_timestamps(
    values: Any,
    *,
    name: str,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Series:
    """Parse ``values`` to a datetime Series: the one date parser of the package.

    * Datetimes (``datetime64`` columns, ``Timestamp``, ``datetime``) are kept as they are.
    * ISO 8601 strings (``"2024-01-31"``, ``"2024-01-31T10:00+00:00"``, ``"2024-01"``)
      are always accepted, as are ``yyyy/mm/dd`` and spelled-out months.
    * Numeric day/month dates (``"01/02/2024"``, ``"01.02.2024"``, ``"01-02-2024"``) are
      read day-first or month-first as ``dayfirst`` says. When it is None the data settle
      it: a first field above 12 in some value means day-first (``"31/01/2024"``), a
      second field above 12 means month-first (``"01/31/2024"``); if every value has
      both fields <= 12 the dates are ambiguous and refused. pandas alone would guess
      month-first; UK police data are day-first.
    * ``date_format`` (e.g. ``"%d/%m/%Y"``) reads every value with that format.

    Raises
    ------
    ValueError
        Naming ``name``: ambiguous or contradictory day/month order, missing values or
        values that cannot be read (with their count and examples), times in more
        than one time zone.
    TypeError
        Numbers (epoch seconds are not read silently) or other non-date values.

    Examples
    --------
    >>> require_timestamps(["2024-01-01 10:00"], name="time").dt.hour.tolist()
    [10]
    >>> require_timestamps(["31/01/2024", "01/02/2024"], name="date").dt.month.tolist()
    [1, 2]
    """
    import datetime as _dt

    series = values.copy() if isinstance(values, pd.Series) else pd.Series(values)
    if dayfirst is not None and not isinstance(dayfirst, bool | np.bool_):
        raise TypeError(f"`dayfirst` must be True, False or None; got {_short(dayfirst)}.")
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(f"`date_format` must be a string such as '%d/%m/%Y'; got {date_format!r}.")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise TypeError(
            f"`{name}` holds numbers (dtype {series.dtype}), not dates; convert them "
            "explicitly, e.g. `pd.to_datetime(values, unit='s')` for epoch seconds."
        )
    missing = series.isna() | series.astype(str).str.strip().eq("")
    if missing.any():
        raise ValueError(
            f"`{name}` has {int(missing.sum())} missing timestamps out of {len(series)}; "
            "drop those rows first."
        )
    index = series.index
    series = series.reset_index(drop=True)
    try:
        if pd.api.types.is_datetime64_any_dtype(series):
            parsed = series
        elif isinstance(series.dtype, pd.StringDtype):  # text only: no per-value type check
            parsed = _parse_text(
                series.astype(str), name=name, dayfirst=dayfirst, date_format=date_format
            )
        else:
            kinds = series.map(type)
            is_text = kinds.map(lambda kind: issubclass(kind, str)).astype(bool)
            stamp_like = (_dt.date, np.datetime64, pd.Timestamp)
            is_stamp = kinds.map(lambda kind: issubclass(kind, stamp_like)).astype(bool)
            if not (is_text | is_stamp).all():
                other = series[~(is_text | is_stamp)]
                raise TypeError(
                    f"`{name}` has {len(other)} values that are neither dates nor text, such "
                    f"as {_examples(other)}; pass datetimes or ISO 8601 strings."
                )
            if not is_text.any():
                parsed = pd.to_datetime(series)
            else:
                text = series.astype(object)
                text[~is_text] = [str(pd.Timestamp(v)) for v in series[~is_text]]
                parsed = _parse_text(
                    text.astype(str), name=name, dayfirst=dayfirst, date_format=date_format
                )
    except (ValueError, pd.errors.OutOfBoundsDatetime) as error:
        if str(error).startswith(f"`{name}`"):
            raise
        raise ValueError(
            f"`{name}` could not be read as one set of times ({error}). Times with "
            "different time zones or UTC offsets must be converted to one zone first, "
            "e.g. `pd.to_datetime(values, utc=True).dt.tz_convert('Europe/London')`."
        ) from error
    if not pd.api.types.is_datetime64_any_dtype(parsed):
        raise ValueError(
            f"`{name}` mixes time-zone-aware and naive times (or several zones); "
            "give them all one time zone (`.dt.tz_localize(...)`) or none."
        )
    unreadable = parsed.isna()
    if unreadable.any():
        how = f"with `date_format={date_format!r}`" if date_format else "as dates/times"
        raise ValueError(
            f"`{name}` could not be parsed: {int(unreadable.sum())} of {len(parsed)} values "
            f"could not be read {how}, such as {_examples(series[unreadable])}; use ISO 8601 "
            "('2024-01-31 10:00') or pass `date_format=`."
        )
    parsed.index = index
    return parsed


def require_timestamp(
    value: Any,
    *,
    name: str,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Timestamp:
    """Parse one date or time (e.g. ``start``) with :func:`require_timestamps`' rules.

    Examples
    --------
    >>> require_timestamp("31/01/2024", name="start")
    Timestamp('2024-01-31 00:00:00')
    """
    import datetime as _dt

    if value is None:
        raise ValueError(
            f"`{name}` is missing; pass a date or time such as '2024-01-31' (ISO 8601)."
        )
    if not isinstance(value, str | _dt.date | np.datetime64 | pd.Timestamp):
        raise TypeError(
            f"`{name}` must be a date, a Timestamp or an ISO 8601 string such as "
            f"'2024-01-31'; got {_short(value)} ({type(value).__name__})."
        )
    return pd.Timestamp(
        require_timestamps([value], name=name, dayfirst=dayfirst, date_format=date_format).iloc[0]
    )


def require_moment(
    value: Any, *, name: str, like: pd.Series, dayfirst: bool | None = None
) -> pd.Timestamp:
    """Parse one date/time ``value``, with a time zone exactly when the times ``like`` have one.

    ``value`` is read by :func:`require_timestamp` (ISO 8601, or a slash date whose
    order the value or ``dayfirst`` settles).

    Examples
    --------
    >>> import pandas as pd
    >>> require_moment("2024-07-01", name="origin", like=pd.Series(pd.to_datetime(["2024-01-01"])))
    Timestamp('2024-07-01 00:00:00')
    """
    moment = require_timestamp(value, name=name, dayfirst=dayfirst)
    zone = getattr(like.dt, "tz", None)
    if (moment.tz is None) != (zone is None):
        raise ValueError(
            f"`{name}` ({moment}) and the event times ({zone or 'no time zone'}) must both "
            "have a time zone or both have none; use `pd.Timestamp(value, tz=...)`."
        )
    return moment


def wall_clock(values: Any, tz: Any = None) -> Any:
    """Read times on one local wall clock (time-zone-naive), the package's one clock.

    Aware times are converted to ``tz`` (when given) and then read as that zone's local
    clock; naive times are taken to be local times already. Events, pings, schedules
    and periods are all compared on this clock, so a day is a local calendar day.
    Works on a datetime Series, a DatetimeIndex or a Timestamp.
    """
    zone = values.tz if isinstance(values, pd.Timestamp | pd.DatetimeIndex) else None
    if isinstance(values, pd.Series):
        zone = getattr(values.dt, "tz", None)
    if zone is None:
        return values
    if isinstance(values, pd.Series):
        aware = values.dt.tz_convert(tz) if tz is not None else values
        return aware.dt.tz_localize(None)
    aware = values.tz_convert(tz) if tz is not None else values
    return aware.tz_localize(None)


def _describe_keys(keys: Any) -> str:
    if isinstance(keys, str):  # the caller's own description, e.g. a bounding box
        return keys
    array = pd.Series(np.asarray(keys) if not isinstance(keys, pd.Series) else keys)
    if pd.api.types.is_datetime64_any_dtype(array):
        if not len(array):
            return f"no times (dtype {array.dtype})"
        return f"times from {array.min()} to {array.max()} (dtype {array.dtype})"
    kinds = sorted({type(v).__name__ for v in array.iloc[:1000]})
    types = ", ".join(kinds)
    return f"{array.nunique()} keys such as {_examples(array)} (dtype {array.dtype}: {types})"


def require_join(
    left_keys: Any,
    right_keys: Any,
    *,
    left: str,
    right: str,
    matched: NDArray[np.bool_] | None = None,
    what: str = "rows",
    share: float = 0.5,
) -> NDArray[np.bool_]:
    """Match ``left_keys`` against ``right_keys``; refuse an empty join, warn on big drops.

    Returns the boolean mask of the left rows that found a match (``matched`` when the
    caller has worked it out already, e.g. times inside a period whose start and end are
    ``right_keys``). Nothing matching is a ``ValueError`` that shows both sides (a few
    keys and their types, or the time ranges); more than ``share`` of the left rows
    unmatched is a ``UserWarning`` with the counts (``share=1`` never warns: used where
    most rows are expected to fall outside, such as events outside a trial period).

    Examples
    --------
    >>> require_join([1, 2, 2], [2, 3], left="events['place']", right="places").tolist()
    [False, True, True]
    """
    if matched is None:
        right_index = pd.Index(
            np.asarray(right_keys, dtype=object)
            if not isinstance(right_keys, pd.Index)
            else right_keys
        )
        matched = right_index.get_indexer_for(pd.Index(left_keys)) >= 0
    matched = np.asarray(matched, dtype=bool)
    n, n_matched = len(matched), int(matched.sum())
    if n and n_matched == 0:
        left_text, right_text = _describe_keys(left_keys), _describe_keys(right_keys)
        fix = "check that both sides describe the same places and period"
        if not isinstance(left_keys, str) and not isinstance(right_keys, str):
            texts = [
                any(isinstance(v, str) for v in pd.Series(keys).iloc[:1000])
                for keys in (left_keys, right_keys)
            ]
            if texts[0] != texts[1]:
                fix = "the ids are text on one side and numbers on the other; convert one side"
        raise ValueError(
            f"No {what} of `{left}` match `{right}` (0 of {n}): `{left}` has {left_text}; "
            f"`{right}` has {right_text}. {fix[0].upper() + fix[1:]}."
        )
    if n and (n - n_matched) > share * n:
        warnings.warn(
            f"{n - n_matched} of {n} {what} ({(n - n_matched) / n:.0%}) have a `{left}` "
            f"that matches nothing in `{right}` and are left out; `{left}` has "
            f"{_describe_keys(left_keys)}, `{right}` has {_describe_keys(right_keys)}.",
            UserWarning,
            stacklevel=3,
        )
    return matched


def require_id_type(values: Any, *, name: str) -> None:
    """Refuse an id column that mixes text and numbers (``1`` and ``"1"``).

    Mixed types would split one officer or place in two (``1 != "1"``); nothing is
    converted silently. The fix is one type, e.g. ``.astype(str)``.

    Examples
    --------
    >>> require_id_type(["A", "B"], name="officer")
    """
    series = pd.Series(values)
    if series.dtype != object and not pd.api.types.is_string_dtype(series):
        return
    present = series.dropna()
    is_text = present.map(lambda v: isinstance(v, str)).astype(bool)
    if is_text.any() and not is_text.all():
        raise ValueError(
            f"`{name}` mixes text and numbers ({int(is_text.sum())} text ids such as "
            f"{_examples(present[is_text])}, {int((~is_text).sum())} others such as "
            f"{_examples(present[~is_text])}): 1 and '1' would count as two ids. "
            f"Give them one type, e.g. `.astype(str)`."
        )


def require_grid_size(n_cells: int, *, max_cells: int, name: str = "cell_size_m") -> None:
    """Refuse, before allocating, a grid of more than ``max_cells`` cells (ValueError)."""
    if n_cells > max_cells:
        megabytes = n_cells * 8 * 6 / 1e6  # a handful of float64 arrays per cell
        raise ValueError(
            f"The grid would have {n_cells:,} cells (about {megabytes:,.0f} MB to work with), "
            f"over the limit of {max_cells:,}. Use a larger `{name}`, a smaller area, "
            "or raise `max_cells` if you have the memory."
        )


MAX_ALLOCATION_BYTES = 2 * 1024**3  # refuse single working sets above 2 GiB


def require_allocation(
    n_items: float,
    bytes_per_item: float,
    *,
    name: str,
    fix: str,
    what: str = "items",
    max_bytes: float = MAX_ALLOCATION_BYTES,
) -> None:
    """Refuse, before allocating, work whose memory grows past ``max_bytes``.

    ``n_items`` (a float, so that products of parameters cannot overflow) times
    ``bytes_per_item`` is the estimate; ``name`` is the argument that drives it and
    ``fix`` says what to change.

    Examples
    --------
    >>> require_allocation(1e6, 8, name="n_permutations", fix="Use fewer.")
    >>> require_allocation(1e12, 8, name="n_permutations", fix="Use fewer.")
    Traceback (most recent call last):
    ...
    ValueError: `n_permutations` would need 1e+12 items, about 7,451 GiB of memory, ...
    """
    need = float(n_items) * float(bytes_per_item)
    if need > max_bytes:
        raise ValueError(
            f"`{name}` would need {float(n_items):.3g} {what}, about "
            f"{need / 1024**3:,.0f} GiB of memory, over the limit of "
            f"{max_bytes / 1024**3:,.1f} GiB; refused before allocating. {fix}"
        )
