"""Near repeats: the Knox test as the Near Repeat Calculator reports it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hotspotlib._chunk_map import check_client, chunk_seeds, map_chunks
from hotspotlib._options import DistanceMetric
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_allocation,
    require_array,
    require_columns,
    require_draws,
    require_points,
    require_range,
)
from hotspotlib.metrics._knox import (
    GapPlan,
    KnoxPairs,
    band_labels,
    count_table,
    estimate_pairs,
    gap_plan,
    list_pairs,
    parse_edges,
    parse_times,
    time_band_totals,
)
from hotspotlib.metrics.near_repeat_result import KnoxTest

__all__ = ["KnoxTest", "knox_test"]

_CHUNK = 25
"""Permutations per chunk (fixed: never tied to the number of workers)."""


def knox_test(
    events: gpd.GeoDataFrame,
    *,
    time: str = "timestamp",
    spatial_bands_m: Sequence[float] | ArrayLike,
    temporal_bands_days: Sequence[float] | ArrayLike,
    n_permutations: int = 99,
    rng: int | np.random.Generator | None = None,
    nrc_compatible: bool = False,
    metric: DistanceMetric = "euclidean",
    max_pairs: int = 20_000_000,
    progress: bool = False,
    dayfirst: bool | None = None,
    client: Any = None,
) -> KnoxTest:
    """Knox test for near repeats over distance and time bands (Near Repeat Calculator).

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres) with a time column.
    time : str
        Column with datetimes (compared as calendar dates, like the calculator) or
        numbers (days, compared as given).
    spatial_bands_m : sequence of float
        Upper edges of the distance bands, e.g. ``[100, 200, 300]``. A "same location"
        band and a "more than" band are added.
    temporal_bands_days : sequence of float
        Upper edges of the time bands, e.g. ``[2, 4]`` (0-2 days, 3-4 days); a "more
        than" band is added.
    n_permutations : int
        Permutations of the event times across locations (0: observed and exact
        expected counts only).
    rng : int, Generator or None
        Seed or generator for the permutations.
    nrc_compatible : bool
        Reproduce the Near Repeat Calculator's counts: its band "a to b" covers
        ``[a-1, b)`` (same location: under 1 m). By default bands mean what their labels
        say: same location is distance 0, then ``(0, e1], (e1, e2], ...`` metres and
        ``[0, f1], (f1, f2], ...`` days.
    metric : {"euclidean", "manhattan"}
        Distance between events.
    max_pairs : int
        Refuse, before listing them, more pairs than this within the largest band
        (estimated from a sample); use smaller bands or raise it if memory allows.
    progress : bool
        Show a progress bar over permutations.
    dayfirst : bool, optional
        Read slash dates in ``events[time]`` day-first (UK) or month-first; None lets
        the data settle it and refuses dates that could be either.
    client : distributed.Client, optional
        Run the permutations on this Dask cluster. They run in chunks of 25, each with
        its own seed spawned from ``rng`` (``numpy.random.SeedSequence(rng).spawn``),
        so the result is identical with or without a client and for any number of
        workers.

    Returns
    -------
    KnoxTest
        Observed, expected and simulated counts, Knox ratios, p-values and findings.

    Raises
    ------
    ValueError
        For fewer than 2 events, a missing or unparseable time column, bands that are
        not positive and increasing (above 1 m for ``nrc_compatible``), a bad metric, or
        too many pairs.

    See Also
    --------
    KnoxTest : The returned table of ratios and p-values.
    prospective_hotspots : Use near repeats to score cells.
    self_exciting : A model of the same space-time contagion.

    Notes
    -----
    Pairs closer than the largest distance band come from a KD-tree; the "more than"
    distance row is the total per time band (fixed under permutation, counted in
    O(n log n) from sorted times) minus the listed pairs, so all ``n(n-1)/2`` pairs are
    never formed. Each permutation shuffles times over locations and recounts the
    listed pairs only. ``expected`` is the exact permutation expectation
    ``N_s N_t / N`` (Kulldorff & Hjalmars 1999 for one threshold). For a single
    threshold, rows ``same location`` plus the first band and the first time column
    reproduce ``pointpats.Knox`` (``d <= delta``, ``|t| <= tau``).

    References
    ----------
    .. [1] Knox, E. G. (1964). The detection of space-time interactions. Journal of the
       Royal Statistical Society C (Applied Statistics) 13(1), 25-30.
    .. [2] Ratcliffe, J. H. (2009). Near Repeat Calculator (version 1.3). Temple University,
       Philadelphia, PA and the National Institute of Justice, Washington, DC.
    .. [3] Johnson, S. D., Bernasco, W., Bowers, K. J., Elffers, H., Ratcliffe, J., Rengert,
       G. and Townsley, M. (2007). Space-time patterns of risk: a cross national assessment
       of residential burglary victimization. Journal of Quantitative Criminology 23(3),
       201-219.
    .. [4] Kulldorff, M. and Hjalmars, U. (1999). The Knox method and other tests for
       space-time interaction. Biometrics 55(2), 544-552.
       https://doi.org/10.1111/j.0006-341X.1999.00544.x

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_500, rng=5)
    >>> result = knox_test(city.events, spatial_bands_m=[100, 200], temporal_bands_days=[7],
    ...                    n_permutations=19, rng=1)
    >>> result.observed.shape
    (4, 2)
    >>> int(result.observed.sum()) == result.n_pairs
    True
    """
    xy = require_points(events, name="events")
    require_columns(events, [time], name="events")
    check_client(client)
    as_rng(rng)
    check_option(metric, DistanceMetric, name="metric")
    spatial, temporal = _bands(spatial_bands_m, temporal_bands_days, nrc_compatible)
    n_perm = require_draws(n_permutations, name="n_permutations", usual=99)
    require_allocation(
        float(n_perm) * (spatial.size + 2) * (temporal.size + 1),
        8,
        name="n_permutations",
        what="table entries",
        fix="Use fewer permutations (99 or 999 is usual) or fewer bands.",
    )
    times, whole_days, unit = parse_times(
        events[time], name=f"events[{time!r}]", dayfirst=dayfirst, frame=events
    )
    require_array(times, name="events", min_length=2, fix="The Knox test pairs events.")
    p = 1.0 if metric == "manhattan" else 2.0
    _require_few_pairs(estimate_pairs(xy, float(spatial[-1]), p), spatial, max_pairs)
    pairs = list_pairs(xy, spatial, p=p, nrc=nrc_compatible)
    plan = gap_plan(times, temporal, pairs, nrc=nrc_compatible, whole_days=whole_days)
    totals = time_band_totals(times.astype(float), temporal, nrc=nrc_compatible)
    observed, simulated = _tables(pairs, plan, totals, n_perm, rng, progress, client)
    n = len(xy)
    labels = band_labels(spatial, temporal, nrc=nrc_compatible)
    return KnoxTest(
        observed=observed,
        simulated=simulated,
        **_statistics(observed, simulated, totals, n * (n - 1) // 2),
        distance_labels=labels[0],
        time_labels=labels[1],
        distance_intervals=labels[2],
        time_intervals=labels[3],
        spatial_bands_m=tuple(float(e) for e in spatial),
        temporal_bands_days=tuple(float(e) for e in temporal),
        n_events=n,
        n_pairs=n * (n - 1) // 2,
        n_permutations=n_perm,
        metric=metric,
        nrc_compatible=nrc_compatible,
        time_unit=unit,
    )


def _bands(
    spatial_bands_m: Any, temporal_bands_days: Any, nrc: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Check the band edges: positive, increasing; above 1 m for the calculator's bands."""
    spatial = parse_edges(spatial_bands_m, name="spatial_bands_m")
    temporal = parse_edges(temporal_bands_days, name="temporal_bands_days")
    if nrc:
        require_range(
            spatial[0],
            name="spatial_bands_m[0]",
            low=1,
            low_open=True,
            fix="With `nrc_compatible=True` the calculator's same-location band is [0, 1) m.",
        )
    return spatial, temporal


