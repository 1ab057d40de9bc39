"""Bad inputs for local Moran's I (names ``Case``, ``fx`` and ``hs`` are given)."""

import numpy as np

CASES = [
    Case(
        "local_moran",
        "negative number of permutations",
        lambda: hs.local_moran(fx.counts, n_permutations=-5),
        match="n_permutations",
    ),
    Case(
        "local_moran",
        "alpha of 5 (a percentage)",
        lambda: hs.local_moran(fx.counts, n_permutations=0, alpha=5),
        match="alpha",
    ),
    Case(
        "local_moran",
        "row_standardise given as text",
        lambda: hs.local_moran(fx.counts, row_standardise="r"),
        match="row_standardise",
        raises=TypeError,
    ),
    Case(
        "local_moran",
        "constant values",
        lambda: hs.local_moran(fx.grid, value=np.ones(fx.grid.n_cells), n_permutations=0),
        match="value.*zero variance",
    ),
    Case(
        "local_moran",
        "values of the wrong length",
        lambda: hs.local_moran(fx.grid, value=np.arange(5.0), n_permutations=0),
        match="value",
    ),
    Case(
        "local_moran",
        "k with a distance band",
        lambda: hs.local_moran(fx.counts, k=4, n_permutations=0),
        match="`k`",
    ),
    Case(
        "local_moran",
        "weights matrix of the wrong size",
        lambda: hs.local_moran(fx.counts, spatial_weights=np.eye(3), n_permutations=0),
        match="spatial_weights",
    ),
    Case(
        "local_moran",
        "negative weights",
        lambda: hs.local_moran(
            fx.grid,
            value=np.arange(float(fx.grid.n_cells)),
            spatial_weights=-np.ones((fx.grid.n_cells, fx.grid.n_cells)),
            n_permutations=0,
        ),
        match="weights.*negative",
    ),
]

CASES += [
    Case(
        "local_moran",
        "fdr given as text",
        lambda: hs.local_moran(fx.counts, fdr="no", n_permutations=0),
        match="fdr",
        raises=TypeError,
    ),
    Case(
        "local_moran",
        "a distance band that gives no unit a neighbour",
        lambda: hs.local_moran(fx.counts, distance_m=10, n_permutations=0),
        match="every one of the .* units has no neighbour",
    ),
    Case(
        "local_moran",
        "permutations too many to hold in memory",
        lambda: hs.local_moran(fx.counts, n_permutations=10**9),
        match="n_permutations.*GiB",
    ),
]
