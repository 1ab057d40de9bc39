"""Bad times and joins in dose and metrics (names ``Case``, ``fx`` and ``hs`` are given)."""

from functools import cache

import numpy as np
import pandas as pd


def _schedule(**changes):
    arrival = pd.date_range("2024-01-02 09:00", periods=40, freq="97min")
    frame = pd.DataFrame(
        {
            "officer_id": "A",
            "hotspot_id": np.arange(40) % 20,
            "arrival": arrival,
            "minutes": [4, 8, 12, 16] * 10,
        }
    )
    for column, value in changes.items():
        frame[column] = value(frame) if callable(value) else value
    return frame


@cache
def sim():
    return hs.simulate_patrol_pings(fx.city.hotspots, _schedule(), noise_m=0, rng=1)


@cache
def visits():
    return hs.patrol_visits(sim().pings, fx.city.hotspots)


def _pings(**changes):
    pings = sim().pings.copy()
    for column, value in changes.items():
        pings[column] = value(pings) if callable(value) else value
    return pings


def _events(**changes):
    events = fx.city.events.copy()
    for column, value in changes.items():
        events[column] = value(events) if callable(value) else value
    return events


def _assignment(**changes):
    frame = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(20), 3),
            "date": np.tile(pd.date_range("2024-01-02", periods=3), 20),
            "treated": np.tile([True, False, True], 20),
        }
    )
    for column, value in changes.items():
        frame[column] = value(frame) if callable(value) else value
    return frame


def _ambiguous(stamps):
    """Day-first text of times whose day is at most 12 (so each could be either)."""
    return stamps.dt.strftime("%d/%m/%Y %H:%M").where(stamps.dt.day <= 12, "05/01/2024 10:00")


PERIOD = {"start": "2024-01-01", "end": "2024-01-31"}
KNOX = {"spatial_bands_m": [100, 200], "temporal_bands_days": [7, 14], "n_permutations": 0}

