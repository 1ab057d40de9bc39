"""`import hotspotlib.scale` loads no dask, xarray or distributed until a function runs."""

from __future__ import annotations

import subprocess
import sys


def test_importing_the_scale_package_loads_no_dask() -> None:
    heavy = ("dask", "distributed", "xarray", "dask_geopandas", "zarr")
    code = f"import sys, hotspotlib.scale; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"
