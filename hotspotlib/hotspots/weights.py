"""Spatial weights for the Getis-Ord statistics: built from geometry or taken as given.

Weights are held as a SciPy CSR matrix aligned with the rows of the units; the diagonal
holds the self-weights (zero for Gi, the feature's own weight for Gi*). Nothing the
caller passes is modified: libpysal ``W`` and ``Graph`` objects and SciPy matrices are
copied before any change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse
from scipy.spatial import cKDTree

from hotspotlib._frozen import FrozenResult
from hotspotlib._options import WeightsKind
from hotspotlib._validation import check_option, require_positive, require_whole
from hotspotlib.hotspots._weights_given import given_matrix, reorder
from hotspotlib.hotspots.grid.cells import Grid

if TYPE_CHECKING:
    from hotspotlib.hotspots.units import Units

__all__ = [
    "SpatialWeights",
    "band_offsets",
    "build_weights",
    "weights_for_units",
    "default_band_m",
]

BAND_TOLERANCE = 1e-9
"""Relative tolerance on a distance band, so centres exactly on the band are inside."""


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class SpatialWeights(FrozenResult):
    """Weights aligned with the units, plus how they were made.

    Attributes
    ----------
    matrix : scipy.sparse.csr_array
        ``(n, n)`` non-negative weights; the diagonal holds the self-weights.
    kind : str
        ``"distance_band"``, ``"knn"``, ``"queen"``, ``"rook"``, ``"kernel"`` or
        ``"given"`` (a libpysal ``W``/``Graph`` or a matrix passed by the user).
    distance_m : float or None
        Band or kernel radius in metres, when distance-based.
    k : int or None
        Number of neighbours for ``"knn"``.
    description : str
        One line saying what the weights are, for summaries.
    """

    matrix: sparse.csr_array
    kind: str
    distance_m: float | None
    k: int | None
    description: str

    @property
    def n(self) -> int:
        """Number of units."""
        return int(self.matrix.shape[0])

    def off_diagonal(self) -> sparse.csr_array:
        """Return a copy of the weights with the diagonal removed."""
        return _without_diagonal(self.matrix)


def default_band_m(xy: NDArray[np.float64]) -> float:
    """Return the smallest band giving every unit at least one neighbour.

    This is ArcGIS's default fixed distance band: the largest nearest-neighbour distance.

    Examples
    --------
    >>> import numpy as np
    >>> default_band_m(np.array([[0.0, 0.0], [3.0, 4.0], [3.0, 10.0]]))
    6.0
    """
    if len(xy) < 2:
        return 0.0
    distance, _ = cKDTree(xy).query(xy, k=2)
    return float(distance[:, 1].max())


def band_offsets(
    cell_size_m: float,
    radius_m: float,
    *,
    kernel: bool = False,
    extent: tuple[int, int] | None = None,
) -> NDArray[np.float64]:
    """Return the square-lattice stencil of a distance band or quartic kernel.

    The stencil is a ``(2R + 1, 2R + 1)`` array with R = floor(radius / cell size),
    holding the weight of each lattice offset. The centre (self-weight) is 1. With
    ``extent=(n_rows, n_cols)`` (the lattice's), offsets reach at most ``n_rows - 1``
    rows and ``n_cols - 1`` columns: farther ones meet only cells outside the lattice,
    which count as zeros, so the sums are the same and a radius wider than the lattice
    costs no more memory than the lattice itself.

    Examples
    --------
    >>> band_offsets(100.0, 150.0).astype(int)
    array([[1, 1, 1],
           [1, 1, 1],
           [1, 1, 1]])
    >>> band_offsets(100.0, 100.0).astype(int)
    array([[0, 1, 0],
           [1, 1, 1],
           [0, 1, 0]])
    """
    reach = int(min(np.floor(radius_m * (1 + BAND_TOLERANCE) / cell_size_m), 2**62))
    reach_rows = reach_cols = reach
    if extent is not None:
        reach_rows, reach_cols = min(reach, extent[0] - 1), min(reach, extent[1] - 1)
    rows = np.arange(-reach_rows, reach_rows + 1, dtype=float)
    cols = np.arange(-reach_cols, reach_cols + 1, dtype=float)
    distance = cell_size_m * np.hypot(rows[:, None], cols[None, :])
    if kernel:
        ratio = distance / radius_m
        return np.where(ratio < 1.0, (1.0 - ratio**2) ** 2, 0.0)
    return (distance <= radius_m * (1 + BAND_TOLERANCE)).astype(float)


def build_weights(
    weights: Any,
    *,
    n: int,
    index: pd.Index,
    centroids: Any,
    geometry: Any,
    grid: Grid | None,
    distance_m: float | None,
    k: int | None,
    star: bool,
) -> SpatialWeights:
    """Resolve ``weights`` (a name or a weights object) to :class:`SpatialWeights`.

    ``centroids`` is a zero-argument callable returning the ``(n, 2)`` centre
    coordinates (called only for distance-based weights); ``geometry`` the polygons for
    contiguity. For Gi* (``star=True``) named weights get a self-weight of 1 (the
    kernel's value at distance 0). Weights passed by the user keep their diagonal when
    it has any non-zero entry; an all-zero diagonal gets each row's largest weight (1
    for binary weights; for row-standardised binary weights this reproduces binary
    Gi* exactly). For Gi (``star=False``) the diagonal is removed.
    """
    if isinstance(weights, str):
        check_option(weights, WeightsKind, name="spatial_weights")
        named = _named_weights(
            weights,
            n=n,
            centroids=centroids,
            geometry=geometry,
            grid=grid,
            distance_m=distance_m,
            k=k,
        )
        matrix = named.matrix
        if star:
            matrix = _with_diagonal(matrix, np.ones(n))
        return SpatialWeights(
            matrix=matrix,
            kind=named.kind,
            distance_m=named.distance_m,
            k=named.k,
            description=named.description,
        )
    matrix, source = given_matrix(weights, n=n, index=index)
    if star:
        diagonal = matrix.diagonal()
        if np.any(diagonal != 0):
            note = "self-weights as given on the diagonal"
        else:
            row_max = _row_max(matrix)
            matrix = _with_diagonal(matrix, row_max)
            note = "self-weight = the row's largest weight"
    else:
        matrix = _with_diagonal(matrix, np.zeros(n))
        note = "diagonal removed"
    return SpatialWeights(
        matrix=matrix,
        kind="given",
        distance_m=None,
        k=None,
        description=f"{source}, used as given ({note})",
    )


def _without_diagonal(matrix: sparse.csr_array) -> sparse.csr_array:
    # kept entries rebuilt (no setdiag: scipy 1.10 warns when it changes the structure)
    coo = sparse.coo_array(matrix)
    keep = (coo.row != coo.col) & (coo.data != 0)
    return sparse.csr_array(
        (coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape, dtype=float
    )


def _with_diagonal(matrix: sparse.csr_array, diagonal: NDArray[np.float64]) -> sparse.csr_array:
    off = _without_diagonal(matrix)
    values = np.asarray(diagonal, dtype=float)
    at = np.arange(values.size)  # built by hand: diags_array needs scipy >= 1.11
    result = sparse.csr_array(off + sparse.csr_array((values, (at, at)), shape=off.shape))
    result.eliminate_zeros()
    result.sort_indices()
    return result


def _row_max(matrix: sparse.csr_array) -> NDArray[np.float64]:
    counts = np.diff(matrix.indptr)
    result = np.zeros(matrix.shape[0])
    filled = counts > 0
    result[filled] = np.maximum.reduceat(matrix.data, matrix.indptr[:-1][filled])
    return result


def _named_weights(
    kind: str,
    *,
    n: int,
    centroids: Any,
    geometry: Any,
    grid: Grid | None,
    distance_m: float | None,
    k: int | None,
) -> SpatialWeights:
    if kind in ("queen", "rook") and grid is not None:
        # On a lattice contiguity is a distance band between centres: queen reaches the
        # diagonal neighbours of square cells, rook only the edge neighbours; on hexagons
        # both are the six cells sharing an edge.
        size = grid.cell_size_m
        reach = size * np.sqrt(2.0) if (kind == "queen" and grid.cell_shape == "square") else size
        band = _distance_band(centroids(), reach, n=n)
        return SpatialWeights(
            matrix=band,
            kind=kind,
            distance_m=reach,
            k=None,
            description=f"{kind} contiguity on the {grid.cell_shape} grid (binary)",
        )
    if kind in ("queen", "rook"):
        return _contiguity(geometry, rook=kind == "rook", n=n)
    xy = centroids()
    if kind == "knn":
        neighbours = (
            8
            if k is None
            else require_whole(
                k, name="k", minimum=1, maximum=n - 1, fix="Pass a smaller k or more units."
            )
        )
        return SpatialWeights(
            matrix=_knn(xy, neighbours),
            kind=kind,
            distance_m=None,
            k=neighbours,
            description=f"{neighbours} nearest neighbours by centre distance (binary, asymmetric)",
        )
    if kind == "kernel":
        radius = require_positive(
            distance_m,
            name="distance_m",
            fix="spatial_weights='kernel' needs the quartic kernel's radius in metres, "
            "e.g. `distance_m=400`.",
        )
        return SpatialWeights(
            matrix=_quartic(xy, radius, n=n),
            kind=kind,
            distance_m=radius,
            k=None,
            description=f"quartic kernel (1 - (d/R)^2)^2, R = {radius:g} m between centres",
        )
    if distance_m is None:
        band = default_band_m(xy)
        how = "the smallest band giving every unit a neighbour"
    else:
        band = require_positive(distance_m, name="distance_m")
        how = "given"
    return SpatialWeights(
        matrix=_distance_band(xy, band, n=n),
        kind=kind,
        distance_m=band,
        k=None,
        description=f"binary distance band d <= {band:g} m between centres ({how})",
    )


def _pairs_within(xy: NDArray[np.float64], radius: float) -> NDArray[np.int64]:
    tree = cKDTree(xy)
    pairs = tree.query_pairs(radius * (1 + BAND_TOLERANCE), output_type="ndarray")
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)


def _symmetric(pairs: NDArray[np.int64], values: NDArray[np.float64], n: int) -> sparse.csr_array:
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]])
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]])
    data = np.concatenate([values, values])
    matrix = sparse.csr_array((data, (rows, cols)), shape=(n, n))
    matrix.sort_indices()
    return matrix


def _distance_band(xy: NDArray[np.float64], radius: float, *, n: int) -> sparse.csr_array:
    pairs = _pairs_within(xy, radius)
    return _symmetric(pairs, np.ones(len(pairs)), n)


def _quartic(xy: NDArray[np.float64], radius: float, *, n: int) -> sparse.csr_array:
    pairs = _pairs_within(xy, radius)
    distance = np.hypot(*(xy[pairs[:, 0]] - xy[pairs[:, 1]]).T)
    ratio = distance / radius
    values = np.where(ratio < 1.0, (1.0 - ratio**2) ** 2, 0.0)
    matrix = _symmetric(pairs, values, n)
    matrix.eliminate_zeros()
    return matrix


def _knn(xy: NDArray[np.float64], k: int) -> sparse.csr_array:
    n = len(xy)
    _, found = cKDTree(xy).query(xy, k=k + 1)
    found = np.asarray(found, dtype=np.int64).reshape(n, k + 1)
    # Drop the unit itself; with coincident points it may not come first, and with
    # more than k coincident points it may be missing, so keep the first k others.
    other = found != np.arange(n)[:, None]
    keep = other & (np.cumsum(other, axis=1) <= k)
    rows = np.broadcast_to(np.arange(n)[:, None], found.shape)[keep]
    matrix = sparse.csr_array((np.ones(keep.sum()), (rows, found[keep])), shape=(n, n))
    matrix.sort_indices()
    return matrix


def _contiguity(geometry: Any, *, rook: bool, n: int) -> SpatialWeights:
    from libpysal.graph import Graph

    # the units are polygons: check_weight_arguments refuses contiguity of points
    positional = geometry.reset_index(drop=True)
    graph = Graph.build_contiguity(positional, rook=rook)
    matrix = sparse.csr_array(graph.sparse, copy=True, dtype=float)
    order = np.asarray(graph.unique_ids)
    if not np.array_equal(order, np.arange(n)):
        matrix = reorder(matrix, order.astype(np.int64))
    matrix.eliminate_zeros()
    matrix.data[:] = 1.0
    return SpatialWeights(
        matrix=matrix,
        kind="rook" if rook else "queen",
        distance_m=None,
        k=None,
        description=f"{'rook' if rook else 'queen'} contiguity of the polygons (binary)",
    )


def weights_for_units(
    units: Units, weights: Any, *, distance_m: Any, k: Any, star: bool
) -> SpatialWeights:
    """Build the spatial weights of resolved units (points, polygons or grid cells)."""
    return build_weights(
        weights,
        n=units.n,
        index=units.index,
        centroids=units.centroids,
        geometry=None if units.is_points else units.shapes,  # None on a grid: lattice
        grid=units.grid,
        distance_m=distance_m,
        k=k,
        star=star,
    )
