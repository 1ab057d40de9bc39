"""Randomised trials of hot-spot policing: assignment, balance, power, effects, pooling."""

from hotspotlib.trials.arm_effects import ArmEffects, estimate_arms
from hotspotlib.trials.arm_power import ArmPower, simulate_arm_power
from hotspotlib.trials.arms import ArmAssignment, assign_arms
from hotspotlib.trials.assign import PlaceAssignment, assign_places
from hotspotlib.trials.balance import BalanceTable, balance_table
from hotspotlib.trials.catchment import buffer_rings
from hotspotlib.trials.compliance import ComplianceEffect, cace
from hotspotlib.trials.displacement import WDDTest, wdd
from hotspotlib.trials.effect_size import count_effect_size
from hotspotlib.trials.estimate import TrialEffect, estimate_effect
from hotspotlib.trials.forces import ForceEvaluation, evaluate_forces
from hotspotlib.trials.inference import RandomizationTest, randomization_test
from hotspotlib.trials.meta import MetaAnalysis, meta_analysis
from hotspotlib.trials.multiple import EffectTable, adjust_pvalues, estimate_effects
from hotspotlib.trials.panel import step_treatment, trial_panel
from hotspotlib.trials.power import PowerAnalysis, minimum_detectable_effect, sample_size
from hotspotlib.trials.quotient import DisplacementQuotient, wdq
from hotspotlib.trials.report import TrialReport, trial_report
from hotspotlib.trials.schedule import DayAssignment, assign_days
from hotspotlib.trials.simulate import SimulatedPower, simulate_power

__all__ = [
    "ArmAssignment",
    "ArmEffects",
    "ArmPower",
    "BalanceTable",
    "ComplianceEffect",
    "DayAssignment",
    "DisplacementQuotient",
    "EffectTable",
    "ForceEvaluation",
    "MetaAnalysis",
    "PlaceAssignment",
    "PowerAnalysis",
    "RandomizationTest",
    "SimulatedPower",
    "TrialEffect",
    "TrialReport",
    "WDDTest",
    "adjust_pvalues",
    "assign_arms",
    "assign_days",
    "assign_places",
    "balance_table",
    "buffer_rings",
    "cace",
    "count_effect_size",
    "estimate_arms",
    "estimate_effect",
    "estimate_effects",
    "evaluate_forces",
    "meta_analysis",
    "minimum_detectable_effect",
    "randomization_test",
    "sample_size",
    "simulate_arm_power",
    "simulate_power",
    "step_treatment",
    "trial_panel",
    "trial_report",
    "wdd",
    "wdq",
]
