"""Several outcomes at once, with Holm or Benjamini-Hochberg adjusted p-values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._multiple_testing import adjust_pvalues
from hotspotlib._options import Adjustment
from hotspotlib._validation import check_option, require_nonempty, require_unique
from hotspotlib.trials.estimate import TrialEffect, estimate_effect

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["EffectTable", "adjust_pvalues", "estimate_effects"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class EffectTable(FrozenResult):
    """Effects of patrol on several outcomes, with adjusted p-values.

    Attributes
    ----------
    effects : tuple of TrialEffect
        One per outcome, in the order given.
    p_adjusted : numpy.ndarray
        Adjusted p-values of the treatment terms.
    adjustment : str
        The adjustment used.

    See Also
    --------
    estimate_effects : Compute one.

    References
    ----------
    .. [1] Benjamini and Hochberg (1995). https://doi.org/10.1111/j.2517-6161.1995.tb02031.x
    """

    effects: tuple[TrialEffect, ...]
    p_adjusted: NDArray[np.float64]
    adjustment: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    _title: ClassVar[str] = "Effects of patrol on several outcomes"

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome: treatment-term estimates, ``p_value`` and ``p_adjusted``."""
        rows = [e.to_frame().loc[["treatment"]] for e in self.effects]
        frame = pd.concat(rows).set_index("outcome")
        frame["p_adjusted"] = self.p_adjusted
        return frame

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The outcomes and the p-value adjustment."""
        return frozen_mapping(
            {"outcomes": ", ".join(e.outcome for e in self.effects), "adjustment": self.adjustment}
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Outcomes estimated."""
        return frozen_mapping({"n_outcomes": len(self.effects)})

    def _summary_table(self) -> pd.DataFrame:
        columns = ["irr", "irr_ci_low", "irr_ci_high", "percent_change", "p_value", "p_adjusted"]
        return self.to_frame()[columns].round(4)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Forest plot of the IRRs and their confidence intervals per outcome."""
        from hotspotlib._plotting import get_axes

        frame = self.to_frame()
        axes = get_axes(ax, figsize=(6.0, 1.5 + 0.5 * len(frame)))
        position = np.arange(len(frame))[::-1]
        irr = frame["irr"].to_numpy()
        error = [irr - frame["irr_ci_low"].to_numpy(), frame["irr_ci_high"].to_numpy() - irr]
        kwargs.setdefault("fmt", "s")
        kwargs.setdefault("color", "black")
        axes.errorbar(irr, position, xerr=error, **kwargs)
        axes.axvline(1.0, color="grey", linestyle="--", linewidth=1)
        axes.set_yticks(position, list(frame.index))
        axes.set_xscale("log")
        axes.set_xlabel("incident rate ratio (patrol / no patrol)")
        axes.set_title("Effects of patrol")
        return axes


def estimate_effects(
    panel: pd.DataFrame,
    *,
    outcomes: Sequence[str],
    p_adjust: Adjustment = "holm",
    **options: Any,
) -> EffectTable:
    """Estimate the effect on several outcomes and adjust the p-values.

    Pre-register one primary outcome; adjust across the secondary family. Harm and
    count outcomes on the same crimes are not independent tests, which Holm and
    Benjamini-Hochberg tolerate (BH under positive dependence).

    Parameters
    ----------
    panel : pandas.DataFrame
        The trial panel.
    outcomes : sequence of str
        Outcome columns.
    p_adjust : {"holm", "fdr_bh", "bonferroni", "none"}
        Multiple-testing adjustment of the treatment p-values (the ``method`` of
        :func:`adjust_pvalues`).
    **options
        Passed to :func:`estimate_effect` (design, model, fixed effects ...).

    Returns
    -------
    EffectTable
        The effects and adjusted p-values.

    See Also
    --------
    EffectTable : The returned table.
    estimate_effect : One outcome.
    adjust_pvalues : The adjustments.

    References
    ----------
    .. [1] Holm, S. (1979). A simple sequentially rejective multiple test procedure.
       Scandinavian Journal of Statistics 6(2), 65-70. https://www.jstor.org/stable/4615733
    .. [2] Benjamini, Y. and Hochberg, Y. (1995). Controlling the false discovery rate: a
       practical and powerful approach to multiple testing. Journal of the Royal Statistical
       Society B 57(1), 289-300. https://doi.org/10.1111/j.2517-6161.1995.tb02031.x

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> plan = hs.assign_days(range(20), start="2020-07-01", days=60, treated_per_day=8, rng=1)
    >>> panel = plan.to_frame()
    >>> rng = np.random.default_rng(0)
    >>> panel["violence"] = rng.poisson(np.where(panel["treated"] == 1, 0.5, 1.0))
    >>> panel["disorder"] = rng.poisson(1.0, len(panel))
    >>> table = hs.estimate_effects(panel, outcomes=["violence", "disorder"])
    >>> list(table.to_frame().index)
    ['violence', 'disorder']
    """
    check_option(p_adjust, Adjustment, name="p_adjust")
    names = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    require_nonempty(names, name="outcomes", fix="name at least one outcome column.")
    require_unique(names, name="outcomes", what="columns")
    effects = tuple(estimate_effect(panel, outcome=name, **options) for name in names)
    adjusted = adjust_pvalues([e.p_value for e in effects], method=p_adjust)
    return EffectTable(
        effects=effects,
        p_adjusted=adjusted,
        adjustment=p_adjust,
        notes=(f"p_adjusted: {p_adjust} across {len(names)} outcomes; p_value is unadjusted.",),
    )
