"""The end-to-end demo behind ``python -m hotspotlib demo``.

Each step is a small function writing its files into the output folder; ``log`` receives
one progress line per step (the command line sends it to standard error).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import hotspotlib as hs

__all__ = ["run_demo"]


def run_demo(out: Path, *, seed: int = 2024, log: Callable[[str], None] = lambda _: None) -> Path:
    """Run the workflow on the synthetic city and write the report into ``out``.

    Parameters
    ----------
    out : pathlib.Path
        Output folder (created if missing).
    seed : int
        Random seed for the synthetic city.
    log : callable
        Receives one progress line per step.

    Returns
    -------
    pathlib.Path
        The path of the text summary.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = run_demo(pathlib.Path(tempfile.mkdtemp()), seed=1)
    >>> path.name
    'summary.txt'
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    sections: list[str] = []

    log("[1] simulating the synthetic city ...")
    city = hs.synthetic_city(rng=seed)
    sections.append(str(city.summary()))

    log("[2] counting harm per 150 m cell ...")
    grid = hs.make_grid(city.boundary, cell_size_m=150)
    counts = hs.count_events(city.events, grid, weights="harm")
    top = counts.top(20)
    top.to_file(out / "top20_harm_cells.geojson", driver="GeoJSON")
    top.drop(columns="geometry").to_csv(out / "top20_harm_cells.csv")
    sections.append(str(counts.summary()))
    fig, ax = plt.subplots(figsize=(7, 6))
    counts.plot(ax, column="weight_sum", legend_kwds={"label": "harm (CCHI days)"})
    city.hotspots.boundary.plot(ax=ax, color="blue", linewidth=0.8)
    ax.set_title("Harm per 150 m cell (planted hot spots in blue)")
    fig.savefig(out / "harm_map.png", dpi=120, bbox_inches="tight")
    plt.close(fig)

    summary = out / "summary.txt"
    summary.write_text("\n\n".join(sections) + "\n", encoding="utf-8")
    log(f"done in {time.perf_counter() - started:.1f} s: report in {out}")
    return summary
