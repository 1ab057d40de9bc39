"""Street segments: splitting checked on hand-made networks, counts against a brute-force
nearest join (geopandas sjoin_nearest with max_distance), contiguity by hand, and the
geodanet streets and crimes (Mesa, AZ) shipped with libpysal."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse
from shapely.geometry import LineString, MultiLineString

import hotspotlib as hs

CRS = "EPSG:27700"
X0, Y0 = 530_000.0, 180_000.0  # central London, so the CRS's area-of-use check passes


def lines(*coords: list[tuple[float, float]]) -> gpd.GeoDataFrame:
    shifted = [LineString([(X0 + x, Y0 + y) for x, y in c]) for c in coords]
    return gpd.GeoDataFrame(
        {"name": [f"street {i}" for i in range(len(coords))]}, geometry=shifted, crs=CRS
    )


def points(xy: list[tuple[float, float]] | np.ndarray, **columns: object) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=CRS
    )


def plus() -> gpd.GeoDataFrame:
    return lines([(0, 100), (200, 100)], [(100, 0), (100, 200)])


def lattice(n: int = 4, step: float = 100.0) -> gpd.GeoDataFrame:
    """n horizontal and n vertical streets crossing: a grid of blocks."""
    span = step * (n - 1)
    rows = [[(0, step * i), (span, step * i)] for i in range(n)]
    cols = [[(step * i, 0), (step * i, span)] for i in range(n)]
    return lines(*rows, *cols)


@pytest.fixture(scope="module")
def mesa() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    from libpysal import examples

    # GeoDaNet streets of Mesa, AZ, shipped with libpysal (US survey feet -> metres)
    streets = gpd.read_file(examples.get_path("streets.shp"), engine="pyogrio").to_crs(26949)
    return streets, hs.load_mesa_crimes()


# ---------------------------------------------------------------- splitting


def test_plus_sign_gives_four_segments_of_100_m() -> None:
    network = plus()
    segments = hs.street_segments(network)
    assert len(segments) == 4
    assert segments.index.name == "segment_id"
    assert segments.index.tolist() == [0, 1, 2, 3]
    np.testing.assert_allclose(segments["length_m"], 100.0)
    assert segments["length_m"].sum() == pytest.approx(network.length.sum())
    assert segments["source"].tolist() == [0, 0, 1, 1]
    assert segments.crs == network.crs
    assert segments.attrs["hotspotlib"]["n_segments"] == 4
    assert segments.attrs["hotspotlib"]["overlap_removed_m"] == pytest.approx(0.0, abs=1e-9)


def test_a_lattice_splits_at_every_crossing() -> None:
    network = lattice(4)  # 4 x 4 streets: each street crosses 4 others -> 3 blocks each
    split = hs.street_segments(network, split_at_ends=True)
    assert len(split) == 8 * 3
    np.testing.assert_allclose(split["length_m"], 100.0)
    assert split["length_m"].sum() == pytest.approx(network.length.sum())
    # by default the four outer corners are bends, not intersections: the two blocks
    # meeting there are one L-shaped segment of 200 m
    segments = hs.street_segments(network)
    assert len(segments) == 8 * 3 - 4
    assert sorted(segments["length_m"])[-4:] == pytest.approx([200.0] * 4)
    assert segments["length_m"].sum() == pytest.approx(network.length.sum())


def test_pieces_meeting_end_to_end_are_one_segment() -> None:
    # a street drawn in two pieces with a bend, no junction: one segment of 300 m;
    # a third street ending on the bend makes it a junction: three segments
    bend = lines([(0, 0), (100, 0)], [(100, 0), (100, 200)])
    one = hs.street_segments(bend)
    assert len(one) == 1
    assert one["length_m"].iloc[0] == pytest.approx(300.0)
    assert len(hs.street_segments(bend, split_at_ends=True)) == 2
    junction = lines([(0, 0), (100, 0)], [(100, 0), (100, 200)], [(100, 0), (250, 0)])
    assert sorted(hs.street_segments(junction)["length_m"]) == pytest.approx([100, 150, 200])


def test_t_junction_in_the_middle_of_a_line() -> None:
    # a side street ending on the middle of a main street splits the main street
    network = lines([(0, 0), (300, 0)], [(100, 0), (100, 80)])
    segments = hs.street_segments(network)
    assert sorted(segments["length_m"]) == pytest.approx([80, 100, 200])


def test_overlap_is_kept_once_and_reported() -> None:
    network = lines([(0, 0), (200, 0)], [(100, 0), (300, 0)])  # 100 m drawn twice
    segments = hs.street_segments(network)
    assert segments["length_m"].sum() == pytest.approx(300.0)
    assert segments.attrs["hotspotlib"]["overlap_removed_m"] == pytest.approx(100.0)


def test_multilines_and_geoseries_are_accepted() -> None:
    multi = MultiLineString(
        [[(X0, Y0 + 100), (X0 + 200, Y0 + 100)], [(X0 + 100, Y0), (X0 + 100, Y0 + 200)]]
    )
    segments = hs.street_segments(gpd.GeoSeries([multi], index=["m"], crs=CRS))
    assert len(segments) == 4
    assert set(segments["source"]) == {"m"}


def test_inputs_are_not_modified() -> None:
    network = plus()
    before = network.copy()
    segments = hs.street_segments(network)
    pd.testing.assert_frame_equal(network, before)
    events = points([(20, 101), (150, 99)], harm=[1.0, 2.0])
    events_before, segments_before = events.copy(), segments.copy()
    hs.count_on_segments(events, segments, tolerance_m=5, weights="harm")
    pd.testing.assert_frame_equal(events, events_before)
    pd.testing.assert_frame_equal(segments, segments_before)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(*[st.floats(0, 1000, allow_nan=False) for _ in range(4)]),
        min_size=1,
        max_size=12,
    )
)
def test_random_networks_keep_their_length(ends: list[tuple[float, ...]]) -> None:
    chosen = [e for e in ends if np.hypot(e[2] - e[0], e[3] - e[1]) > 1.0]
    if not chosen:
        return
    network = lines(*[[(a, b), (c, d)] for a, b, c, d in chosen])
    segments = hs.street_segments(network)
    union = shapely.union_all(network.geometry.to_numpy())  # overlapping stretches once
    assert segments["length_m"].sum() == pytest.approx(union.length, rel=1e-9)
    removed = segments.attrs["hotspotlib"]["overlap_removed_m"]
    assert removed == pytest.approx(network.length.sum() - union.length, abs=1e-6)
    assert (segments["length_m"] > 0).all()
    # every segment lies on the network
    assert (segments.geometry.distance(shapely.union_all(network.geometry.to_numpy())) < 1e-6).all()


# ---------------------------------------------------------------- counting


def test_counts_equal_a_nearest_spatial_join() -> None:
    segments = hs.street_segments(lattice(5))
    rng = np.random.default_rng(3)
    events = points(rng.uniform(-20, 420, size=(2_000, 2)), harm=rng.integers(1, 10, 2_000))
    result = hs.count_on_segments(events, segments, tolerance_m=20, weights="harm")
    joined = _nearest(events, segments, 20)
    assert not joined.index.duplicated().any()  # random points: no ties
    expected = np.bincount(joined["segment_id"], minlength=len(segments))
    np.testing.assert_array_equal(result.count, expected)
    harm = np.bincount(joined["segment_id"], weights=joined["harm"], minlength=len(segments))
    np.testing.assert_allclose(result.harm, harm)
    assert result.counts["n_unsnapped"] == len(events) - len(joined)
    assert result.counts["n_snapped"] + result.counts["n_unsnapped"] == len(events)
    snapped = result.event_segment >= 0
    np.testing.assert_allclose(result.event_distance_m[joined.index], joined["d"])
    assert snapped.sum() == len(joined)
    assert np.isnan(result.event_distance_m[~snapped]).all()
    frame = result.to_frame()
    length = segments["length_m"].to_numpy()  # 100 m blocks, 200 m at the corners
    np.testing.assert_allclose(frame["length_m"], length)
    np.testing.assert_allclose(frame["count_per_100m"], expected / length * 100)
    np.testing.assert_allclose(frame["harm_per_100m"], harm / length * 100)


def test_unsnapped_events_are_counted_and_noted() -> None:
    events = points([(20, 105), (30, 98), (100, 170), (500, 500)])
    result = hs.count_on_segments(events, hs.street_segments(plus()), tolerance_m=10)
    assert result.count.tolist() == [2, 0, 0, 1]
    assert result.counts["n_unsnapped"] == 1
    assert result.event_segment.tolist() == [0, 0, 3, -1]
    assert any("1 of 4 events lie farther than 10 m" in note for note in result.notes)


def test_event_at_an_intersection_goes_to_the_first_segment() -> None:
    events = points([(100, 100), (100, 100), (50, 101)])
    result = hs.count_on_segments(events, hs.street_segments(plus()), tolerance_m=5)
    assert result.count.tolist() == [3, 0, 0, 0]
    assert result.counts["n_ties"] == 2
    assert any("2 events were equally near" in note for note in result.notes)


def test_most_events_beyond_the_tolerance_warn() -> None:
    events = points([(50, 101), (500, 500), (600, 600)])
    with pytest.warns(UserWarning, match="2 of 3 `events`"):
        result = hs.count_on_segments(events, hs.street_segments(plus()), tolerance_m=5)
    assert result.n_unsnapped == 2


def test_segments_keep_their_own_ids() -> None:
    segments = hs.street_segments(plus()).set_index(pd.Index(list("abcd"), name="seg"))
    result = hs.count_on_segments(points([(150, 99)]), segments, tolerance_m=5)
    frame = result.to_frame()
    assert frame.index.tolist() == list("abcd")
    assert frame.loc["b", "count"] == 1


def test_concentration_on_segments() -> None:
    segments = hs.street_segments(lattice(4))
    rng = np.random.default_rng(0)
    events = points(np.column_stack([rng.uniform(10, 90, 200), np.full(200, 1.0)]))
    result = hs.count_on_segments(events, segments, tolerance_m=5)
    assert result.count.max() == 200 and (result.count > 0).sum() == 1
    share = hs.concentration_share(result.count, share=0.5)
    assert share.n_places.tolist() == [1]
    assert hs.gini(result.count).estimate == pytest.approx(1 - 1 / len(segments))


# ---------------------------------------------------------------- contiguity and Gi*


def test_contiguity_of_a_plus_sign_and_a_chain_by_hand() -> None:
    result = hs.count_on_segments(points([(50, 100)]), hs.street_segments(plus()), tolerance_m=5)
    matrix = result.contiguity()
    assert isinstance(matrix, sparse.csr_array)
    np.testing.assert_array_equal(matrix.toarray(), np.ones((4, 4)) - np.eye(4))
    # a T: main street 0-300 along y=0, side street from (100, 0) up to (100, 80), and
    # an unconnected street far away
    network = lines([(0, 0), (300, 0)], [(100, 0), (100, 80)], [(0, 500), (50, 500)])
    segments = hs.street_segments(network)
    by_length = {round(v): i for i, v in segments["length_m"].items()}
    counts = hs.count_on_segments(points([(10, 1)]), segments, tolerance_m=5)
    dense = counts.contiguity().toarray()
    west, east, side = by_length[100], by_length[200], by_length[80]
    far = segments.index[segments["source"] == 2][0]
    expected = np.zeros_like(dense)
    for a, b in [(west, east), (west, side), (east, side)]:
        expected[a, b] = expected[b, a] = 1
    np.testing.assert_array_equal(dense, expected)
    assert dense[far].sum() == 0


def test_gi_star_with_network_contiguity_and_distance_bands() -> None:
    segments = hs.street_segments(lattice(5))
    rng = np.random.default_rng(1)
    hot = np.column_stack([rng.uniform(0, 100, 300), np.full(300, 2.0)])
    background = rng.uniform(0, 400, size=(300, 2))
    result = hs.count_on_segments(points(np.vstack([hot, background])), segments, tolerance_m=60)
    units = result.midpoints()
    assert units.geom_type.eq("Point").all()
    assert (units.distance(segments.geometry) < 1e-6).all()
    contiguity = result.contiguity()
    gi = hs.gi_star(units, value="count", spatial_weights=contiguity)
    busiest = int(np.argmax(result.count))
    assert gi.z_score[busiest] > 1.96
    # the same sums by hand: lag over the segment and the segments touching it
    x = result.count.astype(float)
    neighbourhood = contiguity.toarray() + np.eye(len(x))
    lag = neighbourhood @ x
    n, w = len(x), neighbourhood.sum(axis=1)
    s = np.sqrt((x**2).mean() - x.mean() ** 2)
    z = (lag - x.mean() * w) / (s * np.sqrt((n * w - w**2) / (n - 1)))
    np.testing.assert_allclose(gi.z_score, z, rtol=1e-10)
    band = hs.gi_star(units, value="count", distance_m=150)
    assert band.z_score[busiest] > 0


# ---------------------------------------------------------------- real data


def test_geodanet_streets_and_crimes(mesa) -> None:
    streets, crimes = mesa
    segments = hs.street_segments(streets)
    assert len(segments) == 180
    assert segments["length_m"].sum() == pytest.approx(streets.length.sum())
    with pytest.warns(UserWarning, match="fall outside"):
        tight = hs.count_on_segments(crimes, segments, tolerance_m=25)
    result = hs.count_on_segments(crimes, segments, tolerance_m=100)
    assert result.counts["n_unsnapped"] == 0
    for tolerance, got in [(25, tight), (100, result)]:
        joined = _nearest(crimes, segments, tolerance)
        ties = joined.index.duplicated(keep=False)
        first = joined.reset_index().sort_values(["index", "segment_id"]).drop_duplicates("index")
        expected = np.bincount(first["segment_id"], minlength=len(segments))
        np.testing.assert_array_equal(got.count, expected)
        assert got.counts["n_ties"] == joined.index[ties].nunique()
    share = hs.concentration_share(result.count, share=0.5)
    assert 0 < share.places_share[0] < 0.5


def test_summary_and_plot(tmp_path) -> None:
    import matplotlib.pyplot as plt

    segments = hs.street_segments(lattice(3))
    result = hs.count_on_segments(
        points([(50, 1), (60, 1), (150, 199)], harm=[1.0, 2.0, 5.0]),
        segments,
        tolerance_m=5,
        weights="harm",
    )
    text = str(result.summary())
    assert "n_unsnapped" in text and "tolerance_m" in text
    ax = result.plot(column="harm_per_100m")
    assert ax.get_title() == "Harm (CCHI days) per 100 m of street"
    assert len(ax.collections) == 2  # grey empty segments, coloured busy ones (+ colorbar axes)
    ax.figure.savefig(tmp_path / "segments.png")
    plt.close("all")
    with pytest.raises(ValueError, match="`column` must be one of"):
        result.plot(column="density")


def _nearest(events: gpd.GeoDataFrame, segments: gpd.GeoDataFrame, tolerance: float) -> Any:
    """geopandas' nearest join, with the segment id column named alike in every version."""
    joined = gpd.sjoin_nearest(events, segments, max_distance=tolerance, distance_col="d")
    return joined.rename(columns={"index_right": "segment_id"})
