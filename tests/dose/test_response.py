import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial

import hotspotlib as hs
from hotspotlib.dose._design import Basis


def _panel(n_places=25, n_days=30, slope=-0.2, seed=0, drop=0.1, lag_effects=()):
    """A place-day panel with a planted log(1 + minutes) slope (and lag effects)."""
    rng = np.random.default_rng(seed)
    place = np.repeat(np.arange(n_places), n_days)
    day = np.tile(np.arange(n_days), n_places)
    minutes = rng.choice([0, 0, 0, 3, 8, 12, 15, 18, 25, 40], size=place.size).astype(float)
    eta = rng.normal(0.3, 0.5, n_places)[place] + rng.normal(0, 0.3, n_days)[day]
    eta += slope * np.log1p(minutes)
    grid = minutes.reshape(n_places, n_days)
    for lag, effect in enumerate(lag_effects, start=1):
        earlier = np.zeros_like(grid)
        earlier[:, lag:] = grid[:, :-lag] > 0
        eta += effect * earlier.ravel()
    frame = pd.DataFrame(
        {
            "hotspot_id": place,
            "date": pd.Timestamp("2024-05-01") + pd.to_timedelta(day, unit="D"),
            "patrol_minutes": minutes,
            "crimes": rng.poisson(np.exp(eta)),
            "mu": np.exp(eta),
        }
    )
    keep = rng.random(len(frame)) >= drop
    return frame[keep].reset_index(drop=True)


def _dummies(frame, effects):
    parts = [np.ones((len(frame), 1))]
    if "place" in effects:
        parts.append(pd.get_dummies(frame["hotspot_id"], drop_first=True).to_numpy(float))
    if "day" in effects:
        parts.append(pd.get_dummies(frame["date"], drop_first=True).to_numpy(float))
    return np.column_stack(parts)


@pytest.mark.parametrize("shape", ["log", "bins", "spline"])
@pytest.mark.parametrize("effects", [("place", "day"), ("place",), ("day",), ()])
def test_poisson_matches_statsmodels_dummies(shape, effects):
    frame = _panel()
    fit = hs.dose_response(frame, outcome="crimes", shape=shape, fixed_effects=effects)
    x = fit.basis.terms(frame["patrol_minutes"])
    oracle = sm.GLM(
        frame["crimes"].to_numpy(float),
        np.column_stack([x, _dummies(frame, effects)]),
        family=sm.families.Poisson(),
    ).fit(tol=1e-13, cov_type="cluster", cov_kwds={"groups": frame["hotspot_id"].to_numpy()})
    k = x.shape[1]
    np.testing.assert_allclose(fit.beta, oracle.params[:k], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.table["std_error"], oracle.bse[:k], rtol=1e-6)
    np.testing.assert_allclose(fit.table["p_value"], oracle.pvalues[:k], rtol=1e-5, atol=1e-12)
    assert fit.parameters["loglik"] == pytest.approx(oracle.llf, rel=1e-10)
    assert fit.parameters["converged"]


def test_lags_match_statsmodels_and_decay():
    frame = _panel(n_places=30, n_days=40, drop=0.0, lag_effects=(-0.4, -0.2, -0.1), seed=3)
    fit = hs.dose_response(frame, outcome="crimes", lags=3)
    assert fit.counts["n_dropped_for_lags"] == 30 * 3
    used = frame[frame["date"] >= frame["date"].min() + pd.Timedelta(days=3)]
    grid = frame["patrol_minutes"].to_numpy().reshape(30, 40) > 0
    lagged = np.column_stack([grid[:, 3 - lag : 40 - lag].ravel() for lag in (1, 2, 3)]).astype(
        float
    )
    x = np.column_stack([np.log1p(used["patrol_minutes"]), lagged])
    oracle = sm.GLM(
        used["crimes"].to_numpy(float),
        np.column_stack([x, _dummies(used, ("place", "day"))]),
        family=sm.families.Poisson(),
    ).fit(tol=1e-13, cov_type="cluster", cov_kwds={"groups": used["hotspot_id"].to_numpy()})
    np.testing.assert_allclose(fit.beta, oracle.params[:4], atol=1e-6)
    assert list(fit.table.index) == ["log1p_dose"] + [f"patrolled_lag_{i}" for i in (1, 2, 3)]
    # Planted lag effects halve each day: decay ln 2 per day, half-life one day.
    assert fit.decay_per_day == pytest.approx(np.log(2), abs=0.5)
    assert "half_life_days" in str(fit.summary())


