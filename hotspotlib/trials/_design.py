"""Panel checks and design matrices for trial models (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import (
    check_option,
    require_columns,
    require_complete,
    require_finite,
    require_nonempty,
    require_timestamps,
    require_unique,
    require_within,
)

__all__ = [
    "NotEstimable",
    "check_outcome",
    "check_treatment",
    "dummies",
    "lag_matrix",
    "require_estimable",
    "place_day_grid",
    "refuse_repeated_units",
]


class NotEstimable(ValueError):
    """The data carry no estimate of the effect (an empty arm, separation, no events).

    A ``ValueError``: callers that analyse many data sets (:func:`evaluate_forces`)
    report such a data set and go on, while bad arguments still stop them.
    """


def check_treatment(panel: pd.DataFrame, treatment: str) -> NDArray[np.float64]:
    """Return the 0/1 treatment column as floats; both arms must be present."""
    require_columns(panel, [treatment], name="panel")
    raw = panel[treatment]
    name = f"panel[{treatment!r}]"
    require_complete(raw, name=name, fix="every row needs its assigned arm (0/1).")
    # nullable columns (boolean, Int64) give object arrays on pandas 2.0 without this
    values = raw.to_numpy(dtype=getattr(raw.dtype, "numpy_dtype", None))
    for value in pd.unique(values):  # at most a few distinct values
        check_option(value.item() if isinstance(value, np.generic) else value, (0, 1), name=name)
    z = values.astype(float)
    require_estimable(None, z, treatment=treatment)
    return z


def check_outcome(
    panel: pd.DataFrame, outcome: str, *, counts: bool, ols: bool = True
) -> NDArray[np.float64]:
    """Return the outcome as floats; finite, not all zero, >= 0 for count models.

    ``ols`` says whether the caller offers ``model='ols'``, so the message can suggest it.
    """
    require_nonempty(panel, name="panel")
    require_columns(panel, [outcome], name="panel")
    name = f"panel[{outcome!r}]"
    if counts:
        fix = "Count and harm models need values >= 0" + (
            " (use model='ols' for other outcomes)." if ols else "."
        )
        y = require_within(panel[outcome], name=name, low=0, fix=fix)
    else:
        y = require_finite(panel[outcome], name=name)
    require_estimable(y, None, outcome=outcome)
    return y


def require_estimable(
    y: NDArray[np.float64] | None,
    z: NDArray[np.float64] | None,
    *,
    outcome: str = "outcome",
    treatment: str = "treated",
    separation: bool = False,
    context: str = "",
    ols: bool = True,
) -> None:
    """Refuse data on which no effect can be estimated (the one check of this kind).

    Both arms must have rows (``z``), the outcome must not be zero everywhere (``y``)
    and, for count models (``separation``), not zero in every row of one arm.
    """
    problem = ""
    if z is not None and (z.sum() == 0 or z.sum() == len(z)):
        arm = "treated" if z.sum() == 0 else "control"
        problem = (
            f"the {arm} arm is empty{context}: every row of `panel[{treatment!r}]` is "
            f"{int(z[0]) if len(z) else 'missing'}. An effect needs rows in both arms."
        )
    elif y is not None and not (y != 0).any():
        problem = (
            f"`panel[{outcome!r}]` is zero in every row{context}. Check the outcome column "
            "and the trial period."
        )
    elif separation and y is not None and z is not None:
        empty = [
            arm for arm, rows in (("treated", z == 1), ("control", z == 0)) if not y[rows].any()
        ]
        if empty:
            rows = z == (1 if empty[0] == "treated" else 0)
            problem = (
                f"`{outcome}` is 0 in every {empty[0]} row analysed{context} "
                f"({int(rows.sum())} rows): "
                "complete separation, the IRR is 0 or infinite and a count model cannot "
                "estimate it or its standard error. Report the counts or test with "
                "randomization_test (valid under the sharp null)"
                + (", or use model='ols' for a difference in means." if ols else ".")
            )
    if problem:
        raise NotEstimable(f"No effect can be estimated: {problem}")


def dummies(values: pd.Series, *, prefix: str) -> pd.DataFrame:
    """Build indicator columns for all but the first level (the reference)."""
    codes, levels = pd.factorize(values, sort=True)
    if len(levels) < 2:
        return pd.DataFrame(index=values.index)
    matrix = np.zeros((len(codes), len(levels) - 1))
    rows = np.flatnonzero(codes > 0)
    matrix[rows, codes[rows] - 1] = 1.0
    names = [f"{prefix}[{level}]" for level in levels[1:]]
    return pd.DataFrame(matrix, index=values.index, columns=names)


def refuse_repeated_units(
    panel: pd.DataFrame,
    *,
    place: str,
    date: str,
    design: str,
    fixed_effects: str | Sequence[str] | None = None,
    cluster: str | None = None,
) -> None:
    """Refuse repeated units: the same place (and day, and fixed-effect levels) twice.

    A repeated row counts one observation twice: it shrinks the standard error and the
    p-value without any new information. A unit is the place together with its ``date``
    and the fixed-effect columns present in the panel (a parallel trial may have one
    row per place and week, with a week fixed effect). A parallel panel with several
    rows per place and no date or fixed-effect column is repeated measures: accepted
    with ``cluster=`` (errors clustered by place), refused without it.
    """
    if place not in panel.columns:
        return  # no place column: units are whatever the rows are
    extra = [] if fixed_effects is None else as_names(fixed_effects)
    keys = list(dict.fromkeys(c for c in (place, date, *extra) if c in panel.columns))
    if design == "crossover" and date not in keys:
        return
    if keys == [place] and cluster is not None:
        return  # repeated measures of a place, with errors clustered
    unit = "place-day" if date in keys else "place"
    more = (
        "; if these are repeated measures of each place (e.g. one row per week), pass "
        "`cluster=` with the place column, or the period column as `date=` or a fixed "
        "effect"
        if keys == [place]
        else ""
    )
    require_unique(
        pd.MultiIndex.from_frame(panel[keys]) if len(keys) > 1 else panel[keys[0]],
        name="panel",
        what=f"{unit} rows ({', '.join(keys)}; a repeated unit counts the same observation "
        "twice and shrinks the p-value: keep one row per unit, aggregating with "
        f"`groupby([{', '.join(repr(k) for k in keys)}]).sum()`{more})",
    )


def place_day_grid(
    panel: pd.DataFrame, *, place: str, date: str
) -> tuple[NDArray[np.int64], NDArray[np.int64], int, int]:
    """Row positions of each panel row in a places x consecutive-days grid."""
    require_columns(panel, [place, date], name="panel")
    dates = require_timestamps(panel[date], name=f"panel[{date!r}]").dt.normalize()
    place_codes, places = pd.factorize(panel[place], sort=True)
    first = dates.min()
    day = ((dates - first) / pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    n_days = int(day.max()) + 1
    require_unique(
        pd.MultiIndex.from_arrays([panel[place], dates]),
        name="panel",
        what=f"({place}, {date}) rows (keep one row per place-day)",
    )
    return place_codes.astype(np.int64), day, len(places), n_days


def lag_matrix(
    z: NDArray[np.float64],
    place_codes: NDArray[np.int64],
    day: NDArray[np.int64],
    n_places: int,
    n_days: int,
    lags: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Lagged treatment (one column per lag) and days since the last treated day.

    Days before the first panel day, and days missing from the panel, count as
    untreated. ``days_since`` is ``inf`` when a place was never treated before.
    """
    grid = np.zeros((n_places, n_days))
    grid[place_codes, day] = z
    lagged = np.zeros((len(z), lags))
    for lag in range(1, lags + 1):  # a handful of lags
        shifted = np.zeros_like(grid)
        shifted[:, lag:] = grid[:, :-lag]
        lagged[:, lag - 1] = shifted[place_codes, day]
    index = np.arange(n_days)
    last = np.maximum.accumulate(np.where(grid > 0, index, -1), axis=1)
    previous = np.full_like(last, -1)
    previous[:, 1:] = last[:, :-1]
    since = np.where(previous >= 0, index - previous, np.inf)
    return lagged, since[place_codes, day]


def as_names(value: str | Sequence[str] | None) -> list[str]:
    """Return a column name or a sequence of names as a list."""
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def zero_groups(y: NDArray[np.float64], groups: pd.Series) -> NDArray[np.bool_]:
    """Rows in groups whose outcome sums to zero (they carry no information)."""
    codes = pd.factorize(groups)[0]
    totals = np.bincount(codes, weights=y)
    return np.asarray(totals[codes] == 0)


def integer_valued(y: NDArray[np.float64]) -> bool:
    """Tell whether every value is a whole number (a count, not a harm sum)."""
    return bool(np.all(np.equal(np.mod(y, 1), 0)))


def describe(value: Any) -> str:
    """Short text for the parameters table."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "none"
    return str(value)
