"""One pre-registered analysis run on every force's trial, pooled by meta-analysis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from hotspotlib._chunk_map import check_client, map_chunks
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import MetaMethod
from hotspotlib._validation import (
    check_option,
    require_nonempty,
    require_probability,
    require_subset,
    require_type,
    require_whole,
)
from hotspotlib.trials._design import NotEstimable
from hotspotlib.trials.arm_effects import estimate_arms
from hotspotlib.trials.estimate import estimate_effect
from hotspotlib.trials.meta import MetaAnalysis, meta_analysis

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["ForceEvaluation", "evaluate_forces"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ForceEvaluation(FrozenResult):
    """Per-force effects of one analysis and their random-effects pooling.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per force: ``status`` (``"pooled"`` or ``"failed"``), ``estimate``
        (log IRR), ``std_error``, ``irr``, ``irr_ci_low``, ``irr_ci_high``, ``n_obs`` and
        ``reason`` (why a force failed, else empty).
    pooled : MetaAnalysis
        The meta-analysis of the forces that could be estimated (``tau2``, ``i2``,
        prediction interval, forest plot).

    See Also
    --------
    evaluate_forces : Compute one.

    References
    ----------
    .. [1] DerSimonian and Laird (1986). https://doi.org/10.1016/0197-2456(86)90046-2
    """

    _table: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)
    pooled: MetaAnalysis
    parameters: Mapping[str, Any] = field(default_factory=dict)

    _title: ClassVar[str] = "Evaluation across forces"

    @property
    def table(self) -> pd.DataFrame:
        """Per-force rows (a copy)."""
        return self._table.copy()

    @property
    def irr(self) -> float:
        """Pooled rate ratio, ``exp(pooled.estimate)``."""
        return float(np.exp(self.pooled.estimate))

    @property
    def failed(self) -> Mapping[str, str]:
        """Forces left out of the pooling, with the reason."""
        rows = self._table[self._table["status"] == "failed"]
        return frozen_mapping(dict(zip(rows.index, rows["reason"], strict=True)))

    def to_frame(self) -> pd.DataFrame:
        """Return the per-force table (a copy)."""
        return self._table.copy()

    @property
    def counts(self) -> Mapping[str, Any]:
        """Forces given, pooled and failed."""
        pooled = int((self._table["status"] == "pooled").sum())
        return frozen_mapping(
            {
                "n_forces": len(self._table),
                "n_pooled": pooled,
                "n_failed": len(self._table) - pooled,
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """Pooled IRR and heterogeneity, then every force that failed and why."""
        p = self.pooled
        head = (
            f"Pooled IRR {np.exp(p.estimate):.3f} ({np.exp(p.ci_low):.3f} to "
            f"{np.exp(p.ci_high):.3f}); tau2, I2 and the prediction interval are on the "
            "log IRR scale."
        )
        failed = [f"Force {f!r} not pooled: {reason}" for f, reason in self.failed.items()]
        return (head, *p.notes, *failed)

    def _summary_table(self) -> pd.DataFrame:
        columns = ["status", "irr", "irr_ci_low", "irr_ci_high", "n_obs"]
        return self._table[columns].round(4)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Forest plot of the pooled forces (log IRR), with the prediction interval."""
        axes = self.pooled.plot(ax=ax, **kwargs)
        axes.set_xlabel("log incident rate ratio (arm / control)")
        if self.failed:
            axes.annotate(
                f"not pooled: {', '.join(self.failed)}",
                xy=(0.01, 0.01),
                xycoords="axes fraction",
                fontsize="small",
                color="grey",
            )
        return axes


