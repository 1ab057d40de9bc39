"""Crime rates per resident for areas (wards, boroughs, counties).

With exact Poisson intervals and empirical-Bayes smoothing, so that areas with small
populations do not top the list by chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from hotspotlib._validation import (
    check_option,
    require_numbers,
    require_polygons,
    require_positive,
    require_probability,
    require_some_inside,
    require_weights,
)
from hotspotlib.hotspots._rates_math import garwood_interval, global_eb, local_eb, neighbourhood
from hotspotlib.hotspots._scores import aligned
from hotspotlib.hotspots.grid import locate_events
from hotspotlib.hotspots.rates_result import CrimeRates, rates_notes
from hotspotlib.hotspots.weights import build_weights

__all__ = ["crime_rates"]

Smoothing = Literal["global", "local"]
MissingPopulation = Literal["raise", "drop"]


def _labels(index: pd.Index, mask: NDArray[np.bool_], limit: int = 5) -> str:
    named = [repr(v) for v in index[mask][:limit]]
    more = f" and {int(mask.sum()) - limit} more" if mask.sum() > limit else ""
    return ", ".join(named) + more


def _population(areas: gpd.GeoDataFrame, population: Any) -> tuple[NDArray[np.float64], str]:
    if isinstance(population, str):
        if population not in areas.columns:
            have = ", ".join(repr(c) for c in list(areas.columns)[:20])
            raise ValueError(
                f"`population` names column {population!r}, which `areas` does not have; it "
                f"has {have}. Pass the column of residents, e.g. population='residents'."
            )
        values = require_numbers(
            areas[population], name="population", fix="Convert the column to numbers."
        )
        return values, population
    population = aligned(population, areas.index, name="population")
    values = require_numbers(population, name="population", fix="Pass one number per area.")
    if values.shape != (len(areas),):
        raise ValueError(
            f"`population` must have one value per area ({len(areas)}); got shape {values.shape}."
        )
    return values, "population"


def _event_counts(
    events: Any, areas: gpd.GeoDataFrame, weights: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, NDArray[np.int64] | None, int]:
    """Return counts (and harm) per area: a point-in-polygon join, or a column already counted."""
    if isinstance(events, str):
        if weights is not None:
            raise ValueError(
                "`weights` needs event points; `events` names a column of counts "
                f"({events!r}). Pass the events, or drop `weights`."
            )
        if events not in areas.columns:
            raise ValueError(
                f"`events` names column {events!r}, which `areas` does not have. Pass event "
                "points (a GeoDataFrame) or the name of a column of counts per area."
            )
        count = require_numbers(areas[events], name="events", fix="Pass counts per area.")
        bad = ~np.isfinite(count) | (count < 0) | (count != np.round(count))
        if bad.any():
            raise ValueError(
                f"`events` column {events!r} must hold whole counts >= 0; the areas "
                f"{_labels(areas.index, bad)} do not. Fix or drop them first."
            )
        return count, None, None, 0
    if not isinstance(events, gpd.GeoDataFrame):
        raise TypeError(
            "`events` must be a GeoDataFrame of event points, or the name of a column of "
            f"counts in `areas`; got {type(events).__name__}."
        )
    weight_values = require_weights(events, weights)
    position = locate_events(events, areas)
    inside = position >= 0
    n_outside = len(position) - int(inside.sum())
    require_some_inside(
        n_outside,
        len(position),
        events_bounds=events.total_bounds,
        area_bounds=areas.total_bounds,
        area="areas",
    )
    count = np.bincount(position[inside], minlength=len(areas)).astype(float)
    harm = None
    if weight_values is not None:
        harm = np.bincount(
            position[inside], weights=weight_values[inside], minlength=len(areas)
        ).astype(float)
    return count, harm, position, n_outside


def crime_rates(
    events: gpd.GeoDataFrame | str,
    areas: gpd.GeoDataFrame,
    *,
    population: str | Sequence[float] | NDArray[Any] | pd.Series = "population",
    per: float = 1000,
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    confidence: float = 0.95,
    smoothing: Smoothing | None = "global",
    spatial_weights: Any = None,
    missing_population: MissingPopulation = "raise",
) -> CrimeRates:
    """Count crimes (and harm) per area and turn them into rates per resident.

    Each event is placed in the area polygon that holds it; events in no area are
    counted and told (``counts["n_outside"]`` and a note), never dropped silently.
    Rates are ``count / population * per`` with exact Poisson (Garwood) intervals, and
    empirical-Bayes smoothed rates shrink areas with small populations towards the mean.

    Parameters
    ----------
    events : GeoDataFrame or str
        Event points in the CRS of ``areas``; or the name of a column of ``areas``
        holding counts already made (then ``weights`` cannot be used).
    areas : GeoDataFrame
        Polygons (wards, boroughs, counties) in a projected CRS, one row per area.
    population : str or array-like, default "population"
        A column of ``areas`` or one number per area: the residents at risk.
    per : float, default 1000
        Rates are per this many residents (1,000 as the Met reports them).
    weights : str or array-like, optional
        Per-event weights such as harm (a column of ``events`` or one value per event),
        as in :func:`count_events`; adds ``harm`` and ``harm_rate``.
    confidence : float, default 0.95
        Level of the two-sided exact Poisson intervals of the rates.
    smoothing : {"global", "local", None}, default "global"
        Empirical-Bayes smoothing (Marshall 1991): towards the mean of all areas
        (``"global"``) or of each area and its neighbours (``"local"``); None for none.
    spatial_weights : str or weights object, optional
        Neighbours for ``smoothing="local"``: ``"queen"`` (the default), ``"rook"``,
        ``"knn"``, ``"distance_band"``, a libpysal ``W``/``Graph`` or a sparse matrix.
        Any positive weight makes a neighbour (binary neighbourhoods, as esda).
    missing_population : {"raise", "drop"}, default "raise"
        Areas whose population is missing or zero have no rate: refused with the areas
        named, or (``"drop"``) left out and counted, with the events inside them.

    Returns
    -------
    CrimeRates
        Counts, rates, intervals and smoothed rates per area, with parameters, counts
        and notes; ``.to_frame()`` is a GeoDataFrame in the areas' CRS.

    Raises
    ------
    ValueError
        For areas that are not polygons or not in a projected CRS, events in another
        CRS or all outside the areas, a missing population column, negative or
        non-finite populations, missing or zero populations (unless dropped), a
        non-positive ``per``, a ``confidence`` outside (0, 1), unknown options, or
        ``spatial_weights`` without ``smoothing="local"``.

    Warns
    -----
    UserWarning
        When more than half of the events fall outside every area (with the counts).

    See Also
    --------
    rank_places : Rank the areas with rank intervals.
    assign_tiers : Sort the areas into tiers by a stated rule.
    count_events : Counts per grid cell or place.

    Notes
    -----
    The interval for a count ``k`` is ``[chi2(a/2; 2k)/2, chi2(1-a/2; 2k+2)/2]``
    (Garwood 1936), divided by the population and multiplied by ``per``; it is exact
    (coverage at least ``confidence``) and its lower end is 0 when ``k = 0``.

    Global smoothing follows Marshall (1991): with ``m = sum(count) / sum(population)``
    and the moment estimate ``s2 = sum(b_i (r_i - m)^2) / sum(b) - m / mean(b)`` of the
    between-area variance, ``smoothed_i = m + s2 / (s2 + m / b_i) * (r_i - m)``. A
    negative ``s2`` (areas no more different than Poisson noise) is set to 0 and
    noted: every area then gets the mean rate. esda's ``Empirical_Bayes`` does not
    truncate; where ``s2 > 0`` the two agree. Local smoothing uses the same formulas
    over each area's neighbourhood (itself and its neighbours, binary), truncating
    each negative variance at 0, as esda's ``Spatial_Empirical_Bayes``.

    Rates are for the period the events cover (not per year) and the denominator is
    residents: areas with many visitors (a city centre such as Westminster) get high
    rates per resident that do not mean high risk to each person there.

    References
    ----------
    Garwood, F. (1936). Fiducial limits for the Poisson distribution. *Biometrika*
    28(3/4), 437-442.
    Marshall, R. J. (1991). Mapping disease and mortality rates using empirical Bayes
    estimators. *Journal of the Royal Statistical Society C* 40(2), 283-294.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> people = [20, 20_000, 15_000, 25_000, 18_000, 16_000]
    >>> crimes = [3, 240, 100, 150, 160, 80]
    >>> areas = gpd.GeoDataFrame(
    ...     {"population": people},
    ...     geometry=[box(100 * i, 0, 100 * i + 100, 100) for i in range(6)],
    ...     crs=27700,
    ... )
    >>> points = [Point(100 * i + 50, 50) for i, k in enumerate(crimes) for _ in range(k)]
    >>> rates = crime_rates(gpd.GeoDataFrame(geometry=points, crs=27700), areas)
    >>> rates.rate.round(1).tolist()
    [150.0, 12.0, 6.7, 6.0, 8.9, 5.0]
    >>> rates.smoothed_rate.round(1).tolist()
    [11.4, 11.8, 6.7, 6.1, 8.8, 5.1]
    """
    if not isinstance(areas, gpd.GeoDataFrame):
        raise TypeError(
            f"`areas` must be a GeoDataFrame of polygons with a population column; got "
            f"{type(areas).__name__}."
        )
    require_polygons(areas, name="areas")
    per = require_positive(per, name="per")
    confidence = require_probability(confidence, name="confidence")
    if smoothing is not None:
        check_option(smoothing, Smoothing, name="smoothing")
    check_option(missing_population, MissingPopulation, name="missing_population")
    if spatial_weights is not None and smoothing != "local":
        raise ValueError(
            f"`spatial_weights` applies to smoothing='local' only; got smoothing={smoothing!r}. "
            "Drop `spatial_weights`, or pass smoothing='local'."
        )
    people, population_name = _population(areas, population)
    if (np.isinf(people) | (people < 0)).any():
        bad = np.isinf(people) | (people < 0)
        raise ValueError(
            f"`population` must be finite and >= 0; the areas {_labels(areas.index, bad)} "
            "have negative or infinite values. Fix them first."
        )
    count, harm, position, n_outside = _event_counts(events, areas, weights)
    missing = np.isnan(people) | (people == 0)
    if missing.any() and missing_population == "raise":
        raise ValueError(
            f"`population` is missing or zero for {int(missing.sum())} areas "
            f"({_labels(areas.index, missing)}), so they have no rate. Fill them, drop "
            "those areas, or pass missing_population='drop' to leave them out (counted)."
        )
    keep = ~missing
    if not keep.any():
        raise ValueError("`population` is missing or zero for every area; there is no rate.")
    n_events = len(position) if position is not None else int(count.sum())
    n_in_dropped = int(count[missing].sum())
    count, people = count[keep], people[keep]
    harm = harm[keep] if harm is not None else None
    kept = areas.loc[keep, [areas.geometry.name]].copy()
    rate = count / people * per
    low, high = garwood_interval(count, confidence)
    smoothed = None
    hood = None
    described = None
    variance = float("nan")
    truncated = 0
    if smoothing == "global":
        eb, between, negative = global_eb(count, people)
        smoothed, variance, truncated = eb * per, float(between[0]), int(negative[0])
    elif smoothing == "local":
        hood, described = _neighbourhood(areas, spatial_weights, keep)
        eb, flags = local_eb(count, people, hood)
        smoothed, truncated = eb * per, int(flags.sum())
    counts = {
        "n_events": n_events,
        "n_used": int(count.sum()),
        "n_outside": n_outside,
        "n_areas": len(areas),
        "n_areas_used": int(keep.sum()),
        "n_areas_dropped": int(missing.sum()),
        "n_events_in_dropped_areas": n_in_dropped,
        "n_areas_no_events": int((count == 0).sum()),
        "n_variance_truncated": truncated,
    }
    if hood is not None:
        counts["n_areas_no_neighbours"] = int((np.diff(hood.indptr) == 1).sum())
    parameters = {
        "events": events if isinstance(events, str) else "points",
        "population": population_name,
        "per": per,
        "weights": (weights if isinstance(weights, str) else "weights")
        if weights is not None
        else None,
        "confidence": confidence,
        "interval": "exact Poisson (Garwood)",
        "smoothing": smoothing,
        "spatial_weights": (
            (
                spatial_weights
                if isinstance(spatial_weights, str)
                else type(spatial_weights).__name__
            )
            if spatial_weights is not None
            else ("queen" if smoothing == "local" else None)
        ),
        "neighbours": described,
        "missing_population": missing_population,
        "global_rate": float(count.sum() / people.sum() * per),
        "between_area_variance": variance * per**2 if smoothing == "global" else None,
        "crs": str(areas.crs),
    }
    return CrimeRates(
        geometry=kept.geometry,
        count=count.astype(np.int64),
        harm=harm,
        population=people,
        rate=rate,
        ci_low=low / people * per,
        ci_high=high / people * per,
        harm_rate=harm / people * per if harm is not None else None,
        smoothed_rate=smoothed,
        neighbourhood=hood,
        parameters=parameters,
        counts=counts,
        notes=tuple(rates_notes(counts, parameters, _labels(areas.index, missing))),
    )


def _neighbourhood(
    areas: gpd.GeoDataFrame, spatial_weights: Any, keep: NDArray[np.bool_]
) -> tuple[sparse.csr_array, str]:
    """Binary neighbourhoods (self included) of the kept areas, built on all areas."""
    geometry = areas.geometry.reset_index(drop=True)
    built = build_weights(
        "queen" if spatial_weights is None else spatial_weights,
        n=len(areas),
        index=areas.index,
        centroids=lambda: np.column_stack(
            [geometry.representative_point().x, geometry.representative_point().y]
        ),
        geometry=geometry,
        grid=None,
        distance_m=None,
        k=None,
        star=False,
    )
    where = np.flatnonzero(keep)
    matrix = sparse.csr_array(built.matrix)[where][:, where]
    return neighbourhood(sparse.csr_array(matrix)), built.description
