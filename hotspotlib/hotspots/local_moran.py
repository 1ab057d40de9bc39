"""Anselin's local Moran's I (LISA): clusters of high or low values and spatial outliers.

For n values with mean ``x_bar``, deviations ``d = x - x_bar``, ``m2 = sum(d^2) / n``
and weights ``w_ij`` (the diagonal ignored; row-standardised by default)::

    I_i = (n - 1) / n * d_i * sum_j w_ij d_j / m2

which is esda's ``Moran_Local.Is`` (``(n - 1) z_i lag(z)_i / sum(z^2)`` with ``z``
standardised by the population standard deviation): Anselin's (1995) ``I_i`` times
``(n - 1) / n``. Under total randomisation (every permutation of the values over the
units equally likely) its exact mean and variance are, with ``W_i = sum_j w_ij``,
``S_i = sum_j w_ij^2`` and kurtosis ``b2 = m4 / m2^2``::

    E[I_i]   = -W_i / n
    Var[I_i] = ((n-1)/n)^2 * (S_i (n - b2)/(n-1) + (W_i^2 - S_i)(2 b2 - n)/((n-1)(n-2))
                              - W_i^2/(n-1)^2)

(Anselin 1995, in the form of Sokal et al. 1998). esda's ``EI`` and ``VI`` are the
moments of Anselin's ``I_i = n/(n-1) * Is``, so ``expected = EI * (n-1)/n`` and
``variance = VI * ((n-1)/n)^2``; the z-score is the same either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from hotspotlib._options import WeightsKind
from hotspotlib._validation import as_rng, require_type, require_varying
from hotspotlib.hotspots._information import check_islands
from hotspotlib.hotspots._local_common import check_local_options, sparse_sums
from hotspotlib.hotspots._weights_given import check_weight_arguments
from hotspotlib.hotspots.inference import adjust_pvalues, conditional_permutation_p, normal_p
from hotspotlib.hotspots.local_moran_result import (
    LocalMoran,
    cluster_types,
    local_moran_notes,
    moran_counts,
    moran_parameters,
)
from hotspotlib.hotspots.units import Units, resolve_units
from hotspotlib.hotspots.weights import SpatialWeights, weights_for_units

__all__ = ["local_moran", "local_moran_scores"]


def local_moran_scores(neighbours: sparse.csr_array, x: NDArray[np.float64]) -> dict[str, Any]:
    """Local Moran's I, its moments under total randomisation, z and quadrants.

    ``neighbours`` are the weights with an empty diagonal, already transformed (row
    standardised or not). Units without neighbours (islands) get ``I = 0`` (an empty
    sum), NaN z and quadrant 0; units whose variance is zero get NaN z.

    Returns
    -------
    dict
        ``local_i``, ``expected``, ``variance``, ``z_score``, ``standardised_value``,
        ``standardised_lag``, ``quadrant`` (1 HH, 2 LH, 3 LL, 4 HL; 0 for islands) and
        boolean ``island``, ``undefined``.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> chain = sparse.csr_array(np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0.0]]))
    >>> scores = local_moran_scores(chain, np.array([1.0, 2.0, 6.0]))
    >>> scores["local_i"].round(4).tolist(), scores["quadrant"].tolist()
    ([0.2857, -0.0714, -0.4286], [3, 2, 4])
    """
    n = x.size
    centred = x - x.mean()
    z = centred / x.std()
    lag, weight_sum, weight_sq_sum, links = sparse_sums(neighbours, z)
    local_i = (n - 1) * z * lag / float(z @ z)
    m2 = float(centred @ centred) / n
    b2 = float(np.sum(centred**4)) / n / m2**2
    n1 = n - 1.0
    anselin = (
        weight_sq_sum * (n - b2) / n1
        + (weight_sum**2 - weight_sq_sum) * (2.0 * b2 - n) / (n1 * (n - 2.0))
        - (weight_sum / n1) ** 2
    )
    shrink = n1 / n
    expected = -weight_sum / n
    variance = shrink**2 * anselin
    island = links == 0
    undefined = ~island & (variance <= 1e-14 * np.maximum(weight_sq_sum, 1e-300))
    with np.errstate(invalid="ignore", divide="ignore"):
        z_score = (local_i - expected) / np.sqrt(variance)
    z_score[island | undefined] = np.nan
    high, lag_high = z > 0, lag > 0
    quadrant = np.select(
        [high & lag_high, ~high & lag_high, ~high & ~lag_high], [1, 2, 3], default=4
    ).astype(np.int8)
    quadrant[island] = 0
    return {
        "local_i": local_i,
        "expected": expected,
        "variance": variance,
        "z_score": z_score,
        "standardised_value": z,
        "standardised_lag": lag,
        "quadrant": quadrant,
        "n_neighbours": links,
        "island": island,
        "undefined": undefined,
    }


def local_moran(
    units: Any,
    *,
    value: str | ArrayLike | None = None,
    spatial_weights: WeightsKind | Any = "distance_band",
    distance_m: float | None = None,
    k: int | None = None,
    row_standardise: bool = True,
    n_permutations: int = 999,
    rng: int | np.random.Generator | None = None,
    fdr: bool = True,
    alpha: float = 0.05,
    progress: bool = False,
) -> LocalMoran:
    """Anselin's local Moran's I: High-High and Low-Low clusters, High-Low and Low-High outliers.

    ArcGIS's "Cluster and Outlier Analysis (Anselin Local Moran's I)" and esda's
    ``Moran_Local``: each unit's deviation from the mean times the weighted average
    deviation of its neighbours. A significant positive ``I_i`` is a cluster
    (High-High or Low-Low), a significant negative one an outlier (High-Low: a high
    value among low ones; Low-High).

    Parameters
    ----------
    units : GeoDataFrame, EventCounts or Grid
        As for :func:`~hotspotlib.gi_star`: polygons or points with a value column, the
        result of :func:`~hotspotlib.count_events`, or a :class:`Grid` with ``value``
        an array.
    value : str or array-like, optional
        Column of ``units`` or one value per unit (a Series is matched by index label);
        for counts ``"count"``, ``"weight_sum"`` or None (the weighted sum when the
        counts have weights, else the count). Negative values are allowed.
    spatial_weights : str, libpysal Graph or W, or scipy sparse matrix
        As for :func:`~hotspotlib.gi_star`: ``"distance_band"`` (default; binary,
        ``d <= distance_m`` between centres, or without ``distance_m`` the smallest
        band giving every unit a neighbour), ``"knn"``, ``"queen"``/``"rook"``
        (contiguity; on a square grid the 8 / 4 surrounding cells), ``"kernel"``, or
        weights built elsewhere (used as given, never modified). The diagonal is
        ignored: ``I_i`` sums over the other units only.
    distance_m : float, optional
        Band or kernel radius in metres (``"distance_band"`` and ``"kernel"`` only).
    k : int, optional
        Neighbours for ``spatial_weights="knn"`` only (default 8).
    row_standardise : bool
        Divide each row of weights by its sum (True, as esda's default
        ``transformation="r"`` and ArcGIS's "Row" standardisation), so the lag is the
        neighbours' weighted mean; False uses the weights as they are (esda's "B" for
        binary weights).
    n_permutations : int
        Number B of conditional randomisations (default 999, as esda; ArcGIS uses
        499); 0 for analytic (normal) p-values only. The normal approximation is poor
        for local Moran's I (Anselin 1995), so permutation p-values are the default.
    rng : int, Generator or None
        Seed for the permutations; the same seed gives the same result.
    fdr : bool
        Classify from Benjamini-Hochberg q-values (True, as :func:`gi_star`; ArcGIS's
        "Apply False Discovery Rate Correction") or from raw p-values (False).
    alpha : float
        Significance level of the classification (``cluster_type``).
    progress : bool
        Show a progress bar during permutations.

    Returns
    -------
    LocalMoran
        ``local_i``, ``expected``, ``variance``, ``z_score``, ``p_value``, ``q_value``,
        ``quadrant`` and ``cluster_type`` per unit; ``.to_frame()``, ``.summary()``,
        ``.plot()``.

    Raises
    ------
    ValueError
        For values with zero variance, NaN values, fewer than 3 units, a geographic
        CRS with distance-based weights, points with contiguity weights, weights of the
        wrong size, with negative entries or giving no unit a neighbour, so many
        permutations that their tables of draws would not fit in memory, or bad options.
    TypeError
        For a non-boolean ``row_standardise``, ``fdr`` or ``progress``, or ``units`` of
        the wrong type.

    See Also
    --------
    gi_star : Getis-Ord hot spots (high or low values, without outliers).
    general_g : global test for clustering of high or low values.

    Notes
    -----
    ``local_i`` equals esda's ``Moran_Local(y, w, transformation="r").Is`` with the
    same ``w``, and ``quadrant`` its ``q`` (PySAL codes: 1 HH, 2 LH, 3 LL, 4 HL; a
    unit's value is "high" when above the mean, its lag when the weighted deviations of
    its neighbours sum above zero). ``expected`` and ``variance`` are the exact moments
    of ``local_i`` under total randomisation (Anselin 1995); esda's ``EI`` and ``VI``
    are those of ``n/(n-1) * Is``, so ``EI = expected * n/(n-1)`` and ``VI = variance *
    (n/(n-1))^2``; ``z_score = (local_i - expected) / sqrt(variance)`` is unchanged by
    that scale. esda gives no analytic z for ``Moran_Local``; its ``z_sim`` is the
    z-score against the simulated mean and spread, not this one.

    ``p_value`` is two-sided. With permutations it is the conditional-randomisation
    pseudo p-value, equal-tailed: unit i's value held fixed, its neighbours' values
    drawn without replacement from the other n - 1, and ``p = min(1, 2 * (1 +
    min(#sim >= I_i, #sim <= I_i)) / (B + 1))``, twice the smaller tail (the null
    distribution of ``I_i`` is skewed, so folding about its mean would hide outliers in
    skewed counts). It lies in ``[2/(B+1), 1]``. Units are split into groups with
    independent draws (see
    :func:`~hotspotlib.hotspots.inference.conditional_permutation_p`); esda shares one
    table of draws among all units. esda's ``p_sim`` is the one-sided
    ``(1 + min(#sim >= I_i, #sim < I_i)) / (B + 1)``, the tail on the observed side:
    ``min(1, 2 * p_sim)`` is this ``p_value`` up to ties and random draws, and
    ``p_value / 2`` reproduces ``p_sim``. Without permutations ``p_value`` is the
    two-sided normal p of ``z_score`` (esda has no such p). A unit whose value equals
    the mean has ``I_i = 0`` under every conditional permutation: its permutation p is 1.

    ``cluster_type`` is "High-High", "Low-Low", "High-Low" or "Low-High" (the quadrant)
    where ``q_value`` (``fdr=True``) or ``p_value`` (``fdr=False``) is <= ``alpha``,
    else "not significant"; islands (no neighbour) are "no neighbours", with NaN z and p,
    and are not counted as tests for the FDR. esda's ``get_cluster_labels(alpha)``
    classifies on its one-sided ``p_sim``, so at the same alpha it flags more units.
    ArcGIS's ``LMiIndex`` divides by the variance of the other units' deviations rather
    than of all units, so it differs from ``local_i`` by a factor close to 1 in large
    samples; its COType classes follow the same quadrants.

    References
    ----------
    .. [1] Anselin, L. (1995). Local indicators of spatial association - LISA.
       Geographical Analysis 27(2), 93-115. doi:10.1111/j.1538-4632.1995.tb00338.x
    .. [2] Sokal, R. R., Oden, N. L. and Thomson, B. A. (1998). Local spatial
       autocorrelation in a biological model. Geographical Analysis 30(4), 331-354.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=1)
    >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    >>> result = hs.local_moran(counts, spatial_weights="queen", rng=1)
    >>> frame = result.to_frame()
    >>> list(frame.columns[:4])
    ['value', 'local_i', 'expected', 'variance']
    >>> bool((frame["cluster_type"] == "High-High").any())
    True
    """
    resolved = resolve_units(units, value)
    check_weight_arguments(spatial_weights, distance_m, k, points=resolved.is_points)
    n_perm, level, fdr = check_local_options(n_permutations, alpha, fdr)
    for name, flag, meaning in (
        ("row_standardise", row_standardise, "divide each row of weights by its sum"),
        ("progress", progress, "show a progress bar"),
    ):
        require_type(flag, (bool, np.bool_), name=name, expected=f"True ({meaning}) or False")
    x = require_varying(
        resolved.values,
        name="value",
        minimum=3,
        fix="Local Moran's I compares each unit with the mean of at least 3 units; check "
        "the value column.",
    )
    spatial = weights_for_units(resolved, spatial_weights, distance_m=distance_m, k=k, star=False)
    neighbours = _neighbours(spatial, resolved, standardise=bool(row_standardise))
    scores = local_moran_scores(neighbours, x)
    scale = max(float(np.max(np.abs(x))), 1e-300)
    at_mean = ~scores["island"] & (np.abs(x - x.mean()) <= 1e-12 * scale)
    p_analytic = normal_p(scores["z_score"])
    draws = (n_perm, as_rng(rng), bool(progress))
    p_permutation = _permutation_p(neighbours, x, scores["island"], at_mean, draws)
    p_value = p_permutation if p_permutation is not None else p_analytic
    q_value = adjust_pvalues(p_value, method="fdr_bh")
    cluster_type = cluster_types(scores, q_value if fdr else p_value, alpha=level)
    counts = moran_counts(scores, cluster_type, at_mean)
    options: dict[str, Any] = {
        "row_standardised": bool(row_standardise),
        "n_permutations": n_perm,
        "fdr": fdr,
    }
    return LocalMoran(
        units=resolved.source,
        value=x,
        local_i=scores["local_i"],
        expected=scores["expected"],
        variance=scores["variance"],
        z_score=scores["z_score"],
        p_value=p_value,
        p_analytic=p_analytic,
        p_permutation=p_permutation,
        q_value=q_value,
        quadrant=scores["quadrant"],
        cluster_type=cluster_type,
        n_neighbours=np.asarray(scores["n_neighbours"], dtype=np.int64),
        standardised_value=scores["standardised_value"],
        standardised_lag=scores["standardised_lag"],
        parameters=moran_parameters(resolved, spatial, alpha=level, rng=rng, **options),
        counts=counts,
        notes=local_moran_notes(counts, p_value, alpha=level, n_perm=n_perm, fdr=fdr),
    )


def _neighbours(spatial: SpatialWeights, units: Units, *, standardise: bool) -> sparse.csr_array:
    """Return the weights without their diagonal (row-standardised if asked), islands told."""
    neighbours = spatial.off_diagonal()
    check_islands(
        np.diff(neighbours.indptr) == 0,
        centroids=units.centroids,
        distance_m=spatial.distance_m,
        description=spatial.description,
        function="local_moran",
    )
    return _row_standardised(neighbours) if standardise else neighbours


def _permutation_p(
    neighbours: sparse.csr_array,
    x: NDArray[np.float64],
    island: NDArray[np.bool_],
    at_mean: NDArray[np.bool_],
    draws: tuple[int, np.random.Generator, bool],
) -> NDArray[np.float64] | None:
    """Return the equal-tailed conditional-permutation p-values (None for B = 0)."""
    n_perm, rng, progress = draws
    if not n_perm:
        return None
    # With the unit's value fixed, I_i is an affine function of the lag sum_j w_ij x_j
    # (slope proportional to x_i - x_bar), so the equal-tailed test of the lag is the
    # equal-tailed test of I_i (the two tails swap where x_i is below the mean).
    p = conditional_permutation_p(
        neighbours,
        x,
        alternative="two-sided",
        n_permutations=n_perm,
        rng=rng,
        progress=progress,
        equal_tailed=True,
    )
    p[at_mean] = 1.0
    p[island] = np.nan
    return p


def _row_standardised(matrix: sparse.csr_array) -> sparse.csr_array:
    """Divide each row by its sum (rows without weights stay empty); a new matrix."""
    sums = np.asarray(matrix.sum(axis=1)).ravel()
    result = sparse.csr_array(matrix, copy=True)
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    result.data = result.data / sums[rows]
    return result
