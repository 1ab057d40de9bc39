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

from hotspotlib._validation import (
    check_option,
    require_array,
    require_exclusive,
    require_polygons,
    require_positive,
    require_probability,
    require_relevant,
    require_some_inside,
    require_type,
    require_weights,
    require_within,
)
from hotspotlib.hotspots._rates_math import garwood_interval, smooth_rates
from hotspotlib.hotspots._scores import per_place
from hotspotlib.hotspots.grid import locate_events
from hotspotlib.hotspots.rates_result import CrimeRates, rates_notes

__all__ = ["crime_rates"]

Smoothing = Literal["global", "local"]
MissingPopulation = Literal["raise", "drop"]


def _labels(index: pd.Index, mask: NDArray[np.bool_], limit: int = 5) -> str:
    named = [repr(v) for v in index[mask][:limit]]
    more = f" and {int(mask.sum()) - limit} more" if mask.sum() > limit else ""
    return ", ".join(named) + more


def _population(
    areas: gpd.GeoDataFrame, population: Any, missing_population: str
) -> tuple[NDArray[np.float64], str]:
    """Residents per area (NaN where missing); refuses negative values, and missing ones."""
    people = per_place(
        areas,
        population,
        name="population",
        index=areas.index,
        table="`areas`",
        what="area",
        fix="Pass the column of residents, e.g. population='residents', or one number per area.",
    )
    missing = np.isnan(people) | (people == 0)
    wrong = ~missing & (np.isinf(people) | (people < 0))
    require_within(
        people[~missing],
        name="population",
        low=0,
        fix=f"The areas {_labels(areas.index, wrong)} have negative or infinite values; "
        "fix them first.",
    )
    if missing.all():
        fix = (
            f"It is missing or zero for every area ({len(people)}), so no area has a rate; "
            "give the residents per area."
        )
    else:
        fix = (
            f"It is missing or zero for {int(missing.sum())} areas "
            f"({_labels(areas.index, missing)}), which have no rate: fill them, drop those "
            "areas, or pass missing_population='drop' to leave them out (counted)."
        )
    if missing_population == "raise" or missing.all():
        require_within(people, name="population", low=0, low_open=True, fix=fix)
    return people, population if isinstance(population, str) else "population"


