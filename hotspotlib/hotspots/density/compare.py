"""Compare two density surfaces on one grid: two periods, or two crime types."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, ReadOnlyDict, frozen_mapping
from hotspotlib._map_docs import TILES
from hotspotlib._options import CompareMethod, MapScheme
from hotspotlib._validation import check_option, require_positive, require_type
from hotspotlib.hotspots.density._surface_tools import UNIT_LABELS, aligned_cells
from hotspotlib.hotspots.density.surface import DensitySurface

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["SurfaceComparison", "compare_surfaces"]

_DEFAULT_FLOOR_SHARE = 0.01


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class SurfaceComparison(FrozenResult):
    """Two density surfaces compared cell by cell.

    Attributes
    ----------
    values : numpy.ndarray
        Read-only ``(n_rows, n_cols)`` raster of the comparison; NaN off the surfaces and
        where the guard applies.
    method : str
        ``"ratio"`` (a / b), ``"difference"`` (a - b) or ``"log_ratio"`` (ln(a / b)).
    min_density : float
        Guard: ratios need ``b >= min_density`` (log ratios also ``a >= min_density``).
    n_guarded : int
        Cells set to NaN by the guard.
    first, second : DensitySurface
        The surfaces compared (``a`` and ``b``).

    See Also
    --------
    compare_surfaces : Compute one.

    References
    ----------
    .. [1] Ashby, M. P. J. sfhotspot: hot-spot analysis with simple features. R package.
       https://CRAN.R-project.org/package=sfhotspot
    """

    _title: ClassVar[str] = "Density comparison"

    values: NDArray[np.float64]
    method: str
    min_density: float
    n_guarded: int
    first: DensitySurface
    second: DensitySurface

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return the cells with ``density_a``, ``density_b`` and the comparison column.

        The comparison column is named after the method (``ratio``, ``difference`` or
        ``log_ratio``); the index is ``cell_id`` as in :meth:`DensitySurface.to_frame`.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=4)
        >>> a = hs.kde(city.events, cell_size_m=500, bandwidth_m=1_000)
        >>> frame = hs.compare_surfaces(a, a, method="difference").to_frame()
        >>> float(frame["difference"].abs().max())
        0.0
        """
        frame = self.first.to_frame()
        rows, cols = frame["row"].to_numpy(), frame["col"].to_numpy()
        frame = frame.drop(columns=[c for c in ("n_events", "weight_sum") if c in frame])
        frame = frame.rename(columns={"density": "density_a"})
        frame["density_b"] = self.second.values[rows, cols]
        frame[self.method] = self.values[rows, cols]
        return frame

    @property
    def parameters(self) -> ReadOnlyDict:
        """The method, the guard and the two surfaces' units and bandwidths."""
        return frozen_mapping(
            {
                "method": self.method,
                "min_density": self.min_density,
                "units": UNIT_LABELS[self.first.units],
                "bandwidth_a_m": self.first.bandwidth_m,
                "bandwidth_b_m": self.second.bandwidth_m,
            }
        )

    @property
    def counts(self) -> ReadOnlyDict:
        """Cells compared and guarded, and the range of the comparison.

        Examples
        --------
        >>> import hotspotlib as hs
        >>> city = hs.synthetic_city(n_events=1_000, rng=4)
        >>> a = hs.kde(city.events, cell_size_m=500, bandwidth_m=1_000)
        >>> hs.compare_surfaces(a, a).counts["max"]
        1.0
        """
        finite = self.values[np.isfinite(self.values)]
        return frozen_mapping(
            {
                "n_cells_compared": int(finite.size),
                "n_guarded": self.n_guarded,
                "min": float(finite.min()) if finite.size else float("nan"),
                "max": float(finite.max()) if finite.size else float("nan"),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The guard's rule and how to compare fairly."""
        return (
            "Ratio and log ratio are NaN where the denominator (and, for the log ratio, "
            "the numerator) is below min_density: tiny densities make ratios noise.",
            "Compare surfaces with the same kernel and bandwidth unless the difference "
            "is the point; scale by the totals first to compare shapes, not volumes.",
        )

    def plot(
        self,
        ax: Axes | None = None,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map the comparison with a diverging colour map centred on no change.

        Parameters
        ----------
        {map_axes}
        scheme : {"quantiles", "natural_breaks", "std_mean", "equal_interval"}, optional
            A classed map (mapclassify) with ``k`` classes instead of the diverging ramp.
        k : int
            Number of classes for ``scheme`` (2 to 12).
        {map_furniture}
        **kwargs
            Passed to :meth:`matplotlib.axes.Axes.imshow` (``cmap``, ``norm`` ...).

        {map_returns}
        """
        from hotspotlib._maps import map_style
        from hotspotlib.hotspots.density._surface_maps import plot_comparison

        style = map_style(scheme=scheme, k=k, basemap=basemap, north_arrow=north_arrow)
        return plot_comparison(self, ax, style, **kwargs)

    def explore(
        self,
        *,
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the comparison (cells where it is defined).

        Parameters
        ----------
        {explore_parameters}

        See Also
        --------
        SurfaceComparison.plot : The static map for a briefing.

        {explore_references}
        """
        from hotspotlib._explore import explore_values

        frame = self.to_frame()
        frame = frame[np.isfinite(frame[self.method].to_numpy(dtype=float))]
        label = f"density {self.method.replace('_', ' ')}, a vs b"
        kwargs.setdefault("cmap", "RdBu_r")
        return explore_values(
            frame, self.method, label=label, tiles=tiles, scheme=scheme, k=k, **kwargs
        )


def compare_surfaces(
    a: DensitySurface,
    b: DensitySurface,
    *,
    method: CompareMethod = "ratio",
    min_density: float | None = None,
) -> SurfaceComparison:
    """Compare two density surfaces on the same grid, cell by cell.

    Use it for two periods (before / after) or two crime types (sfhotspot's dual KDE,
    ArcGIS's Calculate Kernel Density Ratio, CrimeStat's dual KDE).

    Parameters
    ----------
    a, b : DensitySurface
        Surfaces from :func:`kde` on the same lattice (same cell shape, size, origin,
        raster size and CRS) and in the same units.
    method : {"ratio", "difference", "log_ratio"}
        ``a / b``, ``a - b`` or ``ln(a / b)``.
    min_density : float, optional
        Guard for near-zero densities, in the surfaces' units: the ratio is NaN where
        ``b < min_density``, the log ratio where ``a`` or ``b`` is below it. Default: 1% of
        ``b``'s peak (for the log ratio, 1% of the smaller peak). Not used by
        ``"difference"``. ``0`` turns the guard off (ratios with a zero denominator are
        then NaN rather than infinite).

    Returns
    -------
    SurfaceComparison
        The comparison raster, the guard used and how many cells it removed.

    Raises
    ------
    ValueError
        If the surfaces are on different lattices or in different units, or for an
        unknown method or a negative ``min_density``.

    See Also
    --------
    SurfaceComparison : The returned comparison.
    kde : The surfaces to compare.

    References
    ----------
    .. [1] Ashby, M. P. J. sfhotspot: hot-spot analysis with simple features. R package.
       https://CRAN.R-project.org/package=sfhotspot
    .. [2] Chainey, Tompson and Uhlig (2008). https://doi.org/10.1057/palgrave.sj.8350066

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=3_000, rng=4)
    >>> first_half = city.events[city.events["month"] <= "2024-06"]
    >>> second_half = city.events[city.events["month"] > "2024-06"]
    >>> options = dict(area=city.boundary, cell_size_m=200, bandwidth_m=600)
    >>> a, b = hs.kde(second_half, **options), hs.kde(first_half, **options)
    >>> change = hs.compare_surfaces(a, b, method="log_ratio")
    >>> change.method, change.values.shape == a.values.shape
    ('log_ratio', True)
    """
    check_option(method, CompareMethod, name="method")
    for name, surface in (("a", a), ("b", b)):
        require_type(surface, DensitySurface, name=name, expected="a DensitySurface from kde()")
    aligned_cells(a.grid, b.grid, same_extent=True, names=("`a`", "b"))
    check_option(b.units, (a.units,), name="b.units")
    first, second = np.asarray(a.values), np.asarray(b.values)
    if min_density is None:
        peak = np.nanmax(second) if method == "ratio" else min(np.nanmax(first), np.nanmax(second))
        floor = _DEFAULT_FLOOR_SHARE * float(peak) if np.isfinite(peak) else 0.0
    else:
        floor = require_positive(min_density, name="min_density", allow_zero=True)
    both = np.isfinite(first) & np.isfinite(second)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "difference":
            result = first - second
            guarded = np.zeros_like(both)
        elif method == "ratio":
            guarded = both & ((second < floor) | (second <= 0))
            result = first / second
        else:
            guarded = both & ((second < floor) | (first < floor) | (second <= 0) | (first <= 0))
            result = np.log(first / second)
    result = np.where(both & ~guarded, result, np.nan)
    return SurfaceComparison(
        values=result,
        method=method,
        min_density=float(floor) if method != "difference" else 0.0,
        n_guarded=int(guarded.sum()),
        first=a,
        second=b,
    )
