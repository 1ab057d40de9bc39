"""patrol_visits gives exactly what the previous engine gave, on messy pings."""

import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib.dose import _ping_chunks, _union
from tests.dose._previous_engine import previous_patrol_visits
from tests.dose.conftest import make_schedule


def _messy_pings(city, order, officer_kind):
    """Pings across midnight, with noise, lost pings, repeats and missing values."""
    ids = city.hotspots.index.to_numpy()
    schedule = make_schedule(n_officers=40, n_visits=12, start="2024-01-01 21:30", place_ids=ids)
    # Sixty officers in all, some of them sharing the same visits (several officers at once).
    shared = schedule.iloc[:120].copy()
    shared["officer_id"] = shared["officer_id"].str.replace("P", "Q")
    schedule = pd.concat([schedule, shared], ignore_index=True)
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=4, gap_rate=0.03, rng=5)
    pings = sim.pings
    if officer_kind == "int":
        pings = pings.assign(
            officer_id=pings["officer_id"].str[1:].astype(int)
            + 1000 * (pings["officer_id"].str[0] == "Q")
        )
    elif officer_kind == "object":
        pings = pings.assign(officer_id=pings["officer_id"].astype(object))
    repeats = pings.iloc[100:160]
    bad_time = pings.iloc[200:203].assign(timestamp=pd.NaT)
    no_officer = pings.iloc[300:302].copy()
    no_officer["officer_id"] = None
    nowhere = pings.iloc[400:403].copy()
    nowhere.geometry = [None, Point(), Point(np.nan, 1.0)]
    pings = pd.concat([pings, repeats, bad_time, no_officer, nowhere], ignore_index=True)
    if order == "officer":
        pings = pings.sort_values(["officer_id", "timestamp"], kind="stable")
    elif order == "shuffled":
        pings = pings.sample(frac=1.0, random_state=3)
    return pings


@pytest.mark.parametrize(
    ("order", "officer_kind", "on_grid", "small_chunks"),
    [
        *[
            (order, "str", on_grid, True)
            for order in ("time", "officer", "shuffled")
            for on_grid in (0, 1)
        ],
        ("time", "str", True, False),
        ("shuffled", "str", False, False),
        ("shuffled", "int", True, True),
        ("time", "object", False, True),
    ],
)
def test_same_frames_as_previous_engine(
    city, monkeypatch, order, officer_kind, on_grid, small_chunks
):
    if small_chunks:  # many chunks of pings and bands of places, as at scale
        monkeypatch.setattr(_ping_chunks, "CHUNK", 997)
        monkeypatch.setattr(_union, "_BAND", 500)
    pings = _messy_pings(city, order, officer_kind)
    assert len(pings) > 20_000
    if on_grid:
        grid = hs.make_grid(city.boundary, cell_size_m=100)
        places, cells, column = grid, grid.cells, "cell_id"
    else:
        places, cells = city.hotspots, city.hotspots
        column = "hotspot_id"
    for max_speed_kmh in (None, 8.0):
        result = hs.patrol_visits(pings, places, max_speed_kmh=max_speed_kmh)
        settings = {
            key: result.parameters[key]
            for key in (
                "max_gap_minutes",
                "min_dwell_minutes",
                "merge_gap_minutes",
                "max_speed_kmh",
                "target_minutes",
            )
        }
        locator = places if on_grid else cells.geometry.to_numpy()
        visits, episodes, counts = previous_patrol_visits(
            pings, locator, cells, column=column, settings=settings
        )
        pd.testing.assert_frame_equal(result.visits, visits, check_exact=True)
        pd.testing.assert_frame_equal(result.episodes, episodes, check_exact=True)
        assert {key: result.counts[key] for key in counts} == counts
        assert counts["n_duplicates"] == 60 and counts["n_missing_position"] == 3
        crossing = (
            episodes["arrival"].dt.normalize()
            != (episodes["departure"] - pd.Timedelta(1, "ns")).dt.normalize()
        )
        assert not crossing.any()  # split at midnight ...
        assert (episodes["departure"].dt.time == pd.Timestamp("00:00").time()).any()  # ... here
        assert (visits["n_officers"] > 1).any()
        if max_speed_kmh is not None:
            assert result.counts["n_episodes_too_fast"] > 0