def evaluate_forces(
    panels: Mapping[str, pd.DataFrame],
    *,
    outcome: str,
    comparison: tuple[str, str] | None = None,
    method: MetaMethod = "REML",
    confidence: float = 0.95,
    client: Any = None,
    **options: Any,
) -> ForceEvaluation:
    """Run the same analysis on each force's trial and pool the effects.

    Every panel gets exactly the same pre-registered analysis: :func:`estimate_effect`
    with ``options`` (two arms), or, with ``comparison=(arm, control)``,
    :func:`estimate_arms` with ``options`` and the row ``"arm vs control"``. The log
    IRRs and their variances are pooled with :func:`meta_analysis` (REML by default).
    A force whose data carry no estimate (an arm without rows or without events,
    separation) is reported in ``table``, ``counts`` and ``notes`` and left out of the
    pooling; bad arguments (a missing column, an unknown option) still raise.

    Parameters
    ----------
    panels : mapping of str to pandas.DataFrame
        One trial panel per force, keyed by force name.
    outcome : str
        Outcome column (the same in every panel).
    comparison : (str, str), optional
        ``(arm, control)`` labels for a multi-arm trial.
    method : {"REML", "DL", "fixed"}
        Pooling method of :func:`meta_analysis`.
    confidence : float
        Level of every interval.
    client : distributed.Client, optional
        Run the forces' analyses on this Dask cluster, one task per force. Each
        force's analysis is the same call as without a client, so the result is
        identical for any number of workers.
    **options
        The analysis options, passed unchanged to every force.

    Returns
    -------
    ForceEvaluation
        Per-force effects, the pooled effect, tau2, I2, prediction interval.

    See Also
    --------
    meta_analysis, estimate_effect, estimate_arms

    References
    ----------
    .. [1] DerSimonian, R. and Laird, N. (1986). Meta-analysis in clinical trials.
       Controlled Clinical Trials 7(3), 177-188.
       https://doi.org/10.1016/0197-2456(86)90046-2
    .. [2] Higgins, J. P. T. and Thompson, S. G. (2002). Quantifying heterogeneity in a
       meta-analysis. Statistics in Medicine 21(11), 1539-1558.
       https://doi.org/10.1002/sim.1186

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> rng = np.random.default_rng(0)
    >>> panels = {}
    >>> for force in ["Essex", "Kent", "Surrey", "Avon"]:
    ...     plan = hs.assign_places(range(60), rng=rng)
    ...     panel = plan.to_frame().reset_index()
    ...     panel["crimes"] = rng.poisson(np.where(panel["treated"] == 1, 3.0, 4.0))
    ...     panels[force] = panel
    >>> result = hs.evaluate_forces(panels, outcome="crimes", design="parallel",
    ...                             model="poisson")
    >>> result.counts["n_pooled"], 0.6 < result.irr < 0.9
    (4, True)
    """
    require_type(panels, Mapping, name="panels", expected="a mapping of force name to panel")
    require_nonempty(list(panels), name="panels", fix="give at least two forces' panels.")
    check_option(method, MetaMethod, name="method")
    level = require_probability(confidence, name="confidence")
    check_client(client)
    rows = map_chunks(
        _force_task,
        [(str(name), panel) for name, panel in panels.items()],
        shared={"outcome": outcome, "comparison": comparison, "level": level, "options": options},
        client=client,
        desc="forces",
    )
    table = pd.DataFrame(rows).set_index("force")
    good = table[table["status"] == "pooled"]
    require_whole(
        len(good),
        name="forces with an estimable effect",
        minimum=2,
        fix="Pooling needs two. Not estimable: "
        + ("; ".join(f"{f}: {r}" for f, r in table["reason"].items() if r) or "none")
        + ".",
    )
    pooled = meta_analysis(
        good["estimate"].to_numpy(),
        variances=good["std_error"].to_numpy() ** 2,
        labels=[str(f) for f in good.index],
        method=method,
        confidence=level,
    )
    analysis = "estimate_arms" if comparison else "estimate_effect"
    parameters = {
        "outcome": outcome,
        "analysis": analysis,
        "comparison": " vs ".join(comparison) if comparison else "treated vs control",
        "options": ", ".join(f"{k}={v!r}" for k, v in options.items()) or "defaults",
        "method": method,
        "confidence": level,
    }
    return ForceEvaluation(_table=table, pooled=pooled, parameters=parameters)


def _force_task(
    item: tuple[str, pd.DataFrame],
    *,
    outcome: str,
    comparison: tuple[str, str] | None,
    level: float,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Run one force's analysis (a task of :func:`map_chunks`)."""
    name, panel = item
    return _one_force(name, panel, outcome, comparison, level, options)


def _one_force(
    name: str,
    panel: pd.DataFrame,
    outcome: str,
    comparison: tuple[str, str] | None,
    level: float,
    options: dict[str, Any],
) -> dict[str, Any]:
    """Return the force's log IRR and SE, or the reason it has none."""
    row: dict[str, Any] = {"force": name, "status": "pooled", "reason": ""}
    try:
        if comparison is None:
            effect = estimate_effect(panel, outcome=outcome, confidence=level, **options)
            estimate, se, n_obs = np.log(effect.irr), effect.std_error, effect.n_obs
        else:
            arm, control = comparison
            arms = estimate_arms(
                panel, outcome=outcome, control=control, confidence=level, **options
            )
            label = f"{arm} vs {control}"
            require_subset(
                [label],
                arms.table.index,
                name="comparison",
                among=f"the comparisons {list(arms.table.index)}",
                fix="Pass (arm, control) labels of the panels' arm column.",
            )
            estimate = arms.table.loc[label, "estimate"]
            se = arms.table.loc[label, "std_error"]
            n_obs = arms.counts["n_obs"]
    except NotEstimable as error:
        row.update(status="failed", reason=str(error), estimate=np.nan, std_error=np.nan)
        row["n_obs"] = len(panel)
    else:
        row.update(estimate=float(estimate), std_error=float(se), n_obs=int(n_obs))
    crit = float(stats.norm.ppf(0.5 + level / 2))
    row["irr"] = float(np.exp(row["estimate"]))
    row["irr_ci_low"] = float(np.exp(row["estimate"] - crit * row["std_error"]))
    row["irr_ci_high"] = float(np.exp(row["estimate"] + crit * row["std_error"]))
    return row
