"""Reading police.uk outcomes files and joining the latest outcome to each crime.

police.uk publishes one ``*-outcomes.csv`` per force and month: every outcome recorded
that month (a charge, a caution, "no suspect identified", a court result ...) for
crimes reported that month or earlier, keyed by the crime's ``Crime ID``. A crime can
collect several outcomes over the months; :func:`latest_outcomes` keeps the latest.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_id_type,
    require_join,
    require_nonempty,
    require_timestamps,
    require_unique,
    wall_clock,
)
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.data._files import read_tables, resolve_paths
from hotspotlib.data._police_uk_common import numeric, parse_month

__all__ = ["latest_outcomes", "read_outcomes"]

PathLike = str | os.PathLike[str]

ADDED = ("outcome_type_latest", "outcome_month_latest", "n_outcomes")


def _blank(values: pd.Series) -> NDArray[np.bool_]:
    """Whether each value is missing or only spaces, as a plain boolean array."""
    text = values.astype("string").str.strip().eq("").fillna(False)
    return (values.isna() | text).to_numpy(dtype=bool)


def read_outcomes(paths: PathLike | Iterable[PathLike]) -> pd.DataFrame:
    r"""Read police.uk outcomes CSVs into one table of outcomes keyed by Crime ID.

    Parameters
    ----------
    paths : path, glob or list of paths
        A CSV file (read whatever its name), a folder (every ``*-outcomes.csv`` under
        it, recursively, and those inside the ``*.zip`` downloads under it not unzipped
        in place; if none, every CSV not named as another police.uk kind), a ``.zip`` as
        downloaded from data.police.uk (monthly folders of any number of forces, read
        without unzipping; its street-level and stop-and-search files are skipped), a
        glob pattern or a list of any of these. Files are read as UTF-8 (with or
        without a byte-order mark), else as Windows-1252.

    Returns
    -------
    pandas.DataFrame
        One row per outcome, in file order, with a clean ``RangeIndex`` and every
        column of the files snake-cased: ``Crime ID`` -> ``crime_id``, ``Month`` ->
        ``month`` (datetime64 at the first day of the month the outcome was recorded),
        ``Reported by`` -> ``reported_by``, ``Falls within`` -> ``falls_within``,
        ``Longitude``/``Latitude`` -> ``longitude``/``latitude`` (floats; blank ->
        NaN), ``Location`` -> ``location``, ``LSOA code`` -> ``lsoa_code``, ``LSOA
        name`` -> ``lsoa_name``, ``Outcome type`` -> ``outcome_type``. Other text stays
        text.

        It is a plain table, not a GeoDataFrame: an outcome belongs to a crime, and
        the crime's point (from :func:`read_police_uk`) is joined by
        :func:`latest_outcomes`; no row is dropped for want of coordinates.
        ``frame.attrs["hotspotlib"]`` records ``files``, ``n_read`` and
        ``n_dropped_no_crime_id``.

    Warns
    -----
    HotspotlibWarning
        When rows without a ``Crime ID`` are dropped (they cannot be joined to a
        crime), with the number.

    Raises
    ------
    TypeError
        ``paths`` is not a path (or a list of paths).
    FileNotFoundError
        A path, folder, pattern or zip that finds no outcomes file.
    ValueError
        An empty file, a file that is neither UTF-8 nor Windows-1252, a broken zip, a
        file without ``Crime ID``, ``Month`` or ``Outcome type`` columns, non-numeric
        coordinates, a month that is not ``YYYY-MM`` (the message names the file) or
        no row with a Crime ID.

    See Also
    --------
    latest_outcomes : The latest outcome of each crime, joined to the crimes.
    read_police_uk : Street-level crime from the same downloads.

    References
    ----------
    .. [1] data.police.uk, "About: outcomes data".
       https://data.police.uk/about/#outcomes

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from hotspotlib.data import read_outcomes
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "2024-02-essex-outcomes.csv").write_text(
    ...     "Crime ID,Month,Longitude,Latitude,Outcome type\n"
    ...     "a1,2024-02,0.7110,51.5380,Suspect charged\n")
    >>> outcomes = read_outcomes(folder)
    >>> outcomes[["crime_id", "outcome_type"]].values.tolist()
    [['a1', 'Suspect charged']]
    >>> str(outcomes["month"].iloc[0].date())
    '2024-02-01'
    >>> import shutil; shutil.rmtree(folder)
    """
    sources = resolve_paths(paths, kind="outcomes")
    table, files = read_tables(sources, kind="outcomes")
    n_read = len(table)
    has_id = ~_blank(table["crime_id"])
    n_no_id = n_read - int(has_id.sum())
    require_nonempty(
        np.flatnonzero(has_id),
        name="paths: the rows with a Crime ID",
        fix=f"none of the {n_read} rows has one; nothing to read.",
    )
    if n_no_id:
        warnings.warn(
            f"read_outcomes dropped {n_no_id} of {n_read} rows without a Crime ID "
            "(they cannot be joined to a crime). See `frame.attrs['hotspotlib']`.",
            HotspotlibWarning,
            stacklevel=2,
        )
        table, files = table.loc[has_id].reset_index(drop=True), files[has_id]
    table["crime_id"] = table["crime_id"].str.strip()
    table["month"] = parse_month(table["month"], files.reset_index(drop=True))
    for column in ("longitude", "latitude"):
        if column in table.columns:
            table[column] = numeric(table, column)
    table.attrs["hotspotlib"] = {
        "source": "police.uk outcomes CSV",
        "files": [str(source) for source in sources],
        "n_read": n_read,
        "n_dropped_no_crime_id": n_no_id,
    }
    return table


def latest_outcomes(crimes: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Add to each crime its latest outcome from police.uk outcomes files, by Crime ID.

    Parameters
    ----------
    crimes : DataFrame or GeoDataFrame
        Crimes with a ``crime_id`` column, e.g. from :func:`read_police_uk`. Rows
        without one (police.uk gives anti-social behaviour no Crime ID) are kept and
        get no outcome.
    outcomes : DataFrame
        Outcomes with ``crime_id``, ``month`` (datetimes or ``YYYY-MM`` text) and
        ``outcome_type`` columns, e.g. from :func:`read_outcomes`.

    Returns
    -------
    DataFrame or GeoDataFrame
        A copy of ``crimes`` (same type, index, rows and order) with three columns
        added: ``outcome_type_latest`` (text; missing where the crime has no
        outcome), ``outcome_month_latest`` (datetime64; NaT likewise) and
        ``n_outcomes`` (how many outcome rows the crime has, 0 for none).
        ``attrs["hotspotlib"]`` keeps what ``crimes`` had and adds
        ``"latest_outcomes"``: ``n_crimes``, ``n_without_crime_id``,
        ``n_with_outcome``, ``n_without_outcome`` (crimes with an id but no outcome),
        ``n_outcome_rows``, ``n_outcome_rows_other_crimes`` (outcomes of crimes not in
        ``crimes``: crimes of earlier months, or of other forces) and
        ``n_latest_tied`` (crimes whose latest month holds different outcome types).

    Warns
    -----
    HotspotlibWarning
        When more than half of the crimes with a Crime ID have no outcome (with the
        counts and examples of both sides' ids): the outcomes may cover other months
        or forces than the crimes.

    Raises
    ------
    TypeError
        ``crimes`` or ``outcomes`` is not a DataFrame.
    ValueError
        A missing column, no rows, Crime IDs mixing text and numbers, a month that
        cannot be read, columns the result would add already in ``crimes``, no crime
        with a Crime ID, or no crime matching any outcome (the message shows a few ids
        and their types from both sides).

    See Also
    --------
    read_outcomes : Read the outcomes files.
    read_police_uk : Read the crimes; its ``last_outcome_category`` is police.uk's own
        broad category of the latest outcome.

    Notes
    -----
    The latest outcome is the one with the latest ``month``. When a crime has
    several outcomes in that month, the one read last wins (the later file, then the
    later row: outcomes files list a crime's outcomes in the order recorded); such
    crimes are counted in ``n_latest_tied``. Blank Crime IDs never match; ids are
    compared as text after trimming spaces.

    References
    ----------
    .. [1] data.police.uk, About the data (street-level crime, outcomes and stop and search
       files). https://data.police.uk/about/

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspotlib.data import latest_outcomes
    >>> crimes = pd.DataFrame({"crime_id": ["a1", "b2", None]})
    >>> outcomes = pd.DataFrame({
    ...     "crime_id": ["a1", "a1", "b2"],
    ...     "month": ["2024-03", "2024-01", "2024-02"],
    ...     "outcome_type": ["Suspect charged", "Under investigation",
    ...                      "Investigation complete; no suspect identified"]})
    >>> joined = latest_outcomes(crimes, outcomes)
    >>> joined["outcome_type_latest"].tolist()
    ['Suspect charged', 'Investigation complete; no suspect identified', nan]
    >>> joined["n_outcomes"].tolist()
    [2, 1, 0]
    """
    require_columns(crimes, ["crime_id"], name="crimes")
    require_columns(outcomes, ["crime_id", "month", "outcome_type"], name="outcomes")
    require_nonempty(crimes, name="crimes")
    require_nonempty(outcomes, name="outcomes", fix="read them with `read_outcomes`")
    require_id_type(crimes["crime_id"], name="crimes['crime_id']")
    require_id_type(outcomes["crime_id"], name="outcomes['crime_id']")
    require_unique(
        [*pd.unique(crimes.columns), *ADDED],
        name="crimes",
        what="column names once `latest_outcomes` adds its three (already joined? drop "
        "them first with `crimes.drop(columns=[...])`)",
    )
    months = require_timestamps(outcomes["month"], name="outcomes['month']")
    crime_ids = _ids(crimes["crime_id"])
    has_id = crime_ids.notna().to_numpy()
    require_nonempty(
        np.flatnonzero(has_id),
        name="crimes['crime_id'] (the ids that are not blank)",
        fix=f"it is blank in all {len(crimes)} rows, so no outcome can be joined "
        "(police.uk gives anti-social behaviour no Crime ID); pass crimes read with "
        "`read_police_uk`.",
    )
    outcome_ids = _ids(outcomes["crime_id"])
    usable = outcome_ids.notna().to_numpy()
    # One hash of the ids; the rest is integer work on the codes.
    codes, unique_ids = pd.factorize(outcome_ids[usable])
    month_ns = wall_clock(months).to_numpy()[usable].astype("datetime64[ns]").view(np.int64)
    kinds, kind_labels = pd.factorize(outcomes["outcome_type"].to_numpy()[usable])
    matched = require_join(
        crime_ids[has_id].to_numpy(),
        pd.Index(unique_ids),
        left="crimes['crime_id']",
        right="outcomes['crime_id']",
        what="crimes",
    )
    # Sorted by crime, then month, then the order read: each crime's last row is its latest.
    order = np.lexsort((np.arange(len(codes)), month_ns, codes))
    per_crime = np.bincount(codes, minlength=len(unique_ids))
    last = order[np.cumsum(per_crime) - 1]
    in_latest = month_ns == month_ns[last][codes]
    width = len(kind_labels) + 1  # kinds run from -1 (blank) to len - 1
    pairs = np.unique(codes[in_latest].astype(np.int64) * width + kinds[in_latest] + 1)
    n_tied = int((np.bincount(pairs // width, minlength=len(unique_ids)) > 1).sum())

    position = pd.Index(unique_ids).get_indexer(crime_ids)
    found = position >= 0
    joined = crimes.copy()
    types = np.full(len(crimes), np.nan, dtype=object)
    latest_kind = kinds[last]
    types[found] = np.asarray(kind_labels, dtype=object)[latest_kind[position[found]]]
    types[found & (latest_kind[position] < 0)] = np.nan  # a blank outcome type
    stamps = np.full(len(crimes), np.datetime64("NaT"), dtype="datetime64[ns]")
    stamps[found] = month_ns[last][position[found]].view("datetime64[ns]")
    joined["outcome_type_latest"] = types
    joined["outcome_month_latest"] = stamps
    joined["n_outcomes"] = np.where(found, per_crime[np.maximum(position, 0)], 0).astype(np.int64)

    crime_codes = pd.Index(unique_ids).get_indexer(crime_ids[has_id].unique())
    other = ~np.isin(codes, crime_codes[crime_codes >= 0])
    joined.attrs["hotspotlib"] = {
        **dict(crimes.attrs.get("hotspotlib", {})),
        "latest_outcomes": {
            "n_crimes": len(crimes),
            "n_without_crime_id": int((~has_id).sum()),
            "n_with_outcome": int(matched.sum()),
            "n_without_outcome": int((~matched).sum()),
            "n_outcome_rows": len(outcomes),
            "n_outcome_rows_other_crimes": int(other.sum()),
            "n_latest_tied": n_tied,
        },
    }
    return joined


def _ids(values: pd.Series) -> pd.Series:
    """Crime IDs with text trimmed and blanks (missing, empty, spaces) as None; no retyping."""
    series = pd.Series(values.to_numpy(dtype=object))
    try:
        stripped = series.str.strip()  # NaN where a value is not text
    except AttributeError:  # no text at all: numbers are kept as numbers
        stripped = pd.Series(np.nan, index=series.index, dtype=object)
    is_text = stripped.notna()
    blank = (series.isna() & ~is_text) | (is_text & stripped.eq(""))
    return series.where(~is_text, stripped).where(~blank, None)
