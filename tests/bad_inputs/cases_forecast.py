"""Bad inputs for the forecast scores and rolling_evaluation (``Case``, ``fx``, ``hs`` given)."""

import numpy as np
import pandas as pd

ORIGIN = "2024-02-01"


def _counts(train, origin):
    return hs.count_events(train, fx.grid)


def _evaluate(**kwargs):
    arguments = {"origins": [ORIGIN], "n_bootstrap": 0, **kwargs}
    methods = arguments.pop("methods", {"counts": _counts})
    return hs.rolling_evaluation(fx.city.events, fx.grid, methods=methods, **arguments)


CASES = [
    Case(
        "recency_counts",
        "zero half-life",
        lambda: hs.recency_counts(fx.city.events, fx.grid, origin=ORIGIN, half_life_days=0),
        match="half_life_days",
    ),
    Case(
        "recency_counts",
        "half-life as text",
        lambda: hs.recency_counts(fx.city.events, fx.grid, origin=ORIGIN, half_life_days="30"),
        match="half_life_days",
        raises=TypeError,
    ),
    Case(
        "recency_counts",
        "origin before every event",
        lambda: hs.recency_counts(fx.city.events, fx.grid, origin="2000-01-01", half_life_days=30),
        match="origin",
    ),
    Case(
        "recency_counts",
        "origin not a date",
        lambda: hs.recency_counts(fx.city.events, fx.grid, origin="soon", half_life_days=30),
        match="origin",
    ),
    Case(
        "recency_counts",
        "origin with a time zone, events without",
        lambda: hs.recency_counts(
            fx.city.events, fx.grid, origin=pd.Timestamp(ORIGIN, tz="UTC"), half_life_days=30
        ),
        match="origin",
    ),
    Case(
        "recency_counts",
        "negative weights",
        lambda: hs.recency_counts(
            fx.city.events,
            fx.grid,
            origin=ORIGIN,
            half_life_days=30,
            weights=-np.ones(len(fx.city.events)),
        ),
        match="weights",
    ),
    Case(
        "window_counts",
        "missing time column",
        lambda: hs.window_counts(fx.city.events, fx.grid, origin=ORIGIN, time="when"),
        match="when",
    ),
    Case(
        "window_counts",
        "grid given as polygons",
        lambda: hs.window_counts(fx.city.events, fx.grid.cells, origin=ORIGIN),
        match="grid",
        raises=TypeError,
    ),
    Case(
        "window_counts",
        "events in degrees",
        lambda: hs.window_counts(fx.city.events.to_crs(4326), fx.grid, origin=ORIGIN),
        match="events",
    ),
    Case(
        "window_counts",
        "infinite window",
        lambda: hs.window_counts(fx.city.events, fx.grid, origin=ORIGIN, window_days=np.inf),
        match="window_days",
    ),
    Case(
        "shrunken_counts",
        "harm weights",
        lambda: hs.shrunken_counts(fx.city.events, fx.grid, origin=ORIGIN, weights="harm"),
        match="weights",
        raises=TypeError,
    ),
    Case(
        "shrunken_counts",
        "unknown prior",
        lambda: hs.shrunken_counts(fx.city.events, fx.grid, origin=ORIGIN, prior="county"),
        match="prior",
    ),
    Case(
        "shrunken_counts",
        "radius with the global prior",
        lambda: hs.shrunken_counts(fx.city.events, fx.grid, origin=ORIGIN, prior_radius_m=500),
        match="prior_radius_m",
        raises=TypeError,
    ),
    Case(
        "shrunken_counts",
        "negative local radius",
        lambda: hs.shrunken_counts(
            fx.city.events, fx.grid, origin=ORIGIN, prior="local", prior_radius_m=-1
        ),
        match="prior_radius_m",
    ),
    Case("rolling_evaluation", "no methods", lambda: _evaluate(methods={}), match="methods"),
    Case("rolling_evaluation", "unknown tie rule", lambda: _evaluate(ties="best"), match="ties"),
    Case(
        "rolling_evaluation",
        "one function, not a list",
        lambda: _evaluate(methods=_counts),
        match="methods",
        raises=TypeError,
    ),
    Case(
        "rolling_evaluation",
        "scores of the wrong length",
        lambda: _evaluate(methods={"short": lambda train, origin: np.ones(3)}),
        match="one score per cell",
    ),
    Case(
        "rolling_evaluation",
        "origins as one string",
        lambda: _evaluate(origins=ORIGIN),
        match="origins",
        raises=TypeError,
    ),
    Case(
        "rolling_evaluation",
        "repeated origins",
        lambda: _evaluate(origins=[ORIGIN, ORIGIN]),
        match="origins",
    ),
    Case(
        "rolling_evaluation",
        "origins after the data",
        lambda: _evaluate(origins=["2030-01-01"]),
        match="origins",
    ),
    Case("rolling_evaluation", "zero test days", lambda: _evaluate(test_days=0), match="test_days"),
    Case(
        "rolling_evaluation",
        "coverage above 1",
        lambda: _evaluate(coverage=(0.05, 1.5)),
        match="coverage",
    ),
    Case(
        "rolling_evaluation",
        "fractional bootstrap count",
        lambda: _evaluate(n_bootstrap=9.5),
        match="n_bootstrap",
    ),
    Case(
        "rolling_evaluation",
        "confidence of 95",
        lambda: _evaluate(confidence=95),
        match="confidence",
    ),
]
