"""Gi* and local Moran's I on regular grids: hotspotlib against esda.

Gi* against ``G_Local`` (analytic and with permutations); local Moran's I against
``Moran_Local(permutations=0)`` (analytic, same weights).
"""

from __future__ import annotations

import copy
import time
import tracemalloc
import warnings
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from scipy import ndimage, sparse

import hotspotlib as hs
from benchmarks._timing import interleaved_min_seconds, median_seconds, report
from hotspotlib.hotspots.grid.cells import grid_on_lattice
from hotspotlib.hotspots.grid.lattice import _correlate
from hotspotlib.hotspots.weights import band_offsets, build_weights


def _grid_case(side: int, rng: np.random.Generator) -> tuple[hs.Grid, np.ndarray]:
    area = gpd.GeoSeries([shapely.box(0, 0, 100.0 * side, 100.0 * side)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100, max_cells=2_000_000)
    centres = grid.centroids()
    bump = np.exp(-np.sum((centres - 50.0 * side) ** 2, axis=1) / (2 * (10.0 * side) ** 2))
    values = rng.poisson(1.0 + 4.0 * bump).astype(float)
    return grid, values


def _esda_weights(grid: hs.Grid) -> Any:
    from libpysal.weights import WSP

    spatial = build_weights(
        "distance_band",
        n=grid.n_cells,
        index=grid.cells.index,
        centroids=grid.centroids,
        geometry=None,
        grid=grid,
        distance_m=150.0,
        k=None,
        star=False,
    )
    return WSP(spatial.matrix.tocsr()).to_W(silence_warnings=True)


def _esda(values: np.ndarray, w: Any, permutations: int) -> Any:
    import esda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            values,
            copy.deepcopy(w),
            transform="B",
            star=True,
            permutations=permutations,
            keep_simulations=False,
            n_jobs=1,
            seed=1,
        )


def _esda_moran(values: np.ndarray, w: Any) -> Any:
    import esda

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.Moran_Local(values, w, transformation="r", permutations=0)


def local_moran_rows(grid: hs.Grid, values: np.ndarray, w: Any) -> list[dict[str, Any]]:
    """Analytic local Moran's I, row-standardised weights, min of 5 interleaved rounds.

    esda modifies the W it is given (its transform), so every esda call gets a fresh
    copy, made outside the timed region. hotspotlib is timed twice: given the same
    weights as a sparse matrix, and building them from the grid itself.
    """
    matrix = sparse.csr_array(w.sparse)
    times, results = interleaved_min_seconds(
        {
            "given": lambda _: hs.local_moran(
                grid, value=values, spatial_weights=matrix, n_permutations=0
            ),
            "built": lambda _: hs.local_moran(grid, value=values, distance_m=150, n_permutations=0),
            "esda": lambda fresh: _esda_moran(values, fresh),
        },
        repeat=5,
        setup=lambda: copy.deepcopy(w),
    )
    peer = results["esda"]
    n = values.size
    shrink = (n - 1) / n
    peer_z = (peer.Is / shrink - peer.EI) / np.sqrt(peer.VI)
    rows = []
    for name, label in (("given", "same sparse weights"), ("built", "weights built here")):
        mine = results[name]
        rows.append(
            {
                "case": f"analytic, {n:,} cells, {label}",
                "hotspotlib_s": times[name],
                "esda_s": times["esda"],
                "speed-up": times["esda"] / times[name],
                "max |I diff|": float(np.max(np.abs(mine.local_i - peer.Is))),
                "max |z diff|": float(np.max(np.abs(mine.z_score - peer_z))),
                "q differ": int(np.sum(mine.quadrant != peer.q)),
            }
        )
    return rows


