"""The one warning class the library raises, so that users and tools can filter it."""

from __future__ import annotations

__all__ = ["HotspotlibWarning"]


class HotspotlibWarning(UserWarning):
    """A caveat about a result: something was dropped, guessed, clipped or slow.

    Every warning hotspotlib gives is of this class (a ``UserWarning``, so existing
    filters on ``UserWarning`` still apply). Filter it by class rather than by message,
    which may change between releases.

    See Also
    --------
    read_police_uk : Warns when rows are dropped (no location, outside the UK).
    count_events : Warns when more than half the events fall outside the grid.

    References
    ----------
    .. [1] Python documentation, "warnings: warning control",
       https://docs.python.org/3/library/warnings.html

    Examples
    --------
    >>> import warnings
    >>> import hotspotlib as hs
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", hs.HotspotlibWarning)  # caveats stop the run
    ...     issubclass(hs.HotspotlibWarning, UserWarning)
    True
    """
