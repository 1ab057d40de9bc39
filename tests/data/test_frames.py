from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point

from hotspotlib._validation import require_points
from hotspotlib.data import from_frame


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "east": [531000.0, 531200.0, 531400.0],
            "north": [181000.0, 181100.0, 181200.0],
            "when": ["2024-03-01 22:10", "2024-03-02 01:30", "2024-03-02 02:00"],
            "type": ["Robbery", "Drugs", "Robbery"],
        },
        index=[10, 11, 12],
    )


def test_builds_points_keeping_index_and_columns(table: pd.DataFrame) -> None:
    before = table.copy()
    events = from_frame(table, x="east", y="north", crs=27700, time="when")
    pd.testing.assert_frame_equal(table, before)  # not mutated
    assert isinstance(events, gpd.GeoDataFrame)
    assert events.index.tolist() == [10, 11, 12]
    assert list(events.columns) == ["east", "north", "when", "type", "geometry"]
    assert events.crs.to_epsg() == 27700
    np.testing.assert_array_equal(require_points(events, name="events"), table[["east", "north"]])
    assert pd.api.types.is_datetime64_any_dtype(events["when"])
    assert events["when"].dt.hour.tolist() == [22, 1, 2]


def test_without_time_leaves_columns_alone(table: pd.DataFrame) -> None:
    events = from_frame(table, x="east", y="north", crs="EPSG:27700")
    assert events["when"].tolist() == table["when"].tolist()


def test_numbers_stored_as_text_are_converted() -> None:
    text = pd.DataFrame({"x": ["1.5", "2"], "y": ["3", "4.25"]})
    events = from_frame(text, x="x", y="y", crs=27700)
    assert events.geometry.x.tolist() == [1.5, 2.0]
    assert text["x"].tolist() == ["1.5", "2"]


def test_geographic_crs_is_allowed_but_not_projected(table: pd.DataFrame) -> None:
    lonlat = pd.DataFrame({"lon": [0.71, -1.5], "lat": [51.5, 53.8]})
    events = from_frame(lonlat, x="lon", y="lat", crs=4326)
    assert events.crs.is_geographic
    with pytest.raises(ValueError, match="geographic CRS"):
        require_points(events, name="events")


def test_geographic_out_of_range_is_an_error(table: pd.DataFrame) -> None:
    with pytest.raises(
        ValueError,
        match=r"\(longitude\)` must hold finite numbers >= -180 and <= 180; 3 of .*swapped",
    ):
        from_frame(table, x="east", y="north", crs=4326)


def test_geodataframe_input_gets_new_geometry() -> None:
    frame = gpd.GeoDataFrame({"x": [1.0], "y": [2.0]}, geometry=[Point(9, 9)], crs=27700)
    events = from_frame(frame, x="x", y="y", crs=27700)
    assert events.geometry.iloc[0].equals(Point(1, 2))
    assert frame.geometry.iloc[0].equals(Point(9, 9))


@pytest.mark.parametrize(
    ("values", "error", "message"),
    [
        (
            ["1", "abc", "3"],
            ValueError,
            r"1 of 3 values that are not finite numbers, such as \['abc'\]",
        ),
        (
            [1.0, np.nan, 3.0],
            ValueError,
            r"1 of 3 values that are not finite numbers, such as \['?nan'?\]",
        ),
        ([1.0, np.inf, 3.0], ValueError, r"such as \['inf'\]"),
        ([True, False, True], TypeError, "is boolean"),
    ],
)
def test_bad_coordinates(table: pd.DataFrame, values: list, error: type, message: str) -> None:
    bad = table.assign(east=values)
    with pytest.raises(error, match=message):
        from_frame(bad, x="east", y="north", crs=27700)


def test_bad_arguments(table: pd.DataFrame) -> None:
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        from_frame(table.to_numpy(), x="east", y="north", crs=27700)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="`df` is empty"):
        from_frame(table.iloc[:0], x="east", y="north", crs=27700)
    with pytest.raises(ValueError, match="missing column.*'lon'"):
        from_frame(table, x="lon", y="north", crs=27700)
    with pytest.raises(ValueError, match="`crs` is required"):
        from_frame(table, x="east", y="north", crs=None)
    with pytest.raises(ValueError, match="not a valid CRS"):
        from_frame(table, x="east", y="north", crs="nowhere")
    with pytest.raises(ValueError, match="missing column.*'date'"):
        from_frame(table, x="east", y="north", crs=27700, time="date")
    with pytest.raises(ValueError, match="already has a column named 'geometry'"):
        from_frame(table.assign(geometry=1), x="east", y="north", crs=27700)


def test_bad_times(table: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="`time` could not be parsed"):
        bad = table.assign(when=["2024-01-01", "soon", "2024-01-02"])
        from_frame(bad, x="east", y="north", crs=27700, time="when")
    with pytest.raises(ValueError, match="`time` has 1 missing timestamps"):
        missing = table.assign(when=["2024-01-01", None, "2024-01-02"])
        from_frame(missing, x="east", y="north", crs=27700, time="when")


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(st.floats(-1e7, 1e7, allow_nan=False), st.floats(-1e7, 1e7, allow_nan=False)),
        min_size=1,
        max_size=30,
    )
)
def test_coordinates_round_trip(points: list[tuple[float, float]]) -> None:
    frame = pd.DataFrame(points, columns=["x", "y"])
    events = from_frame(frame, x="x", y="y", crs=27700)
    got = require_points(events, name="events", projected=False)  # any numbers survive
    np.testing.assert_array_equal(got, frame.to_numpy())
