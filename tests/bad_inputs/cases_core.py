"""Bad inputs for grids, counts and density (names ``Case``, ``fx`` and ``hs`` are given)."""

import numpy as np

CASES = [
    Case(
        "make_grid",
        "negative cell size",
        lambda: hs.make_grid(fx.city.boundary, cell_size_m=-5),
        match="cell_size_m",
    ),
    Case(
        "kde",
        "NaN bandwidth",
        lambda: hs.kde(fx.city.events, grid=fx.grid, bandwidth_m=np.nan),
        match="bandwidth_m",
    ),
]
