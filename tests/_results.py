"""Builders for every public result class, keyed by class name: one small, seeded
example of each, shared by the result tests (tests/test_frozen.py, tests/test_contract.py).

The test modules load it from its path with importlib (tests are not a package) and
keep it in ``sys.modules`` so the builders' caches are shared within a test process.
"""

from __future__ import annotations

import dataclasses
import tempfile
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib import scale
from hotspotlib._frozen import FrozenResult


@cache
def city() -> hs.SyntheticCity:
    return hs.synthetic_city(n_events=2_000, days=60, rng=7)


@cache
def grid() -> hs.Grid:
    return hs.make_grid(city().boundary, cell_size_m=500)


@cache
def counts() -> hs.EventCounts:
    return hs.count_events(city().events, grid(), weights="harm")


@cache
def pings() -> hs.SimulatedPings:
    arrival = pd.date_range("2024-01-01 09:00", periods=120, freq="97min")
    schedule = pd.DataFrame(
        {
            "officer_id": "A",
            "hotspot_id": np.arange(120) % 20,
            "arrival": arrival,
            "minutes": [1, 4, 8, 12, 16, 25] * 20,
        }
    )
    return hs.simulate_patrol_pings(city().hotspots, schedule, noise_m=0, rng=1)


@cache
def visits() -> hs.PatrolVisits:
    return hs.patrol_visits(pings().pings, city().hotspots)


@cache
def day_plan() -> hs.DayAssignment:
    return hs.assign_days(range(20), start="2020-07-01", days=30, treated_per_day=8, rng=1)


@cache
def trial() -> pd.DataFrame:
    panel = day_plan().to_frame()
    rng = np.random.default_rng(2)
    panel["crimes"] = rng.poisson(np.where(panel["treated"] == 1, 0.6, 1.0))
    panel["visited"] = panel["treated"] * (rng.random(len(panel)) < 0.8)
    panel["disorder"] = rng.poisson(1.0, len(panel))
    return panel


@cache
def dose_frame() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(20), 30),
            "date": np.tile(pd.date_range("2024-01-01", periods=30), 20),
            "patrol_minutes": rng.choice([0, 15], 600),
        }
    )
    frame["crimes"] = rng.poisson(2 * np.exp(-0.02 * frame["patrol_minutes"]))
    return frame


@cache
def zone_rates() -> hs.CrimeRates:
    zones = hs.make_grid(city().boundary, cell_size_m=2000).cells.reset_index(drop=True)
    zones["population"] = np.random.default_rng(4).integers(5_000, 15_000, len(zones))
    return hs.crime_rates(city().events, zones, weights="harm", smoothing="local")


@cache
def zone_ranking() -> hs.PlaceRanking:
    return hs.rank_places(zone_rates(), n_simulations=99, rng=1)


@cache
def arm_trial(seed: int = 0) -> pd.DataFrame:
    panel = hs.assign_arms(range(60), rng=seed).to_frame().reset_index()
    rate = panel["arm"].map({"control": 4.0, "patrol": 3.0, "patrol_pop": 2.5})
    panel["crimes"] = np.random.default_rng(seed).poisson(rate)
    return panel


def street_counts() -> hs.SegmentCounts:
    import geopandas as gpd
    from shapely.geometry import LineString

    xmin, ymin, xmax, ymax = city().boundary.total_bounds
    steps = np.arange(0.0, xmax - xmin + 1, 500.0)
    streets = [LineString([(xmin + d, ymin), (xmin + d, ymax)]) for d in steps]
    streets += [LineString([(xmin, ymin + d), (xmax, ymin + d)]) for d in steps]
    network = hs.street_segments(gpd.GeoSeries(streets, crs=city().events.crs))
    return hs.count_on_segments(city().events, network, tolerance_m=250, weights="harm")


def _first_half() -> Any:
    events = city().events
    return events[events["timestamp"] < events["timestamp"].median()]


def _second_half() -> Any:
    events = city().events
    return events[events["timestamp"] >= events["timestamp"].median()]


