"""Means over forecast origins with a paired bootstrap over origins, rank and p_best."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

__all__ = ["METRICS", "origin_means"]

METRICS = ("hit_rate", "pai", "pei")


def origin_means(
    table: pd.DataFrame,
    methods: tuple[str, ...],
    generator: np.random.Generator,
    n_boot: int,
    level: float,
) -> pd.DataFrame:
    """Means over origins with paired bootstrap intervals, rank and p_best."""
    coverages = table["coverage"].unique()
    origins = table["origin"].unique()
    shape = (len(methods), len(coverages), len(origins))
    pivot = table.set_index(["method", "coverage", "origin"])
    index = pd.MultiIndex.from_product([methods, coverages, origins])
    cube = {m: pivot[m].reindex(index).to_numpy().reshape(shape) for m in METRICS}
    draws = generator.integers(0, len(origins), size=(n_boot, len(origins)))
    low_q, high_q = (1 - level) / 2, (1 + level) / 2
    out: dict[str, Any] = {
        "method": np.repeat(methods, len(coverages)),
        "coverage": np.tile(coverages, len(methods)),
        "n_origins": len(origins),
    }
    boot_hits = None
    size = len(methods) * len(coverages)
    for metric, values in cube.items():  # three metrics
        out[metric] = _mean(values).ravel()
        out[f"{metric}_sd"] = _sd(values).ravel()
        if n_boot:
            boot = _mean(values[:, :, draws])  # (methods, coverages, n_boot)
            out[f"{metric}_ci_low"] = np.quantile(boot, low_q, axis=2).ravel()
            out[f"{metric}_ci_high"] = np.quantile(boot, high_q, axis=2).ravel()
            if metric == "hit_rate":
                boot_hits = boot
        else:
            out[f"{metric}_ci_low"] = out[f"{metric}_ci_high"] = np.full(size, np.nan)
    means = pd.DataFrame(out)
    means["rank"] = (
        means.groupby("coverage")["hit_rate"].rank(ascending=False, method="min").astype(int)
    )
    if boot_hits is not None:
        best = boot_hits == boot_hits.max(axis=0, keepdims=True)
        # a tie shares the win: each tied method gets 1/k, so p_best sums to 1 per coverage
        share = best / np.maximum(best.sum(axis=0, keepdims=True), 1)
        means["p_best"] = share.mean(axis=2).ravel()
    else:
        means["p_best"] = np.nan
    return means


def _mean(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Mean over the last axis ignoring NaN (e.g. PAI when no whole cell fits); NaN if none."""
    finite = np.isfinite(values)
    n = finite.sum(axis=-1)
    total = np.where(finite, values, 0.0).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, total / np.maximum(n, 1), np.nan)


def _sd(values: NDArray[np.float64]) -> NDArray[np.float64]:
    """Sample standard deviation over the last axis ignoring NaN; NaN with under 2 values."""
    finite = np.isfinite(values)
    n = finite.sum(axis=-1)
    centred = np.where(finite, values - _mean(values)[..., None], 0.0)
    return np.where(n > 1, np.sqrt((centred**2).sum(axis=-1) / np.maximum(n - 1, 1)), np.nan)
