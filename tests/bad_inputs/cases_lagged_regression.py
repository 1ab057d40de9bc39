"""Bad inputs for lagged_regression (``Case``, ``fx``, ``hs`` given)."""

ORIGIN = "2024-02-20"
QUICK = {"horizon_days": 7, "n_windows": 2, "n_validation": 2}


def _fit(**kwargs):
    options = {**QUICK, **kwargs}
    return hs.lagged_regression(
        fx.city.events, fx.grid, origin=options.pop("origin", ORIGIN), **options
    )


CASES = [
    Case(
        "lagged_regression",
        "grid given as polygons",
        lambda: hs.lagged_regression(fx.city.events, fx.grid.cells, origin=ORIGIN),
        match="grid",
        raises=TypeError,
    ),
    Case(
        "lagged_regression",
        "hexagonal grid",
        lambda: hs.lagged_regression(
            fx.city.events,
            hs.make_grid(fx.city.boundary, cell_size_m=400, cell_shape="hex"),
            origin=ORIGIN,
        ),
        match="square cells",
    ),
    Case(
        "lagged_regression",
        "zero half-life",
        lambda: _fit(half_lives_days=(0, 30)),
        match="half_lives_days",
    ),
    Case(
        "lagged_regression",
        "repeated half-lives",
        lambda: _fit(half_lives_days=(30, 30)),
        match="half_lives_days",
    ),
    Case(
        "lagged_regression",
        "candidates as one mapping",
        lambda: _fit(candidates={}),
        match="candidates",
        raises=TypeError,
    ),
    Case(
        "lagged_regression",
        "half-lives equal to 6 digits (their features' names would collide)",
        lambda: _fit(half_lives_days=(30, 30.000001)),
        match="half_lives_days",
    ),
    Case(
        "lagged_regression",
        "candidates' rings that do not start alike",
        lambda: _fit(candidates=[{"rings": (3,)}, {"rings": (5,)}]),
        match=r"candidates\[1\]\['rings'\]",
    ),
    Case("lagged_regression", "no candidates", lambda: _fit(candidates=[]), match="candidates"),
    Case(
        "lagged_regression",
        "candidate not a mapping",
        lambda: _fit(candidates=[(3, 5)]),
        match=r"candidates\[0\]",
        raises=TypeError,
    ),
    Case(
        "lagged_regression",
        "unknown candidate key",
        lambda: _fit(candidates=[{"ring": (3,)}]),
        match="key",
    ),
    Case(
        "lagged_regression",
        "even ring size",
        lambda: _fit(candidates=[{"rings": (3, 4)}]),
        match="odd",
    ),
    Case(
        "lagged_regression",
        "rings not increasing",
        lambda: _fit(candidates=[{"rings": (5, 3)}]),
        match="increasing",
    ),
    Case(
        "lagged_regression",
        "ring of one cell",
        lambda: _fit(candidates=[{"rings": (1, 3)}]),
        match="rings",
    ),
    Case(
        "lagged_regression",
        "seasonal as text",
        lambda: _fit(candidates=[{"seasonal": "yes"}]),
        match="seasonal",
        raises=TypeError,
    ),
    Case(
        "lagged_regression",
        "unknown fit cells",
        lambda: _fit(candidates=[{"fit_cells": "hot"}]),
        match="fit_cells",
    ),
    Case(
        "lagged_regression",
        "fit share of 1",
        lambda: _fit(candidates=[{"fit_cells": 1.0}]),
        match="fit_cells",
    ),
    Case(
        "lagged_regression",
        "repeated candidates",
        lambda: _fit(candidates=[{}, {"rings": (3, 5)}]),
        match="candidates",
    ),
    Case("lagged_regression", "zero horizon", lambda: _fit(horizon_days=0), match="horizon_days"),
    Case("lagged_regression", "zero fitting windows", lambda: _fit(n_windows=0), match="n_windows"),
    Case(
        "lagged_regression",
        "zero validation windows",
        lambda: _fit(n_validation=0),
        match="n_validation",
    ),
    Case("lagged_regression", "coverage above 1", lambda: _fit(coverage=1.5), match="coverage"),
    Case("lagged_regression", "negative ridge", lambda: _fit(ridge=-1), match="ridge"),
    Case("lagged_regression", "unknown time column", lambda: _fit(time="when"), match="when"),
    Case(
        "lagged_regression",
        "no validation window can be scored",
        lambda: _fit(origin="2024-01-10"),
        match="No validation window",
    ),
    Case(
        "lagged_regression",
        "fitting windows with no event",
        lambda: _fit(origin="2024-06-01", candidates=[{}]),
        match="hold no event",
    ),
]
