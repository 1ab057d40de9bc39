"""The map options shared by every ``.plot()`` and ``.explore()`` are written into their docstrings.

A docstring names a shared entry (``{map_classes}``) on a line of its own; the result class
fills it in when it is made (hotspotlib/_map_docs.py). Every documented parameter list
matches the method's signature, name for name and in order.
"""

from __future__ import annotations

import inspect
import re

import pytest

pytest.importorskip("numpydoc", reason="the docstring checks need numpydoc (the docs extra)")
from numpydoc.docscrape import NumpyDocString  # noqa: E402

import hotspotlib as hs  # noqa: E402
from hotspotlib._frozen import FrozenResult  # noqa: E402
from hotspotlib._map_docs import ENTRIES, fill_map_docs  # noqa: E402

METHODS = sorted(
    (name, method)
    for name in hs.__all__
    if inspect.isclass(cls := getattr(hs, name)) and issubclass(cls, FrozenResult)
    for method in ("plot", "explore")
    if method in cls.__dict__
)


def test_the_map_methods_are_all_checked() -> None:
    names = {name for name, _ in METHODS}
    assert {"EventCounts", "GiStar", "DensitySurface", "PatrolPlan", "SegmentCounts"} <= names


@pytest.mark.parametrize(("name", "method"), METHODS)
def test_shared_entries_are_filled_and_match_the_signature(name: str, method: str) -> None:
    function = getattr(getattr(hs, name), method)
    doc = inspect.getdoc(function) or ""
    left = re.findall(r"^\s*\{(\w+)\}\s*$", doc, flags=re.MULTILINE)
    assert not left, f"{name}.{method}: entries not filled in: {left}"
    documented = [entry.name for entry in NumpyDocString(doc)["Parameters"]]
    if not documented:
        return
    signature = [
        f"**{p.name}" if p.kind is p.VAR_KEYWORD else p.name
        for p in inspect.signature(function).parameters.values()
        if p.name != "self"
    ]
    assert documented == signature, f"{name}.{method}: documents {documented}, takes {signature}"


def test_an_entry_takes_the_indentation_of_its_line() -> None:
    indent = " " * 8
    lines = ["Map.", "", "Parameters", "----------", "{map_furniture}", "x : int"]
    doc = "\n".join([lines[0], *(indent + line if line else "" for line in lines[1:])])
    lines = fill_map_docs(doc).splitlines()
    assert lines[4] == "        basemap : bool"
    assert lines[5].startswith("            Draw web map tiles")
    assert lines[-1] == "        x : int"
    assert fill_map_docs("see {map_furniture} here") == "see {map_furniture} here"  # not alone
    assert set(ENTRIES) >= {"map_classes", "map_furniture", "explore_tiles"}
