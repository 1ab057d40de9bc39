"""The multi-arm parts of a CONSORT-style report: flow, effects and dose by arm.

A trial with several arms (:func:`assign_arms`, or :func:`assign_days` with ``arms``)
is reported arm by arm: places (and place-days) allocated to each, delivered patrol
and contamination by arm, each arm against control and arm against arm with the
multiplicity adjustment named. Used by :func:`trial_report`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from hotspotlib._validation import (
    require_columns,
    require_nonempty,
    require_relevant,
    require_type,
    require_whole,
)
from hotspotlib.trials.arm_effects import ArmEffects
from hotspotlib.trials.arms import ArmAssignment
from hotspotlib.trials.balance import BalanceTable
from hotspotlib.trials.schedule import DayAssignment

__all__ = ["arm_labels", "arm_sections"]

_COLUMNS = [
    "outcome",
    "comparison",
    "model",
    "n_obs",
    "irr",
    "irr_ci_low",
    "irr_ci_high",
    "percent_change",
    "p_value",
    "p_adjusted",
    "adjustment",
]


def arm_labels(assignment: Any) -> tuple[str, ...] | None:
    """Return the arms of a multi-arm allocation (control first), or None for two arms."""
    if isinstance(assignment, ArmAssignment):
        return assignment.arms
    if isinstance(assignment, DayAssignment) and assignment.arm_codes is not None:
        return assignment.arms
    return None


def arm_sections(
    assignment: Any,
    effects: Any,
    panel: pd.DataFrame | None,
    delivered: str | None,
    dose_columns: Sequence[str],
    n_assessed: int | None,
    balance: BalanceTable | None,
    randomization: Any,
    compliance: Any,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None, tuple[str, ...]]:
    """Flow, effects and dose tables and the notes of a multi-arm trial."""
    arms: tuple[str, ...] = arm_labels(assignment) or ()
    for name, value in (("randomization", randomization), ("compliance", compliance)):
        require_relevant(
            value,
            name=name,
            used=False,
            context="with a multi-arm trial",
            fix="It compares patrol with control (two arms); the arms are compared by "
            "estimate_arms.",
        )
    items = _arm_effects(effects, arms)
    if balance is not None:
        missing = [a for a in arms[1:] if f"std_difference_{a}" not in balance.table.columns]
        if missing:
            raise ValueError(
                f"`balance` does not compare the arms {missing} with {arms[0]!r}: it was "
                "computed for two arms. Pass balance_table(assignment, covariates) with this "
                "multi-arm assignment."
            )
    column = str(items[0].parameters["arm"])
    flow = _flow(assignment, arms, items[0], panel, column, delivered, n_assessed)
    table = pd.concat([_effect_rows(e) for e in items], ignore_index=True)[_COLUMNS]
    dose = _dose(panel, column, dose_columns, delivered) if panel is not None else None
    adjustments = sorted({str(e.parameters["p_adjust"]) for e in items})
    crossover = isinstance(assignment, DayAssignment)
    audit = assignment.audit
    notes: tuple[str, ...] = (
        f"Allocation: {audit.get('algorithm', '')}; seed {audit.get('seed')}; "
        f"{audit.get('library', '')}.",
        f"{len(arms)} arms ({', '.join(arms)}), {arms[0]!r} the control"
        + ("; randomised by place-day." if crossover else "; randomised by place."),
        "Effects by assigned arm (intention to treat), from estimate_arms: each arm against "
        f"{items[0].parameters['control']!r} and, where estimated, arm against arm; IRR < 1 "
        "means fewer crimes in the first-named arm; p-values two-sided.",
        f"p_adjusted: {' / '.join(adjustments)} across each outcome's comparisons "
        "(column `adjustment`); p_value is unadjusted.",
    )
    if "dunnett" in adjustments:
        notes += ("Dunnett rows: single-step, with simultaneous intervals.",)
    return flow, table, dose, notes


def _arm_effects(effects: Any, arms: tuple[str, ...]) -> list[ArmEffects]:
    fix = (
        f"A trial with the arms {list(arms)} is reported arm by arm: pass the ArmEffects "
        "of estimate_arms (or a list of them, one per outcome). A TrialEffect compares "
        "patrol in any arm with control, which would merge the arms."
    )
    items = [effects] if isinstance(effects, ArmEffects) else effects
    require_type(items, (list, tuple), name="effects", expected=f"ArmEffects. {fix}")
    require_nonempty(items, name="effects", fix="pass at least one ArmEffects.")
    for item in items:
        require_type(item, ArmEffects, name="effects", expected=f"ArmEffects. {fix}")
        labels = str(item.parameters["arms"]).split(", ")
        if sorted(labels) != sorted(arms):
            raise ValueError(
                f"`effects` compares the arms {labels}, but the assignment has {list(arms)}. "
                "Estimate the effects on the trial's arm column (estimate_arms(panel, "
                "arm='arm', ...))."
            )
    return list(items)


def _flow(
    assignment: ArmAssignment | DayAssignment,
    arms: tuple[str, ...],
    primary: ArmEffects,
    panel: pd.DataFrame | None,
    column: str,
    delivered: str | None,
    n_assessed: int | None,
) -> pd.DataFrame:
    """Assessed, randomised, allocated and analysed, one row per arm where it applies."""
    n_places = len(assignment.place_ids)
    assessed = n_places
    if n_assessed is not None:
        assessed = require_whole(
            n_assessed,
            name="n_assessed",
            minimum=n_places,
            fix="It cannot be below the places randomised.",
        )
    codes = np.asarray(assignment.arm_codes)
    crossover = codes.ndim == 2  # places x days
    unit = "place_days" if crossover else "places"
    rows: dict[str, dict[str, Any]] = {
        "assessed for eligibility": {"places": assessed},
        "excluded before randomisation": {"places": assessed - n_places},
        "randomised": {"places": n_places, **({unit: codes.size} if crossover else {})},
    }
    for a, arm in enumerate(arms):
        places = int((codes == a).any(axis=1).sum()) if crossover else int((codes == a).sum())
        rows[f"allocated to {arm}"] = {"places": places}
        if crossover:
            rows[f"allocated to {arm}"][unit] = int((codes == a).sum())
    if delivered is not None and panel is not None:
        require_columns(panel, [delivered, column], name="panel")
        got = panel[delivered].to_numpy(dtype=float) > 0
        label = panel[column].astype(str).to_numpy()
        for arm in arms:
            stage = (
                f"patrol delivered to {arm} (contamination)"
                if arm == arms[0]
                else f"received patrol, {arm}"
            )
            rows[stage] = {unit: int(np.sum(got & (label == arm)))}
    for arm in arms:
        rows[f"in the analysis panel, {arm}"] = {unit: int(primary.counts[f"n_{arm}"])}
    rows["left out of the fit"] = {unit: int(primary.counts["n_obs"] - primary.counts["n_used"])}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("stage").astype("Int64")


def _effect_rows(effects: ArmEffects) -> pd.DataFrame:
    table = effects.table
    table = table[table["kind"] == "comparison"].rename_axis("comparison").reset_index()
    return table.assign(
        outcome=effects.parameters["outcome"],
        model=str(effects.parameters["model"]).split(" ")[0],
        n_obs=effects.counts["n_used"],
        adjustment=effects.parameters["p_adjust"],
    )


def _dose(
    panel: pd.DataFrame, column: str, columns: Sequence[str], delivered: str | None
) -> pd.DataFrame | None:
    """Mean, SD and share with any dose of each dose column, by assigned arm."""
    names = list(columns) + ([delivered] if delivered and delivered not in columns else [])
    if not names:
        return None
    require_columns(panel, [*names, column], name="panel")
    arm = panel[column].astype(str).to_numpy()
    values = panel[names].astype(float)
    table = pd.concat(
        {
            "mean": values.groupby(arm).mean().stack(),
            "sd": values.groupby(arm).std().stack(),
            "share_any": (values > 0).groupby(arm).mean().stack(),
        },
        axis=1,
    )
    table.index.names = ["arm", "dose"]
    return table
