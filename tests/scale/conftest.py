"""A local Dask cluster started by the tests themselves (2 workers), shared by the module."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def client():
    """A ``distributed.Client`` on a 2-worker ``LocalCluster`` (threads, any free port)."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    )
    with distributed.Client(cluster) as dask_client:
        yield dask_client
    cluster.close()
