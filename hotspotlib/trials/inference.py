"""Randomisation inference: re-draw the actual design many times, recompute the statistic.

Re-draws are generated in chunks of boolean matrices and the statistic is a float64
matrix product with the outcome, chunk by chunk, so 10,000 re-draws of a 1,800
place-day crossover take well under a second. A confidence interval for a constant
multiplicative effect (IRR) comes from inverting the test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._options import Statistic
from hotspotlib._summary import Summary
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_timestamps,
    wall_clock,
)
from hotspotlib.trials._common import ReadOnlyDict, read_only
from hotspotlib.trials._design import check_outcome
from hotspotlib.trials._draws import start_generator
from hotspotlib.trials._permute import CHUNK, Evaluator, draw_chunks, make_evaluator
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.schedule import DayAssignment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RandomizationTest", "randomization_test"]

StatisticFunction = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class RandomizationTest(FrozenResult):
    """A randomisation (permutation) test of no effect, with an inverted-test CI.

    Attributes
    ----------
    statistic : str
        The test statistic used.
    observed : float
        Its value under the actual assignment.
    p_value : float
        Two-sided: ``(1 + #{|S_b| >= |S_obs|}) / (B + 1)``; ties (equal up to float64
        rounding) count as extreme.
    null_distribution : numpy.ndarray
        The ``B`` re-drawn statistics (read-only).
    irr, irr_ci_low, irr_ci_high : float
        Constant multiplicative effect (an incident rate ratio) at which the statistic
        is zero, and the interval of IRRs not rejected at ``1 - confidence`` (NaN when
        not requested). Like :attr:`TrialEffect.ci`, these are on the IRR scale.
    confidence : float or None
        Level of the interval.
    parameters : Mapping
        Design, re-draws, outcome and the seed of the re-draws (read-only).
    """

    statistic: str
    observed: float
    p_value: float
    null_distribution: NDArray[np.float64]
    irr: float = float("nan")
    irr_ci_low: float = float("nan")
    irr_ci_high: float = float("nan")
    confidence: float | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``estimate`` (observed statistic), ``p_value``, ``irr`` and its interval."""
        return pd.DataFrame(
            {
                "statistic": [self.statistic],
                "estimate": [self.observed],
                "p_value": [self.p_value],
                "irr": [self.irr],
                "irr_ci_low": [self.irr_ci_low],
                "irr_ci_high": [self.irr_ci_high],
            }
        )

    def summary(self) -> Summary:
        """Observed statistic, p-value, interval and conventions."""
        return Summary(
            title="Randomisation test",
            parameters={
                "statistic": self.statistic,
                "observed": self.observed,
                "p_value": self.p_value,
                "irr": self.irr,
                "irr_ci_low": self.irr_ci_low,
                "irr_ci_high": self.irr_ci_high,
                "confidence": self.confidence,
                **self.parameters,
            },
            notes=[
                "Re-draws follow the actual design (same places per day and block, same "
                "constraints); p is two-sided, (1 + #{|S_b| >= |S_obs|}) / (B + 1), ties "
                "counted as extreme.",
                "The interval inverts the test over constant multiplicative effects: "
                "IRRs r whose adjusted outcomes y / r**treated give p >= 1 - confidence.",
            ],
        )

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Histogram of the re-drawn statistics with the observed value marked."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 4.0))
        kwargs.setdefault("bins", 50)
        kwargs.setdefault("color", "0.65")
        axes.hist(self.null_distribution, **kwargs)
        axes.axvline(self.observed, color="red", label="observed")
        axes.set_xlabel(self.statistic.replace("_", " "))
        axes.set_ylabel("re-draws")
        axes.set_title(f"Randomisation test: p = {self.p_value:.4f}")
        axes.legend()
        return axes


