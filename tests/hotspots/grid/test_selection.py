import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

import hotspotlib as hs


def _row(scores):
    cells = [box(100 * i, 0, 100 * (i + 1), 100) for i in range(len(scores))]
    return gpd.GeoDataFrame({"score": scores}, geometry=cells, crs=27700)


def test_greedy_separation_hand_worked():
    cells = _row([5.0, 9.0, 8.0, 1.0, 7.0, np.nan])
    # ranking 1 (9), 2 (8), 4 (7), 0 (5), 3 (1); with 150 m apart: 1, then 4 (200 m away)
    picked = hs.select_places(cells, score="score", n=2, min_separation_m=150)
    assert picked.index.tolist() == [1, 4]
    assert picked["rank"].tolist() == [1, 2]
    plain = hs.select_places(cells, score="score", n=3)
    assert plain.index.tolist() == [1, 2, 4]


def test_separation_holds_on_city(city):
    grid = hs.make_grid(city.boundary, cell_size_m=150)
    frame = hs.count_events(city.events, grid, weights="harm").to_frame()
    picked = hs.select_places(frame, score="weight_sum", n=15, min_separation_m=300)
    shapes = picked.geometry.to_numpy()
    distances = shapely.distance(shapes[:, None], shapes[None, :])
    np.fill_diagonal(distances, np.inf)
    assert distances.min() >= 300
    assert picked["weight_sum"].is_monotonic_decreasing
    # the first pick is the top cell
    assert picked.index[0] == frame["weight_sum"].idxmax()


def test_errors(city):
    cells = _row([1.0, 2.0])
    with pytest.raises(ValueError, match="Only 1 places"):
        hs.select_places(cells, score="score", n=2, min_separation_m=50)
    with pytest.raises(ValueError, match="missing column"):
        hs.select_places(cells, score="nope", n=1)
    with pytest.raises(ValueError, match="`n` must be"):
        hs.select_places(cells, score="score", n=0)
    with pytest.raises(ValueError, match="`n` must be"):
        hs.select_places(cells, score="score", n=2.0)
    with pytest.raises(ValueError, match="geographic"):
        hs.select_places(cells.to_crs(4326), score="score", n=1)


def test_input_not_mutated():
    cells = _row([1.0, 3.0, 2.0])
    before = cells.copy()
    hs.select_places(cells, score="score", n=2)
    assert cells.equals(before)


