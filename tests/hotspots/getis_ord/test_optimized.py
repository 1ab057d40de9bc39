"""Incremental spatial autocorrelation and optimized hot-spot analysis."""

from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib.hotspots.getis_ord.autocorrelation import first_significant_peak, moran_by_band


def test_moran_by_band_matches_esda_z_rand():
    import esda
    from libpysal.weights import DistanceBand

    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 1_000, (250, 2))
    y = rng.poisson(3, 250) + 3.0 * (xy[:, 0] > 600)
    bands = np.array([70.0, 150.0, 300.0])
    table = moran_by_band(xy, y, bands)
    for row, band in zip(table.itertuples(), bands, strict=True):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            w = DistanceBand(xy, threshold=band, binary=True, silence_warnings=True)
            theirs = esda.Moran(y, copy.deepcopy(w), transformation="B", permutations=0)
        assert row.moran_i == pytest.approx(theirs.I, abs=1e-12)
        assert row.variance == pytest.approx(theirs.VI_rand, rel=1e-10)
        assert row.z_score == pytest.approx(theirs.z_rand, abs=1e-9)


@pytest.mark.parametrize(
    ("z", "expected"),
    [
        ([2.5, 4.0, 3.0, 5.0, 6.0], 1),
        ([5.0, 4.0, 3.0], 0),
        ([1.0, 1.5, 1.2, 3.0, 2.0], 3),
        ([1.0, 2.0, 3.0, 4.0], None),
        ([1.0, 1.5, 1.2], None),
        ([3.0, 3.0, 2.0], 0),
        ([2.0, 3.0, 3.0, 1.0], 1),
    ],
)
def test_first_significant_peak(z, expected):
    assert first_significant_peak(z) == expected


def test_incremental_autocorrelation_default_bands_and_methods(city):
    counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    result = hs.incremental_autocorrelation(counts, n_bands=5)
    table = result.to_frame()
    np.testing.assert_allclose(table["distance_m"], [500, 1000, 1500, 2000, 2500])
    assert (table["z_score"] > 0).all()
    assert "Moran" in str(result.summary())
    assert result.plot() is not None
    with pytest.raises(ValueError, match="distances_m"):
        hs.incremental_autocorrelation(counts, distances_m=[-1.0])
    with pytest.raises(ValueError, match="n_bands"):
        hs.incremental_autocorrelation(counts, n_bands=1)


@pytest.fixture(scope="module")
def optimized(city):
    return hs.optimized_hotspots(city.events, area=city.boundary)


def test_planted_hot_spots_come_out_hot(city, optimized):
    frame = optimized.to_frame()
    touching = gpd.sjoin(frame, city.hotspots[["geometry"]], predicate="intersects")
    touching = touching.rename(columns={"index_right": "hotspot_id"})  # geopandas < 1.0
    best = touching.groupby("hotspot_id")["bin"].max()
    assert len(best) == len(city.hotspots)
    assert (best >= 2).mean() >= 0.8
    # the five most intense planted hot spots are all 99 % hot
    top = city.hotspots.sort_values("rank").index[:5]
    assert (best.loc[top] == 3).all()


def test_every_decision_is_recorded(optimized):
    summary = str(optimized.summary())
    for word in ("cell_size_rule", "distance_rule", "n_outliers", "empty_cells", "fdr_cut"):
        assert word in summary
    assert optimized.cell_size_m == 100.0
    assert "extent / 100" in optimized.cell_size_rule
    assert optimized.empty_cells_rule.startswith("kept")
    assert optimized.scale is not None and len(optimized.scale.table) == 10
    assert optimized.distance_m > 0 and optimized.distance_rule
    assert optimized.gi.fdr and optimized.fdr_cut_p <= 0.05
    assert optimized.significant(0.99)["bin"].eq(3).all()
    assert optimized.plot() is not None


