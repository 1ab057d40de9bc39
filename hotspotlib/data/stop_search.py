"""Reading police.uk stop-and-search files.

police.uk publishes one ``*-stop-and-search.csv`` per force and month: one row per
search with its date and time, an anonymised location (when the force gave one), who
was searched, under which power, for what and with what outcome. Forces such as the
Metropolitan Police select hot spots from crime and stop-and-search together;
:func:`read_stop_search` reads the files as :func:`~hotspotlib.read_police_uk` reads
crimes, so the two can be counted on one grid.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib._validation import require_timestamps
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.data._files import read_tables, resolve_paths
from hotspotlib.data._police_uk_common import flags, force_of, place, target_crs

__all__ = ["read_stop_search"]

PathLike = str | os.PathLike[str]

TIME_ZONE = "Europe/London"
_FLAGS = (
    "part_of_a_policing_operation",
    "outcome_linked_to_object_of_search",
    "removal_of_more_than_just_outer_clothing",
)
# A UTC offset after a clock time: "2024-06-01T09:30:00+01:00", "... 09:30Z".
_OFFSET = r"[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})\s*$"
_USUAL_OFFSET = r"[+-]\d{2}:\d{2}"
_POLICE_UK_LAYOUT = "%Y-%m-%dT%H:%M:%S%z"


def _timestamps(values: pd.Series) -> tuple[pd.Series, int]:
    """Parse police.uk dates (ISO 8601 with a UTC offset) to UK time; count guessed ones.

    Each offset (GMT ``+00:00``, BST ``+01:00``) is read as one group by the package's
    date parser and converted to UTC; times without an offset are UK wall-clock times.
    """
    text = values.astype(object)
    # The offset is the last six characters in police.uk's own layout; look at each
    # distinct ending once, and search the rest of the rows for an offset elsewhere.
    tails, endings = pd.factorize(text.str[-6:])  # a missing date has code -1: the ""
    ends = pd.Series([*endings, ""], dtype="object")
    standard = ends.str.fullmatch(_USUAL_OFFSET).to_numpy(bool)[tails]
    offsets = pd.Series(ends.to_numpy()[tails], index=text.index)
    unusual = ~standard & text.notna().to_numpy()
    if unusual.any():
        found = text[unusual].str.extract(_OFFSET, expand=False).fillna("")
        offsets[unusual] = found.to_numpy()
    utc = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns, UTC]")
    n_guessed = 0
    for offset in pd.unique(offsets.to_numpy()):  # a few groups, each parsed vectorised
        rows = offsets.eq(offset).to_numpy()
        parsed = _parse(text[rows], with_offset=bool(offset))
        if offset:
            utc[rows] = parsed.dt.tz_convert("UTC")
            continue
        # a copy: pandas 2.0 treats the localised series as a view of `parsed`
        local = parsed.dt.tz_localize(TIME_ZONE, ambiguous="NaT", nonexistent="NaT").copy()
        unsure = local.isna().to_numpy()
        if unsure.any():  # the clock-change hours: an hour repeated or skipped
            n_guessed = int(unsure.sum())
            local[unsure] = parsed[unsure].dt.tz_localize(
                TIME_ZONE, ambiguous=np.ones(n_guessed, dtype=bool), nonexistent="shift_forward"
            )
        utc[rows] = local.dt.tz_convert("UTC")
    return utc.dt.tz_convert(TIME_ZONE), n_guessed


def _parse(text: pd.Series, *, with_offset: bool) -> pd.Series:
    """Read one group of dates: police.uk's exact layout first, else any ISO 8601 form."""
    if with_offset:
        try:
            return require_timestamps(text, name="Date", date_format=_POLICE_UK_LAYOUT)
        except ValueError:
            pass  # another ISO 8601 form (no seconds, "Z" ...): the general reading below
    return require_timestamps(text, name="Date")


