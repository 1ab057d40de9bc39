"""Bad inputs for crime rates, rankings and tiers.

The names ``Case``, ``fx`` and ``hs`` are given by tests/test_bad_inputs.py.
"""

import functools

import numpy as np
import pandas as pd


@functools.cache
def _zones():
    zones = hs.make_grid(fx.city.boundary, cell_size_m=2500).cells.reset_index(drop=True)
    zones["population"] = 10_000.0
    zones["crimes"] = 5.0
    return zones


def _zones_with(**columns):
    zones = _zones().copy()
    for name, values in columns.items():
        zones[name] = values
    return zones


@functools.cache
def _rates():
    return hs.crime_rates(fx.city.events, _zones())


def _far():
    return fx.city.events.set_geometry(fx.city.events.translate(200_000, 0))


_SCORES = pd.DataFrame({"score": [3.0, 2.0, 0.5], "crimes": [6, 4, 0], "se": [0.1, 0.1, -1]})

CASES = [
    Case(
        "crime_rates",
        "areas that are points",
        lambda: hs.crime_rates(fx.city.events, fx.city.events),
        match="areas.*Polygon",
    ),
    Case(
        "crime_rates",
        "areas as a plain DataFrame",
        lambda: hs.crime_rates(fx.city.events, pd.DataFrame(_zones())),
        match="areas.*GeoDataFrame",
        raises=TypeError,
    ),
    Case(
        "crime_rates",
        "all events outside the areas",
        lambda: hs.crime_rates(_far(), _zones()),
        match="All .* `events` fall outside the `areas`",
    ),
    Case(
        "crime_rates",
        "population column missing",
        lambda: hs.crime_rates(fx.city.events, _zones(), population="residents"),
        match="population.*'residents'",
    ),
    Case(
        "crime_rates",
        "population given as text",
        lambda: hs.crime_rates(fx.city.events, _zones_with(population="many")),
        match="population",
        raises=TypeError,
    ),
    Case(
        "crime_rates",
        "population Series with other labels",
        lambda: hs.crime_rates(
            fx.city.events,
            _zones(),
            population=pd.Series(1e4, index=np.arange(len(_zones())) + 1000),
        ),
        match="population.*index labels",
    ),
    Case(
        "crime_rates",
        "negative population",
        lambda: hs.crime_rates(fx.city.events, _zones_with(population=-1.0)),
        match="population.*negative",
    ),
    Case(
        "crime_rates",
        "zero population for one area",
        lambda: hs.crime_rates(
            fx.city.events, _zones_with(population=[0.0] + [1e4] * (len(_zones()) - 1))
        ),
        match=r"population.*missing or zero for 1 areas \(0\).*missing_population='drop'",
    ),
    Case(
        "crime_rates",
        "every population missing, even when dropping",
        lambda: hs.crime_rates(
            fx.city.events, _zones_with(population=np.nan), missing_population="drop"
        ),
        match="population.*every area",
    ),
    Case(
        "crime_rates",
        "per of zero",
        lambda: hs.crime_rates(fx.city.events, _zones(), per=0),
        match="per",
    ),
    Case(
        "crime_rates",
        "confidence of 95 (a percentage)",
        lambda: hs.crime_rates(fx.city.events, _zones(), confidence=95),
        match="confidence",
    ),
    Case(
        "crime_rates",
        "unknown smoothing",
        lambda: hs.crime_rates(fx.city.events, _zones(), smoothing="bayes"),
        match="smoothing",
    ),
    Case(
        "crime_rates",
        "spatial weights without local smoothing",
        lambda: hs.crime_rates(fx.city.events, _zones(), spatial_weights="rook"),
        match="spatial_weights.*smoothing='local'",
    ),
    Case(
        "crime_rates",
        "unknown missing_population option",
        lambda: hs.crime_rates(fx.city.events, _zones(), missing_population="skip"),
        match="missing_population",
    ),
    Case(
        "crime_rates",
        "negative harm weights",
        lambda: hs.crime_rates(fx.city.events, _zones(), weights=-np.ones(len(fx.city.events))),
        match="weights.*negative",
    ),
    Case(
        "crime_rates",
        "weights with counts already made",
        lambda: hs.crime_rates(None, _zones(), count="crimes", weights="harm"),
        match="`weights` does not apply with `count`.*event points",
    ),
    Case(
        "crime_rates",
        "fractional counts column",
        lambda: hs.crime_rates(None, _zones_with(crimes=2.5), count="crimes"),
        match=r"areas\['crimes'\].*whole numbers >= 0",
    ),
    Case(
        "crime_rates",
        "both events and counts",
        lambda: hs.crime_rates(fx.city.events, _zones(), count="crimes"),
        match="Give only one of `events`, `count`",
    ),
    Case(
        "crime_rates",
        "neither events nor counts",
        lambda: hs.crime_rates(None, _zones()),
        match="Give one of `events`, `count`; got neither",
    ),
    Case(
        "crime_rates",
        "counts column missing",
        lambda: hs.crime_rates(None, _zones(), count="offences"),
        match="count.*'offences'.*'crimes'",
    ),
    Case(
        "crime_rates",
        "a counts column name given as events",
        lambda: hs.crime_rates("crimes", _zones()),
        match="events.*GeoDataFrame.*`count=`",
        raises=TypeError,
    ),
    Case(
        "crime_rates",
        "events neither points nor a column",
        lambda: hs.crime_rates([1, 2, 3], _zones()),
        match="events.*GeoDataFrame",
        raises=TypeError,
    ),
    Case(
        "rank_places",
        "no uncertainty given",
        lambda: hs.rank_places(_SCORES, by="score"),
        match="count.*std_error.*uncertainty='none'",
    ),
    Case(
        "rank_places",
        "a column that is not there",
        lambda: hs.rank_places(_SCORES, by="rate", uncertainty="none"),
        match="by.*'rate'",
    ),
    Case(
        "rank_places",
        "a score with no events under Poisson re-draws",
        lambda: hs.rank_places(_SCORES, by="score", count="crimes"),
        match="no events and a non-zero `score`",
    ),
    Case(
        "rank_places",
        "negative standard errors",
        lambda: hs.rank_places(_SCORES, by="score", std_error="se"),
        match="std_error.*>= 0",
    ),
    Case(
        "rank_places",
        "NaN score",
        lambda: hs.rank_places([1.0, np.nan], uncertainty="none"),
        match="scores.*NaN",
    ),
    Case(
        "rank_places",
        "zero simulations",
        lambda: hs.rank_places(_rates(), n_simulations=0),
        match="n_simulations",
    ),
    Case(
        "rank_places",
        "simulations too many to hold in memory",
        lambda: hs.rank_places(_rates(), n_simulations=10**10),
        match="n_simulations.*GiB",
    ),
    Case(
        "rank_places",
        "unknown column of a CrimeRates result",
        lambda: hs.rank_places(_rates(), by="harm"),
        match="by",
    ),
    Case(
        "rank_places",
        "scores given as text",
        lambda: hs.rank_places("rates"),
        match="scores",
        raises=TypeError,
    ),
    Case(
        "assign_tiers",
        "unknown rule",
        lambda: hs.assign_tiers(_rates(), rule="jenks", n_tiers=3),
        match="rule",
    ),
    Case(
        "assign_tiers",
        "a rule without its numbers",
        lambda: hs.assign_tiers(_rates(), rule="top_k"),
        match="`k` is needed when rule='top_k'.*takes k=32",
    ),
    Case(
        "assign_tiers",
        "numbers the rule does not take",
        lambda: hs.assign_tiers(_rates(), rule="natural_breaks", n_tiers=3, k=5),
        match="`k` does not apply to rule='natural_breaks'",
    ),
    Case(
        "assign_tiers",
        "thresholds not increasing",
        lambda: hs.assign_tiers(_rates(), rule="thresholds", breaks=[10, 5]),
        match="breaks.*strictly increasing",
    ),
    Case(
        "assign_tiers",
        "quantile breaks given as percentages",
        lambda: hs.assign_tiers(_rates(), rule="quantiles", breaks=[50, 90]),
        match="breaks.*> 0 and < 1.*probabilities",
    ),
    Case(
        "assign_tiers",
        "k larger than the number of places",
        lambda: hs.assign_tiers(_rates(), rule="top_k", k=10_000),
        match="`k` must hold whole numbers >= 1 and <= .*places there are",
    ),
    Case(
        "assign_tiers",
        "one tier only",
        lambda: hs.assign_tiers(_rates(), rule="quantiles", n_tiers=1),
        match="n_tiers",
    ),
    Case(
        "assign_tiers",
        "wrong number of labels",
        lambda: hs.assign_tiers(_rates(), rule="top_k", k=[2, 5], labels=["A", "B"]),
        match="labels.*one label per tier",
    ),
]
