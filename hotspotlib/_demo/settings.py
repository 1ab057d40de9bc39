"""Settings of the demo: the trial's size and the planted truth."""

PLANTED_IRR = 0.6
"""Planted effect: crime on patrol days is 60% of what it would have been."""
PLANTED_HALF_LIFE_DAYS = 1.0
"""Planted residual deterrence: half of the effect remains one day after a patrol."""
TRIAL_DAYS = 90
N_PLACES = 20
TREATED_PER_DAY = 8
CELL_SIZE_M = 150.0
SKIPPED_SHARE = 0.02
"""Share of planned patrols not delivered (Southend delivered 98%)."""
