"""self_exciting: EM recovers a simulated process, the E-step by brute force, exact cells."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.forecast._etas import close_pairs, cutoff_rate, e_step
from hotspotlib.forecast._spread import spread_gaussian

START = pd.Timestamp("2020-01-01")


def simulate(
    rng: np.random.Generator,
    *,
    n_background: int,
    days: float,
    theta: float,
    omega: float,
    sigma: float,
    background: str,
    side: float,
) -> gpd.GeoDataFrame:
    """A space-time ETAS process by branching: background events, then offspring."""
    n = rng.poisson(n_background)
    if background == "uniform":  # on the square [0, side]^2
        x, y = rng.uniform(0, side, n), rng.uniform(0, side, n)
    else:  # a Gaussian blob of sd ``side`` around 0 (no edge inside the study area)
        x, y = rng.normal(0, side, n), rng.normal(0, side, n)
    t = rng.uniform(0, days, n)
    xs, ys, ts = [x], [y], [t]
    while t.size:  # generations (a dozen or so), each vectorised
        k = rng.poisson(theta, t.size)
        x, y, t = np.repeat(x, k), np.repeat(y, k), np.repeat(t, k)
        t = t + rng.exponential(1 / omega, t.size)
        x, y = x + rng.normal(0, sigma, t.size), y + rng.normal(0, sigma, t.size)
        keep = t < days
        x, y, t = x[keep], y[keep], t[keep]
        xs.append(x), ys.append(y), ts.append(t)
    x, y, t = (np.concatenate(parts) for parts in (xs, ys, ts))
    stamps = START + pd.to_timedelta(t, unit="D")
    return gpd.GeoDataFrame({"timestamp": stamps}, geometry=gpd.points_from_xy(x, y), crs=27700)


def _square(low: float, high: float, cell: float) -> hs.Grid:
    area = gpd.GeoDataFrame(geometry=[box(low, low, high, high)], crs=27700)
    return hs.make_grid(area, cell_size_m=cell)


TRUE = {"theta": 0.5, "omega": 0.2, "sigma": 100.0}


def test_em_recovers_a_simulated_process_cell_background() -> None:
    # About 3,000 events (1,500 background, theta 0.5) over a year on a 5 km square.
    # Over 8 seeds the estimates had sd 0.015 (theta), 0.012 (omega), 2.4 m (sigma);
    # the tolerances below are about 4 standard errors.
    events = simulate(
        np.random.default_rng(3),
        n_background=1_500,
        days=365,
        background="uniform",
        side=5_000,
        **TRUE,
    )
    grid = _square(-1_000, 6_000, 1_000)
    surface = hs.self_exciting(
        events, grid, origin=START + pd.Timedelta(days=365), background="cell"
    )
    fitted = surface.parameters
    assert fitted["converged"]
    assert fitted["theta"] == pytest.approx(TRUE["theta"], abs=0.06)
    assert fitted["omega"] == pytest.approx(TRUE["omega"], abs=0.05)
    assert fitted["sigma_m"] == pytest.approx(TRUE["sigma"], abs=10)
    assert surface.counts["n_pairs"] > 0 and surface.counts["n_iterations"] > 1


def test_em_recovers_a_simulated_process_kernel_background() -> None:
    # Background a Gaussian blob (sd 1.5 km) so that the kernel estimate (bandwidth
    # 400 m) has no edge to lose mass at; over 8 seeds sd 0.017, 0.0049, 2.1 m.
    events = simulate(
        np.random.default_rng(5),
        n_background=1_500,
        days=365,
        background="blob",
        side=1_500,
        **TRUE,
    )
    grid = _square(-8_000, 8_000, 200)
    surface = hs.self_exciting(
        events,
        grid,
        origin=START + pd.Timedelta(days=365),
        background="kernel",
        background_bandwidth_m=400,
        space_cutoff_m=600,
    )
    fitted = surface.parameters
    assert fitted["theta"] == pytest.approx(TRUE["theta"], abs=0.07)
    assert fitted["omega"] == pytest.approx(TRUE["omega"], abs=0.03)
    assert fitted["sigma_m"] == pytest.approx(TRUE["sigma"], abs=10)
    # the forecast: background rate times the horizon plus the offspring still due
    assert fitted["share_outside_grid"] < 1e-6
    total = float(surface.scores.sum())
    assert total == pytest.approx(fitted["expected_background"] + fitted["expected_triggered"])
    background_per_28_days = 1_500 / 365 * 28
    assert fitted["expected_background"] == pytest.approx(background_per_28_days, rel=0.15)


def test_e_step_matches_a_double_loop() -> None:
    rng = np.random.default_rng(0)
    n = 20
    xy = rng.uniform(0, 400, (n, 2))
    t = -np.sort(rng.uniform(0, 30, n))[::-1]
    t[5] = t[4]  # a tie, 10 m apart: neither can trigger the other
    xy[5] = xy[4] + 10.0
    mu = rng.uniform(1e-7, 1e-6, n)
    theta, omega, sigma, t_cut, s_cut = 0.4, 0.3, 60.0, 10.0, 200.0
    pairs = close_pairs(xy, t, t_cut, s_cut)
    p_pair, p_bg, intensity = e_step(pairs, mu, theta, omega, sigma, t_cut, s_cut)

    expected = {}
    lam = mu.copy()
    time_mass = 1 - math.exp(-omega * t_cut)
    space_mass = 1 - math.exp(-(s_cut**2) / (2 * sigma**2))
    for i in range(n):
        for j in range(n):
            lag = t[i] - t[j]
            d2 = float(((xy[i] - xy[j]) ** 2).sum())
            if 0 < lag < t_cut and d2 < s_cut**2:
                g = omega * math.exp(-omega * lag) / time_mass
                f = math.exp(-d2 / (2 * sigma**2)) / (2 * math.pi * sigma**2 * space_mass)
                expected[(j, i)] = theta * g * f
                lam[i] += theta * g * f
    keys = zip(pairs.parent.tolist(), pairs.child.tolist(), strict=True)
    found = dict(zip(keys, p_pair, strict=True))
    assert set(found) == set(expected)
    for (j, i), value in expected.items():
        assert found[(j, i)] == pytest.approx(value / lam[i], rel=1e-10)
    np.testing.assert_allclose(intensity, lam, rtol=1e-12)
    np.testing.assert_allclose(p_bg, mu / lam, rtol=1e-12)
    # each event is background or triggered by exactly one parent
    total = p_bg + np.bincount(pairs.child, weights=p_pair, minlength=n)
    np.testing.assert_allclose(total, 1.0)
    assert pairs.n_same_time == 1


@pytest.mark.parametrize("z", [0.01, 0.5, 3.0, 40.0])
def test_cutoff_rate_inverts_the_truncated_exponential_mean(z: float) -> None:
    cutoff = 7.0
    mean = stats.truncexpon(b=z, scale=cutoff / z).mean()
    rate, flat = cutoff_rate(mean, cutoff)
    assert rate == pytest.approx(z / cutoff, rel=1e-6)
    assert not flat
    assert cutoff_rate(0.6 * cutoff, cutoff)[1]  # a mean past half the cut-off: no decay


def test_spread_gaussian_integrates_each_cell_exactly() -> None:
    grid = _square(0, 1_000, 100)
    xy = np.array([[430.0, 570.0], [20.0, 980.0]])
    mass = np.array([2.0, 1.0])
    scores = spread_gaussian(xy, mass, 80.0, grid)
    cells = grid.cells.geometry.bounds.to_numpy()
    density = stats.multivariate_normal(mean=xy[0], cov=80.0**2 * np.eye(2)).pdf
    for k in [44, 45, 54, 33]:  # a few cells near the first point
        x0, y0, x1, y1 = cells[k]
        direct, _ = integrate.dblquad(lambda y, x: density([x, y]), x0, x1, y0, y1)
        second = stats.norm(20.0, 80.0)
        third = stats.norm(980.0, 80.0)
        other = (second.cdf(x1) - second.cdf(x0)) * (third.cdf(y1) - third.cdf(y0))
        assert scores[k] == pytest.approx(2.0 * direct + other, rel=1e-7, abs=1e-12)
    # the point near the corner loses about three quarters of its mass off the grid
    inside = stats.norm(20.0, 80.0).sf(0) * stats.norm(980.0, 80.0).cdf(1_000)
    assert scores.sum() == pytest.approx(2.0 + inside, rel=1e-6)


def _city() -> tuple[gpd.GeoDataFrame, hs.Grid]:
    city = hs.synthetic_city(n_events=1_500, rng=4)
    return city.events, hs.make_grid(city.boundary, cell_size_m=250)


def test_future_events_do_not_change_the_scores() -> None:
    events, grid = _city()
    origin = pd.Timestamp("2024-10-01")
    first = hs.self_exciting(events, grid, origin=origin)
    planted = events.iloc[[0]].copy()
    planted["timestamp"] = origin + pd.Timedelta(days=3)
    again = hs.self_exciting(pd.concat([events, planted]), grid, origin=origin)
    np.testing.assert_array_equal(first.scores, again.scores)
    assert again.counts["n_after_origin"] == first.counts["n_after_origin"] + 1


def test_result_records_the_fit() -> None:
    events, grid = _city()
    before = events.copy()
    surface = hs.self_exciting(events, grid, origin="2024-10-01", background="cell")
    pd.testing.assert_frame_equal(events, before)
    assert surface.method == "self_exciting"
    for key in ("theta", "omega", "sigma_m", "mean_lag_days", "log_likelihood", "converged"):
        assert key in surface.parameters
    assert surface.parameters["background_bandwidth_m"] is None
    assert {"n_pairs", "n_iterations", "n_same_time_pairs"} <= set(surface.counts)
    assert surface.scores.min() >= 0
    assert "self_exciting" in repr(surface)
    assert "theta" in str(surface.summary())
    top = hs.select_places(surface, n=5)  # ranked by `score`, highest first
    assert (
        top["score"].min()
        >= np.delete(surface.scores, grid.cells.index.get_indexer(top.index)).max()
    )
    np.testing.assert_array_equal(top["score"], np.sort(surface.scores)[::-1][:5])


def test_non_convergence_warns_with_figures() -> None:
    events, grid = _city()
    with pytest.warns(UserWarning, match=r"did not converge in 2 iterations.*changed by"):
        surface = hs.self_exciting(events, grid, origin="2024-10-01", n_iterations=2)
    assert not surface.parameters["converged"]
    assert any("did not converge" in note for note in surface.notes)


def test_repeats_at_one_point_hold_sigma_at_its_floor() -> None:
    rng = np.random.default_rng(2)
    days = rng.uniform(0, 300, 400)
    where = rng.integers(0, 40, 400)  # 40 addresses, many events each
    x, y = 100.0 + 200.0 * (where % 8), 100.0 + 200.0 * (where // 8)
    events = gpd.GeoDataFrame(
        {"timestamp": START + pd.to_timedelta(days, unit="D")},
        geometry=gpd.points_from_xy(x, y),
        crs=27700,
    )
    grid = _square(0, 1_600, 100)
    surface = hs.self_exciting(events, grid, origin="2020-11-01", background="cell", min_sigma_m=5)
    assert surface.parameters["sigma_m"] == pytest.approx(5.0)
    assert any("floor" in note for note in surface.notes)


def test_no_close_pairs_warns_and_gives_the_background() -> None:
    events, grid = _city()
    with pytest.warns(UserWarning, match="No pair of events lies within the cut-offs"):
        surface = hs.self_exciting(
            events, grid, origin="2024-10-01", space_cutoff_m=0.01, min_sigma_m=0.001
        )
    assert surface.counts["n_pairs"] == 0
    assert surface.parameters["theta"] == 0.0
    assert surface.parameters["expected_triggered"] == 0.0
