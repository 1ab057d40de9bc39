"""Choosing a set of separate places to patrol from a ranked map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from hotspotlib._validation import require_columns, require_polygons, require_positive

__all__ = ["select_places"]


def select_places(
    cells: gpd.GeoDataFrame,
    *,
    score: str,
    n: int,
    min_separation_m: float = 0.0,
) -> gpd.GeoDataFrame:
    """Pick the ``n`` highest-scoring places that are at least a distance apart.

    A ranked map (kernel density, Gi* z-scores, harm counts) puts the neighbouring
    cells of one hot spot next to each other at the top of the list. A trial needs
    separate places, so this walks down the ranking and keeps a cell only if it is at
    least ``min_separation_m`` from every cell already kept (distance between the
    polygons' edges: 0 applies no constraint, any positive distance also rules out
    touching cells).

    Parameters
    ----------
    cells : GeoDataFrame
        Polygons with a score column, e.g. ``surface.to_frame()`` or
        ``gi.to_frame()``, in a projected CRS.
    score : str
        Column to rank by, highest first; NaN scores are never picked.
    n : int
        How many places to pick.
    min_separation_m : float
        Minimum distance between picked places, in metres.

    Returns
    -------
    geopandas.GeoDataFrame
        The picked rows of ``cells`` (index kept) in ranking order, with a ``rank``
        column (1 = highest score).

    Raises
    ------
    ValueError
        If fewer than ``n`` places satisfy the separation, for a missing column, a
        geographic CRS, or a bad ``n``.

    Notes
    -----
    Ties in ``score`` keep the order of ``cells``. The walk is greedy, so the result is
    the set an analyst working down the list would choose, not the set with the highest
    total score. It stops as soon as ``n`` places are kept.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=5_000, rng=1)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=150)
    >>> frame = hs.count_events(city.events, grid, weights="harm").to_frame()
    >>> places = hs.select_places(frame, score="weight_sum", n=5, min_separation_m=300)
    >>> len(places), places["rank"].tolist()
    (5, [1, 2, 3, 4, 5])
    """
    geometry = require_polygons(cells, name="cells")
    require_columns(cells, [score], name="cells")
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"`n` must be a whole number >= 1; got {n!r}.")
    gap = require_positive(min_separation_m, name="min_separation_m", allow_zero=True)
    values = cells[score].to_numpy(dtype=float)
    scored = np.isfinite(values)
    if not scored.any() or np.ptp(values[scored]) == 0 and not (values[scored] > 0).any():
        what = "NaN or infinite" if not scored.any() else f"{values[scored][0]:g}"
        raise ValueError(
            f"`cells[{score!r}]` is {what} in every cell, so there is nothing to rank; "
            "pass a score that varies (e.g. counts of events)."
        )
    order = np.argsort(-np.where(np.isnan(values), -np.inf, values), kind="stable")
    order = order[~np.isnan(values[order])]
    shapes = geometry.to_numpy()
    kept: list[int] = []
    for position in order:  # stops after n keeps; each check is vectorised over kept
        if not kept or gap == 0 or shapely.distance(shapes[kept], shapes[position]).min() >= gap:
            kept.append(int(position))
            if len(kept) == n:
                break
    if len(kept) < n:
        raise ValueError(
            f"Only {len(kept)} places are {gap:g} m apart among {len(order)} scored cells; "
            f"ask for fewer than {n} or lower `min_separation_m`."
        )
    picked = cells.iloc[kept].copy()
    picked["rank"] = np.arange(1, n + 1)
    return picked
