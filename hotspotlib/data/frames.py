"""Turning any table of events with coordinates into a GeoDataFrame."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from hotspotlib._validation import (
    require_columns,
    require_crs,
    require_nonempty,
    require_numeric_text,
    require_timestamps,
    require_type,
    require_unique,
    require_within,
)

__all__ = ["from_frame"]


def from_frame(
    df: pd.DataFrame,
    *,
    x: str,
    y: str,
    crs: Any,
    time: str | None = None,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> gpd.GeoDataFrame:
    """Build a GeoDataFrame of event points from any table with coordinate columns.

    Parameters
    ----------
    df : pandas.DataFrame
        One row per event (not modified). Every column is kept.
    x, y : str
        Names of the columns holding the coordinates (easting and northing, or
        longitude and latitude), in the units of ``crs``. Text that holds numbers is
        converted; anything else is an error.
    crs : str, int or pyproj.CRS
        The CRS the coordinates are in (required: guessing a CRS is how points end up
        in the sea). A geographic CRS such as ``"EPSG:4326"`` is accepted here, but
        the analysis functions need metres: project the result before using it, e.g.
        ``events.to_crs(27700)`` in Great Britain or
        ``events.to_crs(events.estimate_utm_crs())`` elsewhere.
    time : str, optional
        Name of a date/time column to parse (ISO 8601 text or datetimes); the parsed
        values replace the column in the result.
    dayfirst : bool, optional
        Read slash dates in ``time`` day-first (UK: ``"01/02/2024"`` is 1 February) or
        month-first; None lets the data settle it (a first field above 12 means
        day-first, a second field above 12 month-first) and refuses dates that could
        be either.
    date_format : str, optional
        An explicit format for ``time``, e.g. ``"%d/%m/%Y %H:%M"``.

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``df`` (same index and columns) with point geometry in ``crs``.

    Raises
    ------
    TypeError
        If ``df`` is not a DataFrame.
    ValueError
        If ``df`` is empty, a column is missing, a coordinate is not a finite number,
        ``crs`` is missing or invalid, geographic coordinates fall outside longitude
        -180 to 180 / latitude -90 to 90 (swapped columns or the wrong ``crs``),
        ``time`` has missing or unparseable values, or ``df`` already has a column
        named ``geometry``.

    See Also
    --------
    read_police_uk : Read police.uk street-level crime files directly.
    count_events : Count the events per grid cell or place.
    kde : A kernel density surface of the events.

    References
    ----------
    .. [1] data.police.uk, About the data (street-level crime, outcomes and stop and search
       files). https://data.police.uk/about/
    .. [2] PROJ contributors. PROJ coordinate transformation software. https://proj.org/

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspotlib.data import from_frame
    >>> table = pd.DataFrame({"x": [531000, 531200], "y": [181000, 181100],
    ...                       "when": ["2024-03-01 22:10", "2024-03-02 01:30"]})
    >>> events = from_frame(table, x="x", y="y", crs=27700, time="when")
    >>> events.crs.to_epsg(), events["when"].dt.hour.tolist()
    (27700, [22, 1])
    """
    require_type(df, pd.DataFrame, name="df", expected="a pandas DataFrame")
    require_nonempty(df, name="df")
    require_columns(df, [x, y] + ([time] if time is not None else []), name="df")
    source = require_crs(crs)
    if getattr(df, "_geometry_column_name", None) != "geometry":
        require_unique(
            [*df.columns, "geometry"],
            name="df",
            what="column names: it already has a column named 'geometry', the name of the "
            "result's points (rename or drop it first)",
        )
    drop = "Clean them or drop those rows first, e.g. `df.dropna(subset=[...])`."
    xs = require_numeric_text(df[x], name=f"df[{x!r}] (x)", fix=drop)
    ys = require_numeric_text(df[y], name=f"df[{y!r}] (y)", fix=drop)
    if source.is_geographic:
        swapped = (
            f"`crs` {source.to_string()} is geographic: are `x` and `y` swapped, or are the "
            "coordinates projected (pass their projected CRS)?"
        )
        require_within(xs, name=f"df[{x!r}] (longitude)", low=-180, high=180, fix=swapped)
        require_within(ys, name=f"df[{y!r}] (latitude)", low=-90, high=90, fix=swapped)
    table = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame):
        table = table.drop(columns=[df.geometry.name])
    if time is not None:
        parsed = require_timestamps(
            table[time], name="time", dayfirst=dayfirst, date_format=date_format
        )
        table[time] = parsed.array
    return gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(xs, ys), crs=source)
