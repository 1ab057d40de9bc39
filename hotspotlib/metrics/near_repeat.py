"""Near repeats: the Knox test as the Near Repeat Calculator reports it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult
from hotspotlib._multiple_testing import permutation_floor_note
from hotspotlib._options import DistanceMetric
from hotspotlib._summary import Summary
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_allocation,
    require_columns,
    require_points,
)
from hotspotlib.metrics._knox import (
    band_labels,
    count_table,
    estimate_pairs,
    gap_plan,
    list_pairs,
    parse_edges,
    parse_times,
    time_band_totals,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["KnoxTest", "knox_test"]


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
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
    """

    _repr_fields: ClassVar[tuple[str, ...]] = ("n_events", "n_pairs", "n_permutations", "observed")

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

    def summary(self) -> Summary:
        """Summarise the test: settings, the Knox ratio table and the findings."""
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
        return Summary(
            title="Knox test for near repeats",
            parameters={
                "n_events": self.n_events,
                "n_pairs": self.n_pairs,
                "spatial_bands_m": list(self.spatial_bands_m),
                "temporal_bands_days": list(self.temporal_bands_days),
                "metric": self.metric,
                "n_permutations": self.n_permutations,
                "nrc_compatible": self.nrc_compatible,
            },
            table=self.to_table("knox_ratio").round(2),
            notes=notes,
        )

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


