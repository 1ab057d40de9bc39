"""What every command shares: one-line errors and warnings, progress bars, output folders."""

from __future__ import annotations

import argparse
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, NoReturn, TextIO

EXIT_ERROR = 2


class CommandError(ValueError):
    """A problem with what the command was asked to do, reported as one line."""


def one_line(text: object) -> str:
    """Collapse a message onto one line."""
    return " ".join(str(text).split())


# Advice in the library's messages that only a Python caller can follow, and what the
# command line says instead (the arguments themselves are renamed by each command's FLAGS).
_PYTHON_ONLY: tuple[tuple[str, str], ...] = (
    (r",? or raise `max_cells` if you have the memory", ""),
    (
        r"pass `dayfirst=True` \(UK: 31/01/2024\) or `dayfirst=False` .*? or use ISO 8601 "
        r"\('2024-01-31'\)",
        "write it as YYYY-MM-DD (31 January 2024 is 2024-01-31)",
    ),
    (r",? or pass `date_format=`", ""),
    (r" See `frame\.attrs\[.*$", ""),  # where Python keeps the counts, and what to do there
)


def reword(message: object, flags: Mapping[str, str]) -> str:
    """Put a library error in the command's words, on one line.

    Each argument a Python caller would pass (``n``, in back quotes in a message)
    becomes the command's option (``--top``), as ``flags`` maps them, and advice only
    a Python caller can follow (raising ``max_cells``, passing ``dayfirst=True``) is
    dropped or replaced.

    Examples
    --------
    >>> reword("`n`=0 must be at least 1.", {"n": "--top"})
    '--top 0 must be at least 1.'
    >>> reword("Use a larger `cell_size_m`, or raise `max_cells` if you have the memory.",
    ...        {"cell_size_m": "--cell-size-m"})
    'Use a larger --cell-size-m.'
    """
    text = one_line(message)
    for pattern, replacement in _PYTHON_ONLY:  # a few fixed phrases
        text = re.sub(pattern, replacement, text)
    for name, flag in flags.items():  # a command's handful of arguments
        text = re.sub(rf"`{re.escape(name)}`=", f"{flag} ", text)
        text = text.replace(f"`{name}`", flag)
    return text


def fail(message: str) -> NoReturn:
    """Print ``hotspotlib: error: MESSAGE`` on stderr and exit with status 2."""
    print(f"hotspotlib: error: {one_line(message)}", file=sys.stderr)
    raise SystemExit(EXIT_ERROR)


def _warning_printer(flags: Mapping[str, str]) -> Callable[..., None]:
    """Return a ``warnings.showwarning`` printing one reworded line on stderr."""

    def show(
        message: Warning | str,
        category: type[Warning],
        filename: str,
        lineno: int,
        file: TextIO | None = None,
        line: str | None = None,
    ) -> None:
        print(f"hotspotlib: warning: {reword(message, flags)}", file=sys.stderr)

    return show


def run_command(run: Callable[[argparse.Namespace], None], args: argparse.Namespace) -> int:
    """Run a command; turn an exception into one line on stderr and exit status 2.

    With ``--debug`` the traceback is printed too. Warnings are printed as one line each.
    Library errors are reworded in the command's terms (:func:`reword`, with the
    command's ``flags`` default: library argument -> command-line option).
    """
    flags: Mapping[str, str] = getattr(args, "flags", {})
    with warnings.catch_warnings():
        warnings.showwarning = _warning_printer(flags)
        try:
            run(args)
        except KeyboardInterrupt:
            print("hotspotlib: interrupted", file=sys.stderr)
            return 130
        except SystemExit as stop:
            return int(stop.code or 0)
        except Exception as error:  # every failure ends as one line (traceback: --debug)
            if args.debug:
                traceback.print_exc()
            known = isinstance(error, ValueError | TypeError | OSError | ImportError)
            kind = "" if known else f"{type(error).__name__}: "
            hint = "" if args.debug or known else " (run with --debug for the traceback)"
            text = one_line(error) if isinstance(error, CommandError) else reword(error, flags)
            print(f"hotspotlib: error: {kind}{text}{hint}", file=sys.stderr)
            return EXIT_ERROR
    return 0


class Progress:
    """A progress bar over a command's steps on stderr (off with --quiet or when not a tty)."""

    def __init__(self, total: int, *, quiet: bool) -> None:
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=total,
            file=sys.stderr,
            disable=quiet or not sys.stderr.isatty(),
            bar_format="{desc:<45}{bar:20} {n_fmt}/{total_fmt} [{elapsed}]",
            leave=False,
        )

    @contextmanager
    def step(self, label: str) -> Iterator[None]:
        """Show ``label`` while the step runs, then advance the bar."""
        self._bar.set_description_str(label)
        yield
        self._bar.update(1)

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._bar.close()


def output_folder(path: Path) -> Path:
    """Create the output folder (and its parents) if missing; refuse a file in its place."""
    if path.exists() and not path.is_dir():
        raise CommandError(f"--out {str(path)!r} is a file, not a folder; give a folder name.")
    path.mkdir(parents=True, exist_ok=True)
    return path


def report(args: argparse.Namespace, lines: list[str]) -> None:
    """Print what was written, one path a line, on stdout (nothing with --quiet)."""
    if not args.quiet:
        print("\n".join(lines))


def use_agg() -> Any:
    """Select the non-interactive matplotlib backend and return pyplot."""
    from hotspotlib._plotting import require_matplotlib

    plt = require_matplotlib()
    plt.switch_backend("Agg")
    return plt
