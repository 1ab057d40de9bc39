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
    with pytest.raises(ValueError, match="geographic"):
        hs.select_places(cells.to_crs(4326), score="score", n=1)


def test_input_not_mutated():
    cells = _row([1.0, 3.0, 2.0])
    before = cells.copy()
    hs.select_places(cells, score="score", n=2)
    assert cells.equals(before)
