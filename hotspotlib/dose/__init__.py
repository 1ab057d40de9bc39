"""Patrol dose: from GPS pings to visits, dosage panels, the Koper curve and dose-response.

Also randomised patrol plans and the allocation of patrol time across places.
"""

from hotspotlib.dose.dosage import DosagePanel, dosage_panel
from hotspotlib.dose.koper import KoperCurve, koper_curve
from hotspotlib.dose.response import DoseResponse, dose_response
from hotspotlib.dose.visits import PatrolVisits, patrol_visits

__all__ = [
    "DosagePanel",
    "DoseResponse",
    "KoperCurve",
    "PatrolVisits",
    "dosage_panel",
    "dose_response",
    "koper_curve",
    "patrol_visits",
]
