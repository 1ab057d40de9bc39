"""hotspotlib: evidence-based hot-spot policing.

Find the few micro-places where crime and harm concentrate, measure the patrol dose
they receive, and test its effect with randomised trials.

>>> import hotspotlib as hs
>>> city = hs.synthetic_city(n_events=2_000, rng=0)
>>> grid = hs.make_grid(city.boundary, cell_size_m=250)
>>> counts = hs.count_events(city.events, grid, weights="harm")
"""

from hotspotlib import data, dose, forecast, hotspots, metrics, trials
from hotspotlib._version import __version__
from hotspotlib._warnings import HotspotlibWarning
from hotspotlib.data import *  # noqa: F403
from hotspotlib.dose import *  # noqa: F403
from hotspotlib.forecast import *  # noqa: F403
from hotspotlib.hotspots import *  # noqa: F403
from hotspotlib.metrics import *  # noqa: F403
from hotspotlib.trials import *  # noqa: F403

__all__ = [
    "HotspotlibWarning",
    "__version__",
    "data",
    "dose",
    "forecast",
    "hotspots",
    "metrics",
    "trials",
    *data.__all__,
    *dose.__all__,
    *forecast.__all__,
    *hotspots.__all__,
    *metrics.__all__,
    *trials.__all__,
]
