"""The result contract: every public result displays itself in one short line and in
notebooks, summarises itself as text/HTML/Markdown, hands out copies of its tables
with snake_case columns, plots onto an Axes, and keeps its parameters, counts and notes
read-only, and compares by value (see the API conventions in the design notes)."""

from __future__ import annotations

import copy
import dataclasses
import importlib.util
import inspect
import pickle
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from pyproj import CRS
from scipy import sparse

from hotspotlib import _repr_map
from hotspotlib._frozen import FrozenResult, ReadOnlyDict
from hotspotlib._map_docs import TILES


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
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_REPR = 150

# Classes that fail one check for a reason too large to fix here: name -> what is wrong.
KNOWN_FAILURES: dict[str, str] = {}


def _params() -> list[Any]:
    return [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[name]))
        if name in KNOWN_FAILURES
        else name
        for name in sorted(BUILDERS)
    ]


def test_every_result_class_is_covered() -> None:
    assert sorted(BUILDERS) == _results.RESULT_CLASSES
    assert len(BUILDERS) >= 41


def _check_repr(result: Any, name: str) -> None:
    text = repr(result)
    assert "\n" not in text, f"{name} repr spans lines: {text[:200]!r}"
    assert len(text) <= MAX_REPR, f"{name} repr is {len(text)} characters: {text[:200]!r}"
    assert text.startswith(f"{name}("), text


def _has_geometry(result: Any) -> bool:
    """Places with shapes: ``.explore()`` and a geometry (a patrol plan's table is plain),
    or a table with geometry."""
    if callable(getattr(type(result), "explore", None)):
        return getattr(result, "geometry", True) is not None
    return hasattr(result, "to_frame") and isinstance(result.to_frame(), gpd.GeoDataFrame)


def _check_html(result: Any, name: str) -> None:
    """The notebook display is the summary, with a small inline map when there is geometry."""
    open_before = set(plt.get_fignums())
    html = result._repr_html_()
    assert isinstance(html, str) and html.strip().startswith("<"), name
    if not hasattr(result, "summary") or type(result)._repr_html_ is not FrozenResult._repr_html_:
        return
    table = result.summary()._repr_html_()
    if not _has_geometry(result):
        assert html == table, name
        return
    assert table in html, name
    if _repr_map.n_shapes(result) > _repr_map.MAP_SHAPES_LIMIT:
        assert "<img" not in html and "map unavailable" in html, name
    else:
        assert html.count('<img src="data:image/png;base64,') == 1, f"{name} shows no map"
        assert "map unavailable" not in html, name
    assert set(plt.get_fignums()) <= open_before, f"{name}._repr_html_() left a figure open"


def _check_summary(result: Any, name: str) -> None:
    if not hasattr(result, "summary"):
        return
    summary = result.summary()
    assert isinstance(str(summary), str) and str(summary), name
    assert isinstance(summary._repr_html_(), str), name
    assert isinstance(summary.to_markdown(), str), name


def _geo_crs(result: Any) -> Any:
    """The CRS the result works in: its ``crs`` or that of a GeoDataFrame it holds."""
    crs = getattr(result, "crs", None)
    if crs is not None:
        return crs
    for name in type(result).__dataclass_fields__:
        value = getattr(result, name)
        if isinstance(value, gpd.GeoDataFrame) and value.crs is not None:
            return value.crs
        inner = getattr(value, "crs", None) if not isinstance(value, pd.DataFrame) else None
        if inner is not None:
            return inner
    return None


def _mutate(frame: pd.DataFrame) -> None:
    """Change ``frame`` in place: a value in a numeric column and a new column."""
    numeric = [
        i
        for i, dtype in enumerate(frame.dtypes)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ]
    if numeric and len(frame):
        frame.iloc[0, numeric[0]] = frame.iloc[0, numeric[0]] + 1
    frame["added_by_caller"] = 0


def _check_frame(result: Any, name: str) -> None:
    if not hasattr(result, "to_frame"):
        return
    first, second = result.to_frame(), result.to_frame()
    assert isinstance(first, pd.DataFrame), name
    assert first is not second, f"{name}.to_frame() returns the same object twice"
    expected = second.copy()
    _mutate(first)
    pd.testing.assert_frame_equal(result.to_frame(), expected, obj=f"{name}.to_frame()")
    geometry = second.geometry.name if isinstance(second, gpd.GeoDataFrame) else None
    bad = [c for c in second.columns if isinstance(c, str) and c != geometry and not SNAKE.match(c)]
    assert not bad, f"{name}.to_frame() columns not snake_case: {bad}"
    if isinstance(second, gpd.GeoDataFrame):
        assert second.crs is not None, f"{name}.to_frame() has no CRS"
        crs = _geo_crs(result)
        if crs is not None:
            assert second.crs == crs, f"{name}.to_frame() CRS {second.crs} != {crs}"