def read_stop_search(
    paths: PathLike | Iterable[PathLike],
    *,
    crs: Any = "EPSG:27700",
) -> gpd.GeoDataFrame:
    r"""Read police.uk stop-and-search CSVs into one projected GeoDataFrame.

    Parameters
    ----------
    paths : path, glob or list of paths
        A CSV file (read whatever its name), a folder (every ``*-stop-and-search.csv``
        under it, recursively, and those inside the ``*.zip`` downloads under it not
        unzipped in place; if none, every CSV not named as another police.uk kind), a ``.zip`` as
        downloaded from data.police.uk (monthly folders of any number of forces, read
        without unzipping; its street-level and outcomes files are skipped), a glob
        pattern or a list of any of these. Files are read as UTF-8 (with or without a
        byte-order mark), else as Windows-1252.
    crs : str, int or pyproj.CRS
        Projected CRS in metres for the result; British National Grid by default.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per search with a clean ``RangeIndex``, point geometry in ``crs`` and:

        - every column of the files, snake-cased: ``Type`` -> ``type``, ``Part of a
          policing operation`` -> ``part_of_a_policing_operation``, ``Policing
          operation`` -> ``policing_operation``, ``Latitude``/``Longitude`` ->
          ``latitude``/``longitude``, ``Gender`` -> ``gender``, ``Age range`` ->
          ``age_range``, ``Self-defined ethnicity`` -> ``self_defined_ethnicity``,
          ``Officer-defined ethnicity`` -> ``officer_defined_ethnicity``,
          ``Legislation`` -> ``legislation``, ``Object of search`` ->
          ``object_of_search``, ``Outcome`` -> ``outcome``, ``Outcome linked to object
          of search`` -> ``outcome_linked_to_object_of_search``, ``Removal of more than
          just outer clothing`` -> ``removal_of_more_than_just_outer_clothing``;
          unknown columns are kept under their snake-cased names. Text stays text.
        - ``timestamp`` in place of ``Date``: time-zone-aware, in UK time
          (``Europe/London``); ``frame["timestamp"].dt.tz_convert("UTC")`` gives UTC.
        - the three yes/no columns as nullable booleans (blank -> ``<NA>``).
        - ``force``: the force named in the file name (``2024-01-essex-stop-and-search.csv``
          -> ``"essex"``; missing when the name has another form), because the files,
          unlike street-level crime, have no "Falls within" column.

        ``frame.attrs["hotspotlib"]`` records ``files``, ``n_read`` (rows in the
        files), ``n_dropped_no_location``, ``n_dropped_out_of_range``,
        ``n_local_times_guessed`` (see Notes), ``time_zone`` and ``crs``. Read it
        straight after loading: pandas does not keep ``attrs`` through every operation.

    Warns
    -----
    HotspotlibWarning
        When rows are dropped, with the numbers: searches without coordinates (forces
        leave the location blank for many searches, e.g. in vehicles or on private
        property; often a large share) and coordinates outside the United Kingdom. Also
        when times without a UTC offset fall in a clock-change hour (see Notes).

    Raises
    ------
    TypeError
        ``paths`` is not a path (or a list of paths).
    FileNotFoundError
        A path, folder, pattern or zip that finds no stop-and-search file.
    ValueError
        An empty file, a file that is neither UTF-8 nor Windows-1252, a broken zip, a
        file without ``Type``, ``Date``, ``Longitude`` or ``Latitude`` columns,
        non-numeric coordinates, a missing or unreadable date, a yes/no column holding
        other values, no rows left or none with usable coordinates, or a ``crs`` that
        is not projected in metres.

    See Also
    --------
    read_police_uk : Street-level crime from the same downloads.
    read_outcomes : Outcomes of crimes from the same downloads.

    Notes
    -----
    police.uk gives each search's date and time in ISO 8601 with a UTC offset
    (``2024-06-01T09:30:00+01:00`` in summer). Each offset is honoured; a time without
    one is taken as UK wall-clock time, and where that is ambiguous or does not exist
    (the hour the clocks go back or forward) it is read as summer time, counted in
    ``n_local_times_guessed`` and warned about. Locations are anonymised snap points
    shared with street-level crime, so many searches share coordinates.

    References
    ----------
    .. [1] data.police.uk, "About: stop and search data".
       https://data.police.uk/about/#stop-and-search

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.data import read_stop_search
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "2024-06-essex-stop-and-search.csv").write_text(
    ...     "Type,Date,Part of a policing operation,Latitude,Longitude,Object of search\n"
    ...     "Person search,2024-06-01T09:30:00+01:00,False,51.538,0.711,Controlled drugs\n")
    >>> stops = read_stop_search(folder)
    >>> stops["timestamp"].dt.strftime("%H:%M %Z").tolist(), stops["force"].tolist()
    (['09:30 BST'], ['essex'])
    >>> stops.crs.to_epsg(), bool(stops["part_of_a_policing_operation"].iloc[0])
    (27700, False)
    >>> import shutil; shutil.rmtree(folder)
    """
    target = target_crs(crs)
    sources = resolve_paths(paths, kind="stop-and-search")
    table, files = read_tables(sources, kind="stop-and-search")
    keep, xs, ys, counts = place(table, target=target, function="read_stop_search")
    table = table.loc[keep].reset_index(drop=True)
    timestamps, n_guessed = _timestamps(table["date"])
    if n_guessed:
        warnings.warn(
            f"read_stop_search read {n_guessed} times without a UTC offset that fall in a "
            "clock-change hour (ambiguous or skipped in UK time) as summer time.",
            HotspotlibWarning,
            stacklevel=2,
        )
    table.insert(table.columns.get_loc("date"), "timestamp", timestamps)
    table = table.drop(columns="date")
    flags(table, _FLAGS)
    if "force" not in table.columns:
        table["force"] = force_of(files[keep].reset_index(drop=True), "stop-and-search")
    stops = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(xs, ys), crs=target)
    stops.attrs["hotspotlib"] = {
        "source": "police.uk stop-and-search CSV",
        "files": [str(source) for source in sources],
        **counts,
        "n_local_times_guessed": n_guessed,
        "time_zone": TIME_ZONE,
        "crs": target.to_string(),
    }
    return stops
