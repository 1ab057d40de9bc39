"""Parallel permutations, simulations and per-force runs: identical with or without a cluster."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib._chunk_map import chunk_seeds, map_chunks


@pytest.fixture(scope="module")
def city():
    return hs.synthetic_city(n_events=2_000, rng=3)


@pytest.fixture(scope="module")
def one_worker():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()


def _square(chunk, *, offset):
    return chunk * chunk + offset


def test_import_loads_no_dask() -> None:
    code = (
        "import sys, hotspotlib, hotspotlib.scale; "
        "print([m for m in ('dask', 'distributed', 'dask_geopandas') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_map_chunks_same_order_here_and_on_the_cluster(client):
    chunks = list(range(40))
    here = map_chunks(_square, chunks, shared={"offset": np.arange(3)})
    there = map_chunks(_square, chunks, shared={"offset": np.arange(3)}, client=client)
    assert len(there) == 40
    for a, b in zip(here, there, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(there[7], 49 + np.arange(3))


def test_chunk_seeds_depend_on_the_chunk_not_the_count():
    short, long = chunk_seeds(11, 2), chunk_seeds(11, 9)
    for a, b in zip(short, long, strict=False):
        assert np.random.default_rng(a).random() == np.random.default_rng(b).random()
    draws = {np.random.default_rng(s).integers(2**62) for s in long}
    assert len(draws) == 9  # independent streams
    with pytest.raises(TypeError, match="RandomState"):
        chunk_seeds(np.random.RandomState(1), 2)


def test_map_chunks_refuses_a_bad_client():
    with pytest.raises(TypeError, match="`client` must be a distributed.Client"):
        hs.simulate_power(
            hs.assign_places(range(20), rng=1),
            place_means=np.ones(20),
            irr=0.8,
            n_simulations=10,
            client="tcp://127.0.0.1:8786",
        )


def test_simulate_power_identical_on_any_number_of_workers(client, one_worker):
    plan = hs.assign_days(range(12), start="2020-07-01", days=30, treated_per_day=6, rng=1)
    kwargs = {"place_means": np.linspace(0.2, 1.0, 12), "irr": 0.7, "dispersion": 0.5, "rng": 4}
    here = hs.simulate_power(plan, n_simulations=600, **kwargs)
    two = hs.simulate_power(plan, n_simulations=600, client=client, **kwargs)
    one = hs.simulate_power(plan, n_simulations=600, client=one_worker, **kwargs)
    np.testing.assert_array_equal(here.estimates, two.estimates)
    np.testing.assert_array_equal(here.std_errors, one.std_errors)
    assert here.power == two.power == one.power
    # chunks of 250 trials, seeded per chunk: a shorter run is a prefix of a longer one
    shorter = hs.simulate_power(plan, n_simulations=250, **kwargs)
    np.testing.assert_array_equal(shorter.estimates, here.estimates[:250])
    assert not np.array_equal(here.estimates[:250], here.estimates[250:500])


def test_knox_identical_with_a_client(client, city):
    kwargs = {"spatial_bands_m": [100, 200], "temporal_bands_days": [7], "rng": 9}
    here = hs.knox_test(city.events, n_permutations=60, **kwargs)
    there = hs.knox_test(city.events, n_permutations=60, client=client, **kwargs)
    np.testing.assert_array_equal(here.simulated, there.simulated)
    np.testing.assert_array_equal(here.p_value, there.p_value)
    shorter = hs.knox_test(city.events, n_permutations=25, **kwargs)
    np.testing.assert_array_equal(shorter.simulated, here.simulated[:25])
    assert (here.simulated.sum(axis=(1, 2)) == here.n_pairs).all()


def test_gi_star_permutations_identical_with_a_client(client, city):
    grid = hs.make_grid(city.events, cell_size_m=250)
    counts = hs.count_events(city.events, grid)
    kwargs = {"distance_m": 600, "n_permutations": 99, "rng": 5}
    here = hs.gi_star(counts, **kwargs)
    there = hs.gi_star(counts, client=client, **kwargs)
    np.testing.assert_array_equal(here.p_value, there.p_value)
    np.testing.assert_array_equal(here.bin, there.bin)
    assert np.nanmin(here.p_value) == pytest.approx(0.01)


def test_evaluate_forces_identical_with_a_client(client):
    rng = np.random.default_rng(0)
    panels = {}
    for force in ["Essex", "Kent", "Surrey", "Avon", "Dorset"]:
        panel = hs.assign_places(range(60), rng=rng).to_frame().reset_index()
        panel["crimes"] = rng.poisson(np.where(panel["treated"] == 1, 3.0, 4.0))
        panels[force] = panel
    kwargs = {"outcome": "crimes", "design": "parallel", "model": "poisson"}
    here = hs.evaluate_forces(panels, **kwargs)
    there = hs.evaluate_forces(panels, client=client, **kwargs)
    pd.testing.assert_frame_equal(here.table, there.table)
    assert here.pooled.estimate == there.pooled.estimate
    assert list(there.table.index) == list(panels)