def _check_plot(result: Any, name: str) -> None:
    if not hasattr(result, "plot"):
        return
    try:
        ax = result.plot()
        assert isinstance(ax, Axes), f"{name}.plot() returned {type(ax).__name__}"
    finally:
        plt.close("all")


def _check_explore(result: Any, name: str) -> None:
    """Every result with geometry has ``.explore()``, giving a folium Map (no tiles fetched)
    on the house tiles by default.

    Without folium (the lowest-versions run installs only the test extra) the map itself
    is not drawn: the test is then reported skipped, after every other check has run.
    """
    if not _has_geometry(result):
        return
    assert hasattr(result, "explore"), f"{name} has geometry but no .explore()"
    if any(importlib.util.find_spec(module) is None for module in ("folium", "mapclassify")):
        pytest.skip(f"{name}: all checks passed but .explore() (needs folium and mapclassify)")
    import folium

    given = inspect.signature(result.explore).parameters.get("tiles")  # or passed on
    tiles = TILES if given is None else given.default
    assert tiles == TILES, f"{name}.explore() draws {tiles!r} by default, not the house tiles"
    layer = result.explore()  # the default tiles build without a warning (no key needed)
    assert isinstance(layer, folium.Map), f"{name}.explore() returned {type(layer).__name__}"
    html = layer.get_root().render()
    assert "GeoJson" in html or "geo_json" in html, f"{name}.explore() drew no layer"


def _check_mappings(result: Any, name: str) -> None:
    assert "summary" not in type(result).__dict__, f"{name} writes its own summary()"
    for field in ("parameters", "counts"):
        mapping = getattr(result, field)
        assert isinstance(mapping, Mapping), f"{name}.{field} is {type(mapping).__name__}"
        with pytest.raises(TypeError, match="read-only"):
            mapping["added_by_caller"] = 1  # type: ignore[index]
    notes = result.notes
    assert isinstance(notes, tuple), f"{name}.notes is {type(notes).__name__}"
    assert all(isinstance(note, str) for note in notes), f"{name}.notes"


@pytest.mark.parametrize("name", _params())
def test_result_contract(name: str) -> None:
    result = BUILDERS[name]()
    assert type(result) is _results.result_class(name)
    _check_all(result, name)


@pytest.mark.parametrize("label", sorted(_results.VARIANTS))
def test_result_contract_variants(label: str) -> None:
    name, build = _results.VARIANTS[label]
    result = build()
    assert type(result) is _results.result_class(name)
    _check_all(result, name)


def _check_all(result: Any, name: str) -> None:
    _check_repr(result, name)
    _check_html(result, name)
    _check_summary(result, name)
    _check_frame(result, name)
    _check_plot(result, name)
    _check_mappings(result, name)
    _check_explore(result, name)  # last: it skips without folium


