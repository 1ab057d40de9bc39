"""Doctests that need an optional package are left out when it is not installed.

The suite also runs at the lowest declared versions with only the ``test`` extra
installed (no dask, xarray, pyarrow, rasterio, folium or mapclassify). The examples
of the out-of-core functions (``hotspotlib/scale``) are not collected without their
packages, and an example that calls ``.explore()`` or draws a classed map is skipped,
with the reason, without folium or mapclassify.
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest


def _missing(*modules: str) -> list[str]:
    missing = []
    for module in modules:
        try:
            found = importlib.util.find_spec(module) is not None
        except ModuleNotFoundError:  # a dotted name whose parent is absent
            found = False
        if not found:
            missing.append(module)
    return missing


_TILES = ("dask", "dask.array", "xarray")
# module of hotspotlib/scale -> the optional packages its examples import or run
_SCALE_NEEDS: dict[str, tuple[str, ...]] = {
    "_archive.py": ("pyarrow", "dask", "dask.dataframe", "dask_geopandas"),
    "_counts.py": _TILES,
    "_emerging.py": _TILES,
    "_gi.py": _TILES,
    "_kde.py": _TILES,
    "_writers.py": (*_TILES, "rasterio"),
}

collect_ignore_glob = [
    f"hotspotlib/scale/{module}" for module, needs in _SCALE_NEEDS.items() if _missing(*needs)
]

# text in an example -> the optional package it needs
_EXAMPLE_NEEDS: tuple[tuple[str, str], ...] = (
    (".explore(", "folium"),
    (".explore(", "mapclassify"),
    (".plot(scheme=", "mapclassify"),
    ("classify(", "mapclassify"),
)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Skip each example that uses an optional package which is not installed."""
    for item in items:
        examples = getattr(getattr(item, "dtest", None), "examples", None)
        if not examples:
            continue
        source = "".join(example.source for example in examples)
        missing = sorted(
            {package for text, package in _EXAMPLE_NEEDS if text in source and _missing(package)}
        )
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"example needs {', '.join(missing)}"))
