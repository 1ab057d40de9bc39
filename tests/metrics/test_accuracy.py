import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import hotspotlib as hs
from hotspotlib.metrics import accuracy_curve, hit_rate, pai, pei, ppai, rri


def events_in_cells(grid, counts, *, jitter=0.0, rng=None):
    """Events at the centres of the grid's cells, ``counts[i]`` in cell i."""
    centres = grid.centroids()
    xy = np.repeat(centres, np.asarray(counts, dtype=int), axis=0)
    if jitter and len(xy):
        xy = xy + rng.uniform(-jitter, jitter, xy.shape)
    return gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=grid.crs)


@pytest.fixture
def four(square_area):
    return hs.make_grid(square_area, cell_size_m=500)


def test_hand_worked_four_cells(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    curve = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four, coverage=[0.25, 0.5, 1.0])
    table = curve.table
    assert table["n_cells"].tolist() == [1, 2, 4]
    assert table["hits"].tolist() == [2, 2, 8]
    np.testing.assert_allclose(table["hit_rate"], [0.25, 0.25, 1.0])
    np.testing.assert_allclose(table["pai"], [1.0, 0.5, 1.0])
    np.testing.assert_allclose(table["max_hits"], [5, 7, 8])
    np.testing.assert_allclose(table["pai_max"], [2.5, 1.75, 1.0])
    np.testing.assert_allclose(table["pei"], [0.4, 2 / 7, 1.0])
    np.testing.assert_allclose(table["ppai"], [0.25 / 0.5, 0.25 / 0.5**0.5, 1.0])
    assert table["rri"].isna().all()
    assert curve.n_events == 8 and curve.n_outside == 0


def test_coverage_between_cells_takes_whole_cells_below(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    table = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four, coverage=[0.3, 0.1]).table
    assert table["n_cells"].tolist() == [1, 0]
    assert table["area_share"].tolist() == [0.25, 0.0]
    assert np.isnan(table["pai"].iloc[1]) and table["hit_rate"].iloc[1] == 0


@pytest.mark.parametrize(("ties", "hits"), [("conservative", [0, 3]), ("expected", [1.5, 3])])
def test_tied_cells_at_the_edge_of_a_coverage(four, ties, hits):
    # Cells 0 and 1 tie on score; half their area fits in 25%. The conservative order
    # takes the one with fewer events (0); expected ties take half of their 3 events.
    test = events_in_cells(four, [3, 0, 1, 1])
    scores = [1.0, 1.0, 0.0, 0.0]
    curve = accuracy_curve(scores, test, grid=four, coverage=[0.25, 0.5], ties=ties)
    assert curve.table["hits"].tolist() == hits
    assert curve.parameters["ties"] == ties
    assert any(note.startswith("Cells are ranked") for note in curve.notes)


def test_expected_ties_are_the_mean_over_every_order_of_the_tied_cells():
    # Brute force: 3 x 3 equal cells with scores in few values; every order of each tie
    # group taken whole, averaged, equals the "expected" hits at every whole-cell coverage.
    import itertools

    grid = hs.make_grid(
        gpd.GeoDataFrame(geometry=[box(0, 0, 300, 300)], crs=27700), cell_size_m=100
    )
    rng = np.random.default_rng(4)
    for _ in range(5):
        scores = rng.integers(0, 3, 9).astype(float)
        counts = rng.integers(0, 4, 9)
        counts[0] += 1
        test = events_in_cells(grid, counts)
        coverages = np.arange(1, 10) / 9
        got = accuracy_curve(scores, test, grid=grid, coverage=coverages, ties="expected")
        groups = [np.flatnonzero(scores == v) for v in np.unique(scores)[::-1]]
        totals = np.zeros(9)
        orders = list(itertools.product(*(itertools.permutations(g) for g in groups)))
        for order in orders:  # every order of the tied cells: at most 9! / ... small
            ranked = np.concatenate(order)
            totals += np.cumsum(counts[ranked])
        np.testing.assert_allclose(got.table["hits"], totals / len(orders))
        # Conservative is a lower bound and a tie-free map is the same under both rules.
        low = accuracy_curve(scores, test, grid=grid, coverage=coverages, ties="conservative")
        assert (low.table["hits"] <= got.table["hits"] + 1e-12).all()
        distinct = scores + np.arange(9) * 1e-3
        pd.testing.assert_frame_equal(
            accuracy_curve(distinct, test, grid=grid, coverage=coverages, ties="expected").table,
            accuracy_curve(
                distinct, test, grid=grid, coverage=coverages, ties="conservative"
            ).table,
        )


