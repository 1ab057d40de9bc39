"""One table of bad inputs across the public API.

Each row calls a public function with one bad input and states what must happen: an
exception of a given type whose message names the argument (and usually the fix), or a
warning that says what was dropped and how many. The rows live in
``tests/bad_inputs/cases_*.py`` (one file per area); each file defines ``CASES``, a
list of :class:`Case`, and may use the small fixtures in ``fx``.
"""

from __future__ import annotations

import inspect
import runpy
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest

import hotspotlib as hs


@dataclass(frozen=True)
class Case:
    """One bad input: ``call`` must raise ``raises`` (or warn ``warns``) matching ``match``."""

    function: str
    what: str
    call: Callable[[], Any]
    match: str
    raises: type[BaseException] | tuple[type[BaseException], ...] | None = ValueError
    warns: type[Warning] | None = None
    needs: tuple[str, ...] = ()  # optional packages the call needs before it checks

    @property
    def id(self) -> str:
        return f"{self.function}: {self.what}"


class Fixtures:
    """Small inputs shared by the case files, built once on first use."""

    @cached_property
    def city(self) -> hs.SyntheticCity:
        return hs.synthetic_city(n_events=2_000, days=60, rng=7)

    @cached_property
    def grid(self) -> hs.Grid:
        return hs.make_grid(self.city.boundary, cell_size_m=250)

    @cached_property
    def counts(self) -> hs.EventCounts:
        return hs.count_events(self.city.events, self.grid)


fx = Fixtures()


def _load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted((Path(__file__).parent / "bad_inputs").glob("cases_*.py")):
        namespace = runpy.run_path(str(path), init_globals={"Case": Case, "fx": fx, "hs": hs})
        cases.extend(namespace["CASES"])
    return cases


CASES = _load_cases()


def test_the_table_is_large_and_ids_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) >= 150, f"only {len(ids)} bad inputs in the table"
    assert len(ids) == len(set(ids)), "two cases share a function and description"
    covered = {case.function for case in CASES}
    takes_arguments = [
        name
        for name in hs.__all__
        if inspect.isfunction(getattr(hs, name)) and inspect.signature(getattr(hs, name)).parameters
    ]
    assert not set(takes_arguments) - covered, "public functions with no bad input in the table"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input(case: Case) -> None:
    for module in case.needs:
        pytest.importorskip(module)
    if case.warns is not None:
        with pytest.warns(case.warns, match=case.match):
            case.call()
        return
    assert case.raises is not None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an error, not a warning followed by an answer
        with pytest.raises(case.raises, match=case.match):
            case.call()
