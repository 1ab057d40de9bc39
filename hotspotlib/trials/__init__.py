"""Randomised trials of hot-spot policing: assignment, balance, power, effects, pooling."""

from hotspotlib.trials.assign import PlaceAssignment, assign_places
from hotspotlib.trials.balance import BalanceTable, balance_table
from hotspotlib.trials.estimate import TrialEffect, estimate_effect
from hotspotlib.trials.panel import trial_panel
from hotspotlib.trials.power import PowerAnalysis, minimum_detectable_effect, sample_size
from hotspotlib.trials.schedule import DayAssignment, assign_days
from hotspotlib.trials.simulate import SimulatedPower, simulate_power

__all__ = [
    "BalanceTable",
    "DayAssignment",
    "PlaceAssignment",
    "PowerAnalysis",
    "SimulatedPower",
    "TrialEffect",
    "assign_days",
    "assign_places",
    "balance_table",
    "estimate_effect",
    "minimum_detectable_effect",
    "sample_size",
    "simulate_power",
    "trial_panel",
]
