import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, box

import hotspotlib as hs
from hotspotlib.hotspots.density._engines import binning_error_bound
from hotspotlib.hotspots.density._kernels import kernel_peak

KERNELS = ["quartic", "epanechnikov", "triangular", "uniform", "gaussian"]


def _events(xy, crs=27700, **columns):
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


def _area(x0, y0, x1, y1):
    return gpd.GeoDataFrame(geometry=[box(x0, y0, x1, y1)], crs=27700)


# --- D1: analytic single-point values (domain.md section 6, D1) -----------------------


@pytest.mark.parametrize("method", ["exact", "fft"])
def test_single_point_analytic_values(method):
    r, size = 100.0, 5.0
    # The event sits on a cell centre (cells are centred on odd multiples of 2.5 m).
    event = _events([[502.5, 502.5]])
    surface = hs.kde(
        event,
        bandwidth_m=r,
        cell_size_m=size,
        area=_area(300, 300, 705, 705),
        units="per_m2",
        method=method,
    )
    peak = 3 / (math.pi * r**2)
    at = surface.sample(_events([[502.5, 502.5], [552.5, 502.5], [502.5, 452.5]]))
    assert at[0] == pytest.approx(peak, rel=1e-3)
    np.testing.assert_allclose(at[1:], peak * 0.5625, rtol=2e-3)  # d = r / 2
    frame = surface.to_frame()
    centres = frame.geometry.centroid
    distance = np.hypot(centres.x - 502.5, centres.y - 502.5).to_numpy()
    assert np.all(frame["density"].to_numpy()[distance >= r] == 0.0)
    integral = frame["density"].sum() * size**2
    assert integral == pytest.approx(1.0, abs=1e-3)


@pytest.mark.parametrize("kernel", KERNELS)
def test_each_kernel_integrates_to_the_weight(kernel):
    r = 60.0
    events = _events([[1000.0, 1000.0], [1100.0, 1030.0]], w=[2.0, 3.5])
    surface = hs.kde(
        events,
        bandwidth_m=r if kernel != "gaussian" else r / 4,
        kernel=kernel,
        weights="w",
        cell_size_m=2.0,
        area=_area(800, 800, 1300, 1250),
        units="per_cell",
        method="exact",
    )
    # Uniform and triangular converge slowly on a lattice (a jump or a kink at the rim).
    tolerance = 2e-2 if kernel == "uniform" else 2e-3
    assert np.nansum(surface.values) == pytest.approx(5.5, rel=tolerance)
    assert surface.total_weight == 5.5


def test_units_are_consistent(city):
    options = dict(area=city.boundary, cell_size_m=250, bandwidth_m=700)
    per_km2 = hs.kde(city.events, units="per_km2", **options)
    per_m2 = hs.kde(city.events, units="per_m2", **options)
    per_cell = hs.kde(city.events, units="per_cell", **options)
    np.testing.assert_allclose(per_km2.values, per_m2.values * 1e6, equal_nan=True)
    np.testing.assert_allclose(per_cell.values, per_m2.values * 250**2, equal_nan=True)


# --- mass, engines, peers -------------------------------------------------------------


@pytest.mark.parametrize("method", ["exact", "fft"])
@pytest.mark.parametrize("kernel", ["quartic", "gaussian", "epanechnikov"])
def test_total_mass_equals_total_weight(rng, kernel, method):
    xy = rng.normal(5_000, 300, size=(500, 2))
    weights = rng.exponential(5.0, size=500)
    surface = hs.kde(
        _events(xy),
        weights=weights,
        kernel=kernel,
        bandwidth_m=200 if kernel != "gaussian" else 60,
        cell_size_m=10,
        area=_area(3_000, 3_000, 7_000, 7_000),
        units="per_cell",
        method=method,
    )
    assert np.nansum(surface.values) == pytest.approx(weights.sum(), rel=1e-3)


def test_fft_matches_exact_at_default_settings(city):
    exact = hs.kde(city.events, area=city.boundary, method="exact")
    fast = hs.kde(city.events, area=city.boundary, method="fft")
    assert exact.bandwidth_m == fast.bandwidth_m and exact.method == "exact"
    assert fast.method == "fft" and fast.oversample > 1
    error = np.nanmax(np.abs(exact.values - fast.values))
    assert error <= 1e-3 * exact.peak
    assert fast.binning_error_bound <= 1e-3


@pytest.mark.parametrize("kernel", ["quartic", "gaussian"])
def test_fft_error_per_event_within_stated_bound(rng, kernel):
    bandwidth = 80.0 if kernel == "quartic" else 20.0
    grid_options = dict(
        bandwidth_m=bandwidth,
        kernel=kernel,
        cell_size_m=10,
        area=_area(0, 0, 400, 400),
        units="per_m2",
    )
    for _ in range(3):
        event = _events(rng.uniform(150, 250, size=(1, 2)))
        exact = hs.kde(event, method="exact", **grid_options)
        for oversample in (None, 1):
            fast = hs.kde(event, method="fft", oversample=oversample, **grid_options)
            error = np.nanmax(np.abs(exact.values - fast.values))
            peak = kernel_peak(kernel, bandwidth)
            assert error <= fast.binning_error_bound * peak * 1.02
            if oversample is None:
                assert error <= 1e-3 * peak


def test_binning_error_bound_values():
    assert binning_error_bound("quartic", 12) == pytest.approx(1 / 1152)
    assert binning_error_bound("gaussian", 16) < 1e-3
    assert binning_error_bound("uniform", 100) == 1.0


def test_kdepy_biweight_oracle(rng):
    kdepy = pytest.importorskip("KDEpy")
    xy = rng.normal(0, 40, size=(150, 2))
    r = 35.0
    surface = hs.kde(_events(xy), bandwidth_m=r, cell_size_m=7.0, units="per_m2", method="exact")
    frame = surface.to_frame()
    centres = np.column_stack([frame.geometry.centroid.x, frame.geometry.centroid.y])
    # peers.md section 3.1: KDEpy biweight with bw = r / sqrt(7), times n, is ArcGIS's quartic.
    reference = kdepy.NaiveKDE(kernel="biweight", bw=r / math.sqrt(7)).fit(xy).evaluate(centres)
    np.testing.assert_allclose(
        frame["density"], reference * len(xy), rtol=1e-9, atol=1e-10 * surface.peak
    )


def test_auto_picks_exact_when_cheap_and_fft_when_large(city):
    small = hs.kde(city.events.iloc[:200], bandwidth_m=300, cell_size_m=100)
    assert small.method == "exact" and small.binning_error_bound == 0.0
    large = hs.kde(city.events, bandwidth_m=600, cell_size_m=20)
    assert large.method == "fft"


# --- invariants (hypothesis) ----------------------------------------------------------


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shift=st.tuples(st.integers(-50, 50), st.integers(-50, 50)),
    seed=st.integers(0, 2**16),
    method=st.sampled_from(["exact", "fft"]),
)
def test_translation_invariance(shift, seed, method):
    generator = np.random.default_rng(seed)
    xy = generator.uniform(200, 800, size=(30, 2))
    offset = np.array(shift, dtype=float) * 20.0  # whole cells
    options = dict(bandwidth_m=120, cell_size_m=20, method=method, units="per_m2")
    a = hs.kde(_events(xy), area=_area(0, 0, 1000, 1000), **options)
    b = hs.kde(
        _events(xy + offset),
        area=_area(offset[0], offset[1], 1000 + offset[0], 1000 + offset[1]),
        **options,
    )
    np.testing.assert_allclose(a.values, b.values, rtol=1e-7, atol=1e-12 * np.nanmax(a.values))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**16),
    scale=st.floats(0.01, 1000.0),
    method=st.sampled_from(["exact", "fft"]),
    kernel=st.sampled_from(KERNELS),
)
def test_linear_in_weights(seed, scale, method, kernel):
    generator = np.random.default_rng(seed)
    xy = generator.uniform(0, 1000, size=(25, 2))
    w1, w2 = generator.exponential(1.0, 25), generator.exponential(1.0, 25)
    grid = hs.make_grid(_area(0, 0, 1000, 1000), cell_size_m=50)
    options = dict(grid=grid, bandwidth_m=150, kernel=kernel, method=method)
    events = _events(xy)
    one = hs.kde(events, weights=w1, **options).values
    two = hs.kde(events, weights=w2, **options).values
    both = hs.kde(events, weights=scale * w1 + w2, **options).values
    np.testing.assert_allclose(both, scale * one + two, rtol=1e-8, atol=1e-9 * np.nanmax(both))


# --- planted truth --------------------------------------------------------------------


def test_planted_hotspots_rank_among_top_cells(city):
    surface = hs.kde(city.events, area=city.boundary, bandwidth_m=200, cell_size_m=50)
    centres = gpd.GeoDataFrame(geometry=city.hotspots.centroid, crs=city.crs)
    at_hotspots = surface.sample(centres)
    everywhere = surface.cell_values()
    percentile = np.array([(everywhere < v).mean() for v in at_hotspots])
    ranks = city.hotspots["rank"].to_numpy()
    assert (percentile[ranks <= 10] >= 0.99).all()
    assert (percentile >= 0.95).all()
    top = hs.select_places(surface, share=0.01)
    planted = city.hotspots[["geometry"]].reset_index()
    hit = gpd.sjoin(top, planted, predicate="intersects")
    assert hit["hotspot_id"].nunique() >= 10


# --- inputs, guards, errors -----------------------------------------------------------


def test_inputs_not_mutated(city):
    events = city.events.copy()
    before = events.copy()
    weights = events["harm"].to_numpy().copy()
    weights_before = weights.copy()
    boundary = city.boundary.copy()
    grid = hs.make_grid(city.boundary, cell_size_m=400)
    cells_before = grid.cells.copy()
    surface = hs.kde(events, weights=weights, area=boundary, edge_correction=True)
    surface.to_frame()
    hs.kde(events, grid=grid, weights="harm").to_frame()
    pd.testing.assert_frame_equal(events, before)
    pd.testing.assert_frame_equal(grid.cells, cells_before)
    np.testing.assert_array_equal(weights, weights_before)
    assert boundary.geometry.equals(city.boundary.geometry)


def test_result_arrays_are_read_only(city):
    surface = hs.kde(city.events, bandwidth_m=500, cell_size_m=250, weights="harm")
    for array in (surface.values, surface.event_count, surface.weight_sum):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1


def test_grid_memory_guard(city):
    with pytest.raises(ValueError, match="oversample"):
        hs.kde(city.events, cell_size_m=20, bandwidth_m=100, oversample=40)
    with pytest.raises(ValueError, match="cells"):
        hs.kde(city.events, cell_size_m=1.0, bandwidth_m=100)
    with pytest.raises(ValueError, match="max_cells"):
        hs.kde(city.events, cell_size_m=100, bandwidth_m=100, max_cells=1_000)


def test_errors(city, points_lonlat, square_area):
    events = city.events.iloc[:100]
    with pytest.raises(ValueError, match="geographic"):
        hs.kde(points_lonlat, bandwidth_m=100)
    with pytest.raises(ValueError, match="empty"):
        hs.kde(events.iloc[:0], bandwidth_m=100)
    with pytest.raises(TypeError, match="GeoDataFrame"):
        hs.kde(pd.DataFrame({"x": [1.0]}), bandwidth_m=100)
    for bad in (0, -5, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="bandwidth_m"):
            hs.kde(events, bandwidth_m=bad)
    with pytest.raises(ValueError, match="cell_size_m"):
        hs.kde(events, bandwidth_m=100, cell_size_m=0)
    with pytest.raises(ValueError, match="bandwidth_adjust"):
        hs.kde(events, bandwidth_adjust=-1)
    with pytest.raises(ValueError, match="kernel"):
        hs.kde(events, kernel="biweight")
    with pytest.raises(ValueError, match="units"):
        hs.kde(events, units="per_hectare")
    with pytest.raises(ValueError, match="method"):
        hs.kde(events, method="tree")
    with pytest.raises(ValueError, match="bandwidth_rule"):
        hs.kde(events, bandwidth_rule="isj")
    with pytest.raises(ValueError, match="edge_correction"):
        hs.kde(events, bandwidth_m=100, edge_correction=True)
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    with pytest.raises(ValueError, match="not both"):
        hs.kde(events, grid=grid, cell_size_m=100)
    with pytest.raises(TypeError, match="Grid"):
        hs.kde(events, grid=grid.cells)
    with pytest.raises(ValueError, match="oversample"):
        hs.kde(events, bandwidth_m=100, oversample=0)
    with pytest.raises(ValueError, match="oversample"):
        hs.kde(events, bandwidth_m=100, oversample=2, method="exact")
    with pytest.raises(ValueError, match="share one CRS"):
        hs.kde(events, area=square_area.to_crs(32630), bandwidth_m=100)


def test_weight_errors(city):
    events = city.events.iloc[:50].copy()
    for values, message in (
        (-np.ones(50), "negative"),
        (np.full(50, np.nan), "NaN"),
        (np.zeros(50), "all zero"),
        (np.ones(10), "one value per row"),
    ):
        with pytest.raises(ValueError, match=message):
            hs.kde(events, bandwidth_m=100, weights=values)
    with pytest.raises(ValueError, match="missing column"):
        hs.kde(events, bandwidth_m=100, weights="not_a_column")
    with pytest.raises(TypeError, match="numeric"):
        hs.kde(events, bandwidth_m=100, weights="crime_type")


def test_events_at_one_location_need_a_bandwidth():
    events = _events([[10.0, 10.0]] * 5)
    with pytest.raises(ValueError, match="bandwidth_m"):
        hs.kde(events)
    surface = hs.kde(events, bandwidth_m=50)
    assert surface.cell_size_rule.startswith("bandwidth / 10")
    assert np.nansum(surface.values) > 0


def test_far_events_are_reported(square_area):
    events = _events([[500.0, 500.0], [50_000.0, 50_000.0]])
    surface = hs.kde(events, area=square_area, bandwidth_m=100, cell_size_m=50)
    assert surface.n_beyond_reach == 1 and surface.n_outside_area == 1
    text = str(surface.summary())
    assert "beyond the kernel's reach" in text and "outside the study area" in text


# --- edge correction ------------------------------------------------------------------


def _quartic_mass_inside(centre, r, square):
    """Share of a quartic kernel inside a square, by brute-force quadrature."""
    offsets = (np.arange(2000) + 0.5) / 2000 * 2 * r - r
    ox, oy = np.meshgrid(offsets, offsets)
    values = np.clip(1 - (ox**2 + oy**2) / r**2, 0, None) ** 2
    x, y = centre[0] + ox, centre[1] + oy
    inside = (x >= square[0]) & (x <= square[2]) & (y >= square[1]) & (y <= square[3])
    return float((values * inside).sum() / values.sum())


@pytest.mark.parametrize("method", ["exact", "fft"])
def test_edge_correction_divides_by_kernel_mass_inside(rng, method, square_area):
    xy = rng.uniform(0, 1_000, size=(300, 2))
    options = dict(area=square_area, bandwidth_m=150, cell_size_m=25, method=method)
    plain = hs.kde(_events(xy), **options)
    corrected = hs.kde(_events(xy), edge_correction=True, **options)
    for row, col in [(0, 0), (0, 20), (5, 39), (20, 20)]:
        centre = (12.5 + 25 * col, 12.5 + 25 * row)
        mass = _quartic_mass_inside(centre, 150, (0, 0, 1_000, 1_000))
        expected = plain.values[row, col] / mass
        assert corrected.values[row, col] == pytest.approx(expected, rel=2e-3)
    assert corrected.edge_correction and "Edge-corrected" in str(corrected.summary())


def test_edge_correction_flattens_a_uniform_pattern(rng):
    area = gpd.GeoDataFrame(geometry=[Point(0, 0).buffer(1_000)], crs=27700)
    angle, radius = rng.uniform(0, 2 * np.pi, 40_000), 1_000 * np.sqrt(rng.uniform(0, 1, 40_000))
    xy = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    options = dict(area=area, bandwidth_m=200, cell_size_m=25, units="per_km2")
    plain = hs.kde(_events(xy), **options)
    corrected = hs.kde(_events(xy), edge_correction=True, **options)
    frame = corrected.to_frame()
    centres = frame.geometry.centroid
    rim = (np.hypot(centres.x, centres.y) > 950).to_numpy()
    expected = 40_000 / (np.pi * 1.0**2)  # events per km2
    assert frame["density"][rim].mean() == pytest.approx(expected, rel=0.05)
    assert plain.to_frame()["density"][rim].mean() < 0.75 * expected
    outside = hs.kde(_events(xy), **options).values
    assert np.isnan(outside[0, 0])  # the raster's corner lies outside the circle


def test_events_outside_the_area_are_counted_exactly(city, rng):
    import shapely

    bounds = city.boundary.total_bounds
    xy = rng.uniform(bounds[:2] - 500, bounds[2:] + 500, size=(5_000, 2))
    events = _events(xy)
    inside = shapely.union_all(city.boundary.geometry.to_numpy())
    expected = int((~shapely.contains_xy(inside, xy[:, 0], xy[:, 1])).sum())
    raster = hs.kde(events, area=city.boundary, bandwidth_m=400, cell_size_m=70)
    assert raster.n_outside_area == expected
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    on_grid = hs.kde(events, grid=grid, area=city.boundary, bandwidth_m=400)
    assert on_grid.n_outside_area == expected


def test_no_crs_message_says_the_fix_once():
    events = gpd.GeoDataFrame(geometry=gpd.points_from_xy([0.0, 10.0], [0.0, 5.0]))
    with pytest.raises(ValueError, match=r"has no CRS") as info:
        hs.kde(events, bandwidth_m=50)
    message = str(info.value)
    assert "Project it first" not in message
    assert message.count("to_crs") == 1 and message.endswith("estimate_utm_crs())`.")


def test_weights_series_is_matched_by_label(city):
    harm = city.events["harm"]
    kwargs = {"area": city.boundary, "cell_size_m": 500, "bandwidth_m": 800}
    aligned = hs.kde(city.events, weights=harm, **kwargs)
    by_label = hs.kde(city.events, weights=harm.iloc[::-1], **kwargs)
    np.testing.assert_allclose(by_label.values, aligned.values, equal_nan=True)
    assert by_label.total_weight == pytest.approx(float(harm.sum()))


def test_huge_bandwidth_auto_is_exact_and_fft_refused(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    surface = hs.kde(city.events, grid=grid, bandwidth_m=1e7)
    assert surface.method == "exact"
    with pytest.raises(ValueError, match=r"bandwidth_m.*FFT lattice.*nodes.*GiB"):
        hs.kde(city.events, grid=grid, bandwidth_m=1e7, method="fft")


def test_events_outside_the_grid(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    far = city.events.set_geometry(city.events.translate(100_000, 0))
    with pytest.raises(ValueError, match=r"All .* `events` fall outside the `grid`.*span x"):
        hs.kde(far, grid=grid, bandwidth_m=300)
    with pytest.raises(ValueError, match=r"All .* `events` fall outside the `grid`"):
        hs.count_events(far, grid)


@pytest.mark.parametrize("oversample", [None, 1, 2, 3])
def test_fft_within_stated_bound_for_events_beyond_the_raster_edge(rng, oversample):
    # Events west and south of the raster bin into the transform's wrapped-around end.
    radius = 80.0
    options = dict(bandwidth_m=radius, cell_size_m=10, area=_area(0, 0, 400, 400), units="per_m2")
    peak = kernel_peak("quartic", radius)
    for corner in ([-60.0, 200.0], [200.0, -45.0], [-30.0, -70.0], [430.0, 455.0]):
        event = _events(np.array([corner]) + rng.uniform(0, 10, size=(1, 2)))
        exact = hs.kde(event, method="exact", **options)
        fast = hs.kde(event, method="fft", oversample=oversample, **options)
        assert fast.n_beyond_reach == 0 and np.nanmax(exact.values) > 0
        error = np.nanmax(np.abs(exact.values - fast.values))
        assert error <= fast.binning_error_bound * peak * 1.02
    many = _events(rng.uniform(-70, 470, size=(300, 2)))
    exact = hs.kde(many, method="exact", **options)
    fast = hs.kde(many, method="fft", oversample=oversample, **options)
    error = np.nanmax(np.abs(exact.values - fast.values))
    assert error <= fast.binning_error_bound * peak * 300
    assert error <= 0.02 * exact.peak
