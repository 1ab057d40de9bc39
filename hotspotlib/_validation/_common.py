"""Options, random generators, columns, per-event weights and memory estimates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar, get_args

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._validation._arrays import require_numbers
from hotspotlib._validation._numbers import _short

T = TypeVar("T")


def check_option(value: T, options: Any, *, name: str) -> T:
    """Return ``value`` if it is one of ``options`` (a ``Literal`` alias or a sequence).

    Raises ``ValueError`` listing the options otherwise; ``name`` is the argument's name.

    Examples
    --------
    >>> from hotspotlib._options import Kernel
    >>> check_option("quartic", Kernel, name="kernel")
    'quartic'
    """
    allowed = get_args(options) or tuple(options)
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"`{name}` must be one of {listed}; got {_short(value)}.")
    return value


def as_rng(rng: int | np.random.Generator | None) -> np.random.Generator:
    """Turn ``rng`` (a seed, a Generator or None) into a :class:`numpy.random.Generator`.

    Examples
    --------
    >>> int(as_rng(1).integers(10)) == int(as_rng(1).integers(10))
    True
    """
    if isinstance(rng, np.random.RandomState):
        raise TypeError(
            "`rng` must be an int, a numpy.random.Generator or None; got a legacy "
            "RandomState. Use `numpy.random.default_rng(seed)`."
        )
    if rng is not None and not isinstance(rng, (int, np.integer, np.random.Generator)):
        raise TypeError(
            f"`rng` must be an int, a numpy.random.Generator or None; got {_short(rng)}."
        )
    return np.random.default_rng(rng)


def require_nonempty(values: Any, *, name: str, fix: str = "") -> None:
    """Raise ``ValueError`` if ``values`` (a frame, series, array or sequence) is empty.

    Examples
    --------
    >>> import pandas as pd
    >>> require_nonempty(pd.DataFrame({"a": []}), name="events")
    Traceback (most recent call last):
    ...
    ValueError: `events` is empty (0 rows); pass at least one row.
    >>> require_nonempty([], name="methods", fix="Pass e.g. ['counts'].")
    Traceback (most recent call last):
    ...
    ValueError: `methods` is empty; Pass e.g. ['counts'].
    """
    if len(values) == 0:
        if isinstance(values, pd.DataFrame | pd.Series):
            raise ValueError(f"`{name}` is empty (0 rows); {fix or 'pass at least one row.'}")
        raise ValueError(f"`{name}` is empty; {fix or 'pass at least one value.'}")


def require_type(value: Any, kinds: type | tuple[type, ...], *, name: str, expected: str) -> None:
    """Raise ``TypeError`` unless ``value`` is an instance of ``kinds``.

    ``expected`` says in words what to pass (and where it comes from).

    Examples
    --------
    >>> require_type(3, str, name="column", expected="a column name")
    Traceback (most recent call last):
    ...
    TypeError: `column` must be a column name; got int 3.
    """
    if not isinstance(value, kinds):
        raise TypeError(f"`{name}` must be {expected}; got {type(value).__name__} {_short(value)}.")


def require_unique(values: Any, *, name: str, what: str = "values") -> None:
    """Raise ``ValueError`` naming a few repeats if ``values`` holds any value twice.

    Examples
    --------
    >>> import pandas as pd
    >>> require_unique(pd.Index([1, 2, 2]), name="places", what="index values (place ids)")
    Traceback (most recent call last):
    ...
    ValueError: `places` has repeated index values (place ids): 2; each must appear once.
    """
    index = pd.Index(values)
    if not index.is_unique:
        repeats = index[index.duplicated()].unique()[:3]
        shown = ", ".join(str(v) for v in repeats)
        raise ValueError(f"`{name}` has repeated {what}: {shown}; each must appear once.")


def require_columns(frame: pd.DataFrame, columns: Iterable[str], *, name: str) -> None:
    """Raise ``ValueError`` naming any of ``columns`` missing from ``frame``.

    Examples
    --------
    >>> import pandas as pd
    >>> require_columns(pd.DataFrame({"a": [1]}), ["a"], name="table")
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"`{name}` must be a pandas DataFrame; got {type(frame).__name__}.")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        have = ", ".join(repr(c) for c in list(frame.columns)[:20])
        raise ValueError(
            f"`{name}` is missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"it has {have}. Rename the columns or pass the right names."
        )


