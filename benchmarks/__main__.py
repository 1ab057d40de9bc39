"""Run every ``benchmarks/bench_*.py`` (or those named on the command line).

``python -m benchmarks --quick`` runs only the headline rows (``benchmarks/_quick.py``).
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
        module.main()
    if not chosen:
        print(f"no benchmark matches {names}; have {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
