"""Default column names, the same in every verb: places, event times, panel days.

A function that needs a column takes it as a keyword (``place=``, ``time=``) whose
default is one of these; nothing is read from ``DataFrame.attrs``, which pandas drops in
many operations.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["PLACE", "TIME", "place_column"]

PLACE = "hotspot_id"
"""Default name of the place id column (the synthetic city's and the trial panels')."""

TIME = "timestamp"
"""Default name of the event time column (police.uk readers and the synthetic city)."""


def place_column(places: pd.DataFrame) -> str:
    """Return the name for the place ids of ``places``: its index name, else ``PLACE``.

    Examples
    --------
    >>> import pandas as pd
    >>> place_column(pd.DataFrame(index=pd.Index([1, 2], name="beat")))
    'beat'
    >>> place_column(pd.DataFrame(index=[1, 2]))
    'hotspot_id'
    """
    name = places.index.name
    return str(name) if name is not None else PLACE
