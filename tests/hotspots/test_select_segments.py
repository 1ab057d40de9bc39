"""select_places on street segments: Mesa (GeoDaNet, shipped with libpysal)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

import hotspotlib as hs


@pytest.fixture(scope="module")
def mesa() -> tuple[gpd.GeoDataFrame, hs.SegmentCounts]:
    from libpysal import examples

    # GeoDaNet streets of Mesa, AZ, shipped with libpysal (US survey feet -> metres)
    streets = gpd.read_file(examples.get_path("streets.shp"), engine="pyogrio").to_crs(26949)
    segments = hs.street_segments(streets)
    return segments, hs.count_on_segments(hs.load_mesa_crimes(), segments, tolerance_m=100)


def _greedy(frame: gpd.GeoDataFrame, column: str, gap: float, wanted: int) -> list[int]:
    """Brute force: all pairwise distances, then the walk down the ranking."""
    order = np.argsort(-frame[column].to_numpy(dtype=float), kind="stable")
    geoms = frame.geometry.reset_index(drop=True)
    distance = np.array([geoms.distance(g).to_numpy() for g in geoms])
    kept: list[int] = []
    for p in order:
        if all(distance[p, q] >= gap for q in kept):
            kept.append(int(p))
        if len(kept) == wanted:
            break
    return kept


@pytest.mark.parametrize(("score", "gap"), [(None, 0.0), (None, 250.0), ("count_per_100m", 150.0)])
def test_segments_ranked_and_separated_as_brute_force(mesa, score, gap):
    _, result = mesa
    frame = result.to_frame()
    picked = hs.select_places(result, n=12, score=score, min_separation_m=gap)
    expected = _greedy(frame, score or "count", gap, 12)
    assert picked.index.tolist() == frame.index[expected].tolist()
    assert picked["rank"].tolist() == list(range(1, 13))
    assert picked.geometry.geom_type.isin(["LineString", "MultiLineString"]).all()
    if gap:
        lines = picked.geometry.reset_index(drop=True)
        pairwise = np.array([lines.distance(g).to_numpy() for g in lines])
        assert pairwise[~np.eye(12, dtype=bool)].min() >= gap
    column = score or "count"
    total = frame[column].sum()
    assert picked["cumulative_share"].iloc[-1] == pytest.approx(picked[column].sum() / total)


def test_line_frame_with_a_score_column_and_harm_default(mesa):
    segments, result = mesa
    scored = segments.assign(crimes=result.count)
    top = hs.select_places(scored, score="crimes", share=0.05)
    assert len(top) == int(np.ceil(0.05 * len(segments)))
    assert top["crimes"].tolist() == sorted(result.count, reverse=True)[: len(top)]
    crimes = hs.load_mesa_crimes().assign(harm=lambda f: np.arange(len(f)) % 5 + 1.0)
    weighted = hs.count_on_segments(crimes, segments, tolerance_m=100, weights="harm")
    by_harm = hs.select_places(weighted, n=3)
    assert by_harm["harm"].tolist() == sorted(weighted.harm, reverse=True)[:3]


def test_points_still_refused(mesa):
    crimes = hs.load_mesa_crimes()
    with pytest.raises(ValueError, match="Polygon, MultiPolygon, LineString or MultiLineString"):
        hs.select_places(crimes.assign(score=1.0), score="score", n=1)
