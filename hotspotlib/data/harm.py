"""Harm weights for police.uk crime types (indicative Cambridge Crime Harm Index).

The table is *indicative*, not an official mapping: each police.uk category mixes
offences of very different severity, so a category-level weight is lossy. Values are
CCHI days of imprisonment (Sherman, Neyroud & Neyroud 2016) summarised from the
February 2026 CCHI values; see the ``source`` and ``note`` columns. Forces with
offence-level data should pass their own mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources

import pandas as pd

from hotspotlib._options import HarmScheme
from hotspotlib._validation import check_option

__all__ = ["HARM_TABLE_VERSION", "CRIME_TYPES", "harm_table", "harm_weights"]

HARM_TABLE_VERSION = "2026.1"
"""Version of the bundled harm table; recorded by functions that apply it."""


def harm_table() -> pd.DataFrame:
    """Return the bundled harm table: one row per police.uk crime type, with sources.

    Examples
    --------
    >>> from hotspotlib.data.harm import harm_table
    >>> harm_table().loc["Robbery", "cchi_days"]
    np.float64(365.0)
    """
    with resources.files("hotspotlib.data").joinpath("harm_weights.csv").open("r") as handle:
        table = pd.read_csv(handle, dtype={"cchi_days": float})
    return table.set_index("crime_type")


CRIME_TYPES: tuple[str, ...] = tuple(harm_table().index)
"""The 14 current police.uk street-level crime types."""


def harm_weights(scheme: HarmScheme | Mapping[str, float] = "cchi") -> pd.Series:
    """Return harm weights per police.uk crime type.

    Parameters
    ----------
    scheme : {"cchi", "none"} or mapping
        ``"cchi"``: indicative Cambridge Crime Harm Index days (anti-social behaviour 0);
        ``"none"``: every crime weighs 1 and anti-social behaviour 0; or a mapping
        from crime type to weight supplied by the user.

    Returns
    -------
    pandas.Series
        Weights indexed by crime type, named ``"harm"``.

    Examples
    --------
    >>> from hotspotlib.data import harm_weights
    >>> float(harm_weights()["Violence and sexual offences"])
    200.0
    """
    if isinstance(scheme, Mapping):
        weights = pd.Series(dict(scheme), dtype=float, name="harm")
        if weights.isna().any() or (weights < 0).any():
            raise ValueError("`scheme` weights must be finite and >= 0.")
        return weights
    check_option(scheme, HarmScheme, name="scheme")
    table = harm_table()
    if scheme == "none":
        values = pd.Series(1.0, index=table.index, name="harm")
        values["Anti-social behaviour"] = 0.0
        return values
    if scheme == "css":
        raise ValueError(
            "`scheme='css'` is not available yet: ONS Crime Severity Score weights are "
            "published per offence, not per police.uk category. Pass your own mapping."
        )
    return table["cchi_days"].rename("harm")
