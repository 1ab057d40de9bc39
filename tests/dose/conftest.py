"""Fixtures for the dose tests: a day's patrol schedule on the synthetic city's hot spots."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


def make_schedule(
    n_officers: int = 4,
    n_visits: int = 10,
    *,
    start: str = "2024-01-01 08:00",
    place_ids: np.ndarray | None = None,
    seed: int = 7,
    column: str = "hotspot_id",
) -> pd.DataFrame:
    """Visits of 1-25 whole minutes, 20-60 minutes apart, at random places."""
    rng = np.random.default_rng(seed)
    ids = np.arange(20) if place_ids is None else np.asarray(place_ids)
    minutes = rng.integers(1, 26, size=(n_officers, n_visits)).astype(float)
    gaps = rng.integers(20, 61, size=(n_officers, n_visits))
    offset = np.cumsum(minutes + gaps, axis=1) - (minutes + gaps)
    arrival = pd.Timestamp(start) + pd.to_timedelta(
        offset.ravel() + rng.integers(0, 30, n_officers).repeat(n_visits), unit="min"
    )
    return pd.DataFrame(
        {
            "officer_id": np.repeat([f"P{i}" for i in range(n_officers)], n_visits),
            column: rng.choice(ids, size=n_officers * n_visits),
            "arrival": arrival,
            "minutes": minutes.ravel(),
        }
    )


@pytest.fixture
def schedule() -> pd.DataFrame:
    return make_schedule()


@pytest.fixture
def schedule_factory():
    """The schedule builder, for tests that need several different schedules."""
    return make_schedule
