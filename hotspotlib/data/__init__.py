"""Data in: police.uk files, harm weights, bundled samples and the synthetic city."""

from hotspotlib.data.gps import SimulatedPings, simulate_patrol_pings
from hotspotlib.data.harm import CRIME_TYPES, HARM_TABLE_VERSION, harm_table, harm_weights
from hotspotlib.data.synthetic import SyntheticCity, synthetic_city

__all__ = [
    "CRIME_TYPES",
    "HARM_TABLE_VERSION",
    "SimulatedPings",
    "SyntheticCity",
    "harm_table",
    "harm_weights",
    "simulate_patrol_pings",
    "synthetic_city",
]
