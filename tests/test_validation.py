import re

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import GeometryCollection, LineString, MultiPoint, Point, box

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


# The one date parser: what is read, what settles day/month order, what is refused.
@pytest.mark.parametrize(
    ("values", "options", "expected"),
    [
        (["2024-01-02", "2024-01-03T10:30"], {}, ["2024-01-02", "2024-01-03 10:30"]),
        (["2024-03"], {}, ["2024-03-01"]),  # ISO year-month (police.uk's Month)
        (["2024/01/31"], {}, ["2024-01-31"]),  # year first: never ambiguous
        (["31/01/2024", "01/02/2024"], {}, ["2024-01-31", "2024-02-01"]),  # day-first settled
        (["01/31/2024", "02/01/2024"], {}, ["2024-01-31", "2024-02-01"]),  # month-first settled
        (["13.01.2024 08:15", "01.02.2024"], {}, ["2024-01-13 08:15", "2024-02-01"]),
        (["01/02/2024"], {"dayfirst": True}, ["2024-02-01"]),
        (["01/02/2024 10:30"], {"dayfirst": False}, ["2024-01-02 10:30"]),
        (["01-02-2024"], {"date_format": "%d-%m-%Y"}, ["2024-02-01"]),
        (["2 January 2024"], {}, ["2024-01-02"]),  # month spelled out
        ([pd.Timestamp("2024-01-02"), "2024-01-03"], {}, ["2024-01-02", "2024-01-03"]),
    ],
)
def test_require_timestamps_reads(values, options, expected):
    parsed = v.require_timestamps(values, name="time", **options)
    assert parsed.tolist() == [pd.Timestamp(e) for e in expected]


@pytest.mark.parametrize(
    ("values", "options", "error", "match"),
    [
        (["01/02/2024", "03/04/2024"], {}, ValueError, r"`time`.*both day-first and month-first"),
        (["13/01/2024", "01/13/2024"], {}, ValueError, r"`time` mixes day-first.*month-first"),
        (["01/13/2024"], {"dayfirst": True}, ValueError, r"cannot be day-first"),
        (["31/01/2024"], {"dayfirst": False}, ValueError, r"cannot be month-first"),
        (["2024-01-01", None], {}, ValueError, r"`time` has 1 missing timestamps out of 2"),
        (["2024-01-01", pd.NaT, ""], {}, ValueError, r"`time` has 2 missing timestamps"),
        (["2024-01-01", "soon"], {}, ValueError, r"`time` could not be parsed: 1 of 2.*'soon'"),
        (["31/01/2024"], {"date_format": "%m/%d/%Y"}, ValueError, r"date_format='%m/%d/%Y'"),
        ([1_700_000_000, 1_700_000_060], {}, TypeError, r"`time` holds numbers"),
        (["2024-01-01T10:00+00:00", "2024-07-01T10:00+01:00"], {}, ValueError, r"one zone"),
        (["2024-01-01"], {"dayfirst": "yes"}, TypeError, r"`dayfirst`"),
    ],
)
def test_require_timestamps_refuses(values, options, error, match):
    with pytest.raises(error, match=match):
        v.require_timestamps(values, name="time", **options)


def test_require_timestamps_keeps_datetimes_and_time_zones():
    aware = pd.Series(pd.date_range("2024-03-30", periods=3, freq="D", tz="Europe/London"))
    assert v.require_timestamps(aware, name="time").equals(aware)
    with pytest.raises(ValueError, match="`time` has 1 missing timestamps"):
        v.require_timestamps(pd.Series([pd.Timestamp("2024-01-01"), pd.NaT]), name="time")
    labelled = pd.Series(["31/01/2024", "01/02/2024"], index=[7, 7])
    assert v.require_timestamps(labelled, name="time").index.tolist() == [7, 7]


def test_require_timestamp_scalar():
    assert v.require_timestamp("31/01/2024", name="start") == pd.Timestamp("2024-01-31")
    assert v.require_timestamp("01/02/2024", name="start", dayfirst=True).month == 2
    with pytest.raises(ValueError, match="`start` is missing"):
        v.require_timestamp(None, name="start")
    with pytest.raises(ValueError, match="`start`.*day-first"):
        v.require_timestamp("01/02/2024", name="start")
    with pytest.raises(TypeError, match="`start` must be a date"):
        v.require_timestamp(20240101, name="start")


def test_wall_clock_reads_aware_times_locally():
    aware = pd.Series(pd.to_datetime(["2024-07-01 23:30"]).tz_localize("Europe/London"))
    assert v.wall_clock(aware).tolist() == [pd.Timestamp("2024-07-01 23:30")]
    assert v.wall_clock(aware, "UTC").tolist() == [pd.Timestamp("2024-07-01 22:30")]
    naive = pd.Timestamp("2024-07-01")
    assert v.wall_clock(naive) is naive


