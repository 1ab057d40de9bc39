"""One BLAS thread for the library's iterative fits.

The fits (Newton steps and IRLS on tall, narrow designs: lagged regressions, fixed
effects, generalised estimating equations) make many small matrix products. OpenBLAS's
default of one thread per core makes them slower, not faster: on 2 cores the threads
spin against each other and against any other load. :func:`single_thread_blas` limits
the BLAS libraries loaded in the process (numpy's and scipy's OpenBLAS, MKL, ...) to one
thread while a fit runs and puts the previous limits back afterwards.

It only ever lowers the limit (one thread is the least there is), so a limit the user
set is kept or lowered during the call and restored after it. Nested and concurrent
uses share one limit: the first to enter sets it and the last to leave restores it, so
a fit running in one thread cannot hand back a limit another thread still relies on.
OpenBLAS built without OpenMP has one pool for the process, and threadpoolctl (3.8 on)
lets only one thread set it: the first to set a limit, until it lets go. So each
setting and restoring lets go straight after; otherwise the thread that ran the first
fit would keep hold, and a restore from another thread, or the caller's own limits,
would silently do nothing.

Finding the loaded libraries takes about 10 ms with a full scientific stack imported,
more than many fits, so the list is kept and found again only when modules have been
imported since (a new extension module may have brought its own BLAS); setting and
restoring the limits then costs about 0.1 ms.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from threadpoolctl import ThreadpoolController

__all__ = ["single_thread_blas"]

_lock = threading.Lock()
_depth = 0
_limiter: Any = None
_found: tuple[int, ThreadpoolController | None] = (0, None)
# The limit set while a fit runs; None leaves the thread pools as they are (the
# benchmark and the tests compare the fits with and without it).
_limit: int | None = 1


def _controller() -> ThreadpoolController:
    """Return the loaded libraries' thread pools, found again when modules were imported."""
    from threadpoolctl import ThreadpoolController  # on first use: not at import

    global _found
    n_modules, controller = _found
    if controller is None or n_modules != len(sys.modules):
        n_modules = len(sys.modules)  # before the scan, so a module it imports forces a rescan
        controller = ThreadpoolController()
        _found = (n_modules, controller)
    return controller


def _let_go() -> None:
    """Let other threads set OpenBLAS's limits again, if this thread holds them."""
    import threadpoolctl

    release = getattr(
        getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None
    )
    if release is not None:  # threadpoolctl < 3.8 lets every thread set the limits
        release()


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Run the ``with`` block with every BLAS library limited to one thread.

    Usable as a context manager (``with single_thread_blas(): ...``) or as a decorator
    (``@single_thread_blas()``). The limits in force before the first entry are
    restored when the last nested or concurrent use leaves.
    """
    global _depth, _limiter
    with _lock:
        if _depth == 0:
            _limiter = _controller().limit(limits=_limit, user_api="blas")
            _let_go()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limiter.restore_original_limits()
                _limiter = None
                _let_go()
