import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib.metrics import accuracy_curve, compare_methods


@pytest.fixture(scope="module")
def small_city():
    return hs.synthetic_city(n_events=4_000, rng=99)


def test_counts_rows_match_accuracy_curve(small_city):
    events = small_city.events
    result = compare_methods(
        events,
        methods=["counts", "prospective"],
        train="60D",
        test="30D",
        cell_size_m=500,
        area=small_city.boundary,
        coverage=[0.02, 0.1],
    )
    table = result.to_frame()
    assert set(table["method"]) == {"counts", "prospective"}
    assert len(table) == len(result.origins) * 2 * 2
    origin = result.origins[2]
    times = events["timestamp"]
    train = events[(times >= origin - pd.Timedelta("60D")) & (times < origin)]
    test = events[(times >= origin) & (times < origin + pd.Timedelta("30D"))]
    expected = accuracy_curve(
        hs.count_events(train, result.grid),
        test,
        coverage=[0.02, 0.1],
        train_events=train,
    ).table
    rows = table[(table["origin"] == origin) & (table["method"] == "counts")]
    np.testing.assert_allclose(rows["pai"], expected["pai"])
    np.testing.assert_allclose(rows["rri"], expected["rri"])
    # Planted hot spots persist, so both maps beat a random one by far.
    assert (result.mean()["pai"] > 3).all()


def test_callables_mappings_and_origins(small_city):
    def uniform(train_events, grid):
        return np.zeros(grid.n_cells)

    result = compare_methods(
        small_city.events,
        methods={"flat": uniform, "recent": "counts", "noise": lambda ev, g: np.arange(g.n_cells)},
        train=pd.DateOffset(months=2),
        test=pd.DateOffset(months=1),
        cell_size_m=1_000,
        origins=["2024-03-01", "2024-06-01", "2030-01-01"],
        coverage=[0.1, 1.0],
    )
    assert result.methods == ("flat", "recent", "noise")
    assert len(result.origins) == 2 and "2030-01-01" in result.skipped[0]
    full = result.table[result.table["coverage"] == 1.0]
    np.testing.assert_allclose(full["pai"], 1.0)
    named = compare_methods(
        small_city.events,
        methods=[uniform, lambda ev, g: np.ones(g.n_cells)],
        train="60D",
        test="60D",
        cell_size_m=1_000,
    )
    assert named.methods == ("uniform", "method_2")


def test_mean_summary_plot(small_city):
    result = compare_methods(
        small_city.events, methods="counts", train="90D", test="90D", cell_size_m=800
    )
    means = result.mean()
    assert {"pooled_hit_rate", "n_origins"} <= set(means.columns)
    assert "rolling origin" in str(result.summary())
    assert result.plot() is not None
    assert result.plot(metric="pai") is not None
    with pytest.raises(ValueError, match="metric"):
        result.plot(metric="auc")


@pytest.mark.parametrize("name", ["kde", "gi_star"])
def test_kde_and_gi_star_when_available(small_city, name):
    result = compare_methods(
        small_city.events,
        methods=["counts", name],
        train="90D",
        test="30D",
        cell_size_m=400,
        area=small_city.boundary,
        coverage=[0.05],
    )
    means = result.mean().set_index("method")
    assert means.loc[name, "pai"] > 2


def test_inputs_not_mutated(small_city):
    events = small_city.events.copy()
    before = events.copy()
    compare_methods(events, methods=["counts"], train="120D", test="120D", cell_size_m=1_000)
    pd.testing.assert_frame_equal(events, before)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"methods": ["hexbin"]}, ValueError, "methods"),
        ({"methods": [42]}, TypeError, "built-in name or a function"),
        ({"methods": []}, ValueError, "empty"),
        ({"methods": ["counts", "counts"]}, ValueError, "repeated names"),
        ({"train": "ninety days"}, ValueError, "length of time"),
        ({"train": 90}, TypeError, "train"),
        ({"test": "-30D"}, ValueError, "positive"),
        ({"train": "400D"}, ValueError, "No origin.*must fit"),
        ({"origins": ["2031-01-01"]}, ValueError, "No origin"),
        ({"origins": ["soon"]}, ValueError, "origins"),
        ({"cell_size_m": 0}, ValueError, "cell_size_m"),
        ({"areas": "perimeter"}, ValueError, "areas"),
        ({"time": "when"}, ValueError, "missing column"),
    ],
)
def test_compare_errors(small_city, kwargs, error, match):
    params = {"methods": ["counts"], "cell_size_m": 1_000}
    params.update(kwargs)
    with pytest.raises(error, match=match):
        compare_methods(small_city.events, **params)


def test_progress_bar(small_city):
    result = compare_methods(
        small_city.events,
        methods=["counts"],
        train="180D",
        test="90D",
        cell_size_m=1_000,
        progress=True,
    )
    assert len(result.origins) == 2


def test_skipped_origins_are_counted_by_reason(small_city):
    # The same protocol as rolling_evaluation: a test window past the last event's day
    # is skipped, not shortened; an origin before every event has no training data.
    result = compare_methods(
        small_city.events,
        methods=["counts"],
        train="60D",
        test="30D",
        cell_size_m=1_000,
        origins=["2023-01-01", "2024-04-01", "2030-01-01"],
    )
    assert result.counts["n_origins"] == 1
    assert result.counts["n_origins_no_training"] == 2
    assert result.counts["n_origins_asked"] == 3
    assert sum("Skipped origin" in note for note in result.notes) == 2
    last = small_city.events["timestamp"].max().normalize()
    late = compare_methods(
        small_city.events,
        methods=["counts"],
        train="60D",
        test="30D",
        cell_size_m=1_000,
        origins=[last - pd.Timedelta(days=10), "2024-04-01"],
    )
    assert late.counts["n_origins_past_end"] == 1 and len(late.origins) == 1