def police_archive() -> Any:
    """A two-file archive (one row without coordinates) written to a fresh folder."""
    pytest.importorskip("pyarrow", reason="GeoParquet needs pyarrow (the dask extra)")
    source = Path(tempfile.mkdtemp())
    for month in ("2024-01", "2024-02"):
        (source / f"{month}-kent-street.csv").write_text(
            f"Month,Longitude,Latitude,Crime type\n{month},0.52,51.27,Burglary\n{month},,,Robbery\n"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the dropped rows, counted
        return scale.police_uk_to_parquet(source, source / "archive")


BUILDERS: dict[str, Callable[[], Any]] = {
    "SyntheticCity": city,
    "SimulatedPings": pings,
    "PatrolVisits": visits,
    "DosagePanel": lambda: hs.dosage_panel(visits(), start="2024-01-01", end="2024-01-10"),
    "DoseResponse": lambda: hs.dose_response(dose_frame(), outcome="crimes", lags=1),
    "KoperCurve": lambda: hs.koper_curve(visits(), city().events, n_bootstrap=0),
    "PatrolAllocation": lambda: hs.allocate_patrol_time(
        city().hotspots, total_minutes=100, response=lambda m: np.exp(-0.1 * np.log1p(m))
    ),
    "PatrolPlan": lambda: hs.plan_patrols(
        city().hotspots,
        officers=2,
        shift_start="2024-06-01 14:00",
        shift_end="2024-06-01 22:00",
        walking_speed_kmh=20,
        rng=1,
    ),
    "Grid": grid,
    "EventCounts": counts,
    "BandwidthChoice": lambda: hs.select_bandwidth(city().events),
    "DensitySurface": lambda: hs.kde(city().events, grid=grid(), bandwidth_m=600),
    "SurfaceComparison": lambda: hs.compare_surfaces(
        hs.kde(_first_half(), grid=grid(), bandwidth_m=600),
        hs.kde(_second_half(), grid=grid(), bandwidth_m=600),
    ),
    "GiStar": lambda: hs.gi_star(counts(), distance_m=750),
    "GeneralG": lambda: hs.general_g(counts(), distance_m=750),
    "IncrementalAutocorrelation": lambda: hs.incremental_autocorrelation(
        counts(), distances_m=[500, 1000]
    ),
    "OptimizedHotspots": lambda: hs.optimized_hotspots(
        city().events, area=city().boundary, cell_size_m=500
    ),
    "EmergingHotspots": lambda: hs.emerging_hotspots(
        city().events,
        time="timestamp",
        interval="W",
        cell_size_m=500,
        distance_m=750,
        area=city().boundary,
    ),
    "AccuracyCurve": lambda: hs.accuracy_curve(
        hs.count_events(_first_half(), grid()), _second_half(), coverage=[0.05, 1.0]
    ),
    "ConcentrationShare": lambda: hs.concentration_share(counts(), share=[0.5]),
    "GiniCoefficient": lambda: hs.gini(counts(), n_bootstrap=20, rng=1),
    "LorenzCurve": lambda: hs.lorenz_curve(counts()),
    "KnoxTest": lambda: hs.knox_test(
        city().events.iloc[:300],
        spatial_bands_m=[200],
        temporal_bands_days=[7],
        n_permutations=9,
        rng=1,
    ),
    "ProspectiveHotspots": lambda: hs.prospective_hotspots(
        city().events, origin=city().events["timestamp"].median(), grid=grid()
    ),
    "MethodComparison": lambda: hs.compare_methods(
        city().events,
        methods=["counts"],
        train="30D",
        test="14D",
        cell_size_m=500,
        area=city().boundary,
        coverage=[0.05],
    ),
    "DayAssignment": day_plan,
    "PlaceAssignment": lambda: hs.assign_places(range(20), rng=1),
    "BalanceTable": lambda: hs.balance_table(
        hs.assign_places(pd.DataFrame({"crime": range(20)}), rng=3),
        pd.DataFrame({"crime": range(20)}),
    ),
    "TrialEffect": lambda: hs.estimate_effect(trial(), outcome="crimes"),
    "EffectTable": lambda: hs.estimate_effects(trial(), outcomes=["crimes", "disorder"]),
    "ComplianceEffect": lambda: hs.cace(trial(), outcome="crimes", delivered="visited"),
    "RandomizationTest": lambda: hs.randomization_test(
        trial(), outcome="crimes", assignment=day_plan(), n_permutations=19, rng=3
    ),
    "TrialReport": lambda: hs.trial_report(
        day_plan(), effects=hs.estimate_effect(trial(), outcome="crimes")
    ),
    "PowerAnalysis": lambda: hs.sample_size(control_rate=0.5, irr=0.8),
    "SimulatedPower": lambda: hs.simulate_power(
        day_plan(), place_means=[0.5] * 20, irr=0.7, n_simulations=20, rng=2
    ),
    "LocalMoran": lambda: hs.local_moran(
        counts(), spatial_weights="queen", n_permutations=99, rng=1
    ),
    "ForecastSurface": lambda: hs.recency_counts(
        _first_half(), grid(), origin=_second_half()["timestamp"].min(), half_life_days=30
    ),
    "RollingEvaluation": lambda: hs.rolling_evaluation(
        city().events,
        grid(),
        methods={"counts": lambda train, origin: hs.count_events(train, grid())},
        origins=pd.date_range("2024-01-20", periods=2, freq="14D"),
        test_days=14,
        n_bootstrap=20,
        rng=1,
    ),
    "MetaAnalysis": lambda: hs.meta_analysis([0.1, 0.3, -0.05], variances=[0.01, 0.02, 0.015]),
    "WDDTest": lambda: hs.wdd(target=(80, 20), control=(100, 50)),
    "DisplacementQuotient": lambda: hs.wdq(target=(100, 60), buffer=(80, 70), control=(500, 500)),
    "CrimeRates": zone_rates,
    "PlaceRanking": zone_ranking,
    "SegmentCounts": street_counts,
    "PlaceTiers": lambda: hs.assign_tiers(zone_ranking(), rule="top_k", k=[3, 8]),
    "ArmAssignment": lambda: hs.assign_arms(range(30), rng=1),
    "ArmEffects": lambda: hs.estimate_arms(arm_trial(), outcome="crimes"),
    "ArmPower": lambda: hs.simulate_arm_power(
        hs.assign_arms(range(30), rng=1),
        place_means=[4.0] * 30,
        irrs={"patrol": 0.7},
        n_simulations=50,
        rng=1,
    ),
    "PoliceArchive": police_archive,
    "ForceEvaluation": lambda: hs.evaluate_forces(
        {f: arm_trial(seed) for seed, f in enumerate(["A", "B", "C"])},
        outcome="crimes",
        comparison=("patrol", "control"),
    ),
}


@cache
def arm_days() -> hs.DayAssignment:
    return hs.assign_days(
        range(21),
        start="2024-01-01",
        days=20,
        treated_per_day=7,
        arms=("control", "patrol", "patrol_pop"),
        rng=1,
    )


@cache
def arm_day_trial() -> pd.DataFrame:
    panel = arm_days().to_frame()
    rate = panel["arm"].map({"control": 1.0, "patrol": 0.8, "patrol_pop": 0.6})
    panel["crimes"] = np.random.default_rng(3).poisson(rate)
    return panel


def arm_day_effects() -> hs.ArmEffects:
    return hs.estimate_arms(
        arm_day_trial(),
        outcome="crimes",
        fixed_effects=["hotspot_id", "date"],
        comparisons="control",
        p_adjust="dunnett",
    )


# Further instances of classes above whose multi-arm form takes other code paths:
# label -> (class name, builder).
VARIANTS = {
    "DayAssignment[arms]": ("DayAssignment", arm_days),
    "BalanceTable[arms]": (
        "BalanceTable",
        lambda: hs.balance_table(arm_days(), pd.DataFrame({"x": np.arange(21.0)})),
    ),
    "ArmEffects[dunnett]": ("ArmEffects", arm_day_effects),
    "ArmPower[dunnett]": (
        "ArmPower",
        lambda: hs.simulate_arm_power(
            hs.assign_arms(range(30), rng=1),
            place_means=[4.0] * 30,
            irrs={"patrol": 0.7},
            p_adjust="dunnett",
            n_simulations=20,
            rng=1,
        ),
    ),
    "TrialReport[arms]": (
        "TrialReport",
        lambda: hs.trial_report(
            arm_days(),
            effects=arm_day_effects(),
            panel=arm_day_trial(),
            dose_columns=["crimes"],
            balance=hs.balance_table(arm_days(), pd.DataFrame({"x": np.arange(21.0)})),
        ),
    ),
}

RESULT_CLASSES = sorted(
    name
    for name in hs.__all__
    if isinstance(getattr(hs, name), type)
    and dataclasses.is_dataclass(getattr(hs, name))
    and getattr(hs, name).__dataclass_params__.frozen
)
# the optional Dask path's results (hotspotlib.scale imports dask only when used)
RESULT_CLASSES = sorted(
    {
        *RESULT_CLASSES,
        *(
            name
            for name in scale.__all__
            if isinstance(getattr(scale, name), type)
            and issubclass(getattr(scale, name), FrozenResult)  # Lattice is a description
        ),
    }
)


def result_class(name: str) -> type:
    """The public class of that name, from ``hotspotlib`` or ``hotspotlib.scale``."""
    return getattr(hs, name) if hasattr(hs, name) else getattr(scale, name)
