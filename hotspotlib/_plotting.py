"""Lazy matplotlib helpers: imported only inside ``.plot()`` methods."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hotspotlib._validation import require_module

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
    return require_module(
        "matplotlib.pyplot", feature="Plotting", install="pip install 'hotspotlib[plot]'"
    )


def get_axes(ax: Axes | None = None, *, figsize: tuple[float, float] = (7.0, 6.0)) -> Axes:
    """Return ``ax``, or a new Axes on a new figure when ``ax`` is None."""
    if ax is not None:
        return ax
    plt = require_matplotlib()
    _, new_ax = plt.subplots(figsize=figsize)
    return new_ax
