"""Data in and out: police.uk files, harm weights, samples, the synthetic city, exports."""

from hotspotlib.data.export import to_csv, to_geojson, to_geopackage
from hotspotlib.data.frames import from_frame
from hotspotlib.data.gps import SimulatedPings, simulate_patrol_pings
from hotspotlib.data.harm import (
    CRIME_TYPES,
    HARM_TABLE_VERSION,
    apply_harm,
    harm_table,
    harm_weights,
)
from hotspotlib.data.outcomes import latest_outcomes, read_outcomes
from hotspotlib.data.patrol_effect import plant_patrol_effect
from hotspotlib.data.police_uk import read_police_uk
from hotspotlib.data.samples import (
    LOCAL_GRID_CRS,
    list_samples,
    load_burkitt,
    load_columbus,
    load_juvenile,
    load_mesa_crimes,
    load_snow_deaths,
    load_snow_pumps,
    load_stl_homicides,
)
from hotspotlib.data.stop_search import read_stop_search
from hotspotlib.data.synthetic import SyntheticCity, synthetic_city

__all__ = [
    "CRIME_TYPES",
    "HARM_TABLE_VERSION",
    "LOCAL_GRID_CRS",
    "SimulatedPings",
    "SyntheticCity",
    "apply_harm",
    "from_frame",
    "harm_table",
    "harm_weights",
    "latest_outcomes",
    "list_samples",
    "load_burkitt",
    "load_columbus",
    "load_juvenile",
    "load_mesa_crimes",
    "load_snow_deaths",
    "load_snow_pumps",
    "load_stl_homicides",
    "plant_patrol_effect",
    "read_outcomes",
    "read_police_uk",
    "read_stop_search",
    "simulate_patrol_pings",
    "synthetic_city",
    "to_csv",
    "to_geojson",
    "to_geopackage",
]
