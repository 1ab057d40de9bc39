"""Patrol dose: from GPS pings to visits, dosage panels, the Koper curve and dose-response.

Also randomised patrol plans and the allocation of patrol time across places.
"""

from hotspotlib.dose.allocation import PatrolAllocation, allocate_patrol_time
from hotspotlib.dose.dosage import DosagePanel, dosage_panel
from hotspotlib.dose.koper import KoperCurve, koper_curve
from hotspotlib.dose.planning import PatrolPlan, plan_patrols
from hotspotlib.dose.response import DoseResponse, dose_response
from hotspotlib.dose.visits import PatrolVisits, patrol_visits

__all__ = [
    "DosagePanel",
    "DoseResponse",
    "KoperCurve",
    "PatrolAllocation",
    "PatrolPlan",
    "PatrolVisits",
    "allocate_patrol_time",
    "dosage_panel",
    "dose_response",
    "koper_curve",
    "patrol_visits",
    "plan_patrols",
]
