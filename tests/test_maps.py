"""Maps a briefing can use: image tests of every kind of map, and the map furniture.

Each kind of map is drawn once, small, with fixed fonts and dpi, and compared with a
stored PNG in tests/images/ (``matplotlib.testing.compare.compare_images``, RMS
tolerance ``TOLERANCE``). After a deliberate change to the maps, regenerate the stored
images and look at every one before committing them:

    HOTSPOTLIB_REGEN_IMAGES=1 python -m pytest tests/test_maps.py -k image

No test touches the network: the basemap tile fetch is replaced by one that raises
(offline) or one that records the call.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import PowerNorm
from matplotlib.legend import Legend
from matplotlib.testing import set_font_settings_for_testing, set_reproducibility_for_testing
from matplotlib.testing.compare import compare_images
from shapely.geometry import box

import hotspotlib as hs
from hotspotlib import _map_furniture, _maps

IMAGES = Path(__file__).with_name("images")
TOLERANCE = 3.0
REGENERATE = os.environ.get("HOTSPOTLIB_REGEN_IMAGES") == "1"
# The matplotlib release the stored images were drawn with: other releases place text and
# anti-alias edges differently, so images are compared only under this one.
BASELINE_MATPLOTLIB = (IMAGES / "VERSION").read_text(encoding="utf-8").strip()


def _needs_mapclassify() -> None:
    pytest.importorskip("mapclassify", reason="classed maps need mapclassify (the plot extra)")


def _builders() -> Any:
    name = "_hotspotlib_result_builders"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("_results.py"))
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name].BUILDERS


BUILDERS = _builders()

# image name -> (result class, plot keyword arguments)
KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "counts_harm": ("EventCounts", {}),
    "counts_natural_breaks": ("EventCounts", {"column": "count", "scheme": "natural_breaks"}),
    "density": ("DensitySurface", {"north_arrow": True}),
    "density_quantiles": ("DensitySurface", {"scheme": "quantiles", "k": 4}),
    "density_ratio": ("SurfaceComparison", {}),
    "gi_star": ("GiStar", {}),
    "optimized": ("OptimizedHotspots", {}),
    "emerging": ("EmergingHotspots", {}),
    "local_moran": ("LocalMoran", {}),
    "segments": ("SegmentCounts", {"column": "harm_per_100m"}),
    "rates_std_mean": ("CrimeRates", {"scheme": "std_mean"}),
    "tiers": ("PlaceTiers", {}),
    "forecast": ("ForecastSurface", {"scheme": "equal_interval", "k": 3}),
    "prospective": ("ProspectiveHotspots", {}),
    "grid": ("Grid", {}),
    "city": ("SyntheticCity", {}),
    "pings": ("SimulatedPings", {}),
    "patrol_plan": ("PatrolPlan", {}),
}


@pytest.fixture
def stable_style() -> Iterator[None]:
    """Fixed fonts, hinting and metadata so a map renders the same on every run."""
    with mpl.rc_context():
        mpl.rcdefaults()
        set_font_settings_for_testing()
        set_reproducibility_for_testing()
        yield
    plt.close("all")


def _draw(name: str, **kwargs: Any) -> Any:
    # a fixed layout (not "constrained"), so every draw places the map the same way
    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=60)
    figure.subplots_adjust(left=0.03, right=0.6, bottom=0.07, top=0.9)
    result = BUILDERS[name]()
    assert result.plot(ax=axes, **kwargs) is axes
    return figure, axes


@pytest.mark.parametrize("image", sorted(KINDS))
def test_image(image: str, stable_style: None, tmp_path: Path) -> None:
    name, kwargs = KINDS[image]
    if "scheme" in kwargs:
        _needs_mapclassify()
    figure, _ = _draw(name, **kwargs)
    _compare(figure, image, tmp_path)


def _compare(figure: Any, image: str, tmp_path: Path) -> None:
    """Compare ``figure`` with the stored ``tests/images/{image}.png`` (or store it)."""
    actual = tmp_path / f"{image}.png"
    figure.savefig(actual, dpi=60)
    expected = IMAGES / f"{image}.png"
    if REGENERATE:
        IMAGES.mkdir(exist_ok=True)
        figure.savefig(expected, dpi=60)
        (IMAGES / "VERSION").write_text(f"{mpl.__version__}\n", encoding="utf-8")
    elif mpl.__version__ != BASELINE_MATPLOTLIB:
        pytest.skip(
            f"{image}.png was drawn with matplotlib {BASELINE_MATPLOTLIB}, "
            f"this is {mpl.__version__}: the map was drawn but not compared"
        )
    assert expected.exists(), f"no stored image {expected}: run with HOTSPOTLIB_REGEN_IMAGES=1"
    difference = compare_images(str(expected), str(actual), tol=TOLERANCE)
    assert difference is None, difference


def _texts(axes: Any) -> list[str]:
    return [text.get_text() for text in axes.texts]


def test_map_furniture(stable_style: None) -> None:
    """No metre ticks, a round scale bar, the CRS named, legend off the data, unit labels."""
    _needs_mapclassify()
    _, axes = _draw("EventCounts", scheme="quantiles")
    assert not axes.xaxis.get_visible() and not axes.yaxis.get_visible()
    gpd.GeoSeries([box(580_000, 180_000, 581_000, 181_000)], crs=27700).plot(ax=axes)
    axes.figure.canvas.draw()
    assert not axes.xaxis.get_visible()  # a layer drawn on top brings back no metre ticks
    assert "EPSG:27700 OSGB36 / British National Grid" in _texts(axes)
    bars = [a for a in axes.artists if type(a).__name__ == "AnchoredSizeBar"]
    assert len(bars) == 1
    label = bars[0].txt_label.get_children()[0].get_text()
    assert label in ("1 km", "2 km", "5 km", "500 m"), label
    legend = axes.get_legend()
    assert isinstance(legend, Legend)
    assert legend.get_bbox_to_anchor().x0 > axes.get_window_extent().x1 - 1  # off the map
    assert legend.get_title().get_text().startswith("harm (CCHI days) per cell")
    assert axes.get_title() == "Harm (CCHI days) per 500 m cell"


def test_colourbar_plain_numbers_and_sqrt_stretch(stable_style: None) -> None:
    figure, axes = _draw("DensitySurface")
    colourbar = figure.axes[-1]
    assert colourbar is not axes
    assert colourbar.get_ylabel() == "density, crimes per km²\n(blank: zero density)"
    figure.canvas.draw()
    assert colourbar.yaxis.get_offset_text().get_text() == ""  # no 1e6 offset
    labels = [tick.get_text() for tick in colourbar.get_yticklabels() if tick.get_text()]
    assert labels and all("e" not in text for text in labels), labels
    assert isinstance(axes.images[0].norm, PowerNorm) and axes.images[0].norm.gamma == 0.5
    _, linear = _draw("DensitySurface", stretch="linear")
    assert not isinstance(linear.images[0].norm, PowerNorm)


def test_harm_surface_label() -> None:
    city = BUILDERS["SyntheticCity"]()
    surface = hs.kde(city.events, grid=BUILDERS["Grid"](), bandwidth_m=600, weights="harm")
    figure = surface.plot().figure
    assert figure.axes[-1].get_ylabel().startswith("density, harm (CCHI days) per km²\n")
    plt.close(figure)


@pytest.mark.parametrize(
    ("length_m", "expected"), [(1.0, 1.0), (7.3, 5.0), (19_999.0, 10_000.0), (250.0, 200.0)]
)
def test_scale_bar_lengths_are_round(length_m: float, expected: float) -> None:
    assert _map_furniture.nice_length(length_m) == expected


def test_scale_bar_in_feet() -> None:
    """A CRS in US survey feet gets a bar whose label is in metres, sized in feet."""
    frame = gpd.GeoDataFrame(geometry=[box(0, 0, 32_808.3, 32_808.3)], crs="EPSG:2227")
    axes = plt.subplots()[1]
    frame.plot(ax=axes)
    _maps.finish_map(axes, frame.crs, title="feet", style=_maps.map_style())
    bar = next(a for a in axes.artists if type(a).__name__ == "AnchoredSizeBar")
    assert bar.txt_label.get_children()[0].get_text() == "2 km"
    plt.close("all")


def test_classes_match_mapclassify() -> None:
    mapclassify = pytest.importorskip("mapclassify")

    values = np.random.default_rng(3).gamma(0.6, 5.0, 400)
    for scheme, reference in [
        ("quantiles", mapclassify.Quantiles(values, k=5)),
        ("equal_interval", mapclassify.EqualInterval(values, k=5)),
        ("natural_breaks", mapclassify.FisherJenks(values, k=5)),
        ("std_mean", mapclassify.StdMean(values)),
    ]:
        classes, labels, _ = _maps.classify(values, scheme, 5)
        np.testing.assert_array_equal(classes, reference.yb, err_msg=scheme)
        assert len(labels) == len(reference.bins)


def test_natural_breaks_on_many_values_samples_and_says_so() -> None:
    _needs_mapclassify()
    values = np.random.default_rng(1).exponential(3.0, _maps.SAMPLE_LIMIT * 4)
    classes, labels, text = _maps.classify(values, "natural_breaks", 4)
    assert "random sample, 5,000 of 20,000 values" in text
    assert len(labels) == 4 and set(np.unique(classes)) <= {0, 1, 2, 3}


def test_missing_values_are_drawn_grey_not_dropped() -> None:
    _needs_mapclassify()
    classes, labels, _ = _maps.classify(np.array([1.0, np.nan, 3.0, 5.0]), "equal_interval", 2)
    assert classes.tolist() == [0, -1, 0, 1] and len(labels) == 2  # classes are right-closed


def test_missing_mapclassify_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "mapclassify", None)
    with pytest.raises(ImportError, match=r"hotspotlib\[plot\]"):
        BUILDERS["EventCounts"]().plot(scheme="quantiles")
    plt.close("all")


def _offline(*args: Any, **kwargs: Any) -> None:
    raise ConnectionError("no network on this machine")


def test_basemap_offline_warns_and_notes(monkeypatch: pytest.MonkeyPatch) -> None:
    contextily = pytest.importorskip("contextily", reason="basemaps need contextily")

    monkeypatch.setattr(contextily, "add_basemap", _offline)
    with pytest.warns(UserWarning, match="basemap tiles could not be fetched"):
        axes = BUILDERS["GiStar"]().plot(basemap=True)
    assert "No basemap: map tiles could not be fetched" in _texts(axes)
    plt.close("all")


def test_basemap_is_drawn_in_the_results_crs(monkeypatch: pytest.MonkeyPatch) -> None:
    contextily = pytest.importorskip("contextily", reason="basemaps need contextily")

    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(contextily, "add_basemap", lambda axes, **kw: calls.append(kw))
    axes = BUILDERS["EventCounts"]().plot(basemap=True)
    assert len(calls) == 1 and calls[0]["crs"].to_epsg() == 27700
    assert "No basemap: map tiles could not be fetched" not in _texts(axes)
    assert all(c.get_alpha() == 0.75 for c in axes.collections)  # tiles show through
    plt.close("all")


def test_gi_bins_use_the_arcgis_palette(stable_style: None) -> None:
    from matplotlib.colors import to_hex

    _, axes = _draw("GiStar")
    colours = {to_hex(c) for c in axes.collections[0].get_facecolor()}
    assert colours <= set(_maps.HOTSPOT_BIN_COLOURS.values())
    assert {"#d62f27", "#e3e3e3"} <= colours
    legend = [text.get_text() for text in axes.get_legend().get_texts()]
    assert legend[0] == "hot 99%" and legend[-1] == "not significant"


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("EventCounts", {"scheme": "quantiles"}),
        ("DensitySurface", {"scheme": "natural_breaks", "k": 3}),
        ("GiStar", {}),
        ("SegmentCounts", {"column": "harm"}),
        ("PlaceTiers", {}),
    ],
)
def test_explore_shows_the_figures_and_classes(name: str, kwargs: dict[str, Any]) -> None:
    folium = pytest.importorskip("folium", reason=".explore() needs folium (the explore extra)")
    _needs_mapclassify()

    layer = BUILDERS[name]().explore(tiles=None, **kwargs)
    assert isinstance(layer, folium.Map)
    html = layer.get_root().render()
    assert "bindPopup" in html  # each feature's figures in a popup
    if name == "GiStar":
        assert "#d62f27" in html and "hot 99%" in html
    if name == "EventCounts":
        assert "quantiles" in html


def test_explore_without_geometry_is_an_error() -> None:
    tiers = hs.assign_tiers(
        hs.rank_places([5.0, 3.0, 1.0, 0.0], uncertainty="none"), rule="top_k", k=[1]
    )
    with pytest.raises(ValueError, match="needs places with geometry"):
        tiers.explore()


def test_zero_density_is_blank_and_out_of_the_classes() -> None:
    _needs_mapclassify()
    surface = BUILDERS["DensitySurface"]()
    zero = np.asarray(surface.values) == 0
    assert zero.any()
    axes = surface.plot()
    shown = np.ma.masked_invalid(axes.images[0].get_array())
    np.testing.assert_array_equal(np.ma.getmaskarray(shown), zero | ~np.isfinite(surface.values))
    classed = surface.plot(scheme="quantiles", k=4)
    rgba = np.asarray(classed.images[0].get_array())
    assert (rgba[zero][:, 3] == 0).all() and (
        rgba[~zero & np.isfinite(surface.values)][:, 3] > 0
    ).all()
    plt.close("all")


def test_own_figure_fits_the_area() -> None:
    """A tall area gets a narrow figure, a wide one a wide figure; a given Axes is kept."""
    tall = gpd.GeoDataFrame(
        {"count": [1, 2]}, geometry=[box(0, 0, 1e3, 4e3), box(0, 4e3, 1e3, 8e3)]
    )
    wide = tall.set_geometry(tall.geometry.scale(8, 0.125, origin=(0, 0)))
    widths = []
    for frame in (tall.set_crs(27700), wide.set_crs(27700)):
        axes = _maps.map_axes(None)
        style = _maps.map_style()
        _maps.draw_choropleth(axes, frame, frame["count"], label="crimes", style=style)
        _maps.finish_map(axes, frame.crs, title="t", style=style)
        widths.append(axes.figure.get_size_inches()[0])
    assert widths[0] < 6 < widths[1]
    plt.close("all")


def test_patrol_plan_map(stable_style: None) -> None:
    """Each officer's route runs through the centroids in visiting order, on a finished map."""
    plan = BUILDERS["PatrolPlan"]()
    _, axes = _draw("PatrolPlan")
    assert not axes.xaxis.get_visible() and not axes.yaxis.get_visible()  # no metre ticks
    assert "EPSG:27700 OSGB36 / British National Grid" in _texts(axes)
    assert len([a for a in axes.artists if type(a).__name__ == "AnchoredSizeBar"]) == 1
    assert axes.get_title() == "Patrol routes, 2024-06-01 14:00 to 22:00"
    legend = axes.get_legend()
    assert legend.get_title().get_text() == "officer: visits, patrol minutes"
    assert [text.get_text() for text in legend.get_texts()][-1] == "first visit"
    schedule = plan.schedule
    routes = [line for line in axes.lines if not line.get_label().startswith("_")]
    starts = [line for line in axes.lines if line.get_marker() == "s"]
    officers = schedule.groupby("officer_id")
    for line, start, (officer, rows) in zip(routes, starts, officers, strict=True):
        stops = plan.centroids.loc[rows.sort_values("order")["hotspot_id"]]
        np.testing.assert_allclose(line.get_xydata(), np.column_stack([stops.x, stops.y]))
        np.testing.assert_allclose(start.get_xydata(), line.get_xydata()[:1])
        assert line.get_label() == f"{officer}: {len(rows)} visits, {rows['minutes'].sum():.0f} min"
    place_labels = sorted(text for text in _texts(axes) if text.isdigit())
    assert place_labels == sorted(str(place) for place in schedule["hotspot_id"].unique())