def test_expected_ties_spread_training_events_for_the_rri(four):
    train = events_in_cells(four, [4, 2, 1, 1])
    test = events_in_cells(four, [3, 1, 1, 1])
    curve = accuracy_curve(
        [1.0, 1.0, 0.0, 0.0], test, grid=four, coverage=[0.25], train_events=train
    )
    assert curve.table["train_hits"].iloc[0] == 3.0  # half of the tied cells' 6
    assert curve.table["rri"].iloc[0] == pytest.approx((2 / 6) / (3 / 8))


def test_rri_hand_worked(four):
    train = events_in_cells(four, [6, 2, 1, 1])  # N1 = 10, top cell holds 6
    test = events_in_cells(four, [3, 3, 3, 1])  # N2 = 10, top cell holds 3
    counts = hs.count_events(train, four)
    value = rri(counts, test, train_events=train, coverage=0.25)
    assert value == pytest.approx((3 / 10) / (6 / 10))
    table = accuracy_curve(counts, test, train_events=train, coverage=[0.25]).table
    assert table["train_hits"].iloc[0] == 6


def test_thin_functions_match_the_table(city):
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    train = city.events[city.events["month"] <= "2024-06"]
    test = city.events[city.events["month"] > "2024-06"]
    counts = hs.count_events(train, grid)
    row = accuracy_curve(counts, test, coverage=[0.05], train_events=train).table.iloc[0]
    assert hit_rate(counts, test, coverage=0.05) == pytest.approx(row["hit_rate"])
    assert pai(counts, test, coverage=0.05) == pytest.approx(row["pai"])
    assert ppai(counts, test, coverage=0.05) == pytest.approx(row["ppai"])
    assert pei(counts, test, coverage=0.05) == pytest.approx(row["pei"])
    assert rri(counts, test, train_events=train, coverage=0.05) == pytest.approx(row["rri"])
    assert ppai(counts, test, coverage=0.05, ppai_exponent=1.0) == pytest.approx(row["pai"])
    # Planted hot spots persist: last half-year's counts beat a random map by far.
    assert row["pai"] > 4


def test_clipped_cells_count_their_inside_area():
    circle = gpd.GeoDataFrame(geometry=[Point(500, 500).buffer(500, quad_segs=64)], crs=27700)
    grid = hs.make_grid(circle, cell_size_m=100)
    rng = np.random.default_rng(2)
    test = events_in_cells(grid, rng.poisson(2, grid.n_cells))
    scores = rng.random(grid.n_cells)
    by_area = accuracy_curve(scores, test, grid=grid, coverage=[1.0])
    assert by_area.total_area == pytest.approx(np.pi * 500**2, rel=1e-3)
    equal = accuracy_curve(scores, test, grid=grid, coverage=[0.3], areas="equal")
    area = accuracy_curve(scores, test, grid=grid, coverage=[0.3], areas="area")
    assert equal.table["n_cells"].iloc[0] != area.table["n_cells"].iloc[0]
    assert equal.total_area == grid.n_cells


def test_custom_sizes_and_polygons(four):
    places = four.cells[["geometry"]].copy()
    test = events_in_cells(four, [2, 0, 5, 1])
    sizes = np.array([1.0, 1.0, 1.0, 5.0])  # e.g. street length
    table = accuracy_curve(
        [0.0, 1.0, 2.0, 3.0], test, grid=places, coverage=[0.5, 1.0], areas=sizes
    ).table
    assert table["n_cells"].tolist() == [0, 4]  # the long street alone exceeds half
    same = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=places, coverage=[0.25])
    assert same.table["pai"].iloc[0] == pytest.approx(1.0)


