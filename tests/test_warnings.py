"""Every warning the library gives is a HotspotlibWarning, so users can filter by class."""

from __future__ import annotations

import ast
from pathlib import Path

import hotspotlib as hs

PACKAGE = Path(hs.__file__).parent


def _warn_calls() -> list[tuple[str, int, str]]:
    """(file, line, category) of every ``warnings.warn`` call in the package."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr != "warn" or not isinstance(node.func.value, ast.Name):
                continue
            if node.func.value.id != "warnings":
                continue
            given = [k.value for k in node.keywords if k.arg == "category"]
            category = node.args[1] if len(node.args) > 1 else (given[0] if given else None)
            name = ast.unparse(category) if category is not None else "UserWarning (default)"
            found.append((str(path.relative_to(PACKAGE)), node.lineno, name))
    return found


def test_every_warning_is_a_hotspotlib_warning() -> None:
    calls = _warn_calls()
    assert len(calls) >= 10  # the scan finds the package's warnings
    others = [call for call in calls if call[2] != "HotspotlibWarning"]
    assert not others, f"warnings of another class: {others}"


def test_the_class_is_a_user_warning_exported_at_the_top() -> None:
    assert issubclass(hs.HotspotlibWarning, UserWarning)
    assert "HotspotlibWarning" in hs.__all__
