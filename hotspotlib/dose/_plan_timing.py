"""Deal the places of a patrol plan to officers and time each officer's rounds."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["compact_groups", "schedule_frame", "timetable"]


def timetable(
    xy: Any,
    routes: list[tuple[Any, Any]],
    rounds: int,
    timing: dict[str, float],
    generator: np.random.Generator,
    place_ids: pd.Index,
) -> list[tuple[Any, ...]]:
    """Time each officer's rounds of their places, each round in a fresh random order."""
    visit, gap, shift = timing["visit"], timing["gap"], timing["shift"]
    rows = []
    last_start = np.full(len(xy), -np.inf)
    for officer, mine in routes:  # officers and their visits: tens to hundreds
        clock, here, order = 0.0, -1, 0
        for round_number in range(1, rounds + 1):
            for place in generator.permutation(mine):
                travel = 0.0 if here < 0 else float(np.hypot(*(xy[place] - xy[here])))
                travel /= timing["metres_per_minute"]
                arrival = max(clock + travel, last_start[place] + gap)
                if arrival + visit > shift + 1e-9:
                    raise ValueError(
                        f"Officer {officer!r} cannot fit visit {round_number} to place "
                        f"{place_ids[place]!r}: it would end {arrival + visit - shift:.0f} "
                        f"minutes after the shift ends. Add officers, lower "
                        "`visits_per_place`, `visit_minutes` or `min_gap_minutes`, or raise "
                        "`walking_speed_kmh` if officers drive between places."
                    )
                order += 1
                rows.append(
                    (officer, place, round_number, order, arrival, travel, arrival - clock - travel)
                )
                last_start[place] = arrival
                clock, here = arrival + visit, place
    return rows


def schedule_frame(
    rows: list[tuple[Any, ...]],
    place_ids: pd.Index,
    column: str,
    start: pd.Timestamp,
    visit: float,
) -> pd.DataFrame:
    """Build the schedule table from the timed visits."""
    officer, place, number, order, arrival_min, travel, wait = zip(*rows, strict=True)
    arrival = start + pd.to_timedelta(np.asarray(arrival_min), unit="min")
    return pd.DataFrame(
        {
            "officer_id": list(officer),
            column: place_ids.to_numpy()[np.asarray(place)],
            "visit_number": np.asarray(number),
            "order": np.asarray(order),
            "arrival": arrival.round("s"),
            "departure": (arrival + pd.Timedelta(minutes=visit)).round("s"),
            "minutes": np.full(len(rows), visit),
            "travel_minutes": np.asarray(travel),
            "wait_minutes": np.asarray(wait),
        }
    )


def compact_groups(xy: Any, index: Any, k: int) -> list[Any]:
    """Split places into ``k`` groups of near-equal size by recursive median cuts."""
    if k == 1:
        return [index]
    first = k // 2
    points = xy[index]
    axis = int(np.argmax(np.ptp(points, axis=0))) if len(index) else 0
    ordered = index[np.argsort(points[:, axis], kind="stable")]
    cut = int(round(len(index) * first / k))
    return compact_groups(xy, ordered[:cut], first) + compact_groups(xy, ordered[cut:], k - first)
