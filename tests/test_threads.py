"""single_thread_blas: one BLAS thread during the fits, the caller's limits restored after."""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest
import threadpoolctl
from threadpoolctl import ThreadpoolController, threadpool_info, threadpool_limits

import hotspotlib as hs
from hotspotlib import _threads
from hotspotlib._threads import single_thread_blas
from hotspotlib.forecast._poisson_ridge import poisson_ridge

BLAS = ThreadpoolController().select(user_api="blas")
pytestmark = pytest.mark.skipif(not BLAS.lib_controllers, reason="no BLAS thread pool found")


def _threads_now() -> list[int]:
    """Each BLAS library's thread limit (a fresh look, not the helper's cached list)."""
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_limits_to_one_and_restores_the_callers_limit():
    with threadpool_limits(limits=2, user_api="blas"):
        assert set(_threads_now()) == {2}
        with single_thread_blas():
            assert set(_threads_now()) == {1}
        assert set(_threads_now()) == {2}


def test_a_lower_user_limit_is_kept_not_raised():
    with threadpool_limits(limits=1, user_api="blas"):
        with single_thread_blas():
            assert set(_threads_now()) == {1}
        assert set(_threads_now()) == {1}  # not put back to the default pool


def test_restores_after_an_error():
    with threadpool_limits(limits=2, user_api="blas"):
        with pytest.raises(RuntimeError, match="boom"), single_thread_blas():
            raise RuntimeError("boom")
        assert set(_threads_now()) == {2}


def test_decorator_form():
    seen = []

    @single_thread_blas()
    def fit() -> None:
        seen.extend(_threads_now())

    with threadpool_limits(limits=2, user_api="blas"):
        fit()
        fit()  # a decorated function can be called again
        assert set(_threads_now()) == {2}
    assert seen and set(seen) == {1}


def test_nested_uses_keep_the_limit_until_the_outer_leaves():
    with threadpool_limits(limits=2, user_api="blas"):
        with single_thread_blas():
            with single_thread_blas():
                pass
            assert set(_threads_now()) == {1}
        assert set(_threads_now()) == {2}


class _FakePools:
    """Stands for the thread pools: records the limits set and restored."""

    def __init__(self) -> None:
        self.calls: list[object] = []

    def limit(self, *, limits: int | None, user_api: str) -> _FakePools:
        self.calls.append(("limit", limits, user_api))
        return self

    def restore_original_limits(self) -> None:
        self.calls.append("restore")


