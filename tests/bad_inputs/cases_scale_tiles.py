"""Bad inputs for the tiled (Dask) path (``Case``, ``fx``, ``hs`` given); empty without dask."""

import importlib.util

import numpy as np
import pandas as pd


def _lattice(**changes):
    from hotspotlib import scale

    options = dict(origin_x=50, origin_y=50, cell_size_m=100, n_rows=6, n_cols=8, crs=27700)
    return scale.Lattice(**{**options, **changes})


def _events(**columns):
    frame = pd.DataFrame({"x": [50.0, 250.0, 420.0], "y": [50.0, 150.0, 330.0]})
    return frame.assign(**columns)


def _count(events, **options):
    from hotspotlib import scale

    return scale.count_events(events, _lattice(), **options)


def _raster(values):
    import xarray as xr

    rows, cols = values.shape
    return xr.DataArray(
        np.asarray(values, dtype=float),
        dims=("y", "x"),
        coords={"y": 50.0 + 100 * np.arange(rows), "x": 50.0 + 100 * np.arange(cols)},
        attrs={"crs_wkt": "EPSG:27700"},
    )


def _cube(n_steps, **options):
    from hotspotlib import scale

    values = np.random.default_rng(0).poisson(2.0, (n_steps, 6, 6))
    cube = _raster(values[0]).expand_dims(time=n_steps).copy(data=values.astype(float))
    return scale.emerging_hotspots(cube, **{"distance_m": 150, **options})


def _gi(values, **options):
    from hotspotlib import scale

    return scale.gi_star(_raster(values), **{"distance_m": 150, **options})


_VARIED = np.arange(48.0).reshape(6, 8) % 5

CASES = []
if importlib.util.find_spec("dask") is not None and importlib.util.find_spec("xarray"):
    from hotspotlib import scale

    CASES = [
        Case(
            "scale.Lattice",
            "zero cell size",
            lambda: _lattice(cell_size_m=0),
            match=r"`cell_size_m` must be a finite number > 0",
        ),
        Case("scale.Lattice", "no rows", lambda: _lattice(n_rows=0), match=r"`n_rows`"),
        Case(
            "scale.Lattice",
            "geographic CRS",
            lambda: _lattice(crs=4326),
            match=r"`crs` must be a projected CRS in metres",
        ),
        Case(
            "scale.Lattice",
            "NaN origin",
            lambda: _lattice(origin_x=float("nan")),
            match=r"`origin_x` must be a finite coordinate",
        ),
        Case(
            "scale.Lattice.from_bounds",
            "empty bounds",
            lambda: scale.Lattice.from_bounds((0, 0, 0, 10), cell_size_m=10, crs=27700),
            match=r"`bounds` must be finite .* xmax > xmin",
        ),
        Case(
            "scale.count_events",
            "not a lattice",
            lambda: scale.count_events(_events(), None),
            raises=TypeError,
            match=r"`lattice` must be a hotspotlib.scale.Lattice",
        ),
        Case(
            "scale.count_events",
            "missing coordinate column",
            lambda: _count(_events(), x="easting"),
            match=r"missing column\(s\) 'easting'",
        ),
        Case(
            "scale.count_events",
            "NaN coordinates",
            lambda: _count(_events(x=[1.0, np.nan, 3.0])),
            match=r"1 rows with missing",
        ),
        Case(
            "scale.count_events",
            "negative weights",
            lambda: _count(_events(harm=[1.0, -2.0, 0.0]), weights="harm"),
            match=r"`weights` column 'harm' must be finite and non-negative",
        ),
        Case(
            "scale.count_events",
            "weights not a column name",
            lambda: _count(_events(), weights=[1.0, 2.0, 3.0]),
            raises=TypeError,
            match=r"`weights` must be the name of a weights column",
        ),
        Case(
            "scale.count_events", "tile of zero", lambda: _count(_events(), tile=0), match=r"`tile`"
        ),
        Case(
            "scale.count_events",
            "every event outside",
            lambda: _count(_events(x=[9e5, 9e5, 9e5])),
            match=r"All 3 `events` fall outside the `lattice`",
        ),
        Case(
            "scale.count_events",
            "some events outside",
            lambda: _count(_events(x=[50.0, 250.0, 9e5])),
            raises=None,
            warns=UserWarning,
            match=r"1 of 3 `events` .* outside the `lattice`",
        ),
        Case(
            "scale.count_events",
            "a list of points",
            lambda: _count([(1, 2)]),
            raises=TypeError,
            match=r"`events` must be a \(dask-\)geopandas",
        ),
        Case(
            "scale.count_events",
            "no events",
            lambda: _count(_events().iloc[:0]),
            match=r"`events` has no rows",
        ),
        Case(
            "scale.gi_star",
            "not a DataArray",
            lambda: scale.gi_star(_VARIED, distance_m=150),
            raises=TypeError,
            match=r"`counts` must be an xarray DataArray",
        ),
        Case(
            "scale.gi_star",
            "band under one cell",
            lambda: _gi(_VARIED, distance_m=50),
            match=r"`distance_m` = 50 m reaches no neighbouring cell",
        ),
        Case(
            "scale.gi_star",
            "constant counts",
            lambda: _gi(np.ones((6, 8))),
            match=r"same value \(1\) in every cell",
        ),
        Case(
            "scale.gi_star",
            "NaN counts",
            lambda: _gi(np.where(_VARIED == 4, np.nan, _VARIED)),
            match=r"NaN values",
        ),
        Case(
            "scale.gi_star",
            "contiguity weights",
            lambda: _gi(_VARIED, spatial_weights="queen"),
            match=r"`spatial_weights` must be one of 'distance_band', 'kernel'",
        ),
        Case(
            "scale.gi_star",
            "unsorted coordinates",
            lambda: scale.gi_star(_raster(_VARIED).isel(y=slice(None, None, -1)), distance_m=150),
            match=r"must both ascend in equal steps",
        ),
        Case(
            "scale.emerging_hotspots",
            "three time steps",
            lambda: _cube(3),
            match=r"`cube` has 3 time step\(s\); .* at least 4",
        ),
        Case(
            "scale.emerging_hotspots",
            "locations of the wrong shape",
            lambda: _cube(5, locations=np.ones((3, 3), bool)),
            match=r"`locations` must be a \(y, x\) boolean array of shape \(6, 6\)",
        ),
        Case(
            "scale.emerging_hotspots",
            "unknown time neighbours",
            lambda: _cube(5, time_neighbours="after"),
            match=r"`time_neighbours` must be one of",
        ),
        Case(
            "scale.kde",
            "zero bandwidth",
            lambda: scale.kde(_events(), _lattice(), bandwidth_m=0),
            match=r"`bandwidth_m` must be a finite number > 0",
        ),
        Case(
            "scale.kde",
            "tile narrower than the kernel",
            lambda: scale.kde(_events(), _lattice(), bandwidth_m=500, tile=2),
            match=r"`tile` .*kernel's reach",
        ),
        Case(
            "scale.kde",
            "unknown kernel",
            lambda: scale.kde(_events(), _lattice(), bandwidth_m=200, kernel="cosine"),
            match=r"`kernel` must be one of",
        ),
        Case(
            "scale.to_geotiff",
            "a cube instead of a surface",
            lambda: scale.to_geotiff(_raster(_VARIED).expand_dims(time=2), "x.tif"),
            match=r"`array` must have dims \('y', 'x'\)",
        ),
    ]
