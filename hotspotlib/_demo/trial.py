"""Demo steps 3-4: the randomised schedule, and the simulated patrols, pings and crime."""

from __future__ import annotations

import dataclasses
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

import hotspotlib as hs
from hotspotlib._demo._words import explain, percent
from hotspotlib._demo.settings import (
    N_PLACES,
    PLANTED_HALF_LIFE_DAYS,
    PLANTED_IRR,
    SKIPPED_SHARE,
    TREATED_PER_DAY,
    TRIAL_DAYS,
)
from hotspotlib._html import HtmlReport


def randomise(state: dict[str, Any]) -> None:
    """Step 3: randomise which places are patrolled on which days."""
    plan = hs.assign_days(
        state["places"],
        start=state["trial_start"],
        days=TRIAL_DAYS,
        treated_per_day=TREATED_PER_DAY,
        rng=state["seed"],
    )
    hs.to_csv(plan.to_frame(), state["out"] / "patrol_schedule.csv", index=False)
    state["plan"] = plan
    report: HtmlReport = state["report"]
    report.heading("3. Randomised patrol schedule")
    treated = int(plan.treated.sum())
    report.text(
        f"Each day {TREATED_PER_DAY} of the {N_PLACES} places were drawn at random for one "
        f"foot patrol of about 15 minutes: {plan.treated.size:,} place-days, {treated:,} "
        f"patrol days and {plan.treated.size - treated:,} control days (Southend: 720 and "
        "1,080). The schedule is in patrol_schedule.csv; the audit trail records the seed "
        "and library version."
    )
    counts = plan.counts
    explain(
        report,
        "Chance, not judgement, decides which places are patrolled each day, so patrol "
        "and control days differ only by the patrol and any difference in crime can be "
        "put down to it. Every place was patrolled on between "
        f"{percent(counts['place_treated_share_min'])} and "
        f"{percent(counts['place_treated_share_max'])} of days; the longest run of days "
        f"without patrol at one place was {counts['longest_control_run_days']}.",
    )


def simulate_trial(state: dict[str, Any]) -> None:
    """Step 4: simulate the patrols, their GPS pings and crime with a planted effect."""
    city: hs.SyntheticCity = state["city"]
    places: gpd.GeoDataFrame = state["places"]
    plan = state["plan"]
    rng = np.random.default_rng(state["seed"])
    schedule = _patrol_schedule(plan.to_frame(), rng)
    hs.to_csv(schedule, state["out"] / "patrol_visits_planned.csv", index=False)
    pings = hs.simulate_patrol_pings(places, schedule, noise_m=8.0, gap_rate=0.02, rng=rng)
    # The trial's places are the cells found in step 2, so events are labelled by them.
    trial_city = dataclasses.replace(
        city,
        hotspots=places.assign(expected_per_day=np.nan, rank=places["kde_rank"]),
        events=city.events.assign(hotspot_id=hs.locate_events(city.events, places)),
    )
    delivered = plan.to_frame()
    delivered["treated"] = delivered.set_index(["hotspot_id", "date"]).index.isin(
        schedule.set_index(["hotspot_id", schedule["arrival"].dt.normalize()]).index
    )
    observed = hs.plant_patrol_effect(
        trial_city,
        delivered,
        irr=PLANTED_IRR,
        residual_half_life_days=PLANTED_HALF_LIFE_DAYS,
        rng=rng,
    )
    state.update(observed=observed, pings=pings, schedule=schedule)
    removed = len(trial_city.events) - len(observed.events)
    report: HtmlReport = state["report"]
    report.heading("4. Simulated trial")
    report.text(
        f"Two teams patrol the day's {TREATED_PER_DAY} places from 18:00, 12 to 20 minutes each; "
        f"{1 - SKIPPED_SHARE:.0%} of planned patrols are delivered. Their trackers ping every "
        f"minute with 8 m of noise and 2% of pings lost: {len(pings.pings):,} pings. "
        f"Planted truth: on patrol days crime in a place is {PLANTED_IRR:.0%} of what it "
        f"would have been (IRR {PLANTED_IRR}); the effect halves every "
        f"{PLANTED_HALF_LIFE_DAYS:g} day(s) after a patrol (residual deterrence). "
        f"{removed:,} crimes were prevented in the simulation.",
        css_class="truth",
    )
    explain(
        report,
        "This step stands in for the real world: in a force, the patrols, their GPS "
        "tracks and the crimes come from duty rosters, trackers and crime records. Here "
        "the effect of patrol is known, so the next steps show whether the analysis "
        "recovers it.",
    )


def _patrol_schedule(assignment: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Visits for the patrol days: two teams alternate through the day's places from 18:00."""
    days = assignment[assignment["treated"] == 1].copy()
    days = days[rng.random(len(days)) >= SKIPPED_SHARE]
    order = days.assign(key=rng.random(len(days))).groupby("date")["key"].rank(method="first")
    slot = order.to_numpy(dtype=int) - 1
    minutes = rng.integers(12, 21, len(days))
    arrival = (
        days["date"]
        + pd.Timedelta(hours=18)
        + pd.to_timedelta((slot // 2) * 50 + rng.integers(0, 10, len(days)), unit="min")
    )
    return pd.DataFrame(
        {
            "officer_id": np.where(slot % 2 == 0, "team A", "team B"),
            "hotspot_id": days["hotspot_id"].to_numpy(),
            "arrival": arrival.to_numpy(),
            "minutes": minutes,
        }
    ).sort_values("arrival", ignore_index=True)
