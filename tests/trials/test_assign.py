import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspotlib as hs


# T1 (domain reference section 6): published design totals.
@pytest.mark.parametrize(
    ("n_places", "days", "per_day", "treated", "control"),
    [
        (20, 90, 8, 720, 1_080),  # Southend (Basford et al. 2021)
        (21, 90, 7, 630, 1_260),  # Bedfordshire (Bland et al. 2021)
    ],
)
def test_published_crossover_totals(n_places, days, per_day, treated, control):
    plan = hs.assign_days(
        range(n_places), start="2020-07-01", days=days, treated_per_day=per_day, rng=1
    )
    assert plan.n_place_days == n_places * days
    assert (plan.n_treated, plan.n_control) == (treated, control)
    assert (plan.treated.sum(axis=0) == per_day).all()
    frame = plan.to_frame()
    assert len(frame) == n_places * days
    assert frame["treated"].sum() == treated


def test_perth_totals_with_run_limit():
    # Perth (Barnes et al. 2020): 15 hot spots x 248 days, control runs up to 20 days.
    plan = hs.assign_days(
        range(15),
        start="2019-01-01",
        days=248,
        treated_per_day=5,
        max_consecutive_control=20,
        rng=3,
    )
    assert plan.n_place_days == 3_720
    assert plan.counts["longest_control_run_days"] <= 20


def test_run_limit_is_enforced_in_every_redraw():
    plan = hs.assign_days(
        range(12), start="2020-01-01", days=60, treated_per_day=4, max_consecutive_control=3, rng=2
    )
    draws = plan.redraw(200, rng=5)
    assert (draws.sum(axis=1) == 4).all()
    day = np.arange(60)
    last = np.maximum.accumulate(np.where(draws, day, -1), axis=2)
    assert (day - last).max() <= 3


def test_impossible_run_limit_is_refused():
    with pytest.raises(ValueError, match="cannot be met"):
        hs.assign_days(
            range(20), start="2020-01-01", days=10, treated_per_day=2, max_consecutive_control=3
        )


def test_audit_trail_and_reproducibility():
    a = hs.assign_days(range(20), start="2020-07-01", days=30, treated_per_day=8, rng=11)
    b = hs.assign_days(range(20), start="2020-07-01", days=30, treated_per_day=8, rng=11)
    np.testing.assert_array_equal(a.treated, b.treated)
    assert a.audit["seed"] == 11
    assert a.audit["library"] == f"hotspotlib {hs.__version__}"
    assert "uniform keys" in a.audit["algorithm"]
    # an unseeded allocation records fresh entropy that re-creates it
    c = hs.assign_days(range(20), start="2020-07-01", days=30, treated_per_day=8)
    d = hs.assign_days(
        range(20), start="2020-07-01", days=30, treated_per_day=8, rng=c.audit["seed"]
    )
    np.testing.assert_array_equal(c.treated, d.treated)
    # a Generator's state is recorded
    gen = np.random.default_rng(4)
    e = hs.assign_places(range(10), rng=gen)
    assert e.audit["generator_state"]["bit_generator"] == "PCG64"
    assert not e.treated.flags.writeable


def test_schedule_uses_place_index_name(city):
    plan = hs.assign_days(city.hotspots, start=city.start, days=5, treated_per_day=8, rng=1)
    assert list(plan.to_frame().columns) == ["hotspot_id", "date", "treated"]
    assert "n_treated_place_days" in str(plan.summary())
    assert plan.plot() is not None


@settings(max_examples=25, deadline=None)
@given(
    sizes=st.lists(st.integers(2, 9), min_size=1, max_size=4),
    share=st.floats(0.2, 0.8),
    seed=st.integers(0, 2**16),
)
def test_block_sizes_are_kept(sizes, share, seed):
    labels = np.repeat(np.arange(len(sizes)), sizes)
    expected = np.floor(share * np.asarray(sizes) + 0.5).astype(int)
    if expected.sum() in (0, len(labels)):
        return
    allocation = hs.assign_places(
        range(len(labels)), design="block", blocks=labels, treated_share=share, rng=seed
    )
    counts = np.bincount(labels, weights=allocation.treated, minlength=len(sizes))
    np.testing.assert_array_equal(counts, expected)
    redrawn = allocation.redraw(50, rng=seed)
    for block, k in enumerate(expected):
        assert (redrawn[:, labels == block].sum(axis=1) == k).all()


