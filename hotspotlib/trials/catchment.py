"""Catchment areas around places, for displacement and diffusion-of-benefit checks."""

from __future__ import annotations

from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely

from hotspotlib._validation import (
    require_increasing,
    require_nonempty,
    require_polygons,
    require_same_crs,
    require_within,
)

__all__ = ["buffer_rings"]


def buffer_rings(
    places: gpd.GeoDataFrame,
    *,
    widths_m: float | Sequence[float],
    exclude: gpd.GeoDataFrame | gpd.GeoSeries | None = None,
) -> gpd.GeoDataFrame:
    """Catchment rings around each place, for displacement and diffusion checks.

    Ring ``j`` of a place is the area between ``widths_m[j-1]`` and ``widths_m[j]``
    metres from its boundary (the first ring starts at the boundary), minus every
    place in ``places`` (the place itself and the other, possibly treated, places)
    and minus ``exclude``. Rings of neighbouring places can overlap; the number of
    overlapping pairs is recorded in the frame's ``attrs["n_overlapping_pairs"]`` (read
    it straight away: pandas drops ``attrs`` in many operations).

    Parameters
    ----------
    places : geopandas.GeoDataFrame
        Polygons of the places in a projected CRS in metres.
    widths_m : float or sequence of float
        Outer distances of the rings, increasing (e.g. ``100`` as in Bedfordshire,
        or ``[50, 100, 150]`` as in the London bus-stop trial).
    exclude : GeoDataFrame or GeoSeries, optional
        Further areas to cut out (e.g. other programmes' places), same CRS.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per place and ring: the place id (named like ``places.index``, or
        ``hotspot_id``), ``ring`` (1 = innermost), ``inner_m``, ``outer_m``,
        ``area_m2`` and the ring polygon, in the input CRS.

    See Also
    --------
    wdq : The weighted displacement quotient.
    wdd : The weighted displacement difference test.

    References
    ----------
    .. [1] Bowers, K. J. and Johnson, S. D. (2003). Measuring the geographical displacement
       and diffusion of benefit effects of crime prevention activity. Journal of
       Quantitative Criminology 19(3), 275-301. https://doi.org/10.1023/A:1024909009240
    .. [2] Weisburd, D., Wyckoff, L. A., Ready, J., Eck, J. E., Hinkle, J. C. and Gajewski,
       F. (2006). Does crime just move around the corner? A controlled study of spatial
       displacement and diffusion of crime control benefits. Criminology 44(3), 549-592.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> import hotspotlib as hs
    >>> spots = gpd.GeoDataFrame(geometry=[box(0, 0, 150, 150)], crs=27700)
    >>> rings = hs.buffer_rings(spots, widths_m=[50, 100])
    >>> rings["outer_m"].tolist(), rings["area_m2"].round(-2).tolist()
    ([50.0, 100.0], [37800.0, 53400.0])
    """
    geometry = require_polygons(places, name="places")
    raw = [widths_m] if isinstance(widths_m, int | float | np.number) else list(widths_m)
    require_nonempty(raw, name="widths_m", fix="give the ring widths, e.g. [50, 100, 150].")
    widths = require_increasing(raw, name="widths_m", fix="E.g. [50, 100, 150].")
    require_within(widths, name="widths_m", low=0, low_open=True, fix="E.g. [50, 100, 150].")
    cut = shapely.union_all(geometry.to_numpy())
    if exclude is not None:
        extra = require_polygons(exclude, name="exclude")
        require_same_crs(places, extra, names=("places", "exclude"))
        cut = shapely.union(cut, shapely.union_all(extra.to_numpy()))
    shapes = geometry.to_numpy()
    # one flat call: shapely 2.0-2.1 refuse a two-dimensional broadcast in buffer
    outer = shapely.buffer(np.repeat(shapes, widths.size), np.tile(widths, shapes.size))
    outer = outer.reshape(shapes.size, widths.size)
    inner = np.concatenate([shapes[:, None], outer[:, :-1]], axis=1)
    rings = shapely.difference(shapely.difference(outer, inner), cut)
    n_places, n_rings = rings.shape
    name = places.index.name or "hotspot_id"
    frame = gpd.GeoDataFrame(
        {
            name: np.repeat(places.index.to_numpy(), n_rings),
            "ring": np.tile(np.arange(1, n_rings + 1), n_places),
            "inner_m": np.tile(np.r_[0.0, widths[:-1]], n_places),
            "outer_m": np.tile(widths, n_places),
        },
        geometry=rings.ravel(),
        crs=places.crs,
    )
    frame["area_m2"] = frame.area
    tree = shapely.STRtree(frame.geometry.to_numpy())
    left, right = tree.query(frame.geometry.to_numpy(), predicate="overlaps")
    owner = frame[name].to_numpy()
    frame.attrs["n_overlapping_pairs"] = int(np.sum((left < right) & (owner[left] != owner[right])))
    return frame
