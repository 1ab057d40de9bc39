"""The one place for input checks (the numeric ones are written in ``_numbers``).

Every public function validates its arguments here, at its top; internal code trusts
its inputs. Messages follow one template: *which* argument, *what* is wrong, *the value*,
and *the fix*.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, get_args

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray

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


def require_projected_crs(frame: gpd.GeoDataFrame | gpd.GeoSeries, *, name: str) -> None:
    """Require a projected CRS in metres.

    Raises
    ------
    ValueError
        If the CRS is missing, geographic (degrees) or not in metres; the message names
        the CRS and how to project.

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
    crs = frame.crs
    fix = _FIX_CRS.format(name=name)
    if crs is None:
        raise ValueError(
            f"`{name}` has no CRS; distances need a projected CRS in metres. "
            f"Set the CRS the coordinates are in with `{name}.set_crs(...)`, then project "
            f"it, e.g. `{name}.to_crs({name}.estimate_utm_crs())`."
        )
    label = crs.to_string()
    if crs.is_geographic:
        raise ValueError(
            f"`{name}` uses a geographic CRS ({label}) with coordinates in degrees; "
            f"distances need a projected CRS in metres. {fix}"
        )
    units = {axis.unit_name for axis in crs.axis_info}
    if not units <= {"metre", "meter", "m"}:
        raise ValueError(
            f"`{name}` uses a projected CRS ({label}) in {', '.join(sorted(units))}, not metres; "
            f"distances in this library are in metres. {fix}"
        )


def require_same_crs(
    first: gpd.GeoDataFrame | gpd.GeoSeries,
    second: gpd.GeoDataFrame | gpd.GeoSeries,
    *,
    names: tuple[str, str],
) -> None:
    """Raise ``ValueError`` naming both CRSs when two layers differ."""
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
    if projected:
        require_projected_crs(frame, name=name)
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
    require_projected_crs(frame, name=name)
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
    return geom


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


def require_timestamps(values: Any, *, name: str) -> pd.Series:
    """Parse ``values`` to a datetime Series, raising on anything missing or unparseable.

    Examples
    --------
    >>> require_timestamps(["2024-01-01 10:00"], name="time").dt.hour.tolist()
    [10]
    """
    series = pd.Series(values)
    try:
        with warnings.catch_warnings():  # pandas warns before failing on mixed formats
            warnings.simplefilter("ignore", UserWarning)
            parsed = pd.to_datetime(series)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` could not be parsed as dates/times ({error}); "
            "pass datetimes or ISO 8601 strings."
        ) from error
    missing = parsed.isna()
    if missing.any():
        raise ValueError(
            f"`{name}` has {int(missing.sum())} missing timestamps out of {len(parsed)}; "
            "drop those rows first."
        )
    return parsed


def require_moment(value: Any, *, name: str, like: pd.Series) -> pd.Timestamp:
    """Parse one date/time ``value``, with a time zone exactly when the times ``like`` have one.

    Examples
    --------
    >>> import pandas as pd
    >>> require_moment("2024-07-01", name="origin", like=pd.Series(pd.to_datetime(["2024-01-01"])))
    Timestamp('2024-07-01 00:00:00')
    """
    try:
        moment = pd.Timestamp(value)
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"`{name}` must be a date or time, e.g. '2024-07-01'; got {_short(value)}."
        ) from error
    if moment is pd.NaT:
        raise ValueError(f"`{name}` must be a date or time, e.g. '2024-07-01'; got {value!r}.")
    zone = getattr(like.dt, "tz", None)
    if (moment.tz is None) != (zone is None):
        raise ValueError(
            f"`{name}` ({moment}) and the event times ({zone or 'no time zone'}) must both "
            "have a time zone or both have none; use `pd.Timestamp(value, tz=...)`."
        )
    return moment


def require_grid_size(n_cells: int, *, max_cells: int, name: str = "cell_size_m") -> None:
    """Refuse, before allocating, a grid of more than ``max_cells`` cells (ValueError)."""
    if n_cells > max_cells:
        megabytes = n_cells * 8 * 6 / 1e6  # a handful of float64 arrays per cell
        raise ValueError(
            f"The grid would have {n_cells:,} cells (about {megabytes:,.0f} MB to work with), "
            f"over the limit of {max_cells:,}. Use a larger `{name}`, a smaller area, "
            "or raise `max_cells` if you have the memory."
        )