@settings(max_examples=25, deadline=None)
@given(n=st.integers(3, 25), days=st.integers(1, 20), seed=st.integers(0, 2**16), data=st.data())
def test_treated_per_day_invariant(n, days, seed, data):
    k = data.draw(st.integers(1, n - 1))
    plan = hs.assign_days(range(n), start="2021-01-01", days=days, treated_per_day=k, rng=seed)
    assert (plan.treated.sum(axis=0) == k).all()
    assert (plan.redraw(20, rng=seed).sum(axis=1) == k).all()


def test_blocked_schedule_mapping():
    places = pd.DataFrame(
        {"district": ["a"] * 6 + ["b"] * 9}, index=pd.Index(range(15), name="spot")
    )
    plan = hs.assign_days(
        places,
        start="2021-01-01",
        days=10,
        blocks="district",
        treated_per_day={"a": 2, "b": 3},
        rng=1,
    )
    assert (plan.treated[:6].sum(axis=0) == 2).all()
    assert (plan.treated[6:].sum(axis=0) == 3).all()
    assert "block" in plan.to_frame().columns
    assert plan.to_frame().columns[0] == "spot"


def test_pair_design_treats_one_per_pair():
    baseline = np.random.default_rng(0).poisson(20, 42)
    allocation = hs.assign_places(range(42), design="pair", rank_by=baseline, rng=1)
    order = np.argsort(-baseline, kind="stable")
    pairs = allocation.treated[order].reshape(21, 2)
    assert (pairs.sum(axis=1) == 1).all()
    assert allocation.design == "pair"


def test_stratified_design():
    values = np.arange(30.0)
    allocation = hs.assign_places(range(30), design="stratified", rank_by=values, n_strata=3, rng=1)
    assert len(np.unique(allocation.block)) == 3
    assert np.bincount(allocation.block, weights=allocation.treated).tolist() == [5, 5, 5]


def test_rerandomisation_meets_threshold():
    rng = np.random.default_rng(3)
    places = pd.DataFrame({"crime": rng.poisson(30, 30), "calls": rng.normal(50, 10, 30)})
    allocation = hs.assign_places(
        places, rerandomize=["crime", "calls"], balance_threshold=0.05, rng=1
    )
    table = hs.balance_table(allocation, places[["crime", "calls"]])
    assert table.to_frame()["std_difference"].abs().max() <= 0.05
    assert allocation.audit["n_draws"] >= 1
    redrawn = allocation.redraw(20, rng=2)
    from hotspotlib.trials._common import standardised_differences

    worst = np.abs(standardised_differences(redrawn, places.to_numpy(float))).max(axis=1)
    assert (worst <= 0.05).all()


def test_rerandomisation_can_fail_clearly():
    x = np.r_[np.zeros(3), 100.0 * np.ones(1)]
    with pytest.raises(ValueError, match="No allocation passed"):
        hs.assign_places(
            range(4), rerandomize=x[:, None], balance_threshold=0.001, max_draws=50, rng=1
        )


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"design": "cluster"}, "`design` must be one of"),
        ({"design": "block"}, "`blocks` is required with design=.block."),
        ({"design": "pair"}, "`rank_by` is required with design=.pair."),
        ({"treated_share": 1.5}, "between 0 and 1"),
        ({"treated_share": 0.01}, "leaves no place in treatment"),
        ({"design": "pair", "rank_by": range(5)}, "one value per place"),
    ],
)
def test_assign_places_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.assign_places(range(6), **kwargs)


def test_assign_places_input_errors():
    with pytest.raises(ValueError, match="empty"):
        hs.assign_places([])
    with pytest.raises(ValueError, match="repeated place ids"):
        hs.assign_places([1, 1, 2])
    with pytest.raises(ValueError, match="even number"):
        hs.assign_places(range(5), design="pair", rank_by=range(5))
    with pytest.raises(TypeError, match="`rng`"):
        hs.assign_places(range(6), rng="seed")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"treated_per_day": 0}, "leaves no place in"),
        ({"treated_per_day": 6}, "leaves no place in"),
        ({"treated_per_day": 2, "days": 0}, "`days`"),
        ({"treated_per_day": {"a": 1}}, "`blocks` is required with a mapping"),
        ({"treated_per_day": 2, "max_consecutive_control": 0}, "whole number >= 1"),
    ],
)
def test_assign_days_errors(kwargs, match):
    kwargs.setdefault("days", 5)
    with pytest.raises(ValueError, match=match):
        hs.assign_days(range(6), start="2021-01-01", **kwargs)


