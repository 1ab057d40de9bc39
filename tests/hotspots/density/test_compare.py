import numpy as np
import pytest

import hotspotlib as hs


@pytest.fixture(scope="module")
def halves(city):
    events = city.events
    first = events[events["month"] <= "2024-06"]
    second = events[events["month"] > "2024-06"]
    options = dict(area=city.boundary, cell_size_m=200, bandwidth_m=600)
    return hs.kde(second, **options), hs.kde(first, **options)


def test_methods_compute_cell_by_cell(halves):
    a, b = halves
    ratio = hs.compare_surfaces(a, b, method="ratio", min_density=0)
    difference = hs.compare_surfaces(a, b, method="difference")
    log_ratio = hs.compare_surfaces(a, b, method="log_ratio", min_density=0)
    both = (b.values > 0) & (a.values > 0)
    np.testing.assert_allclose(ratio.values[both], (a.values / b.values)[both])
    np.testing.assert_allclose(difference.values, a.values - b.values, equal_nan=True)
    np.testing.assert_allclose(log_ratio.values[both], np.log(a.values[both] / b.values[both]))
    assert np.isnan(ratio.values[~np.isfinite(a.values)]).all()
    assert difference.n_guarded == 0 and difference.min_density == 0.0


def test_guard_against_near_zero_densities(halves):
    a, b = halves
    ratio = hs.compare_surfaces(a, b)
    floor = 0.01 * np.nanmax(b.values)
    assert ratio.min_density == pytest.approx(floor)
    low = np.isfinite(b.values) & (b.values < floor)
    assert np.isnan(ratio.values[low]).all()
    assert ratio.n_guarded == int(low.sum())
    high = np.isfinite(b.values) & (b.values >= floor)
    assert np.isfinite(ratio.values[high]).all()
    custom = hs.compare_surfaces(a, b, method="log_ratio", min_density=5.0)
    guarded = np.isfinite(a.values) & ((a.values < 5.0) | (b.values < 5.0))
    assert custom.n_guarded == int(guarded.sum())


def test_frame_summary_plot(halves):
    a, b = halves
    comparison = hs.compare_surfaces(a, b, method="log_ratio")
    frame = comparison.to_frame()
    assert {"density_a", "density_b", "log_ratio", "geometry"} <= set(frame.columns)
    assert frame.index.equals(a.to_frame().index)
    assert "n_guarded" in str(comparison.summary())
    assert comparison.plot().get_title().startswith("Density log ratio")
    with pytest.raises(ValueError, match="read-only"):
        comparison.values[0, 0] = 1.0


def test_compare_errors(city, halves):
    a, b = halves
    other = hs.kde(city.events, area=city.boundary, cell_size_m=250, bandwidth_m=600)
    with pytest.raises(ValueError, match="not on the lattice"):
        hs.compare_surfaces(a, other)
    per_cell = hs.kde(
        city.events, area=city.boundary, cell_size_m=200, bandwidth_m=600, units="per_cell"
    )
    with pytest.raises(ValueError, match="b.units"):
        hs.compare_surfaces(a, per_cell)
    with pytest.raises(ValueError, match="method"):
        hs.compare_surfaces(a, b, method="quotient")
    with pytest.raises(ValueError, match="min_density"):
        hs.compare_surfaces(a, b, min_density=-1)
    with pytest.raises(TypeError, match="DensitySurface"):
        hs.compare_surfaces(a, b.values)
