import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import hotspotlib as hs
from hotspotlib.metrics import concentration_share, gini, lorenz_curve
from hotspotlib.metrics._gini import gini_grouped, jackknife_grouped

C1 = [10, 8, 2, 0, 0, 0, 0, 0, 0, 0]


def brute_gini(x):
    """Gini from its pairwise definition: sum |x_i - x_j| / (2 n^2 mean)."""
    x = np.asarray(x, dtype=float)
    return np.abs(x[:, None] - x[None, :]).sum() / (2 * x.size**2 * x.mean())


counts_strategy = st.lists(st.integers(0, 30), min_size=2, max_size=60).filter(
    lambda xs: sum(xs) > 0
)


def test_c1_lorenzgini_values():
    # domain.md §6 C1 (lorenzgini docs/source): G 0.78, G' 0.78, G' unbiased 0.8667.
    assert gini(C1).estimate == pytest.approx(0.78, abs=1e-12)
    assert gini(C1, generalized=True).estimate == pytest.approx(0.78, abs=1e-12)
    assert gini(C1, generalized=True, unbiased=True).estimate == pytest.approx(
        0.78 * 10 / 9, abs=1e-12
    )
    assert round(gini(C1, generalized=True, unbiased=True).estimate, 4) == 0.8667
    assert gini(C1, unbiased=True).estimate == pytest.approx(0.78 * 10 / 9)
    assert brute_gini(C1) == pytest.approx(0.78)


def test_generalized_for_sparse_data_hand_worked():
    # 3 events over 10 places: G = 1 - 3/10 when spread one per place, so G' = 0.
    spread = [1, 1, 1] + [0] * 7
    assert gini(spread).estimate == pytest.approx(0.7)
    assert gini(spread, generalized=True).estimate == pytest.approx(0.0, abs=1e-12)
    # All 3 in one place: G = 0.9; G' = (10/3)(0.9 - 1) + 1 = 2/3; unbiased x 3/2 = 1.
    lumped = [3] + [0] * 9
    assert gini(lumped, generalized=True).estimate == pytest.approx(2 / 3)
    assert gini(lumped, generalized=True, unbiased=True).estimate == pytest.approx(1.0)


@given(counts_strategy)
@settings(max_examples=80, deadline=None)
def test_matches_pairwise_definition_and_bounds(xs):
    result = gini(xs)
    assert result.estimate == pytest.approx(brute_gini(xs), abs=1e-12)
    for generalized in (False, True):
        for unbiased in (False, True):
            value = gini(xs, generalized=generalized, unbiased=unbiased).estimate
            if np.isfinite(value):
                assert -1e-12 <= value <= 1 + 1e-12


@given(counts_strategy, st.floats(0.1, 1000))
@settings(max_examples=40, deadline=None)
def test_scale_invariant(xs, factor):
    assert gini(np.asarray(xs) * factor).estimate == pytest.approx(gini(xs).estimate, abs=1e-9)


def test_float_weights_such_as_harm():
    harm = np.array([0.0, 1.5, 365.0, 12.25, 0.0])
    assert gini(harm).estimate == pytest.approx(brute_gini(harm))
    with pytest.raises(ValueError, match="whole numbers"):
        gini(harm, generalized=True)


def test_jackknife_closed_form_matches_leave_one_out():
    values = np.array([3.0, 1, 1, 0, 7, 2.5, 0, 0])
    distinct, freq = np.unique(values, return_counts=True)
    loo, n_left, total_left = jackknife_grouped(distinct, freq.astype(float))
    for k, value in enumerate(distinct):
        rest = np.delete(values, np.flatnonzero(values == value)[0])
        assert loo[k] == pytest.approx(brute_gini(rest))
        assert total_left[k] == pytest.approx(rest.sum())
    assert (n_left == values.size - 1).all()


def test_grouped_gini_vectorised_over_rows():
    distinct = np.array([0.0, 1.0, 5.0])
    freq = np.array([[3.0, 1.0, 1.0], [0.0, 2.0, 0.0], [4.0, 0.0, 0.0]])
    out = gini_grouped(distinct, freq)
    assert out[0] == pytest.approx(brute_gini([0, 0, 0, 1, 5]))
    assert out[1] == 0.0
    assert np.isnan(out[2])  # no events: undefined


def test_bootstrap_reproducible_and_contains_estimate(rng):
    counts = rng.poisson(rng.gamma(0.5, 2.0, 400))
    first = gini(counts, n_bootstrap=500, rng=7)
    second = gini(counts, n_bootstrap=500, rng=7)
    np.testing.assert_array_equal(first.bootstrap, second.bootstrap)
    assert first.ci_low < first.estimate < first.ci_high
    bca = gini(counts, n_bootstrap=500, rng=7, ci_method="bca")
    assert bca.ci_low < bca.estimate < bca.ci_high
    assert not first.bootstrap.flags.writeable
    assert np.isnan(gini(counts).ci_low)


def test_multinomial_bootstrap_matches_resampling_places(rng):
    # The grouped bootstrap draws the same distribution as resampling places directly.
    counts = rng.poisson(1.5, 300)
    ours = gini(counts, n_bootstrap=4000, rng=1).bootstrap
    idx = rng.integers(0, counts.size, size=(4000, counts.size))
    naive = np.array([brute_gini(counts[row]) for row in idx[:800]])
    assert ours.mean() == pytest.approx(naive.mean(), abs=0.004)
    assert ours.std() == pytest.approx(naive.std(), rel=0.15)


