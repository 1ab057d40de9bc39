"""The map of a patrol plan: each officer's route between the places, in visiting order."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib._maps import MapStyle
    from hotspotlib.dose.planning import PatrolPlan

__all__ = ["plot_plan"]


def plot_plan(plan: PatrolPlan, ax: Axes | None, style: MapStyle, **kwargs: Any) -> Axes:
    """Draw :meth:`PatrolPlan.plot`: routes, place ids, officers' visits and minutes."""
    from hotspotlib._result_maps import route_map

    schedule = plan.schedule.sort_values("order", kind="stable")  # each route in order
    places = schedule[plan.parameters["place_column"]]
    minutes = schedule.groupby("officer_id", sort=False)["minutes"].agg(["size", "sum"])
    labels = {
        officer: f"{officer}: {n:,} visits, {total:,.0f} min"
        for officer, n, total in minutes.itertuples()
    }
    start, end = (pd.Timestamp(plan.parameters[f"shift_{e}"]) for e in ("start", "end"))
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return route_map(
        plan.centroids.loc[places.to_numpy()],
        schedule["officer_id"].to_numpy(),
        route_labels=labels,
        stop_labels=places.astype(str).to_numpy(),
        legend_title="officer: visits, patrol minutes",
        title=f"Patrol routes, {start:%Y-%m-%d %H:%M} to {until}",
        style=style,
        ax=ax,
        **kwargs,
    )
