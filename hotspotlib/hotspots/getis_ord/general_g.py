"""Getis-Ord General G: a global test for clustering of high (or low) values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy import sparse

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import Alternative, WeightsKind
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_allocation,
    require_draws,
    require_range,
    require_varying,
)
from hotspotlib.hotspots._information import check_islands
from hotspotlib.hotspots._weights_given import check_weight_arguments
from hotspotlib.hotspots.inference import normal_p
from hotspotlib.hotspots.units import resolve_units
from hotspotlib.hotspots.weights import weights_for_units

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["GeneralG", "general_g", "general_g_moments"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class GeneralG(FrozenResult):
    """Global General G with its analytic moments and optional permutation test.

    Attributes
    ----------
    g : float
        ``sum_{i != j} w_ij x_i x_j / sum_{i != j} x_i x_j``.
    expected, variance : float
        Mean and variance of G under random permutation of the values (Getis & Ord 1992).
    z_score, p_value : float
        ``(G - E[G]) / sqrt(Var[G])`` and its p-value (permutation p when computed).
    p_analytic, p_permutation : float
        Normal p-value, and the permutation p (NaN without permutations).
    simulated : numpy.ndarray or None
        The G of each permutation.
    parameters : Mapping
        Every input and automatic choice: the value, ``spatial_weights`` (what the
        weights are), the p-value kind and alternative (read-only).
    counts : Mapping
        Units analysed, islands (no neighbour) and permutations drawn (read-only).
    notes : tuple of str
        Conventions of the moments and of the p-value, and how esda's differ.

    See Also
    --------
    general_g : Compute one.

    References
    ----------
    .. [1] Getis and Ord (1992). https://doi.org/10.1111/j.1538-4632.1992.tb00261.x
    """

    _title: ClassVar[str] = "Getis-Ord General G"

    g: float
    expected: float
    variance: float
    z_score: float
    p_value: float
    p_analytic: float
    p_permutation: float
    n_units: int
    n_islands: int
    n_permutations: int
    alternative: str
    value_name: str
    simulated: NDArray[np.float64] | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return one row: ``estimate, expected, std_error, z_score, p_value, ...``."""
        return pd.DataFrame(
            {
                "statistic": ["General G"],
                "estimate": [self.g],
                "expected": [self.expected],
                "std_error": [np.sqrt(self.variance)],
                "z_score": [self.z_score],
                "p_value": [self.p_value],
                "p_analytic": [self.p_analytic],
                "p_permutation": [self.p_permutation],
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Units analysed, islands and permutations drawn."""
        return frozen_mapping(
            {
                "n_units": self.n_units,
                "n_islands": self.n_islands,
                "n_permutations": self.n_permutations,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Conventions of the moments and the p-value, and how esda's differ."""
        return (
            "Moments under random permutation of the values (Getis & Ord 1992), valid "
            "for any non-negative weights; the diagonal is ignored.",
            "esda.G converts the weights to binary and reports a one-sided p_norm "
            "(P(Z >= |z|)); with binary weights its z equals this z.",
            "G compares high-value with low-value clustering: a high positive z means "
            "high values cluster; values must be non-negative.",
        )

    def _summary_table(self) -> pd.DataFrame:
        """Return the test in one row (as :meth:`to_frame`)."""
        return self.to_frame()

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Histogram of the permuted G (when computed) with the observed G marked."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 4.0))
        if self.simulated is not None:
            kwargs.setdefault("bins", 40)
            kwargs.setdefault("color", "0.7")
            axes.hist(self.simulated, **kwargs)
        axes.axvline(self.g, color="crimson", label=f"observed G (z = {self.z_score:.2f})")
        axes.axvline(self.expected, color="0.3", linestyle="--", label="E[G]")
        axes.set_xlabel("General G")
        axes.legend(frameon=False)
        return axes


def general_g_moments(
    neighbours: sparse.csr_array, x: NDArray[np.float64]
) -> tuple[float, float, float]:
    """Return ``(G, E[G], Var[G])`` for off-diagonal weights and values (Getis & Ord 1992).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import sparse
    >>> w = sparse.csr_array(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0.]]))
    >>> [round(v, 4) for v in general_g_moments(w, np.array([1.0, 2, 3, 4]))]
    [0.5714, 0.5, 0.0105]
    """
    n = float(x.size)
    sym = neighbours + neighbours.T
    s0 = float(neighbours.sum())
    s1 = float(sym.power(2).sum()) / 2.0
    s2 = float(
        np.sum(
            (
                np.asarray(neighbours.sum(axis=1)).ravel()
                + np.asarray(neighbours.sum(axis=0)).ravel()
            )
            ** 2
        )
    )
    m1, m2, m3, m4 = (float(np.sum(x**power)) for power in (1, 2, 3, 4))
    denominator = m1 * m1 - m2
    g = float(x @ (neighbours @ x)) / denominator
    expected = s0 / (n * (n - 1.0))
    b0 = (n * n - 3 * n + 3) * s1 - n * s2 + 3 * s0 * s0
    b1 = -((n * n - n) * s1 - 2 * n * s2 + 6 * s0 * s0)
    b2 = -(2 * n * s1 - (n + 3) * s2 + 6 * s0 * s0)
    b3 = 4 * (n - 1) * s1 - 2 * (n + 1) * s2 + 8 * s0 * s0
    b4 = s1 - s2 + s0 * s0
    falling = n * (n - 1) * (n - 2) * (n - 3)
    second = (b0 * m2 * m2 + b1 * m4 + b2 * m1 * m1 * m2 + b3 * m1 * m3 + b4 * m1**4) / (
        denominator**2 * falling
    )
    return g, expected, second - expected**2


def general_g(
    units: Any,
    *,
    value: str | ArrayLike | None = None,
    spatial_weights: WeightsKind | Any = "distance_band",
    distance_m: float | None = None,
    k: int | None = None,
    alternative: Alternative = "two-sided",
    n_permutations: int = 0,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
) -> GeneralG:
    """Getis-Ord General G test for global clustering of high (or low) values.

    Parameters
    ----------
    units : GeoDataFrame, EventCounts or Grid
        As for :func:`~hotspotlib.gi_star`.
    value : str or array-like, optional
        Non-negative values (column, array, or for counts ``"count"``/``"weight_sum"``).
    spatial_weights, distance_m, k
        Spatial weights, as for :func:`~hotspotlib.gi_star` (the diagonal is ignored).
    alternative : {"two-sided", "greater", "less"}
        Two-sided by default; ``"greater"`` tests clustering of high values.
    n_permutations : int
        0 for the analytic test; else B random permutations of the values over the
        units, with ``p = (1 + #extreme) / (B + 1)`` ("two-sided": at least as far from
        ``E[G]`` as observed).
    rng : int, Generator or None
        Seed for the permutations.
    progress : bool
        Show a progress bar during permutations.

    Returns
    -------
    GeneralG
        G, its expectation and variance, z and p.

    Raises
    ------
    ValueError
        For negative values, fewer than 4 units, zero variance or bad options.

    See Also
    --------
    GeneralG : The returned test.
    gi_star : Where the clusters are.

    References
    ----------
    .. [1] Getis, A. and Ord, J. K. (1992). The analysis of spatial association by use of
       distance statistics. Geographical Analysis 24(3), 189-206.
       https://doi.org/10.1111/j.1538-4632.1992.tb00261.x

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=1)
    >>> counts = hs.count_events(city.events, hs.make_grid(city.boundary, cell_size_m=500))
    >>> result = hs.general_g(counts, distance_m=750)
    >>> bool(result.z_score > 3), bool(result.p_value < 0.01)
    (True, True)
    """
    check_option(alternative, Alternative, name="alternative")
    resolved = resolve_units(units, value)
    check_weight_arguments(spatial_weights, distance_m, k, points=resolved.is_points)
    n_perm = require_draws(n_permutations, name="n_permutations")
    require_range(
        float(resolved.values.min()),
        name="value",
        low=0,
        fix=f"{int((resolved.values < 0).sum())} values are negative (the smallest shown); "
        "General G needs values >= 0.",
    )
    x = require_varying(
        resolved.values,
        name="value",
        minimum=4,
        fix="General G compares values over at least 4 units; check the value column.",
    )
    spatial = weights_for_units(resolved, spatial_weights, distance_m=distance_m, k=k, star=False)
    neighbours = spatial.off_diagonal()
    island = np.diff(neighbours.indptr) == 0
    check_islands(
        island,
        centroids=resolved.centroids,
        distance_m=spatial.distance_m,
        description=spatial.description,
        function="general_g",
    )
    require_allocation(
        n_perm,
        8 * 4,
        name="n_permutations",
        what="permutations",
        fix="Use fewer permutations (999 is usual).",
    )
    draws = (n_perm, as_rng(rng), progress)
    test = _g_test(neighbours, x, alternative=alternative, draws=draws)
    p_kind = (
        f"permutation (B = {n_perm}, p = (1 + #extreme)/(B + 1))" if n_perm else "analytic (normal)"
    )
    return GeneralG(
        **test,
        n_units=resolved.n,
        n_islands=int(island.sum()),
        n_permutations=n_perm,
        alternative=alternative,
        value_name=resolved.value_name,
        parameters={
            "value": resolved.value_name,
            "spatial_weights": spatial.description,
            "alternative": alternative,
            "n_permutations": n_perm,
            "p_value": f"{p_kind}, {alternative}",
            "rng": rng if isinstance(rng, (int, np.integer)) or rng is None else "Generator",
        },
    )


def _g_test(
    neighbours: sparse.csr_array,
    x: NDArray[np.float64],
    *,
    alternative: Alternative,
    draws: tuple[int, np.random.Generator, bool],
) -> dict[str, Any]:
    """Return G, its moments, z, and the analytic and permutation p-values."""
    n_perm, rng, progress = draws
    g, expected, variance = general_g_moments(neighbours, x)
    z = (g - expected) / np.sqrt(variance) if variance > 0 else float("nan")
    p_analytic = float(normal_p(np.array([z]), alternative)[0])
    simulated = _permuted_g(neighbours, x, n_perm, rng, progress) if n_perm else None
    p_permutation = _permutation_p(simulated, g, expected, alternative)
    return {
        "g": g,
        "expected": expected,
        "variance": variance,
        "z_score": float(z),
        "p_value": p_permutation if n_perm else p_analytic,
        "p_analytic": p_analytic,
        "p_permutation": p_permutation,
        "simulated": simulated,
    }


def _permutation_p(
    simulated: NDArray[np.float64] | None, g: float, expected: float, alternative: str
) -> float:
    """Return ``(1 + #extreme) / (B + 1)`` over the permuted G (NaN without permutations)."""
    if simulated is None:
        return float("nan")
    tol = 1e-12 * max(abs(g), 1e-300)
    if alternative == "greater":
        extreme = np.sum(simulated >= g - tol)
    elif alternative == "less":
        extreme = np.sum(simulated <= g + tol)
    else:
        extreme = np.sum(np.abs(simulated - expected) >= abs(g - expected) - tol)
    return float((1 + extreme) / (simulated.size + 1))


def _permuted_g(
    neighbours: sparse.csr_array,
    x: NDArray[np.float64],
    n_permutations: int,
    rng: np.random.Generator,
    progress: bool,
) -> NDArray[np.float64]:
    denominator = x.sum() ** 2 - float(x @ x)
    step = max(1, 2_000_000 // x.size)
    result = np.empty(n_permutations)
    starts = range(0, n_permutations, step)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="permutations")
    for start in starts:
        stop = min(start + step, n_permutations)
        shuffled = rng.permuted(np.broadcast_to(x, (stop - start, x.size)), axis=1).T
        result[start:stop] = np.einsum("ib,ib->b", shuffled, neighbours @ shuffled) / denominator
    return result