CASES = [
    # patrol_visits
    Case(
        "patrol_visits",
        "ambiguous slash ping times",
        lambda: hs.patrol_visits(
            _pings(timestamp=lambda p: p["timestamp"].dt.strftime("%d/%m/%Y %H:%M")),
            fx.city.hotspots,
        ),
        match=r"`pings\['timestamp'\]`.*day-first and month-first",
    ),
    Case(
        "patrol_visits",
        "officer ids mixing 1 and '1'",
        lambda: hs.patrol_visits(
            _pings(
                officer_id=lambda p: pd.Series(
                    [1 if i % 2 else "1" for i in range(len(p))], dtype=object, index=p.index
                )
            ),
            fx.city.hotspots,
        ),
        match=r"`pings\['officer_id'\]` mixes text and numbers",
    ),
    Case(
        "patrol_visits",
        "every ping outside the places",
        lambda: hs.patrol_visits(
            sim().pings.set_geometry(sim().pings.geometry.translate(50_000, 0)), fx.city.hotspots
        ),
        match=r"No pings of `pings` match `places` \(0 of \d+\): `pings` has x",
    ),
    Case(
        "patrol_visits",
        "epoch seconds as times",
        lambda: hs.patrol_visits(
            _pings(timestamp=lambda p: p["timestamp"].astype("int64") // 10**9), fx.city.hotspots
        ),
        match=r"`pings\['timestamp'\]` holds numbers",
        raises=TypeError,
    ),
    Case(
        "patrol_visits",
        "dayfirst as text",
        lambda: hs.patrol_visits(sim().pings, fx.city.hotspots, dayfirst="UK"),
        match=r"`dayfirst`",
        raises=TypeError,
    ),
    # dosage_panel
    Case(
        "dosage_panel",
        "ambiguous start",
        lambda: hs.dosage_panel(visits(), start="01/02/2024", end="2024-03-01"),
        match=r"`start`.*day-first",
    ),
    Case(
        "dosage_panel",
        "start missing",
        lambda: hs.dosage_panel(visits(), start=None, end="2024-03-01"),
        match=r"`start` is missing",
    ),
    Case(
        "dosage_panel",
        "time-zone-aware end before start",
        lambda: hs.dosage_panel(
            visits(), start="2024-01-01", end=pd.Timestamp("2023-12-01", tz="UTC")
        ),
        match=r"`end` \(2023-12-01\) must be after `start` \(2024-01-01\)",
    ),
    Case(
        "dosage_panel",
        "period after every visit",
        lambda: hs.dosage_panel(visits(), start="2025-01-01", end="2025-02-01"),
        match=r"No visits of `visits` match `start/end`.*days from 2025-01-01",
    ),
    Case(
        "dosage_panel",
        "assignment ids as text",
        lambda: hs.dosage_panel(
            visits(),
            assignment=_assignment(hotspot_id=lambda f: f["hotspot_id"].astype(str)),
            **PERIOD,
        ),
        match=r"`assignment\['hotspot_id'\]` match `places`.*text on one side",
    ),
    Case(
        "dosage_panel",
        "assignment ids mixing text and numbers",
        lambda: hs.dosage_panel(
            visits(),
            assignment=_assignment(
                hotspot_id=lambda f: (
                    f["hotspot_id"]
                    .astype(object)
                    .where(f.index % 2 == 0, f["hotspot_id"].astype(str))
                )
            ),
            **PERIOD,
        ),
        match=r"`assignment\['hotspot_id'\]` mixes text and numbers",
    ),
    Case(
        "dosage_panel",
        "assignment dates mostly outside the period",
        lambda: hs.dosage_panel(
            visits(),
            assignment=_assignment(
                date=lambda f: f["date"] + pd.Timedelta(days=40) * (f.index % 3 != 0).astype(int)
            ),
            **PERIOD,
        ),
        match=r"40 of 60 rows \(67%\) have a `assignment\['date'\]`",
        raises=None,
        warns=UserWarning,
    ),
    Case(
        "dosage_panel",
        "ambiguous assignment dates",
        lambda: hs.dosage_panel(
            visits(),
            assignment=_assignment(date=lambda f: f["date"].dt.strftime("%m/%d/%Y")),
            **PERIOD,
        ),
        match=r"`assignment\['date'\]`.*day-first and month-first",
    ),
    Case(
        "dosage_panel",
        "events all in another year",
        lambda: hs.dosage_panel(
            visits(),
            events=_events(timestamp=lambda e: e["timestamp"] + pd.Timedelta(days=730)),
            **PERIOD,
        ),
        match=r"No events of `events\['timestamp'\]` match `start/end`",
    ),
    # plan_patrols
    Case(
        "plan_patrols",
        "ambiguous shift start",
        lambda: hs.plan_patrols(
            fx.city.hotspots,
            officers=4,
            shift_start="01/06/2024 14:00",
            shift_end="2024-06-01 22:00",
        ),
        match=r"`shift_start`.*day-first",
    ),
    Case(
        "plan_patrols",
        "shift end missing",
        lambda: hs.plan_patrols(
            fx.city.hotspots, officers=4, shift_start="2024-06-01 14:00", shift_end=None
        ),
        match=r"`shift_end` is missing",
    ),
    Case(
        "plan_patrols",
        "officer ids mixing 1 and '1'",
        lambda: hs.plan_patrols(
            fx.city.hotspots,
            officers=[1, "1", 2],
            shift_start="2024-06-01 14:00",
            shift_end="2024-06-01 22:00",
        ),
        match=r"`officers` mixes text and numbers",
    ),
    # koper_curve
    Case(
        "koper_curve",
        "events in another year",
        lambda: hs.koper_curve(
            visits(),
            _events(timestamp=lambda e: e["timestamp"] + pd.Timedelta(days=730)),
            n_bootstrap=0,
        ),
        match=r"No events of `events\['timestamp'\]` match `the follow-up of the visits`",
    ),
    Case(
        "koper_curve",
        "events away from every place",
        lambda: hs.koper_curve(
            visits(),
            fx.city.events.set_geometry(fx.city.events.geometry.translate(50_000, 0)),
            n_bootstrap=0,
        ),
        match=r"No events of `events` match `visits.places`",
    ),
    Case(
        "koper_curve",
        "ambiguous end",
        lambda: hs.koper_curve(visits(), fx.city.events, end="03/02/2024", n_bootstrap=0),
        match=r"`end`.*day-first",
    ),
    Case(
        "koper_curve",
        "end before the first visit",
        lambda: hs.koper_curve(visits(), fx.city.events, end="2023-06-01", n_bootstrap=0),
        match=r"`end`.*first arrival",
    ),
    # simulate_patrol_pings
    Case(
        "simulate_patrol_pings",
        "ambiguous arrival text",
        lambda: hs.simulate_patrol_pings(
            fx.city.hotspots,
            _schedule(arrival=lambda f: f["arrival"].dt.strftime("%m/%d/%Y %H:%M")),
        ),
        match=r"`schedule\['arrival'\]`.*day-first and month-first",
    ),
    Case(
        "simulate_patrol_pings",
        "place ids as text",
        lambda: hs.simulate_patrol_pings(
            fx.city.hotspots, _schedule(hotspot_id=lambda f: f["hotspot_id"].astype(str))
        ),
        match=r"`schedule\['hotspot_id'\]` match `places.index`.*text on one side",
    ),
    Case(
        "simulate_patrol_pings",
        "arrivals that are not dates",
        lambda: hs.simulate_patrol_pings(
            fx.city.hotspots, _schedule(arrival=lambda f: ["soon"] * len(f))
        ),
        match=r"`schedule\['arrival'\]` could not be parsed",
    ),
    Case(
        "simulate_patrol_pings",
        "officer ids mixing 1 and '1'",
        lambda: hs.simulate_patrol_pings(fx.city.hotspots, _schedule(officer_id=[1, "1"] * 20)),
        match=r"`schedule\['officer_id'\]` mixes text and numbers",
    ),
    # prospective_hotspots
    Case(
        "prospective_hotspots",
        "ambiguous origin",
        lambda: hs.prospective_hotspots(fx.city.events, origin="01/02/2024", cell_size_m=250),
        match=r"`origin`.*day-first",
    ),
    Case(
        "prospective_hotspots",
        "origin long after every event",
        lambda: hs.prospective_hotspots(fx.city.events, origin="2030-01-01", cell_size_m=250),
        match=r"No events of `events\['timestamp'\]` match `the weeks before `origin``",
    ),
    Case(
        "prospective_hotspots",
        "aware origin, naive events",
        lambda: hs.prospective_hotspots(
            fx.city.events, origin=pd.Timestamp("2024-02-01", tz="Europe/London"), cell_size_m=250
        ),
        match=r"`origin`.*time zone",
    ),
    Case(
        "prospective_hotspots",
        "origin missing",
        lambda: hs.prospective_hotspots(fx.city.events, origin=None, cell_size_m=250),
        match=r"`origin` is missing",
    ),
    # knox_test
    Case(
        "knox_test",
        "ambiguous slash dates",
        lambda: hs.knox_test(_events(timestamp=lambda e: _ambiguous(e["timestamp"])), **KNOX),
        match=r"`events\['timestamp'\]`.*day-first and month-first",
    ),
    Case(
        "knox_test",
        "missing times",
        lambda: hs.knox_test(
            _events(timestamp=lambda e: e["timestamp"].where(e.index > 2)), **KNOX
        ),
        match=r"`events\['timestamp'\]` has 3 missing timestamps",
    ),
    Case(
        "knox_test",
        "times in two UTC offsets",
        lambda: hs.knox_test(
            _events(
                timestamp=lambda e: (
                    e["timestamp"].dt.strftime("%Y-%m-%dT%H:%M")
                    + np.where(e.index % 2, "+00:00", "+01:00")
                )
            ),
            **KNOX,
        ),
        match=r"`events\['timestamp'\]` could not be read as one set of times",
    ),
    # compare_methods
    Case(
        "compare_methods",
        "ambiguous origins",
        lambda: hs.compare_methods(
            fx.city.events, cell_size_m=400, origins=["01/02/2024"], train="20D", test="10D"
        ),
        match=r"`origins`.*day-first",
    ),
    Case(
        "compare_methods",
        "origins far from the events",
        lambda: hs.compare_methods(
            fx.city.events, cell_size_m=400, origins=["2030-01-01"], train="20D", test="10D"
        ),
        match=r"No origin could be evaluated.*run from 2024-01-01",
    ),
    Case(
        "compare_methods",
        "no origins",
        lambda: hs.compare_methods(
            fx.city.events, cell_size_m=400, origins=[], train="20D", test="10D"
        ),
        match=r"`origins` is empty",
    ),
    Case(
        "compare_methods",
        "origins as one string",
        lambda: hs.compare_methods(
            fx.city.events, cell_size_m=400, origins="2024-02-01", train="20D", test="10D"
        ),
        match=r"`origins` must be a sequence",
        raises=TypeError,
    ),
    # other time inputs read by the same parser
    Case(
        "from_frame",
        "ambiguous UK dates",
        lambda: hs.from_frame(
            pd.DataFrame({"x": [530000.0], "y": [180000.0], "when": ["03/04/2024 10:00"]}),
            x="x",
            y="y",
            crs=27700,
            time="when",
        ),
        match=r"`time`.*dayfirst=True",
    ),
    Case(
        "emerging_hotspots",
        "ambiguous start",
        lambda: hs.emerging_hotspots(
            fx.city.events, time="timestamp", cell_size_m=500, distance_m=800, start="01/02/2024"
        ),
        match=r"`start`.*day-first",
    ),
]
