"""CONSORT-style trial report: participant flow, effects and patrol dose by arm."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    require_columns,
    require_nonempty,
    require_relevant,
    require_type,
    require_whole,
)
from hotspotlib.trials._report_display import show_dose, show_effects, show_flow
from hotspotlib.trials.arm_effects import ArmEffects
from hotspotlib.trials.arm_report import arm_labels, arm_sections
from hotspotlib.trials.arms import ArmAssignment
from hotspotlib.trials.assign import PlaceAssignment
from hotspotlib.trials.balance import BalanceTable
from hotspotlib.trials.compliance import ComplianceEffect
from hotspotlib.trials.estimate import TrialEffect
from hotspotlib.trials.inference import RandomizationTest
from hotspotlib.trials.multiple import EffectTable
from hotspotlib.trials.schedule import DayAssignment

__all__ = ["TrialReport", "trial_report"]

_EFFECT_COLUMNS = [
    "outcome",
    "model",
    "n_obs",
    "irr",
    "irr_ci_low",
    "irr_ci_high",
    "percent_change",
    "p_value",
]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class TrialReport(FrozenResult):
    """A CONSORT-style report of a hot-spot trial, printable as text, Markdown or HTML.

    Attributes
    ----------
    title : str
        Report heading.
    flow : pandas.DataFrame
        Participant flow: assessed, randomised, allocated per arm, delivered, analysed;
        columns ``places`` and (crossovers) ``place_days``. Several arms: one row per arm
        at each stage.
    effects : pandas.DataFrame
        One row per estimate (outcome, model, IRR with CI, % change, p-value). Several
        arms: one row per outcome and comparison, with ``p_adjusted`` and ``adjustment``.
    dose : pandas.DataFrame or None
        Delivered dose by assigned arm (treatment *and* control, as CONSORT-SPI asks).
    balance : pandas.DataFrame or None
        Baseline balance (the table of :func:`balance_table`; per arm with several arms).
    notes : tuple of str
        Design, audit trail and analysis conventions.

    See Also
    --------
    trial_report : Assemble one.

    References
    ----------
    .. [1] Schulz, Altman and Moher (2010). CONSORT 2010. https://doi.org/10.1136/bmj.c332
    """

    title: str
    flow: pd.DataFrame
    effects: pd.DataFrame
    dose: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    balance: pd.DataFrame | None = None

    _title: ClassVar[str] = "Trial report"

    def _sections(self) -> list[tuple[str, pd.DataFrame]]:
        """Return the tables as a reader sees them: plain labels and rounded numbers."""
        parts = [("Participant flow", show_flow(self.flow))]
        if self.balance is not None:
            parts.append(("Baseline balance", self.balance.round(3)))
        parts.append(("Effects", show_effects(self.effects)))
        if self.dose is not None:
            parts.append(("Patrol dose by assigned arm", show_dose(self.dose)))
        return parts

    def __str__(self) -> str:
        lines = [self.title, "=" * len(self.title)]
        for heading, table in self._sections():
            lines += ["", heading, "-" * len(heading), table.to_string()]
        if self.notes:
            lines += ["", "Notes:"] + [f"- {note}" for note in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        parts = [f"<h3>{html.escape(self.title)}</h3>"]
        for heading, table in self._sections():
            parts += [f"<h4>{html.escape(heading)}</h4>", table.to_html()]
        if self.notes:
            items = "".join(f"<li>{html.escape(n)}</li>" for n in self.notes)
            parts.append(f"<p>Notes:</p><ul>{items}</ul>")
        return "".join(parts)

    def to_markdown(self) -> str:
        """Return the report as GitHub-flavoured Markdown."""
        lines = [f"## {self.title}"]
        for heading, table in self._sections():
            lines += ["", f"### {heading}", "", _markdown_table(table)]
        if self.notes:
            lines += [""] + [f"- {note}" for note in self.notes]
        return "\n".join(lines)

    def to_frame(self) -> pd.DataFrame:
        """Return the participant-flow table (a copy)."""
        return self.flow.copy()

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The report's heading."""
        return frozen_mapping({"title": self.title})

    @property
    def counts(self) -> Mapping[str, Any]:
        """Outcomes reported, with the participant flow in the summary's table."""
        return frozen_mapping({"n_estimates": len(self.effects)})

    def _summary_table(self) -> pd.DataFrame:
        return self.flow


