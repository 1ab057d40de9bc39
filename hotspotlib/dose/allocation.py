"""Split a budget of patrol minutes across places to prevent the most crime or harm."""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import place_column
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    require_allocation,
    require_columns,
    require_nonempty,
    require_numbers,
    require_positive,
    require_range,
    require_type,
    require_within,
)
from hotspotlib.dose.response import DoseResponse

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["PatrolAllocation", "allocate_patrol_time"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PatrolAllocation(FrozenResult):
    """Patrol minutes per place and the harm they are expected to prevent.

    Attributes
    ----------
    allocation : pandas.DataFrame
        One row per place (places order): the place id column, ``risk`` (expected
        crimes or harm a day without patrol), ``minutes``, ``irr`` at those minutes and
        ``expected_prevented`` (``risk * (1 - irr)``).
    expected_prevented : float
        Total expected crimes (or harm) prevented a day.
    share_prevented : float
        That total as a share of the places' total risk.
    concave : bool
        Whether the response was concave on the minute grid (greedy is then optimal).
    parameters : dict
        Parameters used.
    counts : dict
        Places, places patrolled, minutes allocated, expected harm prevented and its share.
    notes : tuple of str
        How the minutes were handed out and what the expected effect assumes.

    See Also
    --------
    allocate_patrol_time : Compute one.

    References
    ----------
    .. [1] Koper (1995). https://doi.org/10.1080/07418829500096231
    """

    _title: ClassVar[str] = "Patrol time allocation"

    allocation: pd.DataFrame
    expected_prevented: float
    share_prevented: float
    concave: bool
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the allocation (a copy)."""
        return self.allocation.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Places, places patrolled, minutes handed out and the harm they prevent."""
        minutes = self.allocation["minutes"]
        return frozen_mapping(
            {
                "n_places": len(self.allocation),
                "n_places_patrolled": int((minutes > 0).sum()),
                "minutes_allocated": float(minutes.sum()),
                "expected_prevented": self.expected_prevented,
                "share_prevented": self.share_prevented,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How minutes were handed out and what the expected effect assumes."""
        notes = (
            "Greedy by marginal gain in fixed increments: optimal when the prevented share "
            "1 - IRR(minutes) is concave (diminishing returns).",
            "Expected effects assume the dose-response holds at every place and that "
            "delivered minutes cause it (see dose_response's caveats).",
        )
        if self.concave:
            return notes
        return (
            *notes,
            "The response is not concave on the grid: increments follow its least "
            "concave majorant, so the allocation is approximate.",
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Bar chart of minutes per place, places ordered by risk."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(8.0, 4.0))
        frame = self.allocation.sort_values("risk", ascending=False)
        kwargs.setdefault("color", "tab:blue")
        axes.bar(np.arange(len(frame)), frame["minutes"], **kwargs)
        axes.set_xlabel("places, highest risk first")
        axes.set_ylabel("patrol minutes a day")
        return axes


def allocate_patrol_time(
    places: pd.DataFrame,
    *,
    total_minutes: float,
    response: DoseResponse | Callable[[NDArray[np.float64]], Any],
    risk: str = "expected_per_day",
    increment_minutes: float = 5.0,
    max_minutes_per_place: float | None = None,
) -> PatrolAllocation:
    """Allocate a daily budget of patrol minutes to maximise expected harm prevented.

    Each place ``i`` with daily risk ``r_i`` (expected crimes or harm without patrol)
    given ``m`` minutes is expected to lose ``r_i * (1 - IRR(m))``. Minutes are handed
    out in increments, each to the place with the largest marginal gain. With a
    concave prevented share (diminishing returns, as the Koper curve and the log and
    spline shapes give) this greedy rule is optimal, and because every place shares
    one curve it reduces to sorting the ``places x increments`` table of marginal
    gains once, with no loop over increments.

    Parameters
    ----------
    places : DataFrame or GeoDataFrame
        Places indexed by id with a risk column.
    total_minutes : float
        Patrol minutes to hand out a day.
    response : DoseResponse or callable
        A fitted :func:`dose_response` (its same-day IRR curve is used) or a function
        mapping an array of minutes to IRRs (1 at 0 minutes).
    risk : str
        Column of ``places`` with the expected crimes or harm a day (>= 0).
    increment_minutes : float
        Size of each increment.
    max_minutes_per_place : float, optional
        Cap per place (defaults to the whole budget).

    Returns
    -------
    PatrolAllocation
        Minutes per place and the expected effect.

    See Also
    --------
    PatrolAllocation : The returned allocation.
    dose_response : Estimate the dose-response curve.
    plan_patrols : Turn minutes into a randomised schedule.

    References
    ----------
    .. [1] Koper, C. S. (1995). Just enough police presence: reducing crime and disorderly
       behavior by optimizing patrol time in crime hot spots. Justice Quarterly 12(4),
       649-672. https://doi.org/10.1080/07418829500096231
    .. [2] Sherman, L. W., Neyroud, P. W. and Neyroud, E. (2016). The Cambridge Crime Harm
       Index: measuring total harm from crime based on sentencing guidelines. Policing
       10(3), 171-183. https://doi.org/10.1093/police/paw003

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=5_000, rng=0)
    >>> plan = hs.allocate_patrol_time(city.hotspots, total_minutes=300,
    ...     response=lambda m: np.exp(-0.15 * np.log1p(m)))
    >>> float(plan.allocation["minutes"].sum())
    300.0
    """
    require_columns(places, [risk], name="places")
    require_nonempty(places, name="places")
    values = _risks(places, risk)
    budget = require_positive(total_minutes, name="total_minutes", allow_zero=True)
    step = require_positive(increment_minutes, name="increment_minutes")
    cap = _cap(max_minutes_per_place, budget, step)
    curve = _curve_function(response)
    n_steps = int(np.floor(budget / step + 1e-9))
    per_place = min(n_steps, int(np.floor(cap / step + 1e-9)))
    require_allocation(
        float(len(values)) * (per_place + 1),
        32,  # the gains table, its flat copy, the sort order and the selection
        name="increment_minutes",
        what="place-increment cells",
        fix=(
            f"{len(values):,} places x {per_place + 1:,} increments of {step:g} minutes: "
            "use a larger `increment_minutes`, a smaller `total_minutes`, or set "
            "`max_minutes_per_place`."
        ),
    )
    grid = np.arange(per_place + 1, dtype=np.float64) * step
    irr = _irr_on_grid(curve, grid, response)
    chosen, concave = _greedy(values, irr, n_steps)
    minutes = grid[chosen]
    irr_given = irr[chosen] / irr[0]
    expected = values * (1.0 - irr_given)
    allocation = pd.DataFrame(
        {
            place_column(places): places.index.to_numpy(),
            "risk": values,
            "minutes": minutes,
            "irr": irr_given,
            "expected_prevented": expected,
        }
    )
    total_risk = float(values.sum())
    return PatrolAllocation(
        allocation=allocation,
        expected_prevented=float(expected.sum()),
        share_prevented=float(expected.sum() / total_risk) if total_risk else float("nan"),
        concave=concave,
        parameters={
            "total_minutes": budget,
            "increment_minutes": step,
            "max_minutes_per_place": cap,
            "risk": risk,
        },
    )


def _greedy(
    values: NDArray[np.float64], irr: NDArray[np.float64], n_steps: int
) -> tuple[NDArray[np.int64], bool]:
    """Hand out ``n_steps`` increments by marginal gain; return increments per place.

    Also whether the prevented share was concave (else its least concave majorant is
    used, and the allocation is approximate).
    """
    prevented = 1.0 - irr / irr[0]
    gains = np.diff(prevented)
    concave = bool(np.all(np.diff(gains) <= 1e-12))
    if not concave:
        gains = _majorant_gains(prevented)
    table = values[:, None] * gains[None, :]
    chosen = np.zeros(len(values), dtype=np.int64)
    if table.size and n_steps:
        flat = table.ravel()
        positive = np.flatnonzero(flat > 0)
        take = min(n_steps, len(positive))
        best = positive[np.argsort(-flat[positive], kind="stable")[:take]]
        chosen = np.bincount(best // table.shape[1], minlength=len(values))
    return chosen, concave


def _risks(places: pd.DataFrame, risk: str) -> NDArray[np.float64]:
    """Return the places' daily risk: finite, >= 0 and not zero everywhere."""
    values = require_within(places[risk], name=f"places[{risk!r}]", low=0)
    require_range(
        values.sum(),
        name=f"places[{risk!r}].sum()",
        low=0,
        low_open=True,
        fix="The risk is zero at every place, so no minute would prevent anything; pass "
        "the places' expected crime or harm.",
    )
    return values


def _cap(max_minutes_per_place: float | None, budget: float, step: float) -> float:
    """Return the cap per place; a budget or cap below one increment would hand out nothing."""
    if budget > 0:
        require_range(
            budget,
            name="total_minutes",
            low=step,
            fix=f"It is less than one `increment_minutes` = {step:g}, so nothing would be "
            "allocated. Use a smaller `increment_minutes` or a larger `total_minutes`.",
        )
    if max_minutes_per_place is None:
        return budget
    cap = require_positive(max_minutes_per_place, name="max_minutes_per_place", allow_zero=True)
    if cap > 0:
        require_range(
            cap,
            name="max_minutes_per_place",
            low=step,
            fix=f"It is less than one `increment_minutes` = {step:g}, so nothing would be "
            "allocated. Use a smaller `increment_minutes`.",
        )
    return cap


def _curve_function(response: Any) -> Callable[[NDArray[np.float64]], Any]:
    require_type(
        response,
        (DoseResponse, Callable),  # type: ignore[arg-type]
        name="response",
        expected="a DoseResponse or a function of minutes",
    )
    return response.irr if isinstance(response, DoseResponse) else response  # type: ignore[no-any-return]


def _majorant_gains(prevented: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per-increment gains along the least concave majorant of ``prevented``."""
    hull = [0]
    for j in range(1, len(prevented)):  # the upper hull over a few dozen increments
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (prevented[b] - prevented[a]) * (j - a) <= (prevented[j] - prevented[a]) * (b - a):
                hull.pop()
            else:
                break
        hull.append(j)
    majorant = np.interp(np.arange(len(prevented)), hull, prevented[hull])
    return np.diff(majorant)


def _irr_on_grid(
    curve: Callable[[NDArray[np.float64]], Any], grid: NDArray[np.float64], response: Any
) -> NDArray[np.float64]:
    """Call the response on the dose grid and check it returns one IRR > 0 per dose."""
    label = getattr(response, "__name__", type(response).__name__)
    returned = curve(grid)
    irr = require_numbers(
        returned,
        name="response",
        fix=f"`response` ({label}) must return an array of IRRs, one per dose in minutes.",
    )
    if irr.shape != grid.shape:
        raise ValueError(
            f"`response` ({label}) must return one IRR per dose: called with an array of "
            f"{len(grid)} doses ({grid[:3].tolist()}...), it returned shape {irr.shape} "
            f"({reprlib.repr(returned)}). Write it with numpy so it works element-wise, e.g. "
            "`lambda minutes: np.exp(-0.1 * np.log1p(minutes))`."
        )
    return require_within(
        irr,
        name=f"response ({label})",
        low=0,
        low_open=True,
        fix=f"It must return one finite IRR > 0 per dose (doses {grid[:5].tolist()} ...).",
    )
