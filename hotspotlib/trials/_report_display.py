"""How a trial report shows its tables to a reader: plain labels, rounded numbers, no blanks as NA.

The report's own tables (``flow``, ``effects``, ``dose``) keep their machine-friendly
columns for code; these helpers build the copies that are printed, written as Markdown
or shown as HTML.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

_DOSE_LABELS = {
    "n_visits": "visits",
    "patrol_minutes": "patrol minutes",
    "officer_minutes": "officer minutes",
    "delivered": "delivered",
}
_MODEL_LABELS = {"fixed_effects": "fixed effects", "poisson": "Poisson"}


def _number(value: object, digits: int) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    return f"{float(value):,.{digits}f}"  # type: ignore[arg-type]


def _p_value(value: object) -> str:
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return ""
    p = float(value)  # type: ignore[arg-type]
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def show_flow(flow: pd.DataFrame) -> pd.DataFrame:
    """Return the flow in whole numbers, blank where a count does not apply."""
    shown = flow.astype(object).where(flow.notna(), "")
    # Series.map, column by column: DataFrame.map needs pandas 2.1 (the floor is 2.0)
    shown = shown.apply(lambda column: column.map(lambda v: f"{int(v):,}" if v != "" else ""))
    return shown.rename(columns={"place_days": "place-days"})


def show_effects(effects: pd.DataFrame) -> pd.DataFrame:
    """Return one row per estimate: rate ratio with its 95% CI, % change and p, rounded."""
    low, high = effects["irr_ci_low"], effects["irr_ci_high"]
    interval = [
        f"{a:.2f} to {b:.2f}" if np.isfinite(a) and np.isfinite(b) else ""
        for a, b in zip(low.astype(float), high.astype(float), strict=True)
    ]
    change = effects["percent_change"].astype(float)
    shown = pd.DataFrame(
        {
            "model": effects["model"].map(lambda m: _MODEL_LABELS.get(str(m), str(m))),
            "observations": [_number(n, 0) for n in effects["n_obs"]],
            "rate ratio (IRR)": [_number(v, 2) for v in effects["irr"]],
            "95% CI": interval,
            "change": [f"{c:+.0f}%" if np.isfinite(c) else "" for c in change],
            "p-value": [_p_value(p) for p in effects["p_value"]],
        }
    )
    shown.index = pd.Index(effects["outcome"].astype(str), name="estimate")
    if "comparison" in effects.columns:  # a multi-arm trial: one row per comparison
        shown.index = pd.MultiIndex.from_arrays(
            [shown.index, effects["comparison"].astype(str)], names=["estimate", "comparison"]
        )
        shown["adjusted p"] = [_p_value(p) for p in effects["p_adjusted"]]
        shown["adjustment"] = effects["adjustment"].astype(str).to_numpy()
    return shown


def show_dose(dose: pd.DataFrame) -> pd.DataFrame:
    """Return dose by arm: mean and SD to one decimal, the share with any dose in %."""
    shown = pd.DataFrame(
        {
            "mean": [_number(v, 1) for v in dose["mean"]],
            "SD": [_number(v, 1) for v in dose["sd"]],
            "share with any": [f"{100 * v:.0f}%" for v in dose["share_any"]],
        },
        index=pd.MultiIndex.from_tuples(
            [(arm, _DOSE_LABELS.get(str(d), str(d))) for arm, d in dose.index],
            names=["arm", "dose"],
        ),
    )
    return shown
