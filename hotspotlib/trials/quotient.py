"""The weighted displacement quotient (Bowers & Johnson 2003) and total net effect.

Formulas as in Guerette (2009), POP tool guide 10. For a significance test of
displacement use :func:`wdd`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pandas as pd
from numpy.typing import ArrayLike, NDArray

from hotspotlib._frozen import FrozenResult, frozen_mapping
from hotspotlib._validation import require_shape, require_within
from hotspotlib.trials.displacement import _pair

__all__ = ["DisplacementQuotient", "wdq"]


@dataclass(frozen=True, eq=False, slots=True, kw_only=True, repr=False)
class DisplacementQuotient(FrozenResult):
    """Weighted displacement quotient and total net effect.

    Attributes
    ----------
    gross_effect : float
        ``R_b - R_a`` (> 0: crime fell in the target area).
    net_effect : float
        ``R_b/C_b - R_a/C_a`` (> 0: fell relative to control).
    success_measure : float
        ``R_a/C_a - R_b/C_b`` (< 0: the response worked); WDQ denominator.
    buffer_measure : float
        ``D_a/C_a - D_b/C_b`` (> 0 possible displacement, < 0 possible diffusion).
    wdq : float
        ``buffer_measure / success_measure``.
    total_net_effect : float
        ``[R_b C_a/C_b - R_a] + [D_b C_a/C_b - D_a]``: crimes prevented in target and
        buffer together (> 0 = prevented).
    interpretation : str
        Reading of the WDQ (Bowers & Johnson's scale).

    See Also
    --------
    wdq : Compute one.

    References
    ----------
    .. [1] Bowers and Johnson (2003). https://doi.org/10.1023/A:1024909009240
    """

    gross_effect: float
    net_effect: float
    success_measure: float
    buffer_measure: float
    wdq: float
    total_net_effect: float
    interpretation: str
    _area_counts: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    _title: ClassVar[str] = "Weighted displacement quotient"

    @property
    def area_counts(self) -> pd.DataFrame:
        """The before and after counts per area.

        A copy: editing it leaves the result (and its properties) unchanged.
        """
        return self._area_counts.copy()

    def to_frame(self) -> pd.DataFrame:
        """One row with every measure and the interpretation."""
        return pd.DataFrame(
            {
                "gross_effect": [self.gross_effect],
                "net_effect": [self.net_effect],
                "success_measure": [self.success_measure],
                "buffer_measure": [self.buffer_measure],
                "wdq": [self.wdq],
                "total_net_effect": [self.total_net_effect],
                "interpretation": [self.interpretation],
            }
        )

    @property
    def parameters(self) -> Mapping[str, Any]:
        """No options: the measures follow from the counts alone."""
        return frozen_mapping({"measure": "WDQ and total net effect (Bowers & Johnson 2003)"})

    @property
    def counts(self) -> Mapping[str, Any]:
        """The before and after counts of each area."""
        return frozen_mapping(
            {
                f"{area}_{period}": float(self._area_counts.loc[area, period])
                for area in self._area_counts.index
                for period in ("before", "after")
            }
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The measures and their reading in words, then the caveats."""
        return (
            f"Gross effect {self.gross_effect:g}, net effect {self.net_effect:.4g}, success "
            f"measure {self.success_measure:.4g}, buffer measure {self.buffer_measure:.4g}, "
            f"WDQ {self.wdq:.4g}, total net effect {self.total_net_effect:.4g}: "
            f"{self.interpretation}.",
            "WDQ is meaningful only when the success measure is negative (the "
            "response worked) and unstable when it is near zero. It has no "
            "significance test: use wdd() for one.",
        )

    def _summary_table(self) -> pd.DataFrame:
        return self.area_counts


def wdq(*, target: ArrayLike, buffer: ArrayLike, control: ArrayLike) -> DisplacementQuotient:
    """Weighted displacement quotient (Bowers & Johnson 2003) and total net effect.

    Parameters
    ----------
    target, buffer, control : array-like
        ``(before, after)`` counts (or rates) for the response area ``R``, its buffer
        ``D`` and the control area ``C``.

    Returns
    -------
    DisplacementQuotient
        Gross and net effects, success and buffer measures, WDQ, total net effect
        and the reading: when the response worked (success measure < 0), WDQ > 1
        diffusion exceeding the direct effect; 0 < WDQ <= 1 diffusion of benefits;
        -1 < WDQ < 0 displacement smaller than the gain (net benefit); WDQ <= -1
        displacement outweighing the gain.

    See Also
    --------
    DisplacementQuotient : The returned quotient.
    wdd : The weighted displacement difference test.
    buffer_rings : Catchment areas around the places.

    References
    ----------
    .. [1] Bowers, K. J. and Johnson, S. D. (2003). Measuring the geographical displacement
       and diffusion of benefit effects of crime prevention activity. Journal of
       Quantitative Criminology 19(3), 275-301. https://doi.org/10.1023/A:1024909009240

    Examples
    --------
    >>> import hotspotlib as hs
    >>> result = hs.wdq(target=(100, 60), buffer=(80, 70), control=(500, 500))
    >>> round(result.wdq, 2), result.total_net_effect
    (0.25, 50.0)
    """
    given = {"target": target, "buffer": buffer, "control": control}
    pairs: dict[str, NDArray[Any]] = {}
    for name, value in given.items():
        pair = _pair(value, name=name)
        require_shape(
            pair, (1, 2), name=name, what="one (before, after) pair per area; sum crime types first"
        )
        pairs[name] = pair[0]
    require_within(
        pairs["control"],
        name="control",
        low=0,
        low_open=True,
        fix="The WDQ divides by the control counts: use a larger control area or a longer period.",
    )
    (rb, ra), (db, da), (cb, ca) = pairs["target"], pairs["buffer"], pairs["control"]
    success = ra / ca - rb / cb
    buffer_measure = da / ca - db / cb
    quotient = buffer_measure / success if success != 0 else float("nan")
    counts = pd.DataFrame(
        {"before": [rb, db, cb], "after": [ra, da, ca]},
        index=pd.Index(["target", "buffer", "control"], name="area"),
    )
    return DisplacementQuotient(
        gross_effect=float(rb - ra),
        net_effect=float(rb / cb - ra / ca),
        success_measure=float(success),
        buffer_measure=float(buffer_measure),
        wdq=float(quotient),
        total_net_effect=float((rb * ca / cb - ra) + (db * ca / cb - da)),
        interpretation=_reading(success, quotient),
        _area_counts=counts,
    )


def _reading(success: float, quotient: float) -> str:
    if not success < 0:
        return "no success in the target area relative to control: WDQ not interpretable"
    if quotient > 1:
        return "diffusion of benefits greater than the direct effect"
    if quotient > 0:
        return "diffusion of benefits"
    if quotient == 0:
        return "no buffer effect"
    if quotient > -1:
        return "displacement, smaller than the direct gain (net benefit)"
    return "displacement outweighing the direct gain"
