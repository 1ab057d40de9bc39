"""Writing results for other tools: spreadsheet-safe CSV, GeoJSON and GeoPackage.

Values that come from input files (a police.uk ``Location``, place or officer ids) can
start with ``=``, ``+``, ``-`` or ``@``; a spreadsheet opening a CSV runs such a cell as a
formula (spreadsheets skip leading spaces, so ``" =1+1"`` is one too). :func:`to_csv`
writes those text cells with a leading single quote, which spreadsheets show as text,
and leaves numbers as numbers. GeoJSON is written in WGS84 longitude/latitude as RFC
7946 requires; GeoPackage keeps the working CRS. Longitude and latitude are written to
``LONLAT_DECIMALS`` (6) decimal places, about 0.1 m: coordinates projected to metres and
back carry float noise (``-2.587899988809744`` for ``-2.5879``) and no more precision.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hotspotlib._lonlat import lonlat
from hotspotlib._validation import check_option, require_crs, require_found, require_type

__all__ = ["to_csv", "to_geojson", "to_geopackage"]

PathLike = str | os.PathLike[str]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters a spreadsheet may read as the start of a formula (OWASP CSV injection)."""

_PLAIN_NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"

LONLAT_DECIMALS = 6
"""Decimal places of the longitude and latitude written: 1e-6 degree is about 0.1 m."""
_LONLAT = ("longitude", "latitude")


def _check_frame(frame: object, *, geo: bool) -> None:
    """Refuse anything but a (Geo)DataFrame to write."""
    if geo:
        expected = "a GeoDataFrame (use `hotspotlib.to_csv` for a table without geometry)"
        require_type(frame, gpd.GeoDataFrame, name="frame", expected=expected)
    else:
        expected = "a pandas DataFrame or GeoDataFrame"
        require_type(frame, pd.DataFrame, name="frame", expected=expected)


def _check_path(path: object, suffixes: tuple[str, ...]) -> Path:
    """Return the path to write: a str or Path with one of ``suffixes``, in a folder that exists."""
    expected = f"a file path (str or pathlib.Path) ending in {suffixes[0]}"
    require_type(path, (str, os.PathLike), name="path", expected=expected)
    target = Path(path)  # type: ignore[arg-type]
    check_option(target.suffix.lower(), suffixes, name="path's suffix")
    require_found(
        target.parent.is_dir(),
        name="path",
        what="such folder",
        where=repr(str(target.parent)),
        fix="Create it first.",
    )
    return target


def _require_crs(frame: gpd.GeoDataFrame) -> None:
    """Refuse a frame with no CRS: its coordinates cannot be written as longitude/latitude."""
    require_crs(frame.crs, name="frame.crs")


