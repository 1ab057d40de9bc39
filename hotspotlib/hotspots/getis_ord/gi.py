"""Getis-Ord local statistics Gi* and Gi with the general (any-weights) z-score.

For unit i with weights ``w_ij`` (Gi*: ``w_ii`` included; Gi: excluded), n values
``x`` with population mean ``x_bar`` and standard deviation ``S`` (Gi: over the
``N = n - 1`` other values), ``W_i = sum_j w_ij`` and ``S1_i = sum_j w_ij^2``::

    z_i = (sum_j w_ij x_j - x_bar W_i) / (S * sqrt((N S1_i - W_i^2) / (N - 1)))

(Ord & Getis 1995; ArcGIS Hot Spot Analysis). Rescaling a row of weights leaves z_i
unchanged, so row-standardised or distance-decay weights are handled correctly. esda's
``G_Local`` uses the cardinality where this uses ``S1_i``, which agrees only for 0/1
weights; with binary weights the two are identical.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from hotspotlib._chunk_map import check_client
from hotspotlib._frozen import lock_in_place
from hotspotlib._options import Alternative, WeightsKind
from hotspotlib._validation import as_rng, check_option, require_type, require_varying
from hotspotlib.hotspots._information import check_islands
from hotspotlib.hotspots._local_common import check_local_options
from hotspotlib.hotspots._weights_given import check_weight_arguments
from hotspotlib.hotspots.getis_ord._g_scores import coded_sums, local_g_scores
from hotspotlib.hotspots.getis_ord._gi_steps import (
    GI_CONVENTIONS,
    Draws,
    gi_notes,
    gi_parameters,
    gi_tests,
    neighbourhood_sums,
)
from hotspotlib.hotspots.getis_ord.gi_result import GiStar
from hotspotlib.hotspots.units import resolve_units
from hotspotlib.hotspots.weights import weights_for_units

__all__ = ["GI_CONVENTIONS", "gi_star", "local_g_scores"]


def gi_star(
    units: Any,
    *,
    value: str | ArrayLike | None = None,
    spatial_weights: WeightsKind | Any = "distance_band",
    distance_m: float | None = None,
    k: int | None = None,
    star: bool = True,
    alternative: Alternative = "two-sided",
    n_permutations: int = 0,
    rng: int | np.random.Generator | None = None,
    fdr: bool = True,
    alpha: float = 0.05,
    progress: bool = False,
    client: Any = None,
) -> GiStar:
    """Getis-Ord Gi* (or Gi) hot-spot statistics for areas, points or grid cells.

    Parameters
    ----------
    units : GeoDataFrame, EventCounts or Grid
        Polygons or points with a value column; the result of
        :func:`~hotspotlib.count_events` (grid or place counts); or a :class:`Grid`
        with ``value`` an array. Distance-based weights need a projected CRS in metres.
    value : str or array-like, optional
        Column of ``units`` or one value per unit (a Series is matched to the units by
        index label). For counts: ``"count"``,
        ``"weight_sum"`` or None (the weighted sum when the counts have weights, else
        the count).
    spatial_weights : str, libpysal Graph or W, or scipy sparse matrix
        ``"distance_band"`` (binary, **inclusive** ``d <= distance_m`` between unit
        centres: point coordinates, polygon centroids or cell centres), ``"knn"`` (the
        ``k`` nearest other units, binary, not symmetrised; ties at the k-th distance
        are broken by the KD-tree's order), ``"queen"``/``"rook"`` (contiguity of
        polygons; on a grid, the cells sharing a corner / an edge), ``"kernel"``
        (quartic ``(1 - (d/R)^2)^2`` with ``R = distance_m``), or weights built
        elsewhere, used as given (matched to the units by id when the ids equal the
        index, else by position) and never modified.
    distance_m : float, optional
        Band or kernel radius in metres, for ``"distance_band"`` and ``"kernel"`` only
        (an error with other weights). Without it a distance band is the smallest
        giving every unit a neighbour (ArcGIS's default).
    k : int, optional
        Number of neighbours for ``spatial_weights="knn"`` only (default 8).
    star : bool
        True for Gi* (each unit in its own neighbourhood, self-weight 1 for named
        weights), False for Gi.
    alternative : {"two-sided", "greater", "less"}
        Alternative of ``p_value`` and ``q_value``. Two-sided is ArcGIS's convention.
        esda's ``p_norm`` is one-sided in the direction of z, ``P(Z >= |z|)``: half of
        the two-sided p-value (``"greater"`` for hot and ``"less"`` for cold spots).
        ``bin`` always comes from two-sided p-values (ArcGIS's bins), whatever this is.
    n_permutations : int
        0 for analytic (normal) p-values; else the number B of conditional
        randomisations, and ``p_value = (1 + #extreme) / (B + 1)``.
    rng : int, Generator or None
        Seed for the permutations.
    fdr : bool
        Bins from Benjamini-Hochberg q-values (True, as ArcGIS's FDR option) or raw
        p-values (False).
    alpha : float
        Level for counting significant units in the summary.
    progress : bool
        Show a progress bar during permutations.
    client : distributed.Client, optional
        Run the permutation counting on this Dask cluster (with ``n_permutations``).
        The draws are made here from ``rng`` exactly as without a client, so the
        p-values are identical with or without a client and for any number of workers.

    Returns
    -------
    GiStar
        ``z_score``, ``p_value``, ``q_value``, ``bin`` ... per unit; ``.to_frame()``.

    Raises
    ------
    ValueError
        For values with zero variance, NaN values, fewer than 3 units, a geographic
        CRS with distance-based weights, points with contiguity weights, weights of the
        wrong size or with negative entries, or bad options.

    See Also
    --------
    GiStar : The returned statistics.
    optimized_hotspots : Gi* with every setting chosen from the data.
    local_moran : Clusters and outliers.
    general_g : One global test for clustering.

    Notes
    -----
    To reproduce ArcGIS Hot Spot Analysis: ``spatial_weights="distance_band"`` with its
    distance (or none, for its default), Gi* (``star=True``); ArcGIS's ``GiZScore`` is
    ``z_score``, ``GiPValue`` is ``p_analytic`` (two-sided), ``Gi_Bin`` is ``bin`` with
    ``fdr`` set like the tool's FDR option. ``NNeighbors`` is "the neighbours used in
    the calculation"; Esri does not say whether the feature itself is counted, so it
    is ``n_neighbours`` or ``n_neighbours + 1``. To reproduce esda ``G_Local(y, w,
    transform="B", star=True)``: the same ``w``; ``Zs`` is ``z_score``, ``Gs`` is
    ``gi`` and ``p_norm`` is ``p_analytic / 2``.

    On a square grid with a distance band, queen, rook or kernel weights the sums are
    correlations of the raster with one stencil (no weights matrix); they equal the
    sparse-matrix results. A ``distance_m`` wider than the grid gives a stencil only
    as wide as the grid (offsets beyond it meet only cells outside, zeros in the sums),
    so the answer is the one the full band would give, without the memory: 10,000 km on
    a 250 m grid is every cell's neighbourhood, not an 80,001-cell-wide stencil. With
    whole-number values (counts) and 0/1 weights, Gi* z, p, q and bins are computed once
    per distinct pair of neighbourhood sum and weight sum (a few thousand on a city grid)
    and gathered back: the same values, in a fraction of the time on millions of cells.
    Islands (no neighbour besides themselves) get NaN z and p,
    bin 0, and are counted in ``n_islands``; they do not count as tests for the FDR.

    References
    ----------
    .. [1] Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of
       distance statistics. Geographical Analysis 24(3), 189-206.
       https://doi.org/10.1111/j.1538-4632.1992.tb00261.x
    .. [2] Ord, J. K. and Getis, A. (1995). Local spatial autocorrelation statistics:
       distributional issues and an application. Geographical Analysis 27(4), 286-306.
       https://doi.org/10.1111/j.1538-4632.1995.tb00912.x
    .. [3] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a
       practical and powerful approach to multiple testing. Journal of the Royal Statistical
       Society B 57(1), 289-300. https://doi.org/10.1111/j.2517-6161.1995.tb02031.x

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=1)
    >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    >>> result = hs.gi_star(counts, distance_m=750)
    >>> frame = result.to_frame()
    >>> list(frame.columns[:4])
    ['value', 'gi', 'expected', 'z_score']
    >>> bool((frame["bin"] == 3).any())
    True
    """
    check_option(alternative, Alternative, name="alternative")
    resolved = resolve_units(units, value)
    check_weight_arguments(spatial_weights, distance_m, k, points=resolved.is_points)
    n_perm, level, fdr = check_local_options(n_permutations, alpha, fdr)
    require_type(star, (bool, np.bool_), name="star", expected="True (Gi*) or False (Gi)")
    check_client(client)
    x = require_varying(
        resolved.values,
        name="value",
        minimum=3,
        fix="Gi* compares each neighbourhood with the mean of at least 3 units; check the "
        "value column.",
    )
    sums = neighbourhood_sums(resolved, spatial_weights, distance_m, k, star=bool(star))
    # Counts with 0/1 weights: scores and tests once per distinct pair of sums.
    by_code = bool(star) and sums.binary and not n_perm
    coded = coded_sums(sums.lag, sums.weight_sum, x) if by_code else None
    if coded is not None:
        sums.release()  # 16 bytes per unit less while the results are gathered
    scores = (
        coded.gather(coded.table)
        if coded is not None
        else local_g_scores(
            lag=sums.lag,
            weight_sum=sums.weight_sum,
            weight_sq_sum=sums.weight_sq_sum,
            n_neighbours=sums.n_neighbours,
            x=x,
            star=bool(star),
        )
    )
    check_islands(
        scores["island"],
        centroids=resolved.centroids,
        distance_m=sums.distance_m,
        description=sums.description,
        function="gi_star",
    )
    if n_perm and sums.spatial is None:  # permutations draw neighbours from the weights
        sums.spatial = weights_for_units(
            resolved, spatial_weights, distance_m=sums.distance_m, k=k, star=bool(star)
        )
    draws = Draws(sums.spatial, x, n_perm, as_rng(rng), progress, client)
    tests = (
        coded.tests(alternative=alternative, fdr=fdr)
        if coded is not None
        else gi_tests(scores["z_score"], draws, alternative=alternative, fdr=fdr)
    )
    coded = None  # every result is gathered: free the codes (4 bytes per unit)
    options: dict[str, Any] = {
        "star": bool(star),
        "alternative": alternative,
        "fdr": fdr,
        "alpha": level,
    }
    # Fresh arrays are locked where they are: no second copy of each at scale.
    scores = {name: lock_in_place(array) for name, array in scores.items()}
    tests = {k: lock_in_place(v) if isinstance(v, np.ndarray) else v for k, v in tests.items()}
    return GiStar(
        units=resolved.source,
        value=x,
        gi=scores["gi"],
        expected=scores["expected"],
        z_score=scores["z_score"],
        n_neighbours=np.asarray(sums.n_neighbours, dtype=np.int64),
        value_name=resolved.value_name,
        n_permutations=n_perm,
        distance_m=sums.distance_m,
        method=sums.method,
        n_islands=int(scores["island"].sum()),
        n_undefined=int(scores["undefined"].sum()),
        parameters=gi_parameters(resolved, sums, tests, n_perm=n_perm, rng=rng, **options),
        notes=gi_notes(scores, tests, n_perm=n_perm, fdr=fdr, alpha=level),
        **options,
        **tests,
    )