def test_image_command_line_map(stable_style: None, tmp_path: Path) -> None:
    """The command line's map: the counts' own map, the top places outlined and numbered."""
    from hotspotlib.cli import hotspots as command

    counts = BUILDERS["EventCounts"]()
    table = command._briefing_table(hs.select_places(counts, n=6))
    figure, axes = plt.subplots(figsize=(6.4, 4.0), dpi=60)
    figure.subplots_adjust(left=0.03, right=0.6, bottom=0.07, top=0.85)
    assert command._map(counts, table, harm=True, cell_size_m=500, ax=axes) is figure
    numbers = [text.get_text() for text in axes.texts if text.get_text().isdigit()]
    assert numbers == [str(n) for n in range(1, 7)]
    assert axes.get_title().startswith("Top 6 places by harm, 500 m cells")
    assert figure.axes[-1].get_ylabel() == "harm (CCHI days) per cell"  # the counts' colour bar
    drawn = sum(len(c.get_paths()) for c in axes.collections[:1])
    assert drawn == int((counts.count > 0).sum())  # cells without crime are left blank
    _compare(figure, "cli_hotspots", tmp_path)


@pytest.mark.parametrize("cell_m", [150.0, 5_000.0])  # a few points across; a third of the map
def test_place_outlines_stay_outside_the_places(stable_style: None, cell_m: float) -> None:
    """A listed cell keeps its colour: its outline (and the white under it) lies outside it."""
    figure, axes = plt.subplots(figsize=(6.0, 6.0), dpi=150)
    axes.set_xlim(0, 30_000)  # a force-wide map
    axes.set_ylim(0, 30_000)
    axes.set_aspect("equal")
    cells = gpd.GeoDataFrame(
        geometry=[box(10_000, 10_000, 10_000 + cell_m, 10_000 + cell_m)], crs=27700
    )
    _map_furniture.outline_places(axes, cells, [1])
    assert axes.get_xlim() == (0, 30_000) and axes.get_ylim() == (0, 30_000)
    halo, line = axes.collections[-2:]
    assert halo.get_edgecolor()[0].tolist() == [1.0, 1.0, 1.0, 1.0]
    points_per_metre = (
        72.0
        * (axes.transData.transform((1.0, 0.0)) - axes.transData.transform((0.0, 0.0)))[0]
        / 150.0
    )
    cell = cells.geometry.iloc[0]
    for collection in (halo, line):
        vertices = np.vstack([path.vertices for path in collection.get_paths()])
        gap_pt = gpd.GeoSeries.from_xy(*vertices.T).distance(cell).to_numpy() * points_per_metre
        half_width = collection.get_linewidth()[0] / 2
        assert gap_pt.min() - half_width > 0.5, (gap_pt.min(), half_width)  # never inside
        assert gap_pt.max() < 2 * 1.6  # close around it, at any scale
    plt.close(figure)
