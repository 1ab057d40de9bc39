import numpy as np
import pytest
from scipy import stats

import hotspotlib as hs


# Worked values computed for the domain reference (section 3.4), t = 1, alpha = .05, power .80.
@pytest.mark.parametrize(
    ("mu0", "irr", "k", "expected"),
    [
        (0.5, 0.8, 0.5, 867.0),
        (0.5, 0.8, 0.0, 709.3),
        (2.0, 0.8, 0.5, 335.0),
        (5.0, 0.75, 0.3, 101.2),
    ],
)
def test_sample_size_table(mu0, irr, k, expected):
    result = hs.sample_size(control_rate=mu0, irr=irr, dispersion=k)
    assert round(result.n, 1) == expected
    assert result.unit == "places per arm"


@pytest.mark.parametrize(
    ("n", "mu0", "k", "reduction"), [(20, 10, 0.3, 44.4), (50, 10, 0.3, 30.5), (21, 5, 0.5, 54.3)]
)
def test_mde_table(n, mu0, k, reduction):
    result = hs.minimum_detectable_effect(n=n, control_rate=mu0, dispersion=k)
    assert round(result.percent_reduction, 1) == reduction


def test_crossover_example():
    # Southend-like: N = 20, D = 90, p = 0.4, mu = 0.1, k = 1. The domain reference's sketch
    # (control rate on treated days too) gives SE 0.160 at the null; with the treated
    # days at mu * IRR the detectable IRR is 0.59 (SE 0.187), not the sketch's 0.64.
    result = hs.minimum_detectable_effect(
        n=20 * 90, control_rate=0.1, dispersion=1.0, design="crossover", treated_share=0.4
    )
    assert round(result.irr, 3) == 0.592
    assert round(result.std_error, 3) == 0.187
    # by hand: n Var = (1/mu + k) / (1 - p) + (1/(mu IRR) + k) / p
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    var = ((10 + 1) / 0.6 + (10 / result.irr + 1) / 0.4) / 1_800
    assert np.log(result.irr) == pytest.approx(-z * np.sqrt(var))
    near_null = hs.sample_size(
        control_rate=0.1, irr=1 - 1e-9, dispersion=1.0, design="crossover", treated_share=0.4
    )
    assert near_null.std_error * np.sqrt(near_null.n / 1_800) == pytest.approx(0.160, abs=5e-4)
    back = hs.sample_size(
        control_rate=0.1,
        irr=result.irr,
        dispersion=1.0,
        design="crossover",
        treated_share=0.4,
        n_places=20,
    )
    assert back.n == pytest.approx(1_800)
    assert back.days == pytest.approx(90)


def test_crossover_mde_and_sample_size_are_inverse():
    n = hs.sample_size(control_rate=0.3, irr=0.75, dispersion=0.5, design="crossover").n
    mde = hs.minimum_detectable_effect(n=n, control_rate=0.3, dispersion=0.5, design="crossover")
    assert mde.irr == pytest.approx(0.75)
    with pytest.raises(ValueError, match="No reduction is detectable"):
        hs.minimum_detectable_effect(n=5, control_rate=0.01, design="crossover")


@pytest.mark.parametrize(
    ("mu", "k", "n", "share"),
    [(0.1, 1.0, 1_800, 0.4), (0.5, 0.3, 1_800, 0.5), (2.0, 0.0, 300, 0.25)],
)
def test_crossover_mde_has_80_percent_power_in_statsmodels(mu, k, n, share):
    # Peer: Zhu & Lakkis's Wald test of two independent NB2 rates with the variance at the
    # alternative (statsmodels method_var="alt"): the patrolled place-days at mu * IRR
    # against the others at mu. It counts the far tail too (about 1e-6 here).
    from statsmodels.stats.rates import power_negbin_ratio_2indep

    mde = hs.minimum_detectable_effect(
        n=n, control_rate=mu, dispersion=k, design="crossover", treated_share=share
    )
    power = power_negbin_ratio_2indep(
        mu * mde.irr,
        mu,
        n * share,
        nobs_ratio=(1 - share) / share,
        dispersion=k,
        method_var="alt",
        return_results=False,
    )
    assert power == pytest.approx(0.8, abs=1e-4)
    three = hs.sample_size(
        control_rate=mu, irr=0.8, dispersion=k, design="crossover", n_arms=3, p_adjust=None
    )
    each = power_negbin_ratio_2indep(
        mu * 0.8, mu, three.n / 3, dispersion=k, method_var="alt", return_results=False
    )
    assert each == pytest.approx(0.8, abs=1e-4)


# (places, patrolled a day, control rate per place-day, k, days or None, IRR or None):
# days given -> the closed form's MDE is simulated; IRR given -> its sample size in days.
CROSSOVERS = [
    (20, 8, 0.1, 1.0, 90, None),  # the how-to's trial (the old formula promised 0.91 here)
    (20, 8, 0.2, 0.5, None, 0.8),  # sample_size(..., n_places=20): 206 days (old: 181)
    (30, 10, 0.5, 0.3, 60, None),
    (10, 5, 1.0, 0.0, 120, None),  # Poisson, half the places patrolled
]


