"""Every public function and class documents related names (See Also) and its sources.

numpydoc parses each docstring; the See Also and References sections must be
non-empty, and every See Also target must be a public name of hotspotlib.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest

pytest.importorskip("numpydoc", reason="the docstring checks need numpydoc (the docs extra)")
from numpydoc.docscrape import NumpyDocString  # noqa: E402

import hotspotlib as hs

PUBLIC = sorted(
    name
    for name in hs.__all__
    if inspect.isfunction(getattr(hs, name)) or inspect.isclass(getattr(hs, name))
)


def _sections(name: str) -> NumpyDocString:
    return NumpyDocString(inspect.getdoc(getattr(hs, name)) or "")


def _resolve(target: str) -> Any:
    """The public object a See Also target names (``gi_star``, ``hotspotlib.gi_star``)."""
    parts = target.removeprefix("hotspotlib.").split(".")
    if parts[0] not in hs.__all__:
        raise LookupError(f"{target!r} is not in hotspotlib.__all__")
    obj: Any = getattr(hs, parts[0])
    for part in parts[1:]:
        obj = getattr(obj, part)
    return obj


def test_every_public_callable_is_checked() -> None:
    assert len(PUBLIC) > 100  # the flat namespace, not an empty selection


@pytest.mark.parametrize("name", PUBLIC)
def test_see_also_names_public_objects(name: str) -> None:
    entries = _sections(name)["See Also"]
    assert entries, f"{name}: no See Also section"
    targets = [target for group, _ in entries for target, _role in group]
    assert 1 <= len(targets) <= 6, f"{name}: See Also lists {len(targets)} names"
    for target in targets:
        assert target != name, f"{name}: See Also names the object itself"
        _resolve(target)


@pytest.mark.parametrize("name", PUBLIC)
def test_references_are_given(name: str) -> None:
    references = "\n".join(_sections(name)["References"]).strip()
    assert references, f"{name}: no References section"
    assert any(year in references for year in map(str, range(1850, 2031))) or (
        "https://" in references
    ), f"{name}: References give neither a year nor a stable link"
