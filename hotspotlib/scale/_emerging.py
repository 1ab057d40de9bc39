"""Emerging hot-spot analysis on an xarray space-time cube chunked in space."""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import ndimage

from hotspotlib._options import TimeNeighbours
from hotspotlib._validation import (
    check_option,
    require_positive,
    require_probability,
    require_type,
    require_whole,
)
from hotspotlib.hotspots.getis_ord.patterns import PATTERNS, classify_patterns, mann_kendall
from hotspotlib.hotspots.inference import normal_p
from hotspotlib.hotspots.weights import band_offsets
from hotspotlib.scale._fdr import fdr_table, lookup_q
from hotspotlib.scale._tiles import as_lattice_array, need_dask

__all__ = ["emerging_hotspots"]

MIN_STEPS = 4
_PATTERN_DTYPE = "<U32"
_SUMMARY = ("n_hot", "n_cold", "trend_z", "trend_p", "trend_tau", "pattern")
_SORTED_NAMES = np.array(sorted(PATTERNS))


def emerging_hotspots(
    cube: Any,
    *,
    distance_m: float,
    time_window: int = 1,
    time_neighbours: TimeNeighbours = "both",
    locations: Any = None,
    alpha: float = 0.05,
    fdr: bool = True,
) -> Any:
    """Emerging hot-spot analysis of a space-time cube, tile by tile in space.

    The same steps 3 to 5 as :func:`hotspotlib.emerging_hotspots` (Gi* per bin with
    space-time neighbours, Benjamini-Hochberg over every bin of the cube, Mann-Kendall
    trend of each location's z-scores, the pattern rule table) on a cube that need not
    fit in memory: each spatial tile (all time steps) is read with a halo of the band
    radius.

    Parameters
    ----------
    cube : xarray.DataArray
        ``(time, y, x)`` counts per period and cell (``x``/``y`` cell centres ascending,
        a ``crs_wkt`` attribute), chunked in space; the time axis is one chunk (it is
        rechunked so if not). Build it by stacking monthly
        :func:`hotspotlib.scale.count_events` arrays with ``xarray.concat``.
    distance_m : float
        Spatial neighbourhood distance between cell centres (inclusive), in metres.
    time_window : int
        Neighbouring time steps on each side (0: the step itself only).
    time_neighbours : {"both", "previous"}
        Whether the time window looks both ways or only back (ArcGIS).
    locations : xarray.DataArray of bool, optional
        ``(y, x)`` cells that are locations of the cube; other cells are left out (no
        value, not neighbours, not tests). None: every cell, as
        :func:`hotspotlib.emerging_hotspots` with an ``area`` covering the lattice; pass
        ``cube.sum("time") > 0`` for its rule without an area (occupied cells only).
    alpha : float
        Significance level of bins and of trends.
    fdr : bool
        Correct bin p-values with Benjamini-Hochberg across the whole cube.

    Returns
    -------
    xarray.Dataset
        Dask-backed ``z_score``, ``p_value``, ``q_value`` (time, y, x) and ``n_hot``,
        ``n_cold``, ``trend_z``, ``trend_p``, ``trend_tau``, ``pattern`` (y, x); cells
        that are not locations hold NaN, -1 and an empty pattern.

    Raises
    ------
    ValueError
        For fewer than 4 time steps, NaN counts, a cube with constant counts, a radius
        under one cell, or bad options.

    Notes
    -----
    Not parallel: the cube's mean and variance (two reductions) and the FDR table of
    distinct p-values (a tree merge, then one running minimum; see
    :func:`hotspotlib.scale.gi_star`). Calling this function runs those passes; the
    returned arrays are computed when written or loaded.

    See Also
    --------
    hotspotlib.emerging_hotspots : the in-memory analysis from incidents.
    hotspotlib.scale.gi_star : tiled Gi* on one surface.

    References
    ----------
    Esri (2024). How Emerging Hot Spot Analysis works. https://pro.arcgis.com/en/pro-app/latest/tool-reference/space-time-pattern-mining/learnmoreemerging.htm

    Kendall, M. G. (1975). Rank Correlation Methods. London: Griffin.
    https://doi.org/10.2307/2333282

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> from hotspotlib import scale
    >>> rng = np.random.default_rng(1)
    >>> counts = rng.poisson(np.linspace(0.5, 3.0, 8)[:, None, None], (8, 12, 12))
    >>> centres = 50.0 + 100 * np.arange(12)
    >>> cube = xr.DataArray(counts, dims=("time", "y", "x"), coords={"y": centres, "x": centres},
    ...                     attrs={"crs_wkt": "EPSG:27700"}).chunk({"y": 6, "x": 6})
    >>> result = scale.emerging_hotspots(cube, distance_m=250)
    >>> sorted(result.data_vars)[:3], result["z_score"].shape
    (['n_cold', 'n_hot', 'p_value'], (8, 12, 12))
    """
    need_dask("scale.emerging_hotspots")
    import dask
    import dask.array as da
    import xarray as xr

    band = require_positive(distance_m, name="distance_m")
    window = require_whole(time_window, name="time_window")
    check_option(time_neighbours, TimeNeighbours, name="time_neighbours")
    level = require_probability(alpha, name="alpha")
    require_type(fdr, (bool, np.bool_), name="fdr", expected="True (Benjamini-Hochberg) or False")
    array, lattice = as_lattice_array(cube, name="cube", dims=("time", "y", "x"))
    n_steps = array.sizes["time"]
    if n_steps < MIN_STEPS:
        raise ValueError(
            f"`cube` has {n_steps} time step(s); emerging hot-spot analysis needs at least "
            f"{MIN_STEPS} (10 or more is better). Use shorter periods or a longer window."
        )
    stencil = band_offsets(lattice.cell_size_m, band, extent=lattice.shape)  # see _gi
    if not (stencil.sum() > 1):
        raise ValueError(
            f"`distance_m` = {band:g} m reaches no neighbouring cell centre on a lattice of "
            f"{lattice.cell_size_m:g} m cells. Use `distance_m` >= {lattice.cell_size_m:g}."
        )
    data = array.data if isinstance(array.data, da.Array) else da.from_array(array.values)
    values = data.astype(float).rechunk({0: -1})
    space_chunks = values.chunks[1:]
    mask = _locations(locations, lattice.shape, space_chunks, da)
    mean, spread, n = _moments(values, mask, dask, da)
    temporal = np.ones(2 * window + 1)
    if time_neighbours == "previous":
        temporal[window + 1 :] = 0.0
    z = da.map_overlap(
        _z_block,
        values,
        mask[None, :, :],
        depth={0: 0, 1: stencil.shape[0] // 2, 2: stencil.shape[1] // 2},
        boundary=0.0,
        dtype=float,
        stencil=stencil,
        temporal=temporal,
        mean=mean,
        spread=spread,
        n=n,
        allow_rechunk=True,
    )
    p = z.map_blocks(normal_p, dtype=float)
    table_values, table_q, n_tests = fdr_table(p)
    q = p.map_blocks(_lookup, table=dask.delayed((table_values, table_q), pure=True), dtype=float)
    summary = da.map_blocks(
        _trends,
        z,
        q if fdr else p,
        mask.rechunk(z.chunks[1:])[None, :, :],  # the halo pass may have evened the tiles
        dtype=float,
        chunks=((len(_SUMMARY),), *z.chunks[1:]),
        alpha=level,
    )
    per_location = {name: summary[i] for i, name in enumerate(_SUMMARY[:-1])}
    per_location["n_hot"] = per_location["n_hot"].astype(np.int64)
    per_location["n_cold"] = per_location["n_cold"].astype(np.int64)
    per_location["pattern"] = summary[-1].map_blocks(_pattern_names, dtype=np.dtype(_PATTERN_DTYPE))
    space = ("y", "x")
    crs = {"crs_wkt": array.attrs["crs_wkt"]}  # on every variable, for the writers
    variables: dict[str, Any] = {
        "z_score": (("time", *space), z, crs),
        "p_value": (("time", *space), p, crs),
        "q_value": (("time", *space), q, crs),
    }
    variables.update({name: (space, values_, crs) for name, values_ in per_location.items()})
    coords = {name: array[name].values for name in ("time", "y", "x") if name in array.coords}
    attrs = {
        "distance_m": band,
        "time_window": window,
        "time_neighbours": time_neighbours,
        "alpha": level,
        "fdr": bool(fdr),
        "n_steps": n_steps,
        "n_locations": n // n_steps,
        "n_tests": n_tests,
        "mean": mean,
        "std": spread,
        "crs_wkt": array.attrs["crs_wkt"],
    }
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def _locations(locations: Any, shape: tuple[int, int], chunks: Any, da: Any) -> Any:
    if locations is None:
        return da.ones(shape, chunks=chunks, dtype=float)
    raw = getattr(locations, "data", locations)
    if tuple(getattr(raw, "shape", ())) != shape:
        raise ValueError(
            f"`locations` must be a (y, x) boolean array of shape {shape} (the cube's "
            f"cells); got shape {getattr(raw, 'shape', None)}. E.g. `cube.sum('time') > 0`."
        )
    mask = raw if isinstance(raw, da.Array) else da.from_array(np.asarray(raw))
    return mask.astype(bool).astype(float).rechunk(chunks)


def _moments(values: Any, mask: Any, dask: Any, da: Any) -> tuple[float, float, int]:
    """Mean and population standard deviation over the bins at locations (two passes)."""
    kept = mask[None, :, :] > 0
    total, n_kept, n_nan = dask.compute(
        da.where(kept, values, 0.0).sum(),
        kept.sum() * values.shape[0],
        (da.isnan(values) & kept).sum(),
    )
    if n_nan:
        raise ValueError(
            f"`cube` holds {int(n_nan):,} NaN counts at locations; fill empty bins with 0 "
            "(`cube.fillna(0)`)."
        )
    n = int(n_kept)
    if n < 3:
        raise ValueError(f"`cube` has {n} bins at locations; Gi* needs at least 3.")
    mean = float(total) / n
    (ss,) = dask.compute(da.where(kept, (values - mean) ** 2, 0.0).sum())
    spread = float(np.sqrt(float(ss) / n))
    if not spread > 1e-12 * max(abs(mean), 1e-300):
        raise ValueError(
            "`cube` has the same count in every bin at its locations; nothing to test "
            "(check the counts and `locations`)."
        )
    return mean, spread, n


def _z_block(
    block: NDArray[np.float64],
    mask: NDArray[np.float64],
    *,
    stencil: NDArray[np.float64],
    temporal: NDArray[np.float64],
    mean: float,
    spread: float,
    n: int,
) -> NDArray[np.float64]:
    """Gi* z of every bin of a spatial tile (halo included): the in-memory cube sums."""
    where = mask[0] > 0
    raster = np.where(where[None, :, :], block, 0.0)
    through_time = ndimage.correlate1d(raster, temporal, axis=0, mode="constant", cval=0.0)
    lag = ndimage.correlate(through_time, stencil[None, :, :], mode="constant", cval=0.0)
    spatial = ndimage.correlate(where.astype(float), stencil, mode="constant", cval=0.0)
    steps = ndimage.correlate1d(np.ones(block.shape[0]), temporal, mode="constant", cval=0.0)
    weight_sum = steps[:, None, None] * spatial[None, :, :]
    count = float(n)
    variance_factor = (count * weight_sum - weight_sum**2) / (count - 1.0)
    undefined = (np.rint(weight_sum - 1) == 0) | (
        variance_factor <= 1e-12 * count * np.maximum(weight_sum, 1e-300)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        z = (lag - mean * weight_sum) / (spread * np.sqrt(variance_factor))
    z[undefined | ~where[None, :, :]] = np.nan
    return z


def _lookup(block: NDArray[np.float64], *, table: Any) -> NDArray[np.float64]:
    return lookup_q(block, table[0], table[1])


def _trends(
    z: NDArray[np.float64],
    tested: NDArray[np.float64],
    mask: NDArray[np.float64],
    *,
    alpha: float,
) -> NDArray[np.float64]:
    """Hot/cold counts, Mann-Kendall trend and pattern code of each location of a tile."""
    series = z.reshape(z.shape[0], -1).T  # (cells, steps)
    located = mask.reshape(-1) > 0
    level = np.asarray(tested.reshape(tested.shape[0], -1).T)
    with np.errstate(invalid="ignore"):
        significant = level <= alpha
    hot, cold = significant & (series > 0), significant & (series < 0)
    out = np.full((len(_SUMMARY), series.shape[0]), np.nan)
    out[:2] = -1.0
    if located.any():
        trend = mann_kendall(series[located])
        patterns = classify_patterns(
            hot[located], cold[located], trend["z_score"], trend["p_value"], alpha=alpha
        )
        out[0, located] = hot[located].sum(axis=1)
        out[1, located] = cold[located].sum(axis=1)
        out[2, located] = trend["z_score"]
        out[3, located] = trend["p_value"]
        out[4, located] = trend["tau"]
        out[5, located] = np.searchsorted(_SORTED_NAMES, patterns)
    return out.reshape(len(_SUMMARY), *z.shape[1:])


def _pattern_names(codes: NDArray[np.float64]) -> NDArray[np.str_]:
    names = np.append(_SORTED_NAMES, "").astype(_PATTERN_DTYPE)
    index = np.where(np.isfinite(codes), codes, len(_SORTED_NAMES)).astype(np.int64)
    return names[index]