def test_without_area_empty_cells_are_dropped(city):
    result = hs.optimized_hotspots(city.events, cell_size_m=250, distance_m=600)
    assert result.n_empty_dropped > 0
    assert (result.event_counts.count > 0).all()
    assert result.cell_size_rule == "given" and result.distance_rule == "given"
    kept = hs.optimized_hotspots(
        city.events, cell_size_m=250, distance_m=600, keep_empty_cells=True
    )
    assert kept.n_empty_dropped == 0 and (kept.event_counts.count == 0).any()
    assert kept.empty_cells_rule == "kept (keep_empty_cells=True)"


def test_harm_weights_and_outliers(city):
    events = city.events.iloc[:2_000].copy()
    far = gpd.GeoDataFrame(
        {"harm": [1.0]}, geometry=[Point(events.total_bounds[2] + 50_000, 0)], crs=events.crs
    )
    with_outlier = pd.concat([events, far], ignore_index=True)
    plain = hs.optimized_hotspots(events, cell_size_m=400, distance_m=900, weights="harm")
    result = hs.optimized_hotspots(with_outlier, weights="harm", distance_m=900)
    assert plain.gi.value_name == "weight_sum"
    assert result.n_outliers >= 1
    assert result.n_outside >= 1  # the far incident is outside the sized grid, and said so
    assert result.cell_size_m < 1_000


def test_weights_series_is_matched_by_label(city):
    events = city.events.iloc[:1_500]
    harm = events["harm"]
    kwargs = {"cell_size_m": 500, "distance_m": 1_000}
    aligned = hs.optimized_hotspots(events, weights=harm, **kwargs)
    by_label = hs.optimized_hotspots(events, weights=harm.iloc[::-1], **kwargs)
    np.testing.assert_allclose(by_label.gi.z_score, aligned.gi.z_score)


def test_fallback_distance_when_no_peak():
    # One incident at each node of a 20 x 20 lattice, weighted by independent noise:
    # no spatial pattern, and for this seed no Moran's I z reaches 1.96.
    rng = np.random.default_rng(3)
    steps = np.arange(20) * 100.0 + 50.0
    xy = np.array([(x, y) for y in steps for x in steps])
    events = gpd.GeoDataFrame(
        {"w": 1.0 + 0.01 * rng.random(len(xy))},
        geometry=gpd.points_from_xy(*xy.T),
        crs=27700,
    )
    result = hs.optimized_hotspots(events, cell_size_m=100, weights="w")
    assert result.grid.n_cells == 400
    assert result.scale is not None
    assert result.scale.table["z_score"].max() < 1.96
    assert result.distance_rule == "no significant peak: mean distance to the 20th nearest cell"
    # brute force: k = round(0.05 * 400) = 20; mean distance to each cell's 20th neighbour
    distance = np.sort(np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)), axis=1)
    assert result.distance_m == pytest.approx(distance[:, 20].mean())


def test_events_on_the_north_east_edge_are_kept():
    # Coordinates snapped to 100 m with 100 m cells: the incidents at the largest x or y
    # lie on the extent's edge and used to fall outside every cell (35 of 600 here).
    rng = np.random.default_rng(0)
    xy = rng.integers(0, 50, (600, 2)) * 100.0
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=27700)
    result = hs.optimized_hotspots(events, cell_size_m=100, distance_m=300)
    assert result.n_outside == 0
    assert int(result.event_counts.count.sum()) == 600


def test_outliers_beyond_the_extent_are_not_counted():
    rng = np.random.default_rng(0)
    xy = np.vstack(
        [
            rng.normal(0, 300, (400, 2)) + 5_000,
            rng.normal(0, 100, (200, 2)) + [5_300, 5_200],
            [[20_000, 20_000], [-9_000, 4_000]],
        ]
    )
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=27700)
    result = hs.optimized_hotspots(events)
    assert result.n_outliers == 2 and result.n_outside == 2
    assert int(result.event_counts.count.sum()) == 600
    note = result.summary().notes[0]
    assert "not counted (2)" in note and "counted like any other" not in note
    # With an area holding them, outliers are counted.
    area = gpd.GeoDataFrame(geometry=[shapely.box(-10_000, 0, 21_000, 21_000)], crs=27700)
    within = hs.optimized_hotspots(events, area=area, cell_size_m=1_000, distance_m=3_000)
    assert within.n_outliers == 2 and within.n_outside == 0
    assert int(within.event_counts.count.sum()) == 602


