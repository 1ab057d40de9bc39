"""The maps of a patrol plan: each officer's route between the places, in visiting order.

:func:`plan_routes` gives what both maps show (the stops in order, each officer's
visits, minutes, legend entry and colour); :func:`plot_plan` draws the static map and
:mod:`hotspotlib.dose._plan_explore` the interactive one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib._maps import MapStyle
    from hotspotlib.dose.planning import PatrolPlan

__all__ = ["LEGEND_TITLE", "plan_routes", "plot_plan"]

LEGEND_TITLE = "officer: visits, patrol minutes"


def plan_routes(plan: PatrolPlan) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the plan's visits in route order and one row per officer, in legend order.

    The visits are the schedule sorted by ``order`` (stably, so each officer's rows are
    in visiting order). The officers, indexed by ``officer_id`` in the order their first
    visits come, have ``n_visits``, ``patrol_minutes``, ``label`` (the legend entry) and
    ``colour`` (hex).
    """
    from hotspotlib._result_maps import route_colours

    stops = plan.schedule.sort_values("order", kind="stable")
    officers = stops.groupby("officer_id", sort=False)["minutes"].agg(
        n_visits="size", patrol_minutes="sum"
    )
    officers["label"] = [
        f"{officer}: {n:,} visits, {total:,.0f} min" for officer, n, total in officers.itertuples()
    ]
    officers["colour"] = route_colours(len(officers))
    return stops, officers


def plot_plan(plan: PatrolPlan, ax: Axes | None, style: MapStyle, **kwargs: Any) -> Axes:
    """Draw :meth:`PatrolPlan.plot`: routes, place ids, officers' visits and minutes."""
    from hotspotlib._result_maps import route_map

    stops, officers = plan_routes(plan)
    places = stops[plan.parameters["place_column"]]
    start, end = (pd.Timestamp(plan.parameters[f"shift_{e}"]) for e in ("start", "end"))
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return route_map(
        plan.centroids.loc[places.to_numpy()],
        stops["officer_id"].to_numpy(),
        route_labels=officers["label"].to_dict(),
        stop_labels=places.astype(str).to_numpy(),
        legend_title=LEGEND_TITLE,
        title=f"Patrol routes, {start:%Y-%m-%d %H:%M} to {until}",
        style=style,
        ax=ax,
        **kwargs,
    )