def test_series_aligned_by_cell_id(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    scores = pd.Series([3.0, 2.0, 1.0, 0.0], index=four.cells.index)
    shuffled = scores.iloc[[2, 0, 3, 1]]
    first = accuracy_curve(scores, test, grid=four).table
    second = accuracy_curve(shuffled, test, grid=four).table
    pd.testing.assert_frame_equal(first, second)


@given(
    st.lists(st.integers(0, 6), min_size=16, max_size=16).filter(lambda c: sum(c) > 0),
    st.lists(st.integers(0, 3), min_size=16, max_size=16),
    st.sampled_from(["area", "equal"]),
)
@settings(max_examples=40, deadline=None)
def test_properties(counts, scores, areas):
    circle = gpd.GeoDataFrame(geometry=[Point(200, 200).buffer(200)], crs=27700)
    grid = hs.make_grid(circle, cell_size_m=100)  # 16 cells, edge cells clipped
    test = events_in_cells(grid, counts)
    coverages = np.linspace(0.05, 1.0, 20)
    table = accuracy_curve(
        np.asarray(scores, float), test, grid=grid, coverage=coverages, areas=areas
    ).table
    assert table["pai"].iloc[-1] == pytest.approx(1.0)
    assert table["hit_rate"].iloc[-1] == pytest.approx(1.0)
    assert (np.diff(table["hit_rate"]) >= 0).all()
    pei_values = table["pei"].dropna()
    assert (pei_values <= 1 + 1e-12).all() and (pei_values >= 0).all()
    assert (table["hits"] <= table["max_hits"] + 1e-9).all()
    # A map that knows the future is perfectly efficient.
    perfect = accuracy_curve(
        np.asarray(counts, float), test, grid=grid, coverage=coverages, areas="equal"
    ).table
    np.testing.assert_allclose(perfect["pei"].dropna(), 1.0)


def test_outside_events_counted_not_used(four):
    test = events_in_cells(four, [1, 1, 1, 1])
    far = gpd.GeoDataFrame(geometry=[Point(9_000, 9_000)], crs=27700)
    both = pd.concat([test, far], ignore_index=True)
    curve = accuracy_curve([3.0, 2.0, 1.0, 0.0], both, grid=four)
    assert curve.n_outside == 1 and curve.n_events == 4
    assert "1 test events fell outside" in str(curve.summary())


def test_inputs_not_mutated(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    before = test.copy()
    scores = np.array([3.0, 2.0, 1.0, 0.0])
    accuracy_curve(scores, test, grid=four, train_events=test)
    pd.testing.assert_frame_equal(test, before)
    assert scores.flags.writeable and scores.tolist() == [3.0, 2.0, 1.0, 0.0]


def test_plot_and_summary(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    curve = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four)
    assert curve.plot() is not None
    assert curve.plot(metric="pai") is not None
    with pytest.raises(ValueError, match="metric"):
        curve.plot(metric="auc")
    text = str(curve.summary())
    assert "ptools" in text and "in proportion to the area taken" in text
    assert not curve.curve_hit_rate.flags.writeable


def test_curves_drawn_together_get_their_own_colours(four):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex

    test = events_in_cells(four, [2, 0, 5, 1])
    first = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four)
    second = accuracy_curve([0.0, 1.0, 2.0, 3.0], test, grid=four)
    axes = first.plot(label="first")
    second.plot(ax=axes, label="second")
    second.plot(ax=axes, label="chosen", color="black")
    colours = {line.get_label(): to_hex(line.get_color()) for line in axes.get_lines()}
    assert colours["first"] == to_hex("tab:blue") and colours["second"] == to_hex("tab:orange")
    assert colours["chosen"] == "#000000"
    plt.close("all")


def test_accuracy_errors(four, points_lonlat):
    test = events_in_cells(four, [2, 0, 5, 1])
    with pytest.raises(TypeError, match="`grid` must be the Grid"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test)
    with pytest.raises(ValueError, match="one value per cell"):
        accuracy_curve([1.0, 2.0], test, grid=four)
    with pytest.raises(ValueError, match="NaN"):
        accuracy_curve([1.0, np.nan, 3.0, 4.0], test, grid=four)
    with pytest.raises(ValueError, match="coverage"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test, grid=four, coverage=[0.0])
    with pytest.raises(ValueError, match="`ppai_exponent` must be a number >= 0 and <= 1"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test, grid=four, ppai_exponent=2)
    with pytest.raises(ValueError, match="areas"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test, grid=four, areas="perimeter")
    with pytest.raises(ValueError, match="areas"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test, grid=four, areas=[1.0, 0.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="geographic"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], points_lonlat, grid=four)
    far = gpd.GeoDataFrame(geometry=[Point(9_000, 9_000)], crs=27700)
    with pytest.raises(ValueError, match="All 1 `events` fall outside the `grid`"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], far, grid=four)
    with pytest.raises(TypeError, match="Grid"):
        accuracy_curve([1.0, 2.0, 3.0, 4.0], test, grid="cells")
    with pytest.raises(TypeError, match="one share"):
        hit_rate([1.0, 2.0, 3.0, 4.0], test, grid=four, coverage=[0.1, 0.2])
    lines = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1).exterior], crs=27700)
    with pytest.raises(ValueError, match="Polygon"):
        accuracy_curve([1.0], test, grid=lines)


