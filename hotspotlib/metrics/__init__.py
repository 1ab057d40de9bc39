"""Measure: crime concentration, predictive accuracy of hot-spot maps, near repeats."""

from hotspotlib.metrics.accuracy import AccuracyCurve, accuracy_curve
from hotspotlib.metrics.compare import MethodComparison, compare_methods
from hotspotlib.metrics.concentration import GiniCoefficient, gini
from hotspotlib.metrics.evaluation import RollingEvaluation, rolling_evaluation
from hotspotlib.metrics.indices import hit_rate, pai, pei, ppai, rri
from hotspotlib.metrics.lorenz import (
    ConcentrationShare,
    LorenzCurve,
    concentration_share,
    lorenz_curve,
)
from hotspotlib.metrics.near_repeat import KnoxTest, knox_test
from hotspotlib.metrics.prospective import ProspectiveHotspots, prospective_hotspots

__all__ = [
    "AccuracyCurve",
    "ConcentrationShare",
    "GiniCoefficient",
    "KnoxTest",
    "LorenzCurve",
    "MethodComparison",
    "ProspectiveHotspots",
    "RollingEvaluation",
    "accuracy_curve",
    "compare_methods",
    "concentration_share",
    "gini",
    "hit_rate",
    "knox_test",
    "lorenz_curve",
    "pai",
    "pei",
    "prospective_hotspots",
    "ppai",
    "rolling_evaluation",
    "rri",
]
