"""The one place for input checks.

Every public function validates its arguments with these helpers, at its top; internal
code trusts its inputs. Messages follow one template: *which* argument, *what* is wrong,
*the value*, and *the fix*. The checks are grouped by kind in the modules of this
package (numbers, dates, geometry, joins, and the common ones) and imported from here.
"""

from hotspotlib._validation._arguments import (
    require_exclusive,
    require_given,
    require_module,
    require_relevant,
)
from hotspotlib._validation._arrays import (
    require_array,
    require_finite,
    require_increasing,
    require_numbers,
    require_numeric_text,
    require_shape,
    require_varying,
    require_within,
)
from hotspotlib._validation._common import (
    MAX_ALLOCATION_BYTES,
    as_rng,
    check_option,
    require_allocation,
    require_columns,
    require_complete,
    require_found,
    require_grid_size,
    require_nonempty,
    require_subset,
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
    require_id_type,
    require_join,
    require_known,
    require_per_row,
)
from hotspotlib._validation._months import (
    MIN_MONTHLY_EVENTS,
    data_end,
    month_stamped,
    require_days,
    require_month_windows,
)
from hotspotlib._validation._numbers import (
    require_draws,
    require_number,
    require_positive,
    require_probability,
    require_range,
    require_whole,
)
from hotspotlib._validation._xy import Located, require_xy, require_xy_weights

__all__ = [
    "as_rng",
    "check_option",
    "MAX_ALLOCATION_BYTES",
    "MIN_MONTHLY_EVENTS",
    "data_end",
    "month_stamped",
    "require_days",
    "require_month_windows",
    "require_allocation",
    "require_array",
    "require_columns",
    "require_complete",
    "require_crs",
    "require_draws",
    "require_exclusive",
    "require_finite",
    "require_found",
    "require_given",
    "require_grid_size",
    "require_id_type",
    "require_increasing",
    "require_join",
    "require_known",
    "require_module",
    "require_moment",
    "require_nonempty",
    "require_number",
    "require_numbers",
    "require_numeric_text",
    "require_per_row",
    "require_points",
    "require_polygons",
    "require_positive",
    "require_probability",
    "require_projected_crs",
    "require_range",
    "require_relevant",
    "require_same_crs",
    "require_shape",
    "require_some_inside",
    "require_subset",
    "require_timestamp",
    "require_timestamps",
    "require_type",
    "require_unique",
    "require_varying",
    "require_weights",
    "require_whole",
    "require_within",
    "wall_clock",
    "Located",
    "require_xy",
    "require_xy_weights",
]
