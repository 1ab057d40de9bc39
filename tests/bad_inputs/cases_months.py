"""Month-stamped times (police.uk's Month, read as the 1st) where days are needed.

``fx.city.events["month"]`` holds each event's month as midnight on its 1st (two months,
2,000 events): the day-based questions below must be refused with the fix.
"""

import pandas as pd


def _plan():
    return hs.assign_days(fx.city.hotspots, start="2024-01-01", days=60, treated_per_day=8, rng=1)


def _methods():
    return {
        "all": lambda train, origin: hs.window_counts(train, fx.grid, origin=origin, time="month"),
        "recent": lambda train, origin: hs.recency_counts(
            train, fx.grid, origin=origin, time="month", half_life_days=60
        ),
    }


MONTH = {"time": "month", "origin": "2024-03-01"}

CASES = [
    Case(
        "trial_panel",
        "month-stamped events in a daily panel",
        lambda: hs.trial_panel(fx.city.events, _plan(), time="month"),
        match=r"holds months, not dates: all 2\d{3} times .* daily trial panel",
    ),
    Case(
        "trial_panel",
        "one month marked by read_police_uk, fewer than 10 events",
        lambda: hs.trial_panel(
            _marked(fx.city.events.head(5).assign(month=pd.Timestamp("2024-01-01"))),
            _plan(),
            time="month",
        ),
        match=r"`events\['month'\]` holds months",
    ),
    Case(
        "window_counts",
        "origin inside a month",
        lambda: hs.window_counts(fx.city.events, fx.grid, time="month", origin="2024-02-15"),
        match=r"`origin` \(2024-02-15 00:00:00\) is inside a month.*'2024-02-01' or '2024-03-01'",
    ),
    Case(
        "window_counts",
        "window not whole months",
        lambda: hs.window_counts(fx.city.events, fx.grid, window_days=30, **MONTH),
        match=r"`window_days=30` reaches back .* only the months from 2024-02-01 \(29 days\)"
        r".* Use `window_days=60`",
    ),
    Case(
        "recency_counts",
        "window shorter than one month",
        lambda: hs.recency_counts(
            fx.city.events, fx.grid, half_life_days=30, window_days=10, **MONTH
        ),
        match=r"so it holds no month\. Use `window_days=29`",
    ),
    Case(
        "decayed_kde",
        "validation windows shorter than a month",
        lambda: hs.decayed_kde(fx.city.events, fx.grid, bandwidths_m=(250, 500), **MONTH),
        match=r"`validation_days=28` days are shorter than a month.*`validation_days=31`",
    ),
    Case(
        "decayed_kde",
        "window not whole months",
        lambda: hs.decayed_kde(
            fx.city.events,
            fx.grid,
            bandwidths_m=250,
            half_lives_days=30,
            own_half_lives_days=None,
            stay_shares=0,
            window_days=45,
            **MONTH,
        ),  # fmt: skip
        match=r"`window_days=45`.* Use `window_days=60`",
    ),
    Case(
        "lagged_regression",
        "horizon shorter than a month",
        lambda: hs.lagged_regression(fx.city.events, fx.grid, horizon_days=28, **MONTH),
        match=r"`horizon_days=28` days are shorter than a month",
    ),
    Case(
        "self_exciting",
        "month-stamped events",
        lambda: hs.self_exciting(fx.city.events, fx.grid, **MONTH),
        match=r"holds months.*self-exciting model needs the time of each event",
    ),
    Case(
        "ensemble",
        "weights chosen on windows that start inside months",
        lambda: hs.ensemble(fx.city.events, fx.grid, methods=_methods(), **MONTH),
        match=r"validation windows start inside months.*`method_weights=None`",
    ),
    Case(
        "knox_test",
        "month-stamped events",
        lambda: hs.knox_test(
            fx.city.events, time="month", spatial_bands_m=[100], temporal_bands_days=[7], rng=1
        ),
        match=r"holds months.*Knox test counts pairs by the days between them",
    ),
    Case(
        "rolling_evaluation",
        "an origin inside a month",
        lambda: hs.rolling_evaluation(
            fx.city.events,
            fx.grid,
            methods=_methods(),
            time="month",
            origins=["2024-02-01", "2024-02-10"],
            n_bootstrap=0,
        ),  # fmt: skip
        match=r"an origin \(2024-02-10 00:00:00\) is inside a month",
    ),
    Case(
        "rolling_evaluation",
        "test_days holding one month from January, two from February",
        lambda: hs.rolling_evaluation(
            fx.city.events,
            fx.grid,
            methods=_methods(),
            time="month",
            origins=["2024-01-01", "2024-02-01"],
            test_days=30,
            n_bootstrap=0,
        ),  # fmt: skip
        match=r"`test_days=30` from the origin 2024-02-01 holds 2 month\(s\).*`test_days=29`",
    ),
    Case(
        "compare_methods",
        "windows in days on month-stamped events",
        lambda: hs.compare_methods(
            fx.city.events,
            methods=["counts"],
            time="month",
            train="31D",
            test="28D",
            cell_size_m=500,
            area=fx.city.boundary,
        ),  # fmt: skip
        match=r"holds months.*windows of days.*pd\.DateOffset\(months=3\)",
    ),
]


def _marked(frame):
    frame.attrs["hotspotlib"] = {"month_columns": ["month"]}
    return frame