def _require_few_pairs(estimated: float, spatial: NDArray[np.float64], max_pairs: int) -> None:
    """Refuse, before listing them, more pairs within the largest band than ``max_pairs``."""
    require_allocation(
        estimated,
        40,
        name="spatial_bands_m",
        what=f"pairs of events within {spatial[-1]:g} m (estimated)",
        max_bytes=40.0 * max_pairs,
        fix=f"That is over `max_pairs` = {max_pairs:,}. Use smaller `spatial_bands_m`, fewer "
        "events, or raise `max_pairs` if you have the memory (about 40 bytes a pair).",
    )


def _tables(
    pairs: KnoxPairs,
    plan: GapPlan,
    totals: NDArray[np.float64],
    n_permutations: int,
    rng: int | np.random.Generator | None,
    progress: bool,
    client: Any = None,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Count pairs per band for the data and for each permutation of the times.

    Permutations run in chunks of ``_CHUNK``, each from its own seed spawned from
    ``rng``, so the tables are the same here and on any number of Dask workers.
    """
    observed = _full_table(count_table(pairs, None, plan), totals)
    sizes = [min(_CHUNK, n_permutations - s) for s in range(0, n_permutations, _CHUNK)]
    parts = map_chunks(
        _permuted_tables,
        list(zip(sizes, chunk_seeds(rng, len(sizes)), strict=True)),
        shared={"pairs": pairs, "plan": plan, "totals": totals},
        client=client,
        progress=progress,
        desc="Knox permutations (chunks)",
    )
    simulated = np.concatenate([observed[None][:0], *parts]).astype(np.int64)
    return observed, simulated


def _full_table(listed: NDArray[np.int64], totals: NDArray[np.float64]) -> NDArray[np.int64]:
    """Add the "more than" distance row: the time-band totals minus the listed pairs."""
    overflow = np.rint(totals - listed.sum(axis=0)).astype(np.int64)
    return np.vstack([listed, overflow[None, :]])


def _permuted_tables(
    chunk: tuple[int, np.random.SeedSequence],
    *,
    pairs: KnoxPairs,
    plan: GapPlan,
    totals: NDArray[np.float64],
) -> NDArray[np.int64]:
    """Count the tables of ``size`` permutations of the times drawn from the chunk's seed."""
    size, seed = chunk
    generator = np.random.default_rng(seed)
    n = plan.times.size
    tables = [  # permutations; each is vectorised over pairs
        _full_table(count_table(pairs, generator.permutation(n), plan), totals) for _ in range(size)
    ]
    return np.stack(tables).astype(np.int64)


def _statistics(
    observed: NDArray[np.int64],
    simulated: NDArray[np.int64],
    totals: NDArray[np.float64],
    all_pairs: int,
) -> dict[str, NDArray[np.float64]]:
    """Compute expected counts, Monte Carlo p-values and Knox ratios (NaN if no permutation)."""
    row_totals = observed.sum(axis=1).astype(float)
    n_permutations = simulated.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        if n_permutations:
            p_value = (1.0 + (simulated >= observed).sum(axis=0)) / (n_permutations + 1.0)
            ratio = observed / simulated.mean(axis=0)
            ratio_median = observed / np.median(simulated, axis=0)
        else:
            p_value = ratio = ratio_median = np.full(observed.shape, np.nan)
    return {
        "expected": np.outer(row_totals, totals) / all_pairs,
        "p_value": p_value,
        "knox_ratio": ratio,
        "knox_ratio_median": ratio_median,
    }
