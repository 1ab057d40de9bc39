"""Import time of ``hotspotlib`` against the libraries it cannot start without.

Each figure is a fresh interpreter (``python -X importtime`` is not used: it slows
imports down). Ours imports hotspotlib; the floor imports what any hotspotlib session
needs anyway (numpy, pandas, geopandas, shapely, pyproj, scipy.stats, scipy.sparse,
scipy.ndimage, scipy.spatial). The difference is what hotspotlib itself costs; slow
optional libraries (statsmodels, libpysal, esda, matplotlib) must load only when used.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from benchmarks._timing import report

_FLOOR = (
    "import numpy, pandas, geopandas, shapely, pyproj, scipy.stats, scipy.sparse, "
    "scipy.ndimage, scipy.spatial"
)
_OURS = "import hotspotlib"
_LAZY = ("statsmodels", "libpysal", "esda", "matplotlib", "sklearn", "numba")


def _seconds(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def main(repeat: int = 5) -> None:
    ours, floor = [], []
    for _ in range(repeat):  # interleaved, so both see the same machine
        ours.append(_seconds(_OURS))
        floor.append(_seconds(_FLOOR))
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import sys, hotspotlib; print([m for m in {_LAZY!r} if m in sys.modules])",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    overhead = min(ours) - min(floor)
    report(
        "import time (fresh interpreter, seconds; target: hotspotlib adds < 0.8 s)",
        [
            {"what": "import hotspotlib", "min": min(ours), "median": statistics.median(ours)},
            {
                "what": "its required libraries",
                "min": min(floor),
                "median": statistics.median(floor),
            },
            {"what": "hotspotlib's own cost", "min": overhead, "median": float("nan")},
        ],
    )
    print(f"slow optional libraries loaded by `import hotspotlib`: {loaded}")
    print("target met" if overhead < 0.8 and loaded == "[]" else "TARGET MISSED")


if __name__ == "__main__":
    main()