def test_negbin_matches_statsmodels():
    rng = np.random.default_rng(4)
    frame = _panel(n_places=12, n_days=20, seed=4, drop=0.05)
    frame["crimes"] = rng.negative_binomial(2.0, 2.0 / (2.0 + frame["mu"]))
    fit = hs.dose_response(frame, outcome="crimes", family="negbin")
    design = np.column_stack([np.log1p(frame["patrol_minutes"]), _dummies(frame, ("place", "day"))])
    y = frame["crimes"].to_numpy(float)
    joint = NegativeBinomial(y, design).fit(method="newton", maxiter=300, tol=1e-12, disp=0)
    assert fit.alpha == pytest.approx(joint.params[-1], rel=1e-4)
    assert fit.beta[0] == pytest.approx(joint.params[0], abs=1e-5)
    at_alpha = sm.GLM(y, design, family=sm.families.NegativeBinomial(alpha=fit.alpha)).fit(
        tol=1e-13, cov_type="cluster", cov_kwds={"groups": frame["hotspot_id"].to_numpy()}
    )
    assert fit.beta[0] == pytest.approx(at_alpha.params[0], abs=1e-6)
    assert fit.table["std_error"].iloc[0] == pytest.approx(at_alpha.bse[0], rel=1e-6)
    assert "profile likelihood" in str(fit.summary())


def test_negbin_without_overdispersion_is_poisson():
    frame = _panel(seed=8)
    nb = hs.dose_response(frame, outcome="crimes", family="negbin")
    poisson = hs.dose_response(frame, outcome="crimes")
    if nb.alpha == 0:
        np.testing.assert_allclose(nb.beta, poisson.beta)
    else:
        assert nb.alpha < 0.05


def test_planted_slope_recovered_within_ci():
    frame = _panel(n_places=60, n_days=90, slope=-0.25, seed=13, drop=0.0)
    before = frame.copy()
    fit = hs.dose_response(frame, outcome="crimes")
    pd.testing.assert_frame_equal(frame, before)
    row = fit.table.loc["log1p_dose"]
    assert row["ci_low"] < -0.25 < row["ci_high"]
    assert row["p_value"] < 1e-6
    np.testing.assert_allclose(fit.irr([0.0, 15.0]), [1.0, 16.0 ** row["estimate"]])
    by_dose = fit.by_dose
    assert by_dose.loc[15.0, "ci_low"] < by_dose.loc[15.0, "irr"] < by_dose.loc[15.0, "ci_high"]
    assert fit.curve["irr"].iloc[0] == 1.0 and fit.curve["dose"].iloc[-1] == 40.0


def test_cluster_ci_coverage():
    covered = 0
    for seed in range(40):
        fit = hs.dose_response(_panel(n_places=30, n_days=20, seed=100 + seed), outcome="crimes")
        row = fit.table.loc["log1p_dose"]
        covered += row["ci_low"] < -0.2 < row["ci_high"]
    assert covered >= 33  # nominal 95% of 40 = 38; binomial 1st percentile ~ 34


def test_assignment_as_dose_gives_itt_irr():
    frame = _panel(seed=5)
    frame["treated"] = pd.array(frame["patrol_minutes"] > 0, dtype="boolean")
    fit = hs.dose_response(
        frame, outcome="crimes", dose="treated", shape="spline", knots_minutes=()
    )
    oracle = sm.GLM(
        frame["crimes"].to_numpy(float),
        np.column_stack([frame["treated"].to_numpy(float), _dummies(frame, ("place", "day"))]),
        family=sm.families.Poisson(),
    ).fit(tol=1e-13)
    assert fit.beta[0] == pytest.approx(oracle.params[0], abs=1e-6)
    frame.loc[0, "treated"] = pd.NA
    with pytest.raises(ValueError, match="must hold finite numbers >= 0"):
        hs.dose_response(frame, outcome="crimes", dose="treated")


def test_bins_reproduce_group_contrasts():
    frame = _panel(seed=2)
    fit = hs.dose_response(frame, outcome="crimes", shape="bins", knots_minutes=(10, 20))
    assert list(fit.by_dose.index) == ["dose_0_10", "dose_10_20", "dose_20_plus"]
    assert Basis.build("bins", (7.5,)).names == ("dose_0_7_5", "dose_7_5_plus")
    np.testing.assert_array_equal(
        Basis.build("bins", (10,)).terms([0, 10, 10.5]), [[0, 0], [1, 0], [0, 1]]
    )