def test_concurrent_uses_restore_when_the_last_leaves(monkeypatch):
    # OpenBLAS may ignore a limit set from another thread, so the sharing is checked on
    # stand-in pools: one limit set by the first to enter, restored by the last to leave
    pools = _FakePools()
    monkeypatch.setattr(_threads, "_controller", lambda: pools)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    after_first_left: list[object] = []

    def first() -> None:
        with single_thread_blas():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with single_thread_blas():
            second_in.set()
            first_out.wait(5)
            after_first_left.extend(pools.calls)

    workers = [threading.Thread(target=first), threading.Thread(target=second)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert after_first_left == [("limit", 1, "blas")]
    assert pools.calls == [("limit", 1, "blas"), "restore"]


_OPENBLAS = getattr(threadpoolctl, "OpenBLASController", None)
_ONE_THREAD_IN_CHARGE = hasattr(_OPENBLAS, "clear_controlling_thread") and any(
    lib["internal_api"] == "openblas" and lib.get("threading_layer") != "openmp"
    for lib in threadpool_info()
)
needs_one_thread_in_charge = pytest.mark.skipif(
    not _ONE_THREAD_IN_CHARGE or max(_threads_now(), default=1) < 2,
    reason="needs an OpenBLAS that takes limits from one thread (threadpoolctl >= 3.8), 2+ threads",
)


@pytest.fixture
def nobody_in_charge():
    """Start as a fresh process does: no thread holds OpenBLAS's limits."""
    _OPENBLAS.clear_controlling_thread(force=True)
    yield
    _OPENBLAS.clear_controlling_thread(force=True)


def _in_worker(body, *, stay: threading.Event) -> threading.Thread:
    """Run ``body`` in a thread that stays alive until ``stay`` is set (a pool worker)."""

    def run() -> None:
        body()
        stay.wait(10)

    worker = threading.Thread(target=run)
    worker.start()
    return worker


@needs_one_thread_in_charge
def test_a_fit_in_a_worker_thread_leaves_the_caller_in_charge(nobody_in_charge):
    # OpenBLAS takes limits only from the thread that first set one until it lets go:
    # a fit that kept hold would make the caller's own limits silently do nothing
    before = _threads_now()
    done, stay = threading.Event(), threading.Event()

    def fit() -> None:
        with single_thread_blas():
            pass
        done.set()

    worker = _in_worker(fit, stay=stay)
    try:
        done.wait(10)
        assert _threads_now() == before
        with threadpool_limits(limits=1, user_api="blas"):
            assert set(_threads_now()) == {1}, "the caller's limit was ignored"
        assert _threads_now() == before
    finally:
        stay.set()
        worker.join(10)


@needs_one_thread_in_charge
def test_concurrent_fits_in_threads_put_the_limits_back(nobody_in_charge):
    # the first fit in leaves first; the last one out must be able to restore
    before = _threads_now()
    first_in, second_in, first_out, second_out = (threading.Event() for _ in range(4))
    stay = threading.Event()

    def first() -> None:
        with single_thread_blas():
            first_in.set()
            second_in.wait(10)
        first_out.set()

    def second() -> None:
        first_in.wait(10)
        with single_thread_blas():
            second_in.set()
            first_out.wait(10)
        second_out.set()

    workers = [_in_worker(first, stay=stay), _in_worker(second, stay=stay)]
    try:
        second_out.wait(10)
        assert _threads_now() == before, "the one-thread limit outlived the fits"
    finally:
        stay.set()
        for worker in workers:
            worker.join(10)


def _recording(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Record the BLAS thread limits at every ``numpy.linalg`` solve, inverse or pinv."""
    seen: list[int] = []
    for name in ("solve", "inv", "pinv"):
        original = getattr(np.linalg, name)

        def wrapped(*args, _original=original, **kwargs):
            seen.extend(lib.num_threads for lib in BLAS.lib_controllers)
            return _original(*args, **kwargs)

        monkeypatch.setattr(np.linalg, name, wrapped)
    return seen


def _crossover() -> pd.DataFrame:
    plan = hs.assign_days(range(12), start="2020-07-01", days=30, treated_per_day=6, rng=1)
    panel = plan.to_frame()
    rng = np.random.default_rng(2)
    place = rng.lognormal(0, 0.5, 12)
    panel["crimes"] = rng.poisson(place[panel["hotspot_id"]] * np.where(panel["treated"], 0.7, 1))
    return panel


def _dose_panel() -> pd.DataFrame:
    rng = np.random.default_rng(3)
    place, day = np.repeat(np.arange(20), 30), np.tile(np.arange(30), 20)
    minutes = rng.choice([0.0, 5.0, 10.0, 20.0], place.size)
    eta = rng.normal(0, 0.5, 20)[place] - 0.2 * np.log1p(minutes)
    return pd.DataFrame(
        {
            "place": place,
            "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(day, unit="D"),
            "patrol_minutes": minutes,
            "crimes": rng.poisson(np.exp(eta)),
        }
    )


def _lagged() -> np.ndarray:
    city = hs.synthetic_city(n_events=2_000, rng=2)
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    return hs.lagged_regression(
        city.events, grid, origin="2024-10-01", half_lives_days=(30, 365),
        candidates=[{}, {"fit_cells": "history"}], n_windows=3, n_validation=2,
    ).scores  # fmt: skip


FITS = {
    "lagged_regression": _lagged,
    "dose_response poisson": lambda: hs.dose_response(
        _dose_panel(), outcome="crimes", place="place"
    ).to_frame(),
    "dose_response negbin": lambda: hs.dose_response(
        _dose_panel(), outcome="crimes", place="place", family="negbin"
    ).to_frame(),
    "estimate_effect poisson": lambda: hs.estimate_effect(
        _crossover(), outcome="crimes", model="poisson"
    ).to_frame(),
    "estimate_effect mixed (GEE)": lambda: hs.estimate_effect(
        _crossover(), outcome="crimes", model="mixed"
    ).to_frame(),
}


@pytest.mark.parametrize("name", list(FITS))
def test_fits_run_with_one_thread_and_restore(name, monkeypatch):
    seen = _recording(monkeypatch)
    with threadpool_limits(limits=2, user_api="blas"):
        FITS[name]()
        assert set(_threads_now()) == {2}
    assert seen, "no solve was recorded: the check saw nothing"
    assert set(seen) == {1}


def test_self_exciting_fit_runs_with_one_thread(monkeypatch):
    from hotspotlib.forecast import _etas

    seen: list[int] = []
    original = _etas.e_step

    def wrapped(*args, **kwargs):
        seen.extend(lib.num_threads for lib in BLAS.lib_controllers)
        return original(*args, **kwargs)

    monkeypatch.setattr(_etas, "e_step", wrapped)
    city = hs.synthetic_city(n_events=1_500, rng=4)
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    with threadpool_limits(limits=2, user_api="blas"):
        hs.self_exciting(city.events, grid, origin="2024-10-01", window_days=365)
        assert set(_threads_now()) == {2}
    assert seen and set(seen) == {1}


def _ridge_problem() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A design tall enough for OpenBLAS to split its products between threads."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(40_000, 24))
    eta = -1.0 + x @ rng.normal(0, 0.2, 24)
    return x, rng.poisson(np.exp(eta)).astype(float), np.zeros(x.shape[0])


def test_results_do_not_depend_on_the_callers_threads():
    x, y, offset = _ridge_problem()
    with threadpool_limits(limits=1, user_api="blas"):
        one = poisson_ridge(x, y, offset, 1.0)[0]
    with threadpool_limits(limits=2, user_api="blas"):
        two = poisson_ridge(x, y, offset, 1.0)[0]
    np.testing.assert_array_equal(one, two)


def test_results_with_and_without_the_limit_agree(monkeypatch):
    x, y, offset = _ridge_problem()
    with threadpool_limits(limits=2, user_api="blas"):
        limited, steps = poisson_ridge(x, y, offset, 1.0)
        monkeypatch.setattr(_threads, "_limit", None)
        pooled, pooled_steps = poisson_ridge(x, y, offset, 1.0)
    assert steps == pooled_steps
    np.testing.assert_allclose(limited, pooled, rtol=1e-12, atol=1e-12)


def test_lagged_regression_with_and_without_the_limit_agree(monkeypatch):
    limited = _lagged()
    monkeypatch.setattr(_threads, "_limit", None)
    with threadpool_limits(limits=2, user_api="blas"):
        pooled = _lagged()
    np.testing.assert_allclose(limited, pooled, rtol=1e-12, atol=0)
