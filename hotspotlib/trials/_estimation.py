"""Named steps of :func:`estimate_effect` and :func:`cace` (internal).

Each step returns what it found (columns, rows kept, notes); the public functions
assemble the notes and the result.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import (
    require_columns,
    require_complete,
    require_relevant,
    require_within,
)
from hotspotlib.trials._design import (
    as_names,
    dummies,
    lag_matrix,
    place_day_grid,
    zero_groups,
)
from hotspotlib.trials._fitting import absorbed_terms, effect_terms, fit_model

__all__ = ["fit_terms", "groups_of", "informative_rows", "regressors", "specification"]


def specification(
    panel: pd.DataFrame,
    design: str,
    chosen: str,
    *,
    place: str,
    date: str,
    fixed_effects: str | Sequence[str] | None,
    cluster: str | None,
    baseline: str | None,
) -> tuple[list[str], str | None]:
    """Return the fixed-effect columns and the cluster column; check they are complete."""
    crossover = design == "crossover"
    if fixed_effects is not None:
        effects = as_names(fixed_effects)
    else:
        effects = (
            [place, date] if crossover and chosen != "mixed" else ([date] if crossover else [])
        )
    cluster_by = cluster if cluster is not None else (place if crossover else None)
    needed = [c for c in [*effects, cluster_by, baseline] if c is not None]
    require_columns(panel, needed, name="panel")
    for name in dict.fromkeys([*effects, *([cluster_by] if cluster_by else [])]):
        require_complete(
            panel[name],
            name=f"panel[{name!r}]",
            fix="fixed-effect and cluster columns need a value on every row. Fill or drop "
            "those rows first.",
        )
    return effects, cluster_by


def regressors(
    panel: pd.DataFrame,
    z: NDArray[np.float64],
    design: str,
    *,
    baseline: str | None,
    place: str,
    date: str,
    carryover: int,
    washout: int,
) -> tuple[dict[str, NDArray[np.float64]], NDArray[np.bool_], list[str]]:
    """Return the model columns, the rows kept after the washout, and a washout note."""
    columns: dict[str, NDArray[np.float64]] = {"const": np.ones(len(z)), "treatment": z}
    keep = np.ones(len(z), dtype=bool)
    notes = []
    if design == "crossover" and (carryover or washout):
        codes, day, n_places, n_days = place_day_grid(panel, place=place, date=date)
        lagged, since = lag_matrix(z, codes, day, n_places, n_days, carryover)
        for lag in range(carryover):
            columns[f"carryover_lag{lag + 1}"] = lagged[:, lag]
        if washout:
            in_washout = (z == 0) & (since <= washout)
            keep &= ~in_washout
            notes.append(
                f"Washout: {int(in_washout.sum())} control place-days within {washout} day(s) "
                "after a patrol day were left out."
            )
    if baseline is not None:
        pre = require_within(
            panel[baseline], name=f"panel[{baseline!r}]", low=0, fix="Baselines are counts."
        )
        columns["log_baseline"] = np.log1p(pre)
    return columns, keep, notes


def informative_rows(
    y: NDArray[np.float64],
    keep: NDArray[np.bool_],
    panel: pd.DataFrame,
    effects: list[str],
    chosen: str,
) -> tuple[NDArray[np.bool_], list[str]]:
    """Leave out fixed-effect groups with no events (count models); say how many."""
    notes = []
    if chosen != "ols":
        for name in effects:  # groups with no events carry no information on the effect
            zero = zero_groups(np.where(keep, y, 0.0), panel[name]) & keep
            if zero.any():
                keep = keep & ~zero
                notes.append(
                    f"{int(zero.sum())} rows left out: their {name} group has no events "
                    "(zero throughout), so it carries no information in a count model."
                )
    return keep, notes


def groups_of(
    panel: pd.DataFrame, keep: NDArray[np.bool_], chosen: str, cluster_by: str | None, place: str
) -> NDArray[np.int64] | None:
    """Return the cluster codes of the rows kept (the places for a GEE), or None."""
    if chosen == "mixed" and cluster_by is None:
        cluster_by = place if place in panel.columns else None
        require_relevant(
            cluster_by,
            name="cluster",
            used=True,
            required=True,
            context="with model='mixed' (or a `place` column in the panel) to group by",
        )
    if cluster_by is None:
        return None
    return np.asarray(pd.factorize(panel.loc[keep, cluster_by])[0], dtype=np.int64)


def fit_terms(
    chosen: str,
    yk: NDArray[np.float64],
    kept: pd.DataFrame,
    columns: dict[str, NDArray[np.float64]],
    keep: NDArray[np.bool_],
    effects: list[str],
    groups: NDArray[np.int64] | None,
    level: float,
) -> tuple[pd.DataFrame, str, list[str]]:
    """Fit the model; return the terms table, the covariance type and the fit's notes."""
    if chosen == "poisson" and 1 <= len(effects) <= 2:
        codes_by_effect = [pd.factorize(kept[name])[0] for name in effects]
        regressors = {name: values[keep] for name, values in columns.items() if name != "const"}
        terms, notes = absorbed_terms(yk, regressors, codes_by_effect, groups, level)
        cov_type = "cluster" if groups is not None else "HC1"
    else:
        frame = pd.DataFrame(columns).loc[keep]
        for name in effects:
            frame = frame.join(dummies(kept[name], prefix=name))
        fit, cov_type, notes = fit_model(chosen, yk, frame, groups)
        terms = effect_terms(fit, frame, level, chosen)
    return terms, cov_type, notes
