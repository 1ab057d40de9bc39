"""What an analyst briefs with about each picked place: where it is and what it is called.

Every place gets the WGS84 ``longitude``/``latitude`` of its centre (or a point inside it);
with police.uk crimes, the LSOA and the "On or near ..." street most crimes in it were
recorded at. The most frequent value is found per place with one grouped count (no loop
over places or crimes); ties go to the first value in alphabetical order, so the table
is the same on every run.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._lonlat import lonlat
from hotspotlib._validation import require_columns, require_join, require_type
from hotspotlib.hotspots.grid.counts import locate_events

POLICE_UK_COLUMNS = ("location", "lsoa_code", "lsoa_name")
"""The columns of :func:`hotspotlib.read_police_uk` that name a place."""

LABEL_COLUMNS = ("longitude", "latitude", "lsoa_code", "lsoa_name", "street")


def most_frequent(
    owner: NDArray[np.int64], values: pd.DataFrame, n_places: int
) -> list[NDArray[np.object_]]:
    """Return the most frequent row of ``values`` in each place (None if it has none).

    ``owner`` is each row's place position (-1: no place); rows with a missing value are
    not counted. The columns of ``values`` are taken together (an LSOA code with its name).
    """
    columns = list(values.columns)
    table = values.assign(_place=owner)[owner >= 0]
    tally = table.groupby(["_place", *columns], sort=False, dropna=True).size()
    tally = tally.rename("_n").reset_index()
    tally = tally.sort_values(
        ["_place", "_n", *columns], ascending=[True, False, *[True] * len(columns)]
    ).drop_duplicates("_place")
    found = []
    for column in columns:  # two or three label columns
        out = np.full(n_places, None, dtype=object)
        out[tally["_place"].to_numpy(dtype=np.int64)] = tally[column].to_numpy(dtype=object)
        found.append(out)
    return found


def label_places(places: gpd.GeoDataFrame, crimes: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame:
    """Add longitude/latitude and, with ``crimes``, the LSOA and street to picked places.

    Columns of those names already in ``places`` are kept as ``source_<name>``.
    """
    names = LABEL_COLUMNS if crimes is not None else LABEL_COLUMNS[:2]
    labelled = places.rename(columns={c: f"source_{c}" for c in names if c in places.columns})
    labelled["longitude"], labelled["latitude"] = lonlat(places.geometry)
    if crimes is None:
        return labelled
    owner = locate_events(crimes, places)  # checks points and the same CRS
    x0, y0, x1, y1 = places.total_bounds
    require_join(
        f"{len(crimes)} points within x {crimes.total_bounds[0]:.0f} to "
        f"{crimes.total_bounds[2]:.0f}, y {crimes.total_bounds[1]:.0f} to "
        f"{crimes.total_bounds[3]:.0f}",
        f"{len(places)} places within x {x0:.0f} to {x1:.0f}, y {y0:.0f} to {y1:.0f}",
        left="crimes",
        right="the picked places",
        matched=owner >= 0,
        what="crimes",
        share=1.0,  # most crimes lie outside the top places
    )
    street, code_name = POLICE_UK_COLUMNS[0], list(POLICE_UK_COLUMNS[1:])
    (labelled["street"],) = most_frequent(owner, crimes[[street]], len(places))
    labelled["lsoa_code"], labelled["lsoa_name"] = most_frequent(
        owner, crimes[code_name], len(places)
    )
    return labelled


def check_crimes(crimes: object) -> None:
    """Refuse ``crimes`` that are not a police.uk frame (points with the naming columns)."""
    if crimes is None:
        return
    require_type(
        crimes,
        gpd.GeoDataFrame,
        name="crimes",
        expected="a GeoDataFrame of police.uk crimes (from hotspotlib.read_police_uk)",
    )
    require_columns(crimes, POLICE_UK_COLUMNS, name="crimes")  # type: ignore[arg-type]
