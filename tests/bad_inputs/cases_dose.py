"""Bad inputs for hotspotlib.dose (names ``Case``, ``fx`` and ``hs`` are given)."""

from functools import cache

import numpy as np
import pandas as pd

SHIFT = {"shift_start": "2024-06-01 14:00", "shift_end": "2024-06-01 22:00"}
WEEK = {"start": "2024-01-01", "end": "2024-01-04"}


@cache
def pings():
    schedule = pd.DataFrame(
        {
            "officer_id": ["A", "A"],
            "hotspot_id": [0, 1],
            "arrival": pd.to_datetime(["2024-01-01 10:00", "2024-01-02 11:00"]),
            "minutes": [15, 10],
        }
    )
    return hs.simulate_patrol_pings(fx.city.hotspots, schedule, noise_m=0, rng=1).pings


@cache
def visits():
    return hs.patrol_visits(pings(), fx.city.hotspots)


@cache
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(10), 20),
            "date": np.tile(pd.date_range("2024-01-01", periods=20), 10),
            "patrol_minutes": rng.choice([0, 15], 200),
        }
    )
    frame["crimes"] = rng.poisson(2 * np.exp(-0.02 * frame["patrol_minutes"]))
    return frame


def log_response(minutes):
    return np.exp(-0.1 * np.log1p(minutes))


def allocate(**options):
    arguments = {"total_minutes": 100, "response": log_response, **options}
    places = arguments.pop("places", fx.city.hotspots)
    return hs.allocate_patrol_time(places, **arguments)


