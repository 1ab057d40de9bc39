"""A national run end to end, from police.uk files: time and peak memory per stage.

Run only when named (it takes the machine for several minutes)::

    PYTHONPATH=$PWD python -m benchmarks national

A synthetic national archive is generated first (not timed) in a temporary folder:
43 forces x 12 monthly street-level CSVs in the police.uk layout and file names
(``2025-01/2025-01-<force>-street.csv``, WGS84 longitude/latitude over England and
Wales, 64-character crime ids, about 1% of rows without coordinates as in the real
files), about 6 million crimes. Then, on a ``LocalCluster`` of 2 worker processes
(1 thread each, ``memory_limit`` = the worker bound below), each stage is timed:

1. ``scale.police_uk_to_parquet``: parse, project to British National Grid, harm
   weights, one GeoParquet part per force and month (one task per file);
2. ``scale.read_events`` and one full pass over the archive (rows counted);
3. ``scale.count_events`` on a 100 m national lattice (13,000 x 7,000 = 91M cells),
   written to Zarr;
4. ``scale.gi_star`` (distance band 300 m, exact global FDR) read from that Zarr store,
   written to Zarr;
5. ``scale.to_geotiff`` of the Gi* bins (int8, tiled, DEFLATE).

Peak resident memory per stage is the high-water mark (``VmHWM``) of each process,
reset before the stage (``/proc/<pid>/clear_refs``), for every worker and for the
client process (which also runs the scheduler). Both bounds are checked. Times are
single runs on a shared 2-core machine: the load average is printed beside them.
"""

from __future__ import annotations

import binascii
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._timing import report

ONLY_WHEN_NAMED = True
"""Generates ~1 GB of CSV and runs minutes of work: run only when named."""

N_CRIMES = 6_000_000
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
FORCES = [
    "avon-and-somerset",
    "bedfordshire",
    "cambridgeshire",
    "cheshire",
    "city-of-london",
    "cleveland",
    "cumbria",
    "derbyshire",
    "devon-and-cornwall",
    "dorset",
    "durham",
    "dyfed-powys",
    "essex",
    "gloucestershire",
    "greater-manchester",
    "gwent",
    "hampshire",
    "hertfordshire",
    "humberside",
    "kent",
    "lancashire",
    "leicestershire",
    "lincolnshire",
    "merseyside",
    "metropolitan",
    "norfolk",
    "north-wales",
    "north-yorkshire",
    "northamptonshire",
    "northumbria",
    "nottinghamshire",
    "south-wales",
    "south-yorkshire",
    "staffordshire",
    "suffolk",
    "surrey",
    "sussex",
    "thames-valley",
    "warwickshire",
    "west-mercia",
    "west-midlands",
    "west-yorkshire",
    "wiltshire",
]  # the 43 territorial forces of England and Wales
CRIME_TYPES = (
    "Anti-social behaviour",
    "Bicycle theft",
    "Burglary",
    "Criminal damage and arson",
    "Drugs",
    "Other crime",
    "Other theft",
    "Possession of weapons",
    "Public order",
    "Robbery",
    "Shoplifting",
    "Theft from the person",
    "Vehicle crime",
    "Violence and sexual offences",
)
TYPE_SHARES = np.array([30, 1, 4, 8, 3, 2, 6, 1, 8, 1, 6, 1, 6, 23], float)
CELL_M = 100.0
SHAPE = (13_000, 7_000)  # rows x cols at 100 m: British National Grid 0-700 km E, 0-1,300 km N
DISTANCE_M = 300.0
TILE = 1024
WORKER_BOUND = 3 * 2**30  # each worker's memory_limit, checked per stage
CLIENT_BOUND = 4 * 2**30  # the client process (with the scheduler), checked per stage


