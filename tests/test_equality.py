"""Value equality of result fields (hotspotlib._equality): each kind of value, with NaN
equal to NaN and differences in dtype, index, names or CRS counted."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import sparse
from shapely.geometry import Point

import hotspotlib as hs
from hotspotlib._equality import fields_equal, values_equal
from hotspotlib._frozen import ReadOnlyDict, frozen_mapping


def _frame(**changes: Any) -> pd.DataFrame:
    data = {"count": [1, 2], "rate": [0.5, np.nan]}
    return pd.DataFrame(data, index=changes.get("index", [10, 20])).rename(
        columns=changes.get("columns", {})
    )


def _places(crs: str = "EPSG:27700", x: float = 0.0) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({"n": [1, 2]}, geometry=[Point(x, 0), None], crs=crs)


def _csr(values: list[list[float]]) -> sparse.csr_array:
    return sparse.csr_array(np.array(values))


# the same matrix with an explicit zero stored at (0, 0)
with_zero = sparse.csr_array(
    (np.array([0.0, 1.0, 2.0, np.nan]), np.array([0, 1, 0, 1]), np.array([0, 2, 4])), shape=(2, 2)
)

# (first, second, equal?): each row checks one rule of values_equal
CASES = [
    ("NaN", float("nan"), float("nan"), True),
    ("NaT", pd.NaT, pd.NaT, True),
    ("None vs NaN", None, float("nan"), False),
    ("float vs numpy float", 0.25, np.float64(0.25), True),
    ("number", 1.0, 1.5, False),
    ("str vs array", "a", np.array(["a"]), False),
    ("array with NaN", np.array([1.0, np.nan]), np.array([1.0, np.nan]), True),
    ("array value", np.array([1.0, np.nan]), np.array([1.5, np.nan]), False),
    ("array dtype", np.array([1, 2]), np.array([1.0, 2.0]), False),
    ("array shape", np.zeros((2, 1)), np.zeros(2), False),
    ("size-1 array", np.array([0.0]), np.array([1.0]), False),
    (
        "datetime NaT",
        np.array(["2024-01-01", "NaT"], "M8[ns]"),
        np.array(["2024-01-01", "NaT"], "M8[ns]"),
        True,
    ),
    ("strings", np.array(["a", "b"]), np.array(["a", "c"]), False),
    ("object labels", np.array(["hot", None], object), np.array(["hot", None], object), True),
    (
        "object labels differ",
        np.array(["hot", None], object),
        np.array(["cold", None], object),
        False,
    ),
    ("frame with NaN", _frame(), _frame(), True),
    ("frame value", _frame(), _frame().assign(count=[1, 3]), False),
    ("frame dtype", _frame(), _frame().astype({"count": float}), False),
    ("frame index values", _frame(), _frame(index=[10, 21]), False),
    ("frame index dtype", _frame(), _frame(index=[10.0, 20.0]), False),
    ("frame columns", _frame(), _frame(columns={"rate": "share"}), False),
    ("frame vs its values", _frame(), _frame().to_numpy(), False),
    ("series name", pd.Series([1.0], name="a"), pd.Series([1.0], name="b"), False),
    ("index names", pd.Index([1], name="cell"), pd.Index([1], name="place"), False),
    (
        "period index",
        pd.period_range("2024-01", periods=3, freq="M"),
        pd.period_range("2024-01", periods=3, freq="M"),
        True,
    ),
    ("geometry", _places(), _places(), True),
    ("geometry moved", _places(), _places(x=1e-9), False),
    ("geometry CRS", _places(), _places(crs="EPSG:3857"), False),
    ("geoseries CRS", _places().geometry, _places(crs="EPSG:3857").geometry, False),
    ("sparse", _csr([[0, 1], [2, np.nan]]), _csr([[0, 1], [2, np.nan]]), True),
    ("sparse value", _csr([[0, 1], [2, 3]]), _csr([[0, 1], [2, 4]]), False),
    ("sparse explicit zero", _csr([[0.0, 1.0], [2.0, np.nan]]), with_zero, True),
    ("sparse vs dense", _csr([[1.0]]), np.array([[1.0]]), False),
    (
        "read-only dict vs dict",
        frozen_mapping({"z": np.array([np.nan])}),
        {"z": np.array([np.nan])},
        True,
    ),
    ("dict keys", {"a": 1}, {"a": 1, "b": 2}, False),
    ("dict value", ReadOnlyDict({"a": np.array([1])}), ReadOnlyDict({"a": np.array([2])}), False),
    ("tuple vs list", (1, 2), [1, 2], False),
    (
        "nested tuple",
        (np.array([np.nan]), {"f": _frame()}),
        (np.array([np.nan]), {"f": _frame()}),
        True,
    ),
    ("tuple length", (1, 2), (1, 2, 3), False),
    ("timestamp", pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02"), False),
]


@pytest.mark.parametrize(
    ("first", "second", "equal"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_values_equal(first: Any, second: Any, equal: bool) -> None:
    assert values_equal(first, second) is equal
    assert values_equal(second, first) is equal  # symmetric


@dataclass(eq=False)
class _Pair:
    values: np.ndarray
    table: pd.DataFrame


@dataclass(eq=False)
class _Other:
    values: np.ndarray
    table: pd.DataFrame


def test_fields_equal_compares_type_and_every_field() -> None:
    pair = _Pair(np.array([np.nan, 1.0]), _frame())
    assert fields_equal(pair, _Pair(np.array([np.nan, 1.0]), _frame()))
    assert not fields_equal(pair, _Other(pair.values, pair.table))
    assert not fields_equal(pair, _Pair(pair.values, _frame(index=[1, 2])))
    assert values_equal([pair], [_Pair(pair.values.copy(), pair.table.copy())])  # nested


@settings(max_examples=60, deadline=None)
@given(
    values=hnp.arrays(
        np.float64, hnp.array_shapes(max_dims=2, max_side=6), elements=st.floats(allow_nan=True)
    ),
    where=st.integers(min_value=0),
)
def test_a_float_array_equals_its_copy_and_not_a_changed_one(
    values: np.ndarray, where: int
) -> None:
    assert values_equal(values, values.copy())
    assert values_equal(
        pd.DataFrame(values.reshape(len(values), -1)), pd.DataFrame(values.reshape(len(values), -1))
    )
    if values.size:
        changed = values.copy()
        i = where % values.size
        changed.flat[i] = 0.0 if not np.isfinite(values.flat[i]) or values.flat[i] != 0 else 1.0
        assert not values_equal(values, changed)


def test_allocations_rerun_in_another_second_compare_equal(monkeypatch) -> None:
    """The audit trail records when an allocation was made; == compares the allocation."""
    import hotspotlib.trials._draws as draws

    first = hs.assign_arms(range(30), rng=0)

    class Later(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2031, 1, 1, tzinfo=tz)

    monkeypatch.setattr(draws._dt, "datetime", Later)
    again = hs.assign_arms(range(30), rng=0)
    assert again.audit["created_utc"] != first.audit["created_utc"]
    assert again == first
    assert hs.assign_arms(range(30), rng=1) != first
    days = hs.assign_days(range(6), start="2025-01-01", days=10, treated_per_day=2, rng=0)
    assert days == hs.assign_days(range(6), start="2025-01-01", days=10, treated_per_day=2, rng=0)
