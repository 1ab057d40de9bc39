"""Baseline balance between arms: means, SDs, standardised differences, variance ratios."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    require_finite,
    require_join,
    require_nonempty,
    require_numbers,
    require_positive,
    require_subset,
    require_timestamps,
    require_type,
    wall_clock,
)
from hotspotlib.trials.arms import ArmAssignment
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.schedule import DayAssignment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["BalanceTable", "balance_table"]

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class BalanceTable(FrozenResult):
    """Covariate balance between treated and control units.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per covariate: ``mean_treated``, ``sd_treated``, ``mean_control``,
        ``sd_control``, ``std_difference``, ``variance_ratio``, ``imbalanced``.
    threshold : float
        absolute standardised difference above which a covariate is flagged.
    unit : str
        ``"places"`` or ``"place-days"``.
    n_treated, n_control : int
        Units per arm.
    notes : tuple of str
        Conventions and crossover checks.

    See Also
    --------
    balance_table : Compute one.

    References
    ----------
    .. [1] Schulz, Altman and Moher (2010). CONSORT 2010. https://doi.org/10.1136/bmj.c332
    """

    _table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    threshold: float
    unit: str
    n_treated: int
    n_control: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    _title: ClassVar[str] = "Baseline balance"

    @property
    def table(self) -> pd.DataFrame:
        """One row per covariate.

        A copy: editing it leaves the result (and its properties) unchanged.
        """
        return self._table.copy()

    @property
    def n_imbalanced(self) -> int:
        """Covariates flagged as imbalanced."""
        return int(self._table["imbalanced"].sum())

    def to_frame(self) -> pd.DataFrame:
        """Return the balance table (a copy)."""
        return self._table.copy()

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The unit compared and the flagging threshold."""
        return frozen_mapping({"unit": self.unit, "threshold": self.threshold})

    @property
    def counts(self) -> Mapping[str, Any]:
        """Units per arm, covariates compared and covariates flagged."""
        return frozen_mapping(
            {
                "n_treated": self.n_treated,
                "n_control": self.n_control,
                "n_covariates": len(self._table),
                "n_imbalanced": self.n_imbalanced,
            }
        )

    def _summary_table(self) -> pd.DataFrame:
        return self._table.round(3)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Standardised differences per covariate (a 'love plot') with the threshold."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 1.5 + 0.35 * len(self._table)))
        position = np.arange(len(self._table))[::-1]
        kwargs.setdefault("color", "black")
        axes.scatter(self._table["std_difference"], position, **kwargs)
        for sign in (-1, 1):
            axes.axvline(sign * self.threshold, color="red", linestyle="--", linewidth=1)
        axes.axvline(0, color="grey", linewidth=0.8)
        axes.set_yticks(position, list(self._table.index))
        axes.set_xlabel("standardised difference (treated - control)")
        axes.set_title("Baseline balance")
        return axes