CASES = [
    # dosage_panel
    Case(
        "dosage_panel",
        "pings instead of visits",
        lambda: hs.dosage_panel(pings(), **WEEK),
        "`visits` must be a PatrolVisits",
        TypeError,
    ),
    Case(
        "dosage_panel",
        "end before start",
        lambda: hs.dosage_panel(visits(), start="2024-01-04", end="2024-01-01"),
        "`end` .* must be after `start`",
    ),
    Case(
        "dosage_panel",
        "unknown frequency",
        lambda: hs.dosage_panel(visits(), freq="fortnight", **WEEK),
        "`freq` must be one of",
    ),
    Case(
        "dosage_panel",
        "weights without events",
        lambda: hs.dosage_panel(visits(), weights="harm", **WEEK),
        "`events` must be a GeoDataFrame of crimes when `weights` is given",
        TypeError,
    ),
    Case(
        "dosage_panel",
        "events without the time column",
        lambda: hs.dosage_panel(visits(), events=fx.city.events, time="when", **WEEK),
        "`events` is missing column.*'when'",
    ),
    Case(
        "dosage_panel",
        "assignment without its columns",
        lambda: hs.dosage_panel(visits(), assignment=pd.DataFrame({"x": [1]}), **WEEK),
        "`assignment` is missing column",
    ),
    Case(
        "dosage_panel",
        "places as text",
        lambda: hs.dosage_panel(visits(), places="grid", **WEEK),
        "`places` must be a GeoDataFrame",
        TypeError,
    ),
    # dose_response
    Case(
        "dose_response",
        "lags longer than the panel",
        lambda: hs.dose_response(panel(), outcome="crimes", lags=1000),
        "`lags` must be a whole number between 0 and 18; got 1000. The panel spans 20 day",
    ),
    Case(
        "dose_response",
        "lags as text",
        lambda: hs.dose_response(panel(), outcome="crimes", lags="2"),
        "`lags` must be a whole number >= 0",
    ),
    Case(
        "dose_response",
        "missing outcome column",
        lambda: hs.dose_response(panel(), outcome="thefts"),
        "`panel` is missing column.*'thefts'",
    ),
    Case(
        "dose_response",
        "unknown shape",
        lambda: hs.dose_response(panel(), outcome="crimes", shape="cubic"),
        "`shape` must be one of",
    ),
    Case(
        "dose_response",
        "unknown fixed effect",
        lambda: hs.dose_response(panel(), outcome="crimes", fixed_effects=("week",)),
        "`fixed_effects` must be one of",
    ),
    Case(
        "dose_response",
        "knots as text",
        lambda: hs.dose_response(panel(), outcome="crimes", shape="bins", knots_minutes=["a"]),
        "`knots_minutes` must hold numbers",
        TypeError,
    ),
    Case(
        "dose_response",
        "negative outcome",
        lambda: hs.dose_response(panel().assign(crimes=-1), outcome="crimes"),
        r"`panel\['crimes'\]` must hold finite numbers >= 0",
    ),
    Case(
        "dose_response",
        "dose as text",
        lambda: hs.dose_response(panel().assign(patrol_minutes="15"), outcome="crimes"),
        r"`panel\['patrol_minutes'\]` must hold numbers",
        TypeError,
    ),
    Case(
        "dose_response",
        "NaN dose",
        lambda: hs.dose_response(panel().assign(patrol_minutes=np.nan), outcome="crimes"),
        r"`panel\['patrol_minutes'\]` must hold finite numbers >= 0; 200 of 200 are not",
    ),
    Case(
        "dose_response",
        "IRR asked for text doses",
        lambda: hs.dose_response(panel(), outcome="crimes").irr(["a"]),
        "`dose` must hold numbers",
        TypeError,
    ),
    # koper_curve
    Case(
        "koper_curve",
        "two bin edges",
        lambda: hs.koper_curve(visits(), fx.city.events, bins=(0, 5)),
        r"`len\(bins\)` must be a whole number >= 3; got 2. Give at least three increasing edges",
    ),
    Case(
        "koper_curve",
        "bins as text",
        lambda: hs.koper_curve(visits(), fx.city.events, bins=("a", "b", "c")),
        "`bins` must hold numbers",
        TypeError,
    ),
    Case(
        "koper_curve",
        "NaN follow-up",
        lambda: hs.koper_curve(visits(), fx.city.events, follow_up_minutes=np.nan),
        "`follow_up_minutes` must be a finite number > 0",
    ),
    Case(
        "koper_curve",
        "negative bootstrap count",
        lambda: hs.koper_curve(visits(), fx.city.events, n_bootstrap=-1),
        "`n_bootstrap` must be a whole number >= 0; got -1",
    ),
    Case(
        "koper_curve",
        "pings instead of visits",
        lambda: hs.koper_curve(pings(), fx.city.events),
        "`visits` must be a PatrolVisits",
        TypeError,
    ),
    Case(
        "koper_curve",
        "events without the time column",
        lambda: hs.koper_curve(visits(), fx.city.events, time="when"),
        "`events` is missing column.*'when'",
    ),
    # patrol_visits
    Case(
        "patrol_visits",
        "pings without officer ids",
        lambda: hs.patrol_visits(pings().drop(columns="officer_id"), fx.city.hotspots),
        "`pings` is missing column.*'officer_id'",
    ),
    Case(
        "patrol_visits",
        "zero gap",
        lambda: hs.patrol_visits(pings(), fx.city.hotspots, max_gap_minutes=0),
        "`max_gap_minutes` must be a finite number > 0",
    ),
    Case(
        "patrol_visits",
        "dwell as text",
        lambda: hs.patrol_visits(pings(), fx.city.hotspots, min_dwell_minutes="2"),
        "`min_dwell_minutes` must be a number",
        TypeError,
    ),
    Case(
        "patrol_visits",
        "reversed target window",
        lambda: hs.patrol_visits(pings(), fx.city.hotspots, target_minutes=(20, 10)),
        r"`target_minutes` must be non-decreasing; got \(20, 10\). Give a pair \(low, high\)",
    ),
    Case(
        "patrol_visits",
        "target window as text",
        lambda: hs.patrol_visits(pings(), fx.city.hotspots, target_minutes="10-20"),
        "`target_minutes` must hold numbers, not text",
        TypeError,
    ),
    Case(
        "patrol_visits",
        "NaN ping interval",
        lambda: hs.patrol_visits(pings(), fx.city.hotspots, ping_interval_seconds=np.nan),
        "`ping_interval_seconds` must be a finite number > 0",
    ),
    Case(
        "patrol_visits",
        "pings in longitude/latitude",
        lambda: hs.patrol_visits(pings().to_crs(4326), fx.city.hotspots),
        "`pings` uses a geographic CRS",
    ),
    Case(
        "patrol_visits",
        "points as places",
        lambda: hs.patrol_visits(pings(), fx.city.events),
        "`places` must contain Polygon or MultiPolygon",
    ),
    # plan_patrols
    Case(
        "plan_patrols",
        "no officers",
        lambda: hs.plan_patrols(fx.city.hotspots, officers=0, **SHIFT),
        "`officers` must be a whole number >= 1",
    ),
    Case(
        "plan_patrols",
        "officers as text",
        lambda: hs.plan_patrols(fx.city.hotspots, officers="4", **SHIFT),
        "`officers` must be a number of officers or a list of their ids",
        TypeError,
    ),
    Case(
        "plan_patrols",
        "shift ends before it starts",
        lambda: hs.plan_patrols(
            fx.city.hotspots,
            officers=2,
            shift_start="2024-06-01 22:00",
            shift_end="2024-06-01 14:00",
        ),
        "`shift_end` .* must be after `shift_start`",
    ),
    Case(
        "plan_patrols",
        "zero visit length",
        lambda: hs.plan_patrols(fx.city.hotspots, officers=2, visit_minutes=0, **SHIFT),
        "`visit_minutes` must be a finite number > 0",
    ),
    Case(
        "plan_patrols",
        "no visits per place",
        lambda: hs.plan_patrols(fx.city.hotspots, officers=2, visits_per_place=0, **SHIFT),
        "`visits_per_place` must be a whole number between 1 and 3; got 0",
    ),
    Case(
        "plan_patrols",
        "NaN walking speed",
        lambda: hs.plan_patrols(fx.city.hotspots, officers=2, walking_speed_kmh=np.nan, **SHIFT),
        "`walking_speed_kmh` must be a finite number > 0",
    ),
    # allocate_patrol_time (size checks are elsewhere)
    Case(
        "allocate_patrol_time",
        "response returns one number",
        lambda: allocate(response=lambda minutes: 0.9),
        r"`response` \(<lambda>\) must return one IRR per dose: .* returned shape \(\)",
    ),
    Case(
        "allocate_patrol_time",
        "response returns text",
        lambda: allocate(response=lambda minutes: ["a"] * len(minutes)),
        "`response` must hold numbers",
        TypeError,
    ),
    Case(
        "allocate_patrol_time",
        "response returns NaN",
        lambda: allocate(response=lambda minutes: minutes * np.nan),
        r"`response \(<lambda>\)` must hold finite numbers > 0.* one finite IRR > 0 per dose",
    ),
    Case(
        "allocate_patrol_time",
        "response is a name",
        lambda: allocate(response="log"),
        "`response` must be a DoseResponse or a function",
        TypeError,
    ),
    Case(
        "allocate_patrol_time",
        "budget as text",
        lambda: allocate(total_minutes="100"),
        "`total_minutes` must be a number",
        TypeError,
    ),
    Case(
        "allocate_patrol_time",
        "zero increment",
        lambda: allocate(increment_minutes=0),
        "`increment_minutes` must be a finite number > 0",
    ),
    Case(
        "allocate_patrol_time",
        "missing risk column",
        lambda: allocate(risk="danger"),
        "`places` is missing column.*'danger'",
    ),
    Case(
        "allocate_patrol_time",
        "risk as text",
        lambda: allocate(places=fx.city.hotspots.assign(expected_per_day="high")),
        r"`places\['expected_per_day'\]` must hold numbers",
        TypeError,
    ),
    Case(
        "allocate_patrol_time",
        "negative risk",
        lambda: allocate(places=fx.city.hotspots.assign(expected_per_day=-1.0)),
        r"`places\['expected_per_day'\]` must hold finite numbers >= 0; 20 of 20 are not",
    ),
]
