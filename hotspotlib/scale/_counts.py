"""Count events on a :class:`Lattice` into a tiled (dask-backed) xarray DataArray."""

from __future__ import annotations

import functools
import operator
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import require_same_crs, require_some_inside, require_type
from hotspotlib._validation import require_whole as _require_whole
from hotspotlib.scale._lattice import Lattice
from hotspotlib.scale._tiles import lattice_coords, need_dask

__all__ = ["count_events"]

_ROWS_PER_PIECE = 2_000_000  # an in-memory frame is cut into pieces this long


def count_events(
    events: Any,
    lattice: Lattice,
    *,
    weights: str | None = None,
    x: str = "x",
    y: str = "y",
    tile: int = 1024,
) -> Any:
    """Count events (or sum a weight such as harm) per cell of a lattice, tile by tile.

    Each partition of ``events`` is placed in cells by arithmetic and reduced to the
    cells it touches (sorted by tile); each tile then adds up the pieces that fall in
    it. Nothing the size of the lattice is ever held at once, so a national lattice of
    ~91 million cells works on a laptop.

    Parameters
    ----------
    events : dask-geopandas GeoDataFrame, dask DataFrame, GeoDataFrame or DataFrame
        Event points. A GeoDataFrame (dask or not) uses its point geometry and must be
        in the lattice's CRS; a plain frame uses columns ``x`` and ``y`` in the
        lattice's CRS.
    lattice : Lattice
        The cells.
    weights : str, optional
        Column of per-event weights (finite, non-negative). Without it, events are
        counted.
    x, y : str
        Coordinate columns of a plain (non-geo) frame.
    tile : int
        Side of a square tile (dask chunk) in cells.

    Returns
    -------
    xarray.DataArray
        ``(y, x)`` backed by a dask array chunked ``tile x tile``, named ``"count"``
        (int64) or ``"weight_sum"`` (float64); row 0 is the southernmost, as in
        :meth:`hotspotlib.Grid.to_array`. ``attrs`` hold ``n_events``, ``n_outside``
        (events off the lattice, not counted), ``cell_size_m`` and ``crs_wkt``.

    Raises
    ------
    ValueError
        For NaN coordinates, negative or non-finite weights, a CRS other than the
        lattice's, or events that all fall outside the lattice.

    Warns
    -----
    HotspotlibWarning
        When any event falls outside the lattice (with the count and both extents).

    Notes
    -----
    The partitions are placed in cells when this is called (their pieces stay on the
    workers, 8 bytes per occupied cell and partition, 12 with weights); the tiles are summed
    lazily. Cells follow :func:`hotspotlib.count_events`'s edge rule, so the counts
    equal the in-memory ones on the same cells.

    See Also
    --------
    hotspotlib.count_events : the in-memory counts on a Grid.
    hotspotlib.scale.gi_star : Gi* on these tiles.

    References
    ----------
    Dask Development Team (2016). Dask: library for dynamic task scheduling.
    https://dask.org

    Examples
    --------
    >>> import pandas as pd
    >>> from hotspotlib.scale import Lattice, count_events
    >>> lattice = Lattice(origin_x=50, origin_y=50, cell_size_m=100, n_rows=2, n_cols=3,
    ...                   crs=27700)
    >>> events = pd.DataFrame({"x": [10.0, 20.0, 250.0], "y": [10.0, 30.0, 150.0]})
    >>> counts = count_events(events, lattice, tile=2)
    >>> counts.values.tolist()
    [[2, 0, 0], [0, 0, 1]]
    """
    dask = need_dask("scale.count_events")
    require_type(lattice, Lattice, name="lattice", expected="a hotspotlib.scale.Lattice")
    side = _require_whole(tile, name="tile", minimum=1, maximum=46_340)
    if weights is not None:
        require_type(weights, str, name="weights", expected="the name of a weights column")
    frames = _partitions(events, lattice, weights=weights, x=x, y=y)
    place = dask.delayed(_place, pure=False)  # no hashing of the partitions
    tiles = (-(-lattice.n_rows // side), -(-lattice.n_cols // side))
    parts = [place(frame, lattice, side, tiles, weights, x, y) for frame in frames]
    (parts,) = dask.persist(parts)
    get = dask.delayed(operator.getitem, pure=True)
    totals = dask.compute([(get(p, 1), get(p, 2), get(p, 3)) for p in parts])[0]
    n_outside = int(sum(t[0] for t in totals))
    n_events = int(sum(t[1] for t in totals))
    extents = np.array([t[2] for t in totals if t[2] is not None])
    if n_events == 0:
        raise ValueError(
            "`events` has no rows, so every count would be zero; check the file, the "
            "filters and the partitions."
        )
    if n_outside:
        events_bounds = (
            (*extents[:, :2].min(axis=0), *extents[:, 2:].max(axis=0))
            if len(extents)
            else (np.nan,) * 4
        )
        require_some_inside(
            n_outside,
            n_events,
            events_bounds=events_bounds,
            area_bounds=lattice.bounds,
            area="lattice",
            warn_share=0.0,
        )
    weighted = weights is not None
    dtype = np.float64 if weighted else np.int64
    data = _tile_graph(
        dask, parts, lattice, side, tiles, _tile, dtype, side=side, weighted=weighted
    )
    name = "count" if weights is None else "weight_sum"
    attrs = {
        "n_events": n_events,
        "n_outside": n_outside,
        "cell_size_m": lattice.cell_size_m,
        "crs_wkt": lattice.crs.to_wkt(),
        "weights": weights or "",
    }
    return _data_array(data, lattice, name=name, attrs=attrs)


def _data_array(data: Any, lattice: Lattice, *, name: str, attrs: dict[str, Any]) -> Any:
    import xarray as xr

    return xr.DataArray(
        data, dims=("y", "x"), coords=lattice_coords(lattice), name=name, attrs=attrs
    )


def _partitions(events: Any, lattice: Lattice, *, weights: str | None, x: str, y: str) -> list[Any]:
    """Delayed pandas pieces of ``events`` (dask frames) or in-memory slices."""
    geometry = getattr(events, "geometry", None) is not None and hasattr(events, "crs")
    if geometry:
        require_same_crs(
            _crs_holder(events.crs), _crs_holder(lattice.crs), names=("events", "lattice")
        )
    if hasattr(events, "to_delayed") and hasattr(events, "npartitions"):
        columns = list(events.columns)
        _check_columns(columns, weights=weights, x=x, y=y, geometry=geometry)
        return list(events.to_delayed())
    if not isinstance(events, pd.DataFrame):
        raise TypeError(
            "`events` must be a (dask-)geopandas GeoDataFrame or a (dask) DataFrame with "
            f"`x`/`y` columns; got {type(events).__name__}."
        )
    _check_columns(list(events.columns), weights=weights, x=x, y=y, geometry=geometry)
    if geometry:  # plain coordinate columns travel to the workers faster than geometry
        plain = {x: events.geometry.x.to_numpy(float), y: events.geometry.y.to_numpy(float)}
        if weights is not None:
            plain[weights] = events[weights].to_numpy()
        events = pd.DataFrame(plain)
    starts = range(0, max(len(events), 1), _ROWS_PER_PIECE)
    return [events.iloc[s : s + _ROWS_PER_PIECE] for s in starts]


def _crs_holder(crs: Any) -> Any:
    import geopandas as gpd

    return gpd.GeoSeries([], crs=crs)


def _check_columns(
    columns: list[str], *, weights: str | None, x: str, y: str, geometry: bool
) -> None:
    needed = ([] if geometry else [x, y]) + ([weights] if weights else [])
    missing = [c for c in needed if c not in columns]
    if missing:
        shown = ", ".join(repr(c) for c in columns[:20])
        raise ValueError(
            f"`events` is missing column(s) {', '.join(map(repr, missing))}; it has {shown}. "
            "Pass the coordinate columns as `x=`/`y=` (or a GeoDataFrame) and an existing "
            "`weights` column."
        )


def _place(
    frame: pd.DataFrame,
    lattice: Lattice,
    side: int,
    tiles: tuple[int, int],
    weights: str | None,
    x: str,
    y: str,
) -> tuple[list[Any], int, int, tuple[float, float, float, float] | None]:
    """Cells touched by one partition, split by tile: (pieces, n_outside, n_events, extent)."""
    if getattr(frame, "geometry", None) is not None and hasattr(frame, "crs"):
        xs, ys = frame.geometry.x.to_numpy(float), frame.geometry.y.to_numpy(float)
    else:
        xs, ys = frame[x].to_numpy(float), frame[y].to_numpy(float)
    n_bad = int((~(np.isfinite(xs) & np.isfinite(ys))).sum())
    if n_bad:
        raise ValueError(
            f"`events` has {n_bad:,} rows with missing or non-finite coordinates in one "
            "partition; drop or repair them before counting (nothing is dropped silently)."
        )
    values = None
    if weights is not None:
        values = frame[weights].to_numpy(float)
        if not (np.isfinite(values).all() and (values >= 0).all()):
            raise ValueError(
                f"`weights` column {weights!r} must be finite and non-negative; one partition "
                f"has {int((~np.isfinite(values) | (values < 0)).sum()):,} bad values. Repair them."
            )
    rows, cols, inside = lattice.locate(xs, ys)
    extent = (xs.min(), ys.min(), xs.max(), ys.max()) if len(xs) else None
    per_tile = side * side
    tile_rows, tile_cols = rows[inside] // side, cols[inside] // side
    keys = (tile_rows * tiles[1] + tile_cols) * per_tile + (
        (rows[inside] - tile_rows * side) * side + (cols[inside] - tile_cols * side)
    )
    if values is None:
        cells, counts = np.unique(keys, return_counts=True)
        sums: NDArray[Any] = counts.astype(np.int32)  # per partition: held until summed
    else:
        cells, where = np.unique(keys, return_inverse=True)
        sums = np.bincount(where, weights=values[inside], minlength=len(cells))
    edges = np.searchsorted(cells, np.arange(tiles[0] * tiles[1] + 1, dtype=np.int64) * per_tile)
    pieces = [
        ((cells[lo:hi] - t * per_tile).astype(np.int32), sums[lo:hi]) if hi > lo else None
        for t, (lo, hi) in enumerate(zip(edges[:-1], edges[1:], strict=True))
    ]
    return pieces, len(xs) - int(inside.sum()), len(xs), extent


def _tile(
    pieces: list[Any], shape: tuple[int, int], index: tuple[int, int], *, side: int, weighted: bool
) -> NDArray[Any]:
    out = np.zeros(shape, dtype=np.float64 if weighted else np.int64)
    for piece in pieces:
        if piece is None:
            continue
        local, sums = piece
        rows, cols = np.divmod(local, side)
        out[rows, cols] += sums  # cells are unique within a piece
    return out


def _piece(part: Any, index: int) -> Any:
    return part[0][index]


def _tile_graph(
    dask: Any,
    parts: list[Any],
    lattice: Lattice,
    side: int,
    tiles: tuple[int, int],
    build: Any,
    dtype: Any,
    /,
    **options: Any,
) -> Any:
    """Build one graph layer: a piece per (partition, tile), then one task per tile.

    Each piece is cut on its partition's worker; the tile task calls
    ``build(pieces, shape, (tile_row, tile_col), **options)``.
    """
    tile_function = functools.partial(build, **options)
    import dask.array as da
    from dask.highlevelgraph import HighLevelGraph

    token = dask.base.tokenize([part.key for part in parts], side, build, options)
    name, piece_name = f"lattice-tiles-{token}", f"lattice-pieces-{token}"
    graph: dict[Any, Any] = {}
    for tile_row in range(tiles[0]):
        height = min(side, lattice.n_rows - tile_row * side)
        for tile_col in range(tiles[1]):
            width = min(side, lattice.n_cols - tile_col * side)
            index = tile_row * tiles[1] + tile_col
            pieces = []
            for number, part in enumerate(parts):
                graph[(piece_name, number, index)] = (_piece, part.key, index)
                pieces.append((piece_name, number, index))
            graph[(name, tile_row, tile_col)] = (
                tile_function,
                pieces,
                (height, width),
                (tile_row, tile_col),
            )
    chunks = (
        tuple(min(side, lattice.n_rows - r * side) for r in range(tiles[0])),
        tuple(min(side, lattice.n_cols - c * side) for c in range(tiles[1])),
    )
    layers = HighLevelGraph.from_collections(name, graph, dependencies=parts)
    return da.Array(layers, name, chunks, dtype=dtype)
