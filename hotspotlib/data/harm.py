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

import numpy as np
import pandas as pd

from hotspotlib._options import HarmScheme
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_known,
    require_numbers,
    require_positive,
)

__all__ = ["HARM_TABLE_VERSION", "CRIME_TYPES", "apply_harm", "harm_table", "harm_weights"]

HARM_TABLE_VERSION = "2026.1"
"""Version of the bundled harm table; recorded by functions that apply it."""


def harm_table() -> pd.DataFrame:
    """Return the bundled harm table: one row per police.uk crime type, with sources.

    See Also
    --------
    harm_weights : The weights as a Series, or a user scheme.
    apply_harm : One weight per event from its crime type.

    References
    ----------
    .. [1] Sherman, L. W., Neyroud, P. W. and Neyroud, E. (2016). The Cambridge Crime Harm
       Index: measuring total harm from crime based on sentencing guidelines. Policing
       10(3), 171-183. https://doi.org/10.1093/police/paw003
    .. [2] data.police.uk, About the data (street-level crime, outcomes and stop and search
       files). https://data.police.uk/about/

    Examples
    --------
    >>> from hotspotlib.data.harm import harm_table
    >>> float(harm_table().loc["Robbery", "cchi_days"])
    365.0
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

    See Also
    --------
    harm_table : The table behind the weights, with sources.
    apply_harm : One weight per event from its crime type.
    read_police_uk : Events with police.uk crime types.

    References
    ----------
    .. [1] Sherman, L. W., Neyroud, P. W. and Neyroud, E. (2016). The Cambridge Crime Harm
       Index: measuring total harm from crime based on sentencing guidelines. Policing
       10(3), 171-183. https://doi.org/10.1093/police/paw003

    Examples
    --------
    >>> from hotspotlib.data import harm_weights
    >>> float(harm_weights()["Violence and sexual offences"])
    200.0
    """
    return resolve_harm(scheme, name="scheme")


def resolve_harm(scheme: HarmScheme | Mapping[str, float], *, name: str) -> pd.Series:
    """:func:`harm_weights`, with errors naming the caller's argument ``name``."""
    if isinstance(scheme, Mapping):
        values = require_numbers(
            list(scheme.values()),
            name=name,
            fix="Give every crime type a number of days, e.g. {'Robbery': 365.0}.",
        )
        weights = pd.Series(values, index=list(scheme.keys()), dtype=float, name="harm")
        for label, value in weights.items():  # a handful of crime types
            require_positive(
                value,
                name=f"{name}[{label!r}]",
                allow_zero=True,
                fix="Give every crime type a number of days (0 to leave it out).",
            )
        return weights
    if scheme == "css":
        raise ValueError(
            f"`{name}='css'` is not available: ONS Crime Severity Score weights are "
            "published per offence, not per police.uk category, and no honest "
            "category-level value exists. Pass your own mapping, e.g. "
            "`{'Robbery': ..., 'Burglary': ...}`, built from offence-level data."
        )
    check_option(scheme, HarmScheme, name=name)
    table = harm_table()
    if scheme == "none":
        values = pd.Series(1.0, index=table.index, name="harm")
        values["Anti-social behaviour"] = 0.0
        return values
    return table["cchi_days"].rename("harm")


# Older police.uk labels and the API slugs, mapped to the current 14 labels.
# "Public disorder and weapons" (before May 2013) was later split into "Public order"
# and "Possession of weapons"; it maps to "Public order", the larger successor and the
# lower (conservative) harm weight.
LEGACY_CRIME_TYPES: dict[str, str] = {
    "Violent crime": "Violence and sexual offences",
    "Public disorder and weapons": "Public order",
    "public-disorder-weapons": "Public order",
}


def _label_map() -> dict[str, str]:
    slugs = harm_table()["api_slug"]
    return {**dict(zip(slugs.to_numpy(), slugs.index, strict=True)), **LEGACY_CRIME_TYPES}


def canonical_crime_types(values: pd.Series) -> pd.Series:
    """Map legacy police.uk labels and API slugs to the current labels.

    Surrounding spaces are stripped; labels that are neither legacy nor slugs are
    returned unchanged (current labels and unknown ones alike).

    Examples
    --------
    >>> import pandas as pd
    >>> canonical_crime_types(pd.Series(["violent-crime", "Violent crime", "Drugs"])).tolist()
    ['Violence and sexual offences', 'Violence and sexual offences', 'Drugs']
    """
    codes, uniques = pd.factorize(values)  # a handful of labels: map each once
    stripped = pd.Series(uniques, dtype="object").str.strip()
    mapped = stripped.map(_label_map())
    labels = mapped.where(mapped.notna(), stripped).to_numpy(dtype=object)
    out = np.where(codes >= 0, labels[np.maximum(codes, 0)] if len(labels) else None, None)
    return pd.Series(out, index=values.index, dtype="object", name=values.name)


def apply_harm(
    events: pd.DataFrame,
    *,
    scheme: HarmScheme | Mapping[str, float] = "cchi",
    crime_type: str = "crime_type",
) -> pd.Series:
    """Return one harm weight per event, looked up from its crime type.

    Parameters
    ----------
    events : pandas.DataFrame or geopandas.GeoDataFrame
        Events with a crime-type column (not modified).
    scheme : {"cchi", "none"} or mapping
        A scheme of :func:`harm_weights`, or a mapping from crime type to weight.
        Legacy police.uk labels ("Violent crime", "Public disorder and weapons") and
        API slugs ("violent-crime") are matched to the current labels; a mapping may
        also use labels of its own (e.g. a force's offence classes).
    crime_type : str
        Name of the crime-type column.

    Returns
    -------
    pandas.Series
        Float weights named ``"harm"``, aligned with ``events.index``.

    Raises
    ------
    ValueError
        If a crime type (or a missing one) has no weight in ``scheme``; the message
        lists those labels with their counts.

    See Also
    --------
    harm_weights : The weight of each crime type.
    count_events : Sum the harm per cell or place (``weights=``).
    kde : A harm-weighted density surface (``weights=``).

    References
    ----------
    .. [1] Sherman, L. W., Neyroud, P. W. and Neyroud, E. (2016). The Cambridge Crime Harm
       Index: measuring total harm from crime based on sentencing guidelines. Policing
       10(3), 171-183. https://doi.org/10.1093/police/paw003

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspotlib.data import apply_harm
    >>> events = pd.DataFrame({"crime_type": ["Robbery", "violent-crime", "Shoplifting"]})
    >>> apply_harm(events).tolist()
    [365.0, 200.0, 1.0]
    >>> apply_harm(events, scheme={"Robbery": 3, "Violence and sexual offences": 2,
    ...                            "Shoplifting": 1}).tolist()
    [3.0, 2.0, 1.0]
    """
    require_columns(events, [crime_type], name="events")
    weights = harm_weights(scheme)
    codes, uniques = pd.factorize(events[crime_type])  # look each distinct label up once
    names = pd.Series(uniques, dtype="object")
    unknown = ~names.isin(weights.index).to_numpy()
    if unknown.any():  # old police.uk labels and spellings, in today's words
        names[unknown] = canonical_crime_types(names[unknown]).to_numpy()
    per_row = np.where(codes >= 0, names.to_numpy()[codes], None)
    position = require_known(
        per_row,
        weights.index,
        name=f"events[{crime_type!r}]",
        known_name="the harm weights",
        what="rows' crime types",
        fix="pass harm weights as a mapping that covers them, or drop those rows first.",
    )
    harm = weights.to_numpy(dtype=np.float64)[position]
    return pd.Series(harm, index=events.index, name="harm")
