import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf

import hotspotlib as hs
from hotspotlib._fixed_effects import absorbed_columns, fit_glm_fe, fit_negbin_fe
from hotspotlib._fixed_effects_batch import fit_poisson_fe


def _crossover(n_places, n_days, seed, *, spread=1.0):
    plan = hs.assign_days(
        range(n_places), start="2020-07-01", days=n_days, treated_per_day=5, rng=3
    )
    panel = plan.to_frame()
    rng = np.random.default_rng(seed)
    mu = np.repeat(rng.lognormal(-1, spread, n_places), n_days)
    mu = mu * np.where(panel["treated"] == 1, 0.7, 1)
    panel["y"] = rng.poisson(mu * rng.gamma(1, 1, len(panel)))
    return plan, panel


@pytest.fixture(scope="module")
def sparse_panel():
    """A small crossover with an event-free place and an event-free day."""
    plan, panel = _crossover(12, 40, 1)
    panel.loc[panel["hotspot_id"] == 4, "y"] = 0
    panel.loc[panel["date"] == plan.dates[7], "y"] = 0
    return panel


def _informative(panel):
    """Rows whose place and day both have events (the rows a count model can use)."""
    place = panel.groupby("hotspot_id")["y"].transform("sum") > 0
    day = panel.groupby("date")["y"].transform("sum") > 0
    return panel[place & day]


def _oracle(kept):
    """statsmodels GLM with indicator columns, clustered by place."""
    model = smf.glm("y ~ treated + C(hotspot_id) + C(date)", kept, family=sm.families.Poisson())
    return model.fit(cov_type="cluster", cov_kwds={"groups": kept["hotspot_id"]})


def _arrays(panel):
    codes = [pd.factorize(panel[c])[0].astype(np.int64) for c in ("hotspot_id", "date")]
    return panel["y"].to_numpy(float), panel["treated"].to_numpy(float), codes


def test_batch_kernel_leaves_event_free_groups_out_of_the_df(sparse_panel):
    fit = _oracle(_informative(sparse_panel))
    y, z, codes = _arrays(sparse_panel)
    beta, se = fit_poisson_fe(y[None], z[None], codes, codes[0])
    assert beta[0] == pytest.approx(fit.params["treated"], rel=1e-6)
    assert se[0] == pytest.approx(fit.bse["treated"], rel=1e-6)


def test_general_solver_leaves_event_free_groups_out_of_the_df(sparse_panel):
    kept = _informative(sparse_panel)
    oracle = _oracle(kept)
    y, z, codes = _arrays(sparse_panel)
    fit = fit_glm_fe(y, z[:, None], codes, codes[0])
    assert fit.converged
    assert fit.beta[0] == pytest.approx(oracle.params["treated"], rel=1e-6)
    assert np.sqrt(fit.cov[0, 0]) == pytest.approx(oracle.bse["treated"], rel=1e-6)
    n_levels = kept["hotspot_id"].nunique() + kept["date"].nunique()
    assert fit.n_obs == len(kept) and fit.n_fe == n_levels - 1
    left_out = ~sparse_panel.index.isin(kept.index)
    assert (fit.mu[left_out] == 0).all() and (fit.mu[~left_out] > 0).all()
    assert fit.deviance == pytest.approx(oracle.deviance, rel=1e-8)


@pytest.mark.parametrize("sparse", [True, False])
def test_general_and_batch_solvers_agree(sparse_panel, sparse):
    panel = sparse_panel if sparse else _crossover(15, 30, 5, spread=0.3)[1]
    y, z, codes = _arrays(panel)
    assert (np.bincount(codes[0], y) == 0).any() == sparse
    general = fit_glm_fe(y, z[:, None], codes, codes[0])
    beta, se = fit_poisson_fe(y[None], z[None], codes, codes[0])
    assert general.beta[0] == pytest.approx(beta[0], abs=1e-8)
    assert np.sqrt(general.cov[0, 0]) == pytest.approx(se[0], abs=1e-8)


