"""Data in: police.uk files, harm weights, bundled samples and the synthetic city."""

from hotspotlib.data.harm import CRIME_TYPES, HARM_TABLE_VERSION, harm_table, harm_weights
from hotspotlib.data.patrol_effect import plant_patrol_effect
from hotspotlib.data.synthetic import SyntheticCity, synthetic_city

__all__ = [
    "CRIME_TYPES",
    "HARM_TABLE_VERSION",
    "SyntheticCity",
    "harm_table",
    "harm_weights",
    "plant_patrol_effect",
    "synthetic_city",
]
