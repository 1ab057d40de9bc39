"""``hotspotlib demo``: the whole workflow on a simulated city, written as one report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hotspotlib.cli._common import output_folder, report

NAME = "demo"
HELP = "run the hot-spot policing workflow on a simulated city"
FLAGS: dict[str, str] = {}  # the demo takes no option a library error could name
DESCRIPTION = (
    "Simulate a city's crime, find its hot spots, randomise 90 days of patrols, simulate "
    "the patrols' GPS pings and their effect, then measure dose, effect and displacement. "
    "Writes report.html with GIS files and tables beside it. Needs matplotlib."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument(
        "--out", type=Path, default=Path("demo_output"), help="folder to write into"
    )
    parser.add_argument(
        "--seed", type=int, default=2024, help="random seed: the same seed gives the same report"
    )


def run(args: argparse.Namespace) -> None:
    """Run the command."""
    from hotspotlib._demo import run_demo

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    path = run_demo(output_folder(args.out), seed=args.seed, log=log)
    report(args, [str(path)])