def test_inputs_not_mutated():
    places = pd.DataFrame({"crime": np.arange(10.0), "district": list("aabbccddee")})
    before = places.copy()
    hs.assign_places(
        places,
        design="block",
        blocks="district",
        rerandomize=["crime"],
        balance_threshold=0.5,
        rng=1,
    )
    hs.assign_days(places, start="2021-01-01", days=3, treated_per_day=1, blocks="district", rng=1)
    pd.testing.assert_frame_equal(places, before)


def test_trial_panel_counts(city):
    plan = hs.assign_days(city.hotspots, start=city.start, days=30, treated_per_day=8, rng=1)
    panel = hs.trial_panel(city.events, plan, weights="harm")
    in_window = city.events[
        (city.events["hotspot_id"] >= 0)
        & (city.events["timestamp"] < city.start + pd.Timedelta(days=30))
    ]
    assert panel["count"].sum() == len(in_window)
    assert panel["harm"].sum() == pytest.approx(in_window["harm"].sum())
    assert panel.attrs["n_events_outside"] == len(city.events) - len(in_window)
    with pytest.raises(TypeError, match="DayAssignment"):
        hs.trial_panel(city.events, plan.to_frame())
    with pytest.raises(ValueError, match="missing column"):
        hs.trial_panel(city.events.drop(columns="hotspot_id"), plan)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"blocks": np.repeat([0, 1, 2], 4)}, "`blocks` does not apply with design=.complete."),
        ({"design": "pair", "rank_by": range(12), "blocks": [0] * 12}, "`blocks` does not apply"),
        (
            {"design": "block", "blocks": np.repeat([0, 1, 2], 4), "rank_by": range(12)},
            "`rank_by` does not apply with design=.block.",
        ),
        ({"rank_by": range(12)}, "`rank_by` does not apply with design=.complete."),
    ],
)
def test_unused_design_arguments_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.assign_places(range(12), rng=1, **kwargs)


def test_slash_start_needs_its_order_settled():
    with pytest.raises(ValueError, match="`start`.*both day-first and month-first"):
        hs.assign_days(range(4), start="01/02/2024", days=3, treated_per_day=2, rng=1)
    uk = hs.assign_days(
        range(4), start="01/02/2024", days=3, treated_per_day=2, rng=1, dayfirst=True
    )
    assert uk.dates[0] == pd.Timestamp("2024-02-01")
    settled = hs.assign_days(range(4), start="13/02/2024", days=3, treated_per_day=2, rng=1)
    assert settled.dates[0] == pd.Timestamp("2024-02-13")


def test_trial_panel_counts_aware_events_on_their_local_day():
    city = hs.synthetic_city(n_events=2_000, days=20, rng=4)
    plan = hs.assign_days(city.hotspots, start=city.start, days=20, treated_per_day=8, rng=1)
    naive = hs.trial_panel(city.events, plan)
    events = city.events.assign(timestamp=city.events["timestamp"].dt.tz_localize("Europe/London"))
    aware = hs.trial_panel(events, plan)
    assert aware["count"].sum() == naive["count"].sum() > 0
    pd.testing.assert_frame_equal(aware, naive)


def test_trial_panel_float_ids_and_outside_marker() -> None:
    plan = hs.assign_days([0, 1, 2, 3], start="2024-01-01", days=10, treated_per_day=2, rng=1)
    events = pd.DataFrame(
        {
            "hotspot_id": [0.0, 1.0, -1.0, -1.0, -1.0, 2.0],
            "timestamp": pd.date_range("2024-01-02", periods=6, freq="D"),
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # -1.0 marks no hot spot: not an unmatched id
        panel = hs.trial_panel(events, plan)
    assert panel["count"].sum() == 3
