"""Month-stamped times (police.uk's Month, read as the 1st): told from dates, refused or
handled where days are needed (trial panels, forecast windows, rolling evaluation)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib._validation import (
    MIN_MONTHLY_EVENTS,
    data_end,
    month_stamped,
    require_days,
    require_month_windows,
)

HEADER = "Crime ID,Month,Longitude,Latitude,Crime type"


@pytest.fixture(scope="module")
def city() -> hs.SyntheticCity:
    return hs.synthetic_city(n_events=1_500, days=60, rng=7)  # January and February 2024


@pytest.fixture(scope="module")
def grid(city: hs.SyntheticCity) -> hs.Grid:
    return hs.make_grid(city.boundary, cell_size_m=250)


def test_trial_panel_refuses_or_warns_on_month_stamped_events() -> None:
    # police.uk crimes carry only the month (read as its first day): a daily panel of
    # them is all zeros but for the 1st. (Reproducer from a new-user trial.)
    plan = hs.assign_days(range(4), start="2024-07-01", days=60, treated_per_day=2, rng=1)
    months = pd.to_datetime(np.tile(["2024-07-01", "2024-08-01"], 20))
    events = pd.DataFrame({"hotspot_id": np.repeat(range(4), 10), "month": months})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            hs.trial_panel(events, plan, time="month")
        except ValueError:
            return
    assert caught


def test_the_reproducer_is_refused_with_the_reason_and_the_fix() -> None:
    plan = hs.assign_days(range(4), start="2024-07-01", days=60, treated_per_day=2, rng=1)
    months = pd.to_datetime(np.tile(["2024-07-01", "2024-08-01"], 20))
    events = pd.DataFrame({"hotspot_id": np.repeat(range(4), 10), "month": months})
    with pytest.raises(ValueError, match=r"all 40 times are midnight on the 1st of a month "
                       r"\(2 months, 2024-07 to 2024-08\).*dates"):  # fmt: skip
        hs.trial_panel(events, plan, time="month")


def test_daily_events_some_on_the_first_are_counted(city: hs.SyntheticCity) -> None:
    # Dated events, a few of them at midnight on the 1st: a daily panel as usual.
    events = city.events.copy()
    events.loc[events.index[:5], "timestamp"] = pd.Timestamp("2024-02-01")
    plan = hs.assign_days(city.hotspots, start="2024-01-01", days=60, treated_per_day=8, rng=1)
    panel = hs.trial_panel(events, plan)
    on_first = panel.loc[panel["date"] == pd.Timestamp("2024-02-01"), "count"].sum()
    in_hotspots = events["hotspot_id"].isin(plan.place_ids)
    expected = int((events["timestamp"].dt.normalize() == "2024-02-01")[in_hotspots].sum())
    assert on_first == expected >= 1
    assert panel["count"].sum() == int(in_hotspots.sum())


@pytest.mark.parametrize(
    ("times", "expected"),
    [
        (["2024-01-01", "2024-02-01"] * 5, True),  # 10 events, two months
        (["2024-01-01", "2024-02-01", "2024-03-01"] * 3, False),  # 9: could be chance
        (["2024-01-01"] * 50, False),  # one month, unmarked: a day of dates
        (["2024-01-01 00:00:00", "2024-02-01 00:00:01"] * 10, False),  # not midnight
        (["2024-01-01", "2024-02-02"] * 10, False),  # not all on the 1st
    ],
)
def test_month_stamped_needs_all_on_the_first_and_enough_of_them(
    times: list[str], expected: bool
) -> None:
    assert MIN_MONTHLY_EVENTS == 10
    assert month_stamped(pd.Series(pd.to_datetime(times))) is expected


def test_a_marked_column_is_months_however_few() -> None:
    frame = pd.DataFrame({"month": pd.to_datetime(["2024-01-01"] * 3)})
    assert not month_stamped(frame["month"], frame=frame, column="month")
    frame.attrs["hotspotlib"] = {"month_columns": ["month"]}
    assert month_stamped(frame["month"], frame=frame, column="month")
    assert not month_stamped(frame["month"], frame=frame, column="other")
    dated = frame.assign(month=pd.Timestamp("2024-01-03"))  # marker kept, values dates
    assert not month_stamped(dated["month"], frame=dated, column="month")


def test_aware_times_are_judged_on_their_local_clock() -> None:
    local = pd.Series(pd.date_range("2024-01-01", periods=12, freq="MS", tz="Europe/London"))
    assert month_stamped(local)
    assert not month_stamped(local.dt.tz_convert("Europe/Paris"))  # 01:00 there


def test_read_police_uk_marks_its_month_column(tmp_path: Path) -> None:
    path = tmp_path / "2024-01-essex-street.csv"
    path.write_text(f"{HEADER}\na1,2024-01,0.711,51.538,Robbery\na2,2024-01,0.712,51.539,Drugs\n")
    crimes = hs.read_police_uk(path)
    assert crimes.attrs["hotspotlib"]["month_columns"] == ["month"]
    crimes["hotspot_id"] = 0
    plan = hs.assign_days([0, 1], start="2024-01-01", days=30, treated_per_day=1, rng=1)
    with pytest.raises(ValueError, match=r"all 2 times .* \(1 months, 2024-01 to 2024-01\)"):
        hs.trial_panel(crimes, plan, time="month")


@pytest.mark.parametrize(
    ("origin", "days", "longer", "shorter"),
    [
        ("2025-01-01", 60, 61, 31),  # the trial's case: November is 61 days back
        ("2024-03-01", 365, 366, 335),  # a leap year: 365 days miss March 2023
        ("2024-03-01", 10, 29, 0),
    ],
)
def test_windows_must_be_whole_months_and_the_fix_says_which(
    origin: str, days: int, longer: int, shorter: int
) -> None:
    months = pd.Series(pd.date_range("2022-01-01", "2024-12-01", freq="MS"))
    moment = pd.Timestamp(origin)
    with pytest.raises(ValueError, match=rf"Use `window_days={longer}`"):
        require_days(months, name="t", origin=moment, windows={"window_days": days})
    assert require_days(months, name="t", origin=moment, windows={"window_days": longer})
    if shorter:
        assert require_days(months, name="t", origin=moment, windows={"window_days": shorter})


def test_dates_are_never_checked() -> None:
    dates = pd.Series(pd.date_range("2024-01-01", periods=100, freq="D"))
    assert not require_days(
        dates, name="t", daily="x", origin=pd.Timestamp("2024-05-17"),
        windows={"window_days": 3}, spans={"validation_days": 1},
    )  # fmt: skip


def test_whole_month_windows_count_exactly_those_months(
    city: hs.SyntheticCity, grid: hs.Grid
) -> None:
    february = int((city.events["month"] == "2024-02-01").sum())
    one = hs.window_counts(city.events, grid, time="month", origin="2024-03-01", window_days=29)
    both = hs.window_counts(city.events, grid, time="month", origin="2024-03-01", window_days=60)
    assert one.counts["n_used"] + one.counts["n_outside"] == february
    assert both.counts["n_too_old"] == 0
    assert both.counts["n_used"] + both.counts["n_outside"] == len(city.events)


def test_data_end_is_the_month_after_the_last_month() -> None:
    months = pd.Series(pd.to_datetime(["2024-11-01", "2024-12-01"] * 5))
    assert data_end(months) == pd.Timestamp("2025-01-01")
    dates = pd.Series(pd.to_datetime(["2024-11-03 10:00", "2024-12-01 23:00"]))
    assert data_end(dates) == pd.Timestamp("2024-12-02")


def test_rolling_evaluation_keeps_the_last_month(city: hs.SyntheticCity, grid: hs.Grid) -> None:
    def counts(train: pd.DataFrame, origin: pd.Timestamp) -> hs.ForecastSurface:
        return hs.window_counts(train, grid, time="month", origin=origin)

    result = hs.rolling_evaluation(
        city.events, grid, methods={"counts": counts}, time="month",
        origins=["2024-02-01"], test_days=28, n_bootstrap=0,
    )  # fmt: skip
    # February is the last month: its stamp (1 February) is tested, not cut off by an
    # end on 2 February.
    assert result.parameters["end"] == pd.Timestamp("2024-03-01")
    assert result.counts["n_origins"] == 1
    assert result.counts["n_test_events"] == int((city.events["month"] == "2024-02-01").sum())


def test_decayed_kde_runs_on_months_with_month_long_validation_windows(
    city: hs.SyntheticCity, grid: hs.Grid
) -> None:
    surface = hs.decayed_kde(
        city.events, grid, time="month", origin="2024-03-01", bandwidths_m=(250, 500),
        half_lives_days=30, own_half_lives_days=None, stay_shares=0, validation_days=31,
        n_validation=1,
    )  # fmt: skip
    assert surface.counts["n_validation_windows"] == 1
    assert surface.counts["n_validation_skipped"] == 0


@pytest.fixture(scope="module")
def year() -> hs.SyntheticCity:
    return hs.synthetic_city(n_events=1_200, days=366, rng=5)  # every month of 2024


def _counts(grid: hs.Grid):  # type: ignore[no-untyped-def]
    def counts(train: pd.DataFrame, origin: pd.Timestamp) -> hs.ForecastSurface:
        return hs.window_counts(train, grid, time="month", origin=origin)

    return {"counts": counts}


def test_rolling_test_windows_hold_the_same_months_at_every_origin(year: hs.SyntheticCity) -> None:
    # 30 days from 1 February reach 1 March: that origin was tested on February and
    # March together, the others on one month each.
    grid = hs.make_grid(year.boundary, cell_size_m=500)
    origins = list(pd.date_range("2024-02-01", periods=5, freq="MS"))  # January trains
    common = {"methods": _counts(grid), "time": "month", "origins": origins, "n_bootstrap": 0}
    with pytest.raises(ValueError, match=r"`test_days=30` from the origin 2024-02-01 holds 2 "
                       r"month\(s\) of events, not 1 .*Use `test_days=29`"):  # fmt: skip
        hs.rolling_evaluation(year.events, grid, test_days=30, **common)
    result = hs.rolling_evaluation(year.events, grid, test_days=29, **common)
    per_origin = result.table.groupby("origin")["n_events"].first()
    in_month = year.events["month"].value_counts()
    assert per_origin.to_dict() == {t: in_month[t] for t in origins}


@pytest.mark.parametrize(
    ("ahead", "back", "fix"),
    [
        ({"test_days": 31}, None, "`test_days=29`"),  # February 2024 has 29 days
        ({"test_days": 62}, None, "`test_days=60`"),  # Jan + Feb 2024 (leap year)
        (None, {"train_days": 365}, "`train_days=366`"),  # back from 1 March 2024
        (None, {"train_days": 14}, "`train_days=31`"),  # no month at all
    ],
)
def test_month_windows_name_the_length_holding_the_same_months(
    ahead: dict[str, float] | None, back: dict[str, float] | None, fix: str
) -> None:
    months = pd.Series(pd.date_range("2022-01-01", "2024-12-01", freq="MS"))
    origins = list(pd.date_range("2024-01-01", "2024-04-01", freq="MS"))
    with pytest.raises(ValueError, match=re.escape(fix)):
        require_month_windows(months, name="t", origins=origins, ahead=ahead, back=back)
    fixed = {k: float(fix.split("=")[1].strip("`")) for k in (ahead or back or {})}
    assert require_month_windows(
        months, name="t", origins=origins, ahead=fixed if ahead else None,
        back=fixed if back else None,
    )  # fmt: skip
    dates = pd.Series(pd.date_range("2024-01-01", periods=100, freq="D"))
    assert not require_month_windows(dates, name="t", origins=origins, ahead=ahead, back=back)


def test_compare_methods_on_months_takes_month_windows_and_keeps_the_last(
    year: hs.SyntheticCity,
) -> None:
    area = year.boundary
    common = {"methods": ["counts"], "time": "month", "cell_size_m": 500, "area": area}
    with pytest.raises(ValueError, match=r"windows of days \(`train`='90D', `test`='30D'\)"):
        hs.compare_methods(year.events, train="90D", test="30D", **common)
    result = hs.compare_methods(
        year.events, train=pd.DateOffset(months=3), test=pd.DateOffset(months=1), **common
    )
    assert result.origins == tuple(pd.date_range("2024-04-01", "2024-12-01", freq="MS"))


def test_knox_test_refuses_one_marked_month(tmp_path: Path) -> None:
    # One month of police.uk crimes (a common download): too few months to tell from
    # dates unmarked, but read_police_uk marked the column; every pair was 0 days apart.
    rows = [f"c{i},2024-02,{0.47 + i * 1e-4:.5f},51.73,Burglary" for i in range(30)]
    path = tmp_path / "2024-02-essex-street.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n")
    crimes = hs.read_police_uk(path)
    with pytest.raises(ValueError, match=r"all 30 times .* Knox test counts pairs by the days"):
        hs.knox_test(crimes, time="month", spatial_bands_m=[100], temporal_bands_days=[7], rng=1)


def test_emerging_hotspots_on_months_keeps_the_last_and_refuses_weeks(
    year: hs.SyntheticCity,
) -> None:
    # The study window ended on 2 December: December, whole months only, was dropped;
    # weekly steps held each month's crimes in the week of its 1st.
    common = {"time": "month", "cell_size_m": 500, "distance_m": 750, "area": year.boundary}
    result = hs.emerging_hotspots(year.events, interval="M", **common)
    assert result.n_steps == 12
    assert result.n_outside_window == 0
    with pytest.raises(ValueError, match=r"holds months.*`interval`='W' steps start inside"):
        hs.emerging_hotspots(year.events, interval="W", **common)
