"""Random assignment of places to k arms (control, patrol, patrol plus POP ...).

The Home Office "Grip" evaluations compared more than two conditions: no extra
patrol, visible patrol, and patrol together with problem-oriented policing. This is
the multi-arm counterpart of :func:`assign_places`: complete, block or stratified
designs, exact numbers per arm within each block, and the same audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_shape,
    require_unique,
    require_whole,
    require_within,
)
from hotspotlib._version import __version__
from hotspotlib.trials._common import place_index
from hotspotlib.trials._draws import start_generator
from hotspotlib.trials.assign import _blocks_for

__all__ = ["ArmAssignment", "assign_arms", "per_block_counts"]

ArmDesign = Literal["complete", "block", "stratified"]
_ALGORITHMS = {
    "complete": "complete randomisation: exactly n_a places in arm a",
    "block": "block randomisation: exactly n_ab places of arm a within each block b",
    "stratified": "stratified: `rank_by` cut into equal-count strata, block randomisation within",
}


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class ArmAssignment(FrozenResult):
    """Places randomly assigned to one of several arms.

    Attributes
    ----------
    place_ids : pandas.Index
        The places, in input order.
    arm_codes : numpy.ndarray
        Integer arm per place (a position in ``arms``).
    arms : tuple of str
        Arm labels; the first is the control (the reference of the comparisons).
    shares : numpy.ndarray
        Target share of places per arm.
    block : numpy.ndarray
        Integer block (or stratum) code per place; all 0 for a complete design.
    n_per_block : numpy.ndarray
        ``(n_blocks, n_arms)`` places of each arm in each block (fixed by the design).
    design : str
        ``"complete"``, ``"block"`` or ``"stratified"``.
    audit : Mapping
        Seed, algorithm, library version and time of allocation. Not compared by
        ``==``: two allocations are equal when they allocate the same, whenever made.
    place_column : str
        Name of the place index in :meth:`to_frame`.

    See Also
    --------
    assign_arms : Draw one.

    References
    ----------
    .. [1] Schulz, Altman and Moher (2010). CONSORT 2010. https://doi.org/10.1136/bmj.c332
    """

    place_ids: pd.Index
    arm_codes: NDArray[np.int64]
    arms: tuple[str, ...]
    shares: NDArray[np.float64]
    block: NDArray[np.int64]
    n_per_block: NDArray[np.int64]
    design: str
    audit: Mapping[str, Any] = field(default_factory=dict, compare=False)
    place_column: str = PLACE

    _title: ClassVar[str] = "Random assignment of places to arms"

    @property
    def arm(self) -> NDArray[np.object_]:
        """Arm label per place."""
        return np.asarray(self.arms, dtype=object)[self.arm_codes]

    def redraw(
        self, n_draws: int, *, rng: int | np.random.Generator | None = None
    ) -> NDArray[np.int64]:
        """Draw ``n_draws`` new allocations (arm codes, shape ``(n_draws, n_places)``).

        Same blocks and the same number of places per arm in each block.
        """
        size = require_whole(n_draws, name="n_draws", minimum=1)
        return draw_arms(as_rng(rng), self.block, self.n_per_block, size)

    def to_frame(self) -> pd.DataFrame:
        """One row per place: ``arm`` (label) and ``block``, indexed by place id."""
        return pd.DataFrame(
            {"arm": self.arm, "block": self.block},
            index=self.place_ids.rename(self.place_column),
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The design, arms, target shares, place column and the audit trail."""
        return frozen_mapping(
            {
                "design": self.design,
                "arms": ", ".join(self.arms),
                "control": self.arms[0],
                "shares": ", ".join(f"{s:.3g}" for s in self.shares),
                "place_column": self.place_column,
                **{k: v for k, v in self.audit.items() if k != "generator_state"},
            }
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Places in each arm and the number of blocks."""
        per_arm = self.n_per_block.sum(axis=0)
        return frozen_mapping(
            {
                "n_places": len(self.place_ids),
                **{f"n_{arm}": int(n) for arm, n in zip(self.arms, per_arm, strict=True)},
                "n_blocks": len(self.n_per_block),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How the numbers per arm were fixed, and how to analyse."""
        return (
            "Places per arm in each block: floor(share * block size); the places left "
            "over go to the arms furthest below their overall target (earlier arms on ties).",
            f"Analyse by assigned arm (intention to treat) against {self.arms[0]!r} with "
            "estimate_arms; re-create the allocation from the recorded seed.",
        )


def assign_arms(
    places: Any,
    *,
    arms: Sequence[str] = ("control", "patrol", "patrol_pop"),
    shares: Sequence[float] | None = None,
    design: ArmDesign = "complete",
    blocks: str | Sequence[Any] | NDArray[Any] | pd.Series | None = None,
    rank_by: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    n_strata: int = 3,
    rng: int | np.random.Generator | None = None,
) -> ArmAssignment:
    """Randomly assign places to several arms, with exact numbers per arm and block.

    Parameters
    ----------
    places : DataFrame, GeoDataFrame or sequence
        The places (ids are the index of a frame, or the values of a sequence).
    arms : sequence of str
        Arm labels, at least two; the first is the control arm.
    shares : sequence of float, optional
        Share of places per arm (one per arm, positive, normalised to sum to 1).
        Equal shares by default.
    design : {"complete", "block", "stratified"}
        As in :func:`assign_places`: one block; the blocks of ``blocks``; or
        ``rank_by`` cut into ``n_strata`` equal-count strata.
    blocks : str or array-like, optional
        Column of ``places`` or one label per place (``design="block"``).
    rank_by : str or array-like, optional
        Numeric column or values forming the strata (``design="stratified"``).
    n_strata : int
        Number of strata.
    rng : int, Generator or None
        Seed or generator. With None, fresh entropy is drawn and recorded as the seed.

    Returns
    -------
    ArmAssignment
        The allocation, its design and its audit trail.

    See Also
    --------
    assign_places : two arms, and matched pairs.
    estimate_arms : each arm against control, and arm against arm.

    References
    ----------
    .. [1] Ariel, B., Weinborn, C. and Sherman, L. W. (2016). "Soft" policing at hot spots:
       do police community support officers work? A randomized controlled trial. Journal of
       Experimental Criminology 12(3), 277-317. https://doi.org/10.1007/s11292-016-9260-4
    .. [2] Schulz, K. F., Altman, D. G. and Moher, D. (2010). CONSORT 2010 statement:
       updated guidelines for reporting parallel group randomised trials. BMJ 340, c332.
       https://doi.org/10.1136/bmj.c332

    Examples
    --------
    >>> import hotspotlib as hs
    >>> plan = hs.assign_arms(range(30), rng=1)
    >>> dict(plan.counts)
    {'n_places': 30, 'n_control': 10, 'n_patrol': 10, 'n_patrol_pop': 10, 'n_blocks': 1}
    """
    check_option(design, ArmDesign, name="design")
    labels = [str(a) for a in ([arms] if isinstance(arms, str) else arms)]
    require_whole(len(labels), name="number of arms", minimum=2, fix="Name at least two arms.")
    require_unique(labels, name="arms", what="arm labels")
    ids = place_index(places)
    target = _shares(shares, len(labels))
    codes = _blocks_for(places, design, 0.5, blocks, rank_by, n_strata, len(ids))
    counts = per_block_counts(np.bincount(codes), target)
    for arm, n in zip(labels, counts.sum(axis=0), strict=True):
        require_whole(
            int(n),
            name=f"places in arm {arm!r}",
            minimum=1,
            fix="Use more places, fewer arms or a larger share for that arm.",
        )
    generator, record = start_generator(rng)
    audit = {
        **record,
        "algorithm": _ALGORITHMS[design],
        "library": f"hotspotlib {__version__}",
    }
    return ArmAssignment(
        place_ids=ids,
        arm_codes=draw_arms(generator, codes, counts, 1)[0],
        arms=tuple(labels),
        shares=target,
        block=codes,
        n_per_block=counts,
        design=design,
        audit=audit,
        place_column=str(ids.name) if ids.name is not None else PLACE,
    )


def _shares(shares: Sequence[float] | None, k: int) -> NDArray[np.float64]:
    if shares is None:
        return np.full(k, 1.0 / k)
    values = require_within(shares, name="shares", low=0, low_open=True).astype(float)
    require_shape(values, (k,), name="shares", what="one share per arm")
    return values / values.sum()


def per_block_counts(sizes: NDArray[np.int64], shares: NDArray[np.float64]) -> NDArray[np.int64]:
    """Places per (block, arm): floors, then each block's leftovers by overall deficit.

    Block by block, the places left after the floors go to the arms furthest below
    their target share of the places allocated so far (earlier arms on ties), so the
    totals stay as close to the shares as whole numbers allow.
    """
    counts = np.floor(sizes[:, None] * shares[None, :] + 1e-9).astype(np.int64)
    given = np.zeros(len(shares))
    for b, size in enumerate(sizes):  # one pass over the blocks (a handful to hundreds)
        left = int(size - counts[b].sum())
        deficit = shares * sizes[: b + 1].sum() - given - counts[b]
        counts[b, np.argsort(-deficit, kind="stable")[:left]] += 1
        given += counts[b]
    return counts


def draw_arms(
    generator: np.random.Generator,
    block: NDArray[np.int64],
    counts: NDArray[np.int64],
    n_draws: int,
) -> NDArray[np.int64]:
    """Arm codes of shape ``(n_draws, n)``, exactly ``counts[b, a]`` of arm a in block b.

    Uniform keys sorted within blocks (as :func:`draw_within_blocks`); the place of
    rank r in block b gets the arm whose cumulative count first exceeds r.
    """
    n = len(block)
    keys = generator.random((n_draws, n))
    order = np.argsort(keys + block, axis=-1, kind="stable")
    sorted_blocks = block[order]
    start = np.searchsorted(np.sort(block), np.arange(len(counts)))
    rank = np.arange(n) - start[sorted_blocks]
    limits = np.cumsum(counts, axis=1)[sorted_blocks]  # (draws, n, arms)
    arm_sorted = (rank[..., None] >= limits).sum(axis=-1)
    out = np.empty_like(arm_sorted)
    np.put_along_axis(out, order, arm_sorted, axis=-1)
    return out.astype(np.int64)
