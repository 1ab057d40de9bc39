"""Real data that works offline: the crime and point datasets shipped inside libpysal.

Each loader reads a file installed with libpysal (no download) and returns a
GeoDataFrame whose coordinate units are stated honestly. Several files carry no
projection: where the units are unknown the result has no CRS, and
:data:`LOCAL_GRID_CRS` lets you analyse them in their own grid units. Column names are
lower-cased; :func:`list_samples` describes them all.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import geopandas as gpd
import pandas as pd
from pyproj import CRS

from hotspotlib._validation import require_found

__all__ = [
    "LOCAL_GRID_CRS",
    "list_samples",
    "load_burkitt",
    "load_columbus",
    "load_juvenile",
    "load_mesa_crimes",
    "load_snow_deaths",
    "load_snow_pumps",
    "load_stl_homicides",
]

LOCAL_GRID_CRS = CRS.from_wkt(
    'ENGCRS["Local grid (units unknown, treated as metres)",'
    'EDATUM["Unknown local grid"],CS[Cartesian,2],'
    'AXIS["easting (x)",east,ORDER[1],LENGTHUNIT["metre",1]],'
    'AXIS["northing (y)",north,ORDER[2],LENGTHUNIT["metre",1]]]'
)
"""An engineering CRS for data in unknown grid units (juvenile, Burkitt, Columbus).

