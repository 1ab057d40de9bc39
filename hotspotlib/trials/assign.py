"""Random assignment of places to patrol (treatment) or control, with an audit trail.

Complete, block, matched-pair and stratified designs, with optional re-randomisation
until covariate balance passes a threshold. Every allocation records its seed (fresh
entropy is drawn and recorded when none is given), the algorithm and the library
version, so it can be re-created and re-drawn for randomisation inference.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from hotspotlib._columns import PLACE
from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._options import Design
from hotspotlib._validation import (
    as_rng,
    check_option,
    require_finite,
    require_positive,
    require_probability,
    require_relevant,
    require_shape,
    require_whole,
)
from hotspotlib._version import __version__
from hotspotlib.trials._common import (
    block_codes,
    place_index,
    require_arm_sizes,
    resolve_column,
    standardised_differences,
)
from hotspotlib.trials._draws import draw_within_blocks, start_generator

__all__ = ["PlaceAssignment", "assign_places"]

_ALGORITHMS = {
    "complete": "complete randomisation: exactly round(share*N) places treated",
    "block": "block randomisation: exactly round(share*n_b) treated within each block",
    "pair": "matched pairs: places ranked on `rank_by`, adjacent pairs, one of each treated",
    "stratified": "stratified: `rank_by` cut into equal-count strata, block randomisation within",
}
_CHUNK = 1_000


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class PlaceAssignment(FrozenResult):
    """Places randomly assigned to treatment or control (a parallel-design allocation).

    Attributes
    ----------
    place_ids : pandas.Index
        The places, in input order.
    treated : numpy.ndarray
        Boolean, one per place.
    block : numpy.ndarray
        Integer block (or pair, or stratum) code per place; all 0 for a complete design.
    n_treated_per_block : numpy.ndarray
        Places treated in each block (fixed by the design).
    design : str
        ``"complete"``, ``"block"``, ``"pair"`` or ``"stratified"``.
    treated_share : float
        Target share treated.
    audit : Mapping
        Seed, generator state (when a Generator was passed), algorithm, library version,
        time of allocation, number of draws and the re-randomisation rule. Not compared by
        ``==``: two allocations are equal when they allocate the same, whenever made.
    balance_covariates : numpy.ndarray or None
        Covariates used for re-randomisation (kept to re-draw under the same rule).
    balance_threshold : float or None
        Maximum absolute standardised difference accepted when re-randomising.
    place_column : str
        Name of the place index in :meth:`to_frame` (the places' index name, or
        ``"hotspot_id"``).

    See Also
    --------
    assign_places : Draw one.

    References
    ----------
    .. [1] Sherman and Weisburd (1995). https://doi.org/10.1080/07418829500096221
    """

    place_ids: pd.Index
    treated: NDArray[np.bool_]
    block: NDArray[np.int64]
    n_treated_per_block: NDArray[np.int64]
    design: str
    treated_share: float
    audit: Mapping[str, Any] = field(default_factory=dict, compare=False)
    balance_covariates: NDArray[np.float64] | None = None
    balance_threshold: float | None = None
    place_column: str = PLACE

    _title: ClassVar[str] = "Random assignment of places"

    @property
    def n_treated(self) -> int:
        """Number of treated places."""
        return int(self.treated.sum())

    @property
    def n_control(self) -> int:
        """Number of control places."""
        return int(len(self.treated) - self.treated.sum())

    def redraw(
        self, n_draws: int, *, rng: int | np.random.Generator | None = None
    ) -> NDArray[np.bool_]:
        """Draw ``n_draws`` new allocations under exactly this design.

        Same blocks, same number treated per block and, when the allocation was
        re-randomised, the same balance rule (draws failing it are rejected).

        Returns
        -------
        numpy.ndarray
            Boolean array of shape ``(n_draws, n_places)``.
        """
        generator = as_rng(rng)
        return _draw(
            generator,
            self.block,
            self.n_treated_per_block,
            n_draws,
            self.balance_covariates,
            self.balance_threshold,
            max_draws=max(100 * n_draws, 10_000),
        )[0]

    def to_frame(self) -> pd.DataFrame:
        """One row per place: ``treated`` (0/1) and ``block``, indexed by place id."""
        return pd.DataFrame(
            {"treated": self.treated.astype(np.int64), "block": self.block},
            index=self.place_ids.rename(self.place_column),
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """The design, target share, place column and the audit trail."""
        return frozen_mapping(
            {
                "design": self.design,
                "treated_share": self.treated_share,
                "balance_threshold": self.balance_threshold,
                "place_column": self.place_column,
                **{k: v for k, v in self.audit.items() if k != "generator_state"},
            }
        )

    @property
    def counts(self) -> Mapping[str, Any]:
        """Places in each arm and the number of blocks."""
        return frozen_mapping(
            {
                "n_places": len(self.place_ids),
                "n_treated": self.n_treated,
                "n_control": self.n_control,
                "n_blocks": len(self.n_treated_per_block),
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """How to re-create, analyse and re-draw the allocation."""
        notes = [
            "Re-create the allocation with the recorded seed and the same arguments.",
            "Analyse by assigned arm (intention to treat) and re-draw with `.redraw` for "
            "randomisation inference under this exact design.",
        ]
        if self.balance_threshold is not None:
            notes.append(
                "Re-randomised: draws were rejected until every |standardised difference| "
                f"<= {self.balance_threshold:g}; randomisation inference must (and "
                "`.redraw` does) apply the same rule."
            )
        return tuple(notes)


def assign_places(
    places: Any,
    *,
    design: Design = "complete",
    treated_share: float = 0.5,
    blocks: str | Sequence[Any] | NDArray[Any] | pd.Series | None = None,
    rank_by: str | Sequence[float] | NDArray[Any] | pd.Series | None = None,
    n_strata: int = 3,
    rerandomize: Sequence[str] | NDArray[Any] | pd.DataFrame | None = None,
    balance_threshold: float = 0.1,
    max_draws: int = 10_000,
    rng: int | np.random.Generator | None = None,
) -> PlaceAssignment:
    """Randomly assign places to treatment or control.

    Parameters
    ----------
    places : DataFrame, GeoDataFrame or sequence
        The places (ids are the index of a frame, or the values of a sequence).
    design : {"complete", "block", "pair", "stratified"}
        ``"complete"``: exactly ``round(treated_share * N)`` places treated.
        ``"block"``: the same within each block of ``blocks`` (e.g. districts).
        ``"pair"``: places sorted by ``rank_by`` (e.g. baseline crime, highest first),
        adjacent places paired, one of each pair treated (Sacramento); needs an even
        number of places and ``treated_share=0.5``.
        ``"stratified"``: ``rank_by`` cut into ``n_strata`` equal-count strata
        (tertiles by default), then block randomisation within strata.
    treated_share : float
        Share of places treated, in (0, 1). Block counts are ``round(share * n_b)``
        (halves rounded up).
    blocks : str or array-like, optional
        Column of ``places`` or one label per place; required for ``design="block"``
        and refused by the other designs.
    rank_by : str or array-like, optional
        Numeric column or values used to form pairs or strata; refused by the
        complete and block designs.
    n_strata : int
        Number of strata for ``design="stratified"``.
    rerandomize : sequence of str, array or DataFrame, optional
        Covariates (columns of ``places`` or an ``(N, p)`` array) to balance:
        allocations are drawn until every absolute standardised difference is at most
        ``balance_threshold``. The rule is recorded and re-applied by ``.redraw``.
    balance_threshold : float
        Acceptance threshold for re-randomisation (0.1 by default, the stricter of
        the usual 0.1 / 0.25 conventions).
    max_draws : int
        Give up (with a ``ValueError``) after this many rejected draws.
    rng : int, Generator or None
        Seed or generator. With None, fresh entropy is drawn and recorded as the seed.

    Returns
    -------
    PlaceAssignment
        The allocation, its design and its audit trail.

    See Also
    --------
    PlaceAssignment : The returned allocation.
    assign_days : Randomise place-days (a crossover).
    balance_table : Check baseline balance.

    References
    ----------
    .. [1] Sherman, L. W. and Weisburd, D. (1995). General deterrent effects of police
       patrol in crime "hot spots": a randomized, controlled trial. Justice Quarterly 12(4),
       625-648. https://doi.org/10.1080/07418829500096221
    .. [2] Schulz, K. F., Altman, D. G. and Moher, D. (2010). CONSORT 2010 statement:
       updated guidelines for reporting parallel group randomised trials. BMJ 340, c332.
       https://doi.org/10.1136/bmj.c332

    Examples
    --------
    >>> import hotspotlib as hs
    >>> places = [f"spot{i}" for i in range(42)]
    >>> allocation = hs.assign_places(places, design="pair", rank_by=range(42), rng=1)
    >>> allocation.n_treated, allocation.n_control
    (21, 21)
    >>> allocation.audit["seed"]
    1
    """
    ids = place_index(places)
    n = len(ids)
    check_option(design, Design, name="design")
    share = require_probability(treated_share, name="treated_share")
    codes = _blocks_for(places, design, share, blocks, rank_by, n_strata, n)
    sizes = np.bincount(codes)
    k = np.floor(share * sizes + 0.5).astype(np.int64)
    require_arm_sizes(
        k,
        sizes,
        name="treated_share",
        value=share,
        fix="change `treated_share` or use larger blocks (randomisation needs at least 2 places).",
    )
    covariates = None
    threshold = None
    if rerandomize is not None:
        covariates = _covariates(places, rerandomize, n)
        threshold = require_positive(balance_threshold, name="balance_threshold")
    generator, record = start_generator(rng)
    draws, n_used = _draw(generator, codes, k, 1, covariates, threshold, max_draws)
    audit = {
        **record,
        "algorithm": _ALGORITHMS[design],
        "library": f"hotspotlib {__version__}",
        "n_draws": n_used,
    }
    if threshold is not None:
        audit["rerandomize_rule"] = f"max |std diff| <= {threshold:g}"
    return PlaceAssignment(
        place_ids=ids,
        treated=draws[0],
        block=codes,
        n_treated_per_block=k,
        design=design,
        treated_share=share,
        audit=audit,
        balance_covariates=covariates,
        balance_threshold=threshold,
        place_column=str(ids.name) if ids.name is not None else PLACE,
    )


def _blocks_for(
    places: Any,
    design: str,
    share: float,
    blocks: Any,
    rank_by: Any,
    n_strata: int,
    n: int,
) -> NDArray[np.int64]:
    """Integer block codes (0..B-1) for the design."""
    for option, used, fix in (
        ("blocks", ("block",), "Blocks (a column or one label per place) are for design='block'."),
        ("rank_by", ("pair", "stratified"), "Ranks are for design='pair' or 'stratified'."),
    ):
        require_relevant(
            blocks if option == "blocks" else rank_by,
            name=option,
            used=design in used,
            required=design in used,
            context=f"with design={design!r}",
            fix=fix,
        )
    if design == "complete":
        return np.zeros(n, dtype=np.int64)
    if design == "block":
        return block_codes(places, blocks, n=n)[0]
    values = require_finite(resolve_column(places, rank_by, name="rank_by", n=n), name="rank_by")
    order = np.argsort(-values, kind="stable")  # highest first, ties in input order
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    if design == "pair":
        if n % 2 or share != 0.5:
            raise ValueError(
                "`design='pair'` pairs the places and treats one of each pair: it needs an "
                f"even number of places and `treated_share`=0.5; got {n} places and "
                f"{share:g}. Drop one place, or use design='stratified'."
            )
        return position // 2
    strata = require_whole(n_strata, name="n_strata", minimum=1, maximum=max(n // 2, 1))
    return (position * strata // n).astype(np.int64)


def _covariates(places: Any, rerandomize: Any, n: int) -> NDArray[np.float64]:
    if isinstance(rerandomize, pd.DataFrame):
        matrix = rerandomize.to_numpy(dtype=float)
    elif isinstance(rerandomize, np.ndarray) and rerandomize.dtype.kind in "fiub":
        matrix = rerandomize.astype(float)
    else:
        names = [rerandomize] if isinstance(rerandomize, str) else list(rerandomize)
        matrix = np.column_stack(
            [resolve_column(places, c, name="rerandomize", n=n).astype(float) for c in names]
        )
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    require_shape(matrix, (n, None), name="rerandomize", what="one row per place")
    return require_finite(matrix, name="rerandomize").copy()


def _draw(
    generator: np.random.Generator,
    block_codes: NDArray[np.int64],
    k: NDArray[np.int64],
    n_wanted: int,
    covariates: NDArray[np.float64] | None,
    threshold: float | None,
    max_draws: int,
) -> tuple[NDArray[np.bool_], int]:
    """Draw ``n_wanted`` allocations, rejecting unbalanced ones; also return draws used."""
    if covariates is None or threshold is None:
        return draw_within_blocks(generator, block_codes, k, (n_wanted,)), n_wanted
    kept: list[NDArray[np.bool_]] = []
    have = used = 0
    while have < n_wanted and used < max_draws:  # a few chunks, each vectorised
        size = min(_CHUNK, max_draws - used)
        batch = draw_within_blocks(generator, block_codes, k, (size,))
        worst = np.abs(standardised_differences(batch, covariates)).max(axis=1)
        ok = np.flatnonzero(worst <= threshold)
        take = ok[: n_wanted - have]
        kept.append(batch[take])
        have += len(take)
        used += int(take[-1]) + 1 if have == n_wanted and len(take) else size
    if have < n_wanted:
        raise ValueError(
            f"No allocation passed the balance rule (max |std diff| <= {threshold:g}) in "
            f"{used:,} draws. Raise `balance_threshold`, balance fewer covariates or raise "
            "`max_draws`."
        )
    return np.concatenate(kept), used
