"""The one place for input checks.

Every public function validates its arguments with these helpers, at its top; internal
code trusts its inputs. Messages follow one template: *which* argument, *what* is wrong,
*the value*, and *the fix*. The checks are grouped by kind in the modules of this
package (numbers, dates, geometry, joins, and the common ones) and imported from here.
"""

from hotspotlib._validation._common import (
    MAX_ALLOCATION_BYTES,
    as_rng,
    check_option,
    require_allocation,
    require_columns,
    require_found,
    require_grid_size,
    require_nonempty,
    require_type,
    require_unique,
    require_weights,
)
from hotspotlib._validation._dates import (
    require_moment,
    require_timestamp,
    require_timestamps,
    wall_clock,
)
from hotspotlib._validation._geometry import (
    require_crs,
    require_points,
    require_polygons,
    require_projected_crs,
    require_same_crs,
    require_some_inside,
)
from hotspotlib._validation._joins import (
    require_complete,
    require_id_type,
    require_join,
    require_known,
)
from hotspotlib._validation._numbers import (
    require_draws,
    require_finite,
    require_increasing,
    require_number,
    require_numbers,
    require_numeric_text,
    require_positive,
    require_probability,
    require_range,
    require_whole,
    require_within,
)

__all__ = [
    "as_rng",
    "check_option",
    "MAX_ALLOCATION_BYTES",
    "require_allocation",
    "require_columns",
    "require_draws",
    "require_finite",
    "require_grid_size",
    "require_id_type",
    "require_increasing",
    "require_join",
    "require_moment",
    "require_nonempty",
    "require_number",
    "require_numbers",
    "require_points",
    "require_polygons",
    "require_positive",
    "require_probability",
    "require_projected_crs",
    "require_range",
    "require_same_crs",
    "require_some_inside",
    "require_timestamp",
    "require_timestamps",
    "require_type",
    "require_unique",
    "require_weights",
    "require_whole",
    "wall_clock",
    "require_within",
    "require_known",
    "require_complete",
    "require_found",
    "require_crs",
    "require_numeric_text",
]