Setting it (``frame.set_crs(LOCAL_GRID_CRS)``) lets functions that need metres run:
every ``*_m`` argument and result is then in the data's own grid units, not metres.
It cannot be reprojected, so the points are never placed on a real map by mistake.
"""

_SAMPLES = pd.DataFrame(
    [
        ("juvenile", "load_juvenile", "Residences of juvenile offenders, Cardiff", 168,
         "Point", "unknown grid units", "none",
         "Bailey & Gatrell (1995) Interactive Spatial Data Analysis, p. 95"),
        ("columbus", "load_columbus", "Neighbourhood burglary and vehicle theft rates, "
         "Columbus OH, 1980", 49, "Polygon", "unknown grid units", "none",
         "Anselin (1988) Spatial Econometrics, table 12.1"),
        ("stl_homicides", "load_stl_homicides", "County homicide counts and rates around "
         "St Louis MO, 1979-1993", 78, "Polygon", "degrees", "EPSG:4326",
         "Messner et al. (2000) Atlas of the spatial patterning of county-level homicide"),
        ("burkitt", "load_burkitt", "Burkitt's lymphoma cases with onset dates, West Nile "
         "district, Uganda, 1961-1975", 188, "Point", "unknown grid units (likely km)",
         "none", "Williams et al. (1978) British Journal of Cancer 37:109-122"),
        ("snow_deaths", "load_snow_deaths", "Addresses and their cholera deaths, Soho, "
         "London, 1854", 324, "Point", "metres", "EPSG:27700", "Snow (1855), digitised map"),
        ("snow_pumps", "load_snow_pumps", "Public water pumps, Soho, London, 1854", 13,
         "Point", "metres", "EPSG:27700", "Snow (1855), digitised map"),
        ("mesa_crimes", "load_mesa_crimes", "Crime locations, Mesa AZ (GeoDaNet)", 287,
         "Point", "metres", "EPSG:26949", "GeoDaNet example data, shipped with libpysal"),
    ],
    columns=["name", "loader", "description", "n", "geometry", "units", "crs", "source"],
)  # fmt: skip


def list_samples() -> pd.DataFrame:
    """List the bundled real datasets: name, loader, description, size, units and source.

    Returns
    -------
    pandas.DataFrame
        One row per dataset; ``loader`` names the function in :mod:`hotspotlib.data`,
        ``n`` the number of rows it returns, ``units`` the coordinate units and ``crs``
        the CRS of the result (``"none"`` when the units are unknown).

    See Also
    --------
    load_columbus : Columbus, Ohio neighbourhood crime (polygons).
    load_snow_deaths : John Snow's cholera deaths (points).
    synthetic_city : A simulated police area with known hot spots.

    References
    ----------
    .. [1] PySAL developers. libpysal example datasets. https://pysal.org/libpysal/
    .. [2] GeoDa Center. Data and Lab: sample datasets.
       https://geodacenter.github.io/data-and-lab/

    Examples
    --------
    >>> from hotspotlib.data import list_samples
    >>> row = list_samples().set_index("name").loc["snow_deaths"]
    >>> int(row["n"]), row["units"]
    (324, 'metres')
    """
    return _SAMPLES.copy()


def _path(file_name: str) -> Path:
    """Locate a file shipped inside the libpysal wheel, without touching the network."""
    from libpysal import examples  # slow to import (about 1.5 s): only when needed

    with contextlib.redirect_stdout(io.StringIO()):  # it prints when a file is absent
        found = examples.get_path(file_name)
    require_found(
        found and Path(found).is_file(),
        name=file_name,
        what="such sample file",
        where="installed with this libpysal",
        fix="Reinstall libpysal (the file ships inside its wheel).",
    )
    return Path(found)


def _read(file_name: str) -> gpd.GeoDataFrame:
    frame = gpd.read_file(_path(file_name), engine="pyogrio")
    return frame.rename(columns={c: c.lower() for c in frame.columns if c != "geometry"})


def load_juvenile() -> gpd.GeoDataFrame:
    """Load the residences of 168 juvenile offenders in Cardiff (points).

    Columns: ``id``, ``x``, ``y`` (the point coordinates again). Source: Bailey, T. C.
    and Gatrell, A. C. (1995), *Interactive Spatial Data Analysis*, p. 95.

    Units: an unknown local grid (coordinates 2 to 95), not metres and not British
    National Grid; the file has no projection, so the result has **no CRS**. To use
    functions that need metres, set :data:`LOCAL_GRID_CRS` and read every distance,
    bandwidth and cell size in grid units.

    Returns
    -------
    geopandas.GeoDataFrame
        168 points without a CRS.

    See Also
    --------
    kde : A density surface of the residences.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Bailey, T. C. and Gatrell, A. C. (1995). Interactive Spatial Data Analysis.
       Longman, Harlow.
    .. [2] PySAL developers. libpysal example datasets. https://pysal.org/libpysal/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> juvenile = hs.load_juvenile()
    >>> len(juvenile), juvenile.crs
    (168, None)
    >>> grid = hs.make_grid(juvenile.set_crs(hs.LOCAL_GRID_CRS), cell_size_m=10)
    """
    return _read("juvenile.shp")


def load_columbus() -> gpd.GeoDataFrame:
    """Load Columbus, Ohio neighbourhood crime in 1980 (49 polygons).

    Key columns: ``crime`` (residential burglaries and vehicle thefts per 1,000
    households), ``hoval`` (housing value, $1,000), ``inc`` (household income,
    $1,000), ``x``, ``y`` (centroids), ``polyid``. Source: Anselin, L. (1988),
    *Spatial Econometrics*, table 12.1; the standard esda/GeoDa teaching set.

    Units: an unknown local grid (not longitude/latitude, not metres); the result has
    **no CRS**. Area-based analyses (rates, contiguity) do not need units; for
    distance-based ones set :data:`LOCAL_GRID_CRS` and read distances in grid units.

    Returns
    -------
    geopandas.GeoDataFrame
        49 polygons without a CRS.

    See Also
    --------
    gi_star : Hot spots of the crime rate across the neighbourhoods.
    local_moran : Clusters and outliers across the neighbourhoods.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Anselin, L. (1988). Spatial Econometrics: Methods and Models. Kluwer, Dordrecht.
    .. [2] GeoDa Center. Data and Lab: sample datasets.
       https://geodacenter.github.io/data-and-lab/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> columbus = hs.load_columbus()
    >>> len(columbus), round(float(columbus["crime"].mean()), 2)
    (49, 35.13)
    """
    return _read("columbus.shp")


def load_stl_homicides() -> gpd.GeoDataFrame:
    """Load homicides in the 78 counties around St Louis, Missouri (polygons).

    Columns for the periods 1979-84, 1984-88 and 1988-93 (suffixes ``7984``, ``8488``,
    ``8893``): ``hc*`` homicide counts, ``po*`` population-years at risk (population
    times years), ``hr*`` rates per 100,000 population-years (``1e5 * hc / po``), plus
    ``name``, ``state_name``, ``fips`` and socio-economic covariates. Source: Messner
    et al. (2000), *An Atlas of the Spatial Patterning of County-Level Homicide,
    1960-1990*, NCOVR.

    Units: longitude/latitude degrees. The file has no projection and its datum is not
    recorded; the result is labelled EPSG:4326 (WGS84 and NAD83 differ by about a
    metre here). Project before distance work:
    ``stl.to_crs(stl.estimate_utm_crs())`` (UTM zone 15N, metres).

    Returns
    -------
    geopandas.GeoDataFrame
        78 polygons in EPSG:4326.

    See Also
    --------
    crime_rates : Rates per resident with smoothed estimates.
    local_moran : Clusters and outliers across the counties.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Messner, S. F. et al. (2000). An Atlas of the Spatial Patterning of County-Level
       Homicide, 1960-1990. National Consortium on Violence Research (NCOVR), Pittsburgh.
    .. [2] GeoDa Center. Data and Lab: sample datasets.
       https://geodacenter.github.io/data-and-lab/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> stl = hs.load_stl_homicides()
    >>> len(stl), int(stl["hc8893"].sum()), stl.crs.to_epsg()
    (78, 2650, 4326)
    """
    return _read("stl_hom.shp").set_crs("EPSG:4326")


def load_burkitt() -> gpd.GeoDataFrame:
    """Load 188 cases of Burkitt's lymphoma in West Nile district, Uganda (points).

    The standard space-time clustering set (Knox test). Columns: ``id``, ``x``, ``y``,
    ``t`` (day of onset, day 1 = 1 January 1960), ``age`` (years) and ``date`` (onset
    date, 1961-02-16 to 1975-10-23). The shipped ``DATE`` column lost its century
    (it reads 1901-1915); ``date`` here is recomputed as 31 December 1959 plus ``t``
    days, which agrees with the shipped day and month on every row.
    Source: Williams, E. H. et al. (1978), *British Journal of Cancer* 37, 109-122;
    via Bailey and Gatrell (1995), ch. 3.

    Units: "grid eastings/northings" of a local grid; the unit is not documented (the
    extent, about 80 by 150 units, fits the district in kilometres, but that is not
    confirmed). The result has **no CRS**; set :data:`LOCAL_GRID_CRS` to analyse it
    in grid units.

    Returns
    -------
    geopandas.GeoDataFrame
        188 points without a CRS.

    See Also
    --------
    knox_test : Test the cases for space-time clustering.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Williams, E. H. et al. (1978). Space-time clustering of Burkitt's lymphoma in the
       West Nile district of Uganda: 1961-1975. British Journal of Cancer 37(1), 109-122.
    .. [2] Bailey, T. C. and Gatrell, A. C. (1995). Interactive Spatial Data Analysis.
       Longman, Harlow.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> burkitt = hs.load_burkitt()
    >>> str(burkitt["date"].min().date()), str(burkitt["date"].max().date())
    ('1961-02-16', '1975-10-23')
    """
    frame = _read("burkitt.shp")
    days = pd.to_timedelta(frame["t"], unit="D")
    frame["date"] = (pd.Timestamp("1959-12-31") + days).to_numpy()
    return frame


def load_snow_deaths() -> gpd.GeoDataFrame:
    """Load John Snow's 1854 Soho cholera deaths (324 address points).

    Columns: ``count`` (deaths recorded at the address: 392 in all, none at 191 of
    the addresses; use it as the weight when counting) and ``id`` (0 everywhere in the
    source). Source: the digitised map of Snow, J. (1855), *On the
    Mode of Communication of Cholera*, 2nd ed., as shipped with libpysal.

    Units: metres, British National Grid (EPSG:27700). The file is stored in Web
    Mercator (EPSG:3857), whose "metres" are stretched by about 1.6 at London's
    latitude, so it is **reprojected here** to true metres; positions are as accurate
    as the historic map's georeferencing (a few metres).

    Returns
    -------
    geopandas.GeoDataFrame
        324 points in EPSG:27700.

    See Also
    --------
    load_snow_pumps : The pumps of the same map.
    kde : A density surface weighted by ``count``.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Snow, J. (1855). On the Mode of Communication of Cholera. 2nd ed. John Churchill,
       London.
    .. [2] PySAL developers. libpysal example datasets. https://pysal.org/libpysal/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> deaths = hs.load_snow_deaths()
    >>> int(deaths["count"].sum()), deaths.crs.to_epsg()
    (392, 27700)
    """
    return _read("SohoPeople.shp").to_crs("EPSG:27700")


def load_snow_pumps() -> gpd.GeoDataFrame:
    """Load the 13 public water pumps of John Snow's 1854 Soho map (points).

    Units: metres, British National Grid (EPSG:27700), reprojected from the stored Web
    Mercator as in :func:`load_snow_deaths`. The Broad Street pump is the one nearest
    the centre of the deaths.

    Returns
    -------
    geopandas.GeoDataFrame
        13 points in EPSG:27700.

    See Also
    --------
    load_snow_deaths : The deaths of the same map.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Snow, J. (1855). On the Mode of Communication of Cholera. 2nd ed. John Churchill,
       London.
    .. [2] PySAL developers. libpysal example datasets. https://pysal.org/libpysal/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> len(hs.load_snow_pumps())
    13
    """
    return _read("SohoWater.shp").to_crs("EPSG:27700")


def load_mesa_crimes() -> gpd.GeoDataFrame:
    """Load 287 crime locations in Mesa, Arizona (points, GeoDaNet example data).

    Columns: ``polyid`` and ``polyid2`` (record ids; the source gives no crime type or
    date). Source: the GeoDaNet network-analysis examples shipped with libpysal
    (``geodanet/crimes.shp``, clipped to the Mesa city polygon).

    Units: metres, NAD83 / Arizona Central (EPSG:26949). The file is stored in the same
    State Plane projection in US survey feet (ESRI:102649); it is **converted here**
    to metres (a pure change of unit: 1 US foot = 0.3048006 m).

    Returns
    -------
    geopandas.GeoDataFrame
        287 points in EPSG:26949.

    See Also
    --------
    count_on_segments : Count the crimes on street segments.
    list_samples : All bundled datasets.

    References
    ----------
    .. [1] Okabe, A. and Sugihara, K. (2012). Spatial Analysis along Networks: Statistical
       and Computational Methods. Wiley, Chichester.
    .. [2] PySAL developers. libpysal example datasets. https://pysal.org/libpysal/

    Examples
    --------
    >>> import hotspotlib as hs
    >>> crimes = hs.load_mesa_crimes()
    >>> len(crimes), crimes.crs.to_epsg()
    (287, 26949)
    """
    return _read("crimes.shp").to_crs("EPSG:26949")
