import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

import hotspotlib as hs


def _events(xy, crs=27700, **columns):
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    return gpd.GeoDataFrame(columns, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=crs)


@pytest.fixture(scope="module")
def surface(city):
    return hs.kde(city.events, area=city.boundary, cell_size_m=100, bandwidth_m=300, weights="harm")


def test_to_frame_on_a_grid_keeps_the_grid_index(city):
    grid = hs.make_grid(city.boundary, cell_size_m=250)
    surface = hs.kde(city.events, grid=grid, bandwidth_m=600)
    frame = surface.to_frame()
    # The contract other packages rely on.
    assert frame.index.equals(grid.cells.index)
    assert frame.crs.equals(city.crs)
    np.testing.assert_array_equal(frame["density"].to_numpy(), surface.cell_values())
    assert {"density", "n_events", "area_share", "geometry"} <= set(frame.columns)
    counts = hs.count_events(city.events, grid)
    np.testing.assert_array_equal(frame["n_events"].to_numpy(), counts.count)
    assert surface.cell_size_rule == "grid"


def test_raster_cells_match_make_grid_ids(city, surface):
    frame = surface.to_frame()
    grid = hs.make_grid(city.boundary, cell_size_m=100)
    assert frame.index.isin(grid.cells.index).all()
    assert len(frame) == surface.n_cells
    centres = frame.geometry.centroid
    assert city.boundary.geometry.to_numpy()[0].contains(centres).all()
    on_grid = hs.kde(city.events, grid=grid, bandwidth_m=300, weights="harm")
    shared = on_grid.to_frame().loc[frame.index, "density"]
    np.testing.assert_allclose(shared.to_numpy(), frame["density"].to_numpy(), rtol=1e-9)
    np.testing.assert_allclose(
        surface.values_for(grid)[grid.cells.index.isin(frame.index)],
        frame["density"].to_numpy(),
    )


def test_values_for_rejects_other_lattices(city, surface):
    with pytest.raises(ValueError, match="lattice"):
        surface.values_for(hs.make_grid(city.boundary, cell_size_m=150))
    with pytest.raises(ValueError, match="lattice"):
        surface.values_for(hs.make_grid(city.boundary, cell_size_m=100, cell_shape="hex"))
    with pytest.raises(TypeError, match="Grid"):
        surface.values_for(city.boundary)


def test_sample_reads_the_cell_under_each_point(surface):
    frame = surface.to_frame().iloc[[0, 10, 200]]
    points = gpd.GeoDataFrame(geometry=frame.geometry.centroid, crs=surface.crs)
    np.testing.assert_array_equal(surface.sample(points), frame["density"].to_numpy())
    far = _events([[0.0, 0.0]])
    assert np.isnan(surface.sample(far)[0])
    with pytest.raises(ValueError, match="share one CRS"):
        surface.sample(points.to_crs(32630))


def test_select_places_on_a_surface_ranks_by_density(surface):
    # the order top_cells gave: density, highest first, ties by cell id (independent sort)
    frame = surface.to_frame()
    density = frame["density"].to_numpy()
    expected = frame.index.to_numpy()[np.lexsort((frame.index.to_numpy(), -density))][:10]
    top = hs.select_places(surface, n=10)
    np.testing.assert_array_equal(top.index.to_numpy(), expected)
    assert top["rank"].tolist() == list(range(1, 11))
    assert top["density"].iloc[0] == surface.peak
    np.testing.assert_allclose(
        top["cumulative_share"],
        np.cumsum(density[frame.index.get_indexer(expected)]) / density.sum(),
    )
    by_share = hs.select_places(surface, share=0.01)
    assert len(by_share) == int(np.ceil(0.01 * surface.n_cells))
    assert by_share.index.tolist() == hs.select_places(surface, n=len(by_share)).index.tolist()
    for bad in ({"share": 0.1, "n": 3}, {}, {"share": 1.5}, {"share": 0}, {"n": 0}):
        with pytest.raises(ValueError, match="`n`|`share`"):
            hs.select_places(surface, **bad)


def test_select_places_surface_ties_are_deterministic():
    events = _events([[50.0, 50.0], [250.0, 50.0]])
    surface = hs.kde(events, bandwidth_m=60, cell_size_m=100, method="exact")
    top = hs.select_places(surface, n=2)
    assert top.index.tolist() == sorted(top.index.tolist())
    assert top["density"].iloc[0] == top["density"].iloc[1]


