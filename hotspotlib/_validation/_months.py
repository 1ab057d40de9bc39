"""Month-stamped times: months written as their first day, told apart from dates.

police.uk publishes only the month of a crime; :func:`~hotspotlib.read_police_uk` reads it
as midnight on the 1st. Counted by day, such times put a month's events on its first day;
windows counted in days hold whole months or none. The check here says when times are
months, and refuses the day-based questions they cannot answer, with the fix.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation._dates import wall_clock

__all__ = [
    "MIN_MONTHLY_EVENTS",
    "data_end",
    "month_stamped",
    "require_days",
    "require_month_windows",
]

MIN_MONTHLY_EVENTS = 10
"""Unmarked times are months when at least this many, over two or more months, are all
midnight on a 1st. Dates spread over a month's ~30 days all fall there with probability
below (1/28) ** 10 (about 3e-15); fewer events, or one month, could be dates by chance."""

_MARKER = "month_columns"  # frame.attrs["hotspotlib"][_MARKER]: columns read from "Month"


def _marked(frame: Any, column: str | None) -> bool:
    """Whether ``frame.attrs`` says ``column`` holds months (set by read_police_uk)."""
    if column is None:
        return False
    record = getattr(frame, "attrs", {}).get("hotspotlib", {})
    return isinstance(record, Mapping) and column in tuple(record.get(_MARKER, ()))


def _month_starts(stamps: pd.Series) -> pd.Series:
    """Mark the (local) times that are midnight on the 1st of a month."""
    local = wall_clock(stamps)
    return (local.dt.day == 1) & local.eq(local.dt.normalize())


def month_stamped(stamps: pd.Series, *, frame: Any = None, column: str | None = None) -> bool:
    """Say whether ``stamps`` are months written as their first day, not dates.

    They are when every time is midnight on the 1st of a month and either ``frame``
    marks ``column`` as months (``read_police_uk`` does, in
    ``frame.attrs["hotspotlib"]["month_columns"]``) or there are at least
    :data:`MIN_MONTHLY_EVENTS` of them over two or more months. A few dates that happen
    to fall on the 1st, or one month of them, are taken as dates unless marked.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.Series(pd.to_datetime(["2024-07-01", "2024-08-01"] * 5))
    >>> month_stamped(months), month_stamped(months[:3])
    (True, False)
    >>> frame = pd.DataFrame({"month": months[:3]})
    >>> frame.attrs["hotspotlib"] = {"month_columns": ["month"]}
    >>> month_stamped(frame["month"], frame=frame, column="month")
    True
    """
    if len(stamps) == 0 or not bool(_month_starts(stamps).all()):
        return False
    if _marked(frame, column):
        return True
    local = wall_clock(stamps)
    n_months = (local.dt.year * 12 + local.dt.month).nunique()
    return len(stamps) >= MIN_MONTHLY_EVENTS and n_months >= 2


def _describe(stamps: pd.Series, name: str) -> str:
    """``events['month'] holds months, not dates: ...`` (the start of every message)."""
    local = wall_clock(stamps)
    first, last = local.min().strftime("%Y-%m"), local.max().strftime("%Y-%m")
    n_months = (local.dt.year * 12 + local.dt.month).nunique()
    return (
        f"`{name}` holds months, not dates: all {len(stamps)} times are midnight on the 1st "
        f"of a month ({n_months} months, {first} to {last}), as police.uk's `Month` is read"
    )


def _whole_months(origin: pd.Timestamp, days: float) -> tuple[int, int]:
    """Whole-month day counts just longer and just shorter than ``days`` before ``origin``."""
    boundary = origin - pd.Timedelta(days=days)
    older = boundary.to_period("M").to_timestamp()
    younger = older + pd.offsets.MonthBegin(1)
    return (origin - older).days, (origin - younger).days


def require_days(
    stamps: pd.Series,
    *,
    name: str,
    frame: Any = None,
    column: str | None = None,
    daily: str | None = None,
    origin: pd.Timestamp | Sequence[pd.Timestamp] | None = None,
    windows: Mapping[str, float | None] | None = None,
    spans: Mapping[str, float | None] | None = None,
) -> bool:
    """Refuse day-based work that month-stamped ``stamps`` would answer wrongly.

    When :func:`month_stamped` says the times are months (otherwise nothing is checked):

    * ``daily`` (why dates are needed, and the other fix if there is one, e.g.
      ``"a daily panel would put each month's events on its 1st day"``): refused;
    * ``origin``: must be midnight on the 1st of a month, or the month it falls in
      would count as past though part of it is after the origin;
    * ``windows`` (``{"window_days": 60}``, counted back from ``origin``): must reach
      back to a 1st, so the window is whole months; the message gives the day counts
      just longer and shorter that are;
    * ``spans`` (``{"validation_days": 28}``, windows laid back to back before the
      origin): at least 31 days, or windows between two 1sts hold no event.

    Returns whether the times are month-stamped.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.Series(pd.to_datetime(["2024-11-01", "2024-12-01"] * 5))
    >>> require_days(months, name="events['month']", origin=pd.Timestamp("2025-01-01"),
    ...              windows={"window_days": 60})
    Traceback (most recent call last):
    ...
    ValueError: `events['month']` holds months, not dates: ... Use `window_days=61` ...
    >>> require_days(months, name="events['month']", origin=pd.Timestamp("2025-01-01"),
    ...              windows={"window_days": 61})
    True
    """
    if not month_stamped(stamps, frame=frame, column=column):
        return False
    what = _describe(stamps, name)
    if daily is not None:
        raise ValueError(
            f"{what}; {daily}; or use events with their dates (e.g. the force's own crime records)."
        )
    given = [] if origin is None else [origin] if isinstance(origin, pd.Timestamp) else origin
    moments = wall_clock(pd.DatetimeIndex(list(given)))  # local clocks, as the stamps
    on_first = _month_starts(pd.Series(moments))
    if not bool(on_first.all()):
        inside = pd.Timestamp(moments[int(np.flatnonzero(~on_first.to_numpy())[0])])
        start = inside.to_period("M").to_timestamp()
        label = "`origin`" if isinstance(origin, pd.Timestamp) else "an origin"
        raise ValueError(
            f"{what}; {label} ({inside}) is inside a month, so that month's events would "
            "count as past though some happened after it. Use the 1st of a month, e.g. "
            f"'{start:%Y-%m-%d}' or '{start + pd.offsets.MonthBegin(1):%Y-%m-%d}' (for rolling "
            "origins, `pd.date_range(..., freq='MS')`)."
        )
    for (label, days), at in product((windows or {}).items(), moments):
        if days is None:
            continue
        moment = pd.Timestamp(at)
        longer, shorter = _whole_months(moment, days)
        if longer == days:
            continue
        months = round(longer / 30.44)
        held = (
            f"only the months from {moment - pd.Timedelta(days=shorter):%Y-%m-%d} ({shorter} days)"
            if shorter > 0
            else "no month"
        )
        raise ValueError(
            f"{what}; `{label}={days:g}` reaches back from {moment:%Y-%m-%d} to "
            f"{moment - pd.Timedelta(days=days):%Y-%m-%d}, inside a month, so it holds {held}. "
            f"Use `{label}={longer}` (from {moment - pd.Timedelta(days=longer):%Y-%m-%d})"
            + (f" or `{label}={shorter}`" if shorter > 0 else "")
            + "; at rolling origins, whole months are "
            f"`(origin - (origin - pd.DateOffset(months={months}))).days`."
        )
    for label, days in (spans or {}).items():
        if days is not None and days < 31:
            raise ValueError(
                f"{what}; windows of `{label}={days:g}` days are shorter than a month, so "
                "those between two 1sts hold no event. Use "
                f"`{label}=31` or more (each window then holds one month or more)."
            )
    return True


def _months_between(start: pd.DatetimeIndex, stop: pd.DatetimeIndex) -> NDArray[np.int64]:
    """How many 1sts of months (midnight) fall in each ``[start, stop)``."""

    def before(moments: pd.DatetimeIndex) -> NDArray[np.int64]:  # 1sts strictly earlier
        return np.asarray((moments - pd.Timedelta(1, "ns")).to_period("M").asi8) + 1

    return before(stop) - before(start)


def require_month_windows(
    stamps: pd.Series,
    *,
    name: str,
    origins: Sequence[pd.Timestamp],
    frame: Any = None,
    column: str | None = None,
    ahead: Mapping[str, float | None] | None = None,
    back: Mapping[str, float | None] | None = None,
) -> bool:
    """Refuse rolling windows in days that hold different numbers of months.

    On month-stamped ``stamps`` (see :func:`month_stamped`; otherwise nothing is
    checked) every origin must be a 1st (:func:`require_days`), and a window of
    ``days`` starting at (``ahead``) or ending at (``back``) each origin holds the
    months whose 1st falls in it: 30 days from 1 February hold February and March,
    from 1 January only January. Each window must hold the same number of months at
    every origin, ``max(1, round(days / 30.44))``; the message gives the length in days
    that does.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.Series(pd.date_range("2023-01-01", "2024-12-01", freq="MS"))
    >>> origins = list(pd.date_range("2024-01-01", periods=3, freq="MS"))
    >>> require_month_windows(months, name="t", origins=origins, ahead={"test_days": 30})
    Traceback (most recent call last):
    ...
    ValueError: `t` holds months, not dates: ... Use `test_days=29` ...
    >>> require_month_windows(months, name="t", origins=origins, ahead={"test_days": 28},
    ...                       back={"train_days": 366})
    True
    """
    if not require_days(stamps, name=name, frame=frame, column=column, origin=list(origins)):
        return False  # not months; with months, every origin is a 1st (else refused)
    moments = pd.DatetimeIndex(wall_clock(pd.DatetimeIndex(list(origins))))
    checks = [(label, days, True) for label, days in (ahead or {}).items()]
    checks += [(label, days, False) for label, days in (back or {}).items()]
    for label, days, forward in checks:  # a window or two
        if days is None or len(moments) == 0:
            continue
        span = pd.Timedelta(days=days)
        held = (
            _months_between(moments, moments + span)
            if forward
            else _months_between(moments - span, moments)
        )
        wanted = max(1, round(days / 30.44))
        wrong = np.flatnonzero(held != wanted)
        if wrong.size == 0:
            continue
        shift = pd.DateOffset(months=wanted)
        # the longest span holding `wanted` months at every origin ahead, the shortest back
        fits = (
            int(((moments + shift) - moments).days.min())
            if forward
            else int((moments - (moments - shift)).days.max())
        )
        at = moments[wrong[0]]
        counted = ", ".join(f"{n}" for n in held[:6]) + (", ..." if len(held) > 6 else "")
        counted = f"months held at each origin: {counted}"
        raise ValueError(
            f"{_describe(stamps, name)}; `{label}={days:g}` "
            f"{'from' if forward else 'before'} the origin {at:%Y-%m-%d} holds "
            f"{held[wrong[0]]} month(s) of events, not {wanted} ({counted}), so the "
            "origins are not judged on like windows. "
            f"Use `{label}={fits}` ({wanted} month(s) at every origin)."
        )
    return True


def data_end(stamps: pd.Series, *, frame: Any = None, column: str | None = None) -> pd.Timestamp:
    """Where the data end: the day after the last time, or the month after the last month.

    Month-stamped times (see :func:`month_stamped`) cover their whole month, so the data
    run to the 1st of the next month, not the day after the last 1st.

    Examples
    --------
    >>> import pandas as pd
    >>> months = pd.Series(pd.to_datetime(["2024-11-01", "2024-12-01"] * 5))
    >>> data_end(months), data_end(months.iloc[:1] + pd.Timedelta(hours=9))
    (Timestamp('2025-01-01 00:00:00'), Timestamp('2024-11-02 00:00:00'))
    """
    last = pd.Timestamp(wall_clock(stamps).max())
    if month_stamped(stamps, frame=frame, column=column):
        return last + pd.offsets.MonthBegin(1)
    return last.normalize() + pd.Timedelta(days=1)
