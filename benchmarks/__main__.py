"""Run every ``benchmarks/bench_*.py`` (or those named on the command line).

``python -m benchmarks --quick`` runs only the headline rows (``benchmarks/_quick.py``).
A module that sets ``ONLY_WHEN_NAMED = True`` (a long one) runs only when named.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def main(names: list[str]) -> int:
    if "--quick" in names:
        from benchmarks import _quick

        _quick.main()
        return 0
    found = sorted(
        m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.startswith("bench_")
    )
    chosen = [n for n in found if not names or any(part in n for part in names)]
    for name in chosen:
        module = importlib.import_module(f"benchmarks.{name}")
        if not names and getattr(module, "ONLY_WHEN_NAMED", False):
            print(f"\n{name}: skipped (long; run it by name: python -m benchmarks {name[6:]})")
            continue
        module.main()
    if not chosen:
        print(f"no benchmark matches {names}; have {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