def _once(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    grid40, values40 = _grid_case(200, rng)
    ours = median_seconds(lambda: hs.gi_star(grid40, value=values40, distance_m=150), repeat=5)
    w40 = _esda_weights(grid40)
    peer_s, peer = _once(lambda: _esda(values40, w40, 0))
    mine = hs.gi_star(grid40, value=values40, distance_m=150)
    rows.append(
        {
            "case": "analytic z, 40,000 cells",
            "hotspotlib_s": ours,
            "esda_s": peer_s,
            "speed-up": peer_s / ours,
            "max |z diff|": float(np.nanmax(np.abs(mine.z_score - peer.Zs))),
            "target": "-",
        }
    )
    report(
        "local Moran's I (distance band 150 m, row-standardised) vs esda Moran_Local",
        local_moran_rows(grid40, values40, w40),
    )
    grid1m, values1m = _grid_case(1_000, rng)
    ours_1m = median_seconds(lambda: hs.gi_star(grid1m, value=values1m, distance_m=150), repeat=3)
    rows.append(
        {
            "case": "analytic z, 1,000,000 cells",
            "hotspotlib_s": ours_1m,
            "esda_s": float("nan"),
            "speed-up": float("nan"),
            "max |z diff|": float("nan"),
            "target": "<= 0.5 s on 2 cores",
        }
    )
    ours_perm, mine_perm = _once(
        lambda: hs.gi_star(grid40, value=values40, distance_m=150, n_permutations=999, rng=1)
    )
    peer_perm_s, peer_perm = _once(lambda: _esda(values40, w40, 999))
    agree = np.corrcoef(mine_perm.p_value, 2 * np.minimum(peer_perm.p_sim, 0.5))[0, 1]
    rows.append(
        {
            "case": "999 permutations, 40,000 cells",
            "hotspotlib_s": ours_perm,
            "esda_s": peer_perm_s,
            "speed-up": peer_perm_s / ours_perm,
            "max |z diff|": f"corr(p) {agree:.3f}",
            "target": ">= 5x esda",
        }
    )
    report("Gi* (distance band 150 m on 100 m cells, self included) vs esda G_Local", rows)
    report("Gi* analytic at scale (min of 3 repeats; memory: tracemalloc peak)", scale_rows())


def _traced_peak(fn: Any) -> tuple[Any, int]:
    tracemalloc.start()
    result = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, peak


def scale_rows(sides: tuple[int, ...] = (1_000, 2_000, 4_000)) -> list[dict[str, Any]]:
    """Gi* analytic on whole square lattices up to 16M cells, and the wide-stencil engine.

    The first call on a grid is timed apart (it builds no outline, but faults in fresh
    memory for its results). Then the minimum of 3 interleaved repeats of ``gi_star`` on counts
    (Poisson, mean 2: whole numbers, scored per distinct pair of sums) and on rates (the
    counts over a uniform 0.5-2 denominator: every cell scored on its own), and the
    tracemalloc peak of the counts call (the result's own arrays included), per cell.
    """
    rng = np.random.default_rng(1)
    cases = [(side, 150.0) for side in sides] + [(sides[0], 1_000.0)]
    return [_scale_row(side, band, rng) for side, band in cases]


def _scale_row(side: int, band: float, rng: np.random.Generator) -> dict[str, Any]:
    grid = grid_on_lattice(
        cell_shape="square",
        cell_size_m=100.0,
        origin=(50.0, 50.0),
        lattice_shape=(side, side),
        crs=27700,
    )
    values = rng.poisson(2.0, grid.n_cells).astype(float)
    rates = values / rng.uniform(0.5, 2.0, grid.n_cells)
    start = time.perf_counter()
    hs.gi_star(grid, value=values, distance_m=band)
    first = time.perf_counter() - start
    times, _ = interleaved_min_seconds(
        {
            "counts": lambda: hs.gi_star(grid, value=values, distance_m=band),
            "rates": lambda: hs.gi_star(grid, value=rates, distance_m=band),
        },
        repeat=3,
    )
    _, peak = _traced_peak(lambda: hs.gi_star(grid, value=values, distance_m=band))
    row = {
        "case": f"{grid.n_cells:,} cells, band {band:g} m",
        "gi_star_s": times["counts"],
        "rates_s": times["rates"],
        "first_call_s": first,
        "peak_B/cell": peak / grid.n_cells,
        "stencil engine": "ndimage 3x3",
        "engine_s / ndimage_s": float("nan"),
        "max |diff|": float("nan"),
    }
    if band > 150.0:
        raster = values.reshape(side, side)
        stencil = band_offsets(100.0, band)
        engines, found = interleaved_min_seconds(
            {
                "runs": lambda: _correlate(raster, stencil),
                "ndimage": lambda: ndimage.correlate(raster, stencil, mode="constant"),
            },
            repeat=3,
        )
        row["stencil engine"] = f"row runs {stencil.shape[0]}x{stencil.shape[1]}"
        row["engine_s / ndimage_s"] = f"{engines['runs']:.3g} / {engines['ndimage']:.3g}"
        row["max |diff|"] = float(np.abs(found["runs"] - found["ndimage"]).max())
    return row


if __name__ == "__main__":
    main()