def test_hotspot_polygons_dissolve_contiguous_cells():
    rng = np.random.default_rng(0)
    west = rng.normal([1_000, 1_000], 30, size=(200, 2))
    east = rng.normal([3_000, 1_000], 30, size=(100, 2))
    noise = rng.uniform(0, 4_000, size=(20, 2))
    events = _events(np.vstack([west, east, noise]), harm=np.r_[np.ones(200), 10 * np.ones(120)])
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 4_000, 2_000)], crs=27700)
    surface = hs.kde(events, area=area, cell_size_m=25, bandwidth_m=150, weights="harm")
    spots = surface.hotspot_polygons(0.05 * surface.peak)
    assert len(spots) == 2
    assert spots.index.name == "hotspot_id" and spots.index[0] == 1
    assert spots["peak_density"].is_monotonic_decreasing
    first, second = spots.iloc[0], spots.iloc[1]
    assert first.geometry.contains(gpd.points_from_xy([3_000], [1_000])[0])  # 100 x 10 harm
    assert second.geometry.contains(gpd.points_from_xy([1_000], [1_000])[0])
    assert spots["event_share"].sum() <= 1.0
    assert first["n_events"] >= 90 and second["n_events"] >= 180
    assert spots["weight_share"].iloc[0] > spots["weight_share"].iloc[1]
    np.testing.assert_allclose(spots["area_km2"], spots.area / 1e6)
    # The same tallies from the events passed again.
    again = surface.hotspot_polygons(0.05 * surface.peak, events=events, weights="harm")
    np.testing.assert_array_equal(again["n_events"], spots["n_events"])
    np.testing.assert_allclose(again["weight_share"], spots["weight_share"])


def test_hotspot_polygons_by_share_and_errors(surface):
    spots = surface.hotspot_polygons(share=0.02)
    assert spots["n_cells"].sum() == int(np.ceil(0.02 * surface.n_cells))
    assert {"weight_sum", "weight_share"} <= set(spots.columns)
    none = surface.hotspot_polygons(surface.peak * 2)
    assert len(none) == 0 and "event_share" in none.columns
    with pytest.raises(ValueError, match="exactly one"):
        surface.hotspot_polygons()
    with pytest.raises(ValueError, match="exactly one"):
        surface.hotspot_polygons(1.0, share=0.1)
    with pytest.raises(ValueError, match="events"):
        surface.hotspot_polygons(1.0, weights="harm")


@pytest.mark.parametrize("method", ["exact", "fft"])
def test_hex_grid_surface(city, method):
    grid = hs.make_grid(city.boundary, cell_size_m=300, cell_shape="hex")
    surface = hs.kde(city.events, grid=grid, bandwidth_m=700, method=method, units="per_cell")
    frame = surface.to_frame()
    assert frame.index.equals(grid.cells.index)
    assert surface.cell_shape == "hex"
    assert surface.cell_area_m2 == pytest.approx(grid.cell_area_m2)
    if method == "fft":
        reference = hs.kde(
            city.events, grid=grid, bandwidth_m=700, method="exact", units="per_cell"
        )
        error = np.abs(frame["density"] - reference.to_frame()["density"]).max()
        assert error <= 1e-3 * reference.peak
    centres = gpd.GeoDataFrame(geometry=grid.cells.centroid.iloc[:5], crs=grid.crs)
    np.testing.assert_allclose(surface.sample(centres), frame["density"].iloc[:5])
    assert len(hs.select_places(surface, n=3)) == 3
    assert len(surface.hotspot_polygons(share=0.05)) >= 1
    with pytest.raises(ValueError, match="square"):
        surface.to_xarray()
    with pytest.raises(ValueError, match="square"):
        surface.to_geotiff("unused.tif")


def test_to_xarray(surface):
    xr = pytest.importorskip("xarray")
    array = surface.to_xarray()
    assert isinstance(array, xr.DataArray) and array.shape == surface.raster_shape


def test_to_geotiff(surface, tmp_path):
    rasterio = pytest.importorskip("rasterio")
    path = tmp_path / "kde.tif"
    surface.to_geotiff(path)
    with rasterio.open(path) as dataset:
        np.testing.assert_allclose(dataset.read(1)[::-1], surface.values, equal_nan=True)


