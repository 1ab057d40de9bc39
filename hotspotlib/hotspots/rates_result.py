"""The result of :func:`~hotspotlib.crime_rates`: counts, rates and smoothed rates per area."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy import sparse

from hotspotlib._frozen import FrozenResult
from hotspotlib._map_docs import TILES
from hotspotlib._maps import quantity
from hotspotlib._options import MapScheme, MapStretch
from hotspotlib._validation import check_option

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["CrimeRates", "rates_notes"]

DENOMINATOR_NOTE = (
    "Rates are per resident: areas that many people visit but few live in (a city "
    "centre such as Westminster, a shopping or night-time district, a transport hub) "
    "get high rates per resident that overstate the risk to each person there. Compare "
    "such areas by counts, by crimes per km² or with a footfall denominator."
)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class CrimeRates(FrozenResult):
    """Crimes per area, rates per ``per`` residents with exact intervals, smoothed rates.

    Attributes
    ----------
    geometry : geopandas.GeoSeries
        The areas used, indexed like the input (areas dropped for a missing or zero
        population are not here).
    count : numpy.ndarray
        Events per area.
    harm : numpy.ndarray or None
        Sum of the per-event weights per area, when ``weights`` were given.
    population : numpy.ndarray
        Residents per area.
    rate, ci_low, ci_high : numpy.ndarray
        ``count / population * per`` and its exact Poisson (Garwood) interval.
    harm_rate : numpy.ndarray or None
        ``harm / population * per`` (no interval: harm is not a Poisson count).
    smoothed_rate : numpy.ndarray or None
        Empirical-Bayes rate per ``per`` residents (None without smoothing).
    neighbourhood : scipy.sparse.csr_array or None
        Binary neighbourhoods, self included, used by local smoothing.
    parameters, counts : Mapping
        Every input and automatic choice; events used, outside every area, areas
        dropped and the events inside them, truncated variances (read-only).
    notes : tuple of str
        Conventions and caveats, including one on denominators.

    See Also
    --------
    crime_rates : Compute one.

    References
    ----------
    .. [1] Marshall (1991). https://doi.org/10.2307/2347593
    """

    geometry: gpd.GeoSeries
    count: NDArray[np.int64]
    harm: NDArray[np.float64] | None
    population: NDArray[np.float64]
    rate: NDArray[np.float64]
    ci_low: NDArray[np.float64]
    ci_high: NDArray[np.float64]
    harm_rate: NDArray[np.float64] | None
    smoothed_rate: NDArray[np.float64] | None
    neighbourhood: sparse.csr_array | None = None
    parameters: Mapping[str, Any] = field(default_factory=dict)
    counts: Mapping[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    _repr_fields = ("n_areas", "n_events", "per", "smoothing")
    _title = "Crime rates per resident (highest rates first)"

    @property
    def n_areas(self) -> int:
        """Number of areas with a rate."""
        return len(self.count)

    @property
    def n_events(self) -> int:
        """Events counted in these areas."""
        return int(self.count.sum())

    @property
    def per(self) -> float:
        """Rates are per this many residents."""
        return float(self.parameters["per"])

    @property
    def smoothing(self) -> str:
        """Empirical-Bayes smoothing used: ``"global"``, ``"local"`` or ``"none"``."""
        return str(self.parameters.get("smoothing") or "none")

    @property
    def _place_score(self) -> str:
        """The column :func:`~hotspotlib.select_places` ranks by: smoothed rate, else rate."""
        return "smoothed_rate" if self.smoothed_rate is not None else "rate"

    @property
    def index(self) -> pd.Index:
        """Index of the areas (that of the input)."""
        return self.geometry.index

    def to_frame(self) -> gpd.GeoDataFrame:
        """Return one row per area, indexed like the input, in the areas' CRS (a copy).

        Columns: ``count`` (``harm``), ``population, rate, ci_low, ci_high``
        (``harm_rate``) and ``smoothed_rate`` when smoothed, then the geometry.
        """
        columns: dict[str, Any] = {"count": np.array(self.count)}
        if self.harm is not None:
            columns["harm"] = np.array(self.harm)
        columns.update(
            population=np.array(self.population),
            rate=np.array(self.rate),
            ci_low=np.array(self.ci_low),
            ci_high=np.array(self.ci_high),
        )
        if self.harm_rate is not None:
            columns["harm_rate"] = np.array(self.harm_rate)
        if self.smoothed_rate is not None:
            columns["smoothed_rate"] = np.array(self.smoothed_rate)
        return gpd.GeoDataFrame(
            columns, geometry=self.geometry.to_numpy(), crs=self.geometry.crs, index=self.index
        )

    def _column(self, choice: str, *, name: str) -> str:
        options = ["auto", "count", "rate"]
        options += ["harm", "harm_rate"] if self.harm is not None else []
        options += ["smoothed_rate"] if self.smoothed_rate is not None else []
        check_option(choice, options, name=name)
        return self._place_score if choice == "auto" else choice

    def _summary_table(self) -> pd.DataFrame:
        """Return the ten areas with the highest smoothed rate (else rate)."""
        column = self._column("auto", name="by")
        frame = pd.DataFrame(self.to_frame().drop(columns="geometry"))
        order = np.lexsort((np.arange(len(frame)), -frame[column].to_numpy()))
        return frame.iloc[order[:10]]

    def _label(self, name: str) -> str:
        """Return the quantity and unit of ``name``: ``"crimes per 1,000 residents"`` ..."""
        weights = self.parameters.get("weights")
        what = quantity(weights if isinstance(weights, str) else "harm")
        what = what if name.startswith("harm") else "crimes"
        if name in ("count", "harm"):
            return f"{what} per area"
        smoothed = "smoothed rate, " if name == "smoothed_rate" else ""
        return f"{smoothed}{what} per {self.per:,g} residents"

    def plot(
        self,
        ax: Axes | None = None,
        *,
        column: str = "auto",
        scheme: MapScheme | None = None,
        k: int = 5,
        stretch: MapStretch = "sqrt",
        basemap: bool = False,
        north_arrow: bool = False,
        **kwargs: Any,
    ) -> Axes:
        """Map a column (default: the smoothed rate, else the rate) as a choropleth.

        Parameters
        ----------
        {map_axes}
        column : {"auto", "count", "rate", "harm", "harm_rate", "smoothed_rate"}
            What to map; ``"auto"`` maps the smoothed rate when there is one, else the rate.
        {map_classes}
        {map_furniture}
        **kwargs
            Passed to :meth:`geopandas.GeoDataFrame.plot`.

        {map_returns}

        See Also
        --------
        CrimeRates.explore : The same rates on an interactive map.
        EventCounts.plot : Counts per grid cell.

        References
        ----------
        .. [1] Rey, S. J. et al. mapclassify: classification schemes for choropleth maps.
           https://pysal.org/mapclassify/

        Examples
        --------
        >>> import geopandas as gpd
        >>> import hotspotlib as hs
        >>> from shapely.geometry import Point, box
        >>> areas = gpd.GeoDataFrame({"population": [2_000, 5_000]},
        ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=27700)
        >>> points = [Point(50, 50)] * 4 + [Point(150, 50)] * 5
        >>> rates = hs.crime_rates(gpd.GeoDataFrame(geometry=points, crs=27700), areas)
        >>> rates.plot(column="rate").get_title()
        'Crimes per 1,000 residents'
        """
        from hotspotlib._maps import map_style
        from hotspotlib._result_maps import choropleth_map

        style = map_style(
            scheme=scheme, k=k, stretch=stretch, basemap=basemap, north_arrow=north_arrow
        )
        name = self._column(column, name="column")
        kwargs.setdefault("edgecolor", "0.6")
        kwargs.setdefault("linewidth", 0.3)
        label = self._label(name)
        return choropleth_map(self.to_frame(), name, label=label, style=style, ax=ax, **kwargs)

    def explore(
        self,
        *,
        column: str = "auto",
        scheme: MapScheme | None = None,
        k: int = 5,
        tiles: Any = TILES,
        **kwargs: Any,
    ) -> Any:
        """Return an interactive folium map of the areas; popups show each one's figures.

        Parameters
        ----------
        column : str
            What to map, as in :meth:`plot`.
        {explore_parameters}

        See Also
        --------
        CrimeRates.plot : The static map for a briefing.

        {explore_references}

        Examples
        --------
        >>> import geopandas as gpd
        >>> import hotspotlib as hs
        >>> from shapely.geometry import Point, box
        >>> areas = gpd.GeoDataFrame({"population": [2_000, 5_000]},
        ...     geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100)], crs=27700)
        >>> points = [Point(50, 50)] * 4 + [Point(150, 50)] * 5
        >>> rates = hs.crime_rates(gpd.GeoDataFrame(geometry=points, crs=27700), areas)
        >>> type(rates.explore(tiles=None)).__name__
        'Map'
        """
        from hotspotlib._explore import explore_values

        name = self._column(column, name="column")
        return explore_values(
            self.to_frame(),
            name,
            label=self._label(name),
            tiles=tiles,
            scheme=scheme,
            k=k,
            **kwargs,
        )


def rates_notes(
    counts: Mapping[str, int], parameters: Mapping[str, Any], dropped: str
) -> list[str]:
    """Return the plain-English conventions and caveats of a :func:`crime_rates` run."""
    level = f"{parameters['confidence']:.0%}"
    notes = [
        f"Rates are events per {parameters['per']:g} residents over the whole period the "
        "events cover (divide by the years covered for an annual rate).",
        f"ci_low and ci_high are exact two-sided {level} Poisson intervals (Garwood): "
        "conservative, and ci_low is 0 where there are no events.",
        DENOMINATOR_NOTE,
    ]
    if counts["n_outside"]:
        notes.append(
            f"{counts['n_outside']:,} of {counts['n_events']:,} events fall outside every "
            "area and are in no count."
        )
    if counts["n_areas_dropped"]:
        notes.append(
            f"{counts['n_areas_dropped']} areas with a missing or zero population were left "
            f"out ({dropped}), with the {counts['n_events_in_dropped_areas']:,} events in them."
        )
    smoothing = parameters["smoothing"]
    if smoothing == "global":
        notes.append(
            "smoothed_rate is Marshall's global empirical-Bayes rate: each rate is shrunk "
            "towards the mean of all areas, the more the fewer its residents."
        )
        if counts["n_variance_truncated"]:
            notes.append(
                "The between-area variance estimate was negative (areas differ no more than "
                "Poisson noise), so it was set to 0: every smoothed rate equals the mean rate."
            )
    elif smoothing == "local":
        notes.append(
            "smoothed_rate is the local empirical-Bayes rate: each rate is shrunk towards "
            f"the rate of its neighbourhood ({parameters['neighbours']}; itself included)."
        )
        if counts["n_variance_truncated"]:
            notes.append(
                f"{counts['n_variance_truncated']} areas had a negative local variance "
                "estimate, set to 0: their smoothed rate is their neighbourhood's rate."
            )
        if counts.get("n_areas_no_neighbours"):
            notes.append(
                f"{counts['n_areas_no_neighbours']} areas have no neighbour: their "
                "neighbourhood is the area alone, so they are not smoothed."
            )
    if parameters["weights"] is not None:
        notes.append("harm_rate has no interval: harm is a weighted sum, not a Poisson count.")
    return notes
