"""Fixtures for the trials tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="module")
def _single_thread_blas():
    """Model fits here are small; one BLAS thread avoids oversubscribing shared CPUs."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: only changes speed, never results
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield
