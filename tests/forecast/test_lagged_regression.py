"""lagged_regression: statsmodels GLM on brute-force features, no leakage, planted truth."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.forecast._lag_features import poisson_ridge

sm = pytest.importorskip("statsmodels.api")

ORIGIN = pd.Timestamp("2025-01-01")


def _tiny() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    """8 x 8 cells of 100 m (the top row half clipped) and 900 events over 500 days."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 800, 750)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    rng = np.random.default_rng(7)
    centre = rng.uniform(50, 700, size=(6, 2))
    which = rng.integers(0, 6, 900)
    xy = np.clip(centre[which] + rng.normal(0, 90, (900, 2)), 1, [799, 749])
    days = rng.integers(1, 500, 900)
    events = gpd.GeoDataFrame(
        {"timestamp": ORIGIN - pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    return events, grid


def _brute_features(
    events: gpd.GeoDataFrame, grid: hs.Grid, half_lives: tuple[float, ...], lag: float
) -> tuple[np.ndarray, list[str]]:
    """Own decayed counts (history-scaled) and ring sums at one moment, cell by cell."""
    cells = grid.locate(np.column_stack([events.geometry.x, events.geometry.y]))
    age = ((ORIGIN - events["timestamp"]) / pd.Timedelta(days=1)).to_numpy()
    history = age.max() - lag
    rows, cols = grid.rows, grid.cols
    columns, names = [], []
    for h in half_lives:  # brute force on a tiny case
        own = np.zeros(grid.n_cells)
        for k in range(age.size):
            if age[k] > lag:
                own[cells[k]] += 0.5 ** ((age[k] - lag) / h)
        own /= 1 - 0.5 ** (history / h)
        columns.append(own)
        names.append(f"own_hl{h:g}")
        for size in (3, 5):
            ring = np.zeros(grid.n_cells)
            for i in range(grid.n_cells):
                far = np.maximum(abs(rows - rows[i]), abs(cols - cols[i]))
                ring[i] = own[far == size // 2].sum()
            columns.append(ring)
            names.append(f"ring{size}_hl{h:g}")
    return np.log1p(np.column_stack(columns)), names


def test_fit_matches_statsmodels_glm_on_brute_force_features() -> None:
    events, grid = _tiny()
    lives = (30.0, 365.0)
    surface = hs.lagged_regression(
        events, grid, origin=ORIGIN, half_lives_days=lives, candidates=[{}], n_windows=3,
        ridge=0.0,
    )  # fmt: skip
    age = ((ORIGIN - events["timestamp"]) / pd.Timedelta(days=1)).to_numpy()
    cells = grid.locate(np.column_stack([events.geometry.x, events.geometry.y]))
    share = grid.cells["area_share"].to_numpy()
    xs, ys = [], []
    for j in (1, 2, 3):
        x, names = _brute_features(events, grid, lives, 28.0 * j)
        inside = (age > 28.0 * (j - 1)) & (age <= 28.0 * j)
        xs.append(x)
        ys.append(np.bincount(cells[inside], minlength=grid.n_cells))
    fit = sm.GLM(
        np.concatenate(ys),
        sm.add_constant(np.vstack(xs)),
        family=sm.families.Poisson(),
        offset=np.log(np.tile(share, 3)),
    ).fit(tol=1e-13)
    got = surface.parameters["coefficients"]
    assert list(got) == ["intercept", *names]
    np.testing.assert_allclose(list(got.values()), fit.params, rtol=1e-6, atol=1e-8)
    x0, _ = _brute_features(events, grid, lives, 0.0)
    expected = share * np.exp(fit.params[0] + x0 @ fit.params[1:])
    np.testing.assert_allclose(surface.scores, expected, rtol=1e-6)
    assert surface.counts["n_fit_rows"] == 3 * grid.n_cells
    assert share.min() < 1  # the clipped row enters through the offset


def test_ridge_fit_matches_direct_optimisation() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(300, 3))
    offset = np.log(rng.uniform(0.5, 1.0, 300))
    y = rng.poisson(np.exp(0.3 + x @ [0.5, -0.2, 0.1] + offset)).astype(float)
    beta, iterations = poisson_ridge(x, y, offset, 5.0)

    def loss(b: np.ndarray) -> float:
        eta = b[0] + x @ b[1:] + offset
        return float(np.exp(eta).sum() - y @ eta + 2.5 * b[1:] @ b[1:])

    def grad(b: np.ndarray) -> np.ndarray:
        r = np.exp(b[0] + x @ b[1:] + offset) - y
        return np.concatenate([[r.sum()], x.T @ r + 5.0 * b[1:]])

    best = minimize(loss, np.zeros(4), jac=grad, method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose(beta, best.x, atol=1e-6)
    assert iterations < 100
    plain, _ = poisson_ridge(x, y, offset, 0.0)
    assert np.all(np.abs(beta[1:]) < np.abs(plain[1:]))  # the penalty shrinks the slopes


def test_future_events_change_nothing() -> None:
    city = hs.synthetic_city(n_events=3_000, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=300)
    origin = pd.Timestamp("2024-09-01")
    options = {"half_lives_days": (30, 180), "n_windows": 3, "n_validation": 3}
    past = city.events[city.events["timestamp"] < origin]
    assert len(past) < len(city.events)
    full = hs.lagged_regression(city.events, grid, origin=origin, **options)
    only_past = hs.lagged_regression(past, grid, origin=origin, **options)
    np.testing.assert_array_equal(full.scores, only_past.scores)
    assert full.parameters["validation_table"] == only_past.parameters["validation_table"]
    assert full.parameters["coefficients"] == only_past.parameters["coefficients"]
    assert full.counts["n_after_origin"] == len(city.events) - len(past)
    assert full.counts["n_candidates"] == 5 and full.counts["n_validation_windows"] == 3


def test_planted_hot_cell_in_every_window_ranks_first() -> None:
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 2000, 2000)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    rng = np.random.default_rng(11)
    background = rng.uniform(0, 2000, size=(1500, 2))
    days = rng.integers(1, 600, 1500)
    hot = np.tile([1250.0, 650.0], (120, 1))  # 120 events, 2 every 10 days
    hot_days = np.arange(120) * 5 + 1
    xy = np.vstack([background, hot])
    events = gpd.GeoDataFrame(
        {"timestamp": ORIGIN - pd.to_timedelta(np.concatenate([days, hot_days]), unit="D")},
        geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
        crs=27700,
    )
    surface = hs.lagged_regression(
        events, grid, origin=ORIGIN, half_lives_days=(30, 365), n_windows=4, n_validation=3
    )
    planted = int(grid.locate(np.array([[1250.0, 650.0]]))[0])
    assert int(np.argmax(surface.scores)) == planted
    assert surface.parameters["coefficients"]["own_hl365"] > 0
    assert surface.method == "lagged_regression"


def test_pooling_empty_rows_keeps_the_fit() -> None:
    from hotspotlib.forecast._lag_features import Candidate, Design, _pool_empty, _rows
    from hotspotlib.forecast._poisson_ridge import newton

    rng = np.random.default_rng(5)
    x = np.vstack([np.abs(rng.normal(size=(200, 3))), np.zeros((150, 3))])
    x[200:, 2] = rng.uniform(size=150)  # a column not fitted: its rows are still pooled
    offset = np.log(rng.uniform(0.2, 1.0, 350))
    y = rng.poisson(np.exp(-0.5 + x[:, :2] @ [0.4, -0.3] + offset)).astype(float)
    design = Design(np.stack([x, x]), ("own_hl1", "ring3_hl1", "ring5_hl1"), y[None, :])
    rows = _rows(design, Candidate(), at=0, n_windows=1, exposure=np.exp(offset), cache={})
    use = np.array([0, 1])
    pooled, y_pooled, offset_pooled = _pool_empty(rows, use, use)
    assert pooled.shape == (201, 3) and y_pooled.sum() == y.sum()
    mean, sd = x[:, :2].mean(axis=0), x[:, :2].std(axis=0)
    np.testing.assert_allclose(pooled[-1], [1.0, *(-mean / sd)])
    np.testing.assert_allclose(
        newton(pooled, y_pooled, offset_pooled, 2.0, None)[0],
        poisson_ridge((x[:, :2] - mean) / sd, y, offset, 2.0)[0],
        atol=1e-9,
    )


def _ridge_problem(n: int = 2_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Correlated features (as decayed counts at neighbouring half-lives are) and counts."""
    rng = np.random.default_rng(9)
    base = rng.normal(size=(n, 1))
    x = base + 0.1 * rng.normal(size=(n, 4))
    offset = np.log(rng.uniform(0.5, 1.0, n))
    y = rng.poisson(np.exp(-1.0 + x @ [0.3, 0.2, -0.1, 0.05] + offset)).astype(float)
    return x, y, offset


def test_warm_start_reaches_the_cold_optimum_in_fewer_steps() -> None:
    x, y, offset = _ridge_problem()
    cold, cold_steps = poisson_ridge(x, y, offset, 1.0)
    near = cold + np.random.default_rng(1).normal(0, 0.05, cold.size)
    warm, warm_steps = poisson_ridge(x, y, offset, 1.0, start=near)
    np.testing.assert_allclose(warm, cold, rtol=1e-8, atol=1e-12)
    assert warm_steps < cold_steps
    far, _ = poisson_ridge(x, y, offset, 1.0, start=np.full(cold.size, 2.0))  # halved steps
    np.testing.assert_allclose(far, cold, rtol=1e-8, atol=1e-12)


def test_steps_stalled_at_rounding_noise_stop() -> None:
    x, y, offset = _ridge_problem()
    beta, steps = poisson_ridge(x, y, offset, 1.0)
    # steps cannot fall below 1e-17 (the rounding noise of the gradient moves them by about
    # 1e-15): they stop once they no longer shrink, at the same optimum
    stalled, stalled_steps = poisson_ridge(x, y, offset, 1.0, tolerance=1e-17)
    assert stalled_steps <= steps + 2
    np.testing.assert_allclose(stalled, beta, rtol=1e-12, atol=1e-14)


def test_fits_sharing_rows_and_starts_match_fresh_cold_fits() -> None:
    from hotspotlib.forecast._common import prepare
    from hotspotlib.forecast._lag_features import Candidate, build_design, fit_and_score

    events, grid = _tiny()
    training = prepare(
        events, grid, time="timestamp", origin=ORIGIN, window_days=None, weights=None,
        dayfirst=None,
    )  # fmt: skip
    design = build_design(
        grid, training.position, training.age_days, half_lives=np.array([30.0, 365.0]),
        rings=(3, 5), seasonal=True, horizon=28.0, n_moments=6,
    )  # fmt: skip
    share = np.asarray(grid.area_share, dtype=float)
    options = {"n_windows": 3, "exposure": share, "ridge": 1.0}
    earlier = fit_and_score(design, Candidate(), at=2, **options)
    assert earlier is not None
    cache: dict = {}
    for candidate in (Candidate(), Candidate(seasonal=True), Candidate(fit_cells="history")):
        fresh = fit_and_score(design, candidate, at=1, **options)
        shared = fit_and_score(design, candidate, at=1, start=earlier[1], cache=cache, **options)
        assert fresh is not None and shared is not None
        assert list(shared[1]) == list(fresh[1]) and shared[2] == fresh[2]
        np.testing.assert_allclose(list(shared[1].values()), list(fresh[1].values()), rtol=1e-8)
        np.testing.assert_allclose(shared[0], fresh[0], rtol=1e-8)
    assert len(cache) == 2  # all cells, and the cells with history


def test_a_bad_warm_start_falls_back_to_the_cold_start() -> None:
    # A start far off overflows exp(eta): the fit must not return NaN or stall there.
    rng = np.random.default_rng(0)
    x = np.linspace(-1, 1, 50)[:, None]
    y = rng.poisson(np.exp(0.5 * x[:, 0])).astype(float)
    cold, _ = poisson_ridge(x, y, np.zeros(50), 1.0)
    for start in ([0.0, 800.0], [0.0, 60.0], [np.nan, 0.0]):
        warm, _ = poisson_ridge(x, y, np.zeros(50), 1.0, start=np.array(start))
        np.testing.assert_allclose(warm, cold, rtol=1e-8)


def test_a_feature_in_one_row_converges_to_the_optimum() -> None:
    # A column non-zero in a single row makes steps shrink slowly unless the Hessian is
    # fresh: the default stop must still land on the optimum of a much tighter one.
    rng = np.random.default_rng(1)
    n = 200_000
    x = np.column_stack([np.zeros(n), rng.normal(size=n)])
    x[7, 0] = 1.0
    y = rng.poisson(0.03, n).astype(float)
    y[7] = 10.0
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    beta, _ = poisson_ridge(z, y, np.zeros(n), 1e-3)
    tight, _ = poisson_ridge(z, y, np.zeros(n), 1e-3, tolerance=1e-14, max_iterations=200)
    design = np.column_stack([np.ones(n), z])
    assert np.max(np.abs(np.expm1(design @ (beta - tight)))) < 1e-9


def test_candidates_in_any_order_on_a_tiny_grid_fit() -> None:
    # Warm starts pass between candidates fitted on different rows (top 10%, all cells):
    # on 16 cells a start from another candidate's fit must not break the fit.
    city = hs.synthetic_city(n_events=3000, rng=0)
    grid = hs.make_grid(city.boundary, cell_size_m=3000)
    candidates = [{"fit_cells": 0.1, "seasonal": True}, {"rings": (3,), "fit_cells": 0.1}]
    for order in (candidates + [{"rings": (3, 5, 7)}], [{"rings": (3, 5, 7)}, *candidates]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # few events per window: told
            surface = hs.lagged_regression(
                city.events, grid, origin="2024-11-01", candidates=order, n_windows=3
            )
        assert np.isfinite(surface.scores).all()
