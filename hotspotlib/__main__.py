"""``python -m hotspotlib``: the same as the ``hotspotlib`` command (see ``hotspotlib --help``)."""

from __future__ import annotations

import sys

from hotspotlib.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
