"""Survival kernels behind :func:`hotspotlib.koper_curve`: departures and Cox fits."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import stats

from hotspotlib.dose.visits import PatrolVisits

_Z95 = float(stats.norm.ppf(0.975))


def departures(
    visits: PatrolVisits,
    event_place: NDArray[np.int64],
    event_time: NDArray[np.datetime64],
    stop: np.datetime64,
    follow_up: float,
    edges: NDArray[np.float64],
) -> tuple[pd.DataFrame, dict[str, int]]:
    """One row per departure: visit length, bin, time to next event or censoring.

    Visits at a place closer than the merge gap (pieces split at midnight) are joined.
    The next event is the first strictly after departure; censoring is at the next
    arrival, after ``follow_up`` minutes, or at ``stop``.
    """
    table = visits.visits
    place = visits.places.index.get_indexer(table[visits.place_column]).astype(np.int64)
    arrival = table["arrival"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    departure = table["departure"].to_numpy().astype("datetime64[ns]").astype(np.int64)
    order = np.lexsort((arrival, place))
    place, arrival, departure = place[order], arrival[order], departure[order]
    merge_ns = visits.parameters["merge_gap_minutes"] * 60e9
    new = np.ones(len(place), dtype=bool)
    new[1:] = (place[1:] != place[:-1]) | (arrival[1:] - departure[:-1] > merge_ns)
    first = np.flatnonzero(new)
    place, arrival = place[first], arrival[first]
    departure = np.maximum.reduceat(departure, first) if len(first) else departure[first]
    next_arrival = np.full(len(first), np.inf)
    same = place[1:] == place[:-1]
    next_arrival[:-1][same] = arrival[1:][same]

    located = event_place >= 0
    e_place = event_place[located]
    e_time = event_time[located].astype(np.int64)
    origin = min(int(e_time.min()) if len(e_time) else 0, int(departure.min(initial=0)))
    span = (max(int(e_time.max(initial=0)), int(departure.max(initial=0))) - origin) / 1e9 + 1
    e_order = np.lexsort((e_time, e_place))
    e_place, e_time = e_place[e_order], e_time[e_order]
    e_key = e_place * span + (e_time - origin) / 1e9
    key = place * span + (departure - origin) / 1e9
    at = np.searchsorted(e_key, key, side="right")
    found = at < len(e_key)
    found[found] = e_place[at[found]] == place[found]
    to_event = np.full(len(place), np.inf)
    to_event[found] = (e_time[at[found]] - departure[found]) / 60e9

    stop_ns = int(np.asarray(stop).astype("datetime64[ns]").astype(np.int64))
    censor = np.minimum.reduce(
        [
            np.full(len(place), follow_up),
            (next_arrival - departure) / 60e9,
            (stop_ns - departure) / 60e9,
        ]
    )
    duration = (departure - arrival) / 60e9
    code = np.searchsorted(edges, duration, side="left") - 1
    in_bins = (code >= 0) & (code < len(edges) - 1)
    observed = censor > 0
    keep = in_bins & observed
    ids = visits.places.index.to_numpy()
    frame = pd.DataFrame(
        {
            visits.place_column: ids[place[keep]],
            "place_position": place[keep],
            "departure": (departure[keep]).astype("datetime64[ns]"),
            "duration_minutes": duration[keep],
            "bin": code[keep],
            "time_minutes": np.minimum(to_event, censor)[keep],
            "event": (to_event <= censor)[keep],
        }
    )
    counts = {
        "n_visits": len(table),
        "n_joined_at_midnight": len(table) - len(first),
        "n_after_end": int((~observed).sum()),
        "n_outside_bins": int((observed & ~in_bins).sum()),
        "n_events_outside_places": int((~located).sum()),
        "n_departures": int(keep.sum()),
    }
    return frame, counts


def _cox(time: Any, exog: Any, event: Any, strata: Any) -> Any:
    from statsmodels.duration.hazard_regression import PHReg  # slow to import: on use

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return PHReg(time, exog, status=event.astype(float), strata=strata, ties="breslow").fit()


# A log hazard ratio beyond these is a fit that ran off to infinity (separation) or a
# coefficient the data do not identify (flat likelihood): it is reported as NaN.
_MAX_LOG_HAZARD_RATIO = 20.0
_MAX_STD_ERROR = 50.0


def cox_hazard_ratios(frame: pd.DataFrame, n_bins: int) -> tuple[pd.DataFrame, list[str]]:
    """Hazard ratios by bin against the shortest bin that has events (Cox, by place).

    Returns the table and plain-English notes on bins whose ratio could not be
    estimated (a fit that failed or diverged, or a ratio the data do not identify).
    """
    out = pd.DataFrame(
        np.nan, index=range(n_bins), columns=["hazard_ratio", "ci_low", "ci_high", "p_value"]
    )
    events_per_bin = np.bincount(frame["bin"], frame["event"].astype(float), n_bins)
    usable = np.flatnonzero(events_per_bin > 0)
    if len(usable) < 2:
        return out, ["Fewer than two bins have events: no hazard ratio can be estimated."]
    reference, others = usable[0], usable[1:]
    rows = frame["bin"].isin(usable).to_numpy()
    codes = frame["bin"].to_numpy()[rows]
    exog = (codes[:, None] == others[None, :]).astype(float)
    try:
        fit = _cox(
            frame["time_minutes"].to_numpy()[rows],
            exog,
            frame["event"].to_numpy()[rows],
            frame["place_position"].to_numpy()[rows],
        )
    except (Warning, np.linalg.LinAlgError, ValueError) as error:
        return out, [f"The Cox model failed ({error}); hazard ratios are NaN."]
    beta, se = np.asarray(fit.params, dtype=float), np.asarray(fit.bse, dtype=float)
    sound = (
        np.isfinite(beta)
        & np.isfinite(se)
        & (np.abs(beta) <= _MAX_LOG_HAZARD_RATIO)
        & (se <= _MAX_STD_ERROR)
    )
    beta, se = np.where(sound, beta, np.nan), np.where(sound, se, np.nan)
    out.loc[reference, "hazard_ratio"] = 1.0
    out.loc[others, "hazard_ratio"] = np.exp(beta)  # |beta| <= 20: no overflow
    out.loc[others, "ci_low"] = np.exp(beta - _Z95 * se)
    out.loc[others, "ci_high"] = np.exp(beta + _Z95 * se)
    out.loc[others, "p_value"] = 2 * stats.norm.sf(np.abs(beta / se))
    notes = []
    if not sound.all():
        bad = ", ".join(str(b) for b in others[~sound])
        notes.append(
            f"The Cox model cannot estimate the hazard ratio of bin position(s) {bad}: the "
            "fit diverged or the data do not identify it (too few events at places with "
            "visits in both bins, or all of a bin's events at one place); those ratios "
            "are NaN. More visits per place, or wider bins, give estimable ratios."
        )
    return out, notes


def stratified_cox(
    time: NDArray[np.float64],
    exog: NDArray[np.float64],
    event: NDArray[np.bool_],
    strata: NDArray[np.int64],
    *,
    max_iter: int = 50,
) -> NDArray[np.float64]:
    """Coefficients of a stratified Cox model (Breslow ties) by Newton's method.

    The same estimates as statsmodels' ``PHReg(..., strata=..., ties="breslow")``, with
    risk-set sums as segmented cumulative sums in one pass per iteration (statsmodels
    loops over strata in Python, too slow for a bootstrap over hundreds of places).

    Risk scores are scaled by the largest linear predictor of their own stratum (the
    likelihood does not change), so a stratum far below the others does not underflow
    to a zero risk set. A Newton step that lands where the likelihood is not finite is
    halved; a fit that ends with non-finite coefficients raises ``ValueError``, whatever
    the warning filters (the callers' fallback does not depend on warnings being errors).
    """
    order = np.lexsort((-time, strata))
    t, x, d, s = time[order], exog[order], event[order].astype(bool), strata[order]
    n, k = x.shape
    new_stratum = np.ones(n, dtype=bool)
    new_stratum[1:] = s[1:] != s[:-1]
    stratum_start = np.maximum.accumulate(np.where(new_stratum, np.arange(n), 0))
    tie_last = np.ones(n, dtype=bool)
    tie_last[:-1] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])
    # index of the last member of each element's tie block (the risk set includes ties)
    block_end = np.minimum.accumulate(np.where(tie_last, np.arange(n), n)[::-1])[::-1]
    outer = (x[:, :, None] * x[:, None, :]).reshape(n, k * k)

    def risk_sums(values: NDArray[np.float64]) -> NDArray[np.float64]:
        total = np.cumsum(values, axis=0)
        before = np.where(stratum_start[:, None] > 0, total[stratum_start - 1], 0.0)
        return (total - before)[block_end]

    starts = np.flatnonzero(new_stratum)
    if n == 0:
        raise ValueError("The Cox model has no rows to fit.")

    def pieces(beta: NDArray[np.float64]) -> tuple[float, Any, Any]:
        eta = x @ beta
        shifted = eta - np.repeat(np.maximum.reduceat(eta, starts), np.diff(starts, append=n))
        # A trial step far off can still overflow or empty a risk set: its likelihood is
        # then not finite and the step is halved (checked below, not left to warnings).
        with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
            risk = np.exp(shifted)
            s0 = risk_sums(risk[:, None])[:, 0]
            s1 = risk_sums(risk[:, None] * x) / s0[:, None]
            s2 = risk_sums(risk[:, None] * outer).reshape(n, k, k) / s0[:, None, None]
            loglik = float(np.sum((shifted - np.log(s0))[d]))
            grad = np.sum((x - s1)[d], axis=0)
            hess = -np.sum((s2 - s1[:, :, None] * s1[:, None, :])[d], axis=0)
        if not (np.isfinite(loglik) and np.isfinite(grad).all() and np.isfinite(hess).all()):
            loglik = -np.inf
        return loglik, grad, hess

    beta = np.zeros(k)
    loglik, grad, hess = pieces(beta)
    if not np.isfinite(loglik):
        raise ValueError("The Cox model's likelihood is not finite at the start.")
    for _ in range(max_iter):
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError as error:  # a ValueError only from numpy 2.0 on
            raise ValueError(f"The Cox model did not converge ({error}).") from error
        for _ in range(30):  # step halving
            trial = beta + step
            new_loglik, new_grad, new_hess = pieces(trial)
            if new_loglik >= loglik - 1e-12:
                break
            step = step / 2
        if not np.isfinite(new_loglik):
            raise ValueError("The Cox model did not converge (its likelihood ran off).")
        beta, loglik, grad, hess = trial, new_loglik, new_grad, new_hess
        if np.max(np.abs(step)) < 1e-10:
            return beta
    raise ValueError("The Cox model did not converge.")


def _optimum(arrays: tuple[Any, ...], bounds: tuple[float, float]) -> float:
    """Minimiser of ``b1 * L + b2 * L^2`` (L in tens of minutes) within ``bounds``."""
    time, duration, event, strata = arrays
    scaled = duration / 10.0
    b1, b2 = stratified_cox(time, np.column_stack([scaled, scaled**2]), event, strata)
    low, high = bounds
    ends = np.array([low, high])
    candidates = np.append(ends, np.clip(-b1 / (2 * b2) * 10.0, low, high) if b2 > 0 else low)
    values = b1 * candidates / 10.0 + b2 * (candidates / 10.0) ** 2
    return float(candidates[np.argmin(values)])


def cox_optimum(
    frame: pd.DataFrame, n_bootstrap: int, generator: np.random.Generator, progress: bool
) -> tuple[float, tuple[float, float], int]:
    """Visit length minimising a quadratic Cox log-hazard, with a place bootstrap CI."""
    duration = frame["duration_minutes"].to_numpy()
    low, high = np.percentile(duration, [1, 99])
    grid = (float(low), float(high))
    arrays = (
        frame["time_minutes"].to_numpy(),
        duration,
        frame["event"].to_numpy(),
        frame["place_position"].to_numpy(),
    )
    try:
        optimum = _optimum(arrays, grid)
    except (Warning, np.linalg.LinAlgError, ValueError):
        return float("nan"), (float("nan"), float("nan")), 0
    place = arrays[3]
    order = np.argsort(place, kind="stable")
    _, start, size = np.unique(place[order], return_index=True, return_counts=True)
    replicates = []
    failed = 0
    steps: Any = range(n_bootstrap)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="bootstrap")
    for _ in steps:  # replicates, each a vectorised resample of places
        draw = generator.integers(len(start), size=len(start))
        lengths = size[draw]
        offset = np.repeat(start[draw] - (np.cumsum(lengths) - lengths), lengths)
        rows = order[offset + np.arange(lengths.sum())]
        strata = np.repeat(np.arange(len(draw)), lengths)
        try:
            replicates.append(
                _optimum((arrays[0][rows], arrays[1][rows], arrays[2][rows], strata), grid)
            )
        except (Warning, np.linalg.LinAlgError, ValueError):
            failed += 1
    if len(replicates) < 10:
        return optimum, (float("nan"), float("nan")), failed
    ci_low, ci_high = np.percentile(replicates, [2.5, 97.5])
    return optimum, (float(ci_low), float(ci_high)), failed
