"""Panel checks and design matrices for trial models (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation import require_columns, require_nonempty, require_timestamps

__all__ = [
    "check_outcome",
    "check_treatment",
    "dummies",
    "lag_matrix",
    "place_column",
    "place_day_grid",
    "refuse_repeated_units",
]


def check_treatment(panel: pd.DataFrame, treatment: str) -> NDArray[np.float64]:
    """Return the 0/1 treatment column as floats; both arms must be present."""
    require_columns(panel, [treatment], name="panel")
    raw = panel[treatment]
    if raw.isna().any():
        raise ValueError(
            f"`panel[{treatment!r}]` has {int(raw.isna().sum())} missing values; "
            "every row needs its assigned arm."
        )
    # nullable columns (boolean, Int64) give object arrays on pandas 2.0 without this
    values = raw.to_numpy(dtype=getattr(raw.dtype, "numpy_dtype", None))
    if values.dtype.kind not in "biuf" or not np.isin(values, [0, 1]).all():
        raise ValueError(f"`panel[{treatment!r}]` must hold only 0/1 (or booleans).")
    z = values.astype(float)
    if z.sum() == 0 or z.sum() == len(z):
        arm = "treated" if z.sum() == 0 else "control"
        raise ValueError(
            f"The {arm} arm is empty: every row of `panel[{treatment!r}]` is "
            f"{int(z[0])}. An effect needs rows in both arms."
        )
    return z


def check_outcome(panel: pd.DataFrame, outcome: str, *, counts: bool) -> NDArray[np.float64]:
    """Return the outcome as floats; finite, not all zero, >= 0 for count models."""
    require_nonempty(panel, name="panel")
    require_columns(panel, [outcome], name="panel")
    raw = panel[outcome]
    if not pd.api.types.is_numeric_dtype(raw):
        raise TypeError(f"`panel[{outcome!r}]` must be numeric; it has dtype {raw.dtype}.")
    y = raw.to_numpy(dtype=float)
    if not np.isfinite(y).all():
        raise ValueError(
            f"`panel[{outcome!r}]` has {int((~np.isfinite(y)).sum())} NaN or infinite values; "
            "fill them (a place-day with no events is 0) or drop those rows."
        )
    if counts and (y < 0).any():
        raise ValueError(
            f"`panel[{outcome!r}]` has {int((y < 0).sum())} negative values; count and harm "
            "models need values >= 0 (use model='ols' for other outcomes)."
        )
    if not (y != 0).any():
        raise ValueError(
            f"`panel[{outcome!r}]` is zero in every row; no effect can be estimated. "
            "Check the outcome column and the trial period."
        )
    return y


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


def place_column(panel: pd.DataFrame, place: str | None) -> str:
    """Return the place column: as given, else the schedule's (``attrs``), else ``hotspot_id``."""
    if place is not None:
        return place
    recorded = panel.attrs.get("place_column") if isinstance(panel, pd.DataFrame) else None
    return str(recorded) if recorded is not None else "hotspot_id"


def refuse_repeated_units(
    panel: pd.DataFrame,
    *,
    place: str,
    time: str,
    design: str,
    fixed_effects: str | Sequence[str] | None = None,
    cluster: str | None = None,
) -> None:
    """Refuse repeated units: the same place (and time, and fixed-effect levels) twice.

    A repeated row counts one observation twice: it shrinks the standard error and the
    p-value without any new information. A unit is the place together with ``time``
    and the fixed-effect columns present in the panel (a parallel trial may have one
    row per place and week, with a week fixed effect). A parallel panel with several
    rows per place and no time or fixed-effect column is repeated measures: accepted
    with ``cluster=`` (errors clustered by place), refused without it.
    """
    if place not in panel.columns:
        return  # no place column: units are whatever the rows are
    extra = [] if fixed_effects is None else as_names(fixed_effects)
    keys = list(dict.fromkeys(c for c in (place, time, *extra) if c in panel.columns))
    if design == "crossover" and time not in keys:
        return
    if keys == [place] and cluster is not None:
        return  # repeated measures of a place, with errors clustered
    repeated = panel.duplicated(subset=keys, keep=False)
    if repeated.any():
        examples = panel.loc[repeated, keys].drop_duplicates().head(3)
        shown = "; ".join(
            ", ".join(f"{k}={row[k]!r}" for k in keys) for _, row in examples.iterrows()
        )
        unit = "place-day" if time in keys else "place"
        more = (
            " If these are repeated measures of each place (e.g. one row per week), pass "
            "`cluster=` with the place column, or the period column as `time=` or a fixed "
            "effect."
            if keys == [place]
            else ""
        )
        raise ValueError(
            f"`panel` has {int(repeated.sum())} duplicated {unit} rows "
            f"({', '.join(keys)}), e.g. {shown}; a repeated unit counts the same "
            "observation twice and shrinks the p-value. Keep one row per unit (aggregate "
            f"with `groupby([{', '.join(repr(k) for k in keys)}]).sum()`).{more}"
        )


def place_day_grid(
    panel: pd.DataFrame, *, place: str, time: str
) -> tuple[NDArray[np.int64], NDArray[np.int64], int, int]:
    """Row positions of each panel row in a places x consecutive-days grid."""
    require_columns(panel, [place, time], name="panel")
    dates = require_timestamps(panel[time], name=f"panel[{time!r}]").dt.normalize()
    place_codes, places = pd.factorize(panel[place], sort=True)
    first = dates.min()
    day = ((dates - first) / pd.Timedelta(days=1)).to_numpy().astype(np.int64)
    n_days = int(day.max()) + 1
    flat = place_codes * n_days + day
    if len(np.unique(flat)) != len(flat):
        raise ValueError(
            f"`panel` has {len(flat) - len(np.unique(flat))} duplicated ({place}, {time}) rows; "
            "keep one row per place-day."
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