def test_dosage_panel_input_and_dropped_groups(city):
    schedule = pd.DataFrame(
        {
            "officer_id": ["A"] * 6,
            "hotspot_id": [0, 1, 2, 0, 1, 2],
            "arrival": pd.to_datetime(
                ["2024-01-02 10:00", "2024-01-03 10:00", "2024-01-04 10:00"]
                + ["2024-01-06 10:00", "2024-01-08 10:00", "2024-01-09 10:00"]
            ),
            "minutes": [15, 10, 20, 5, 12, 15],
        }
    )
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=0)
    visits = hs.patrol_visits(sim.pings, city.hotspots)
    panel = hs.dosage_panel(visits, start="2024-01-01", end="2024-03-01", events=city.events)
    fit = hs.dose_response(panel, outcome="count", lags=1)
    frame = panel.to_frame()
    empty_places = frame.groupby("hotspot_id")["count"].sum().eq(0).sum()
    assert fit.counts["n_dropped_places_without_outcome"] == empty_places * 59
    assert fit.counts["n_places"] == 20 - empty_places
    assert fit.plot().get_ylabel().startswith("incidence rate ratio")


def test_errors():
    frame = _panel()
    with pytest.raises(TypeError, match="DosagePanel or a DataFrame"):
        hs.dose_response(frame.to_numpy(), outcome="crimes")
    with pytest.raises(ValueError, match="missing column"):
        hs.dose_response(frame, outcome="harm")
    with pytest.raises(ValueError, match="shape"):
        hs.dose_response(frame, outcome="crimes", shape="cubic")
    with pytest.raises(ValueError, match="family"):
        hs.dose_response(frame, outcome="crimes", family="gaussian")
    with pytest.raises(ValueError, match="fixed_effects"):
        hs.dose_response(frame, outcome="crimes", fixed_effects=("week",))
    with pytest.raises(ValueError, match="repeated entries"):
        hs.dose_response(frame, outcome="crimes", fixed_effects=("place", "place"))
    with pytest.raises(ValueError, match="lags"):
        hs.dose_response(frame, outcome="crimes", lags=-1)
    with pytest.raises(ValueError, match="knots_minutes"):
        hs.dose_response(frame, outcome="crimes", shape="spline", knots_minutes=(20, 10))
    with pytest.raises(TypeError, match="knots_minutes"):
        hs.dose_response(frame, outcome="crimes", shape="bins", knots_minutes="ab")
    negative = frame.assign(crimes=frame["crimes"] - 5)
    with pytest.raises(ValueError, match="must hold finite numbers >= 0"):
        hs.dose_response(negative, outcome="crimes")
    with pytest.raises(TypeError, match="must hold numbers"):
        hs.dose_response(frame.assign(crimes="x"), outcome="crimes")
    with pytest.raises(ValueError, match=r"repeated \(place, day\) rows"):
        hs.dose_response(pd.concat([frame, frame]), outcome="crimes")
    with pytest.raises(ValueError, match="zero on every usable row"):
        hs.dose_response(frame.assign(crimes=0), outcome="crimes")
    with pytest.raises(ValueError, match="do not vary"):
        hs.dose_response(frame.assign(patrol_minutes=5.0), outcome="crimes")
    with pytest.raises(ValueError, match="missing timestamps"):
        hs.dose_response(frame.assign(date=pd.NaT), outcome="crimes")
    with pytest.raises(ValueError, match="missing values"):
        hs.dose_response(frame.assign(hotspot_id=np.nan), outcome="crimes")


def test_dose_absorbed_by_fixed_effects_is_refused():
    rng = np.random.default_rng(0)
    panel = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(30), 40),
            "date": np.tile(pd.date_range("2024-01-01", periods=40), 30),
        }
    )
    panel["treated"] = (panel["hotspot_id"] % 2).astype(float)  # fixed per place
    panel["count"] = rng.poisson(1.5, len(panel))
    with pytest.raises(ValueError, match=r"\['dose'\] are constant within the place and day"):
        hs.dose_response(panel, outcome="count", dose="treated", shape="spline", knots_minutes=())


def test_results_cannot_be_edited():
    rng = np.random.default_rng(1)
    panel = pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(20), 30),
            "date": np.tile(pd.date_range("2024-01-01", periods=30), 20),
            "patrol_minutes": rng.choice([0.0, 15.0], 600),
        }
    )
    panel["count"] = rng.poisson(1.0, 600)
    fit = hs.dose_response(panel, outcome="count")
    with pytest.raises(ValueError, match="read-only"):
        fit.beta[0] = 99.0
    with pytest.raises(ValueError):
        fit.beta.flags.writeable = True
    with pytest.raises(TypeError, match="read-only"):
        fit.parameters["family"] = "negbin"