def test_optional_exports_name_the_extra(surface, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def refuse(name, *args, **kwargs):
        if name.split(".")[0] in ("xarray", "rasterio"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", refuse)
    with pytest.raises(ImportError, match="hotspotlib\\[raster\\]"):
        surface.to_xarray()
    with pytest.raises(ImportError, match="rasterio"):
        surface.to_geotiff(tmp_path / "x.tif")


def test_summary_and_plot(surface):
    text = str(surface.summary())
    for word in ("quartic", "bandwidth_m", "cell_size_m", "per km²", "harm", "search radius"):
        assert word in text
    ax = surface.plot()
    assert ax.get_title().startswith("Kernel density")
    assert surface.summary().to_markdown().startswith("### Kernel density surface")


def test_frozen(surface):
    with pytest.raises(AttributeError):
        surface.bandwidth_m = 1.0


def _edge_components(cells, cell_size_m):
    """Reference: hot spots as components of cells whose centres are one cell apart."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    centres = np.column_stack([cells.centroid.x, cells.centroid.y])
    pairs = cKDTree(centres).query_pairs(1.01 * cell_size_m, output_type="ndarray")
    n = len(cells)
    links = sparse.coo_array((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    return connected_components(links, directed=False)[0]


@pytest.mark.parametrize(("shape", "cell_size_m"), [("hex", 100.0), ("square", 33.3)])
def test_hotspot_polygons_are_the_edge_connected_components(shape, cell_size_m):
    # British National Grid coordinates: cell corners computed from neighbouring centres
    # differ in the last digit, which used to split one hot spot into many polygons
    # (72 polygons for 25 hot spots on 100 m hexagons, 831 on 33.3 m squares).
    city = hs.synthetic_city(n_events=3_000, rng=2)
    if shape == "hex":
        grid = hs.make_grid(city.boundary, cell_size_m=cell_size_m, cell_shape="hex")
        surface = hs.kde(city.events, grid=grid, bandwidth_m=300)
    else:
        surface = hs.kde(city.events, area=city.boundary, cell_size_m=cell_size_m, bandwidth_m=300)
    top = hs.select_places(surface, share=0.05, smoothing_only=True)  # hot = dense
    spots = surface.hotspot_polygons(share=0.05)
    assert len(spots) == _edge_components(top, cell_size_m) == 25
    assert spots["n_cells"].sum() == len(top)
    assert set(spots.geom_type) == {"Polygon"}
    np.testing.assert_allclose(spots.area, spots["n_cells"] * surface.cell_area_m2, rtol=1e-6)
    # each hot cell's centre lies in exactly one polygon, that of a region of its size
    inside = gpd.sjoin(
        gpd.GeoDataFrame(geometry=top.centroid, crs=top.crs), spots, predicate="within"
    ).rename(columns={"index_right": "hotspot_id"})  # geopandas < 1.0
    assert len(inside) == len(top)
    np.testing.assert_array_equal(inside.groupby("hotspot_id").size(), spots["n_cells"])


def test_hotspot_polygons_keep_corner_neighbours_apart():
    # Two hot blocks touching only at a corner: 4-connectivity keeps them apart.
    events = _events([[50, 50]] * 5 + [[150, 150]] * 5)
    area = gpd.GeoDataFrame(geometry=[box(0, 0, 200, 200)], crs=27700)
    surface = hs.kde(events, area=area, cell_size_m=100, bandwidth_m=60, kernel="quartic")
    spots = surface.hotspot_polygons(0.5 * surface.peak)
    assert len(spots) == 2 and spots["n_cells"].tolist() == [1, 1]


def test_surface_holds_one_grid_built_lazily(city):
    surface = hs.kde(city.events, area=city.boundary, cell_size_m=250, bandwidth_m=600)
    grid = surface.grid
    assert isinstance(grid, hs.Grid) and not grid._outlines  # no outlines until asked
    assert surface.raster_shape == (grid.n_rows, grid.n_cols)
    assert surface.cell_size_m == grid.cell_size_m == 250 and surface.crs.equals(city.crs)
    assert grid.n_cells == surface.n_cells  # the cells whose centre is inside the area
    frame = surface.to_frame()
    assert grid._outlines and frame.index.equals(grid.cells.index)
    assert frame.index.isin(hs.make_grid(city.boundary, cell_size_m=250).cells.index).all()
    assert "area_share" not in frame  # only for a grid given to kde
    everywhere = hs.kde(city.events, cell_size_m=250, bandwidth_m=600)
    assert everywhere.grid.n_cells == everywhere.raster_shape[0] * everywhere.raster_shape[1]


def test_surface_contract_mappings(surface):
    assert surface.parameters["bandwidth_rule"] == "given"
    assert surface.parameters["cell_size_rule"] == "given"
    assert surface.counts["n_events"] == surface.n_events
    assert surface.counts["peak"] == surface.peak
    assert any("search radius" in note for note in surface.notes)
    text = str(surface.summary())
    assert "Kernel density surface" in text and "n_outside_area" in text
