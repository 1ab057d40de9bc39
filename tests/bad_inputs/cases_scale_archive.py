"""Bad inputs for the Dask path: archive folders and clients.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import tempfile
from pathlib import Path

import numpy as np

from hotspotlib import scale

_ADDRESS = "tcp://127.0.0.1:8786"
_CLIENT = r"`client` must be a distributed.Client"


def _plan():
    return hs.assign_places(range(10), rng=1)


def _panels():
    rng = np.random.default_rng(0)
    panels = {}
    for force in ["a", "b"]:
        panel = hs.assign_places(range(20), rng=rng).to_frame().reset_index()
        panel["crimes"] = rng.poisson(3.0, len(panel))
        panels[force] = panel
    return panels


def _download():
    folder = Path(tempfile.mkdtemp())
    (folder / "2024-01-kent-street.csv").write_text(
        "Month,Longitude,Latitude,Crime type\n2024-01,0.52,51.27,Burglary\n"
    )
    return folder


CASES = [
    Case(
        "police_uk_to_parquet",
        "unknown harm scheme",
        lambda: scale.police_uk_to_parquet(_download(), _download() / "out", harm="days"),
        match=r"`harm`",
    ),
    Case(
        "police_uk_to_parquet",
        "geographic crs",
        lambda: scale.police_uk_to_parquet(_download(), _download() / "out", crs=4326),
        match=r"`crs`",
    ),
    Case(
        "police_uk_to_parquet",
        "overwrite not a bool",
        lambda: scale.police_uk_to_parquet(_download(), _download() / "out", overwrite="yes"),
        match=r"`overwrite`",
        raises=TypeError,
    ),
    Case(
        "police_uk_to_parquet",
        "folder holding other files",
        lambda: scale.police_uk_to_parquet(_download(), _download()),
        match=r"`folder`: .* holds no archive",
        raises=FileExistsError,
    ),
    Case(
        "police_uk_to_parquet",
        "client given as a scheduler address",
        lambda: scale.police_uk_to_parquet(_download(), _download() / "out", client=_ADDRESS),
        match=_CLIENT,
        raises=TypeError,
    ),
    Case(
        "read_events",
        "folder without an archive",
        lambda: scale.read_events(_download()),
        match=r"`folder`: no archive",
        raises=FileNotFoundError,
    ),
    Case(
        "simulate_power",
        "client given as a scheduler address",
        lambda: hs.simulate_power(
            _plan(), place_means=np.ones(10), irr=0.8, n_simulations=10, client=_ADDRESS
        ),
        match=_CLIENT,
        raises=TypeError,
    ),
    Case(
        "knox_test",
        "client of the wrong type",
        lambda: hs.knox_test(
            fx.city.events, spatial_bands_m=[100], temporal_bands_days=[7], client=2
        ),
        match=_CLIENT,
        raises=TypeError,
        needs=("distributed",),  # without it, `client=` says to install it
    ),
    Case(
        "gi_star",
        "client given as a scheduler address",
        lambda: hs.gi_star(fx.counts, n_permutations=9, client=_ADDRESS),
        match=_CLIENT,
        raises=TypeError,
    ),
    Case(
        "evaluate_forces",
        "client given as a scheduler address",
        lambda: hs.evaluate_forces(
            _panels(), outcome="crimes", design="parallel", model="poisson", client=_ADDRESS
        ),
        match=_CLIENT,
        raises=TypeError,
    ),
]
