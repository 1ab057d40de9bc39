"""Command line: ``python -m hotspotlib demo --out DIR`` runs the workflow on the synthetic city."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hotspotlib", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser(
        "demo", help="run the hot-spot policing workflow on the synthetic city"
    )
    demo.add_argument("--out", type=Path, default=Path("demo_output"), help="output folder")
    demo.add_argument("--seed", type=int, default=2024, help="random seed")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from hotspotlib._demo import run_demo

        run_demo(args.out, seed=args.seed, log=lambda line: print(line, file=sys.stderr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
