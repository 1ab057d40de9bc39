"""Single-number accuracy indices at one coverage: hit rate, PAI, PPAI, PEI and RRI.

Each is a thin wrapper over :func:`~hotspotlib.metrics.accuracy.accuracy_curve`, which
states the conventions (tie handling, whole cells, cell sizes) and computes them all.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
from numpy.typing import ArrayLike

from hotspotlib._options import AreaMeasure
from hotspotlib._validation import require_range
from hotspotlib.hotspots.grid.cells import Grid
from hotspotlib.hotspots.grid.counts import EventCounts
from hotspotlib.metrics._ranking import Ties
from hotspotlib.metrics.accuracy import accuracy_curve

__all__ = ["hit_rate", "pai", "pei", "ppai", "rri"]


def _single(
    scores: Any,
    test_events: gpd.GeoDataFrame,
    column: str,
    *,
    grid: Grid | gpd.GeoDataFrame | None,
    coverage: float,
    **kwargs: Any,
) -> float:
    share = require_range(
        coverage,
        name="coverage",
        low=0,
        low_open=True,
        high=1,
        fix="Give one share, e.g. 0.05 for 5%; use accuracy_curve for several.",
    )
    curve = accuracy_curve(scores, test_events, grid=grid, coverage=share, **kwargs)
    return float(curve.table[column].iloc[0])


def hit_rate(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float = 0.05,
    areas: AreaMeasure | ArrayLike = "area",
    ties: Ties = "expected",
) -> float:
    """Share of test events in the top-ranked cells covering ``coverage`` of the area.

    A proportion in [0, 1] (multiply by 100 for %). See :func:`accuracy_curve` for the
    parameters, tie handling and how coverage is met with whole cells.

    See Also
    --------
    accuracy_curve : All the indices at several coverages.
    pai : The hit rate relative to the area share.

    References
    ----------
    .. [1] Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
       predicting spatial patterns of crime. Security Journal 21(1-2), 4-28.
       https://doi.org/10.1057/palgrave.sj.8350066

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> train = hs.count_events(city.events.iloc[:1500], grid)
    >>> 0 < hit_rate(train, city.events.iloc[1500:], coverage=0.05) < 1
    True
    """
    return _single(
        scores, test_events, "hit_rate", grid=grid, coverage=coverage, areas=areas, ties=ties
    )


def pai(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float = 0.05,
    areas: AreaMeasure | ArrayLike = "area",
    ties: Ties = "expected",
) -> float:
    """Predictive accuracy index ``(n/N) / (a/A)`` (Chainey, Tompson & Uhlig 2008).

    1 means the selected cells hold crime at the average density. See
    :func:`accuracy_curve` for the parameters.

    See Also
    --------
    accuracy_curve : All the indices at several coverages.
    ppai : PAI with a penalty on the area share.
    pei : PAI relative to the best possible PAI.

    References
    ----------
    .. [1] Chainey, S., Tompson, L. and Uhlig, S. (2008). The utility of hotspot mapping for
       predicting spatial patterns of crime. Security Journal 21(1-2), 4-28.
       https://doi.org/10.1057/palgrave.sj.8350066
    .. [2] Drawve, G. and Wooditch, A. (2019). A research note on the methodological and
       theoretical considerations for assessing crime forecasting accuracy with the
       predictive accuracy index. Journal of Criminal Justice 64, 101625.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> train = hs.count_events(city.events.iloc[:1500], grid)
    >>> round(pai(train, city.events.iloc[1500:], coverage=1.0), 6)
    1.0
    """
    return _single(scores, test_events, "pai", grid=grid, coverage=coverage, areas=areas, ties=ties)


def ppai(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float = 0.05,
    ppai_exponent: float = 0.5,
    areas: AreaMeasure | ArrayLike = "area",
    ties: Ties = "expected",
) -> float:
    """Penalised PAI ``(n/N) / (a/A)**ppai_exponent`` (Joshi et al. 2021).

    ``ppai_exponent = 0`` gives the hit rate and ``1`` the PAI (Joshi et al. call
    the exponent alpha; it is not a significance level). See
    :func:`accuracy_curve` for the other parameters.

    See Also
    --------
    pai : The unpenalised index.
    accuracy_curve : All the indices at several coverages.

    References
    ----------
    .. [1] Joshi, C., D'Ath, C., Curtis-Ham, S. and Searle, D. (2021). Considerations for
       developing predictive spatial models of crime and new methods for measuring their
       accuracy. ISPRS International Journal of Geo-Information 10(9), 597.
       https://doi.org/10.3390/ijgi10090597

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> train = hs.count_events(city.events.iloc[:1500], grid)
    >>> test = city.events.iloc[1500:]
    >>> ppai(train, test, coverage=0.05, ppai_exponent=0) == hit_rate(train, test, coverage=0.05)
    True
    """
    return _single(
        scores,
        test_events,
        "ppai",
        grid=grid,
        coverage=coverage,
        ppai_exponent=ppai_exponent,
        areas=areas,
        ties=ties,
    )


def pei(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float = 0.05,
    areas: AreaMeasure | ArrayLike = "area",
    ties: Ties = "expected",
) -> float:
    """Prediction efficiency index ``PAI / PAI*`` (Hunt 2016), in [0, 1].

    ``PAI*`` is the PAI of the best possible selection of the same area: with equal
    cells, ``PEI = n / n*`` with ``n*`` the events in the busiest cells of the test
    period (as ptools computes it). See :func:`accuracy_curve`.

    See Also
    --------
    pai : The predictive accuracy index.
    accuracy_curve : All the indices at several coverages.

    References
    ----------
    .. [1] Hunt, J. M. (2016). Do crime hot spots move? Exploring the effects of the
       modifiable areal unit problem and modifiable temporal unit problem on crime hot spot
       stability. PhD thesis, American University, Washington, DC.

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> test = city.events.iloc[1500:]
    >>> round(pei(hs.count_events(test, grid), test, coverage=0.05), 6)  # a perfect map
    1.0
    """
    return _single(scores, test_events, "pei", grid=grid, coverage=coverage, areas=areas, ties=ties)


def rri(
    scores: ArrayLike | pd.Series | EventCounts,
    test_events: gpd.GeoDataFrame,
    *,
    train_events: gpd.GeoDataFrame,
    grid: Grid | gpd.GeoDataFrame | None = None,
    coverage: float = 0.05,
    areas: AreaMeasure | ArrayLike = "area",
    ties: Ties = "expected",
) -> float:
    """Recapture rate index ``(n2/N2) / (n1/N1)`` (Levine 2008).

    The selected cells' share of test-period events over their share of
    training-period events: below 1 when hot spots cool down (regression to the mean).
    ptools defines RRI as predicted over observed counts instead. See
    :func:`accuracy_curve`.

    See Also
    --------
    pai : The predictive accuracy index.
    accuracy_curve : All the indices at several coverages.

    References
    ----------
    .. [1] Levine, N. (2008). The "hottest" part of a hotspot: comments on "The utility of
       hotspot mapping for predicting spatial patterns of crime". Security Journal 21(4),
       295-302. https://doi.org/10.1057/sj.2008.5

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=3)
    >>> grid = hs.make_grid(city.boundary, cell_size_m=500)
    >>> train, test = city.events.iloc[:1500], city.events.iloc[1500:]
    >>> value = rri(hs.count_events(train, grid), test, train_events=train, coverage=0.05)
    >>> 0 < value < 2
    True
    """
    return _single(
        scores,
        test_events,
        "rri",
        grid=grid,
        coverage=coverage,
        areas=areas,
        ties=ties,
        train_events=train_events,
    )
