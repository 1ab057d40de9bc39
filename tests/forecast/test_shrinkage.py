"""shrunken_counts: hand-worked empirical Bayes, a brute-force likelihood check, bad inputs."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib.forecast.shrinkage import moment_shape


def _row_of_cells(counts: list[int]) -> tuple[gpd.GeoDataFrame, hs.Grid]:
    """Whole 100 m cells in a row, with ``counts[k]`` events at the centre of cell k."""
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 100 * len(counts), 100)], crs=27700)
    grid = hs.make_grid(area, cell_size_m=100)
    x = np.repeat(50.0 + 100.0 * np.arange(len(counts)), counts)
    events = gpd.GeoDataFrame(
        {"timestamp": pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(x.size), "h")},
        geometry=gpd.points_from_xy(x, np.full(x.size, 50.0)),
        crs=27700,
    )
    return events, grid


def test_global_prior_by_hand() -> None:
    # counts 0, 0, 1, 5: m = 1.5, sum((y - m)^2) = 17, n m = 6, so
    # alpha = m^2 n / (17 - 6) = 9/11 and beta = alpha / m = 6/11;
    # posterior means (alpha + y) / (beta + 1) = 9/17, 9/17, 20/17, 64/17.
    events, grid = _row_of_cells([0, 0, 1, 5])
    surface = hs.shrunken_counts(events, grid, origin="2025-01-01")
    assert surface.parameters["prior_shape"] == pytest.approx(9 / 11)
    assert surface.parameters["prior_rate"] == pytest.approx(6 / 11)
    assert surface.parameters["prior_mean"] == pytest.approx(1.5)
    np.testing.assert_allclose(surface.scores, np.array([9, 9, 20, 64]) / 17)
    # Shrinkage form: w y + (1 - w) m with w = 1 / (1 + beta) = 11/17.
    weight = 11 / 17
    np.testing.assert_allclose(surface.scores, weight * np.array([0, 0, 1, 5]) + (1 - weight) * 1.5)


def test_no_overdispersion_gives_the_prior_mean() -> None:
    events, grid = _row_of_cells([2, 2, 2, 2])
    surface = hs.shrunken_counts(events, grid, origin="2025-01-01")
    assert surface.parameters["prior_shape"] == np.inf
    np.testing.assert_allclose(surface.scores, 2.0)
    assert any("Poisson noise" in note for note in surface.notes)


def test_local_prior_by_hand() -> None:
    # Cells 0, 1, 2 with counts 0, 0, 6; radius 100 m: neighbours {1}, {0, 2}, {1}.
    # Global m = 2; local m_i = (neighbour counts + m) / (neighbour cells + 1):
    # m = (0 + 2)/2, (6 + 2)/3, (0 + 2)/2 = 1, 8/3, 1.
    events, grid = _row_of_cells([0, 0, 6])
    surface = hs.shrunken_counts(
        events, grid, origin="2025-01-01", prior="local", prior_radius_m=100
    )
    m = np.array([1.0, 8 / 3, 1.0])
    y = np.array([0.0, 0.0, 6.0])
    alpha = np.sum(m**2) / (np.sum((y - m) ** 2) - np.sum(m))  # (82/9) / (256/9)
    assert alpha == pytest.approx(82 / 256)
    assert surface.parameters["prior_shape"] == pytest.approx(alpha)
    np.testing.assert_allclose(surface.scores, (alpha + y) / (alpha / m + 1))
    assert surface.parameters["prior_radius_m"] == 100.0


def test_local_prior_default_radius_is_three_cells() -> None:
    events, grid = _row_of_cells([0, 3, 0, 1, 7])
    surface = hs.shrunken_counts(events, grid, origin="2025-01-01", prior="local")
    assert surface.parameters["prior_radius_m"] == 300.0


def _negative_log_likelihood(params: np.ndarray, y: np.ndarray) -> float:
    """Poisson-Gamma marginal (negative binomial), shape alpha and rate beta, exposure 1."""
    alpha, beta = np.exp(params)
    log_lik = (
        special.gammaln(y + alpha)
        - special.gammaln(alpha)
        - special.gammaln(y + 1)
        + alpha * np.log(beta / (beta + 1))
        - y * np.log(beta + 1)
    )
    return float(-log_lik.sum())


def test_moments_agree_with_a_brute_force_marginal_likelihood_fit() -> None:
    rng = np.random.default_rng(2024)
    alpha_true, beta_true = 2.0, 0.5  # prior mean 4 events per cell
    y = rng.poisson(rng.gamma(alpha_true, 1 / beta_true, size=20_000)).astype(float)
    ones = np.ones_like(y)
    alpha_mom = moment_shape(y, ones, np.full_like(y, y.mean()))
    beta_mom = alpha_mom / y.mean()
    fit = optimize.minimize(
        _negative_log_likelihood, x0=[0.0, 0.0], args=(y,), method="Nelder-Mead"
    )
    alpha_mle, beta_mle = np.exp(fit.x)
    assert fit.success
    assert alpha_mom == pytest.approx(alpha_mle, rel=0.08)
    assert beta_mom == pytest.approx(beta_mle, rel=0.08)
    assert alpha_mom == pytest.approx(alpha_true, rel=0.1)
    assert beta_mom == pytest.approx(beta_true, rel=0.1)


def test_global_shrinkage_keeps_the_order_of_whole_cells() -> None:
    events, grid = _row_of_cells([3, 0, 9, 1, 4, 4, 0, 12])
    counts = hs.window_counts(events, grid, origin="2025-01-01").scores
    shrunk = hs.shrunken_counts(events, grid, origin="2025-01-01").scores
    assert (np.diff(shrunk[np.argsort(counts)]) >= 0).all()
    assert shrunk.max() < counts.max() and shrunk.min() > counts.min()


def test_inputs_not_mutated() -> None:
    events, grid = _row_of_cells([0, 2, 5])
    before = events.copy()
    hs.shrunken_counts(events, grid, origin="2025-01-01", prior="local")
    pd.testing.assert_frame_equal(events, before)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"prior": "regional"}, "prior"),
        ({"prior": "local", "prior_radius_m": 0}, "prior_radius_m"),
        ({"origin": "2023-01-01"}, "origin"),
        ({"window_days": 0}, "window_days"),
    ],
)
def test_bad_inputs_name_the_argument(kwargs: dict, match: str) -> None:
    events, grid = _row_of_cells([0, 2, 5])
    arguments = {"origin": "2025-01-01", **kwargs}
    with pytest.raises(ValueError, match=match):
        hs.shrunken_counts(events, grid, **arguments)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": np.ones(7)}, "`weights` must be None: the Poisson-Gamma model"),
        ({"prior_radius_m": 300}, "`prior_radius_m` must be None with `prior='global'`"),
    ],
)
def test_options_that_do_not_apply_are_refused(kwargs: dict, match: str) -> None:
    events, grid = _row_of_cells([0, 2, 5])
    with pytest.raises(TypeError, match=match):
        hs.shrunken_counts(events, grid, origin="2025-01-01", **kwargs)
