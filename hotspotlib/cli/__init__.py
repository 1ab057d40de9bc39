"""The ``hotspotlib`` command line: hot spots from police.uk files, a day's patrol plan, the demo.

``hotspotlib hotspots DOWNLOAD.zip --out DIR`` writes a map, a GeoPackage, a GeoJSON file,
a spreadsheet-safe CSV with street names and a short HTML report; ``hotspotlib plan
PLACES.csv --date 2025-01-31 --treated 8 --out DIR`` draws which places to patrol that day;
``hotspotlib demo`` runs the whole workflow on a simulated city. Errors are one line on
stderr and exit with status 2 (``--debug`` shows the traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from hotspotlib._version import __version__
from hotspotlib.cli._common import CommandError, fail, run_command

__all__ = ["CommandError", "build_parser", "main"]

_DESCRIPTION = (
    "Evidence-based hot-spot policing from the command line. Find the top hot spots in "
    "police.uk downloads, draw a randomised patrol plan for a day, or run the demo on a "
    "simulated city. Run 'hotspotlib COMMAND --help' for a command's options."
)


class _Formatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show every option's default; options without one say so in their own words."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or isinstance(action, argparse._VersionAction):
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr (exit status 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        fail(f"{message} (see '{self.prog} --help')")


def _shared() -> _Parser:
    shared = _Parser(add_help=False)
    shared.add_argument(
        "--quiet", action="store_true", help="no progress bars or messages, only errors"
    )
    shared.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    return shared


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of the ``hotspotlib`` command (its help is the command's help).

    Examples
    --------
    >>> args = build_parser().parse_args(["hotspots", "download.zip", "--top", "10"])
    >>> args.command, args.top, args.cell_size_m
    ('hotspots', 10, 150.0)
    """
    from hotspotlib.cli import demo, hotspots, plan

    parser = _Parser(prog="hotspotlib", description=_DESCRIPTION, formatter_class=_Formatter)
    parser.add_argument("--version", action="version", version=f"hotspotlib {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in (hotspots, plan, demo):
        sub = commands.add_parser(
            module.NAME,
            help=module.HELP,
            description=module.DESCRIPTION,
            formatter_class=_Formatter,
            parents=[_shared()],
        )
        module.add_arguments(sub)
        sub.set_defaults(run=module.run, flags=module.FLAGS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hotspotlib`` command with ``argv`` (default: the process's arguments).

    Returns the exit status: 0 on success, 2 on an error (reported as one line on stderr).

    Examples
    --------
    >>> main(["--version"])
    hotspotlib ...
    0
    """
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as stop:  # --help, --version and usage errors
        return int(stop.code or 0)
    return run_command(args.run, args)


if __name__ == "__main__":
    sys.exit(main())
