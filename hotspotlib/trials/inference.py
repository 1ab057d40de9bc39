"""Randomisation inference: re-draw the actual design many times, recompute the statistic.

Re-draws are generated in chunks of boolean matrices and the statistic is a float64
matrix product with the outcome, chunk by chunk, so 10,000 re-draws of a 1,800
place-day crossover take well under a second. A confidence interval for a constant
multiplicative effect (IRR) comes from inverting the test.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import Statistic
from hotspotlib._validation import (
    check_option,
    require_columns,
    require_draws,
    require_probability,
    require_subset,
    require_timestamps,
    require_type,
    require_unique,
    wall_clock,
)
from hotspotlib.trials._design import check_outcome, check_treatment
from hotspotlib.trials._draws import start_generator
from hotspotlib.trials._permute import CHUNK, Evaluator, draw_chunks, make_evaluator
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.schedule import DayAssignment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RandomizationTest", "randomization_test"]

StatisticFunction = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.float64]]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
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
        Statistic, design, re-draws, outcome, columns, confidence and the seed of the
        re-draws (read-only).
    counts : Mapping
        Units tested, re-draws and re-draws at least as extreme as observed.

    See Also
    --------
    randomization_test : Run one.

    References
    ----------
    .. [1] Fisher (1935). The Design of Experiments.
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

    _title: ClassVar[str] = "Randomisation test"

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

    @property
    def counts(self) -> Mapping[str, Any]:
        """Units (place-days or places) tested and the number of re-draws."""
        return frozen_mapping(
            {
                "n_units": self.parameters.get("n_units"),
                "n_permutations": self.parameters.get("n_permutations"),
                "n_as_extreme": int(round(self.p_value * (len(self.null_distribution) + 1))) - 1,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How the re-draws and the interval are made."""
        return (
            "Re-draws follow the actual design (same places per day and block, same "
            "constraints); p is two-sided, (1 + #{|S_b| >= |S_obs|}) / (B + 1), ties "
            "counted as extreme.",
            "The interval inverts the test over constant multiplicative effects: "
            "IRRs r whose adjusted outcomes y / r**treated give p >= 1 - confidence.",
        )

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame().set_index("statistic")

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
    place: str = PLACE,
    date: str = "date",
    confidence: float | None = 0.95,
    rng: int | np.random.Generator | None = None,
    progress: bool = False,
) -> RandomizationTest:
    """Test the sharp null of no effect by re-drawing the actual randomisation.

    Parameters
    ----------
    panel : pandas.DataFrame
        Crossover: one row per place-day of the schedule (columns ``place`` and
        ``date``). Parallel: one row per place (place ids in the ``place`` column if
        the panel has it, else in the index).
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
    place : str
        Place column (:attr:`DayAssignment.place_column` names the one
        :meth:`DayAssignment.to_frame` writes).
    date : str
        The panel's day column (crossover).
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

    See Also
    --------
    estimate_effect : The model-based estimate.

    Notes
    -----
    Statistics are computed in float64. A re-draw counts as at least as extreme when
    ``|S_b| >= |S_obs| - tol``, with ``tol`` the change in the statistic caused by
    ``1e-9 * sum|y|`` in its linear part (for a callable, ``1e-9`` times the largest
    absolute statistic): exact ties count, float rounding is not taken for a difference.

    References
    ----------
    .. [1] Fisher, R. A. (1935). The Design of Experiments. Oliver and Boyd, Edinburgh.
    .. [2] Imbens, G. W. and Rubin, D. B. (2015). Causal Inference for Statistics, Social,
       and Biomedical Sciences. Cambridge University Press, ch. 5.

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
    require_type(
        assignment,
        (DayAssignment, PlaceAssignment),
        name="assignment",
        expected="a DayAssignment or PlaceAssignment (from assign_days or assign_places)",
    )
    require_draws(
        n_permutations,
        name="n_permutations",
        minimum=19,
        fix="Below 19 re-draws p-values, which resolve to 1/(B+1), cannot reach 0.05.",
    )
    if confidence is not None:
        require_probability(confidence, name="confidence")
    if not callable(statistic):
        check_option(statistic, Statistic, name="statistic")
    y = _aligned_outcome(panel, outcome, assignment, place, date)
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
        null_distribution=null,
        irr=irr,
        irr_ci_low=low,
        irr_ci_high=high,
        confidence=confidence,
        parameters={
            "statistic": evaluator.name,
            "outcome": outcome,
            "design": "crossover" if isinstance(assignment, DayAssignment) else "places",
            "place": place,
            "date": date if isinstance(assignment, DayAssignment) else None,
            "n_permutations": n_permutations,
            "n_units": int(y.size),
            "confidence": confidence,
            "seed": record["seed"],
        },
    )


def _aligned_outcome(
    panel: pd.DataFrame,
    outcome: str,
    assignment: DayAssignment | PlaceAssignment,
    place: str,
    date: str,
) -> NDArray[np.float64]:
    """Return the outcome ordered like ``assignment.treated.ravel()``; every unit exactly once."""
    require_type(panel, pd.DataFrame, name="panel", expected="a pandas DataFrame")
    values = check_outcome(panel, outcome, counts=False)
    if isinstance(assignment, DayAssignment):
        require_columns(panel, [place, date], name="panel")
        stamps = wall_clock(require_timestamps(panel[date], name=f"panel[{date!r}]"))
        days = pd.DatetimeIndex(stamps).normalize()
        units = pd.MultiIndex.from_arrays([panel[place].to_numpy(), days])
        design = pd.MultiIndex.from_product([assignment.place_ids, assignment.dates])
    else:  # one row per place: ids in the `place` column, else in the index
        units = pd.Index(panel[place] if place in panel.columns else panel.index)
        design = assignment.place_ids
    require_subset(
        units,
        design,
        name="panel",
        among="the units of `assignment`",
        what="rows",
        fix="Pass the panel of this trial only.",
    )
    require_unique(units, name="panel", what="units (one row per place-day, or per place)")
    require_subset(
        design,
        units,
        name="assignment",
        among="the rows of `panel`",
        what="units",
        fix="The panel must hold every unit of the assignment exactly once.",
    )
    flat = design.get_indexer(units)
    _check_arms(panel, assignment, flat)
    y = np.empty(len(design))
    y[flat] = values
    return y


def _check_arms(
    panel: pd.DataFrame, assignment: DayAssignment | PlaceAssignment, flat: NDArray[np.int64]
) -> None:
    """Refuse a panel whose ``treated`` column is not the assignment being re-drawn."""
    if "treated" not in panel.columns:
        return
    given = check_treatment(panel, "treated").astype(bool)
    drawn = np.asarray(assignment.treated).ravel()[flat].astype(bool)
    differ = given != drawn
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
