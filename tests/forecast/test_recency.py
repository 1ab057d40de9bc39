"""window_counts and recency_counts: hand-worked decay, a moved hot spot, the result contract."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

import hotspotlib as hs


def _tiny() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    """Three 100 m cells in a row; events with known ages before 2024-01-11."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 300, 100)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    events = gpd.GeoDataFrame(
        {
            "timestamp": pd.to_datetime(
                ["2024-01-01", "2024-01-06", "2024-01-11", "2024-01-12", "2023-12-22"]
            ),
            "harm": [1.0, 2.0, 5.0, 5.0, 4.0],
        },
        geometry=[Point(50, 50), Point(60, 50), Point(150, 50), Point(150, 50), Point(250, 50)],
        crs=27700,
    )
    return events, grid


def test_decay_weights_by_hand() -> None:
    events, grid = _tiny()
    surface = hs.recency_counts(events, grid, origin="2024-01-11", half_life_days=10)
    # cell 0: ages 10 and 5 days -> 0.5 + 0.5 ** 0.5; cell 1: both at/after the origin;
    # cell 2: age 20 days -> 0.25.
    np.testing.assert_allclose(surface.scores, [0.5 + 0.5**0.5, 0.0, 0.25])
    assert surface.counts["n_used"] == 3
    assert surface.counts["n_after_origin"] == 2
    assert any("at or after the origin" in note for note in surface.notes)
    assert surface.parameters["half_life_days"] == 10.0


def test_weights_multiply_the_decay() -> None:
    events, grid = _tiny()
    surface = hs.recency_counts(
        events, grid, origin="2024-01-11", half_life_days=10, weights="harm"
    )
    np.testing.assert_allclose(surface.scores, [1 * 0.5 + 2 * 0.5**0.5, 0.0, 4 * 0.25])
    assert surface.parameters["weights"] == "harm"


def test_window_counts_by_hand() -> None:
    events, grid = _tiny()
    surface = hs.window_counts(events, grid, origin="2024-01-11", window_days=7)
    np.testing.assert_array_equal(surface.scores, [1.0, 0.0, 0.0])
    assert surface.counts == {
        "n_events": 5,
        "n_used": 1,
        "n_after_origin": 2,
        "n_too_old": 2,
        "n_outside": 0,
    }
    every = hs.window_counts(events, grid, origin="2025-01-01")
    np.testing.assert_array_equal(every.scores, hs.count_events(events, grid).count)


def test_very_long_half_life_gives_counts() -> None:
    events, grid = _tiny()
    slow = hs.recency_counts(events, grid, origin="2024-01-11", half_life_days=1e12)
    plain = hs.window_counts(events, grid, origin="2024-01-11")
    np.testing.assert_allclose(slow.scores, plain.scores)


def _moved_hotspot() -> tuple[gpd.GeoDataFrame, hs.Grid, gpd.GeoDataFrame, tuple[int, int]]:
    """Background crime plus a hot spot at A in Jan-Sep that moves to B in Oct-Dec."""
    city = hs.synthetic_city(n_events=4_000, n_hotspots=0, rng=11)
    grid = hs.make_grid(city.boundary, cell_size_m=200)
    rng = np.random.default_rng(5)
    x0, y0 = city.boundary.total_bounds[:2]
    guesses = np.array([[x0 + 2_100.0, y0 + 2_100.0], [x0 + 6_100.0, y0 + 6_100.0]])
    spot_a, spot_b = grid.centroids()[grid.locate(guesses)]  # bursts stay in one cell

    def burst(centre: np.ndarray, n: int, start: str, end: str) -> gpd.GeoDataFrame:
        xy = centre + rng.uniform(-80, 80, size=(n, 2))
        seconds = rng.uniform(0, (pd.Timestamp(end) - pd.Timestamp(start)).total_seconds(), n)
        stamps = pd.Timestamp(start) + pd.to_timedelta(seconds, unit="s")
        return gpd.GeoDataFrame(
            {"timestamp": stamps}, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=city.crs
        )

    past = pd.concat(
        [
            city.events[["timestamp", "geometry"]],
            burst(spot_a, 300, "2024-01-01", "2024-10-01"),
            burst(spot_b, 80, "2024-10-01", "2024-12-31"),
        ],
        ignore_index=True,
    )
    future = burst(spot_b, 30, "2025-01-01", "2025-01-29")
    cells = tuple(int(c) for c in grid.locate(np.vstack([spot_a, spot_b])))
    return past, grid, future, (cells[0], cells[1])