def test_repeated_locations_do_not_shrink_cells_or_make_outliers():
    # 3,000 incidents on 170 distinct snap points (as in published open crime data):
    # nearest-neighbour distances over incidents are 0 for most, which made 62 outliers
    # and a 0.79 m "2 x NN" figure. Both rules now use the distinct locations.
    rng = np.random.default_rng(0)
    snaps = rng.uniform(0, 5_000, (300, 2))
    # capped: numpy releases round the rare huge zipf draws differently
    xy = snaps[np.minimum(rng.zipf(1.6, 3_000), 10**9) % 300]
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=27700)
    result = hs.optimized_hotspots(events)
    locations, where = np.unique(xy, axis=0, return_inverse=True)
    assert len(locations) == 170
    distance = np.hypot(*(locations[:, None, :] - locations[None, :, :]).transpose(2, 0, 1))
    np.fill_diagonal(distance, np.inf)
    nearest = distance.min(axis=1)
    outlying = nearest > nearest.mean() + 3 * nearest.std()
    assert result.n_outliers == int(outlying[where.ravel()].sum()) == 2
    kept = locations[~outlying]
    spread = distance[np.ix_(~outlying, ~outlying)].min(axis=1).mean()
    expected = max(np.ptp(kept, axis=0).max() / 100, 2 * spread)
    assert expected == pytest.approx(366.3, abs=0.1)
    assert result.cell_size_m == 370.0
    assert "between distinct locations = 366.3 m" in result.cell_size_rule


def test_inputs_are_not_mutated(city):
    events = city.events.iloc[:2_000]
    area = city.boundary
    before_events, before_area = events.copy(), area.copy()
    harm = events["harm"].to_numpy().copy()
    hs.optimized_hotspots(events, area=area, weights=harm)
    hs.optimized_hotspots(events, weights="harm", cell_size_m=400)
    pd.testing.assert_frame_equal(events, before_events)
    pd.testing.assert_frame_equal(area, before_area)
    np.testing.assert_array_equal(harm, events["harm"].to_numpy())


def test_errors(city):
    with pytest.raises(ValueError, match="at least 30"):
        hs.optimized_hotspots(city.events.iloc[:10])
    with pytest.raises(ValueError, match="share one CRS"):
        hs.optimized_hotspots(city.events, area=city.boundary.to_crs(32630))
    with pytest.raises(ValueError, match="geographic"):
        hs.optimized_hotspots(city.events.to_crs(4326))
    with pytest.raises(ValueError, match="cell_size_m"):
        hs.optimized_hotspots(city.events, cell_size_m=0)
    with pytest.raises(ValueError, match="weights"):
        hs.optimized_hotspots(city.events, weights=-city.events["harm"].to_numpy())
    for bad in (0, 1, 2.7, True, "10"):
        with pytest.raises(ValueError, match=r"`n_bands` must be a whole number >= 2"):
            hs.optimized_hotspots(city.events, n_bands=bad)
    for bad in ("no", 0, 1.0):
        with pytest.raises(TypeError, match=r"`keep_empty_cells` must be True, False or None"):
            hs.optimized_hotspots(city.events, keep_empty_cells=bad)
    same = gpd.GeoDataFrame(geometry=gpd.points_from_xy([5.0] * 40, [5.0] * 40), crs=27700)
    with pytest.raises(ValueError, match="share one location"):
        hs.optimized_hotspots(same)
