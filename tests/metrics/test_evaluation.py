"""rolling_evaluation: equal to hand-computed metrics, reproducible, honest about skips."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import box

import hotspotlib as hs
from tests.conftest import SHARED_DATA


def _strip() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    """Ten 100 m cells in a row. Before 2024-02-01 cell k holds k events (score k);
    in the test window 2024-02-01 to 2024-02-29 the cells hold the counts below (one
    event every 3 days, the last on 2024-02-28, so a 28-day window fits the data)."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 1_000, 100)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    train_x = np.repeat(50.0 + 100 * np.arange(10), np.arange(10))
    test_counts = np.array([4, 0, 0, 0, 0, 0, 0, 3, 1, 2])  # 10 test events
    test_x = np.repeat(50.0 + 100 * np.arange(10), test_counts)
    x = np.concatenate([train_x, test_x])
    stamps = np.concatenate(
        [
            pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(train_x.size), "h"),
            pd.Timestamp("2024-02-01") + pd.to_timedelta(3 * np.arange(test_x.size), "D"),
        ]
    )
    events = gpd.GeoDataFrame(
        {"timestamp": stamps}, geometry=gpd.points_from_xy(x, np.full(x.size, 50.0)), crs=27700
    )
    return events, grid


def _counts(grid: hs.Grid):
    def counts(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.EventCounts:
        return hs.count_events(train, grid)

    return counts


def test_one_origin_equals_hand_computed_metrics() -> None:
    events, grid = _strip()
    result = hs.rolling_evaluation(
        events,
        grid,
        methods={"counts": _counts(grid)},
        origins=["2024-02-01"],
        coverage=(0.1, 0.3),
        n_bootstrap=0,
    )
    table = result.to_frame().set_index("coverage")
    # 10% of the area = the top cell (cell 9, 2 test events): hit rate 2/10, PAI 2,
    # best single cell holds 4, so PEI 2/4.
    assert table.loc[0.1, "hit_rate"] == pytest.approx(0.2)
    assert table.loc[0.1, "pai"] == pytest.approx(2.0)
    assert table.loc[0.1, "pei"] == pytest.approx(0.5)
    # 30%: cells 9, 8, 7 hold 2 + 1 + 3 = 6 of 10; best three cells hold 4 + 3 + 2 = 9.
    assert table.loc[0.3, "hit_rate"] == pytest.approx(0.6)
    assert table.loc[0.3, "pai"] == pytest.approx(2.0)
    assert table.loc[0.3, "pei"] == pytest.approx(6 / 9)
    assert result.counts["n_test_events"] == 10
    assert result.counts["n_origins"] == 1


def test_methods_see_only_the_past_and_train_days_limits_them() -> None:
    events, grid = _strip()
    seen: list[tuple[pd.Timestamp, pd.Timestamp]] = []

    def spy(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        seen.append((train["timestamp"].max(), origin))
        return np.arange(grid.n_cells, dtype=float)

    hs.rolling_evaluation(events, grid, methods=[spy], origins=["2024-02-01"], n_bootstrap=0)
    latest, origin = seen[0]
    assert latest < origin == pd.Timestamp("2024-02-01")
    sizes: list[int] = []

    def size(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        sizes.append(len(train))
        return np.arange(grid.n_cells, dtype=float)

    hs.rolling_evaluation(
        events,
        grid,
        methods=[size],
        origins=["2024-01-02 21:00"],
        train_days=0.5,
        test_days=40,
        n_bootstrap=0,
    )
    assert sizes == [12]  # the hourly events of the last 12 hours before the origin


def _city_run(rng: int) -> hs.RollingEvaluation:
    city = hs.synthetic_city(n_events=3_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=400)

    def recent(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.ForecastSurface:
        return hs.recency_counts(train, grid, origin=origin, half_life_days=60)

    def counts(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        return hs.window_counts(train, grid, origin=origin, window_days=90).scores

    return hs.rolling_evaluation(
        city.events,
        grid,
        methods={"recent": recent, "counts": counts},
        origins=pd.date_range("2024-04-01", periods=6, freq="MS"),
        n_bootstrap=200,
        rng=rng,
    )


def test_same_rng_same_result_and_table_shape() -> None:
    first, second = _city_run(3), _city_run(3)
    pd.testing.assert_frame_equal(first.means, second.means)
    assert first.to_frame().shape[0] == 2 * 6 * 2
    means = first.means
    assert set(means["rank"]) == {1, 2}
    for metric in ("hit_rate", "pai", "pei"):
        assert (means[f"{metric}_ci_low"] <= means[metric] + 1e-12).all()
        assert (means[metric] <= means[f"{metric}_ci_high"] + 1e-12).all()
    by_coverage = means.groupby("coverage")["p_best"].sum()
    np.testing.assert_allclose(by_coverage, 1.0)  # ties share the win
    table = first.to_frame()
    manual = table.groupby(["method", "coverage"], sort=False)["hit_rate"].mean()
    np.testing.assert_allclose(means.set_index(["method", "coverage"])["hit_rate"], manual)


def test_contract_and_inputs_not_mutated() -> None:
    events, grid = _strip()
    before = events.copy()
    result = hs.rolling_evaluation(
        events,
        grid,
        methods={"counts": _counts(grid)},
        origins=["2024-02-01"],
        n_bootstrap=10,
        rng=1,
    )
    pd.testing.assert_frame_equal(events, before)
    assert "\n" not in repr(result) and "RollingEvaluation" in repr(result)
    text = str(result.summary())
    assert "p_best" in text and "bootstrap" in text
    frame = result.to_frame()
    frame.loc[0, "hit_rate"] = -1
    assert (result.table["hit_rate"] >= 0).all()
    with pytest.raises(TypeError):
        result.parameters["test_days"] = 1  # type: ignore[index]
    from matplotlib.axes import Axes

    assert isinstance(result.plot(), Axes)
    assert isinstance(result.plot(metric="pai"), Axes)


def test_skipped_origins_are_counted_and_told() -> None:
    events, grid = _strip()
    result = hs.rolling_evaluation(
        events,
        grid,
        methods={"counts": _counts(grid)},
        origins=["2023-06-01", "2024-02-01", "2025-01-01"],
        n_bootstrap=0,
    )
    assert result.counts["n_origins_skipped"] == 2
    assert result.origins == (pd.Timestamp("2024-02-01"),)
    assert sum("Skipped origin" in note for note in result.notes) == 2
    with pytest.raises(ValueError, match="No origin could be evaluated"):
        hs.rolling_evaluation(
            events, grid, methods={"counts": _counts(grid)}, origins=["2025-01-01"], n_bootstrap=0
        )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"methods": {}}, ValueError, "methods"),
        ({"methods": {"x": 3}}, TypeError, "methods"),
        ({"methods": len}, TypeError, "methods"),
        ({"methods": {"bad": lambda t, o: np.ones(3)}}, ValueError, "one score per cell"),
        ({"origins": "2024-02-01"}, TypeError, "origins"),
        ({"origins": ["2024-02-01", "2024-02-01"]}, ValueError, "origins"),
        ({"origins": ["someday"]}, ValueError, "origins"),
        ({"origins": []}, ValueError, "origins"),
        ({"test_days": 0}, ValueError, "test_days"),
        ({"train_days": -3}, ValueError, "train_days"),
        ({"coverage": (0.0, 0.5)}, ValueError, "coverage"),
        ({"n_bootstrap": -1}, ValueError, "n_bootstrap"),
        ({"confidence": 1.5}, ValueError, "confidence"),
        ({"areas": "street"}, ValueError, "areas"),
        ({"time": "when"}, ValueError, "when"),
        ({"rng": "seed"}, TypeError, "rng"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs: dict, error: type, match: str) -> None:
    events, grid = _strip()
    arguments = {
        "methods": {"counts": _counts(grid)},
        "origins": ["2024-02-01"],
        "n_bootstrap": 0,
        **kwargs,
    }
    methods = arguments.pop("methods")
    with pytest.raises(error, match=match):
        hs.rolling_evaluation(events, grid, methods=methods, **arguments)


def test_events_in_another_crs_are_refused() -> None:
    events, grid = _strip()
    with pytest.raises(ValueError, match="events"):
        hs.rolling_evaluation(
            events.set_crs(3857, allow_override=True),
            grid,
            methods={"counts": _counts(grid)},
            origins=["2024-02-01"],
        )


CHICAGO = SHARED_DATA / "chicago_burglary_2014_2017.csv"


@pytest.mark.shared_data
@pytest.mark.skipif(not CHICAGO.exists(), reason="shared Chicago file absent")
def test_chicago_recency_beats_last_year_counts() -> None:
    frame = pd.read_csv(CHICAGO)
    frame["timestamp"] = pd.to_datetime(frame["date_single"], format="%d/%m/%Y")
    events = gpd.GeoDataFrame(
        frame[["timestamp"]], geometry=gpd.points_from_xy(frame["x"], frame["y"]), crs=26971
    )
    grid = hs.make_grid(events, cell_size_m=150)
    result = hs.rolling_evaluation(
        events,
        grid,
        methods={
            "counts 1y": lambda train, origin: hs.window_counts(
                train, grid, origin=origin, window_days=365
            ),
            "recency 365d": lambda train, origin: hs.recency_counts(
                train, grid, origin=origin, half_life_days=365
            ),
        },
        origins=pd.date_range("2017-01-01", periods=3, freq="MS"),
        n_bootstrap=0,
    )
    means = result.means.set_index(["method", "coverage"])["hit_rate"]
    for coverage in (0.01, 0.05):
        assert means[("recency 365d", coverage)] > means[("counts 1y", coverage)]


def test_time_zone_aware_events_are_read_on_their_local_clock() -> None:
    events, grid = _strip()
    naive = hs.rolling_evaluation(
        events, grid, methods={"counts": _counts(grid)}, origins=["2024-02-01"], n_bootstrap=0
    )
    aware = events.assign(timestamp=events["timestamp"].dt.tz_localize("Europe/London"))
    before = aware.copy()
    seen: list[pd.Timestamp] = []

    def spy(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> hs.EventCounts:
        seen.append(origin)
        return hs.recency_counts(train, grid, origin=origin, half_life_days=1e9)

    for origins in ([pd.Timestamp("2024-02-01", tz="Europe/London")], ["2024-02-01"]):
        result = hs.rolling_evaluation(
            aware, grid, methods={"counts": spy}, origins=origins, n_bootstrap=0
        )
        assert result.origins == (pd.Timestamp("2024-02-01"),)
        pd.testing.assert_series_equal(result.to_frame()["hit_rate"], naive.to_frame()["hit_rate"])
    assert seen == [pd.Timestamp("2024-02-01")] * 2
    pd.testing.assert_frame_equal(aware, before)


def test_origin_with_test_events_all_outside_the_cells_is_skipped_and_told() -> None:
    events, grid = _strip()
    late = pd.to_datetime(["2024-03-05", "2024-03-12", "2024-03-19", "2024-04-20"])
    extra = gpd.GeoDataFrame(
        {"timestamp": late},
        geometry=gpd.points_from_xy([5_000.0, 5_000.0, 5_000.0, 50.0], [50.0] * 4),
        crs=27700,
    )
    events = pd.concat([events, extra], ignore_index=True)
    result = hs.rolling_evaluation(
        events,
        grid,
        methods={"counts": _counts(grid)},
        origins=["2024-02-01", "2024-03-01"],
        n_bootstrap=0,
    )
    assert result.origins == (pd.Timestamp("2024-02-01"),)
    assert result.counts["n_origins_no_test_event"] == 1
    assert result.counts["n_origins_skipped"] == 1
    assert result.counts["n_events_outside"] == 3
    assert any("3 test events, all outside" in note for note in result.notes)
    assert any("no event inside the cells" in note for note in result.notes)


def test_uk_slash_dates_are_read_with_dayfirst() -> None:
    events, grid = _strip()
    events = events[events["timestamp"].dt.day <= 12].reset_index(drop=True)  # fields <= 12
    methods = {"counts": _counts(grid)}
    expected = hs.rolling_evaluation(
        events, grid, methods=methods, origins=["2024-02-01"], test_days=10, n_bootstrap=0
    )
    uk = events.assign(timestamp=events["timestamp"].dt.strftime("%d/%m/%Y %H:%M"))
    result = hs.rolling_evaluation(
        uk,
        grid,
        methods=methods,
        origins=["01/02/2024"],
        test_days=10,
        dayfirst=True,
        n_bootstrap=0,
    )
    assert result.origins == (pd.Timestamp("2024-02-01"),)
    pd.testing.assert_frame_equal(result.to_frame(), expected.to_frame())
    with pytest.raises(ValueError, match="dayfirst"):
        hs.rolling_evaluation(uk, grid, methods=methods, origins=["01/02/2024"], n_bootstrap=0)
    ended = hs.rolling_evaluation(
        uk,
        grid,
        methods=methods,
        origins=["01/02/2024"],
        test_days=10,
        end="11/02/2024",
        dayfirst=True,
        n_bootstrap=0,
    )
    assert ended.parameters["end"] == pd.Timestamp("2024-02-11")


def test_tied_methods_share_the_win_so_p_best_sums_to_one() -> None:
    # The everyday tie: a global-prior empirical Bayes map ranks whole cells as counts do.
    city = hs.synthetic_city(n_events=2_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=400)

    def counts(train: gpd.GeoDataFrame, origin: pd.Timestamp) -> np.ndarray:
        return hs.window_counts(train, grid, origin=origin).scores

    result = hs.rolling_evaluation(
        city.events,
        grid,
        methods={"counts": counts, "copy": counts, "flat": lambda t, o: np.zeros(grid.n_cells)},
        origins=pd.date_range("2024-04-01", periods=5, freq="MS"),
        n_bootstrap=200,
        rng=2,
    )
    means = result.means.set_index(["method", "coverage"])
    np.testing.assert_allclose(result.means.groupby("coverage")["p_best"].sum(), 1.0)
    for coverage in (0.01, 0.05):
        assert means.loc[("counts", coverage), "p_best"] == means.loc[("copy", coverage), "p_best"]


def test_late_origins_are_not_judged_on_a_shortened_window() -> None:
    events, grid = _strip()  # the last event is on 2024-02-28
    arguments = {"methods": {"counts": _counts(grid)}, "n_bootstrap": 0}
    result = hs.rolling_evaluation(events, grid, origins=["2024-02-01", "2024-02-20"], **arguments)
    assert result.origins == (pd.Timestamp("2024-02-01"),)
    assert result.counts["n_origins_past_end"] == 1
    assert result.parameters["end"] == pd.Timestamp("2024-02-29")
    assert any("past the end of the data" in note for note in result.notes)
    longer = hs.rolling_evaluation(
        events, grid, origins=["2024-02-01", "2024-02-20"], end="2024-03-31", **arguments
    )
    assert longer.origins == (pd.Timestamp("2024-02-01"), pd.Timestamp("2024-02-20"))
    assert longer.counts["n_origins_past_end"] == 0
