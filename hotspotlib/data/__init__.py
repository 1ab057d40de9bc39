"""Data in: police.uk files, harm weights, bundled samples and the synthetic city."""

from hotspotlib.data.frames import from_frame
from hotspotlib.data.harm import (
    CRIME_TYPES,
    HARM_TABLE_VERSION,
    apply_harm,
    harm_table,
    harm_weights,
)
from hotspotlib.data.police_uk import read_police_uk
from hotspotlib.data.synthetic import SyntheticCity, synthetic_city

__all__ = [
    "CRIME_TYPES",
    "HARM_TABLE_VERSION",
    "SyntheticCity",
    "apply_harm",
    "from_frame",
    "harm_table",
    "harm_weights",
    "read_police_uk",
    "synthetic_city",
]