def _changed_frame(frame: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """A copy differing in one value (a numeric cell), else in its last row, else a column."""
    changed = frame.copy()
    table = changed.to_frame() if isinstance(changed, pd.Series) else changed
    numeric = [
        i
        for i, dtype in enumerate(table.dtypes)
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    ]
    if numeric and len(table):
        value = table.iloc[0, numeric[0]]
        table.iloc[0, numeric[0]] = 0 if pd.isna(value) else value + 1
        return table.iloc[:, 0] if isinstance(changed, pd.Series) else table
    if len(changed):
        return changed.iloc[:-1]
    return changed.assign(added_by_caller=0) if isinstance(changed, pd.DataFrame) else changed


def _changed_array(array: np.ndarray) -> np.ndarray | None:
    """A copy differing in its first element (numbers, flags) or without its last row."""
    if array.size == 0:
        return None
    if array.dtype.kind in "biuf":
        changed = array.copy()
        first = changed.flat[0]
        changed.flat[0] = (
            (not first) if array.dtype.kind == "b" else (0 if first != first else first + 1)
        )
        return changed
    return array[:-1]


def _changed(value: Any) -> Any:
    """A value of the same kind that differs from ``value`` in one place (None: cannot)."""
    if value is None:
        return 0
    if isinstance(value, pd.DataFrame | pd.Series):
        return _changed_frame(value)
    if isinstance(value, pd.Index):
        return value[:-1] if len(value) else None
    if isinstance(value, np.ndarray):
        return _changed_array(value)
    if isinstance(value, bool | np.bool_):
        return not value
    if isinstance(value, int | float | np.number):
        return 0 if value != value else value + 1
    if isinstance(value, str):
        return value + "_"
    if isinstance(value, tuple):
        return (*value, "added_by_caller")
    if isinstance(value, Mapping):
        return ReadOnlyDict({**value, "added_by_caller": 1})
    if isinstance(value, pd.Timestamp):
        return value + pd.Timedelta(days=1)
    if isinstance(value, CRS):
        return CRS.from_epsg(4326 if value != CRS.from_epsg(4326) else 3857)
    if sparse.issparse(value) and value.nnz:
        changed = value.copy()
        changed.data[0] = 0 if changed.data[0] != changed.data[0] else changed.data[0] + 1
        return changed
    if dataclasses.is_dataclass(value):  # a nested result, or a description such as a basis
        for item in dataclasses.fields(value):
            new = _changed(getattr(value, item.name)) if item.compare else None
            if new is not None:
                return _with_field(value, item.name, new)
    return None


def _with_nan(value: Any) -> Any:
    """A copy of a float array, or of a table with a float column, with a NaN in it."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size:
        changed = value.copy()
        changed.flat[0] = np.nan
        return changed
    if isinstance(value, pd.DataFrame) and len(value):
        floats = [i for i, dtype in enumerate(value.dtypes) if pd.api.types.is_float_dtype(dtype)]
        if floats:
            changed = value.copy()
            changed.iloc[0, floats[0]] = np.nan
            return changed
    return None


def _with_field(result: Any, name: str, value: Any) -> Any:
    """A shallow copy of ``result`` with field ``name`` set to ``value``."""
    changed = copy.copy(result)
    object.__setattr__(changed, name, value)
    return changed


@pytest.mark.parametrize("name", _params())
def test_results_compare_by_value(name: str) -> None:
    """Equal to itself and to its copies; unequal to other types and when any field differs.

    Every field the class compares is changed in turn (a value in a table, an element of
    an array, an item added to a mapping or tuple), so no field escapes the comparison.
    """
    result = BUILDERS[name]()
    cls = type(result)
    assert cls.__eq__ is FrozenResult.__eq__, f"{name}: give its @dataclass eq=False"
    assert cls.__hash__ is None, f"{name} is hashable"
    with pytest.raises(TypeError, match="unhashable"):
        hash(result)
    assert result == result
    assert result == copy.deepcopy(result)
    assert result == copy.copy(result)
    assert result == pickle.loads(pickle.dumps(result))
    other = BUILDERS["GiniCoefficient" if name != "GiniCoefficient" else "GiStar"]()
    for different in (other, None, 1, "result", result.parameters):
        assert result != different and different != result, f"{name} == {different!r}"
    assert result.__eq__(1) is NotImplemented
    unchanged = []  # fields of a kind _changed cannot alter: teach it that kind
    for item in dataclasses.fields(result):
        value = getattr(result, item.name)
        new = _changed(value) if item.compare else None
        if new is None:
            unchanged += [item.name] if item.compare else []
            continue
        changed = _with_field(result, item.name, new)
        assert changed != result and result != changed, f"{name}.{item.name} not compared"
        assert changed == copy.deepcopy(changed), name
        with_nan = _with_nan(value)
        if with_nan is not None:  # two identical runs giving NaN compare equal
            changed = _with_field(result, item.name, with_nan)
            assert changed == pickle.loads(pickle.dumps(changed)), f"{name}.{item.name} NaN"
            assert changed == _with_field(result, item.name, _with_nan(value)), name
    assert not unchanged, f"{name}: fields left unchanged by the test: {unchanged}"


def test_html_map_never_fails_the_display(monkeypatch: pytest.MonkeyPatch) -> None:
    """A map that cannot be drawn leaves the table and one line saying why."""
    result = BUILDERS["GiStar"]()
    table = result.summary()._repr_html_()

    def broken(self: Any, ax: Any = None, **kwargs: Any) -> Any:
        raise RuntimeError("no colours left")

    monkeypatch.setattr(type(result), "plot", broken)
    html = result._repr_html_()
    assert table in html and "<img" not in html
    assert "map unavailable: RuntimeError: no colours left" in html
    monkeypatch.setitem(sys.modules, "matplotlib.backends.backend_agg", None)
    html = result._repr_html_()
    assert table in html and "map unavailable: matplotlib is not installed" in html


def test_html_map_skipped_above_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    result = BUILDERS["EventCounts"]()
    assert '<img src="data:image/png' in result._repr_html_()
    monkeypatch.setattr(_repr_map, "MAP_SHAPES_LIMIT", len(result.cells) - 1)
    html = result._repr_html_()
    assert "<img" not in html and f"map unavailable: {len(result.cells):,} shapes" in html
    assert result.summary()._repr_html_() in html


def test_a_grid_counts_its_cells_as_shapes_unless_drawn_as_an_image() -> None:
    import hotspotlib as hs

    city = hs.synthetic_city(n_events=1_000, rng=3)
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    counts = hs.count_events(city.events, grid)
    gi = hs.gi_star(grid, value=counts.count.astype(float), distance_m=600)
    assert _repr_map.n_shapes(counts) == _repr_map.n_shapes(gi) == grid.n_cells
    assert _repr_map.n_shapes(hs.kde(city.events, grid=grid, bandwidth_m=600)) == 0
    assert not grid._outlines  # counted without building an outline
