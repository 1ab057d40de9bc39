"""Bad inputs for self_exciting and ensemble (``Case``, ``fx``, ``hs`` given)."""

import numpy as np

ORIGIN = "2024-02-15"


def _fit(**kwargs):
    return hs.self_exciting(fx.city.events, fx.grid, origin=ORIGIN, **kwargs)


def _counts(train, origin):
    return hs.window_counts(train, fx.grid, origin=origin)


def _recent(train, origin):
    return hs.recency_counts(train, fx.grid, origin=origin, half_life_days=14)


def _combine(**kwargs):
    arguments = {"methods": {"counts": _counts, "recent": _recent}, "origin": ORIGIN, **kwargs}
    return hs.ensemble(fx.city.events, fx.grid, **arguments)


CASES = [
    Case(
        "self_exciting",
        "too few events before the origin",
        lambda: hs.self_exciting(fx.city.events, fx.grid, origin="2024-01-02"),
        match="at least 50 events",
    ),
    Case(
        "self_exciting",
        "hexagonal grid",
        lambda: hs.self_exciting(
            fx.city.events,
            hs.make_grid(fx.city.boundary, cell_size_m=400, cell_shape="hex"),
            origin=ORIGIN,
        ),
        match="cell_shape",
    ),
    Case("self_exciting", "unknown background", lambda: _fit(background="kde"), match="background"),
    Case(
        "self_exciting",
        "bandwidth with the cell background",
        lambda: _fit(background="cell", background_bandwidth_m=300),
        match="background_bandwidth_m",
    ),
    Case(
        "self_exciting",
        "negative bandwidth",
        lambda: _fit(background="kernel", background_bandwidth_m=-5),
        match="background_bandwidth_m",
    ),
    Case("self_exciting", "zero horizon", lambda: _fit(horizon_days=0), match="horizon_days"),
    Case(
        "self_exciting",
        "negative time cut-off",
        lambda: _fit(time_cutoff_days=-1),
        match="time_cutoff_days",
    ),
    Case(
        "self_exciting",
        "space cut-off as text",
        lambda: _fit(space_cutoff_m="500"),
        match="space_cutoff_m",
        raises=TypeError,
    ),
    Case(
        "self_exciting",
        "sigma floor above the space cut-off",
        lambda: _fit(min_sigma_m=600),
        match="min_sigma_m",
    ),
    Case("self_exciting", "no iterations", lambda: _fit(n_iterations=0), match="n_iterations"),
    Case("self_exciting", "zero tolerance", lambda: _fit(tolerance=0), match="tolerance"),
    Case(
        "self_exciting",
        "origin not a date",
        lambda: hs.self_exciting(fx.city.events, fx.grid, origin="later"),
        match="origin",
    ),
    Case(
        "self_exciting",
        "one iteration does not converge",
        lambda: _fit(n_iterations=1),
        match="did not converge in 1 iterations",
        raises=None,
        warns=UserWarning,
    ),
    Case("ensemble", "one method", lambda: _combine(methods={"counts": _counts}), match="two"),
    Case(
        "ensemble",
        "one function, not a mapping",
        lambda: _combine(methods=_counts),
        match="methods",
        raises=TypeError,
    ),
    Case(
        "ensemble",
        "a method that is not a function",
        lambda: _combine(methods={"counts": _counts, "recent": 3}),
        match="recent",
        raises=TypeError,
    ),
    Case("ensemble", "unknown combine", lambda: _combine(combine="median"), match="combine"),
    Case(
        "ensemble",
        "weights missing a method",
        lambda: _combine(method_weights={"counts": 1.0}),
        match="method_weights",
    ),
    Case(
        "ensemble",
        "weights naming an unknown method",
        lambda: _combine(method_weights={"counts": 1.0, "recent": 1.0, "other": 1.0}),
        match="other",
    ),
    Case(
        "ensemble",
        "all method weights zero",
        lambda: _combine(method_weights={"counts": 0.0, "recent": 0.0}),
        match="method_weights",
    ),
    Case(
        "ensemble",
        "weights not a mapping",
        lambda: _combine(method_weights=[0.5, 0.5]),
        match="method_weights",
        raises=TypeError,
    ),
    Case(
        "ensemble",
        "two methods with one name",
        lambda: _combine(methods=[_counts, _counts]),
        match="repeated names",
    ),
    Case(
        "ensemble",
        "NaN scores",
        lambda: _combine(
            methods={
                "counts": _counts,
                "nan": lambda train, origin: np.full(fx.grid.n_cells, np.nan),
            }
        ),
        match="NaN",
    ),
    Case(
        "ensemble",
        "negative method weight",
        lambda: _combine(method_weights={"counts": 1.0, "recent": -1.0}),
        match="method_weights",
    ),
    Case(
        "ensemble",
        "unknown weighting",
        lambda: _combine(method_weights="rank"),
        match="method_weights",
    ),
    Case(
        "ensemble",
        "weight step that does not divide 1",
        lambda: _combine(weight_step=0.3),
        match="weight_step",
    ),
    Case("ensemble", "coverage above 1", lambda: _combine(coverage=1.5), match="coverage"),
    Case(
        "ensemble", "no validation window", lambda: _combine(n_validation=0), match="n_validation"
    ),
    Case(
        "ensemble",
        "zero validation days",
        lambda: _combine(validation_days=0),
        match="validation_days",
    ),
    Case(
        "ensemble",
        "scores of the wrong length",
        lambda: _combine(methods={"counts": _counts, "short": lambda train, origin: np.ones(3)}),
        match="one score per cell",
    ),
    Case(
        "ensemble",
        "mean of negative scores",
        lambda: _combine(
            methods={"counts": _counts, "neg": lambda train, origin: -np.ones(fx.grid.n_cells)},
            combine="mean",
        ),
        match="combine='rank'",
    ),
    Case(
        "ensemble",
        "origin before every event",
        lambda: _combine(origin="2000-01-01"),
        match="origin",
    ),
    Case(
        "ensemble",
        "grid given as polygons",
        lambda: hs.ensemble(fx.city.events, fx.grid.cells, origin=ORIGIN),
        match="grid",
        raises=TypeError,
    ),
]
