"""Doctests compare numbers exactly.

pytest's NUMBER option compares a float only to the precision written in the example,
within one unit of its last digit, so an example showing 0.2 passed when the code gave
0.1; it hid two wrong examples.
"""

from __future__ import annotations

import re
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_doctests_do_not_round_numbers() -> None:
    # Python 3.10 has no tomllib: read the one line
    (line,) = re.findall(r"^doctest_optionflags\s*=.*$", PYPROJECT.read_text(), re.MULTILINE)
    assert "ELLIPSIS" in line
    assert "NUMBER" not in line
