"""`import hotspotlib` stays light: slow optional libraries load only when used."""

from __future__ import annotations

import subprocess
import sys

SLOW = ("statsmodels", "libpysal", "esda", "matplotlib", "sklearn", "numba", "tqdm")


def test_import_loads_no_slow_optional_library() -> None:
    code = f"import sys, hotspotlib; print([m for m in {SLOW!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