def test_undefined_replicates_are_counted():
    result = gini([1, 0, 0, 0, 0, 0], n_bootstrap=300, rng=0)
    assert result.n_undefined > 0
    assert "drew no event" in str(result.summary())


def test_inputs_accepted_and_not_mutated(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    counts = hs.count_events(city.events, grid)
    from_counts = gini(counts)
    assert from_counts.estimate == pytest.approx(gini(counts.count).estimate)
    series = pd.Series(counts.count.astype(float))
    before = series.copy()
    gini(series, n_bootstrap=10, rng=1)
    pd.testing.assert_series_equal(series, before)
    array = np.array([3.0, 0.0, 1.0])
    concentration_share(array, share=np.array([0.5]))
    assert array.flags.writeable


@pytest.mark.parametrize(
    ("counts", "kwargs", "error", "match"),
    [
        ([1.0, -1.0], {}, ValueError, ">= 0"),
        ([1.0, np.nan], {}, ValueError, "NaN"),
        ([0, 0, 0], {}, ValueError, "all zero"),
        ([4], {}, ValueError, "at least 2"),
        ([[1, 2], [3, 4]], {}, ValueError, "1-D"),
        ([1, 2], {"n_bootstrap": -1}, ValueError, "n_bootstrap"),
        ([1, 2], {"n_bootstrap": 1.5}, ValueError, "n_bootstrap"),
        ([1, 2], {"confidence": 95}, ValueError, "confidence"),
        ([1, 2], {"ci_method": "basic"}, ValueError, "ci_method"),
    ],
)
def test_gini_errors(counts, kwargs, error, match):
    with pytest.raises(error, match=match):
        gini(counts, **kwargs)


def test_dataframe_rejected():
    with pytest.raises(ValueError, match="one column"):
        gini(pd.DataFrame({"a": [1, 2]}))


def test_result_frame_summary_plot():
    result = gini(C1, generalized=True, unbiased=True, n_bootstrap=200, rng=3)
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["estimate", "ci_low", "ci_high"]
    text = str(result.summary())
    assert "Bernasco" in text and "Bootstrap" in text
    assert result.plot() is not None
    with pytest.raises(ValueError, match="no bootstrap"):
        gini(C1).plot()
    assert "fewer events" in str(gini([1, 0, 0, 0]).summary())


def test_lorenz_curve_area_gives_gini(rng):
    counts = rng.poisson(0.8, 250)
    curve = lorenz_curve(counts)
    assert curve.crime_share[0] == 0 and curve.crime_share[-1] == 1
    assert (np.diff(curve.crime_share) >= 0).all()
    assert (np.diff(curve.crime_share, 2) <= 1e-12).all()  # busiest first: concave
    share, units = np.asarray(curve.crime_share), np.asarray(curve.unit_share)
    area = np.sum(np.diff(units) * (share[1:] + share[:-1]) / 2)  # trapezoid rule
    assert 2 * area - 1 == pytest.approx(curve.gini)
    assert curve.gini == pytest.approx(brute_gini(counts))
    assert curve.generalized_gini == pytest.approx(gini(counts, generalized=True).estimate)
    frame = curve.to_frame()
    assert list(frame.columns) == ["rank", "unit_share", "crime_share"]
    assert curve.plot() is not None
    assert "Weisburd" in str(curve.summary())


def test_lorenz_plot_shows_maximal_equality_line_for_sparse_data():
    axes = lorenz_curve([1, 1, 0, 0, 0]).plot()
    labels = [line.get_label() for line in axes.get_lines()]
    assert "maximal equality for N < n" in labels


def test_concentration_share_hand_worked():
    # 20 events: the busiest place (10) holds 50%; 2 of 10 places hold 90%.
    result = concentration_share(C1, share=[0.25, 0.5, 0.9, 1.0])
    assert result.places_share.tolist() == [0.1, 0.1, 0.2, 0.3]
    assert result.n_places.tolist() == [1, 1, 2, 3]
    assert result.crime_share[1] == pytest.approx(1.0)  # top half of places hold all
    assert result.crime_share[0] == pytest.approx((10 + 8 + 0.5 * 2) / 20)  # 2.5 places
    assert result.places_with_crime_share == pytest.approx(0.3)
    text = str(result.summary())
    assert "50% of crime happens at 10.00% of places" in text


def test_concentration_share_on_planted_city(city):
    grid = hs.make_grid(city.boundary, cell_size_m=150)
    counts = hs.count_events(city.events, grid)
    result = concentration_share(counts, share=0.5)
    # Planted hot spots hold ~20% of events on far under 1% of the area.
    assert result.places_share[0] < 0.2
    assert concentration_share(counts, share=0.2).places_share[0] < 0.01


@given(counts_strategy, st.floats(0.01, 1.0))
@settings(max_examples=60, deadline=None)
def test_concentration_share_is_minimal(xs, share):
    result = concentration_share(xs, share=share)
    ordered = np.sort(xs)[::-1]
    k = int(result.n_places[0])
    total = ordered.sum()
    assert ordered[:k].sum() >= share * total * (1 - 1e-9)
    assert k == 1 or ordered[: k - 1].sum() < share * total


def test_concentration_share_errors():
    with pytest.raises(ValueError, match="share"):
        concentration_share(C1, share=0)
    with pytest.raises(ValueError, match="share"):
        concentration_share(C1, share=[0.5, 1.2])