def test_two_curves_share_one_random_line(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    ax = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four).plot(label="a")
    accuracy_curve([0.0, 1.0, 2.0, 3.0], test, grid=four).plot(ax=ax, label="b")
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels.count("random") == 1 and {"a", "b"} <= set(labels)


def test_series_scores_are_matched_by_cell_id(four):
    test = events_in_cells(four, [2, 0, 5, 1])
    by_position = accuracy_curve([3.0, 2.0, 1.0, 0.0], test, grid=four, coverage=[0.25])
    shuffled = pd.Series([0.0, 1.0, 3.0, 2.0], index=four.cells.index[[3, 2, 0, 1]])
    by_id = accuracy_curve(shuffled, test, grid=four, coverage=[0.25])
    assert by_id.table["hits"].tolist() == by_position.table["hits"].tolist() == [2]
    wrong = pd.Series([3.0, 2.0, 1.0, 0.0], index=[10, 11, 12, 13])
    with pytest.raises(ValueError, match=r"4 cell\(s\) have no score.*scores.to_numpy\(\)"):
        accuracy_curve(wrong, test, grid=four)
    partial = shuffled.iloc[:3]
    with pytest.raises(ValueError, match=r"1 cell\(s\) have no score"):
        accuracy_curve(partial, test, grid=four)
    doubled = pd.Series([1.0, 2.0, 3.0, 4.0], index=[0, 0, 1, 2])
    with pytest.raises(ValueError, match="repeated cell ids"):
        accuracy_curve(doubled, test, grid=four)


@pytest.mark.parametrize("index", [hit_rate, pai, pei, ppai, rri])
def test_single_indices_take_the_tie_rule(four, index):
    train = events_in_cells(four, [4, 2, 1, 1])
    test = events_in_cells(four, [3, 1, 1, 1])
    scores = [1.0, 1.0, 0.0, 0.0]
    extra = {"train_events": train} if index is rri else {}
    values = {
        ties: index(scores, test, grid=four, coverage=0.25, ties=ties, **extra)
        for ties in ("expected", "conservative")
    }
    assert values["expected"] > values["conservative"]  # 2 of the tied 4 events, not 1


def test_expected_ties_do_not_depend_on_how_unequal_cells_are_numbered():
    # Boxes 100, 300 and 400 m wide; the two first tie. The smaller tied cell is taken
    # whole first whatever its number, so renumbering the cells changes nothing.
    widths = [100, 300, 400]
    edges = np.concatenate([[0], np.cumsum(widths)])
    boxes = [box(edges[i], 0, edges[i + 1], 100) for i in range(3)]
    test = gpd.GeoDataFrame(geometry=[Point(50, 50), Point(60, 50)], crs=27700)
    for order in ([0, 1, 2], [1, 0, 2]):
        cells = gpd.GeoDataFrame(geometry=[boxes[i] for i in order], crs=27700)
        scores = np.array([1.0, 1.0, 0.0])
        table = accuracy_curve(scores, test, grid=cells, coverage=[0.125]).table
        assert table["n_cells"].iloc[0] == 1
        assert table["hit_rate"].iloc[0] == pytest.approx(0.25)  # 1/4 of the tied area
