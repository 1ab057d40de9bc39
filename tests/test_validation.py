import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from hotspotlib import _validation as v
from hotspotlib._options import Kernel


def test_check_option_lists_choices():
    with pytest.raises(ValueError, match="'quartic', 'epanechnikov'.*got 'biweight'"):
        v.check_option("biweight", Kernel, name="kernel")


def test_as_rng_reproducible_and_rejects_legacy():
    assert v.as_rng(3).random() == v.as_rng(3).random()
    gen = np.random.default_rng(1)
    assert v.as_rng(gen) is gen
    with pytest.raises(TypeError, match="RandomState"):
        v.as_rng(np.random.RandomState(1))
    with pytest.raises(TypeError, match="rng"):
        v.as_rng("seed")


def test_projected_crs_errors(points_lonlat):
    with pytest.raises(ValueError, match=r"geographic CRS \(EPSG:4326\).*estimate_utm_crs"):
        v.require_projected_crs(points_lonlat, name="events")
    with pytest.raises(ValueError, match="has no CRS"):
        v.require_projected_crs(gpd.GeoSeries([Point(0, 0)]), name="events")
    feet = gpd.GeoSeries([Point(0, 0)], crs="EPSG:2868")  # Arizona state plane, feet
    with pytest.raises(ValueError, match="not metres"):
        v.require_projected_crs(feet, name="events")


def test_same_crs_names_both():
    a = gpd.GeoSeries([Point(0, 0)], crs=27700)
    b = gpd.GeoSeries([Point(0, 0)], crs=32630)
    with pytest.raises(ValueError, match=r"`events` \(EPSG:27700\) and `places` \(EPSG:32630\)"):
        v.require_same_crs(a, b, names=("events", "places"))


def test_require_points_errors():
    with pytest.raises(TypeError, match="GeoDataFrame"):
        v.require_points(pd.DataFrame({"x": [1]}), name="events")
    with pytest.raises(ValueError, match="empty"):
        v.require_points(gpd.GeoDataFrame(geometry=[], crs=27700), name="events")
    lines = gpd.GeoDataFrame(geometry=[LineString([(0, 0), (1, 1)])], crs=27700)
    with pytest.raises(ValueError, match="Point geometries; 1 are LineString"):
        v.require_points(lines, name="events")
    nan = gpd.GeoDataFrame(geometry=[Point(0, 0), Point(np.nan, 1)], crs=27700)
    with pytest.raises(ValueError, match="missing or empty|NaN"):
        v.require_points(nan, name="events")
    missing = gpd.GeoDataFrame(geometry=[Point(0, 0), None], crs=27700)
    with pytest.raises(ValueError, match="1 missing or empty"):
        v.require_points(missing, name="events")


def test_require_polygons_errors():
    pts = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=27700)
    with pytest.raises(ValueError, match="Polygon or MultiPolygon"):
        v.require_polygons(pts, name="places")
    ok = gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=27700)
    assert len(v.require_polygons(ok, name="places")) == 1


def test_require_positive_and_finite():
    with pytest.raises(ValueError, match="> 0; got -1"):
        v.require_positive(-1, name="bandwidth_m")
    with pytest.raises(ValueError, match="finite"):
        v.require_positive(float("nan"), name="bandwidth_m")
    with pytest.raises(TypeError, match="number"):
        v.require_positive("10", name="bandwidth_m")
    with pytest.raises(TypeError, match="number"):
        v.require_positive(True, name="bandwidth_m")
    assert v.require_positive(0, name="x", allow_zero=True) == 0.0
    with pytest.raises(ValueError, match="1 NaN"):
        v.require_finite([1.0, np.nan], name="values")


def test_require_weights():
    frame = pd.DataFrame(
        {"harm": [1.0, 2.0], "bad": [1.0, np.nan], "neg": [1.0, -2.0], "z": [0, 0]}
    )
    assert v.require_weights(frame, None) is None
    np.testing.assert_array_equal(v.require_weights(frame, [3, 4]), [3.0, 4.0])
    with pytest.raises(ValueError, match="missing column"):
        v.require_weights(frame, "nope")
    with pytest.raises(ValueError, match="1 NaN"):
        v.require_weights(frame, "bad")
    with pytest.raises(ValueError, match="negative"):
        v.require_weights(frame, "neg")
    with pytest.raises(ValueError, match="all zero"):
        v.require_weights(frame, "z")
    with pytest.raises(ValueError, match="one value per row"):
        v.require_weights(frame, [1.0])
    with pytest.raises(TypeError, match="numeric"):
        v.require_weights(frame.assign(s=["a", "b"]), "s")


def test_require_timestamps():
    with pytest.raises(ValueError, match="1 missing"):
        v.require_timestamps(["2024-01-01", None], name="time")
    with pytest.raises(ValueError, match="could not be parsed"):
        v.require_timestamps(["not a date"], name="time")


def test_require_columns():
    with pytest.raises(ValueError, match="missing column.*'b'"):
        v.require_columns(pd.DataFrame({"a": [1]}), ["a", "b"], name="table")


def test_grid_size_guard():
    with pytest.raises(ValueError, match="cells.*over the limit"):
        v.require_grid_size(10**9, max_cells=10**7)


@given(st.floats(min_value=1e-9, max_value=1e9))
def test_require_positive_roundtrip(x):
    assert v.require_positive(x, name="x") == x


def test_weights_series_refused_when_rows_share_labels():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0]}, index=[0, 0, 1])
    with pytest.raises(ValueError, match="index labels"):
        v.require_weights(frame, pd.Series([10.0, 20.0, 30.0], index=[0, 1, 2]))


def test_web_mercator_is_not_metres_on_the_ground():
    london = gpd.GeoSeries([Point(-0.1, 51.5)], crs=4326)
    for crs in (3857, "ESRI:102100"):
        with pytest.raises(ValueError, match=r"Web Mercator.*to_crs\(27700\)"):
            v.require_points(london.to_crs(crs), name="events")


def test_coordinates_checked_against_the_area_of_use():
    lonlat = gpd.GeoSeries([Point(-0.12, 51.5), Point(-0.1, 51.52)], crs=27700)
    with pytest.raises(
        ValueError,
        match=r"EPSG:27700.*x -0\.12 to -0\.1.*set_crs\(4326, allow_override=True\)"
        r"\.to_crs\(27700\)",
    ):
        v.require_points(lonlat, name="events")
    utm = gpd.GeoSeries([Point(699_000, 5_710_000)], crs=27700)  # UTM 30N numbers
    with pytest.raises(ValueError, match="outside the area where EPSG:27700 is used"):
        v.require_points(utm, name="events")
    with pytest.raises(ValueError, match="areas.*outside the area"):
        v.require_polygons(gpd.GeoSeries([box(0, 5e6, 10, 5e6 + 10)], crs=27700), name="areas")
    # real places in their own CRS pass, as do small coordinates near the false origin
    london = gpd.GeoSeries([Point(-0.1, 51.5)], crs=4326)
    v.require_points(london.to_crs(27700), name="events")
    v.require_points(london.to_crs(32630), name="events")
    v.require_points(gpd.GeoSeries([Point(1, 2), Point(300, 200)], crs=27700), name="events")


def test_require_allocation_refuses_before_allocating():
    v.require_allocation(1e6, 8, name="n_permutations", fix="Use fewer.")
    with pytest.raises(ValueError, match=r"`n_permutations` would need 1e\+12 .*GiB.*Use fewer"):
        v.require_allocation(1e12, 8, name="n_permutations", fix="Use fewer.")
