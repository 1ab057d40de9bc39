"""Run a function over fixed chunks of work, in this process or on a Dask cluster.

Embarrassingly parallel work (permutations, simulated trials, one analysis per force)
is cut into chunks whose size never depends on the number of workers. Random chunks
get their own seed, spawned per chunk from one :class:`numpy.random.SeedSequence`,
never per worker. So the result for a given ``rng`` is the same whether the chunks run
one after another here or on any number of workers of a ``distributed.Client``.
Dask is imported only when a client is given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np

from hotspotlib._validation import as_rng, require_module, require_type

__all__ = ["chunk_seeds", "check_client", "map_chunks"]

T = TypeVar("T")

_CLIENT = "a distributed.Client (connected to a local or remote Dask cluster), or None"


def check_client(client: Any) -> None:
    """Raise ``TypeError`` unless ``client`` is None or a ``distributed.Client``.

    Examples
    --------
    >>> check_client(None)
    >>> check_client("tcp://127.0.0.1:8786")
    Traceback (most recent call last):
    ...
    TypeError: `client` must be a distributed.Client (connected to a local or remote ...
    """
    if client is None:
        return
    if isinstance(client, str):
        require_type(client, type(None), name="client", expected=_CLIENT + " to run here")
    distributed = require_module(
        "distributed", feature="`client=`", install='pip install "hotspotlib[dask]"'
    )
    require_type(client, distributed.Client, name="client", expected=_CLIENT + " to run here")


def chunk_seeds(
    rng: int | np.random.Generator | None, n_chunks: int
) -> list[np.random.SeedSequence]:
    """Spawn one seed per chunk: ``SeedSequence(rng).spawn(n_chunks)``.

    An integer (or None) seeds the root sequence directly. A Generator spawns from its
    own seed sequence: a fresh ``default_rng(7)`` gives the same seeds as ``7``, and the
    same generator passed again gives new ones.

    Examples
    --------
    >>> first = chunk_seeds(7, 3)
    >>> [s.spawn_key for s in first]
    [(0,), (1,), (2,)]
    >>> a = np.random.default_rng(first[1]).random()
    >>> b = np.random.default_rng(chunk_seeds(7, 5)[1]).random()
    >>> a == b
    True
    >>> generator = np.random.default_rng(7)
    >>> [s.spawn_key for s in chunk_seeds(generator, 2)], chunk_seeds(generator, 1)[0].spawn_key
    ([(0,), (1,)], (2,))
    """
    as_rng(rng)  # refuses a RandomState or another type, as every rng argument does
    if isinstance(rng, np.random.Generator):
        # numpy >= 1.25 names it `seed_seq`; spawning from it advances the generator's
        # count of children, so the same generator passed again gives new seeds
        bits = rng.bit_generator
        root = getattr(bits, "seed_seq", None) or getattr(bits, "_seed_seq")  # noqa: B009
        return list(root.spawn(n_chunks))
    return np.random.SeedSequence(None if rng is None else int(rng)).spawn(n_chunks)


def map_chunks(
    function: Callable[..., T],
    chunks: Sequence[Any],
    *,
    shared: dict[str, Any] | None = None,
    client: Any = None,
    progress: bool = False,
    desc: str = "chunks",
) -> list[T]:
    """Return ``[function(chunk, **shared) for chunk in chunks]``, in order.

    With a ``distributed.Client`` the shared arguments are scattered once to every
    worker and the chunks run as tasks; the results come back in the chunks' order.
    ``function`` must be a module-level function (picklable) that only reads its
    arguments.

    Examples
    --------
    >>> map_chunks(pow, [1, 2, 3], shared={"exp": 2})
    [1, 4, 9]
    """
    kwargs = dict(shared or {})
    if client is None:
        items: Any = chunks
        if progress:
            from tqdm.auto import tqdm

            items = tqdm(chunks, desc=desc)
        return [function(chunk, **kwargs) for chunk in items]
    # wrapped in a list so that a list or dict argument is sent whole, not item by item
    scattered = {
        name: client.scatter([value], broadcast=True, hash=False)[0]
        for name, value in kwargs.items()
    }
    futures = client.map(function, list(chunks), pure=False, **scattered)
    if progress:
        from distributed import as_completed
        from tqdm.auto import tqdm

        for _ in tqdm(as_completed(futures), total=len(futures), desc=desc):
            pass
    results: list[T] = client.gather(futures)
    return results