def balance_table(
    assignment: PlaceAssignment | DayAssignment | ArmAssignment,
    covariates: pd.DataFrame,
    *,
    threshold: float = 0.1,
    day_of_week: bool = True,
    place: str = PLACE,
    date: str = "date",
) -> BalanceTable:
    """Compare baseline covariates between arms.

    Standardised difference = ``(mean_T - mean_C) / sqrt((s2_T + s2_C) / 2)`` (sample
    variances); variance ratio = ``s2_T / s2_C``. Significance tests of baseline
    differences are deliberately not reported: after proper randomisation every
    difference is due to chance (CONSORT 2010).

    Parameters
    ----------
    assignment : PlaceAssignment, DayAssignment or ArmAssignment
        The allocation. With several arms (:func:`assign_arms`, or :func:`assign_days`
        with ``arms``) the table has a mean
        and SD per arm and a standardised difference of each arm against the control
        arm (``std_difference_<arm>``); ``std_difference`` is the largest of them in
        absolute value (with its sign) and flags the covariate.
    covariates : pandas.DataFrame
        Numeric or boolean covariates (booleans compare shares). Indexed by place id
        (place-level; for a crossover they are repeated over each place's days), or,
        for a crossover, with ``place`` and ``date`` columns (place-day covariates).
        Text or category columns are refused with a ``TypeError`` naming them:
        one-hot encode them first
        (``pd.get_dummies(covariates, columns=[...], dtype=float)``) so each level is
        compared as a share. A geometry column is left out (and said so in ``notes``).
    threshold : float
        Flag an absolute standardised difference above this. 0.1 by default, the stricter of
        the two usual conventions (0.1 and 0.25).
    day_of_week : bool
        Crossover: add the share of place-days on each weekday as covariates.
    place, date : str
        Crossover: the place and day columns of place-day ``covariates``.

    Returns
    -------
    BalanceTable
        The table, the threshold and (crossover) per-place treated-share checks.

    See Also
    --------
    BalanceTable : The returned table.
    assign_places : The allocation to check.

    References
    ----------
    .. [1] Schulz, K. F., Altman, D. G. and Moher, D. (2010). CONSORT 2010 statement:
       updated guidelines for reporting parallel group randomised trials. BMJ 340, c332.
       https://doi.org/10.1136/bmj.c332
    .. [2] Austin, P. C. (2009). Balance diagnostics for comparing the distribution of
       baseline covariates between treatment groups in propensity-score matched samples.
       Statistics in Medicine 28(25), 3083-3107.

    Examples
    --------
    >>> import pandas as pd
    >>> import hotspotlib as hs
    >>> places = pd.DataFrame({"crime_last_year": range(20)})
    >>> allocation = hs.assign_places(places, rng=3)
    >>> table = hs.balance_table(allocation, places)
    >>> list(table.to_frame().columns)[:2]
    ['mean_treated', 'sd_treated']
    """
    limit = require_positive(threshold, name="threshold")
    require_type(covariates, pd.DataFrame, name="covariates", expected="a DataFrame")
    require_type(
        assignment,
        (PlaceAssignment, DayAssignment, ArmAssignment),
        name="assignment",
        expected="a PlaceAssignment, DayAssignment or ArmAssignment (from assign_places, "
        "assign_days or assign_arms)",
    )
    notes = [
        f"Standardised difference (pooled SD, ddof=1); |d| > {limit:g} is flagged. "
        "Variance ratio = treated / control variance (0.5-2 is commonly acceptable)."
    ]
    if isinstance(covariates, gpd.GeoDataFrame):
        geometry = [str(c) for c in covariates.columns[covariates.dtypes == "geometry"]]
        covariates = pd.DataFrame(covariates.drop(columns=geometry))
        notes.append(f"Geometry column(s) left out: {', '.join(geometry)}.")
    arm_days = isinstance(assignment, DayAssignment) and assignment.arm_codes is not None
    if isinstance(assignment, ArmAssignment | DayAssignment) and assignment.arms is not None:
        if isinstance(assignment, DayAssignment) and assignment.arm_codes is not None:
            values = _place_days(assignment, covariates, day_of_week, place, date)[0]
            codes = np.asarray(assignment.arm_codes).ravel()
        else:
            values = _aligned(covariates, assignment.place_ids)
            codes = np.asarray(assignment.arm_codes)
        labels = assignment.arms
        return BalanceTable(
            _table=_arm_table(values, codes, labels, limit),
            threshold=limit,
            unit="place-days" if arm_days else "places",
            n_treated=int((codes != 0).sum()),
            n_control=int((codes == 0).sum()),
            notes=(
                *notes,
                f"{len(labels)} arms: each compared with {labels[0]!r}; "
                "n_treated counts every place not in the control arm.",
            ),
        )
    if isinstance(assignment, PlaceAssignment):
        values = _aligned(covariates, assignment.place_ids)
        treated = np.asarray(assignment.treated)
        unit = "places"
    else:
        values, treated = _place_days(assignment, covariates, day_of_week, place, date)
        unit = "place-days"
        share = assignment.treated.mean(axis=1)
        expected = assignment.n_treated / assignment.n_place_days
        notes.append(
            f"Per-place treated share ranges {share.min():.3f}-{share.max():.3f} "
            f"(design share {expected:.3f})."
        )
    table = _table(values, treated, limit)
    return BalanceTable(
        _table=table,
        threshold=limit,
        unit=unit,
        n_treated=int(treated.sum()),
        n_control=int((~treated).sum()),
        notes=tuple(notes),
    )