def test_solvers_agree_per_draw_with_hc1_and_one_factor():
    rng = np.random.default_rng(7)
    block = np.repeat(np.arange(4), 25).astype(np.int64)
    z = rng.integers(0, 2, (3, 100)).astype(float)
    y = rng.poisson(np.exp(0.5 * block)[None] * 0.8**z).astype(float)
    y[1, block == 2] = 0  # an event-free block in one draw
    beta, se = fit_poisson_fe(y, z, [block], None)
    for draw in range(3):
        fit = fit_glm_fe(y[draw], z[draw][:, None], [block], np.arange(100))
        assert fit.beta[0] == pytest.approx(beta[draw], abs=1e-8)
        assert np.sqrt(fit.cov[0, 0]) == pytest.approx(se[draw], abs=1e-8)
    oracle = sm.GLM(
        y[0],
        np.column_stack([np.ones(100), z[0], block[:, None] == [1, 2, 3]]).astype(float),
        family=sm.families.Poisson(),
    ).fit(cov_type="HC0")
    assert se[0] == pytest.approx(oracle.bse[1] * np.sqrt(100 / (100 - 5)), rel=1e-6)


def test_several_regressors_match_statsmodels_dummies():
    _, panel = _crossover(10, 30, 11, spread=0.5)
    rng = np.random.default_rng(3)
    panel["x"] = rng.normal(size=len(panel))
    panel["y"] = rng.poisson(np.exp(0.3 * panel["x"]) * (1 + panel["y"]))
    y, z, codes = _arrays(panel)
    fit = fit_glm_fe(y, np.column_stack([z, panel["x"]]), codes, codes[0])
    oracle = smf.glm(
        "y ~ treated + x + C(hotspot_id) + C(date)", panel, family=sm.families.Poisson()
    ).fit(cov_type="cluster", cov_kwds={"groups": panel["hotspot_id"]})
    assert fit.beta == pytest.approx(oracle.params[["treated", "x"]].to_numpy(), rel=1e-7)
    assert np.sqrt(np.diag(fit.cov)) == pytest.approx(
        oracle.bse[["treated", "x"]].to_numpy(), rel=1e-6
    )
    assert fit.loglik == pytest.approx(oracle.llf, rel=1e-10)


def test_negbin_drops_event_free_groups_too(sparse_panel):
    y, z, codes = _arrays(sparse_panel)
    full = fit_negbin_fe(y, z[:, None], codes, codes[0])
    kept = _informative(sparse_panel)
    y_k, z_k, codes_k = _arrays(kept)
    used = fit_negbin_fe(y_k, z_k[:, None], codes_k, codes_k[0])
    assert full.alpha == pytest.approx(used.alpha, rel=1e-8)
    assert full.cov == pytest.approx(used.cov, rel=1e-8)
    assert full.loglik == pytest.approx(used.loglik, rel=1e-10)


def test_all_zero_outcome_is_refused():
    codes = np.repeat(np.arange(3), 4).astype(np.int64)
    with pytest.raises(ValueError, match="zero on every row"):
        fit_glm_fe(np.zeros(12), np.ones((12, 1)), [codes], codes)


def test_absorbed_columns_flags_combinations_of_the_factors():
    place = np.repeat(np.arange(4), 6).astype(np.int64)
    day = np.tile(np.arange(6), 4).astype(np.int64)
    rng = np.random.default_rng(0)
    x = np.column_stack(
        [rng.normal(size=24), np.log1p(place), place + 0.5 * day, np.ones(24), np.zeros(24)]
    )
    flags = absorbed_columns(x, [place, day])
    assert flags.tolist() == [False, True, True, True, True]
    assert absorbed_columns(x, [place]).tolist() == [False, True, False, True, True]
    assert absorbed_columns(x, []).tolist() == [False, False, False, True, True]