def _safe_text(column: pd.Series) -> pd.Series:
    """Prefix text cells that a spreadsheet would run as a formula with a single quote."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        column = column.astype(object)
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column):
        return column
    try:
        text = column.str  # NaN for cells that are not strings
    except AttributeError:  # no text at all (e.g. an object column of numbers)
        return column
    # na=False, not fillna: pandas 2.2-2.3 warn when fillna downcasts object results;
    # a formula after leading spaces (" =1+1") runs too, a number after them (" -5") is one
    stripped = text.lstrip()
    risky = text.startswith(FORMULA_STARTS, na=False).astype(bool)
    risky |= stripped.str.startswith(FORMULA_STARTS, na=False).astype(bool)
    risky &= ~stripped.str.fullmatch(_PLAIN_NUMBER, na=False).astype(bool)
    if not risky.any():
        return column
    safe = column.astype(object).copy()
    safe.loc[risky] = "'" + column[risky].astype(str)
    return safe


def _safe_label(label: object) -> object:
    if not isinstance(label, str):
        return label
    return "'" + label if _safe_text(pd.Series([label], dtype=object)).iloc[0] != label else label


def _rounded_lonlat(frame: pd.DataFrame) -> pd.DataFrame:
    """Round numeric ``longitude``/``latitude`` columns to ``LONLAT_DECIMALS`` (a copy)."""
    numeric = [c for c in _LONLAT if c in frame.columns and pd.api.types.is_float_dtype(frame[c])]
    if not numeric:
        return frame
    return frame.assign(**{c: frame[c].round(LONLAT_DECIMALS) for c in numeric})


def _with_lonlat(frame: gpd.GeoDataFrame) -> pd.DataFrame:
    _require_crs(frame)
    lon, lat = lonlat(frame.geometry)  # areas and cells by a point inside, in their CRS
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    table = table.drop(columns=[c for c in ("longitude", "latitude") if c in table.columns])
    return table.assign(longitude=lon, latitude=lat)  # rounded by the caller


def to_csv(frame: pd.DataFrame, path: PathLike, *, index: bool | None = None) -> Path:
    """Write a table to CSV, safe to open in a spreadsheet.

    Text cells that start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    (which Excel, LibreOffice and Google Sheets may run as a formula) are written with
    a leading single quote (``'=1+2``), which spreadsheets show as text; the same goes
    for column names and index labels, and for text whose first character after leading
    spaces is one of those (``" =1+1"``), since spreadsheets skip the spaces. Numbers
    stay numbers: a negative number, or text that is a plain number such as ``"-5"``,
    is written as it is. A GeoDataFrame is written with ``longitude`` and ``latitude``
    columns in WGS84 (EPSG:4326) in place of its geometry; areas and cells are placed
    by their centroid, or by a point inside them (``representative_point``) where the
    centroid falls outside, and any existing ``longitude``/``latitude`` columns are
    replaced by the geometry's. Float ``longitude`` and ``latitude`` columns are
    written to 6 decimal places (about 0.1 m; ``LONLAT_DECIMALS``). Lines end in CRLF
    as RFC 4180 says, and cells holding a line break are quoted.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        The table. It is not modified.
    path : str or pathlib.Path
        The ``.csv`` file to write (overwritten if it exists); its folder must exist.
    index : bool, optional
        Write the index as the first column(s). By default the index is written when
        it is named or is not the default ``0, 1, 2, ...``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        ``frame`` is not a DataFrame, or ``path`` is not a path.
    ValueError
        ``path`` does not end in ``.csv``, or a GeoDataFrame has no CRS.
    FileNotFoundError
        The folder of ``path`` does not exist.

    See Also
    --------
    to_geojson : GeoJSON in WGS84 for web maps.
    to_geopackage : A GeoPackage layer for QGIS or ArcGIS.

    References
    ----------
    .. [1] Shafranovich, Y. (2005). Common Format and MIME Type for Comma-Separated Values
       (CSV) Files. RFC 4180. https://www.rfc-editor.org/rfc/rfc4180
    .. [2] OWASP Foundation. CSV Injection.
       https://owasp.org/www-community/attacks/CSV_Injection

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> import hotspotlib as hs
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "places.csv"
    >>> frame = pd.DataFrame({"location": ["=HYPERLINK(1)", "High St"], "change": [-2, 3]})
    >>> print(hs.to_csv(frame, out).read_text(), end="")
    location,change
    '=HYPERLINK(1),-2
    High St,3
    """
    _check_frame(frame, geo=False)
    target = _check_path(path, (".csv",))
    table = _with_lonlat(frame) if isinstance(frame, gpd.GeoDataFrame) else frame
    if index is None:
        index = not (
            isinstance(table.index, pd.RangeIndex)
            and table.index.start == 0
            and table.index.step == 1
            and all(name is None for name in table.index.names)
        )
    if index:
        table = table.reset_index()
    table = _rounded_lonlat(table)
    safe = pd.DataFrame({i: _safe_text(table.iloc[:, i]) for i in range(table.shape[1])})
    safe.columns = [_safe_label(c) for c in table.columns]
    # CRLF line ends (RFC 4180) also make the writer quote cells holding \r or \n
    safe.to_csv(target, index=False, lineterminator="\r\n")
    return target


def to_geojson(frame: gpd.GeoDataFrame, path: PathLike) -> Path:
    """Write a GeoDataFrame to GeoJSON in WGS84 longitude/latitude (RFC 7946).

    RFC 7946 fixes GeoJSON coordinates to WGS84 (EPSG:4326); web maps and most tools
    read them so. The frame is reprojected on the way out (it is not modified); use
    :func:`to_geopackage` to keep the projected CRS, in metres. Coordinates, and float
    ``longitude``/``latitude`` columns, are written to 6 decimal places (about 0.1 m),
    the precision RFC 7946 suggests.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer, with a CRS.
    path : str or pathlib.Path
        The ``.geojson`` (or ``.json``) file to write, overwritten if it exists.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        ``frame`` is not a GeoDataFrame, or ``path`` is not a path.
    ValueError
        ``frame`` has no CRS, or ``path`` has another suffix.

    See Also
    --------
    to_geopackage : A GeoPackage layer in the working CRS.
    to_csv : A spreadsheet-safe CSV with longitude and latitude.

    References
    ----------
    .. [1] Butler, H., Daly, M., Doyle, A., Gillies, S., Hagen, S. and Schaub, T. (2016).
       The GeoJSON Format. RFC 7946. https://www.rfc-editor.org/rfc/rfc7946

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> import hotspotlib as hs
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "places.geojson"
    >>> places = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(588_000, 186_000)], crs=27700)
    >>> gpd.read_file(hs.to_geojson(places, out), engine="pyogrio").crs.to_epsg()
    4326
    """
    _check_frame(frame, geo=True)
    _require_crs(frame)
    target = _check_path(path, (".geojson", ".json"))
    target.unlink(missing_ok=True)
    _rounded_lonlat(frame.to_crs(4326)).to_file(
        target,
        driver="GeoJSON",
        engine="pyogrio",
        layer_options={"COORDINATE_PRECISION": LONLAT_DECIMALS},
    )
    return target


def to_geopackage(frame: gpd.GeoDataFrame, path: PathLike, *, layer: str | None = None) -> Path:
    """Write a GeoDataFrame to a GeoPackage layer in its own (working) CRS.

    GeoPackage stores the CRS with the data, so a layer in British National Grid
    metres (or any projected CRS) opens in QGIS or ArcGIS where it belongs. Float
    ``longitude``/``latitude`` columns are written to 6 decimal places (about 0.1 m).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        The layer, with a CRS.
    path : str or pathlib.Path
        The ``.gpkg`` file; other layers already in it are kept.
    layer : str, optional
        Layer name; the file's name without ``.gpkg`` by default. A layer of that name
        is replaced.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    TypeError
        ``frame`` is not a GeoDataFrame, ``path`` is not a path or ``layer`` is not text.
    ValueError
        ``frame`` has no CRS, or ``path`` does not end in ``.gpkg``.

    See Also
    --------
    to_geojson : GeoJSON in WGS84 for web maps.
    to_csv : A spreadsheet-safe CSV with longitude and latitude.

    References
    ----------
    .. [1] Open Geospatial Consortium. OGC GeoPackage Encoding Standard.
       https://www.geopackage.org/spec/

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd
    >>> from shapely.geometry import Point
    >>> import hotspotlib as hs
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "places.gpkg"
    >>> places = gpd.GeoDataFrame({"id": [1]}, geometry=[Point(588_000, 186_000)], crs=27700)
    >>> gpd.read_file(hs.to_geopackage(places, out), engine="pyogrio").crs.to_epsg()
    27700
    """
    _check_frame(frame, geo=True)
    _require_crs(frame)
    target = _check_path(path, (".gpkg",))
    require_type(layer, (str, type(None)), name="layer", expected="a str (a layer name) or None")
    layer_name = layer or target.stem
    _rounded_lonlat(frame).to_file(target, driver="GPKG", layer=layer_name, engine="pyogrio")
    return target