def knox_test(
    events: gpd.GeoDataFrame,
    *,
    time: str = "timestamp",
    spatial_bands_m: Sequence[float] | ArrayLike,
    temporal_bands_days: Sequence[float] | ArrayLike,
    n_permutations: int = 99,
    rng: int | np.random.Generator | None = None,
    nrc_compatible: bool = False,
    metric: DistanceMetric = "euclidean",
    max_pairs: int = 20_000_000,
    progress: bool = False,
    dayfirst: bool | None = None,
) -> KnoxTest:
    """Knox test for near repeats over distance and time bands (Near Repeat Calculator).

    Parameters
    ----------
    events : GeoDataFrame
        Event points in a projected CRS (metres) with a time column.
    time : str
        Column with datetimes (compared as calendar dates, like the calculator) or
        numbers (days, compared as given).
    spatial_bands_m : sequence of float
        Upper edges of the distance bands, e.g. ``[100, 200, 300]``. A "same location"
        band and a "more than" band are added.
    temporal_bands_days : sequence of float
        Upper edges of the time bands, e.g. ``[2, 4]`` (0-2 days, 3-4 days); a "more
        than" band is added.
    n_permutations : int
        Permutations of the event times across locations (0: observed and exact
        expected counts only).
    rng : int, Generator or None
        Seed or generator for the permutations.
    nrc_compatible : bool
        Reproduce the Near Repeat Calculator's counts: its band "a to b" covers
        ``[a-1, b)`` (same location: under 1 m). By default bands mean what their labels
        say: same location is distance 0, then ``(0, e1], (e1, e2], ...`` metres and
        ``[0, f1], (f1, f2], ...`` days.
    metric : {"euclidean", "manhattan"}
        Distance between events.
    max_pairs : int
        Refuse, before listing them, more pairs than this within the largest band
        (estimated from a sample); use smaller bands or raise it if memory allows.
    progress : bool
        Show a progress bar over permutations.
    dayfirst : bool, optional
        Read slash dates in ``events[time]`` day-first (UK) or month-first; None lets
        the data settle it and refuses dates that could be either.

    Returns
    -------
    KnoxTest
        Observed, expected and simulated counts, Knox ratios, p-values and findings.

    Raises
    ------
    ValueError
        For fewer than 2 events, a missing or unparseable time column, bands that are
        not positive and increasing (above 1 m for ``nrc_compatible``), a bad metric, or
        too many pairs.

    Notes
    -----
    Pairs closer than the largest distance band come from a KD-tree; the "more than"
    distance row is the total per time band (fixed under permutation, counted in
    O(n log n) from sorted times) minus the listed pairs, so all ``n(n-1)/2`` pairs are
    never formed. Each permutation shuffles times over locations and recounts the
    listed pairs only. ``expected`` is the exact permutation expectation
    ``N_s N_t / N`` (Kulldorff & Hjalmars 1999 for one threshold). For a single
    threshold, rows ``same location`` plus the first band and the first time column
    reproduce ``pointpats.Knox`` (``d <= delta``, ``|t| <= tau``).

    Examples
    --------
    >>> import hotspotlib as hs
    >>> city = hs.synthetic_city(n_events=1_500, rng=5)
    >>> result = knox_test(city.events, spatial_bands_m=[100, 200], temporal_bands_days=[7],
    ...                    n_permutations=19, rng=1)
    >>> result.observed.shape
    (4, 2)
    >>> int(result.observed.sum()) == result.n_pairs
    True
    """
    xy = require_points(events, name="events")
    require_columns(events, [time], name="events")
    n = len(xy)
    if n < 2:
        raise ValueError(f"`events` must hold at least 2 events to form pairs; got {n}.")
    check_option(metric, DistanceMetric, name="metric")
    spatial = parse_edges(spatial_bands_m, name="spatial_bands_m")
    temporal = parse_edges(temporal_bands_days, name="temporal_bands_days")
    if nrc_compatible and spatial[0] <= 1:
        raise ValueError(
            "`spatial_bands_m` must start above 1 with `nrc_compatible=True`, because the "
            f"calculator's same-location band is [0, 1) m; got {spatial[0]:g}."
        )
    if (
        isinstance(n_permutations, bool)
        or not isinstance(n_permutations, (int, np.integer))
        or (n_permutations < 0)
    ):
        raise ValueError(
            f"`n_permutations` must be a whole number >= 0 (e.g. 99); got {n_permutations!r}."
        )
    require_allocation(
        float(n_permutations) * (spatial.size + 2) * (temporal.size + 1),
        8,
        name="n_permutations",
        what="table entries",
        fix="Use fewer permutations (99 or 999 is usual) or fewer bands.",
    )
    times, whole_days, unit = parse_times(events[time], name=f"events[{time!r}]", dayfirst=dayfirst)
    p = 1.0 if metric == "manhattan" else 2.0
    estimated = estimate_pairs(xy, float(spatial[-1]), p)
    if estimated > max_pairs:
        raise ValueError(
            f"About {estimated:,.0f} pairs of events lie within {spatial[-1]:g} m, over "
            f"`max_pairs` = {max_pairs:,}. Use smaller `spatial_bands_m`, fewer events, or "
            "raise `max_pairs` if you have the memory (about 40 bytes a pair at the peak)."
        )
    generator = as_rng(rng)
    pairs = list_pairs(xy, spatial, p=p, nrc=nrc_compatible)
    n_rows, n_cols = spatial.size + 2, temporal.size + 1
    plan = gap_plan(times, temporal, pairs, nrc=nrc_compatible, whole_days=whole_days)
    totals = time_band_totals(times.astype(float), temporal, nrc=nrc_compatible)
    all_pairs = n * (n - 1) // 2

    def full_table(listed: NDArray[np.int64]) -> NDArray[np.int64]:
        overflow = np.rint(totals - listed.sum(axis=0)).astype(np.int64)
        return np.vstack([listed, overflow[None, :]])

    observed = full_table(count_table(pairs, None, plan))
    simulated = np.zeros((n_permutations, n_rows, n_cols), dtype=np.int64)
    steps = range(n_permutations)
    if progress:
        from tqdm.auto import tqdm

        steps = tqdm(steps, desc="Knox permutations")
    for k in steps:  # permutations; each is vectorised over pairs
        simulated[k] = full_table(count_table(pairs, generator.permutation(n), plan))
    row_totals = observed.sum(axis=1).astype(float)
    expected = np.outer(row_totals, totals) / all_pairs
    with np.errstate(invalid="ignore", divide="ignore"):
        if n_permutations:
            p_value = (1.0 + (simulated >= observed).sum(axis=0)) / (n_permutations + 1.0)
            ratio = observed / simulated.mean(axis=0)
            ratio_median = observed / np.median(simulated, axis=0)
        else:
            p_value = ratio = ratio_median = np.full(observed.shape, np.nan)
    labels = band_labels(spatial, temporal, nrc=nrc_compatible)
    arrays = [observed, expected, simulated, p_value, ratio, ratio_median]
    for array in arrays:
        array.flags.writeable = False
    return KnoxTest(
        observed=observed,
        expected=expected,
        simulated=simulated,
        p_value=p_value,
        knox_ratio=ratio,
        knox_ratio_median=ratio_median,
        distance_labels=labels[0],
        time_labels=labels[1],
        distance_intervals=labels[2],
        time_intervals=labels[3],
        spatial_bands_m=tuple(float(e) for e in spatial),
        temporal_bands_days=tuple(float(e) for e in temporal),
        n_events=n,
        n_pairs=all_pairs,
        n_permutations=int(n_permutations),
        metric=metric,
        nrc_compatible=nrc_compatible,
        time_unit=unit,
    )