def _numeric(frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric covariates, booleans as 0/1; text or categories are refused by name."""
    require_nonempty(frame.columns, name="covariates", fix="it has no columns to compare.")
    flags = frame.select_dtypes(include="bool").columns
    frame = frame.astype({c: float for c in flags})
    other = [str(c) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    for column in other:
        require_numbers(
            frame[column],
            name=f"covariates[{column!r}]",
            fix="A standardised difference needs numbers: one-hot encode the non-numeric "
            f"column(s) {other} first, e.g. pd.get_dummies(covariates, columns={other}, "
            "dtype=float), or drop them.",
        )
    return frame.astype(float)


def _aligned(covariates: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    numeric = _numeric(covariates)
    require_join(ids, numeric.index, left="assignment.place_ids", right="covariates.index", share=1)
    require_subset(
        ids,
        numeric.index,
        name="assignment.place_ids",
        among="`covariates.index`",
        what="places",
        fix="`covariates` needs a row for every place: index it by place id.",
    )
    frame = numeric.loc[ids]
    require_finite(frame.to_numpy(dtype=float), name="covariates")
    return frame


def _place_days(
    assignment: DayAssignment, covariates: pd.DataFrame, day_of_week: bool, key: str, date: str
) -> tuple[pd.DataFrame, NDArray[np.bool_]]:
    schedule = assignment.to_frame().rename(columns={assignment.place_column: key})
    if {key, date} <= set(covariates.columns):
        dates = require_timestamps(covariates[date], name=f"covariates[{date!r}]")
        covariates = covariates.rename(columns={date: "date"})
        covariates = covariates.assign(date=wall_clock(dates).dt.normalize())
        wanted = pd.MultiIndex.from_frame(schedule[[key, "date"]])
        given = pd.MultiIndex.from_frame(covariates[[key, "date"]])
        require_join(
            schedule[key].astype(str) + " " + schedule["date"].astype(str),
            covariates[key].astype(str) + " " + covariates["date"].astype(str),
            left="assignment (place-days)",
            right=f"covariates[[{key!r}, {date!r}]]",
            matched=wanted.isin(given),
            what="place-days",
            share=1,
        )
        merged = schedule.merge(covariates, on=[key, "date"], how="left", validate="1:1")
        frame = merged.drop(columns=[key, "date", "treated", "block", "arm"], errors="ignore")
        frame = _numeric(frame)
        require_finite(frame.to_numpy(dtype=float), name="covariates (place-days)")
    else:
        place_level = _aligned(covariates, assignment.place_ids)
        frame = place_level.loc[schedule[key].to_numpy()].reset_index(drop=True)
    if day_of_week:
        weekday = pd.DatetimeIndex(schedule["date"]).day_of_week.to_numpy()
        for number, name in enumerate(_DAYS):
            frame[f"day_of_week_{name}"] = (weekday == number).astype(float)
    return frame, schedule["treated"].to_numpy().astype(bool)


def _table(values: pd.DataFrame, treated: NDArray[np.bool_], limit: float) -> pd.DataFrame:
    x = values.to_numpy(dtype=float)
    xt, xc = x[treated], x[~treated]
    mean_t, mean_c = xt.mean(axis=0), xc.mean(axis=0)
    var_t = xt.var(axis=0, ddof=1) if len(xt) > 1 else np.zeros(x.shape[1])
    var_c = xc.var(axis=0, ddof=1) if len(xc) > 1 else np.zeros(x.shape[1])
    pooled = np.sqrt((var_t + var_c) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        diff = mean_t - mean_c
        d = np.where(pooled > 0, diff / pooled, np.where(diff == 0, 0.0, np.inf))
        ratio = np.where(var_c > 0, var_t / var_c, np.nan)
    return pd.DataFrame(
        {
            "mean_treated": mean_t,
            "sd_treated": np.sqrt(var_t),
            "mean_control": mean_c,
            "sd_control": np.sqrt(var_c),
            "std_difference": d,
            "variance_ratio": ratio,
            "imbalanced": np.abs(d) > limit,
        },
        index=pd.Index([str(c) for c in values.columns], name="covariate"),
    )


def _arm_table(
    values: pd.DataFrame, codes: NDArray[np.int64], arms: tuple[str, ...], limit: float
) -> pd.DataFrame:
    """Means and SDs per arm; standardised differences of each arm against control."""
    columns: dict[str, Any] = {}
    x = values.to_numpy(dtype=float)
    control = codes == 0
    worst = np.zeros(x.shape[1])
    for a, arm in enumerate(arms):  # a handful of arms
        rows = x[codes == a]
        columns[f"mean_{arm}"] = rows.mean(axis=0)
        columns[f"sd_{arm}"] = rows.std(axis=0, ddof=1) if len(rows) > 1 else np.zeros(x.shape[1])
    for a, arm in enumerate(arms[1:], start=1):
        pair = codes[(codes == a) | control] == a
        d = _table(values.loc[(codes == a) | control], pair, limit)["std_difference"].to_numpy()
        columns[f"std_difference_{arm}"] = d
        worst = np.where(np.abs(d) > np.abs(worst), d, worst)
    columns["std_difference"] = worst
    columns["imbalanced"] = np.abs(worst) > limit
    return pd.DataFrame(columns, index=pd.Index([str(c) for c in values.columns], name="covariate"))
