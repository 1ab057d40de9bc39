"""The interactive map of a patrol plan: each officer's route, the places as markers."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import shapely

from hotspotlib.dose._plan_map import LEGEND_TITLE, plan_routes

if TYPE_CHECKING:
    import pandas as pd

    from hotspotlib.dose.planning import PatrolPlan

__all__ = ["explore_plan"]

ROUTE_FIELDS = ["officer_id", "n_visits", "patrol_minutes"]
PLACE_FIELDS = ["n_visits", "officers", "first_arrival", "patrol_minutes"]


def explore_plan(plan: PatrolPlan, *, tiles: Any, **kwargs: Any) -> Any:
    """Draw :meth:`PatrolPlan.explore`: the places first (``kwargs`` go there), then the routes."""
    from hotspotlib._explore import _require_folium

    _require_folium()
    import folium

    stops, officers = plan_routes(plan)
    column = plan.parameters["place_column"]
    places = _places(plan, stops, column)
    kwargs.setdefault("tooltip", [column, *PLACE_FIELDS])
    kwargs.setdefault("popup", True)
    kwargs.setdefault("name", "places")
    kwargs.setdefault("marker_kwds", {"radius": 5})
    kwargs.setdefault(
        "style_kwds", {"color": "#333333", "weight": 1, "fillColor": "#ffffff", "fillOpacity": 0.9}
    )
    m = places.explore(tiles=tiles, **kwargs)  # fits the view to every place
    layer = [child for child in m._children.values() if isinstance(child, folium.GeoJson)][-1]
    routes = _routes(plan, stops, officers, column)
    labels, colours = officers["label"].tolist(), officers["colour"].tolist()
    for number, (label, colour) in enumerate(zip(labels, colours, strict=True)):
        swatch = f'<span style="color:{colour}">&#9644;</span> '
        routes.iloc[[number]].explore(
            m=m,
            column="label",
            categories=labels,
            cmap=colours,
            legend=number == 0,
            legend_kwds={"caption": LEGEND_TITLE},
            tooltip=ROUTE_FIELDS,
            style_kwds={"weight": 3, "opacity": 0.85},
            marker_kwds={"radius": 6},
            name=swatch + html.escape(label),
        )
    m.keep_in_front(layer)  # the places' tooltips above the lines
    if not any(isinstance(child, folium.LayerControl) for child in m._children.values()):
        folium.LayerControl(collapsed=False).add_to(m)
    return m


def _places(plan: PatrolPlan, stops: pd.DataFrame, column: str) -> gpd.GeoDataFrame:
    """One row per place visited: visits, officers (in order of arrival), first arrival, minutes."""
    by_time = stops.sort_values("arrival", kind="stable")
    places = by_time.groupby(column, sort=False).agg(
        n_visits=("minutes", "size"),
        first_arrival=("arrival", "min"),
        patrol_minutes=("minutes", "sum"),
    )
    who = by_time.drop_duplicates([column, "officer_id"])
    places["officers"] = (
        who["officer_id"].astype(str).groupby(who[column], sort=False).agg(", ".join)
    )
    places["first_arrival"] = places["first_arrival"].dt.strftime("%Y-%m-%d %H:%M")
    frame = places.rename_axis(column).reset_index()[[column, *PLACE_FIELDS]]
    return gpd.GeoDataFrame(
        frame, geometry=plan.centroids.loc[places.index].to_numpy(), crs=plan.centroids.crs
    )


def _routes(
    plan: PatrolPlan, stops: pd.DataFrame, officers: pd.DataFrame, column: str
) -> gpd.GeoDataFrame:
    """One line per officer through their places' centroids in visiting order.

    An officer with one visit gets a point: a line needs two.
    """
    xy = shapely.get_coordinates(plan.centroids.loc[stops[column].to_numpy()].to_numpy())
    keys = stops["officer_id"].to_numpy()
    shapes = []
    for officer in officers.index:  # officers: a few to tens
        route = xy[keys == officer]
        shapes.append(shapely.linestrings(route) if len(route) > 1 else shapely.points(route[0]))
    frame = officers.rename_axis("officer_id").reset_index()[[*ROUTE_FIELDS, "label"]]
    return gpd.GeoDataFrame(
        frame, geometry=np.asarray(shapes, dtype=object), crs=plan.centroids.crs
    )