def randomization_test(
    panel: pd.DataFrame,
    *,
    outcome: str,
    assignment: DayAssignment | PlaceAssignment,
    n_permutations: int = 10_000,
    statistic: Statistic | StatisticFunction = "auto",
    place: str | None = None,
    time: str = "date",
    confidence: float | None = 0.95,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
) -> RandomizationTest:
    """Test the sharp null of no effect by re-drawing the actual randomisation.

    Parameters
    ----------
    panel : pandas.DataFrame
        Crossover: one row per place-day of the schedule (place column and ``time``).
        Parallel: one row per place (place ids in the index, or in ``place``).
    outcome : str
        Outcome column (counts or harm).
    assignment : DayAssignment or PlaceAssignment
        The allocation actually used; its ``redraw`` generates the re-draws.
    n_permutations : int
        Number of re-draws ``B``.
    statistic : str or callable
        ``"mean_difference"``: treated mean minus control mean.
        ``"log_ratio"``: log of treated mean over control mean.
        ``"fixed_effects"``: the two-way (place and day) fixed-effects least-squares
        coefficient for crossovers, the block-demeaned difference for places.
        ``"auto"``: ``fixed_effects`` for crossovers and blocked designs, else
        ``mean_difference``. A callable gets ``(treated, y)`` with ``treated`` a
        float64 0/1 matrix of at most 2,000 re-draws (it is called chunk by chunk, and
        with the single actual allocation) and ``y`` the outcome (float64, ordered
        like ``assignment.treated.ravel()``); it returns one value per row.
    place : str, optional
        Place column (default: the schedule's place column; for places, the index).
    time : str
        Date column (crossover).
    confidence : float or None
        Level of the inverted-test interval for the IRR; None skips it.
    rng : int, Generator or None
        Seed or generator for the re-draws; with None, fresh entropy is drawn and
        recorded as ``parameters["seed"]`` (as :func:`assign_places` does). Do not
        reuse the allocation's own seed: the first re-draw would then repeat the
        actual allocation rather than be drawn independently of it (it ties the
        observed statistic and adds ``1 / (B + 1)`` to p).
    progress : bool
        Show a progress bar.

    Returns
    -------
    RandomizationTest
        Observed statistic, two-sided p-value, null distribution and IRR interval.

    Raises
    ------
    ValueError
        Besides bad input: panel rows that are not units of ``assignment`` or repeat
        one, and a ``panel["treated"]`` column that disagrees with ``assignment`` (the
        test re-draws the allocation actually used, so the two must be the same).

    Notes
    -----
    Statistics are computed in float64. A re-draw counts as at least as extreme when
    ``|S_b| >= |S_obs| - tol``, with ``tol`` the change in the statistic caused by
    ``1e-9 * sum|y|`` in its linear part (for a callable, ``1e-9`` times the largest
    absolute statistic): ties such as re-draws that give the very same statistic are
    counted, float rounding is not mistaken for a difference.

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> plan = hs.assign_days(range(20), start="2020-07-01", days=90, treated_per_day=8, rng=1)
    >>> panel = plan.to_frame()
    >>> panel["crimes"] = np.random.default_rng(2).poisson(np.where(panel["treated"], 0.6, 1.0))
    >>> test = hs.randomization_test(panel, outcome="crimes", assignment=plan,
    ...                              n_permutations=999, rng=3)
    >>> test.p_value
    0.001
    """
    if not isinstance(assignment, DayAssignment | PlaceAssignment):
        raise TypeError(
            "`assignment` must come from assign_days or assign_places; "
            f"got {type(assignment).__name__}."
        )
    if isinstance(n_permutations, bool) or not isinstance(n_permutations, int | np.integer):
        raise TypeError(f"`n_permutations` must be a whole number; got {n_permutations!r}.")
    if n_permutations < 19:
        raise ValueError(
            f"`n_permutations` must be at least 19 (p-values resolve to 1/(B+1)); "
            f"got {n_permutations}."
        )
    if confidence is not None and not 0 < confidence < 1:
        raise ValueError(f"`confidence` must be between 0 and 1, or None; got {confidence!r}.")
    if not callable(statistic):
        check_option(statistic, Statistic, name="statistic")
    y = _aligned_outcome(panel, outcome, assignment, place, time)
    generator, record = start_generator(rng)
    chunks: Any = range(0, n_permutations, CHUNK)
    if progress:
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc="re-draws", unit="chunk")
    draws = draw_chunks(assignment, n_permutations, generator, chunks)
    evaluator = make_evaluator(_resolve(statistic, assignment), assignment, draws, y)
    observed, p_value, null = evaluator.test(0.0)
    irr = low = high = float("nan")
    if confidence is not None:
        irr, low, high = _invert(evaluator, 1 - confidence)
    return RandomizationTest(
        statistic=evaluator.name,
        observed=observed,
        p_value=p_value,
        null_distribution=read_only(null),
        irr=irr,
        irr_ci_low=low,
        irr_ci_high=high,
        confidence=confidence,
        parameters=ReadOnlyDict(
            outcome=outcome,
            design="crossover" if isinstance(assignment, DayAssignment) else "places",
            n_permutations=n_permutations,
            n_units=int(y.size),
            seed=record["seed"],
        ),
    )


