"""Lazy matplotlib helpers: imported only inside ``.plot()`` methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["get_axes", "require_matplotlib"]


def require_matplotlib() -> Any:
    """Import and return :mod:`matplotlib.pyplot`, or explain how to install it.

    Raises
    ------
    ImportError
        If matplotlib is not installed; the message names the ``plot`` extra.
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - exercised only without matplotlib
        raise ImportError(
            "Plotting needs matplotlib, which is not installed. "
            "Install it with `pip install 'hotspotlib[plot]'`."
        ) from error
    return plt


def get_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (7.0, 6.0)) -> Axes:
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    plt = require_matplotlib()
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax
