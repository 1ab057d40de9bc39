"""The one date parser: every time input of the package is read here."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from hotspotlib._validation._numbers import (
    _short,
)

_NUMERIC_DATE = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[ T]+(.*?))?\s*$"
_YEAR_FIRST = r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T]+(.*?))?\s*$"
_MONTH_NAME = r"(?i)\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
_DATE_FIX = (
    "pass `dayfirst=True` (UK: 31/01/2024) or `dayfirst=False` (or a `date_format=`), "
    "or read them first with `pd.to_datetime(values, format='%d/%m/%Y')`"
)


def _examples(values: Any, limit: int = 3) -> str:
    unique = pd.unique(np.asarray(values, dtype=object).ravel())
    shown = ", ".join(repr(v) for v in unique[:limit])
    return shown + (", ..." if len(unique) > limit else "")


def _order_fields(
    text: pd.Series, parts: pd.DataFrame, *, name: str, dayfirst: bool | None
) -> pd.Series:
    """Rewrite numeric ``a/b/yyyy`` dates as ISO 8601, settling which field is the day."""
    first, second = parts[0].astype(int), parts[1].astype(int)
    day_evidence, month_evidence = text[first > 12], text[second > 12]
    if len(day_evidence) and len(month_evidence):
        raise ValueError(
            f"`{name}` mixes day-first dates ({_examples(day_evidence)}) and month-first "
            f"dates ({_examples(month_evidence)}); make them one format first."
        )
    if dayfirst is None:
        if not len(day_evidence) and not len(month_evidence):
            raise ValueError(
                f"`{name}` has dates such as {_examples(text)} that read both day-first and "
                f"month-first (no value has a field above 12); {_DATE_FIX}, or use ISO 8601 "
                "('2024-01-31')."
            )
        dayfirst = bool(len(day_evidence))
    contradicting = month_evidence if dayfirst else day_evidence
    if len(contradicting):
        order = "day-first" if dayfirst else "month-first"
        raise ValueError(
            f"`{name}` has dates such as {_examples(contradicting)} that cannot be {order}; "
            f"check `dayfirst` (it is {dayfirst})."
        )
    day, month = (first, second) if dayfirst else (second, first)
    clock = parts[3].fillna("").astype(str)
    return (
        parts[2]
        + "-"
        + month.astype(str).str.zfill(2)
        + "-"
        + day.astype(str).str.zfill(2)
        + clock.where(clock == "", " " + clock)
    )


def _parse_text(
    text: pd.Series, *, name: str, dayfirst: bool | None, date_format: str | None
) -> pd.Series:
    if date_format is not None:
        return pd.to_datetime(text, format=date_format, errors="coerce")
    iso = text.copy()
    numeric = text.str.extract(_NUMERIC_DATE)
    is_numeric = numeric[0].notna()
    if is_numeric.any():
        iso[is_numeric] = _order_fields(
            text[is_numeric], numeric[is_numeric], name=name, dayfirst=dayfirst
        )
    year_first = text.str.extract(_YEAR_FIRST)
    is_year_first = year_first[0].notna()
    if is_year_first.any():
        ymd = year_first[is_year_first]
        clock = ymd[3].fillna("").astype(str)
        iso[is_year_first] = (
            ymd[0] + "-" + ymd[1].str.zfill(2) + "-" + ymd[2].str.zfill(2)
        ) + clock.where(clock == "", " " + clock)
    with warnings.catch_warnings():  # pandas 2.1-2.3 warn on mixed offsets; 3 raises
        warnings.filterwarnings("ignore", ".*mixed time zones", FutureWarning)
        parsed = pd.to_datetime(iso, format="ISO8601", errors="coerce")
    if not pd.api.types.is_datetime64_any_dtype(parsed):  # pandas < 3: objects
        raise ValueError("mixed time zones or UTC offsets")
    # Dates now in year-month-day order whose clock is not ISO ("10:00 PM", "9.15"):
    # the date is settled, so the clock part may be read flexibly.
    clock_text = parsed.isna() & (is_numeric | is_year_first)
    named = parsed.isna() & text.str.contains(_MONTH_NAME)
    # "2 January 2024", "Jan 2, 2024": the month is spelled out
    for rows, source in ((clock_text, iso), (named & ~clock_text, text)):
        if rows.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                extra = pd.to_datetime(source[rows], format="mixed", errors="coerce")
            parsed = pd.concat([parsed[~rows], extra]).sort_index()
    return parsed


def require_timestamps(
    values: Any,
    *,
    name: str,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Series:
    """Parse ``values`` to a datetime Series: the one date parser of the package.

    * Datetimes (``datetime64`` columns, ``Timestamp``, ``datetime``) are kept as they are.
    * ISO 8601 strings (``"2024-01-31"``, ``"2024-01-31T10:00+00:00"``, ``"2024-01"``)
      are always accepted, as are ``yyyy/mm/dd`` and spelled-out months.
    * Numeric day/month dates (``"01/02/2024"``, ``"01.02.2024"``, ``"01-02-2024"``) are
      read day-first or month-first as ``dayfirst`` says. When it is None the data settle
      it: a first field above 12 in some value means day-first (``"31/01/2024"``), a
      second field above 12 means month-first (``"01/31/2024"``); if every value has
      both fields <= 12 the dates are ambiguous and refused. pandas alone would guess
      month-first; UK police data are day-first.
    * ``date_format`` (e.g. ``"%d/%m/%Y"``) reads every value with that format.

    Raises
    ------
    ValueError
        Naming ``name``: ambiguous or contradictory day/month order, missing values or
        values that cannot be read (with their count and examples), times in more
        than one time zone.
    TypeError
        Numbers (epoch seconds are not read silently) or other non-date values.

    Examples
    --------
    >>> require_timestamps(["2024-01-01 10:00"], name="time").dt.hour.tolist()
    [10]
    >>> require_timestamps(["31/01/2024", "01/02/2024"], name="date").dt.month.tolist()
    [1, 2]
    """
    import datetime as _dt

    series = values.copy() if isinstance(values, pd.Series) else pd.Series(values)
    if dayfirst is not None and not isinstance(dayfirst, bool | np.bool_):
        raise TypeError(f"`dayfirst` must be True, False or None; got {_short(dayfirst)}.")
    if date_format is not None and not isinstance(date_format, str):
        raise TypeError(f"`date_format` must be a string such as '%d/%m/%Y'; got {date_format!r}.")
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        raise TypeError(
            f"`{name}` holds numbers (dtype {series.dtype}), not dates; convert them "
            "explicitly, e.g. `pd.to_datetime(values, unit='s')` for epoch seconds."
        )
    missing = series.isna()
    if not pd.api.types.is_datetime64_any_dtype(series):  # datetimes are never blank text
        missing |= series.astype(str).str.strip().eq("")
    if missing.any():
        raise ValueError(
            f"`{name}` has {int(missing.sum())} missing timestamps out of {len(series)}; "
            "drop those rows first."
        )
    index = series.index
    series = series.reset_index(drop=True)
    try:
        if pd.api.types.is_datetime64_any_dtype(series):
            parsed = series
        elif isinstance(series.dtype, pd.StringDtype):  # text only: no per-value type check
            parsed = _parse_text(
                series.astype(str), name=name, dayfirst=dayfirst, date_format=date_format
            )
        else:
            kinds = series.map(type)
            is_text = kinds.map(lambda kind: issubclass(kind, str)).astype(bool)
            stamp_like = (_dt.date, np.datetime64, pd.Timestamp)
            is_stamp = kinds.map(lambda kind: issubclass(kind, stamp_like)).astype(bool)
            if not (is_text | is_stamp).all():
                other = series[~(is_text | is_stamp)]
                raise TypeError(
                    f"`{name}` has {len(other)} values that are neither dates nor text, such "
                    f"as {_examples(other)}; pass datetimes or ISO 8601 strings."
                )
            if not is_text.any():
                parsed = pd.to_datetime(series)
            else:
                text = series.astype(object)
                text[~is_text] = [str(pd.Timestamp(v)) for v in series[~is_text]]
                parsed = _parse_text(
                    text.astype(str), name=name, dayfirst=dayfirst, date_format=date_format
                )
    except (ValueError, pd.errors.OutOfBoundsDatetime) as error:
        if str(error).startswith(f"`{name}`"):
            raise
        raise ValueError(
            f"`{name}` could not be read as one set of times ({error}). Times with "
            "different time zones or UTC offsets must be converted to one zone first, "
            "e.g. `pd.to_datetime(values, utc=True).dt.tz_convert('Europe/London')`."
        ) from error
    if not pd.api.types.is_datetime64_any_dtype(parsed):
        raise ValueError(
            f"`{name}` mixes time-zone-aware and naive times (or several zones); "
            "give them all one time zone (`.dt.tz_localize(...)`) or none."
        )
    unreadable = parsed.isna()
    if unreadable.any():
        how = f"with `date_format={date_format!r}`" if date_format else "as dates/times"
        raise ValueError(
            f"`{name}` could not be parsed: {int(unreadable.sum())} of {len(parsed)} values "
            f"could not be read {how}, such as {_examples(series[unreadable])}; use ISO 8601 "
            "('2024-01-31 10:00') or pass `date_format=`."
        )
    parsed.index = index
    return parsed


def require_timestamp(
    value: Any,
    *,
    name: str,
    dayfirst: bool | None = None,
    date_format: str | None = None,
) -> pd.Timestamp:
    """Parse one date or time (e.g. ``start``) with :func:`require_timestamps`' rules.

    Examples
    --------
    >>> require_timestamp("31/01/2024", name="start")
    Timestamp('2024-01-31 00:00:00')
    """
    import datetime as _dt

    if value is None:
        raise ValueError(
            f"`{name}` is missing; pass a date or time such as '2024-01-31' (ISO 8601)."
        )
    if not isinstance(value, str | _dt.date | np.datetime64 | pd.Timestamp):
        raise TypeError(
            f"`{name}` must be a date, a Timestamp or an ISO 8601 string such as "
            f"'2024-01-31'; got {_short(value)} ({type(value).__name__})."
        )
    return pd.Timestamp(
        require_timestamps([value], name=name, dayfirst=dayfirst, date_format=date_format).iloc[0]
    )


def require_moment(
    value: Any, *, name: str, like: pd.Series, dayfirst: bool | None = None
) -> pd.Timestamp:
    """Parse one date/time ``value``, with a time zone exactly when the times ``like`` have one.

    ``value`` is read by :func:`require_timestamp` (ISO 8601, or a slash date whose
    order the value or ``dayfirst`` settles).

    Examples
    --------
    >>> import pandas as pd
    >>> require_moment("2024-07-01", name="origin", like=pd.Series(pd.to_datetime(["2024-01-01"])))
    Timestamp('2024-07-01 00:00:00')
    """
    moment = require_timestamp(value, name=name, dayfirst=dayfirst)
    zone = getattr(like.dt, "tz", None)
    if (moment.tz is None) != (zone is None):
        raise ValueError(
            f"`{name}` ({moment}) and the event times ({zone or 'no time zone'}) must both "
            "have a time zone or both have none; use `pd.Timestamp(value, tz=...)`."
        )
    return moment


def wall_clock(values: Any, tz: Any = None) -> Any:
    """Read times on one local wall clock (time-zone-naive), the package's one clock.

    Aware times are converted to ``tz`` (when given) and then read as that zone's local
    clock; naive times are taken to be local times already. Events, pings, schedules
    and periods are all compared on this clock, so a day is a local calendar day.
    Works on a datetime Series, a DatetimeIndex or a Timestamp.

    Examples
    --------
    >>> import pandas as pd
    >>> wall_clock(pd.Timestamp("2024-06-01 09:00", tz="Europe/London"))
    Timestamp('2024-06-01 09:00:00')
    """
    zone = values.tz if isinstance(values, pd.Timestamp | pd.DatetimeIndex) else None
    if isinstance(values, pd.Series):
        zone = getattr(values.dt, "tz", None)
    if zone is None:
        return values
    if isinstance(values, pd.Series):
        aware = values.dt.tz_convert(tz) if tz is not None else values
        return aware.dt.tz_localize(None)
    aware = values.tz_convert(tz) if tz is not None else values
    return aware.tz_localize(None)
