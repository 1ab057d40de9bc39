"""Incremental spatial autocorrelation and optimized hot-spot analysis."""

from __future__ import annotations

import copy
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib.hotspots.autocorrelation import first_significant_peak, moran_by_band


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
    assert optimized.hotspots(0.99)["bin"].eq(3).all()
    assert optimized.plot() is not None


def test_without_area_empty_cells_are_dropped(city):
    result = hs.optimized_hotspots(city.events, cell_size_m=250, distance_m=600)
    assert result.n_empty_dropped > 0
    assert (result.counts.count > 0).all()
    assert result.cell_size_rule == "given" and result.distance_rule == "given"
    kept = hs.optimized_hotspots(
        city.events, cell_size_m=250, distance_m=600, keep_empty_cells=True
    )
    assert kept.n_empty_dropped == 0 and (kept.counts.count == 0).any()
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
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 5_000, (3_000, 2))
    xy[:600] = rng.normal(2_500, 900, (600, 2))
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy(*xy.T), crs=27700)
    result = hs.optimized_hotspots(events, cell_size_m=250, keep_empty_cells=True)
    assert result.scale is not None
    z = result.scale.table["z_score"].to_numpy()
    if first_significant_peak(z) is None:
        assert result.distance_rule.startswith("no significant peak")
    else:
        assert result.distance_rule.startswith("first significant peak")


def test_errors(city):
    with pytest.raises(ValueError, match="at least 30"):
        hs.optimized_hotspots(city.events.iloc[:10])
    with pytest.raises(ValueError, match="share one CRS"):
        hs.optimized_hotspots(city.events, area=city.boundary.to_crs(3857))
    with pytest.raises(ValueError, match="geographic"):
        hs.optimized_hotspots(city.events.to_crs(4326))
    with pytest.raises(ValueError, match="cell_size_m"):
        hs.optimized_hotspots(city.events, cell_size_m=0)
    with pytest.raises(ValueError, match="weights"):
        hs.optimized_hotspots(city.events, weights=-city.events["harm"].to_numpy())
