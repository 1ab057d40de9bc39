"""The Lorenz curve of crime across places and Weisburd's law of crime concentration."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib.metrics._gini import adjust, gini_grouped
from hotspotlib.metrics._inputs import as_counts, as_share

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from hotspotlib.hotspots.grid.counts import EventCounts

__all__ = ["ConcentrationShare", "LorenzCurve", "concentration_share", "lorenz_curve"]

_WEISBURD = (
    "Weisburd (2015), eight cities: 50% of crime at 2.1-6.0% of street segments, 25% at 0.4-1.6%."
)


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class LorenzCurve(FrozenResult):
    """The Lorenz curve of crime: places sorted busiest first.

    ``parameters``, ``counts`` and ``notes`` (read-only) give the ordering, the places
    and total, and the Gini coefficients in words.

    Attributes
    ----------
    unit_share : numpy.ndarray
        Cumulative share of places, ``0, 1/n, ..., 1`` (length ``n + 1``).
    crime_share : numpy.ndarray
        Cumulative share of crime held by those places, busiest first, from 0 to 1.
    gini : float
        Standard Gini (twice the area between the curve and the diagonal).
    generalized_gini : float
        Bernasco-Steenbeek generalised Gini (equal to ``gini`` when events >= places or
        when the counts are not whole numbers).
    n_units : int
        Number of places.
    total : float
        Sum of the counts.

    See Also
    --------
    lorenz_curve : Compute one.

    References
    ----------
    .. [1] Lorenz (1905). https://doi.org/10.2307/2276207
    """

    unit_share: NDArray[np.float64]
    crime_share: NDArray[np.float64]
    gini: float
    generalized_gini: float
    n_units: int
    total: float

    _title: ClassVar[str] = "Lorenz curve of crime across places"

    def to_frame(self) -> pd.DataFrame:
        """Return ``rank`` (places so far), ``unit_share`` and ``crime_share``."""
        return pd.DataFrame(
            {
                "rank": np.arange(self.n_units + 1),
                "unit_share": self.unit_share,
                "crime_share": self.crime_share,
            }
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: how places are ordered (busiest first)."""
        return frozen_mapping({"order": "busiest first"})

    @property
    def counts(self) -> Mapping[str, Any]:
        """Read-only: places and the total of the counts."""
        return frozen_mapping({"n_units": self.n_units, "total": self.total})

    @property
    def notes(self) -> tuple[str, ...]:
        """The Gini coefficients, how the curve is drawn and Weisburd's benchmarks."""
        return (
            f"Gini {self.gini:.4f}; generalised Gini {self.generalized_gini:.4f} "
            "(Bernasco & Steenbeek 2017).",
            "Places sorted busiest first; x = share of places, y = share of crime.",
            _WEISBURD,
        )

    def _summary_table(self) -> pd.DataFrame:
        shares = concentration_share(self._counts_proxy(), share=[0.25, 0.5, 1.0])
        return shares.to_frame()

    def _counts_proxy(self) -> NDArray[np.float64]:
        """Recover the sorted counts from the curve (for the summary table)."""
        return np.diff(self.crime_share) * self.total

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Draw the curve, the line of perfect equality and, for sparse data, maximal equality.

        With fewer events ``N`` than places ``n`` the most even spread possible puts one
        event in each of ``N`` places: the dashed line from (0, 0) to (N/n, 1).
        """
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(6.0, 6.0))
        kwargs.setdefault("color", "tab:red")
        kwargs.setdefault("label", f"Lorenz curve (Gini {self.gini:.3f})")
        axes.plot(self.unit_share, self.crime_share, **kwargs)
        axes.plot([0, 1], [0, 1], color="0.5", linewidth=1, label="perfect equality")
        if self.total < self.n_units:
            corner = self.total / self.n_units
            axes.plot(
                [0, corner, 1],
                [0, 1, 1],
                color="0.3",
                linestyle="--",
                linewidth=1,
                label="maximal equality for N < n",
            )
        axes.set_xlim(0, 1)
        axes.set_ylim(0, 1.01)
        axes.set_xlabel("cumulative share of places (busiest first)")
        axes.set_ylabel("cumulative share of crime")
        axes.legend(loc="lower right")
        return axes


def lorenz_curve(counts: ArrayLike | pd.Series | EventCounts) -> LorenzCurve:
    """Lorenz curve of crime across places, busiest places first.

    Parameters
    ----------
    counts : array-like, Series or EventCounts
        Events (or harm) per place, zeros included.

    Returns
    -------
    LorenzCurve
        Cumulative shares of places and of crime, with the Gini and generalised Gini.

    Raises
    ------
    ValueError
        For fewer than 2 places, NaN or negative counts, or all-zero counts.

    See Also
    --------
    LorenzCurve : The returned curve.
    gini : The Gini coefficient with an interval.
    concentration_share : Read shares off the curve.

    Notes
    -----
    Criminology draws the curve with the busiest places first, so it lies above the
    diagonal (economics sorts ascending and it lies below); the Gini is the same.

    References
    ----------
    .. [1] Lorenz, M. O. (1905). Methods of measuring the concentration of wealth.
       Publications of the American Statistical Association 9(70), 209-219.
       https://doi.org/10.2307/2276207
    .. [2] Bernasco, W. and Steenbeek, W. (2017). More places than crimes: implications for
       evaluating the law of crime concentration at place. Journal of Quantitative
       Criminology 33(3), 451-467.

    Examples
    --------
    >>> from hotspotlib.metrics import lorenz_curve
    >>> curve = lorenz_curve([10, 8, 2, 0, 0, 0, 0, 0, 0, 0])
    >>> curve.crime_share[:4].round(2).tolist()
    [0.0, 0.5, 0.9, 1.0]
    >>> round(curve.gini, 2)
    0.78
    """
    values = as_counts(counts)
    ordered = np.sort(values)[::-1]
    total = float(ordered.sum())
    crime_share = np.concatenate([[0.0], np.cumsum(ordered) / total])
    crime_share[-1] = 1.0
    unit_share = np.arange(values.size + 1) / values.size
    distinct, freq = np.unique(values, return_counts=True)
    standard = float(gini_grouped(distinct, freq.astype(float)))
    whole = bool(np.array_equal(values, np.round(values)))
    general = (
        float(adjust(standard, values.size, total, generalized=True, unbiased=False))
        if whole
        else standard
    )
    return LorenzCurve(
        unit_share=unit_share,
        crime_share=crime_share,
        gini=standard,
        generalized_gini=general,
        n_units=int(values.size),
        total=total,
    )


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ConcentrationShare(FrozenResult):
    """Shares of places holding shares of crime (the law of crime concentration).

    Attributes
    ----------
    share : numpy.ndarray
        The shares asked about.
    places_share : numpy.ndarray
        For each share ``s``: the smallest share of places (busiest first) holding at
        least ``s`` of all crime.
    n_places : numpy.ndarray
        The number of places behind ``places_share``.
    crime_share : numpy.ndarray
        For each share ``s``: the share of crime in the busiest ``s`` of places
        (linear interpolation on the Lorenz curve when ``s * n`` is not whole).
    places_with_crime_share : float
        Share of places with any crime (all crime is there).
    n_units : int
        Number of places.
    total : float
        Sum of the counts.
    parameters, counts : Mapping
        Read-only: the shares asked about; places, places with crime and the total.
    notes : tuple of str
        The findings in words ("X% of crime happens at Y% of places").

    See Also
    --------
    concentration_share : Compute one.

    References
    ----------
    .. [1] Weisburd (2015). https://doi.org/10.1111/1745-9125.12070
    """

    share: NDArray[np.float64]
    places_share: NDArray[np.float64]
    n_places: NDArray[np.int64]
    crime_share: NDArray[np.float64]
    places_with_crime_share: float
    n_units: int
    total: float

    _title: ClassVar[str] = "Crime concentration: shares of places and of crime"

    def to_frame(self) -> pd.DataFrame:
        """Return one row per share: share, places_share, n_places, crime_share."""
        return pd.DataFrame(
            {
                "share": self.share,
                "places_share": self.places_share,
                "n_places": self.n_places,
                "crime_share": self.crime_share,
            }
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: the shares asked about."""
        return frozen_mapping({"share": tuple(float(v) for v in self.share)})

    @property
    def counts(self) -> Mapping[str, Any]:
        """Read-only: places, places with any crime and the total of the counts."""
        with_crime = int(round(self.places_with_crime_share * self.n_units))
        return frozen_mapping(
            {"n_units": self.n_units, "n_units_with_crime": with_crime, "total": self.total}
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """In words: "X% of crime happens at Y% of places", and the reverse."""
        notes = [
            f"{s:.0%} of crime happens at {p:.2%} of places ({k} of {self.n_units})."
            for s, p, k in zip(self.share, self.places_share, self.n_places, strict=True)
        ]
        notes += [
            f"The busiest {s:.0%} of places hold {c:.1%} of crime."
            for s, c in zip(self.share, self.crime_share, strict=True)
        ]
        notes.append(
            f"{self.places_with_crime_share:.1%} of places had any crime at all; with "
            "fewer events than places, part of the concentration is unavoidable "
            "(see gini(..., generalized=True))."
        )
        notes.append(_WEISBURD)
        return tuple(notes)

    def _summary_table(self) -> pd.DataFrame:
        return self.to_frame()


def concentration_share(
    counts: ArrayLike | pd.Series | EventCounts,
    *,
    share: float | ArrayLike = 0.5,
) -> ConcentrationShare:
    """Find the share of places holding a share of crime, and the reverse (Weisburd 2015).

    Parameters
    ----------
    counts : array-like, Series or EventCounts
        Events (or harm) per place, zeros included.
    share : float or sequence of float
        Share(s) in (0, 1]: read both as a share of crime (how many places hold it?)
        and as a share of places (how much crime do the busiest hold?).

    Returns
    -------
    ConcentrationShare
        ``places_share`` and ``crime_share`` for each ``share``.

    Raises
    ------
    ValueError
        For bad counts (see :func:`lorenz_curve`) or shares outside (0, 1].

    See Also
    --------
    ConcentrationShare : The returned shares.
    lorenz_curve : The whole curve.
    gini : One number for the concentration.

    Notes
    -----
    ``places_share`` counts whole places: the smallest ``k / n`` whose ``k`` busiest
    places hold at least ``share`` of crime, as Weisburd (2015) reports it.
    ``crime_share`` interpolates the Lorenz curve linearly between whole places.

    References
    ----------
    .. [1] Weisburd, D. (2015). The law of crime concentration and the criminology of place.
       Criminology 53(2), 133-157. https://doi.org/10.1111/1745-9125.12070
    .. [2] Bernasco, W. and Steenbeek, W. (2017). More places than crimes: implications for
       evaluating the law of crime concentration at place. Journal of Quantitative
       Criminology 33(3), 451-467.

    Examples
    --------
    >>> from hotspotlib.metrics import concentration_share
    >>> result = concentration_share([10, 8, 2, 0, 0, 0, 0, 0, 0, 0], share=[0.5, 0.2])
    >>> result.places_share.tolist()  # the busiest place alone holds half the crime
    [0.1, 0.1]
    >>> result.crime_share.round(2).tolist()
    [1.0, 0.9]
    """
    values = as_counts(counts)
    shares = as_share(share, name="share")
    ordered = np.sort(values)[::-1]
    total = float(ordered.sum())
    cumulative = np.cumsum(ordered)
    # Tolerance so that e.g. 0.5 of 20 events is reached by exactly 10 events.
    needed = np.searchsorted(cumulative, shares * total * (1 - 1e-12), side="left") + 1
    needed = np.minimum(needed, values.size).astype(np.int64)
    curve_x = np.arange(values.size + 1) / values.size
    curve_y = np.concatenate([[0.0], cumulative / total])
    crime = np.interp(shares, curve_x, curve_y)
    return ConcentrationShare(
        share=shares,
        places_share=needed / values.size,
        n_places=needed,
        crime_share=crime,
        places_with_crime_share=float((values > 0).mean()),
        n_units=int(values.size),
        total=total,
    )