def require_weights(
    frame: pd.DataFrame,
    weights: str | Sequence[float] | NDArray[Any] | pd.Series | None,
    *,
    name: str = "weights",
) -> NDArray[np.float64] | None:
    """Resolve ``weights`` (a column name or an array aligned with ``frame``) to an array.

    Return float64 weights, one per row (None when ``weights`` is None), which must be
    finite, non-negative and not all zero. A Series is matched to the rows by label.

    Examples
    --------
    >>> import pandas as pd
    >>> require_weights(pd.DataFrame({"harm": [1.0, 365.0]}), "harm")
    array([  1., 365.])
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        require_columns(frame, [weights], name="events")
        source = f"column {weights!r}"
        raw = frame[weights]
        if not pd.api.types.is_numeric_dtype(raw):
            raise TypeError(
                f"`{name}` {source} must be numeric; it has dtype {raw.dtype}. Convert it "
                f"first, e.g. `events[{weights!r}] = pandas.to_numeric(events[{weights!r}])`."
            )
        values = raw.to_numpy(dtype=float)
    else:
        source = "array"
        if isinstance(weights, pd.Series) and not weights.index.equals(frame.index):
            source = "Series"
            found = frame.index.isin(weights.index) if weights.index.is_unique else [False]
            if len(weights) != len(frame) or not frame.index.is_unique or not np.all(found):
                raise ValueError(
                    f"`{name}` is a Series whose index labels are not the rows' labels; "
                    "reindex it to the rows, or pass `.to_numpy()` to use it by position."
                )
            weights = weights.reindex(frame.index)
        values = require_numbers(
            weights,
            name=name,
            fix="Pass a column name or one number per row (a list, array or Series).",
        )
        if values.shape != (len(frame),):
            raise ValueError(
                f"`{name}` must have one value per row ({len(frame)}); got shape {values.shape}."
            )
    if not np.isfinite(values).all():
        n_bad = int((~np.isfinite(values)).sum())
        raise ValueError(
            f"`{name}` ({source}) has {n_bad} NaN or infinite values; fill them "
            "(e.g. `.fillna(0)`) or drop those rows."
        )
    if (values < 0).any():
        raise ValueError(
            f"`{name}` ({source}) has {int((values < 0).sum())} negative values "
            f"(min {values.min():g}); weights must be >= 0."
        )
    if not (values > 0).any():
        raise ValueError(f"`{name}` ({source}) are all zero; nothing to weigh.")
    return values


def require_grid_size(n_cells: int, *, max_cells: int, name: str = "cell_size_m") -> None:
    """Refuse, before allocating, a grid of more than ``max_cells`` cells (ValueError).

    Examples
    --------
    >>> require_grid_size(1_000, max_cells=10_000_000)
    >>> require_grid_size(20_000_000, max_cells=10_000_000)
    Traceback (most recent call last):
    ...
    ValueError: The grid would have 20,000,000 cells ...
    """
    if n_cells > max_cells:
        megabytes = n_cells * 8 * 6 / 1e6  # a handful of float64 arrays per cell
        raise ValueError(
            f"The grid would have {n_cells:,} cells (about {megabytes:,.0f} MB to work with), "
            f"over the limit of {max_cells:,}. Use a larger `{name}`, a smaller area, "
            "or raise `max_cells` if you have the memory."
        )


MAX_ALLOCATION_BYTES = 2 * 1024**3  # refuse single working sets above 2 GiB


def require_allocation(
    n_items: float,
    bytes_per_item: float,
    *,
    name: str,
    fix: str,
    what: str = "items",
    max_bytes: float = MAX_ALLOCATION_BYTES,
) -> None:
    """Refuse, before allocating, work whose memory grows past ``max_bytes``.

    ``n_items`` (a float, so that products of parameters cannot overflow) times
    ``bytes_per_item`` is the estimate; ``name`` is the argument that drives it and
    ``fix`` says what to change.

    Examples
    --------
    >>> require_allocation(1e6, 8, name="n_permutations", fix="Use fewer.")
    >>> require_allocation(1e12, 8, name="n_permutations", fix="Use fewer.")
    Traceback (most recent call last):
    ...
    ValueError: `n_permutations` would need 1e+12 items, about 7,451 GiB of memory, ...
    """
    need = float(n_items) * float(bytes_per_item)
    if need > max_bytes:
        raise ValueError(
            f"`{name}` would need {float(n_items):.3g} {what}, about "
            f"{need / 1024**3:,.0f} GiB of memory, over the limit of "
            f"{max_bytes / 1024**3:,.1f} GiB; refused before allocating. {fix}"
        )


def require_complete(values: Any, *, name: str, fix: str = "") -> None:
    """Raise ``ValueError`` if ``values`` (labels, ids or numbers) has missing entries.

    Examples
    --------
    >>> require_complete(["a", None, "b"], name="blocks")
    Traceback (most recent call last):
    ...
    ValueError: `blocks` has 1 missing values out of 3; fill them or drop those rows.
    """
    missing = pd.isna(pd.Series(values, dtype=object if not hasattr(values, "dtype") else None))
    if missing.any():
        raise ValueError(
            f"`{name}` has {int(missing.sum())} missing values out of {len(missing)}; "
            f"{fix or 'fill them or drop those rows.'}"
        )


def require_subset(
    values: Any, allowed: Any, *, name: str, among: str, what: str = "values", fix: str = ""
) -> None:
    """Raise ``ValueError`` naming a few ``values`` that are not among ``allowed``.

    ``among`` names where the allowed values come from (e.g. ``"`covariates.index`"``).

    Examples
    --------
    >>> require_subset([1, 2], [1, 2, 3], name="ids", among="the places")
    >>> require_subset([1, 4], [1, 2, 3], name="ids", among="the places", what="place ids")
    Traceback (most recent call last):
    ...
    ValueError: `ids` has 1 place ids not among the places (e.g. [4]).
    """
    index = pd.Index(values)
    outside = ~index.isin(pd.Index(allowed))
    if outside.any():
        shown = index[outside].unique()[:5].tolist()
        raise ValueError(
            f"`{name}` has {int(outside.sum())} {what} not among {among} (e.g. {shown}). "
            f"{fix}".rstrip()
        )


def require_found(found: Any, *, name: str, what: str, where: str, fix: str = "") -> None:
    """Raise ``FileNotFoundError`` when nothing was found (an empty list, or False).

    ``what`` names what was looked for and ``where`` where (with its preposition): the
    message reads "`name`: no <what> <where>".

    Examples
    --------
    >>> require_found([], name="paths", what=".csv files", where="in the folder 'data'")
    Traceback (most recent call last):
    ...
    FileNotFoundError: `paths`: no .csv files in the folder 'data'.
    """
    if not found:
        raise FileNotFoundError(f"`{name}`: no {what} {where}.{f' {fix}' if fix else ''}")