def _tally(
    events: Any, areas: gpd.GeoDataFrame, count: Any, weights: Any
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, int, int]:
    """Events (and harm) per area, events in all, and events outside every area.

    From event points by a point-in-polygon join, or from counts already made per area.
    """
    require_exclusive(
        {"events": None if events is None else type(events).__name__, "count": count},
        required=True,
        fix="Pass event points as `events`, or counts already made per area as `count=` "
        "with events=None.",
    )
    if count is not None:
        require_relevant(
            weights,
            name="weights",
            used=False,
            context="with `count` (counts already made per area)",
            fix="Weights are per event: pass the event points as `events` instead.",
        )
        name = f"areas[{count!r}]" if isinstance(count, str) else "count"
        values = per_place(
            areas,
            count,
            name="count",
            index=areas.index,
            table="`areas`",
            what="area",
            fix="Pass the name of a column of counts, or one count per area.",
        )
        values = require_array(
            values, name=name, length=len(areas), low=0, whole=True, fix="Fix them first."
        )
        return values, None, int(values.sum()), 0
    require_type(
        events,
        gpd.GeoDataFrame,
        name="events",
        expected="a GeoDataFrame of event points (counts already made per area go in "
        "`count=`, with events=None)",
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
    tally = np.bincount(position[inside], minlength=len(areas)).astype(float)
    harm = None
    if weight_values is not None:
        harm = np.bincount(
            position[inside], weights=weight_values[inside], minlength=len(areas)
        ).astype(float)
    return tally, harm, len(position), n_outside


def crime_rates(
    events: gpd.GeoDataFrame | None,
    areas: gpd.GeoDataFrame,
    *,
    count: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
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
    events : GeoDataFrame or None
        Event points in the CRS of ``areas``, each counted in the area that holds it.
        None when ``count`` gives counts already made per area.
    areas : GeoDataFrame
        Polygons (wards, boroughs, counties) in a projected CRS, one row per area.
    count : str or array-like, optional
        Counts already made per area, as published tables give them: a column of
        ``areas`` or one whole number per area (a Series is matched by label). Give
        ``events`` or ``count``, not both; ``weights`` need ``events``.
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
        CRS or all outside the areas, both or neither of ``events`` and ``count``,
        counts that are not whole numbers >= 0, ``weights`` with ``count``, a missing
        population column, negative or infinite populations, missing or zero
        populations (unless dropped), a non-positive ``per``, a ``confidence`` outside
        (0, 1), unknown options, or ``spatial_weights`` without ``smoothing="local"``.
    TypeError
        For ``areas`` or ``events`` that are not GeoDataFrames, or populations or
        counts that are not numbers.

    Warns
    -----
    HotspotlibWarning
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

    Counts already made per area (a published table) go in ``count``:

    >>> areas["crimes"] = crimes
    >>> crime_rates(None, areas, count="crimes").rate.round(1).tolist()
    [150.0, 12.0, 6.7, 6.0, 8.9, 5.0]
    """
    require_type(
        areas,
        gpd.GeoDataFrame,
        name="areas",
        expected="a GeoDataFrame of polygons with a population column",
    )
    require_polygons(areas, name="areas")
    per = require_positive(per, name="per")
    confidence = require_probability(confidence, name="confidence")
    if smoothing is not None:
        check_option(smoothing, Smoothing, name="smoothing")
    check_option(missing_population, MissingPopulation, name="missing_population")
    require_relevant(
        spatial_weights,
        name="spatial_weights",
        used=smoothing == "local",
        context=f"with smoothing={smoothing!r}",
        fix="Pass smoothing='local' to smooth towards the neighbours.",
    )
    people, population_name = _population(areas, population, missing_population)
    tally, harm, n_events, n_outside = _tally(events, areas, count, weights)
    missing = np.isnan(people) | (people == 0)
    keep = ~missing
    used, people = tally[keep], people[keep]
    harm = harm[keep] if harm is not None else None
    smoothed, hood, described, variance, truncated = smooth_rates(
        used, people, smoothing, areas, spatial_weights, keep
    )
    counts = {
        "n_events": n_events,
        "n_used": int(used.sum()),
        "n_outside": n_outside,
        "n_areas": len(areas),
        "n_areas_used": int(keep.sum()),
        "n_areas_dropped": int(missing.sum()),
        "n_events_in_dropped_areas": int(tally[missing].sum()),
        "n_areas_no_events": int((used == 0).sum()),
        "n_variance_truncated": truncated,
    }
    if hood is not None:
        counts["n_areas_no_neighbours"] = int((np.diff(hood.indptr) == 1).sum())
    parameters = {
        "events": "points" if events is not None else None,
        "count": _named(count, "values per area"),
        "population": population_name,
        "per": per,
        "weights": _named(weights, "weights"),
        "confidence": confidence,
        "interval": "exact Poisson (Garwood)",
        "smoothing": smoothing,
        "spatial_weights": _named(spatial_weights, type(spatial_weights).__name__)
        or ("queen" if smoothing == "local" else None),
        "neighbours": described,
        "missing_population": missing_population,
        "global_rate": float(used.sum() / people.sum() * per),
        "between_area_variance": variance * per**2 if smoothing == "global" else None,
        "crs": str(areas.crs),
    }
    low, high = garwood_interval(used, confidence)
    return CrimeRates(
        geometry=areas.geometry[keep].copy(),
        count=used.astype(np.int64),
        harm=harm,
        population=people,
        rate=used / people * per,
        ci_low=low / people * per,
        ci_high=high / people * per,
        harm_rate=harm / people * per if harm is not None else None,
        smoothed_rate=smoothed * per if smoothed is not None else None,
        neighbourhood=hood,
        parameters=parameters,
        counts=counts,
        notes=tuple(rates_notes(counts, parameters, _labels(areas.index, missing))),
    )


def _named(value: Any, otherwise: str) -> str | None:
    """How an input is recorded in ``parameters``: a column's name, else ``otherwise``."""
    if value is None:
        return None
    return value if isinstance(value, str) else otherwise
