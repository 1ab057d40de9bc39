"""KnoxTest: the tables of a Knox test, its findings in words, and its heat map."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._multiple_testing import permutation_floor_note
from hotspotlib._validation import check_option

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KnoxTest"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class KnoxTest(FrozenResult):
    """A Knox test over distance and time bands, laid out like the Near Repeat Calculator.

    Every table has one row per distance band (same location, the bands, "more than")
    and one column per time band (the bands, "more than"), and is read-only.

    Attributes
    ----------
    observed : numpy.ndarray
        Pairs of events in each distance x time band.
    expected : numpy.ndarray
        Exact expectation under the permutation null, ``rows x columns / pairs``.
    simulated : numpy.ndarray
        Counts in each permutation, shape ``(n_permutations, rows, columns)``.
    p_value : numpy.ndarray
        One-sided Monte Carlo p-value ``(1 + #{simulated >= observed}) / (B + 1)``.
    knox_ratio : numpy.ndarray
        Observed over the mean of the simulated counts (the calculator's ratio); NaN
        where no permutation produced a pair (e.g. no two events share a location).
    knox_ratio_median : numpy.ndarray
        Observed over the median of the simulated counts.
    distance_labels, time_labels : tuple of str
        Band labels in the calculator's style.
    distance_intervals, time_intervals : tuple of str
        The intervals actually used, e.g. ``"(0, 100]"`` or ``"[1, 100)"``.
    spatial_bands_m, temporal_bands_days : tuple of float
        Band edges as given.
    n_events, n_pairs, n_permutations : int
        Events, all pairs ``n(n-1)/2`` and permutations.
    metric : str
        Distance metric.
    nrc_compatible : bool
        Whether the calculator's shifted intervals were used.
    time_unit : str
        ``"calendar days"`` for datetimes or ``"days (as given)"`` for numbers.
    parameters, counts : Mapping
        Read-only: bands, metric and permutations; events, pairs and significant bands.
    notes : tuple of str
        The findings in words (:meth:`findings`) and the conventions.

    See Also
    --------
    knox_test : Run one.

    References
    ----------
    .. [1] Knox (1964). Applied Statistics 13(1), 25-30.
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("n_events", "n_pairs", "n_permutations", "observed")
    _title: ClassVar[str] = "Knox test for near repeats"

    observed: NDArray[np.int64]
    expected: NDArray[np.float64]
    simulated: NDArray[np.int64]
    p_value: NDArray[np.float64]
    knox_ratio: NDArray[np.float64]
    knox_ratio_median: NDArray[np.float64]
    distance_labels: tuple[str, ...]
    time_labels: tuple[str, ...]
    distance_intervals: tuple[str, ...]
    time_intervals: tuple[str, ...]
    spatial_bands_m: tuple[float, ...]
    temporal_bands_days: tuple[float, ...]
    n_events: int
    n_pairs: int
    n_permutations: int
    metric: str
    nrc_compatible: bool
    time_unit: str

    def to_frame(self) -> pd.DataFrame:
        """Return one row per distance x time band with every statistic."""
        rows, cols = self.observed.shape
        d_index, t_index = np.divmod(np.arange(rows * cols), cols)
        simulated = self.simulated.reshape(self.simulated.shape[0], rows * cols)
        has_sims = simulated.shape[0] > 0
        return pd.DataFrame(
            {
                "distance_band": np.asarray(self.distance_labels)[d_index],
                "time_band": np.asarray(self.time_labels)[t_index],
                "distance_interval": np.asarray(self.distance_intervals)[d_index],
                "time_interval": np.asarray(self.time_intervals)[t_index],
                "observed": self.observed.ravel(),
                "expected": self.expected.ravel(),
                "simulated_mean": simulated.mean(axis=0) if has_sims else np.nan,
                "simulated_median": np.median(simulated, axis=0) if has_sims else np.nan,
                "knox_ratio": self.knox_ratio.ravel(),
                "knox_ratio_median": self.knox_ratio_median.ravel(),
                "p_value": self.p_value.ravel(),
            }
        )

    def to_table(self, value: str = "knox_ratio") -> pd.DataFrame:
        """Return one statistic as the calculator's table: distance rows x time columns.

        ``value`` is ``"observed"``, ``"expected"``, ``"knox_ratio"``,
        ``"knox_ratio_median"`` or ``"p_value"``.
        """
        names = ("observed", "expected", "knox_ratio", "knox_ratio_median", "p_value")
        check_option(value, names, name="value")
        return pd.DataFrame(
            getattr(self, value),
            index=pd.Index(self.distance_labels, name="distance"),
            columns=pd.Index(self.time_labels, name="time"),
        )

    def findings(self, alpha: float = 0.05) -> list[str]:
        """Plain-language statements for the significant near-repeat bands.

        One sentence per band (excluding the "more than" bands) with ``p_value`` at or
        below ``alpha`` and a Knox ratio above 1, like the calculator's
        summary: "... about X percent greater than if there were no space-time pattern".
        """
        out = []
        rows, cols = self.observed.shape
        for d in range(rows - 1):  # a handful of bands
            for t in range(cols - 1):
                ratio, p = self.knox_ratio[d, t], self.p_value[d, t]
                if np.isfinite(ratio) and ratio > 1 and p <= alpha:
                    where = (
                        "at the same location" if d == 0 else f"within {self.distance_labels[d]} m"
                    )
                    out.append(
                        f"In the {self.time_labels[t]} days after an incident, the chance of "
                        f"another incident {where} is about {100 * (ratio - 1):.0f} percent "
                        f"greater than if there were no space-time pattern "
                        f"(Knox ratio {ratio:.2f}, p = {p:.3f})."
                    )
        return out

    @property
    def parameters(self) -> Mapping[str, Any]:
        """Read-only: the bands, the metric, the permutations and the interval convention."""
        return frozen_mapping(
            {
                "spatial_bands_m": self.spatial_bands_m,
                "temporal_bands_days": self.temporal_bands_days,
                "metric": self.metric,
                "n_permutations": self.n_permutations,
                "nrc_compatible": self.nrc_compatible,
                "time_unit": self.time_unit,
            }
        )

    @property
    def counts(self) -> Mapping[str, int]:
        """Read-only: events, all pairs, and bands with significantly more pairs."""
        return frozen_mapping(
            {
                "n_events": self.n_events,
                "n_pairs": self.n_pairs,
                "n_bands_significant": len(self.findings()),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The findings in words, the definitions, the intervals and multiple testing."""
        notes = self.findings() or [
            "No band shows significantly more pairs than expected (p <= 0.05)."
        ]
        notes += [
            "Knox ratio = observed pairs / mean pairs over permutations of the event times "
            "across locations; p = (1 + #{simulated >= observed}) / (B + 1), one-sided "
            f"(smallest possible p = {1 / (self.n_permutations + 1):.3f})."
            if self.n_permutations
            else "No permutations: only observed and exactly expected counts.",
            "Intervals used: distance "
            + ", ".join(self.distance_intervals)
            + "; time "
            + ", ".join(self.time_intervals)
            + f" ({self.time_unit}).",
        ]
        rows, cols = self.observed.shape
        floor = permutation_floor_note(
            n_tests=(rows - 1) * (cols - 1),
            n_permutations=self.n_permutations,
            alpha=0.05,
            n_found=len(self.findings()),
            method="bonferroni",
        )
        if floor:
            notes.append(
                "The p-values are per band, not adjusted for the many bands tested. " + floor
            )
        if self.nrc_compatible:
            notes.append(
                "NRC-compatible bands: a band labelled 'a to b' covers [a-1, b), as the "
                "Near Repeat Calculator computes it (Davies' NearRepeat, "
                "interval_side='right')."
            )
        return tuple(notes)

    def _summary_table(self) -> pd.DataFrame:
        return self.to_table("knox_ratio").round(2)

    def plot(self, ax: Axes | None = None, **kwargs: Any) -> Axes:
        """Heat map of Knox ratios; significant bands (p <= 0.05) are starred."""
        from hotspotlib._plotting import get_axes

        axes = get_axes(ax, figsize=(7.0, 4.5))
        kwargs.setdefault("cmap", "RdBu_r")
        ratio = np.nan_to_num(self.knox_ratio, nan=1.0)
        spread = max(1e-9, float(np.abs(np.log(np.clip(ratio, 1e-3, None))).max()))
        kwargs.setdefault("vmin", float(np.exp(-spread)))
        kwargs.setdefault("vmax", float(np.exp(spread)))
        image = axes.imshow(ratio, aspect="auto", **kwargs)
        rows, cols = ratio.shape
        for d in range(rows):  # a handful of bands
            for t in range(cols):
                star = "*" if self.p_value[d, t] <= 0.05 else ""
                axes.text(t, d, f"{self.knox_ratio[d, t]:.2f}{star}", ha="center", va="center")
        axes.set_xticks(range(cols), self.time_labels)
        axes.set_yticks(range(rows), self.distance_labels)
        axes.set_xlabel("days apart")
        axes.set_ylabel("metres apart")
        axes.set_title("Knox ratios (* p <= 0.05)")
        axes.figure.colorbar(image, ax=axes, label="Knox ratio")
        return axes
