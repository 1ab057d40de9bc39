"""Numeric checks: every failure names the argument and shows the value."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from hotspotlib import _validation as v


@pytest.mark.parametrize(
    "values",
    [
        [1, 2.5],
        np.array([1, 2], dtype=np.int32),
        pd.Series([1.0, np.nan]),
        pd.Series([1, None], dtype="Int64"),
        pd.Series([1, 2], dtype=object),
        (True, False),
        [],
    ],
)
def test_numbers_are_accepted(values: object) -> None:
    array = v.require_numbers(values, name="values")
    assert array.dtype == np.float64 and array.shape == np.shape(np.asarray(values, dtype=object))


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (["a", "b"], r"\['a', 'b'\] \(string values\)"),
        ("12", "not text"),
        ({"a": 1}, "not a mapping"),
        (pd.Series(["1", "2"], dtype="string"), "Series of dtype string"),
        ([1, "2"], "string values"),
        ([dt.date(2024, 1, 1)], "date"),
        (np.array(["2024-01-01"], dtype="datetime64[D]"), "datetime"),
        ([[1, 2], [3]], "numbers"),
        ([object()], "mixed|object|numbers"),
    ],
)
def test_non_numbers_name_the_argument(values: object, shown: str) -> None:
    with pytest.raises(TypeError, match=rf"`effects` must .*{shown}"):
        v.require_numbers(values, name="effects")


def test_a_long_series_is_shown_on_one_line() -> None:
    with pytest.raises(TypeError) as caught:
        v.require_numbers(pd.Series(list("abcdefgh"), name="x"), name="values")
    message = str(caught.value)
    assert "\n" not in message and "'e', ...]" in message


def test_require_number_and_probability() -> None:
    assert v.require_number(np.float32(2.5), name="x") == 2.5
    assert v.require_number(np.array(3), name="x") == 3.0
    for bad in ("1", None, True, [1], np.bool_(True)):
        with pytest.raises(TypeError, match="`x` must be a number"):
            v.require_number(bad, name="x")
    assert v.require_probability(0.95, name="confidence") == 0.95
    for bad in (0, 1, 95, np.nan, -0.1):
        with pytest.raises(ValueError, match="`confidence` must be a number between 0 and 1"):
            v.require_probability(bad, name="confidence")
    assert v.require_probability(1, name="share", closed=True) == 1.0
    with pytest.raises(TypeError, match="`confidence` must be a number; got '0.95'"):
        v.require_probability("0.95", name="confidence")


def test_require_whole_hints() -> None:
    with pytest.raises(ValueError, match=r"`lags` must be a whole number >= 0; got 2.0. Pass int"):
        v.require_whole(2.0, name="lags")
    with pytest.raises(ValueError, match="not text"):
        v.require_whole("2", name="lags")


def test_require_finite_refuses_text_before_nan() -> None:
    with pytest.raises(TypeError, match="`variances` must hold numbers"):
        v.require_finite(["0.1", "x"], name="variances")
    with pytest.raises(ValueError, match="`variances` has 1 NaN"):
        v.require_finite([0.1, np.inf], name="variances")