@pytest.mark.parametrize(("places", "per_day", "mu", "k", "days", "irr"), CROSSOVERS)
def test_crossover_closed_form_power_agrees_with_simulation(places, per_day, mu, k, days, irr):
    share = per_day / places
    model = {"control_rate": mu, "dispersion": k, "design": "crossover", "treated_share": share}
    if irr is None:
        irr = hs.minimum_detectable_effect(n=places * days, **model).irr
    else:
        days = int(np.ceil(hs.sample_size(irr=irr, n_places=places, **model).days))
    # closed-form power at this design (at least 0.8; exactly 0.8 at the MDE)
    at = hs.sample_size(irr=irr, **model)
    se = at.std_error * np.sqrt(at.n / (places * days))
    closed = stats.norm.cdf(-np.log(irr) / se - stats.norm.ppf(0.975))
    plan = hs.assign_days(
        range(places), start="2025-07-01", days=days, treated_per_day=per_day, rng=1
    )
    n_sim = 1_000
    sim = hs.simulate_power(
        plan, place_means=np.full(places, mu), irr=irr, dispersion=k, n_simulations=n_sim, rng=1
    )
    mc_se = np.sqrt(closed * (1 - closed) / n_sim)
    assert abs(sim.power - closed) <= 3 * mc_se


def test_sample_size_and_mde_are_inverse():
    n = hs.sample_size(control_rate=3, irr=0.7, dispersion=0.4).n
    assert hs.minimum_detectable_effect(n=n, control_rate=3, dispersion=0.4).irr == pytest.approx(
        0.7
    )


def test_design_effects():
    base = hs.sample_size(control_rate=2, irr=0.8, dispersion=0.5).n
    paired = hs.sample_size(
        control_rate=2, irr=0.8, dispersion=0.5, design="pair", correlation=0.5
    ).n
    clustered = hs.sample_size(control_rate=2, irr=0.8, dispersion=0.5, cluster_size=11, icc=0.1).n
    assert paired < base
    assert clustered == pytest.approx(2 * base)
    assert hs.sample_size(control_rate=2, irr=0.8, design="pair").unit == "pairs"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"irr": 1.0}, "no effect"),
        ({"irr": 0.8, "design": "stepped"}, "`design` must be one of"),
        ({"irr": 0.8, "alpha": 1.2}, "`alpha`"),
        ({"irr": 0.8, "power": 0}, "`power`"),
        ({"irr": 0.8, "correlation": 0.3}, "pair and block"),
        ({"irr": 0.8, "dispersion": -1}, "`dispersion`"),
        ({"irr": 0.8, "n_places": 20}, "crossover"),
    ],
)
def test_power_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.sample_size(control_rate=1.0, **kwargs)


def test_mde_impossible():
    with pytest.raises(ValueError, match="No reduction is detectable"):
        hs.minimum_detectable_effect(n=1, control_rate=0.01)


def test_power_frame_and_summary():
    result = hs.sample_size(control_rate=0.5, irr=0.8, dispersion=0.5)
    frame = result.to_frame()
    assert {"n", "irr", "percent_reduction", "std_error"} <= set(frame.columns)
    assert "Wald approximation" in str(result.summary())


def test_simulated_power_matches_closed_form_parallel():
    # Parallel Poisson design with 60 places per arm: the closed form is accurate here.
    allocation = hs.assign_places(range(120), rng=1)
    analytic = hs.minimum_detectable_effect(n=60, control_rate=2.0, power=0.8)
    sim = hs.simulate_power(
        allocation, place_means=np.full(120, 2.0), irr=analytic.irr, n_simulations=1_000, rng=5
    )
    assert abs(sim.power - 0.8) < 0.05
    assert abs(sim.coverage - 0.95) < 0.03
    assert sim.to_frame().shape == (1_000, 5)


def test_simulated_power_crossover_and_progress():
    plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    days = 1 + 0.2 * (np.arange(90) % 7 >= 5)
    sim = hs.simulate_power(
        plan,
        place_means=np.linspace(0.2, 1.0, 20),
        irr=0.8,
        dispersion=0.5,
        day_effects=days,
        n_simulations=300,
        rng=2,
        progress=True,
    )
    assert 0.3 < sim.power <= 1
    assert sim.median_irr == pytest.approx(0.8, abs=0.05)
    assert sim.plot() is not None
    again = hs.simulate_power(
        plan,
        place_means=np.linspace(0.2, 1.0, 20),
        irr=0.8,
        dispersion=0.5,
        day_effects=days,
        n_simulations=300,
        rng=2,
    )
    np.testing.assert_array_equal(sim.estimates, again.estimates)


def test_simulate_power_errors():
    plan = hs.assign_days(range(4), start="2020-07-01", days=5, treated_per_day=2, rng=1)
    with pytest.raises(ValueError, match="one expected count per place"):
        hs.simulate_power(plan, place_means=[1, 2], irr=0.8)
    with pytest.raises(ValueError, match="`day_effects`"):
        hs.simulate_power(plan, place_means=[1] * 4, irr=0.8, day_effects=[1, 2])
    with pytest.raises(ValueError, match="`n_simulations`"):
        hs.simulate_power(plan, place_means=[1] * 4, irr=0.8, n_simulations=0)
    with pytest.raises(TypeError, match="assign_days or assign_places"):
        hs.simulate_power("plan", place_means=[1] * 4, irr=0.8)
