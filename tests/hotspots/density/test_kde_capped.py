"""kde warns when the fine-node cap cuts its default oversampling below the accuracy aim."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import hotspotlib as hs
from hotspotlib.hotspots.density import _engines


@pytest.fixture
def events() -> object:
    return hs.synthetic_city(n_events=2_000, rng=3).events


def test_capped_default_warns_with_the_bound_it_records(
    events: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_engines, "MAX_FINE_NODES", 20_000)
    with pytest.warns(UserWarning, match=r"oversample=1: .* up to ([0-9.]+)% of its peak"):
        capped = hs.kde(events, bandwidth_m=100, cell_size_m=20, method="fft")
    assert capped.oversample == 1 and capped.binning_error_bound > 0.005
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hs.kde(events, bandwidth_m=100, cell_size_m=20, method="fft")
    message = str(caught[0].message)
    assert f"{capped.binning_error_bound:.2%}" in message and "method='exact'" in message


def test_no_warning_when_asked_or_within_the_aim(
    events: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        full = hs.kde(events, bandwidth_m=100, cell_size_m=20, method="fft")
        assert 1e-3 < full.binning_error_bound <= 0.005  # capped, but within the warning level
        monkeypatch.setattr(_engines, "MAX_FINE_NODES", 20_000)
        chosen = hs.kde(events, bandwidth_m=100, cell_size_m=20, method="fft", oversample=1)
        exact = hs.kde(events, bandwidth_m=100, cell_size_m=20, method="exact")
    assert chosen.oversample == 1 and exact.binning_error_bound == 0.0
    # coarser binning is further from the exact sum, as its larger bound says
    coarse = np.nanmax(np.abs(chosen.values - exact.values))
    assert coarse > np.nanmax(np.abs(full.values - exact.values))
