"""Bad inputs for decayed_kde (``Case``, ``fx``, ``hs`` given)."""

ORIGIN = "2024-02-15"


def _kde(**kwargs):
    return hs.decayed_kde(fx.city.events, fx.grid, origin=kwargs.pop("origin", ORIGIN), **kwargs)


CASES = [
    Case(
        "decayed_kde",
        "hexagonal grid",
        lambda: hs.decayed_kde(
            fx.city.events,
            hs.make_grid(fx.city.boundary, cell_size_m=400, cell_shape="hex"),
            origin=ORIGIN,
        ),
        match="square cells",
    ),
    Case(
        "decayed_kde",
        "grid given as polygons",
        lambda: hs.decayed_kde(fx.city.events, fx.grid.cells, origin=ORIGIN),
        match="grid",
        raises=TypeError,
    ),
    Case(
        "decayed_kde",
        "negative bandwidth",
        lambda: _kde(bandwidths_m=(-5, 300)),
        match="bandwidths_m",
    ),
    Case("decayed_kde", "zero half-life", lambda: _kde(half_lives_days=0), match="half_lives_days"),
    Case(
        "decayed_kde",
        "negative own half-life",
        lambda: _kde(own_half_lives_days=(30, -1)),
        match="own_half_lives_days",
    ),
    Case(
        "decayed_kde",
        "repeated own half-lives",
        lambda: _kde(own_half_lives_days=(30, 30)),
        match="own_half_lives_days",
    ),
    Case("decayed_kde", "stay share of 1", lambda: _kde(stay_shares=(0, 1)), match="stay_shares"),
    Case(
        "decayed_kde",
        "repeated candidates",
        lambda: _kde(bandwidths_m=(300, 300)),
        match="bandwidths_m",
    ),
    Case("decayed_kde", "no candidates", lambda: _kde(half_lives_days=[]), match="half_lives_days"),
    Case(
        "decayed_kde", "zero validation windows", lambda: _kde(n_validation=0), match="n_validation"
    ),
    Case(
        "decayed_kde",
        "negative validation days",
        lambda: _kde(validation_days=-28),
        match="validation_days",
    ),
    Case("decayed_kde", "coverage above 1", lambda: _kde(coverage=1.5), match="coverage"),
    Case("decayed_kde", "zero window", lambda: _kde(window_days=0), match="window_days"),
    Case(
        "decayed_kde",
        "no validation window before the origin",
        lambda: _kde(origin="2024-01-03"),
        match="No validation window",
    ),
    Case(
        "decayed_kde",
        "window that leaves no event",
        lambda: _kde(
            origin="2024-03-30",
            window_days=0.001,
            bandwidths_m=300,
            half_lives_days=30,
            own_half_lives_days=None,
            stay_shares=0,
        ),
        match="within `window_days`",
    ),
    Case("decayed_kde", "unknown time column", lambda: _kde(time="when"), match="when"),
]