def _markdown_table(frame: pd.DataFrame) -> str:
    flat = frame.reset_index()
    cells = flat.astype(object).where(flat.notna(), "")
    header = "| " + " | ".join(str(c) for c in flat.columns) + " |"
    rule = "|" + "---|" * len(flat.columns)
    body = ["| " + " | ".join(str(v) for v in row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def trial_report(
    assignment: DayAssignment | PlaceAssignment | ArmAssignment,
    *,
    effects: TrialEffect | EffectTable | Sequence[TrialEffect] | ArmEffects | Sequence[ArmEffects],
    panel: pd.DataFrame | None = None,
    delivered: str | None = None,
    dose_columns: Sequence[str] = (),
    randomization: RandomizationTest | None = None,
    compliance: ComplianceEffect | None = None,
    n_assessed: int | None = None,
    title: str = "Hot-spot patrol trial",
    balance: BalanceTable | None = None,
) -> TrialReport:
    """Assemble a CONSORT-style report from the allocation and the analyses.

    Parameters
    ----------
    assignment : DayAssignment, PlaceAssignment or ArmAssignment
        The allocation (its audit trail goes into the notes). With several arms
        (:func:`assign_arms`, or :func:`assign_days` with ``arms``) the report is arm
        by arm.
    effects : TrialEffect, EffectTable, ArmEffects or a sequence of them
        The effect estimates to report (the primary outcome first). Several arms need
        :class:`ArmEffects` (from :func:`estimate_arms` on the trial's arms): a
        ``TrialEffect`` would merge the arms into "patrol", so it is refused.
    panel : pandas.DataFrame, optional
        The analysis panel, needed for delivery and dose rows (with ``treated``, or
        with several arms the arm column of the effects).
    delivered : str, optional
        Column of ``panel`` marking delivered treatment (a qualifying visit, 0/1, or
        minutes > 0); adds "received allocated patrol" and control contamination.
    dose_columns : sequence of str
        Dose columns of ``panel`` (e.g. ``patrol_minutes``, ``n_visits``) summarised
        by arm: mean, SD and share of units with any dose.
    randomization : RandomizationTest, optional
        Adds a randomisation-inference row to the effects (two arms only).
    compliance : ComplianceEffect, optional
        Adds the ITT and CACE rows to the effects (two arms only).
    n_assessed : int, optional
        Places assessed for eligibility (default: the places randomised).
    title : str
        Report heading.
    balance : BalanceTable, optional
        Baseline balance (:func:`balance_table` of this allocation) as a section; with
        several arms it must compare each arm with control.

    Returns
    -------
    TrialReport
        Flow, effects and dose tables; ``str()``, ``to_markdown()`` and HTML display.

    See Also
    --------
    TrialReport : The returned report.
    estimate_effect : The main analysis.
    estimate_arms : The analysis of a multi-arm trial.
    balance_table : Baseline balance.

    References
    ----------
    .. [1] Schulz, K. F., Altman, D. G. and Moher, D. (2010). CONSORT 2010 statement:
       updated guidelines for reporting parallel group randomised trials. BMJ 340, c332.
       https://doi.org/10.1136/bmj.c332

    Examples
    --------
    >>> import numpy as np
    >>> import hotspotlib as hs
    >>> plan = hs.assign_days(range(20), start="2020-07-01", days=30, treated_per_day=8, rng=1)
    >>> panel = plan.to_frame()
    >>> panel["crimes"] = np.random.default_rng(2).poisson(np.where(panel["treated"], 0.6, 1.0))
    >>> report = hs.trial_report(plan, effects=hs.estimate_effect(panel, outcome="crimes"),
    ...                          n_assessed=35)
    >>> int(report.flow.loc["randomised", "places"])
    20
    """
    require_type(
        assignment,
        (DayAssignment, PlaceAssignment, ArmAssignment),
        name="assignment",
        expected="a DayAssignment, PlaceAssignment or ArmAssignment (from assign_days, "
        "assign_places or assign_arms)",
    )
    if balance is not None:
        require_type(balance, BalanceTable, name="balance", expected="a BalanceTable")
    require_relevant(
        delivered,
        name="delivered",
        used=panel is not None,
        context="without `panel`",
        fix="The column lives in `panel`: pass the panel too.",
    )
    kept = None if balance is None else balance.table
    if isinstance(assignment, ArmAssignment) or arm_labels(assignment) is not None:
        options = (panel, delivered, dose_columns, n_assessed, balance, randomization, compliance)
        parts = arm_sections(assignment, effects, *options)  # several arms: arm by arm
        return TrialReport(
            title=title,
            flow=parts[0],
            effects=parts[1],
            dose=parts[2],
            notes=parts[3],
            balance=kept,
        )
    items = _effect_list(effects)
    flow = _flow(assignment, items[0], panel, delivered, n_assessed)
    table = _effects_table(items, randomization, compliance)
    dose = _dose_table(panel, dose_columns, delivered) if panel is not None else None
    notes = [
        f"Allocation: {assignment.audit.get('algorithm', '')}; seed "
        f"{assignment.audit.get('seed')}; {assignment.audit.get('library', '')}.",
        "Effects by assigned arm (intention to treat) unless marked CACE; IRR < 1 and "
        "negative % change mean fewer crimes with patrol; p-values two-sided.",
    ]
    return TrialReport(
        title=title, flow=flow, effects=table, dose=dose, notes=tuple(notes), balance=kept
    )


def _flow(
    assignment: DayAssignment | PlaceAssignment,
    primary: TrialEffect,
    panel: pd.DataFrame | None,
    delivered: str | None,
    n_assessed: int | None,
) -> pd.DataFrame:
    """Participant flow: assessed, randomised, allocated, delivered and analysed."""
    crossover = isinstance(assignment, DayAssignment)
    n_places = len(assignment.place_ids)
    assessed = n_places
    if n_assessed is not None:
        assessed = require_whole(
            n_assessed,
            name="n_assessed",
            minimum=n_places,
            fix="It cannot be below the places randomised.",
        )
    treated_units, control_units = assignment.n_treated, assignment.n_control
    rows: dict[str, dict[str, Any]] = {
        "assessed for eligibility": {"places": assessed},
        "excluded before randomisation": {"places": assessed - n_places},
        "randomised": {"places": n_places},
        "allocated to patrol": {"places": n_places if crossover else treated_units},
        "allocated to control": {"places": n_places if crossover else control_units},
    }
    if isinstance(assignment, DayAssignment):
        rows["randomised"]["place_days"] = assignment.n_place_days
        rows["allocated to patrol"]["place_days"] = treated_units
        rows["allocated to control"]["place_days"] = control_units
    unit = "place_days" if crossover else "places"
    if delivered is not None and panel is not None:
        require_columns(panel, [delivered, "treated"], name="panel")
        got = panel[delivered].to_numpy(dtype=float) > 0
        arm = panel["treated"].to_numpy() == 1
        rows["received allocated patrol"] = {unit: int(np.sum(got & arm))}
        rows["patrol delivered to control (contamination)"] = {unit: int(np.sum(got & ~arm))}
    rows["analysed, patrol"] = {unit: primary.n_treated}
    rows["analysed, control"] = {unit: primary.n_control}
    rows["excluded from analysis"] = {unit: primary.n_dropped}
    flow = pd.DataFrame.from_dict(rows, orient="index").rename_axis("stage")
    return flow.astype("Int64")


def _effects_table(
    items: list[TrialEffect],
    randomization: RandomizationTest | None,
    compliance: ComplianceEffect | None,
) -> pd.DataFrame:
    """One row per estimate, then the randomisation test and the ITT and CACE rows."""
    effect_rows = [
        e.to_frame().loc[["treatment"]].assign(model=e.model, n_obs=e.n_obs) for e in items
    ]
    table = pd.concat(effect_rows)[_EFFECT_COLUMNS].reset_index(drop=True)
    extra = []
    if randomization is not None:
        extra.append(
            {
                "outcome": f"{randomization.parameters.get('outcome', '')} (randomisation test)",
                "model": randomization.statistic,
                "n_obs": randomization.parameters.get("n_units"),
                "irr": randomization.irr,
                "irr_ci_low": randomization.irr_ci_low,
                "irr_ci_high": randomization.irr_ci_high,
                "percent_change": 100 * (randomization.irr - 1),
                "p_value": randomization.p_value,
            }
        )
    if compliance is not None:
        for term in ("itt", "cace"):
            row = compliance.table.loc[term]
            extra.append(
                {
                    "outcome": f"{compliance.parameters['outcome']} ({term.upper()}, difference)",
                    "model": "2SLS" if term == "cace" else "OLS",
                    "n_obs": None,
                    "irr": np.nan,
                    "irr_ci_low": np.nan,
                    "irr_ci_high": np.nan,
                    "percent_change": 100 * row["estimate"] / compliance.control_mean,
                    "p_value": row["p_value"],
                }
            )
    if extra:
        table = pd.concat([table, pd.DataFrame(extra)], ignore_index=True)
    return table


def _effect_list(effects: Any) -> list[TrialEffect]:
    if isinstance(effects, TrialEffect):
        return [effects]
    if isinstance(effects, EffectTable):
        return list(effects.effects)
    require_type(
        effects,
        (list, tuple),
        name="effects",
        expected="a TrialEffect, an EffectTable or a list of TrialEffect",
    )
    require_nonempty(effects, name="effects", fix="pass at least one TrialEffect.")
    for item in effects:
        require_type(item, TrialEffect, name="effects", expected="a list of TrialEffect")
    return list(effects)


def _dose_table(
    panel: pd.DataFrame, columns: Sequence[str], delivered: str | None
) -> pd.DataFrame | None:
    names = list(columns) + ([delivered] if delivered and delivered not in columns else [])
    if not names:
        return None
    require_columns(panel, [*names, "treated"], name="panel")
    arm = np.where(panel["treated"].to_numpy() == 1, "patrol", "control")
    values = panel[names].astype(float)
    grouped = values.groupby(arm)
    table = pd.concat(
        {
            "mean": grouped.mean().stack(),
            "sd": grouped.std().stack(),
            "share_any": (values > 0).groupby(arm).mean().stack(),
        },
        axis=1,
    )
    table.index.names = ["arm", "dose"]
    return table
