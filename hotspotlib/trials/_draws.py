"""Vectorised random draws shared by the assignment functions (internal).

The core operation is "treat exactly k_b units of block b": give every unit a uniform
random key, sort by (block, key) and treat the first k_b of each block. Many draws are
generated at once as one array, which is what randomisation inference re-uses.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hotspotlib._validation import as_rng

__all__ = ["draw_within_blocks", "start_generator"]


def start_generator(
    rng: int | np.random.Generator | None,
) -> tuple[np.random.Generator, dict[str, Any]]:
    """Return a generator and the record needed to reproduce it.

    ``None`` draws fresh entropy and records it as the seed, so an unseeded
    allocation can still be re-created exactly from its audit trail.
    """
    as_rng(rng)  # type checks and the message for bad input
    if rng is None:
        seed: int | None = int(np.random.SeedSequence().entropy)  # type: ignore[arg-type]
        generator = np.random.default_rng(seed)
        state = None
    elif isinstance(rng, np.random.Generator):
        seed = None
        state = rng.bit_generator.state
        generator = rng
    else:
        seed = int(rng)
        generator = np.random.default_rng(seed)
        state = None
    record = {
        "seed": seed,
        "generator_state": state,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return generator, record


def draw_within_blocks(
    generator: np.random.Generator,
    block_codes: NDArray[np.int64],
    n_treated: NDArray[np.int64],
    shape: tuple[int, ...],
) -> NDArray[np.bool_]:
    """Draw treatment indicators of shape ``shape + (n_units,)``.

    In every draw (every index of ``shape``), exactly ``n_treated[b]`` units of block
    ``b`` are treated, each subset equally likely (uniform keys, sorted within block).
    """
    n_units = len(block_codes)
    keys = generator.random((*shape, n_units))
    if len(n_treated) == 1:  # one block: the k smallest keys, found by partition (faster)
        k = int(n_treated[0])
        if k == 0:
            return np.zeros(keys.shape, dtype=bool)
        return np.asarray(keys <= np.partition(keys, k - 1, axis=-1)[..., k - 1 : k])
    # Blocks are sorted first (integer part), keys inside them (fractional part).
    order = np.argsort(keys + block_codes, axis=-1, kind="stable")
    sorted_blocks = block_codes[order]
    block_start = np.searchsorted(np.sort(block_codes), np.arange(len(n_treated)))
    rank = np.arange(n_units) - block_start[sorted_blocks]
    chosen_sorted = rank < n_treated[sorted_blocks]
    treated = np.empty_like(chosen_sorted)
    np.put_along_axis(treated, order, chosen_sorted, axis=-1)
    return treated
