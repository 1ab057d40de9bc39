"""Every result stays frozen: arrays read-only and mappings refusing edits, also after
pickling (numpy drops the read-only flag when an array is pickled) and copying."""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import pickle
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib._frozen import FrozenResult, ReadOnlyDict


def load_builders() -> ModuleType:
    """Load ``tests/_results.py`` once per process (tests are not a package)."""
    name = "_hotspotlib_result_builders"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_results.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


_results = load_builders()
BUILDERS = _results.BUILDERS
RESULT_CLASSES = _results.RESULT_CLASSES
city, pings = _results.city, _results.pings


def test_every_frozen_result_class_is_built_here_and_uses_the_frozen_base() -> None:
    assert sorted(BUILDERS) == RESULT_CLASSES
    for name in RESULT_CLASSES:
        assert issubclass(_results.result_class(name), FrozenResult), name


def _assert_frozen(result: Any, where: str) -> None:
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        label = f"{where}.{item.name}"
        if isinstance(value, np.ndarray):
            assert not value.flags.writeable, label
            with pytest.raises(ValueError):
                value.flags.writeable = True
            if value.size:
                with pytest.raises(ValueError, match="read-only"):
                    value.flat[0] = value.flat[0]
        elif isinstance(value, Mapping):
            assert isinstance(value, ReadOnlyDict), label
            with pytest.raises(TypeError, match="read-only"):
                value["new key"] = 1  # type: ignore[index]
            with pytest.raises(TypeError, match="read-only"):
                value.update({})  # type: ignore[attr-defined]
            for key, inner in value.items():
                if isinstance(inner, np.ndarray):
                    assert not inner.flags.writeable, f"{label}[{key!r}]"
                elif isinstance(inner, Mapping):
                    assert isinstance(inner, ReadOnlyDict), f"{label}[{key!r}]"
        elif isinstance(value, FrozenResult):
            _assert_frozen(value, label)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, dataclasses.fields(result)[0].name, None)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_result_is_frozen_after_pickling_and_copying(name: str) -> None:
    result = BUILDERS[name]()
    assert type(result).__name__ == name
    _assert_frozen(result, name)
    for again in (
        pickle.loads(pickle.dumps(result)),
        pickle.loads(pickle.dumps(result, protocol=5)),
        copy.deepcopy(result),
        copy.copy(result),
    ):
        assert type(again) is type(result)
        _assert_frozen(again, name)
        assert repr(again) == repr(result)


def test_event_counts_keeps_its_own_copy_of_the_places() -> None:
    places = city().hotspots.copy()
    result = hs.count_events(city().events, places)
    expected = result.to_frame()
    places.loc[places.index[0], "expected_per_day"] = -1.0  # the caller edits their frame
    places["extra"] = 1
    pd.testing.assert_frame_equal(result.to_frame(), expected)


def test_city_and_pings_parameters_and_koper_survival_refuse_edits() -> None:
    for mapping in (city().parameters, pings().parameters, BUILDERS["KoperCurve"]().survival):
        with pytest.raises(TypeError, match="read-only"):
            mapping["x"] = 1


def test_repr_shows_short_arrays_by_value_and_long_ones_by_shape() -> None:
    share = hs.concentration_share(np.array([5, 3, 0, 0, 1, 0, 0, 0, 0, 1]), share=[0.5, 0.8])
    shown = repr(share)
    assert "places_share=[0.1, 0.2]" in shown
    assert "n_places=[1, 2]" in shown
    pooled = hs.meta_analysis([0.1, 0.3, 0.2, 0.4, 0.5], variances=[0.01] * 5, method="fixed")
    assert repr(pooled).startswith("MetaAnalysis(effects=array(shape=5), variances=array(shape=5)")


def test_repr_shows_short_numeric_tuples_by_value_and_other_sequences_by_length() -> None:
    curve = BUILDERS["KoperCurve"]()  # optimum_ci is a pair of numbers, not "[2]"
    lo, hi = curve.optimum_ci
    assert f"optimum_ci=[{lo:.4g}, {hi:.4g}]" in repr(curve)
    report = BUILDERS["EffectTable"]()
    assert f"effects=tuple({len(report.effects)})" in repr(report)
    assert "[2]" not in repr(report)


def test_repr_shows_a_zero_dimensional_array_by_its_value() -> None:
    from hotspotlib._frozen import _short

    assert _short(np.array(3.5)) == "3.5"
    assert _short(np.zeros((2, 3))) == "array(shape=2x3)"
