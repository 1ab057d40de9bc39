"""kde with events as an (n, 2) array and a CRS: the same surface as from the layer."""

import numpy as np
import pandas as pd
import pytest
from pyproj import CRS

import hotspotlib as hs


def _same(a, b):
    """Every array, parameter and count of two surfaces equal, exactly."""
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.event_count, b.event_count)
    if a.weight_sum is None:
        assert b.weight_sum is None
    else:
        np.testing.assert_array_equal(a.weight_sum, b.weight_sum)
    one, two = dict(a.parameters), dict(b.parameters)
    assert one.pop("weights") in (two.pop("weights"), "weights")  # an array has no column
    assert one == two
    assert (a.n_events, a.total_weight, a.n_beyond_reach, a.n_outside_area) == (
        b.n_events, b.total_weight, b.n_beyond_reach, b.n_outside_area,
    )  # fmt: skip
    assert (a.method, a.oversample, a.bandwidth_m, a.binning_error_bound) == (
        b.method, b.oversample, b.bandwidth_m, b.binning_error_bound,
    )  # fmt: skip
    assert a.grid.crs.equals(b.grid.crs)
    assert a.raster_shape == b.raster_shape
    g, h = a.grid, b.grid
    assert (g.n_rows, g.n_cols, g.origin_x, g.origin_y, g.cell_size_m, g.cell_shape) == (
        h.n_rows, h.n_cols, h.origin_x, h.origin_y, h.cell_size_m, h.cell_shape,
    )  # fmt: skip
    np.testing.assert_array_equal(g.rows, h.rows)
    np.testing.assert_array_equal(g.cols, h.cols)


CASES = {
    "defaults, given radius": {"bandwidth_m": 300},
    "arcgis rule, no area": {"bandwidth_rule": "arcgis"},
    "weights by array": {"bandwidth_m": 250, "cell_size_m": 100, "weights": "harm"},
    "area and edge correction": {
        "bandwidth_m": 400, "cell_size_m": 150, "area": True, "edge_correction": True,
    },
    "exact engine, gaussian, per cell": {
        "bandwidth_m": 120, "cell_size_m": 200, "kernel": "gaussian", "method": "exact",
        "units": "per_cell",
    },
    "fft at cells": {"bandwidth_m": 300, "cell_size_m": 100, "oversample": 1, "area": True},
    "on a grid": {"bandwidth_m": 300, "grid": True, "weights": "harm"},
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_array_gives_the_same_surface_as_the_layer(city, case):
    options = dict(CASES[case])
    if options.pop("area", False):
        options["area"] = city.boundary
    if options.pop("grid", False):
        options["grid"] = hs.make_grid(city.boundary, cell_size_m=250)
    weights = options.pop("weights", None)
    xy = city.events.get_coordinates().to_numpy()
    layer = hs.kde(city.events, weights=weights, **options)
    array_weights = None if weights is None else city.events[weights].to_numpy()
    fast = hs.kde(xy, crs=city.events.crs, weights=array_weights, **options)
    _same(fast, layer)
    assert fast.weights_name == (None if weights is None else "weights")


def test_array_forms_and_crs_forms_agree(city):
    """A list of pairs, a Fortran or strided array; a code, a string or a CRS: one surface."""
    xy = city.events.get_coordinates().to_numpy()[:500]
    reference = hs.kde(city.events.iloc[:500], bandwidth_m=300, cell_size_m=100)
    for events, crs in [
        (xy.tolist(), 27700),
        (np.asfortranarray(xy), "EPSG:27700"),
        (np.c_[xy, xy][:, 1:3][:, ::-1], CRS.from_epsg(27700)),  # a strided view
    ]:
        _same(hs.kde(events, crs=crs, bandwidth_m=300, cell_size_m=100), reference)


def test_array_is_not_modified_and_series_weights_align_by_position(city):
    xy = city.events.get_coordinates().to_numpy()
    before = xy.copy()
    harm = city.events["harm"].to_numpy()
    by_series = hs.kde(xy, crs=27700, weights=pd.Series(harm), bandwidth_m=300)
    by_array = hs.kde(xy, crs=27700, weights=harm, bandwidth_m=300)
    np.testing.assert_array_equal(xy, before)
    np.testing.assert_array_equal(by_series.values, by_array.values)
    assert by_array.total_weight == pytest.approx(harm.sum())


def test_plain_frame_of_coordinates_with_crs_is_an_array(city):
    """``layer.get_coordinates()`` with ``crs=``: the array form, not a layer."""
    frame = city.events.iloc[:500].get_coordinates()
    reference = hs.kde(city.events.iloc[:500], bandwidth_m=300, cell_size_m=100)
    _same(hs.kde(frame, crs=27700, bandwidth_m=300, cell_size_m=100), reference)
