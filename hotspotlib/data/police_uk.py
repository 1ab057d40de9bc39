"""Reading police.uk street-level crime files.

police.uk publishes one CSV per force and month (``2024-01-essex-street.csv``) with
anonymised locations: each crime is snapped to one of a set of points ("On or near
<street>"), never its exact address. :func:`read_police_uk` reads any number of those
files into one projected GeoDataFrame with a harm weight per crime.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._options import HarmScheme
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.data._files import read_tables, resolve_paths
from hotspotlib.data._police_uk_common import parse_month, place, target_crs
from hotspotlib.data.harm import (
    HARM_TABLE_VERSION,
    apply_harm,
    canonical_crime_types,
    resolve_harm,
)

__all__ = ["read_police_uk"]

PathLike = str | os.PathLike[str]


def read_police_uk(
    paths: PathLike | Iterable[PathLike],
    *,
    crs: Any = "EPSG:27700",
    harm: HarmScheme | Mapping[str, float] = "cchi",
) -> gpd.GeoDataFrame:
    r"""Read police.uk street-level crime CSVs into one projected GeoDataFrame.

    Parameters
    ----------
    paths : path, glob or list of paths
        A CSV file (read whatever its name), a folder (every ``*-street.csv`` under
        it, recursively, and those inside the ``*.zip`` downloads under it that are
        not unzipped in place; if none, every CSV not named as another police.uk kind, such as
        ``crimes.csv``), a ``.zip`` as downloaded from data.police.uk (monthly folders
        of any number of forces, read without unzipping; its outcomes and
        stop-and-search files are skipped), a glob pattern
        (``"data/2024-*/*-street.csv"``) or a list of any of these. Files are read as
        UTF-8 (with or without a byte-order mark), else as Windows-1252.
    crs : str, int or pyproj.CRS
        Projected CRS in metres for the result; British National Grid by default.
    harm : {"cchi", "none"} or mapping
        Harm weights per crime type (see :func:`hotspotlib.data.harm_weights`): the
        indicative Cambridge Crime Harm Index days by default, or a mapping of your own.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per crime with a clean ``RangeIndex``, point geometry in ``crs`` and:

        - every column of the files, snake-cased (lower case, runs of other characters
          become ``_``): ``Crime ID`` -> ``crime_id``, ``Month`` -> ``month``,
          ``Reported by`` -> ``reported_by``, ``Falls within`` -> ``falls_within``,
          ``Longitude``/``Latitude`` -> ``longitude``/``latitude``, ``Location`` ->
          ``location``, ``LSOA code`` -> ``lsoa_code``, ``LSOA name`` -> ``lsoa_name``,
          ``Crime type`` -> ``crime_type``, ``Last outcome category`` ->
          ``last_outcome_category``, ``Context`` -> ``context``; old files'
          ``Easting``/``Northing`` -> ``easting``/``northing``; unknown columns are
          kept under their snake-cased names. Text columns stay text.
        - ``month``: datetime64 at the first day of the month. The ``YYYY-MM`` text is
          not kept; get it back with ``frame["month"].dt.strftime("%Y-%m")``. It is
          a month, not a date: ``attrs["hotspotlib"]["month_columns"]`` says so, and
          work in days (a daily trial panel, forecast windows that are not whole
          months) refuses it with the fix.
        - ``crime_type``: the current police.uk label. Legacy labels are mapped:
          ``"Violent crime"`` -> ``"Violence and sexual offences"``; ``"Public disorder
          and weapons"`` -> ``"Public order"`` (its larger successor, and the lower
          harm weight of the two it was split into). API slugs such as
          ``"violent-crime"`` are accepted too. Early files (2010-2013) used 6 and then
          11 categories, so series across those changes are not comparable by type.
        - ``harm``: the weight of the crime type under ``harm``.

        ``frame.attrs["hotspotlib"]`` records what happened: ``files`` (paths read),
        ``n_read`` (rows in the files), ``n_dropped_no_location`` (rows without
        coordinates), ``n_dropped_out_of_range`` (coordinates outside the United
        Kingdom), ``n_relabelled`` (legacy label or slug -> rows mapped),
        ``n_repeated_crime_id`` (rows whose non-blank Crime ID an earlier row has),
        ``n_anti_social_behaviour`` (rows of that type, kept: see Notes),
        ``harm_scheme`` (the scheme name, or ``"mapping"``), ``harm_table_version``
        (None for a mapping) and ``crs``. pandas keeps ``attrs`` through copies but
        not through every operation: read it straight after loading.

    Warns
    -----
    HotspotlibWarning
        When rows are dropped: rows without coordinates (police.uk publishes crimes
        it could not place with blank coordinates) and rows outside the United
        Kingdom (longitude -9 to 2.5, latitude 49.5 to 61; for Easting/Northing files,
        0-700 km east and 0-1,300 km north). The warning gives the numbers.
        When a non-blank Crime ID is on more than one row: the rows are kept (police.uk
        files do now and then repeat a record) and counted in ``n_repeated_crime_id``.

    Raises
    ------
    TypeError
        ``paths`` is not a path (or a list of paths).
    FileNotFoundError
        A path, folder, pattern or zip that finds no street-level file.
    ValueError
        An empty file, a file that is neither UTF-8 nor Windows-1252, a broken zip,
        the same police.uk file (one force, month and kind, such as
        ``2024-02-essex-street.csv``) found in two places, say two downloads whose
        months overlap or a folder listed with its own zip (the message names both:
        keep one copy; refused even when the copies are identical, since reading both
        would count each crime twice), a file without ``Month``, ``Crime type`` or
        coordinate columns,
        non-numeric coordinates, a month that is not ``YYYY-MM`` (the message names the
        file), no rows left or none with usable coordinates, a crime type without
        a harm weight (the message lists them with counts: pass a mapping covering
        them), or a ``crs`` that is not projected in metres.

    See Also
    --------
    harm_weights : CCHI harm weights for the police.uk crime types.
    read_outcomes : Outcomes from the same downloads.
    read_stop_search : Stop-and-search records from the same downloads.
    count_events : Count the events per grid cell or place.

    Notes
    -----
    police.uk lists anti-social behaviour incidents (no Crime ID) in the street-level
    files beside the crimes. They are not crimes: they are kept, with harm 0 under the
    built-in schemes, so a harm map is unchanged by them but a count of events includes
    them. To count crimes, drop them first:
    ``crimes[crimes["crime_type"] != "Anti-social behaviour"]``, as the command
    ``hotspotlib hotspots`` does unless given ``--include-asb``.

    Locations are anonymised snap points shared by many crimes, so many events have
    identical coordinates; that is expected, not an error. Very old files (2012) with
    ``Easting``/``Northing`` in British National Grid are read as EPSG:27700. Rows
    from files of both kinds can be mixed in one call.

    References
    ----------
    .. [1] data.police.uk, About the data (street-level crime, outcomes and stop and search
       files). https://data.police.uk/about/
    .. [2] data.police.uk, Custom download of the monthly street-level files.
       https://data.police.uk/data/

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.data import read_police_uk
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "2024-01-essex-street.csv").write_text(
    ...     "Crime ID,Month,Longitude,Latitude,Crime type\n"
    ...     "a1,2024-01,0.7110,51.5380,Robbery\n"
    ...     ",2024-01,0.7120,51.5390,Anti-social behaviour\n")
    >>> crimes = read_police_uk(folder)
    >>> crimes[["crime_type", "harm"]].values.tolist()
    [['Robbery', 365.0], ['Anti-social behaviour', 0.0]]
    >>> crimes.crs.to_epsg(), crimes.attrs["hotspotlib"]["n_read"]
    (27700, 2)
    >>> crimes.attrs["hotspotlib"]["n_anti_social_behaviour"]
    1
    >>> import shutil; shutil.rmtree(folder)
    """
    target = target_crs(crs)
    resolve_harm(harm, name="harm")  # fail on a bad scheme before reading any file
    sources = resolve_paths(paths, kind="street")
    table, files = read_tables(sources, kind="street")
    keep, xs, ys, counts = place(table, target=target, function="read_police_uk")
    table = table.loc[keep].reset_index(drop=True)
    table["month"] = parse_month(table["month"], files[keep].reset_index(drop=True))
    relabelled = _relabel(table)
    repeated = _repeated_ids(table)
    table["harm"] = apply_harm(table, scheme=harm).to_numpy()
    events = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(xs, ys), crs=target)
    events.attrs["hotspotlib"] = {
        "source": "police.uk street-level CSV",
        "files": [str(source) for source in sources],
        **counts,
        "n_relabelled": relabelled,
        "n_repeated_crime_id": repeated,
        "n_anti_social_behaviour": int(table["crime_type"].eq("Anti-social behaviour").sum()),
        "harm_scheme": harm if isinstance(harm, str) else "mapping",
        "harm_table_version": HARM_TABLE_VERSION if isinstance(harm, str) else None,
        "crs": target.to_string(),
        "month_columns": ["month"],  # months read as their 1st day: not dates
    }
    return events


def _repeated_ids(table: pd.DataFrame) -> int:
    """Count the rows whose non-blank Crime ID an earlier row has; warn when there are any."""
    if "crime_id" not in table.columns:
        return 0
    ids = table["crime_id"].str.strip()
    ids = ids[ids.notna() & ids.ne("")]
    again = ids.duplicated()
    n_repeated = int(again.sum())
    if n_repeated:
        examples = ", ".join(repr(i) for i in ids[again].unique()[:2])
        warnings.warn(
            f"read_police_uk kept {n_repeated} of {len(table)} rows whose Crime ID an "
            f"earlier row has too (e.g. {examples}): police.uk files now and then repeat "
            "a record, and a file copied or renamed into two places repeats all of its "
            "records. Each such row counts as a crime. See "
            "`frame.attrs['hotspotlib']['n_repeated_crime_id']`; to count each Crime ID "
            "once, keep `crimes[~crimes['crime_id'].duplicated() | crimes['crime_id'].isna()]`.",
            HotspotlibWarning,
            stacklevel=3,
        )
    return n_repeated


def _relabel(table: pd.DataFrame) -> dict[str, int]:
    """Put crime types in today's police.uk words; return how many rows each old label had."""
    codes, labels = pd.factorize(table["crime_type"])
    labels = pd.Series(labels, dtype="object")
    current = canonical_crime_types(labels)
    changed = np.flatnonzero(labels.str.strip().ne(current).to_numpy())
    per_label = np.bincount(codes[codes >= 0], minlength=len(labels))
    table["crime_type"] = np.where(codes >= 0, current.to_numpy()[codes], None)
    return {str(labels[i]): int(per_label[i]) for i in changed}
