"""Crossover schedules: each day a fixed number of hot spots is drawn for patrol.

This is the design of the Southend (8 of 20 a day for 90 days), Bedfordshire (7 of 21)
and Perth (15 hot spots, 248 days) trials: the unit is the place-day and every hot
spot is its own control. The schedule records its seed, algorithm and library version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    as_rng,
    require_relevant,
    require_timestamp,
    require_whole,
    wall_clock,
)
from hotspotlib._version import __version__
from hotspotlib.trials._common import block_codes, place_index, require_arm_sizes
from hotspotlib.trials._draws import start_generator
from hotspotlib.trials._schedule_draws import (
    day_arms,
    longest_control_run,
    per_arm_counts,
    per_block,
    schedules,
    share_counts,
    split_arms,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["DayAssignment", "assign_days"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class DayAssignment(FrozenResult):
    """A crossover schedule: which places are patrolled on which days.

    Attributes
    ----------
    place_ids : pandas.Index
        The places (rows of ``treated``).
    dates : pandas.DatetimeIndex
        The trial days (columns of ``treated``).
    treated : numpy.ndarray
        Boolean ``(n_places, n_days)`` schedule.
    block : numpy.ndarray
        Block code per place (all 0 without blocks).
    treated_per_day : numpy.ndarray
        Places treated each day in each block.
    max_consecutive_control : int or None
        The longest run of control days allowed for a place, if constrained.
    audit : Mapping
        Seed, algorithm, library version, allocation time, restarts (not compared by ``==``).
    place_column : str
        Name of the place column in :meth:`to_frame` (the places' index name, or
        ``"hotspot_id"``).
    arms : tuple of str or None
        Arm labels of a multi-arm schedule (the first is the control); None for the
        two-arm (patrol or not) design.
    arm_codes : numpy.ndarray or None
        Integer ``(n_places, n_days)`` arm per place-day (a position in ``arms``;
        ``treated`` is ``arm_codes > 0``).
    arms_per_day : numpy.ndarray or None
        ``(n_blocks, n_arms)`` places of each arm in each block every day.

    See Also
    --------
    assign_days : Draw one.

    References
    ----------
    .. [1] Basford et al. (2021). https://doi.org/10.1007/s41887-021-00067-2
    """

    place_ids: pd.Index
    dates: pd.DatetimeIndex
    treated: NDArray[np.bool_]
    block: NDArray[np.int64]
    treated_per_day: NDArray[np.int64]
    max_consecutive_control: int | None
    audit: Mapping[str, Any] = field(default_factory=dict, compare=False)
    place_column: str = PLACE
    arms: tuple[str, ...] | None = None
    arm_codes: NDArray[np.int64] | None = None
    arms_per_day: NDArray[np.int64] | None = None

    _title: ClassVar[str] = "Crossover patrol schedule"

    @property
    def n_place_days(self) -> int:
        """Number of place-days (places x days)."""
        return int(self.treated.size)

    @property
    def n_treated(self) -> int:
        """Number of treated place-days."""
        return int(self.treated.sum())

    @property
    def n_control(self) -> int:
        """Number of control place-days."""
        return self.n_place_days - self.n_treated

    def redraw(
        self, n_draws: int, *, rng: int | np.random.Generator | None = None
    ) -> NDArray[np.bool_]:
        """Draw ``n_draws`` new schedules under exactly this design.

        Same places, days, blocks, number treated per day and block, and the same
        consecutive-control rule. Returns a boolean ``(n_draws, n_places, n_days)`` array
        (patrol in any arm); :meth:`redraw_arms` gives the arms of a multi-arm schedule.
        """
        return self.redraw_arms(n_draws, rng=rng) > 0

    def redraw_arms(
        self, n_draws: int, *, rng: int | np.random.Generator | None = None
    ) -> NDArray[np.int64]:
        """Draw ``n_draws`` new schedules with their arms, under exactly this design.

        As :meth:`redraw`, and the same number of places of each arm per block and
        day. Returns integer arm codes ``(n_draws, n_places, n_days)`` (0 is control;
        0/1 for a two-arm schedule).
        """
        size = require_whole(n_draws, name="n_draws", minimum=1)
        generator = as_rng(rng)
        treated = schedules(
            generator,
            self.block,
            self.treated_per_day,
            size,
            len(self.dates),
            self.max_consecutive_control,
        )[0]
        if self.arms_per_day is None:
            return treated.astype(np.int64)
        return split_arms(generator, self.block, treated, self.arms_per_day)

    def to_frame(self) -> pd.DataFrame:
        """Return the schedule in long form: one row per place-day.

        Rows are ordered by place, then date; ``treated`` is 0/1. The place column is
        named ``place_column``; pass that name as ``place=`` to :func:`estimate_effect`
        and :func:`cace` when it is not ``"hotspot_id"``.
        """
        n_places, n_days = self.treated.shape
        frame = pd.DataFrame(
            {
                self.place_column: np.repeat(self.place_ids.to_numpy(), n_days),
                "date": np.tile(self.dates.to_numpy(), n_places),
                "treated": self.treated.ravel().astype(np.int64),
            }
        )
        if len(self.treated_per_day) > 1:
            frame["block"] = np.repeat(self.block, n_days)
        if self.arms is not None and self.arm_codes is not None:
            frame["arm"] = np.asarray(self.arms, dtype=object)[self.arm_codes.ravel()]
        return frame

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The design: places, days, number treated per day, the run limit and the audit."""
        return frozen_mapping(
            {
                "n_places": len(self.place_ids),
                "n_days": len(self.dates),
                "first_day": str(self.dates[0].date()),
                "treated_per_day": ", ".join(str(int(k)) for k in self.treated_per_day),
                "max_consecutive_control": self.max_consecutive_control,
                "place_column": self.place_column,
                **({"arms": ", ".join(self.arms)} if self.arms is not None else {}),
                **{k: v for k, v in self.audit.items() if k != "generator_state"},
            }
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Place-days in each arm (T1 bookkeeping) and the per-place treated shares."""
        share = self.treated.mean(axis=1)
        return frozen_mapping(
            {
                "n_place_days": self.n_place_days,
                "n_treated_place_days": self.n_treated,
                "n_control_place_days": self.n_control,
                "place_treated_share_min": float(share.min()),
                "place_treated_share_max": float(share.max()),
                "longest_control_run_days": int(longest_control_run(self.treated).max()),
                **(
                    {
                        f"n_{arm}_place_days": int((self.arm_codes == a).sum())
                        for a, arm in enumerate(self.arms)
                    }
                    if self.arms is not None and self.arm_codes is not None
                    else {}
                ),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How the schedule was drawn and what carryover does to it."""
        notes = [
            "Each day exactly the stated number of places per block is patrolled; every "
            "place is its own control (crossover). Carryover (residual deterrence) biases "
            "patrol vs no-patrol contrasts toward zero: model lags or use a washout.",
        ]
        if self.max_consecutive_control is not None:
            notes.append(
                "Places reaching the consecutive-control limit are patrolled the next day; "
                "the rest are drawn at random (schedules that cannot meet the limit are "
                "redrawn from the start)."
            )
        return tuple(notes)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Show the schedule as a places x days grid (dark = patrol day)."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(9.0, 4.0))
        kwargs.setdefault("cmap", "Greys")
        kwargs.setdefault("aspect", "auto")
        kwargs.setdefault("interpolation", "nearest")
        axes.imshow(self.treated.astype(float), **kwargs)
        axes.set_xlabel("day of trial")
        axes.set_ylabel("place")
        axes.set_title("Patrol schedule (dark = patrol day)")
        return axes


def assign_days(
    places: Any,
    *,
    start: str | pd.Timestamp,
    days: int,
    treated_per_day: int | Mapping[Any, int] | None = None,
    blocks: str | Sequence[Any] | NDArray[Any] | pd.Series | None = None,
    max_consecutive_control: int | None = None,
    rng: int | np.random.Generator | None = None,
    dayfirst: bool | None = None,
    arms: int | Sequence[str] | Mapping[str, float] | None = None,
) -> DayAssignment:
    """Draw a crossover schedule: each day, ``treated_per_day`` places get patrol.

    Parameters
    ----------
    places : DataFrame, GeoDataFrame or sequence
        The places (ids are a frame's index or the sequence's values).
    start : str or Timestamp
        First trial day: ISO 8601 (``"2024-01-31"``), a Timestamp, or a slash date
        whose order is settled by a field above 12 or by ``dayfirst``.
    days : int
        Number of trial days.
    treated_per_day : int or mapping
        Places patrolled each day; with ``blocks``, the number per block each day
        (one int for every block, or a mapping block label -> int). With ``arms``,
        the number in *each* non-control arm. Not given when ``arms`` is a mapping.
    blocks : str or array-like, optional
        Column of ``places`` or one label per place; each day's draw is made
        separately within each block (e.g. districts or baseline tertiles).
    max_consecutive_control : int, optional
        Longest run of control days allowed for a place (Perth allowed up to 20).
        A place that has reached it is patrolled the next day.
    rng : int, Generator or None
        Seed or generator; fresh entropy is drawn and recorded when None.
    dayfirst : bool, optional
        Read a slash date ``start`` day-first (UK, ``"01/02/2024"`` is 1 February) or
        month-first; None refuses one that could be either.
    arms : int, sequence of str or mapping, optional
        A multi-arm crossover (Grip: control, patrol, patrol plus POP): each
        place-day gets one arm; the first is the control. A sequence of labels (each
        non-control arm gets ``treated_per_day`` places per block a day), an int ``k``
        (labels ``control, arm_1 ... arm_{k-1}``) or a mapping label -> share (places
        per block and arm each day from the shares, as :func:`assign_arms` does).
        The draw: the non-control place-days exactly as the two-arm design (with the
        same run limit), then split at random among the arms, exact numbers per block
        and day. None (default): the two-arm design, unchanged.

    Returns
    -------
    DayAssignment
        The schedule (places x days) and its audit trail.

    See Also
    --------
    DayAssignment : The returned schedule.
    trial_panel : Count events per place-day of the schedule.
    plan_patrols : Turn a day's places into a visit schedule.
    assign_arms : Places (not place-days) to several arms.
    estimate_arms : Effects of a multi-arm crossover (place and day fixed effects).

    References
    ----------
    .. [1] Basford, L., Sims, C., Agar, I., Harinam, V. and Strang, H. (2021). Effects of
       one-a-day foot patrols on hot spots of serious violence and crime harm: a randomised
       crossover trial. Cambridge Journal of Evidence-Based Policing 5(3), 119-133.
       https://doi.org/10.1007/s41887-021-00067-2
    .. [2] Bland, M., Leggetter, M., Cestaro, D. and Sebire, J. (2021). Fifteen minutes per
       day keeps the violence away: a crossover randomised controlled trial on the impact of
       foot patrols on serious violence in large hot spot areas. Cambridge Journal of
       Evidence-Based Policing 5(3-4), 93-118. https://doi.org/10.1007/s41887-021-00066-3

    Examples
    --------
    Southend: 20 hot spots, 8 patrolled a day for 90 days (Basford et al. 2021).

    >>> import hotspotlib as hs
    >>> plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=7)
    >>> plan.n_place_days, plan.n_treated, plan.n_control
    (1800, 720, 1080)

    Three arms, 7 of 21 places in each a day:

    >>> grip = hs.assign_days(range(21), start="2024-01-01", days=10, treated_per_day=7,
    ...                       arms=("control", "patrol", "patrol_pop"), rng=1)
    >>> dict(grip.counts)["n_patrol_pop_place_days"], grip.n_control
    (70, 70)
    """
    ids = place_index(places)
    n = len(ids)
    first = wall_clock(require_timestamp(start, name="start", dayfirst=dayfirst)).normalize()
    n_days = require_whole(days, name="days", minimum=1)
    if blocks is None:
        codes, labels = np.zeros(n, dtype=np.int64), [None]
    else:
        codes, labels = block_codes(places, blocks, n=n)
    sizes = np.bincount(codes, minlength=len(labels))
    arm_labels, shares = day_arms(arms)
    require_relevant(
        treated_per_day if treated_per_day is None else str(treated_per_day),
        name="treated_per_day",
        used=shares is None,
        required=shares is None,
        context="with `arms` as a mapping of shares" if shares is not None else "",
        fix="Give the places patrolled a day (per arm), or `arms` as a mapping of shares.",
    )
    if shares is None:
        k = per_block(treated_per_day, labels)
        per_arm = None if arm_labels is None else per_arm_counts(sizes, k, len(arm_labels))
        k = k if per_arm is None else per_arm[:, 1:].sum(axis=1)
    else:
        per_arm = share_counts(sizes, shares)
        k = per_arm[:, 1:].sum(axis=1)
    require_arm_sizes(
        k,
        sizes,
        name="treated_per_day",
        value=treated_per_day,
        fix="patrol at least one place and leave at least one unpatrolled each day"
        + (" (with `arms`, each non-control arm gets `treated_per_day`)." if arms else "."),
    )
    limit = None
    if max_consecutive_control is not None:
        limit = require_whole(max_consecutive_control, name="max_consecutive_control", minimum=1)
        with np.errstate(divide="ignore"):  # a block with no patrol can never meet the limit
            needed = float(np.max(np.ceil(sizes / k) - 1))
        if limit < needed:
            raise ValueError(
                f"`max_consecutive_control`={limit} cannot be met: with {sizes.tolist()} places "
                f"and {k.tolist()} patrolled a day some place waits at least {needed:g} days. "
                "Patrol at least one place per block, and allow a run at least that long "
                "(more leaves room to randomise)."
            )
    generator, record = start_generator(rng)
    schedule, restarts = schedules(generator, codes, k, 1, n_days, limit)
    arm_codes = None if per_arm is None else split_arms(generator, codes, schedule, per_arm)[0]
    algorithm = "each day, exactly k places per block drawn without replacement (uniform keys)"
    if limit is not None:
        algorithm += f"; places after {limit} control days forced into patrol"
    if per_arm is not None:
        algorithm += "; then each day's patrolled places split among the arms (uniform keys)"
    audit = {
        **record,
        "algorithm": algorithm,
        "library": f"hotspotlib {__version__}",
        "restarts": restarts,
    }
    return DayAssignment(
        place_ids=ids,
        dates=pd.date_range(first, periods=n_days, freq="D"),
        treated=schedule[0],
        block=codes,
        treated_per_day=k,
        max_consecutive_control=limit,
        audit=audit,
        place_column=str(ids.name) if ids.name is not None else PLACE,
        arms=arm_labels,
        arm_codes=arm_codes,
        arms_per_day=per_arm,
    )
