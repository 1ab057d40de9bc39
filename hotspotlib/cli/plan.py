"""``hotspotlib plan``: which places to patrol on one day, drawn at random from a places file."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
from pathlib import Path

import geopandas as gpd
import pandas as pd

from hotspotlib.cli._common import CommandError, Progress, output_folder, report

NAME = "plan"
HELP = "draw a day's randomised patrol plan from a places file"
# The library's arguments this command sets, by the option that sets them (for errors).
FLAGS = {
    "start": "--date",
    "treated_per_day": "--treated",
    "rng": "--seed",
    "officers": "--officers",
    "shift_start": "--shift",
    "shift_end": "--shift",
    "visit_minutes": "--visit-minutes",
    "walking_speed_kmh": "--speed-kmh",
}
DESCRIPTION = (
    "Draw at random which places get a patrol on one day (the others are that day's "
    "controls), as in a hot-spot patrol trial. The places file is the hotspots.csv or "
    "hotspots.gpkg that 'hotspotlib hotspots' writes, or any CSV or GeoPackage with a "
    "column of place ids. Writes patrol_plan.csv (patrolled places first, with their "
    "street and longitude/latitude) and patrol_plan_audit.json (the seed, date and "
    "library version, to show the draw was random and can be repeated). With --officers "
    "and a GeoPackage of places, also patrol_visits.csv: a randomised timetable of visits "
    "to the patrolled places for the shift, one compact group of places per officer."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument("places", type=Path, help="places file: .csv or .gpkg")
    parser.add_argument("--date", help="the day to plan, as YYYY-MM-DD (default: tomorrow)")
    parser.add_argument(
        "--treated", type=int, required=True, help="how many places get a patrol that day"
    )
    parser.add_argument(
        "--seed",
        type=int,
        help="random seed: the same seed, places and date give the same plan (default: a "
        "fresh seed, recorded in the audit file)",
    )
    parser.add_argument(
        "--id-column", default="hotspot_id", help="column of the places file holding place ids"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("patrol_plan"), help="folder to write into"
    )
    parser.add_argument(
        "--officers",
        type=int,
        default=0,
        help="officers on the shift; above 0, also write a visit timetable (needs a .gpkg)",
    )
    parser.add_argument(
        "--shift", default="18:00-22:00", help="the shift on the planned day, HH:MM-HH:MM"
    )
    parser.add_argument(
        "--visit-minutes", type=float, default=15.0, help="length of each visit, in minutes"
    )
    parser.add_argument(
        "--speed-kmh",
        type=float,
        default=5.0,
        help="speed between places (about 5 on foot, 20-30 driving between hot spots)",
    )


def read_places(path: Path, id_column: str) -> pd.DataFrame | gpd.GeoDataFrame:
    """Read a places CSV or GeoPackage, indexed by its place ids."""
    if not path.is_file():
        raise CommandError(f"{str(path)!r} is not a file; give a places .csv or .gpkg.")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        frame = pd.read_csv(path)
    elif suffix == ".gpkg":
        frame = gpd.read_file(path, engine="pyogrio")
    else:
        raise CommandError(f"{str(path)!r} is neither .csv nor .gpkg; give a places file.")
    if id_column not in frame.columns:
        have = ", ".join(map(str, frame.columns[:12]))
        raise CommandError(
            f"{str(path)!r} has no column {id_column!r} (it has {have}); "
            "name the place id column with --id-column."
        )
    if frame[id_column].isna().any() or frame[id_column].duplicated().any():
        raise CommandError(
            f"column {id_column!r} of {str(path)!r} must give every place one id, with no "
            "blanks or repeats; fix the file or choose another --id-column."
        )
    return frame.set_index(id_column)


def run(args: argparse.Namespace) -> None:
    """Run the command."""
    import hotspotlib as hs

    out = output_folder(args.out)
    with Progress(2, quiet=args.quiet) as progress:
        with progress.step("reading the places"):
            places = read_places(args.places, args.id_column)
        with progress.step("drawing the plan"):
            date = _date(args.date)
            draw = hs.assign_days(
                places, start=date, days=1, treated_per_day=args.treated, rng=args.seed
            )
    plan = draw.to_frame()
    plan["patrol"] = plan.pop("treated").map({1: "patrol", 0: "control"})
    extra = [c for c in ("street", "lsoa_name", "longitude", "latitude") if c in places]
    plan = plan.join(places[extra], on=args.id_column)
    plan = plan.sort_values(["patrol", args.id_column], ascending=[False, True], kind="stable")
    plan["date"] = plan["date"].dt.strftime("%Y-%m-%d")
    written = [hs.to_csv(plan.reset_index(drop=True), out / "patrol_plan.csv")]
    audit = out / "patrol_plan_audit.json"
    audit.write_text(json.dumps(dict(draw.parameters), indent=2, default=str), encoding="utf-8")
    written.append(audit)
    if args.officers > 0:
        treated = plan.loc[plan["patrol"] == "patrol", args.id_column]
        written.append(
            _visits(places.loc[treated.to_numpy()], args, date, draw.parameters["seed"], out)
        )
    report(args, [str(path) for path in written])


def _visits(
    places: pd.DataFrame, args: argparse.Namespace, date: str, seed: int, out: Path
) -> Path:
    """Write a randomised visit timetable for the patrolled places (plan_patrols)."""
    import numpy as np

    import hotspotlib as hs

    if not isinstance(places, gpd.GeoDataFrame):
        raise CommandError(
            "--officers needs the places' outlines to route between them; give the "
            ".gpkg file ('hotspotlib hotspots' writes hotspots.gpkg), not a CSV."
        )
    start, end = _shift(args.shift, date)
    timetable = hs.plan_patrols(
        places,
        officers=args.officers,
        shift_start=start,
        shift_end=end,
        visit_minutes=args.visit_minutes,
        walking_speed_kmh=args.speed_kmh,
        rng=np.random.default_rng([seed, 1]),  # its own stream of the recorded seed
    ).to_frame()
    extra = [c for c in ("street", "longitude", "latitude") if c in places.columns]
    timetable = timetable.join(places[extra], on=args.id_column)
    return hs.to_csv(timetable, out / "patrol_visits.csv")


def _date(text: str | None) -> str:
    """Return ``--date`` checked as YYYY-MM-DD (default: tomorrow)."""
    if text is None:
        return (dt.date.today() + dt.timedelta(days=1)).isoformat()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
            raise ValueError(text)
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError as error:
        raise CommandError(
            f"--date {text!r} is not a YYYY-MM-DD date; write 31 January 2025 as 2025-01-31."
        ) from error


def _shift(text: str, date: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Read ``HH:MM-HH:MM`` on ``date``; a shift ending before it starts ends the next day."""
    try:
        first, last = (part.strip() for part in text.split("-"))
        start = pd.Timestamp(f"{date} {first}")
        end = pd.Timestamp(f"{date} {last}")
    except ValueError as error:
        raise CommandError(
            f"--shift {text!r} is not HH:MM-HH:MM; write it like 18:00-22:00."
        ) from error
    return start, end if end > start else end + pd.Timedelta(days=1)
