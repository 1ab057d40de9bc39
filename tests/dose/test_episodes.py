"""Property tests of the array kernels behind patrol_visits against brute force."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspotlib.dose._episodes import DAY_NS, Episodes, union_visits

MINUTE = 60 * 10**9


@st.composite
def episode_sets(draw):
    n = draw(st.integers(1, 25))
    place = np.array(draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)))
    officer = np.array(draw(st.lists(st.integers(0, 3), min_size=n, max_size=n)))
    day = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    start_min = np.array(draw(st.lists(st.integers(0, 120), min_size=n, max_size=n)))
    length = np.array(draw(st.lists(st.integers(1, 30), min_size=n, max_size=n)))
    start = day * DAY_NS + start_min * MINUTE
    return Episodes(
        officer=officer.astype(np.int64),
        place=place.astype(np.int64),
        start=start.astype(np.int64),
        end=(start + length * MINUTE).astype(np.int64),
        n_pings=length.astype(np.int64),
        speed_kmh=np.zeros(n),
        n_too_fast=0,
    )


def _brute(episodes, merge_minutes):
    """Minute-by-minute occupancy per (place, day): patrol minutes and visit count."""
    out = {}
    for p in np.unique(episodes.place):
        for d in np.unique(episodes.start // DAY_NS):
            sel = (episodes.place == p) & (episodes.start // DAY_NS == d)
            if not sel.any():
                continue
            covered = np.zeros(200, dtype=bool)
            for s, e in zip(episodes.start[sel], episodes.end[sel], strict=True):
                covered[(s - d * DAY_NS) // MINUTE : (e - d * DAY_NS) // MINUTE] = True
            minutes = np.flatnonzero(covered)
            # visits: runs of covered minutes separated by more than merge_minutes
            breaks = np.flatnonzero(np.diff(minutes) > merge_minutes + 1)
            out[(p, d)] = (int(covered.sum()), len(breaks) + 1)
    return out


@settings(max_examples=150, deadline=None)
@given(episode_sets(), st.integers(0, 5))
def test_union_matches_minute_grid(episodes, merge_minutes):
    visits = union_visits(episodes, merge_gap_ns=merge_minutes * MINUTE, n_officers=4)
    expected = _brute(episodes, merge_minutes)
    got = {}
    for p, a, patrol in zip(visits.place, visits.arrival, visits.patrol_ns, strict=True):
        key = (int(p), int(a // DAY_NS))
        minutes, count = got.get(key, (0, 0))
        got[key] = (minutes + int(round(patrol / MINUTE)), count + 1)
    assert got == expected
    assert np.isclose(visits.officer_ns.sum(), (episodes.end - episodes.start).sum())
    assert (visits.patrol_ns <= visits.officer_ns + 1e-6).all()
    assert (visits.patrol_ns <= (visits.departure - visits.arrival) + 1e-6).all()
    assert visits.n_episodes.sum() == len(episodes.start)
    assert (visits.n_officers >= 1).all() and (visits.n_officers <= visits.n_episodes).all()