def test_recency_recovers_a_hot_spot_that_moved() -> None:
    past, grid, future, (cell_a, cell_b) = _moved_hotspot()
    origin = "2025-01-01"
    counts = hs.window_counts(past, grid, origin=origin)
    recent = hs.recency_counts(past, grid, origin=origin, half_life_days=30)
    assert int(np.argmax(counts.scores)) == cell_a  # plain counts still point at A
    assert int(np.argmax(recent.scores)) == cell_b  # decay follows the move to B
    one_cell = 1.0001 / grid.cells["area_share"].sum()  # the top cell only
    assert hs.hit_rate(recent.scores, future, grid=grid, coverage=one_cell) == 1.0
    assert hs.hit_rate(counts.scores, future, grid=grid, coverage=one_cell) == 0.0


def test_inputs_not_mutated_and_result_is_read_only() -> None:
    events, grid = _tiny()
    before = events.copy()
    surface = hs.recency_counts(events, grid, origin="2024-01-11", half_life_days=10)
    pd.testing.assert_frame_equal(events, before)
    with pytest.raises(ValueError):
        surface.scores[0] = 1.0
    with pytest.raises(TypeError):
        surface.parameters["origin"] = None  # type: ignore[index]
    with pytest.raises(TypeError):
        surface.counts["n_used"] = 0  # type: ignore[index]


def test_result_contract() -> None:
    events, grid = _tiny()
    surface = hs.recency_counts(events, grid, origin="2024-01-11", half_life_days=10)
    frame = surface.to_frame()
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == grid.crs
    np.testing.assert_allclose(frame["score"], surface.scores)
    frame.loc[frame.index[0], "score"] = -1.0
    assert surface.scores[0] > 0  # a copy
    assert "\n" not in repr(surface) and "recency_counts" in repr(surface)
    text = str(surface.summary())
    assert "half_life_days" in text and "n_after_origin" in text
    assert surface.summary().to_markdown().startswith("###")
    assert surface._place_score == "score"  # select_places ranks by this column
    from matplotlib.axes import Axes

    assert isinstance(surface.plot(), Axes)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"half_life_days": 0}, "half_life_days"),
        ({"half_life_days": np.nan}, "half_life_days"),
        ({"half_life_days": 10, "origin": "not a date"}, "origin"),
        ({"half_life_days": 10, "origin": "2020-01-01"}, "origin"),
        ({"half_life_days": 10, "window_days": -1}, "window_days"),
        ({"half_life_days": 10, "time": "when"}, "when"),
        ({"half_life_days": 10, "weights": "nope"}, "nope"),
        ({"half_life_days": 10, "origin": pd.Timestamp("2024-01-11", tz="UTC")}, "origin"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs: dict, match: str) -> None:
    events, grid = _tiny()
    arguments = {"origin": "2024-01-11", **kwargs}
    with pytest.raises(ValueError, match=match):
        hs.recency_counts(events, grid, **arguments)


def test_bad_grid_and_events() -> None:
    events, grid = _tiny()
    with pytest.raises(TypeError, match="grid"):
        hs.window_counts(events, grid.cells, origin="2024-01-11")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="events"):
        hs.window_counts(events.to_crs(4326), grid, origin="2024-01-11")
    with pytest.raises(ValueError, match="events"):
        hs.window_counts(events.iloc[:0], grid, origin="2024-01-11")


@pytest.mark.parametrize("verb", ["recency_counts", "window_counts", "shrunken_counts"])
def test_uk_slash_dates_are_read_with_dayfirst(verb: str) -> None:
    events, grid = _tiny()
    events = events.iloc[:4]  # 1, 6, 11 and 12 January: every field <= 12
    uk = events.assign(timestamp=events["timestamp"].dt.strftime("%d/%m/%Y"))
    extra = {"half_life_days": 10} if verb == "recency_counts" else {}
    function = getattr(hs, verb)
    expected = function(events, grid, origin="2024-01-11", **extra)
    surface = function(uk, grid, origin="11/01/2024", dayfirst=True, **extra)
    np.testing.assert_allclose(surface.scores, expected.scores)
    assert surface.parameters["origin"] == pd.Timestamp("2024-01-11")
    with pytest.raises(ValueError, match="dayfirst"):
        function(uk, grid, origin="11/01/2024", **extra)


def test_select_places_takes_the_highest_scores() -> None:
    # One way to pick top places: select_places ranks a result by its `_place_score`.
    events, grid = _tiny()
    surface = hs.recency_counts(events, grid, origin="2024-01-11", half_life_days=10)
    top = hs.select_places(surface, n=1)
    assert top.index[0] == grid.cells.index[int(np.argmax(surface.scores))]
