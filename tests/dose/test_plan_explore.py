"""``PatrolPlan.explore()``: each officer's route in visiting order, the places and their figures.

The map is read back from the folium objects (the GeoJSON each layer holds).
"""

from __future__ import annotations

import sys
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from geopandas.testing import assert_geoseries_equal
from matplotlib.colors import to_hex

import hotspotlib as hs

folium = pytest.importorskip("folium", reason=".explore() needs folium (the explore extra)")

SHIFT = {"shift_start": "2024-06-01 14:00", "shift_end": "2024-06-01 22:00"}
PLACE_FIELDS = ["hotspot_id", "n_visits", "officers", "first_arrival", "patrol_minutes"]


def _layers(m: Any) -> tuple[Any, list[Any]]:
    """The places layer and the route layers, in the order they were drawn."""
    layers = [child for child in m._children.values() if isinstance(child, folium.GeoJson)]
    return layers[0], layers[1:]


def _tooltip_fields(layer: Any) -> list[str]:
    (tooltip,) = [c for c in layer._children.values() if isinstance(c, folium.GeoJsonTooltip)]
    return list(tooltip.fields)


def _lonlat(plan: hs.PatrolPlan, places: Any) -> np.ndarray:
    points = plan.centroids.to_crs(4326).loc[list(places)]
    return np.column_stack([points.x, points.y])


@pytest.fixture(scope="module")
def plan(city: hs.SyntheticCity) -> hs.PatrolPlan:
    return hs.plan_patrols(
        city.hotspots, officers=["PC Ali", "PC Brown", "PC Cole"], visits_per_place=2,
        walking_speed_kmh=20, rng=4, **SHIFT,
    )  # fmt: skip


def test_one_route_per_officer_in_visiting_order_in_the_static_colours(plan):
    schedule, centroids = plan.schedule.copy(), plan.centroids.copy()
    m = plan.explore(tiles=None)
    assert isinstance(m, folium.Map)
    pd.testing.assert_frame_equal(plan.schedule, schedule)
    assert_geoseries_equal(plan.centroids, centroids)

    axes = plan.plot()
    static = {line.get_label(): to_hex(line.get_color()) for line in axes.get_legend().get_lines()}
    plt.close("all")
    assert static.pop("first visit")
    _, routes = _layers(m)
    officers = list(dict.fromkeys(schedule["officer_id"]))
    assert len(routes) == len(officers) == 3
    for layer, officer in zip(routes, officers, strict=True):
        rows = schedule[schedule["officer_id"] == officer].sort_values("order")
        label = f"{officer}: {len(rows)} visits, {rows['minutes'].sum():.0f} min"
        (feature,) = layer.data["features"]
        assert feature["geometry"]["type"] == "LineString"
        vertices = np.asarray(feature["geometry"]["coordinates"])
        assert len(vertices) == len(rows) == 2 * rows["hotspot_id"].nunique()
        np.testing.assert_allclose(vertices, _lonlat(plan, rows["hotspot_id"]))
        properties = feature["properties"]
        assert properties["officer_id"] == officer and properties["n_visits"] == len(rows)
        assert properties["patrol_minutes"] == pytest.approx(rows["minutes"].sum())
        assert properties["__folium_color"] == static[label]  # the colour of .plot()
        assert label in layer.layer_name  # the layer control names the officer
        assert _tooltip_fields(layer) == ["officer_id", "n_visits", "patrol_minutes"]
    assert sum(isinstance(c, folium.LayerControl) for c in m._children.values()) == 1
    html = m.get_root().render()
    assert "officer: visits, patrol minutes" in html  # the legend
    assert all(colour in html for colour in static.values())


def test_place_tooltips_hold_visits_officers_first_arrival_and_minutes(plan):
    schedule = plan.schedule
    places, _ = _layers(plan.explore(tiles=None))
    assert places.layer_name == "places"
    assert _tooltip_fields(places) == PLACE_FIELDS
    features = places.data["features"]
    assert len(features) == schedule["hotspot_id"].nunique() == 20
    for feature in features:
        shown = feature["properties"]
        rows = schedule[schedule["hotspot_id"] == shown["hotspot_id"]].sort_values("arrival")
        assert shown["n_visits"] == len(rows) == 2
        assert shown["officers"] == ", ".join(dict.fromkeys(rows["officer_id"]))
        assert shown["first_arrival"] == f"{rows['arrival'].min():%Y-%m-%d %H:%M}"
        assert shown["patrol_minutes"] == pytest.approx(rows["minutes"].sum())
        np.testing.assert_allclose(
            feature["geometry"]["coordinates"], _lonlat(plan, [shown["hotspot_id"]])[0]
        )
    assert "bringToFront" in plan.explore(tiles=None).get_root().render()  # markers on top


def test_an_officer_with_one_visit_is_a_point(city):
    plan = hs.plan_patrols(city.hotspots.iloc[:4], officers=3, rng=0, **SHIFT)
    _, routes = _layers(plan.explore(tiles=None))
    shapes = [layer.data["features"][0]["geometry"]["type"] for layer in routes]
    visits = plan.schedule.groupby("officer_id", sort=False).size()
    assert shapes == ["LineString" if n > 1 else "Point" for n in visits]
    assert "Point" in shapes


def test_keywords_style_the_places_and_an_existing_map_is_drawn_on(plan):
    base = folium.Map(tiles=None)
    m = plan.explore(m=base, name="hot spots", tooltip=["hotspot_id"])
    assert m is base
    places, routes = _layers(m)
    assert places.layer_name == "hot spots" and _tooltip_fields(places) == ["hotspot_id"]
    assert len(routes) == 3
    plan.explore(m=base)  # a second plan on the same map: still one layer control
    assert sum(isinstance(c, folium.LayerControl) for c in base._children.values()) == 1


def test_without_folium_the_error_says_how_to_install_it(plan, monkeypatch):
    monkeypatch.setitem(sys.modules, "folium", None)
    with pytest.raises(ImportError, match=r"needs folium.*pip install 'hotspotlib\[explore\]'"):
        plan.explore()
