"""Option vocabularies used both as type hints and as runtime checks.

Each alias is a :data:`typing.Literal`; :func:`hotspotlib._validation.check_option`
reads its values, so the names a user may pass are written down exactly once.
"""

from __future__ import annotations

from typing import Literal

GridShape = Literal["square", "hex"]
"""Cell shape of a regular grid."""

Kernel = Literal["quartic", "epanechnikov", "triangular", "uniform", "gaussian"]
"""Kernel of a density estimate."""

BandwidthRule = Literal["arcgis", "scott", "silverman", "likelihood_cv"]
"""Automatic bandwidth rule."""

DensityUnits = Literal["per_km2", "per_m2", "per_cell"]
"""Units of a density surface."""

KdeMethod = Literal["auto", "fft", "exact"]
"""Engine of a density estimate."""

CompareMethod = Literal["ratio", "difference", "log_ratio"]
"""How two density surfaces are compared."""

Alternative = Literal["two-sided", "greater", "less"]
"""Alternative hypothesis of a test."""

WeightsKind = Literal["distance_band", "knn", "queen", "rook", "kernel"]
"""Named spatial-weights constructions."""

HarmScheme = Literal["cchi", "none"]
"""Harm weighting scheme for police.uk crime types."""

Design = Literal["complete", "block", "pair", "stratified"]
"""Randomisation design for places."""

TrialDesign = Literal["parallel", "crossover"]
"""Analysis design of a trial."""

Family = Literal["poisson", "negbin"]
"""Count-model family."""

EffectModel = Literal["negbin", "poisson", "ols", "mixed"]
"""Model used to estimate a trial effect."""

DoseShape = Literal["log", "bins", "spline"]
"""Functional form of a dose-response curve."""

MetaMethod = Literal["REML", "DL", "fixed"]
"""Between-study variance estimator of a meta-analysis."""

Adjustment = Literal["fdr_bh", "bonferroni", "holm", "none"]
"""Multiple-testing adjustment."""

CiMethod = Literal["percentile", "bca"]
"""Bootstrap confidence-interval method."""

AreaMeasure = Literal["area", "equal"]
"""How the size of a cell counts towards coverage in accuracy metrics."""

DistanceMetric = Literal["euclidean", "manhattan"]
"""Distance between two points in the plane."""

HotspotMethod = Literal["counts", "prospective", "kde", "gi_star"]
"""Built-in hot-spot methods compared by ``compare_methods``."""

TimeNeighbours = Literal["both", "previous"]
"""Which neighbouring time steps a space-time neighbourhood takes."""

SpotKind = Literal["hot", "cold", "both"]
"""Which significant spots to select: hot, cold or both."""

PowerDesign = Literal["parallel", "pair", "block", "crossover"]
"""Design assumed by a power or sample-size calculation."""

Statistic = Literal["auto", "mean_difference", "log_ratio", "fixed_effects"]
"""Test statistic of a randomisation test."""

MapScheme = Literal["quantiles", "natural_breaks", "std_mean", "equal_interval"]
"""Classification scheme of a classed map (mapclassify)."""

MapStretch = Literal["sqrt", "linear"]
"""How a continuous colour ramp maps values to colours."""
