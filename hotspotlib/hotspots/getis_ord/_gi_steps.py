"""The steps of :func:`~hotspotlib.gi_star`: neighbourhood sums, tests, parameters, notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._multiple_testing import permutation_floor_note
from hotspotlib._options import Alternative
from hotspotlib._validation import require_positive
from hotspotlib.hotspots._local_common import sparse_sums
from hotspotlib.hotspots.grid.lattice import lattice_sums
from hotspotlib.hotspots.inference import (
    adjust_pvalues,
    conditional_permutation_p,
    confidence_bins,
    fdr_cut,
    normal_p,
)
from hotspotlib.hotspots.units import Units
from hotspotlib.hotspots.weights import (
    SpatialWeights,
    band_offsets,
    default_band_m,
    weights_for_units,
)

__all__ = [
    "GI_CONVENTIONS",
    "Draws",
    "Sums",
    "gi_notes",
    "gi_parameters",
    "gi_tests",
    "neighbourhood_sums",
]

_LATTICE_KINDS = ("distance_band", "kernel", "queen", "rook")


@dataclass(slots=True)
class Sums:
    """Neighbourhood sums of the values and of the weights, and how the weights were made."""

    lag: NDArray[np.float64]
    weight_sum: NDArray[np.float64]
    weight_sq_sum: NDArray[np.float64]
    n_neighbours: NDArray[np.int64]
    description: str
    distance_m: float | None
    method: str
    spatial: SpatialWeights | None
    binary: bool = False  # a 0/1 stencil: weight sums count the units in each neighbourhood

    def release(self) -> None:
        """Free the per-unit sums (once scored by code); the neighbour counts stay."""
        self.lag = self.weight_sum = self.weight_sq_sum = np.empty(0)


@dataclass(slots=True)
class Draws:
    """What the conditional permutations need (no permutations when ``n_permutations`` is 0)."""

    spatial: SpatialWeights | None
    x: NDArray[np.float64]
    n_permutations: int
    rng: np.random.Generator
    progress: bool
    client: Any = None

    def p_values(
        self, z: NDArray[np.float64], alternative: Alternative
    ) -> NDArray[np.float64] | None:
        """Return permutation p-values (NaN where z is), or None without permutations."""
        if not self.n_permutations or self.spatial is None:
            return None
        p = conditional_permutation_p(
            self.spatial.off_diagonal(),
            self.x,
            alternative=alternative,
            n_permutations=self.n_permutations,
            rng=self.rng,
            progress=self.progress,
            client=self.client,
        )
        p[np.isnan(z)] = np.nan
        return p


def neighbourhood_sums(
    units: Units, spatial_weights: Any, distance_m: Any, k: Any, *, star: bool
) -> Sums:
    """Sum the values and weights over each neighbourhood (by stencil on a square grid)."""
    x = units.values
    lattice = _lattice_stencil(units, spatial_weights, distance_m, star=star)
    if lattice is not None:
        stencil, description, band = lattice
        found = lattice_sums(units.grid, x, stencil)  # type: ignore[arg-type]
        return Sums(
            found.lag,
            found.weight_sum,
            found.weight_sq_sum,
            found.n_neighbours,
            description,
            band,
            "grid stencil (correlation)",
            None,
            bool(np.all((stencil == 0) | (stencil == 1))),
        )
    spatial = weights_for_units(units, spatial_weights, distance_m=distance_m, k=k, star=star)
    lag, weight_sum, weight_sq_sum, links = sparse_sums(spatial.matrix, x)
    return Sums(
        lag,
        weight_sum,
        weight_sq_sum,
        links,
        spatial.description,
        spatial.distance_m,
        "sparse weights",
        spatial,
    )


def gi_tests(
    z: NDArray[np.float64], draws: Draws, *, alternative: Alternative, fdr: bool
) -> dict[str, Any]:
    """Return p-values (analytic, permutation), q-values and ArcGIS's confidence bins."""
    p_analytic = normal_p(z, alternative)
    p_permutation = draws.p_values(z, alternative)
    p_value = p_permutation if p_permutation is not None else p_analytic
    q_value = adjust_pvalues(p_value, method="fdr_bh")
    p_two, q_two = p_value, q_value
    if alternative != "two-sided":
        # ArcGIS's bins read as two-sided confidence: a one-sided p would put z = 1.7
        # in the 95 % bin. Permutation bins take a second, two-sided run.
        permuted = draws.p_values(z, "two-sided")
        p_two = permuted if permuted is not None else normal_p(z, "two-sided")
        q_two = adjust_pvalues(p_two, method="fdr_bh")
    return {
        "p_value": p_value,
        "p_analytic": p_analytic,
        "p_permutation": p_permutation,
        "q_value": q_value,
        "bin": confidence_bins(z, q_two if fdr else p_two),
    }