def _aligned_outcome(
    panel: pd.DataFrame,
    outcome: str,
    assignment: DayAssignment | PlaceAssignment,
    place: str | None,
    time: str,
) -> NDArray[np.float64]:
    """Return the outcome ordered like ``assignment.treated.ravel()``; every unit exactly once."""
    if not isinstance(panel, pd.DataFrame):
        raise TypeError(f"`panel` must be a pandas DataFrame; got {type(panel).__name__}.")
    values = check_outcome(panel, outcome, counts=False)
    if isinstance(assignment, DayAssignment):
        key = place or assignment.place_column
        require_columns(panel, [key, time], name="panel")
        place_pos = assignment.place_ids.get_indexer(panel[key].to_numpy())
        stamps = wall_clock(require_timestamps(panel[time], name=f"panel[{time!r}]"))
        day_pos = assignment.dates.get_indexer(pd.DatetimeIndex(stamps).normalize())
        n_days = len(assignment.dates)
        flat = np.where((place_pos >= 0) & (day_pos >= 0), place_pos * n_days + day_pos, -1)
        size = assignment.treated.size
    else:
        ids = panel[place].to_numpy() if place is not None else panel.index.to_numpy()
        flat = assignment.place_ids.get_indexer(ids)
        size = len(assignment.place_ids)
    if (flat < 0).any():
        raise ValueError(
            f"`panel` has {int((flat < 0).sum())} rows that are not units of the assignment; "
            "pass the panel of this trial only."
        )
    counts = np.bincount(flat, minlength=size)
    if (counts != 1).any():
        raise ValueError(
            "`panel` must hold every unit of the assignment exactly once: "
            f"{int((counts == 0).sum())} missing, {int((counts > 1).sum())} duplicated."
        )
    _check_arms(panel, assignment, flat)
    y = np.empty(size)
    y[flat] = values
    return y


def _check_arms(
    panel: pd.DataFrame, assignment: DayAssignment | PlaceAssignment, flat: NDArray[np.int64]
) -> None:
    """Refuse a panel whose ``treated`` column is not the assignment being re-drawn."""
    if "treated" not in panel.columns:
        return
    given = panel["treated"]
    if given.isna().any() or not given.isin([0, 1, True, False]).all():
        raise ValueError("`panel['treated']` must hold 0/1 (or booleans) with no missing values.")
    drawn = np.asarray(assignment.treated).ravel()[flat].astype(bool)
    differ = given.to_numpy().astype(bool) != drawn
    if differ.any():
        raise ValueError(
            f"`panel['treated']` disagrees with `assignment` on {int(differ.sum())} of "
            f"{len(differ)} units ({int((differ & drawn).sum())} assigned to patrol but "
            f"marked control, {int((differ & ~drawn).sum())} the other way); the test "
            "re-draws the allocation actually used, so pass the assignment that made "
            "this panel (or the panel of this assignment)."
        )


def _resolve(statistic: Any, assignment: DayAssignment | PlaceAssignment) -> Any:
    """Resolve ``"auto"``: fixed effects for crossovers and blocked designs."""
    if callable(statistic) or statistic != "auto":
        return statistic
    crossover = isinstance(assignment, DayAssignment)
    if crossover or len(assignment.n_treated_per_block) > 1:  # type: ignore[union-attr]
        return "fixed_effects"
    return "mean_difference"


def _invert(evaluator: Evaluator, alpha: float) -> tuple[float, float, float]:
    """Point estimate and interval for a constant IRR by inverting the test."""
    observed = evaluator.observed
    # The statistic falls as the assumed effect grows; its zero is the point estimate.
    low, high = -1.0, 1.0
    while observed(low) <= 0 and low > -20:
        low *= 2
    while observed(high) >= 0 and high < 20:
        high *= 2
    if observed(low) <= 0 or observed(high) >= 0:
        return float("nan"), float("nan"), float("nan")
    centre = _bisect(lambda r: observed(r) > 0, low, high)

    def accepted(log_r: float) -> bool:
        return evaluator.test(log_r)[1] > alpha

    bounds = []
    for step in (-1.0, 1.0):  # expand outwards until rejected, then bisect
        inner, outer = centre, centre + step * 0.05
        while accepted(outer) and abs(outer - centre) < 20:
            inner, outer = outer, centre + 2 * (outer - centre)
        bounds.append(_bisect(accepted, inner, outer, 20) if not accepted(outer) else np.nan)
    return float(np.exp(centre)), float(np.exp(bounds[0])), float(np.exp(bounds[1]))


def _bisect(inside: Callable[[float], bool], a: float, b: float, steps: int = 30) -> float:
    """Boundary between ``a`` (inside is True) and ``b`` (False) by bisection."""
    for _ in range(steps):
        middle = (a + b) / 2
        if inside(middle):
            a = middle
        else:
            b = middle
    return (a + b) / 2
