"""Demo steps 1-2: the synthetic city, and where harm is concentrated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import hotspotlib as hs
from hotspotlib._demo._words import explain, percent, table
from hotspotlib._demo.settings import CELL_SIZE_M, N_PLACES, TRIAL_DAYS
from hotspotlib._html import HtmlReport


def simulate_city(state: dict[str, Any]) -> None:
    """Step 1: simulate a year of crime plus the trial period."""
    city = hs.synthetic_city(n_events=30_000, days=365 + TRIAL_DAYS, rng=state["seed"])
    trial_start = city.start + pd.Timedelta(days=365)
    state.update(city=city, trial_start=trial_start)
    report: HtmlReport = state["report"]
    report.heading("1. The synthetic city")
    report.text(
        f"A {city.boundary.area.sum() / 1e6:.0f} km² police area with {len(city.events):,} "
        f"crimes from {city.start.date()} to {(city.end - pd.Timedelta(days=1)).date()}. "
        f"{len(city.hotspots)} micro hot spots (150 m squares) were planted; the first "
        f"365 days are used to find hot spots and the last {TRIAL_DAYS} days are the trial."
    )
    counts = city.counts
    explain(
        report,
        f"The simulated city behaves like a real one: the {len(city.hotspots)} planted hot "
        f"spots cover {percent(counts['hotspot_share_of_area'])} of the area but hold "
        f"{percent(counts['hotspot_share_of_events'])} of the crime and "
        f"{percent(counts['hotspot_share_of_harm'])} of the harm. Because the truth is "
        "known, every later step can be checked against it.",
    )


def find_hotspots(state: dict[str, Any]) -> None:
    """Step 2: find the top harm places by kernel density and Gi*; export them."""
    import matplotlib.pyplot as plt

    city: hs.SyntheticCity = state["city"]
    out: Path = state["out"]
    before = city.events[city.events["timestamp"] < state["trial_start"]]
    grid = hs.make_grid(city.boundary, cell_size_m=CELL_SIZE_M)
    harm = hs.count_events(before, grid, weights="harm")
    surface = hs.kde(before, grid=grid, weights="harm", bandwidth_m=1.5 * CELL_SIZE_M)
    # A band of one cell: each cell with its four edge neighbours (micro-place scale).
    gi = hs.gi_star(harm, distance_m=CELL_SIZE_M)
    # Separate places, as a force would choose them: no two within 300 m of each other.
    chosen = hs.select_places(surface.to_frame(), score="density", n=N_PLACES, min_separation_m=300)
    gi_frame = gi.to_frame()
    gi_chosen = hs.select_places(gi_frame, score="z_score", n=N_PLACES, min_separation_m=300)
    top_kde, top_gi = chosen.index, gi_chosen.index
    planted = hs.locate_events(
        gpd.GeoDataFrame(geometry=city.hotspots.centroid, crs=city.crs), grid
    )
    places = chosen[["density", "geometry"]].reset_index()
    places.index = pd.RangeIndex(len(places), name="hotspot_id")
    places["kde_rank"] = np.arange(1, len(places) + 1)
    hs.to_geojson(places, out / "hotspots.geojson")
    hs.to_geopackage(places, out / "hotspots.gpkg")
    hs.to_csv(places, out / "hotspots.csv")
    gi_hot = gi_frame.loc[gi.significant(0.95).index]
    hs.to_geojson(gi_hot, out / "gi_star_hot_cells.geojson")
    hs.to_geopackage(gi_hot, out / "gi_star_hot_cells.gpkg")
    state.update(grid=grid, places=places, surface=surface, gi=gi)

    agreement = _agreement(harm, set(grid.cells.index[planted[planted >= 0]]), top_kde, top_gi)
    report: HtmlReport = state["report"]
    report.heading("2. Where is harm concentrated?")
    report.text(
        f"Harm (indicative Cambridge Crime Harm Index days) in the year before the trial, on "
        f"{CELL_SIZE_M:.0f} m cells. Left: quartic kernel density, radius "
        f"{surface.bandwidth_m:.0f} m. Right: Gi* z-scores, distance band "
        f"{CELL_SIZE_M:.0f} m (a cell and its four neighbours), FDR-corrected bins. "
        "The 20 places chosen for the trial are "
        "the top-20 kernel-density cells at least 300 m apart (outlined); Gi*'s list is "
        "picked the same way from its z-scores."
    )
    table(report, agreement)
    _concentration_and_accuracy(state, before, grid, harm, surface)
    shared = agreement.iloc[0, 0]
    explain(
        report,
        "Harm is concentrated in a few small places, and last year's map points to where "
        "crime happens next. Kernel density found "
        f"{agreement.iloc[0, 1]} of the {N_PLACES} planted hot spots and Gi* "
        f"{agreement.iloc[1, 1]}; the two lists share {shared} places. Kernel density is "
        "used to choose the trial's places because it ranks single cells; Gi* is better "
        "at saying which clusters are unlikely to be chance.",
    )
    fig, axes = plt.subplots(1, 2, figsize=(13, 6), layout="constrained")
    surface.plot(ax=axes[0])
    gi.plot(ax=axes[1])
    for ax in axes:
        places.boundary.plot(ax=ax, color="black", linewidth=1.2)
        city.boundary.boundary.plot(ax=ax, color="0.3", linewidth=0.6)
    report.figure(fig, alt="Kernel density and Gi* maps with the 20 trial places")


def _agreement(
    harm: hs.EventCounts, planted_ids: set[Any], top_kde: pd.Index, top_gi: pd.Index
) -> pd.DataFrame:
    """Compare the two top-20 lists: overlap, planted hot spots found, harm held."""
    harm_frame = harm.to_frame()
    total_harm = harm_frame["weight_sum"].sum()
    return pd.DataFrame(
        {
            "top-20 cells shared with the other method": [
                len(set(top_kde) & set(top_gi)),
                len(set(top_kde) & set(top_gi)),
            ],
            "top-20 cells holding a planted hot spot": [
                len(set(top_kde) & planted_ids),
                len(set(top_gi) & planted_ids),
            ],
            "share of pre-trial harm in the 20 cells": [
                percent(harm_frame.loc[top_kde, "weight_sum"].sum() / total_harm),
                percent(harm_frame.loc[top_gi, "weight_sum"].sum() / total_harm),
            ],
        },
        index=pd.Index(["kernel density (harm)", "Gi* (harm)"], name="method"),
    )


def _concentration_and_accuracy(
    state: dict[str, Any],
    before: gpd.GeoDataFrame,
    grid: hs.Grid,
    harm: hs.EventCounts,
    surface: hs.DensitySurface,
) -> None:
    """Report how concentrated harm is and how well last year's map predicts the trial."""
    city: hs.SyntheticCity = state["city"]
    share = hs.concentration_share(harm.weight_sum, share=0.5).to_frame().iloc[0]
    gini = hs.gini(hs.count_events(before, grid).count, generalized=True)
    after = city.events[city.events["timestamp"] >= state["trial_start"]]
    accuracy = hs.accuracy_curve(
        surface.to_frame()["density"], after, grid=grid, coverage=[0.01, 0.05]
    ).to_frame()
    report: HtmlReport = state["report"]
    report.text(
        f"Concentration: {percent(share['places_share'])} of cells hold half of the harm "
        f"(Weisburd's law of crime concentration: 50% of crime at 2.1-6.0% of street "
        f"segments); the generalised Gini of crime counts is {gini.estimate:.2f} (0: spread "
        f"evenly, 1: all in one cell). Prediction: the top 1% of the area on last year's "
        f"map holds {percent(accuracy['hit_rate'].iloc[0])} of the trial period's crime "
        f"(PAI {accuracy['pai'].iloc[0]:.0f}); the top 5% holds "
        f"{percent(accuracy['hit_rate'].iloc[1])} (PAI {accuracy['pai'].iloc[1]:.0f})."
    )
