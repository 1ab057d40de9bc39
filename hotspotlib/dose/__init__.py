"""Patrol dose: from GPS pings to visits, dosage panels, the Koper curve and dose-response.

Also randomised patrol plans and the allocation of patrol time across places.
"""

from hotspotlib.dose.dosage import DosagePanel, dosage_panel
from hotspotlib.dose.response import DoseResponse, dose_response
from hotspotlib.dose.visits import PatrolVisits, patrol_visits

__all__ = [
    "DosagePanel",
    "DoseResponse",
    "PatrolVisits",
    "dosage_panel",
    "dose_response",
    "patrol_visits",
]