def _force_layout(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each force's centre (lon, lat), spread in degrees, and share of the crimes."""
    rng = np.random.default_rng(seed)
    centres = np.column_stack([rng.uniform(-4.6, 1.2, 43), rng.uniform(50.5, 55.0, 43)])
    spread = rng.uniform(0.15, 0.45, 43)
    share = rng.lognormal(0.0, 0.6, 43)
    share[FORCES.index("metropolitan")] *= 6.0
    return centres, spread, share / share.sum()


def _write_file(path: Path, month: str, force: str, n: int, rng: np.random.Generator) -> None:
    """One monthly street-level file of one force, in the police.uk column layout."""
    centres, spread, _ = _force_layout(2026)
    i = FORCES.index(force)
    towns = centres[i] + rng.normal(0.0, spread[i], (8, 2)) * [1.6, 1.0]
    which = rng.integers(0, len(towns), n)
    lonlat = towns[which] + rng.normal(0.0, 0.03, (n, 2)) * [1.6, 1.0]
    lonlat = np.clip(lonlat, [-5.6, 50.0], [1.7, 55.7])
    blank = rng.random(n) < 0.01
    ids = np.frombuffer(binascii.hexlify(rng.bytes(32 * n)), dtype="S64").astype(str)
    lsoa = rng.integers(0, 35_000, n)
    frame = pd.DataFrame(
        {
            "Crime ID": ids,
            "Month": month,
            "Reported by": f"{force} Police",
            "Falls within": f"{force} Police",
            "Longitude": np.where(blank, np.nan, lonlat[:, 0].round(6)),
            "Latitude": np.where(blank, np.nan, lonlat[:, 1].round(6)),
            "Location": np.where(blank, "No Location", "On or near High Street"),
            "LSOA code": pd.Series(lsoa).map("E01{:06d}".format),
            "LSOA name": pd.Series(lsoa % 300).map("Town {:03d}A".format),
            "Crime type": rng.choice(CRIME_TYPES, n, p=TYPE_SHARES / TYPE_SHARES.sum()),
            "Last outcome category": "Investigation complete; no suspect identified",
            "Context": "",
        }
    )
    frame.to_csv(path, index=False)


def _generate(root: Path) -> tuple[int, int]:
    """Write the archive; return (files, rows)."""
    _, _, share = _force_layout(2026)
    rng = np.random.default_rng(7)
    rows = 0
    for month in MONTHS:
        (root / month).mkdir(parents=True)
        for force, part in zip(FORCES, share, strict=True):
            n = int(round(N_CRIMES * part / len(MONTHS)))
            _write_file(root / month / f"{month}-{force}-street.csv", month, force, n, rng)
            rows += n
    return len(MONTHS) * len(FORCES), rows


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _peak() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _stage(client: Any, name: str, work: Callable[[], str]) -> dict[str, Any]:
    """Time ``work``; the peak memory of every worker and of this process during it."""
    client.run(_reset_peak)
    _reset_peak()
    load = os.getloadavg()[0]
    start = time.perf_counter()
    what = work()
    seconds = time.perf_counter() - start
    workers = sorted(client.run(_peak).values())
    here = _peak()
    assert max(workers) <= WORKER_BOUND, f"{name}: a worker peaked at {max(workers)} bytes"
    assert here <= CLIENT_BOUND, f"{name}: the client process peaked at {here} bytes"
    row = {
        "stage": name,
        "seconds": seconds,
        **{f"worker {i + 1} peak GiB": peak / 2**30 for i, peak in enumerate(workers)},
        "client peak GiB": here / 2**30,
        "load 1 min": load,
        "result": what,
    }
    print(f"done: {row}", flush=True)
    return row


def _run(source: Path, work: Path) -> list[dict[str, Any]]:
    import distributed
    import xarray as xr

    from hotspotlib import scale

    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        memory_limit=WORKER_BOUND,
        dashboard_address=":0",
    )
    client = distributed.Client(cluster)
    lattice = scale.Lattice(
        origin_x=CELL_M / 2,
        origin_y=CELL_M / 2,
        cell_size_m=CELL_M,
        n_rows=SHAPE[0],
        n_cols=SHAPE[1],
        crs=27700,
    )
    state: dict[str, Any] = {}

    def convert() -> str:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            archive = scale.police_uk_to_parquet(source, work / "archive", client=client)
        state["archive"] = archive
        c = archive.counts
        dropped = c["n_dropped_no_location"] + c["n_dropped_out_of_range"]
        assert dropped and caught, "the blank coordinates were not reported"
        return f"{c['n_files']} files, {c['n_read']:,} rows, {c['n_written']:,} written"

    def read() -> str:
        events = scale.read_events(work / "archive")
        state["events"] = events
        n = int(events.map_partitions(len).sum().compute())
        assert n == state["archive"].counts["n_written"], (n, state["archive"].counts)
        return f"{events.npartitions} partitions, {n:,} rows"

    def count() -> str:
        counts = scale.count_events(state["events"], lattice, tile=TILE)
        counts.to_dataset().to_zarr(work / "counts.zarr", mode="w", consolidated=False)
        assert counts.attrs["n_events"] == state["archive"].counts["n_written"]
        assert counts.attrs["n_outside"] == 0
        return f"{counts.attrs['n_events']:,} events on {lattice.n_rows * lattice.n_cols:,} cells"

    def gi() -> str:
        stored = xr.open_zarr(work / "counts.zarr", consolidated=False)["count"]
        result = scale.gi_star(stored, distance_m=DISTANCE_M)
        result.to_zarr(work / "gi.zarr", mode="w", consolidated=False)
        return f"{result.attrs['n_tests']:,} tests, {result.attrs['n_distinct_p']} distinct p"

    def geotiff() -> str:
        bins = xr.open_zarr(work / "gi.zarr", consolidated=False)["bin"]
        scale.to_geotiff(bins, work / "gi_bin.tif")
        hot = int((bins == 3).sum().compute())
        size = (work / "gi_bin.tif").stat().st_size
        return f"{size / 2**20:.0f} MiB file, {hot:,} cells in bin 3"

    try:
        stages = [
            ("police_uk_to_parquet", convert),
            ("read_events + full pass", read),
            ("count_events -> Zarr", count),
            ("gi_star -> Zarr", gi),
            ("to_geotiff (bins)", geotiff),
        ]
        rows = [_stage(client, name, work_) for name, work_ in stages]
    finally:
        client.close()
        cluster.close()
    total = sum(row["seconds"] for row in rows)
    rows.append({"stage": "total", "seconds": total, "result": "police.uk CSVs -> Gi* GeoTIFF"})
    return rows


def main() -> None:
    try:
        import distributed  # noqa: F401
        import xarray  # noqa: F401
    except ImportError:
        print("\n== national == skipped: needs the dask extra")
        return
    root = Path(tempfile.mkdtemp(prefix="hotspotlib-bench-national-"))
    try:
        start = time.perf_counter()
        n_files, n_rows = _generate(root / "police-uk")
        print(
            f"generated {n_files} files, {n_rows:,} crimes in {time.perf_counter() - start:.0f} s "
            "(not timed below)",
            flush=True,
        )
        rows = _run(root / "police-uk", root / "work")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    report(
        "national: police.uk files -> Gi* on 91M cells, 2 workers (single run, peak per stage)",
        rows,
    )
    print(
        f"bounds: {WORKER_BOUND / 2**30:.0f} GiB per worker, "
        f"{CLIENT_BOUND / 2**30:.0f} GiB for the client process; both held"
    )


if __name__ == "__main__":
    main()
