"""Analytic Gi* on a tiled lattice: map_overlap with a halo as wide as the distance band."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import (
    check_option,
    require_positive,
    require_probability,
    require_type,
)
from hotspotlib.hotspots.grid.cells import grid_on_lattice
from hotspotlib.hotspots.grid.lattice import lattice_sums
from hotspotlib.hotspots.inference import confidence_bins, normal_p
from hotspotlib.hotspots.weights import band_offsets
from hotspotlib.scale._fdr import fdr_table, lookup_q
from hotspotlib.scale._lattice import Lattice
from hotspotlib.scale._tiles import as_lattice_array, need_dask

__all__ = ["gi_star", "global_moments", "tile_sums"]

TiledWeights = Literal["distance_band", "kernel"]


def gi_star(
    counts: Any,
    *,
    distance_m: float,
    spatial_weights: TiledWeights = "distance_band",
    fdr: bool = True,
    alpha: float = 0.05,
) -> Any:
    """Analytic Getis-Ord Gi* on a tiled lattice, equal to :func:`hotspotlib.gi_star`.

    The neighbourhood sums of each tile are computed with the in-memory stencil engine
    (row-run prefix sums for a band, FFT for a kernel) on the tile plus a halo of the
    band radius (``dask.array.map_overlap``); cells off the lattice are absent, as on
    an unclipped :class:`~hotspotlib.Grid`. The mean and standard deviation of all
    cells are computed first (two passes over the tiles), and the Benjamini-Hochberg
    q-values are exact and global (see Notes).

    Parameters
    ----------
    counts : xarray.DataArray
        ``(y, x)`` values on a lattice, e.g. from :func:`hotspotlib.scale.count_events`
        (numpy- or dask-backed; ``x``/``y`` cell-centre coordinates and a ``crs_wkt``
        attribute). Its chunks are the tiles; no NaN.
    distance_m : float
        Band radius (inclusive, between cell centres) or kernel radius, in metres.
    spatial_weights : {"distance_band", "kernel"}
        Binary distance band or quartic kernel ``(1 - (d/R)^2)^2``, as in
        :func:`hotspotlib.gi_star`; the cell itself has weight 1 (Gi*).
    fdr : bool
        Bins from Benjamini-Hochberg q-values (True) or raw p-values (False).
    alpha : float
        Level recorded in the attributes for reading ``q_value``.

    Returns
    -------
    xarray.Dataset
        Dask-backed ``z_score``, two-sided ``p_value``, ``q_value`` (float64) and
        ArcGIS ``bin`` (int8) on the lattice; ``attrs`` hold the parameters and counts
        (``n_cells``, ``n_tests``, ``mean``, ``std``, ``n_distinct_p``).

    Raises
    ------
    ValueError
        For NaN values, constant values, fewer than 3 cells, a radius under one cell,
        a non-positive radius or unknown options.

    Notes
    -----
    Where the work is not parallel: the global mean and standard deviation are two
    reductions over every tile (each parallel, then a scalar sum); the FDR needs every
    p-value, so each tile reduces its p-values to distinct values with counts, the
    tables are merged in a tree and one running minimum over the distinct values runs
    on one worker (time and memory grow with the number of distinct p-values, at most
    the number of cells); then each tile looks its q-values up. Calling this function
    runs that pass; the returned arrays are computed when written or loaded.

    See Also
    --------
    hotspotlib.gi_star : the in-memory statistic (any weights, permutations).
    hotspotlib.scale.count_events : tiled counts to feed it.

    References
    ----------
    Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics.
    Geographical Analysis 27(4), 286-306. https://doi.org/10.1111/j.1538-4632.1995.tb00912.x

    Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate.
    JRSS B 57(1), 289-300. https://doi.org/10.1111/j.2517-6161.1995.tb02031.x

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from hotspotlib import scale
    >>> lattice = scale.Lattice(origin_x=50, origin_y=50, cell_size_m=100, n_rows=20,
    ...                         n_cols=20, crs=27700)
    >>> rng = np.random.default_rng(0)
    >>> xy = np.clip(rng.normal(1000, 300, (2000, 2)), 0, 1999)
    >>> events = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
    >>> counts = scale.count_events(events, lattice, tile=8)
    >>> result = scale.gi_star(counts, distance_m=150)
    >>> int(result["bin"].max()), result["z_score"].dims
    (3, ('y', 'x'))
    """
    need_dask("scale.gi_star")
    import dask
    import dask.array as da
    import xarray as xr

    check_option(spatial_weights, TiledWeights, name="spatial_weights")
    require_type(fdr, (bool, np.bool_), name="fdr", expected="True (Benjamini-Hochberg) or False")
    level = require_probability(alpha, name="alpha")
    array, lattice = as_lattice_array(counts, name="counts")
    band = require_positive(distance_m, name="distance_m")
    stencil = _stencil(lattice, band, kernel=spatial_weights == "kernel")
    values = _as_dask(array.data, da)
    mean, spread, n = global_moments(values, name="counts")
    z = tile_sums(values, stencil, mean=mean, spread=spread, n=n)
    p = z.map_blocks(normal_p, dtype=float)
    table_values, table_q, n_tests = fdr_table(p)
    table = dask.delayed((table_values, table_q), pure=True)
    q = p.map_blocks(_lookup, table=table, dtype=float)
    bins = da.map_blocks(confidence_bins, z, q if fdr else p, dtype=np.int8)
    coords = {"y": array["y"].values, "x": array["x"].values}
    dims = ("y", "x")
    crs = {"crs_wkt": array.attrs["crs_wkt"]}  # on every variable, for the writers
    attrs = {
        "statistic": "Gi*",
        "spatial_weights": (
            f"quartic kernel, R = {band:g} m between cell centres (self included)"
            if spatial_weights == "kernel"
            else f"binary distance band d <= {band:g} m between cell centres (self included)"
        ),
        "distance_m": band,
        "halo_cells": int(max(stencil.shape) // 2),  # rows and columns: capped at the lattice
        "p_value": "analytic (normal), two-sided",
        "fdr": bool(fdr),
        "bins_from": "Benjamini-Hochberg q-values (global, exact)" if fdr else "raw p-values",
        "alpha": level,
        "n_cells": n,
        "n_tests": n_tests,
        "n_distinct_p": len(table_values),
        "mean": mean,
        "std": spread,
        "crs_wkt": array.attrs["crs_wkt"],
    }
    return xr.Dataset(
        {
            "z_score": (dims, z, crs),
            "p_value": (dims, p, crs),
            "q_value": (dims, q, crs),
            "bin": (dims, bins, crs),
        },
        coords=coords,
        attrs=attrs,
    )


def _lookup(block: NDArray[np.float64], *, table: Any) -> NDArray[np.float64]:
    return lookup_q(block, table[0], table[1])


def _as_dask(data: Any, da: Any) -> Any:
    if isinstance(data, da.Array):
        return data.astype(float)
    return da.from_array(np.asarray(data, dtype=float), chunks=1024)


def _stencil(lattice: Lattice, band: float, *, kernel: bool) -> NDArray[np.float64]:
    # capped at the lattice: farther offsets meet only cells off it (zeros in the sums)
    stencil = band_offsets(lattice.cell_size_m, band, kernel=kernel, extent=lattice.shape)
    if not (stencil.sum() > 1):
        raise ValueError(
            f"`distance_m` = {band:g} m reaches no neighbouring cell centre on a lattice of "
            f"{lattice.cell_size_m:g} m cells, so every cell would be an island. Use "
            f"`distance_m` >= {lattice.cell_size_m:g} (one cell)."
        )
    stencil = stencil.copy()
    stencil[stencil.shape[0] // 2, stencil.shape[1] // 2] = 1.0  # Gi*: the cell itself
    return stencil


def global_moments(values: Any, *, name: str) -> tuple[float, float, int]:
    """Mean, population standard deviation and size of all cells (two passes, no NaN)."""
    import dask
    import dask.array as da

    n = int(values.size)
    total, n_nan = dask.compute(values.sum(), da.isnan(values).sum())
    if n_nan:
        raise ValueError(
            f"`{name}` holds {int(n_nan):,} NaN values; Gi* needs a value in every cell "
            "(fill empty cells with 0: `counts.fillna(0)`)."
        )
    if n < 3:
        raise ValueError(f"`{name}` has {n} cells; Gi* needs at least 3.")
    mean = float(total) / n
    (ss,) = dask.compute(((values - mean) ** 2).sum())
    spread = float(np.sqrt(float(ss) / n))
    if not spread > 1e-12 * max(abs(mean), 1e-300):
        raise ValueError(
            f"`{name}` has the same value ({mean:g}) in every cell; Gi* has nothing to "
            "compare. Check the counts and the lattice."
        )
    return mean, spread, n


def tile_sums(
    values: Any, stencil: NDArray[np.float64], *, mean: float, spread: float, n: int
) -> Any:
    """Gi* z-scores tile by tile (halo = stencil radius; zero and absent off the lattice)."""
    import dask.array as da

    present = da.ones(values.shape, chunks=values.chunks, dtype=float)
    return da.map_overlap(
        _z_block,
        values,
        present,
        depth={0: stencil.shape[0] // 2, 1: stencil.shape[1] // 2},
        boundary=0.0,
        dtype=float,
        stencil=stencil,
        mean=mean,
        spread=spread,
        n=n,
        allow_rechunk=True,
    )


def _z_block(
    block: NDArray[np.float64],
    present: NDArray[np.float64],
    *,
    stencil: NDArray[np.float64],
    mean: float,
    spread: float,
    n: int,
) -> NDArray[np.float64]:
    keep = present > 0
    whole = bool(keep.all())
    grid = grid_on_lattice(
        cell_shape="square",
        cell_size_m=1.0,
        origin=(0.0, 0.0),
        lattice_shape=block.shape,
        crs=None,
        keep=None if whole else keep,
    )
    sums = lattice_sums(grid, block.ravel() if whole else block[keep], stencil)
    count = float(n)
    weight_sum, weight_sq_sum = sums.weight_sum, sums.weight_sq_sum
    variance_factor = (count * weight_sq_sum - weight_sum**2) / (count - 1.0)
    undefined = (sums.n_neighbours == 0) | (
        variance_factor <= 1e-12 * count * np.maximum(weight_sq_sum, 1e-300)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (sums.lag - mean * weight_sum) / (spread * np.sqrt(variance_factor))
    z[undefined] = np.nan
    out = np.full(block.shape, np.nan)
    if whole:
        out.ravel()[:] = z
    else:
        out[keep] = z
    return out
