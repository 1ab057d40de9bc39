"""Randomisation inference: re-draw the actual design many times, recompute the statistic.

All re-draws are generated as one boolean matrix (in chunks) and the statistic is a
matrix product with the outcome, so 10,000 re-draws of a 1,800 place-day crossover take
well under two seconds. A confidence interval for a constant multiplicative effect
(IRR) comes from inverting the test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._summary import Summary
from hotspotlib._validation import as_rng, check_option, require_columns
from hotspotlib.trials._common import read_only
from hotspotlib.trials._design import check_outcome
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.schedule import DayAssignment

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["RandomizationTest", "randomization_test"]

Statistic = Literal["auto", "mean_difference", "log_ratio", "fixed_effects"]
StatisticFunction = Callable[[NDArray[np.float32], NDArray[np.float32]], NDArray[np.float64]]
_CHUNK = 2_000


@dataclass(frozen=True, slots=True, kw_only=True)
class RandomizationTest:
    """A randomisation (permutation) test of no effect, with an inverted-test CI.

    Attributes
    ----------
    statistic : str
        The test statistic used.
    observed : float
        Its value under the actual assignment.
    p_value : float
        Two-sided: ``(1 + #{|S_b| >= |S_obs|}) / (B + 1)``.
    null_distribution : numpy.ndarray
        The ``B`` re-drawn statistics (read-only).
    irr, ci_low, ci_high : float
        Constant multiplicative effect at which the statistic is zero, and the
        interval of IRRs not rejected at ``1 - confidence`` (NaN when not requested).
    confidence : float or None
        Level of the interval.
    parameters : dict
        Design, re-draws, outcome, seed.
    """

    statistic: str
    observed: float
    p_value: float
    null_distribution: NDArray[np.float64]
    irr: float = float("nan")
    ci_low: float = float("nan")
    ci_high: float = float("nan")
    confidence: float | None = None
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row: ``estimate`` (observed statistic), ``p_value``, ``irr``, CI bounds."""
        return pd.DataFrame(
            {
                "statistic": [self.statistic],
                "estimate": [self.observed],
                "p_value": [self.p_value],
                "irr": [self.irr],
                "ci_low": [self.ci_low],
                "ci_high": [self.ci_high],
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
                "ci_low": self.ci_low,
                "ci_high": self.ci_high,
                "confidence": self.confidence,
                **self.parameters,
            },
            notes=[
                "Re-draws follow the actual design (same places per day and block, same "
                "constraints); p is two-sided, (1 + #{|S_b| >= |S_obs|}) / (B + 1).",
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
        ``(n_draws, n)`` float32 0/1 matrix and returns ``n_draws`` values.
    place : str, optional
        Place column (default: the schedule's place column; for places, the index).
    time : str
        Date column (crossover).
    confidence : float or None
        Level of the inverted-test interval for the IRR; None skips it.
    rng : int, Generator or None
        Seed or generator for the re-draws. Reusing the allocation's own seed makes
        the first re-draw repeat the actual allocation (harmless: p is then slightly
        conservative); a different seed avoids it.
    progress : bool
        Show a progress bar.

    Returns
    -------
    RandomizationTest
        Observed statistic, two-sided p-value, null distribution and IRR interval.

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
    observed_z = np.asarray(assignment.treated, dtype=np.float32).reshape(1, -1)
    function, name = _statistic(statistic, assignment)
    generator = as_rng(rng)
    chunks: Any = range(0, n_permutations, _CHUNK)
    if progress:
        from tqdm.auto import tqdm

        chunks = tqdm(chunks, desc="re-draws", unit="chunk")
    draws = []
    for start in chunks:  # a few chunks, each one matrix
        size = min(_CHUNK, n_permutations - start)
        draws.append(assignment.redraw(size, rng=generator).reshape(size, -1))
    z = np.concatenate(draws).astype(np.float32)

    def p_at(values: NDArray[np.float64]) -> tuple[float, float, NDArray[np.float64]]:
        y32 = values.astype(np.float32)
        s_obs = float(function(observed_z, y32)[0])
        null = np.asarray(function(z, y32), dtype=float)
        extreme = np.sum(np.abs(null) >= np.abs(s_obs) * (1 - 1e-7))
        return s_obs, float((1 + extreme) / (n_permutations + 1)), null

    def observed_at(values: NDArray[np.float64]) -> float:
        return float(function(observed_z, values.astype(np.float32))[0])

    observed, p_value, null = p_at(y)
    irr = low = high = float("nan")
    if confidence is not None:
        irr, low, high = _invert(y, observed_z[0].astype(bool), observed_at, p_at, 1 - confidence)
    return RandomizationTest(
        statistic=name,
        observed=observed,
        p_value=p_value,
        null_distribution=read_only(null),
        irr=irr,
        ci_low=low,
        ci_high=high,
        confidence=confidence,
        parameters={
            "outcome": outcome,
            "design": "crossover" if isinstance(assignment, DayAssignment) else "places",
            "n_permutations": n_permutations,
            "n_units": int(y.size),
        },
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
        day_pos = assignment.dates.get_indexer(pd.DatetimeIndex(panel[time]).normalize())
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
    y = np.empty(size)
    y[flat] = values
    return y


def _statistic(
    statistic: Any, assignment: DayAssignment | PlaceAssignment
) -> tuple[StatisticFunction, str]:
    if callable(statistic):
        return statistic, getattr(statistic, "__name__", "custom")
    crossover = isinstance(assignment, DayAssignment)
    blocked = len(assignment.treated_per_day if crossover else assignment.n_treated_per_block) > 1  # type: ignore[union-attr]
    if statistic == "auto":
        statistic = "fixed_effects" if crossover or blocked else "mean_difference"
    n_treated = float(np.sum(assignment.treated))
    n_total = float(np.size(assignment.treated))

    def mean_difference(z: NDArray[np.float32], y: NDArray[np.float32]) -> NDArray[np.float64]:
        treated = (z @ y).astype(float)
        return treated / n_treated - (float(y.sum()) - treated) / (n_total - n_treated)

    def log_ratio(z: NDArray[np.float32], y: NDArray[np.float32]) -> NDArray[np.float64]:
        treated = (z @ y).astype(float) / n_treated
        control = (float(y.sum()) - treated * n_treated) / (n_total - n_treated)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(treated) - np.log(control)

    if statistic == "mean_difference":
        return mean_difference, "mean_difference"
    if statistic == "log_ratio":
        return log_ratio, "log_ratio"
    return _fixed_effects(assignment), "fixed_effects"


def _fixed_effects(assignment: DayAssignment | PlaceAssignment) -> StatisticFunction:
    """Least-squares coefficient with place and day (or block) effects, by matrix products."""
    if isinstance(assignment, DayAssignment):
        n_places, n_days = assignment.treated.shape
        cache: dict[tuple[int, int], NDArray[np.float64]] = {}

        def two_way(z: NDArray[np.float32], y: NDArray[np.float32]) -> NDArray[np.float64]:
            grid = y.reshape(n_places, n_days).astype(float)
            demeaned = (
                grid
                - grid.mean(axis=1, keepdims=True)
                - grid.mean(axis=0, keepdims=True)
                + grid.mean()
            )
            numerator = (z @ demeaned.ravel().astype(np.float32)).astype(float)
            key = (id(z), len(z))
            if key not in cache:  # depends on the draws only, not on the outcome
                per_place = z.reshape(len(z), n_places, n_days).sum(axis=2, dtype=np.float64)
                # every day has the same share treated, so Z residualised on both effects
                # is Z minus its place mean: sum of squares = n_T - sum_i T_i^2 / D
                cache.clear() if len(cache) > 4 else None
                cache[key] = per_place.sum(axis=1) - np.sum(per_place**2, axis=1) / n_days
            return numerator / cache[key]

        return two_way
    block = np.asarray(assignment.block)
    sizes = np.bincount(block)
    shares = np.asarray(assignment.n_treated_per_block) / sizes
    denominator = float(np.sum(sizes * shares * (1 - shares)))

    def within_block(z: NDArray[np.float32], y: NDArray[np.float32]) -> NDArray[np.float64]:
        means = np.bincount(block, weights=y.astype(float)) / sizes
        demeaned = (y - means[block]).astype(np.float32)
        return (z @ demeaned).astype(float) / denominator

    return within_block


def _invert(
    y: NDArray[np.float64],
    treated: NDArray[np.bool_],
    observed_at: Callable[[NDArray[np.float64]], float],
    p_at: Callable[[NDArray[np.float64]], tuple[float, float, NDArray[np.float64]]],
    alpha: float,
) -> tuple[float, float, float]:
    """Point estimate and interval for a constant IRR by inverting the test."""

    def adjusted(log_r: float) -> NDArray[np.float64]:
        return np.where(treated, y * np.exp(-log_r), y)

    def observed(log_r: float) -> float:
        return observed_at(adjusted(log_r))

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
        return p_at(adjusted(log_r))[1] > alpha

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