def test_require_join_refuses_empty_and_warns_on_large_drops():
    assert v.require_join([1, 2, 2], [2, 3], left="a", right="b").tolist() == [False, True, True]
    with pytest.raises(ValueError, match=r"No rows of `a` match `b`.*'1'.*text on one side"):
        v.require_join(["1", "2"], [1, 2], left="a", right="b", share=1)
    with pytest.warns(UserWarning, match=r"3 of 4 rows \(75%\)"):
        v.require_join([1, 5, 6, 7], [1, 2], left="a", right="b")
    times = pd.Series(pd.to_datetime(["2023-01-01", "2023-02-01"]))
    with pytest.raises(ValueError, match=r"times from 2023-01-01.*to 2023-02-01"):
        v.require_join(times, "2024", left="a", right="b", matched=[False, False])


def test_require_id_type():
    v.require_id_type(pd.Series(["A", "B", None]), name="officer")
    v.require_id_type([1, 2], name="officer")
    with pytest.raises(ValueError, match=r"`officer` mixes text and numbers.*astype\(str\)"):
        v.require_id_type(pd.Series([1, "1"], dtype=object), name="officer")


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


@pytest.mark.parametrize(
    ("values", "dayfirst", "expected"),
    [
        (
            ["1/13/2024 10:00 PM", "1/14/2024 9:15 AM"],
            None,
            ["2024-01-13 22:00", "2024-01-14 09:15"],
        ),
        (["13/01/2024 10:00 pm"], None, ["2024-01-13 22:00"]),
        (
            ["2024/01/13 10:00 PM", "2024-01-14 09:15"],
            None,
            ["2024-01-13 22:00", "2024-01-14 09:15"],
        ),
        (["01/02/2024 10:00 PM"], True, ["2024-02-01 22:00"]),
    ],
)
def test_twelve_hour_clock_times_are_read(values, dayfirst, expected) -> None:
    parsed = v.require_timestamps(values, name="time", dayfirst=dayfirst)
    assert parsed.tolist() == [pd.Timestamp(e) for e in expected]


def _points_reference(frame, name):
    """The checks of ``require_points`` as first written: type ids, then coordinates."""
    shapes = np.asarray(frame.geometry.array)
    kinds = shapely.get_type_id(shapes)
    xy = shapely.get_coordinates(shapes)
    if len(xy) != len(shapes) or (kinds != 0).any():
        missing = shapely.is_missing(shapes) | shapely.is_empty(shapes)
        if missing.any():
            return f"{int(missing.sum())} missing or empty geometries out of {len(shapes)}"
        wrong = kinds != 0
        found = sorted(set(frame.geometry[wrong].geom_type.tolist()))
        return f"Point geometries; {int(wrong.sum())} are {', '.join(found)}"
    bad = ~np.isfinite(xy).all(axis=1)
    if bad.any():
        return f"{int(bad.sum())} points with NaN or infinite"
    return xy


_ODD_GEOMETRIES = {
    "empty point": Point(),
    "missing": None,
    "line": LineString([(0, 0), (1, 1)]),
    "one-point multipoint": MultiPoint([(5, 5)]),
    "empty multipoint": MultiPoint(),
    "one-point collection": GeometryCollection([Point(5, 5)]),
    "polygon": box(0, 0, 1, 1),
    "NaN x": Point(np.nan, 1),
    "NaN y": Point(1, np.nan),
    "infinite x": Point(np.inf, 1),
    "minus infinite y": Point(1, -np.inf),
}


@pytest.mark.parametrize("odd", list(_ODD_GEOMETRIES))
@pytest.mark.parametrize("where", [0, 3, 9])
def test_require_points_same_verdict_as_full_checks(odd, where):
    """The one-pass check refuses exactly what the full checks refuse, saying the same."""
    shapes = [Point(float(i), 2.0 * i) for i in range(10)]
    shapes[where] = _ODD_GEOMETRIES[odd]
    frame = gpd.GeoDataFrame(geometry=shapes, crs=27700)
    expected = _points_reference(frame, "events")
    assert isinstance(expected, str)  # every odd geometry is refused
    with pytest.raises(ValueError, match=re.escape(expected)):
        v.require_points(frame, name="events")


def test_require_points_returns_the_coordinates():
    rng = np.random.default_rng(5)
    xy = rng.uniform(0, 1e5, size=(1_000, 2))
    frame = gpd.GeoDataFrame(geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1], z=xy[:, 0]), crs=27700)
    got = v.require_points(frame, name="events")
    assert got.dtype == np.float64 and got.shape == (1_000, 2)
    np.testing.assert_array_equal(got, _points_reference(frame, "events"))
    np.testing.assert_array_equal(got, xy)