def _counts(weights=None):
    # four 100 m cells in a row; events at their centres
    area = gpd.GeoSeries([box(0, 0, 400, 100)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    x = np.array([50, 150, 150, 250, 250, 250, 350, 350], dtype=float)
    events = gpd.GeoDataFrame(
        {"harm": weights if weights is not None else np.ones(len(x))},
        geometry=gpd.points_from_xy(x, np.full(len(x), 50.0)),
        crs=27700,
    )
    return hs.count_events(events, grid, weights=None if weights is None else "harm")


def test_counts_rank_by_count_or_weight_as_top_did():
    counts = _counts()  # counts per cell: 1, 2, 3, 2
    picked = hs.select_places(counts, n=3)
    # by hand: cell 2 (3), then the tie of cells 1 and 3 (2 each) in cell order
    assert picked.index.tolist() == [2, 1, 3]
    assert picked["count"].tolist() == [3, 2, 2]
    np.testing.assert_allclose(picked["cumulative_share"], np.array([3, 5, 7]) / 8)
    harm = _counts(weights=np.array([10, 1, 1, 1, 1, 1, 5, 5], dtype=float))
    # weight per cell: 10, 2, 3, 10 -> 0 and 3 tie at 10 (cell order), then 2, then 1
    assert hs.select_places(harm, n=4).index.tolist() == [0, 3, 2, 1]
    assert "weight_sum" in hs.select_places(harm, n=1).columns
    assert hs.select_places(harm, n=2, score="count").index.tolist() == [2, 1]


def test_counts_on_city_match_an_independent_sort(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    counts = hs.count_events(city.events, grid, weights="harm")
    frame = counts.to_frame()
    # the order EventCounts.top gave: weight, then count, then cell order
    order = np.lexsort(
        (np.arange(len(frame)), -frame["count"].to_numpy(), -frame["weight_sum"].to_numpy())
    )
    expected = frame.index.to_numpy()[order[:20]]
    np.testing.assert_array_equal(hs.select_places(counts, n=20).index.to_numpy(), expected)


def test_share_and_n_agree():
    counts = _counts()
    assert hs.select_places(counts, share=0.5).index.tolist() == [2, 1]  # ceil(0.5 * 4)
    assert hs.select_places(counts, share=0.3).index.tolist() == [2, 1]  # ceil(1.2)
    assert hs.select_places(counts, share=1.0).index.tolist() == [2, 1, 3, 0]
    assert hs.select_places(counts, share=0.25).index.tolist() == [2]


def test_negative_scores_have_no_cumulative_share():
    cells = _row([-1.0, 2.0, 0.5])
    picked = hs.select_places(cells, score="score", n=2)
    assert picked.index.tolist() == [1, 2] and "cumulative_share" not in picked


def test_source_and_score_checks():
    counts = _counts()
    with pytest.raises(ValueError, match="Give only one of `n`, `share`"):
        hs.select_places(counts, n=2, share=0.5)
    with pytest.raises(ValueError, match="Give one of `n`, `share`; got neither"):
        hs.select_places(counts)
    with pytest.raises(ValueError, match="`share` must be"):
        hs.select_places(counts, share=1.5)
    with pytest.raises(ValueError, match="`score` is needed when `source` is a GeoDataFrame"):
        hs.select_places(counts.to_frame(), n=2)
    with pytest.raises(TypeError, match="`source` must be a GeoDataFrame"):
        hs.select_places([1, 2, 3], n=2)
    with pytest.raises(ValueError, match="missing column"):
        hs.select_places(counts, n=2, score="weight_sum")
    with pytest.raises(ValueError, match=r"Only 4 places have a score.*\(`n`: at most 4\)"):
        hs.select_places(counts, n=5)


class _Unranked:
    """A result with places but no default score column (as LocalMoran)."""

    def to_frame(self):
        return _row([1.0, 3.0, 2.0])


def test_a_result_without_a_default_score_needs_one():
    with pytest.raises(ValueError, match="`score` is needed when `source` is a _Unranked"):
        hs.select_places(_Unranked(), n=2)
    assert hs.select_places(_Unranked(), n=2, score="score").index.tolist() == [1, 2]


def _ring_surface():
    """Events in the eight cells around an empty centre cell, plus one lone event.

    100 m cells; a 250 m quartic puts the surface's peak on the empty centre cell.
    """
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 2_000, 1_000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    ring = [(x, y) for x in (450, 550, 650) for y in (450, 550, 650) if (x, y) != (550, 550)]
    xy = np.array(ring * 3 + [(1_550, 550)], dtype=float)
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=27700)
    return hs.kde(events, grid=grid, bandwidth_m=250), grid


def test_smoothed_peak_in_an_empty_cell_is_ranked_after_cells_with_events():
    surface, grid = _ring_surface()
    frame = surface.to_frame()
    centre = grid.locate(np.array([[550.0, 550.0]]))[0]
    peak = frame.index[int(np.argmax(frame["density"].to_numpy()))]
    assert peak == frame.index[centre] and frame.loc[peak, "n_events"] == 0  # the plant
    picked = hs.select_places(surface, n=9)
    assert (picked["n_events"] > 0).all()  # the 8 ring cells and the lone event's cell
    assert peak not in picked.index
    assert picked["density"].min() < frame.loc[peak, "density"]  # the lone cell beats the peak
    assert set(picked.index) == set(frame.index[frame["n_events"] > 0])
    assert picked["density"].is_monotonic_decreasing  # by score within the group
    with pytest.warns(UserWarning, match="1 of the 10 places picked have no events"):
        tenth = hs.select_places(surface, n=10)
    assert tenth.index[-1] == peak  # the empty peak leads the cells without events
    smoothed = hs.select_places(surface, n=1, smoothing_only=True)
    assert smoothed.index[0] == peak


def test_counts_warn_when_empty_cells_fill_the_list():
    frame = gpd.GeoDataFrame(
        {"count": [5, 3, 0, 0]},
        geometry=[box(i * 10, 0, i * 10 + 10, 10) for i in range(4)],
        crs=27700,
    )
    assert len(hs.select_places(frame, score="count", n=2)) == 2  # no warning
    with pytest.warns(UserWarning, match="2 of the 4 places picked.*only 2 places have any"):
        hs.select_places(frame, score="count", n=4)


def test_events_column_for_a_frame_and_its_checks():
    surface, _ = _ring_surface()
    frame = surface.to_frame()
    by_score = hs.select_places(frame, score="density", n=1)
    assert by_score["n_events"].iloc[0] == 0  # a plain frame: the score alone
    by_events = hs.select_places(frame, score="density", events="n_events", n=1)
    assert by_events["n_events"].iloc[0] > 0
    with pytest.raises(ValueError, match="`events`, `smoothing_only`"):
        hs.select_places(surface, n=1, events="n_events", smoothing_only=True)
    with pytest.raises(ValueError, match="crimes"):
        hs.select_places(frame, score="density", events="crimes", n=1)
    with pytest.raises(TypeError, match="smoothing_only"):
        hs.select_places(surface, n=1, smoothing_only="yes")


def test_a_rank_the_source_already_had_is_kept() -> None:
    boxes = [shapely.box(i * 10.0, 0.0, i * 10.0 + 10.0, 10.0) for i in range(4)]
    frame = gpd.GeoDataFrame(
        {"score": [1.0, 4.0, 3.0, 2.0], "rank": [4, 1, 2, 3]}, geometry=boxes, crs=27700
    )
    picked = hs.select_places(frame, score="score", n=2, min_separation_m=5.0)
    assert picked["rank"].tolist() == [1, 2]  # the order picked
    assert picked["source_rank"].tolist() == [1, 3]  # cell 2 is skipped: it touches cell 1
    assert "rank" in frame.columns and frame["rank"].tolist() == [4, 1, 2, 3]


def test_a_frame_with_a_score_column_is_ranked_by_it(city):
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    forecast = hs.recency_counts(city.events, grid, origin="2024-10-01", half_life_days=30)
    from_frame = hs.select_places(forecast.to_frame(), n=10)
    assert from_frame.index.tolist() == hs.select_places(forecast, n=10).index.tolist()
    scores = forecast.to_frame()["score"]
    assert (
        from_frame.index.tolist()
        == scores.sort_values(ascending=False, kind="stable").index[:10].tolist()
    )


def test_a_frame_without_a_score_column_names_its_columns_in_the_message():
    frame = _counts().to_frame()  # row, col, area_share, count
    with pytest.raises(ValueError, match=r"without a `score` column.*score='count'"):
        hs.select_places(frame, n=2)
    with pytest.raises(ValueError, match="no numeric column"):
        hs.select_places(frame[["geometry"]], n=2)