def gi_parameters(
    units: Units,
    sums: Sums,
    tests: dict[str, Any],
    *,
    n_perm: int,
    rng: Any,
    star: bool,
    alternative: str,
    fdr: bool,
    alpha: float,
) -> dict[str, Any]:
    """Every input and automatic choice of a Gi* run, for ``GiStar.parameters``."""
    p_kind = (
        f"conditional permutation, B = {n_perm}, p = (1 + #extreme)/(B + 1)"
        if n_perm
        else "analytic (normal)"
    )
    return {
        "statistic": "Gi*" if star else "Gi",
        "value": units.value_name,
        "spatial_weights": sums.description,
        "distance_m": sums.distance_m,
        "method": sums.method,
        "alternative": alternative,
        "n_permutations": n_perm,
        "p_value": f"{p_kind}, {alternative}",
        "fdr": fdr,
        "bins_from": "Benjamini-Hochberg q-values" if fdr else "raw p-values",
        "fdr_cut_p_0.05": fdr_cut(tests["p_value"], 0.05, q=tests["q_value"]),
        "alpha": alpha,
        "rng": rng if isinstance(rng, (int, np.integer)) or rng is None else "Generator",
    }


GI_CONVENTIONS = (
    "z uses the general Ord-Getis variance (sum of w and of w^2): valid for any "
    "non-negative weights; with 0/1 weights it equals esda's G_Local Zs.",
    "p-values are two-sided unless `alternative` says otherwise; bins always use "
    "two-sided p (ArcGIS). esda's p_norm is one-sided in the direction of z, "
    "P(Z >= |z|): half the two-sided p-value.",
    "ArcGIS GiZScore/GiPValue/Gi_Bin: spatial_weights='distance_band' with its distance, "
    "two-sided p, fdr=True or False as in the tool; z and p are not FDR-adjusted, "
    "only the bins are.",
)
"""The conventions every Gi* result states first in its notes."""


def gi_notes(
    scores: dict[str, NDArray[np.float64]],
    tests: dict[str, Any],
    *,
    n_perm: int,
    fdr: bool,
    alpha: float,
) -> tuple[str, ...]:
    """Return the conventions, then the caveats of this run (islands, undefined z, coarse p)."""
    notes = list(GI_CONVENTIONS)
    n_islands, n_undefined = int(scores["island"].sum()), int(scores["undefined"].sum())
    if n_islands:
        notes.append(
            f"{n_islands} units have no neighbour besides themselves: their z and p "
            "are NaN and their bin 0; they are not counted as tests for the FDR."
        )
    if n_undefined:
        notes.append(
            f"{n_undefined} units have an undefined z (their neighbourhood is every "
            "unit with equal weights, or the other values are constant): NaN."
        )
    if n_perm:
        notes.append(
            "Permutation p-values are the same for Gi and Gi*: the unit's own value is "
            "held fixed. 'two-sided' counts draws at least as far from the exact "
            "conditional mean as observed."
        )
    p_value = tests["p_value"]
    test = tests["q_value"] if fdr else p_value
    with np.errstate(invalid="ignore"):
        n_found = int(np.count_nonzero(test <= alpha))  # NaN (untested) compares False
    floor_note = permutation_floor_note(
        n_tests=int(np.isfinite(p_value).sum()),
        n_permutations=n_perm,
        alpha=alpha,
        n_found=n_found,
        method="fdr_bh" if fdr else "none",
    )
    if floor_note and fdr:
        notes.append(floor_note + " Or use analytic p-values (n_permutations=0).")
    return tuple(notes)


def _lattice_stencil(
    units: Units, weights: Any, distance_m: Any, *, star: bool
) -> tuple[NDArray[np.float64], str, float | None] | None:
    grid = units.grid
    if grid is None or grid.cell_shape != "square" or not isinstance(weights, str):
        return None
    if weights not in _LATTICE_KINDS:
        return None
    size = grid.cell_size_m
    extent = (grid.n_rows, grid.n_cols)  # a band wider than the grid: the grid's reach
    if weights == "queen":
        stencil, text, band = np.ones((3, 3)), "queen contiguity on the square grid", size * 2**0.5
    elif weights == "rook":
        stencil, text, band = band_offsets(size, size), "rook contiguity on the square grid", size
    elif distance_m is None and weights == "kernel":
        return None  # let the weights builder raise its message
    elif distance_m is None:
        rook = lattice_sums(grid, np.zeros(units.n), band_offsets(size, size))
        band = size if (rook.n_neighbours > 0).all() else default_band_m(units.centroids())
        stencil = band_offsets(size, band, extent=extent)
        text = f"binary distance band d <= {band:g} m between cell centres (every cell a neighbour)"
    else:
        band = require_positive(distance_m, name="distance_m")
        stencil = band_offsets(size, band, kernel=weights == "kernel", extent=extent)
        text = (
            f"quartic kernel, R = {band:g} m between cell centres"
            if weights == "kernel"
            else f"binary distance band d <= {band:g} m between cell centres"
        )
    stencil = stencil.copy()
    stencil[stencil.shape[0] // 2, stencil.shape[1] // 2] = 1.0 if star else 0.0
    return stencil, text + (" (self included)" if star else ""), band
