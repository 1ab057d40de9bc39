"""Property tests of the array kernels behind patrol_visits against brute force."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hotspotlib.dose._episodes import DAY_NS, Episodes, find_episodes
from hotspotlib.dose._union import _place_time_order, union_visits

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


def _brute_episodes(officer, time, place, xy, step_ns, max_gap_ns, max_speed_kmh):
    """Ping by ping: runs of one officer in one place within the gap, split at midnight."""
    runs, n_too_fast = [], 0
    for i in range(len(time)):
        if place[i] < 0:
            continue
        joins = (
            i > 0
            and officer[i] == officer[i - 1]
            and place[i] == place[i - 1]
            and time[i] - time[i - 1] <= max_gap_ns
        )
        if not joins:
            runs.append([i])
        else:
            runs[-1].append(i)
    rows = []
    for run in runs:
        metres = seconds = 0.0
        for i in run:
            gap = time[i] - time[i - 1] if i > 0 else 0
            if i > 0 and officer[i] == officer[i - 1] and 0 < gap <= max_gap_ns:
                metres += float(np.sqrt(((xy[i] - xy[i - 1]) ** 2).sum()))
                seconds += gap / 1e9
        speed = metres / seconds * 3.6 if seconds > 0 else np.nan
        if max_speed_kmh is not None and speed > max_speed_kmh:
            n_too_fast += 1
            continue
        start, end = time[run[0]], time[run[-1]] + step_ns
        for day in range(start // DAY_NS, (end - 1) // DAY_NS + 1):
            n_pings = sum(time[i] // DAY_NS == day for i in run)
            if n_pings:
                rows.append(
                    (
                        officer[run[0]],
                        place[run[0]],
                        max(start, day * DAY_NS),
                        min(end, (day + 1) * DAY_NS),
                        n_pings,
                        speed,
                    )
                )
    return rows, n_too_fast


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, 5), st.integers(-1, 2), st.integers(0, 40)),
        min_size=1,
        max_size=40,
    ),
    st.sampled_from([None, 3.0]),
)
def test_find_episodes_matches_ping_by_ping(rows, max_speed_kmh):
    # Officers' pings sorted by time: gaps of 0-5 half-minutes (0 = a repeat time) near
    # midnight, places -1 (outside) to 2, positions 0-40 m apart.
    rows = sorted(rows, key=lambda r: r[0])
    officer = np.array([r[0] for r in rows], dtype=np.int64)
    gaps = np.array([r[1] for r in rows], dtype=np.int64) * 30 * 10**9
    time = DAY_NS - 3 * MINUTE + np.cumsum(gaps)
    place = np.array([r[2] for r in rows], dtype=np.int64)
    xy = np.column_stack([np.array([r[3] for r in rows], dtype=float), np.zeros(len(rows))])
    got = find_episodes(
        officer,
        time,
        place,
        xy,
        step_ns=MINUTE,
        max_gap_ns=2 * MINUTE,
        max_speed_kmh=max_speed_kmh,
    )
    expected, n_too_fast = _brute_episodes(
        officer, time, place, xy, MINUTE, 2 * MINUTE, max_speed_kmh
    )
    pieces = zip(got.officer, got.place, got.start, got.end, got.n_pings, strict=True)
    assert [tuple(int(v) for v in piece) for piece in pieces] == [r[:5] for r in expected]
    np.testing.assert_allclose(got.speed_kmh, [r[5] for r in expected], rtol=1e-12)
    assert got.n_too_fast == n_too_fast


@pytest.mark.parametrize(
    ("offset_ns", "place_scale"),
    [(0, 1), (1, 1), (0, 2**40)],  # packed seconds, nanosecond argsort, lexsort
)
def test_place_time_order_every_path(offset_ns, place_scale):
    rng = np.random.default_rng(4)
    place = rng.integers(0, 50, 5_000) * place_scale
    start = rng.integers(0, 3 * 86_400, 5_000) * 10**9 + offset_ns * rng.integers(0, 2, 5_000)
    order = _place_time_order(place, start)
    expected = np.lexsort((start, place))
    assert sorted(order.tolist()) == list(range(5_000))
    np.testing.assert_array_equal(place[order], place[expected])
    np.testing.assert_array_equal(start[order], start[expected])


def test_union_in_bands_equals_one_sweep():
    rng = np.random.default_rng(5)
    n = 4_000
    start = rng.integers(0, 2 * 86_400, n) * 10**9 + rng.integers(0, 2, n)  # some odd ns
    episodes = Episodes(
        officer=rng.integers(0, 30, n),
        place=rng.integers(0, 40, n),
        start=start,
        end=np.minimum(start + rng.integers(1, 1_800, n) * 10**9, (start // DAY_NS + 1) * DAY_NS),
        n_pings=np.ones(n, dtype=np.int64),
        speed_kmh=np.zeros(n),
        n_too_fast=0,
    )
    whole = union_visits(episodes, merge_gap_ns=180 * 10**9, n_officers=30)
    banded = union_visits(episodes, merge_gap_ns=180 * 10**9, n_officers=30, band=300)
    for name in whole.__slots__:
        np.testing.assert_array_equal(getattr(banded, name), getattr(whole, name))
    assert len(whole.place) > 100 and (whole.n_officers > 1).any()
