"""``hotspotlib hotspots``: the top hot spots in police.uk files, as map, GIS files, report."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from hotspotlib.cli._common import CommandError, Progress, output_folder, report, use_agg

NAME = "hotspots"
HELP = "find the top hot spots in police.uk street-level crime files"
# The library's arguments this command sets, by the option that sets them (for errors).
FLAGS = {
    "n": "--top",
    "cell_size_m": "--cell-size-m",
    "min_separation_m": "--min-separation-m",
    "paths": "SOURCE",
}
DESCRIPTION = (
    "Read police.uk street-level crime files (a zip as downloaded from data.police.uk, a "
    "folder or one CSV), count crimes on a grid of square cells (the grid Python's "
    "make_grid builds over the crimes, so cell ids agree) and pick the top cells. "
    "Anti-social behaviour is not crime and is left out unless --include-asb is given. "
    "Writes hotspots.csv (opens safely in Excel, with longitude, latitude, LSOA and the "
    "most frequent street of each place), hotspots.gpkg (British National Grid, for QGIS "
    "or ArcGIS), hotspots.geojson (WGS84, for web maps), hotspots_map.png and report.html. "
    "Their columns are those of select_places: hotspot_id (the rank, 1 = top), count, "
    "weight_sum (harm), cumulative_share, street, lsoa_code, lsoa_name, longitude, "
    "latitude and cell_id."
)
ASB = "Anti-social behaviour"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's arguments."""
    parser.add_argument(
        "source", type=Path, help="police.uk download: a .zip, a folder of CSVs or one CSV"
    )
    parser.add_argument(
        "--cell-size-m", type=float, default=150.0, help="side of the square cells, in metres"
    )
    parser.add_argument("--top", type=int, default=20, help="how many places to list")
    parser.add_argument(
        "--out", type=Path, default=Path("hotspots_output"), help="folder to write into"
    )
    parser.add_argument(
        "--harm",
        action="store_true",
        help="rank cells by harm (Cambridge Crime Harm Index days) instead of crime counts",
    )
    parser.add_argument(
        "--crime-type",
        action="append",
        metavar="TYPE",
        help="keep only this police.uk crime type, e.g. Burglary (repeat for several; "
        "default: every type)",
    )
    parser.add_argument(
        "--include-asb",
        action="store_true",
        help="count police.uk's anti-social behaviour incidents too (they are not crimes: "
        "left out by default, and the report says how many)",
    )
    parser.add_argument(
        "--min-separation-m",
        type=float,
        default=0.0,
        help="least distance between two listed places, in metres; 0 lets neighbouring "
        "cells both be listed",
    )


def run(args: argparse.Namespace) -> None:
    """Run the command."""
    import hotspotlib as hs

    if not args.source.exists():
        raise CommandError(
            f"{str(args.source)!r} does not exist; give a police.uk .zip, folder or CSV."
        )
    use_agg()
    out = output_folder(args.out)
    with Progress(6, quiet=args.quiet) as progress:
        with progress.step("reading police.uk files"):
            crimes = hs.read_police_uk(args.source)
            crimes = _keep_types(crimes, args.crime_type)
            crimes, n_asb = _without_asb(crimes, args)
        with progress.step("counting crimes per cell"):
            grid = hs.make_grid(crimes, cell_size_m=args.cell_size_m)
            # harm is summed too, unless every crime weighs 0 (anti-social behaviour only)
            weigh = args.harm or bool(crimes["harm"].to_numpy().any())
            counts = hs.count_events(crimes, grid, weights="harm" if weigh else None)
        with progress.step("picking the top places"):
            places = hs.select_places(
                counts,
                n=args.top,
                score="weight_sum" if args.harm else "count",
                min_separation_m=args.min_separation_m,
                crimes=crimes,
            )
            table = _briefing_table(places)
        with progress.step("writing GeoPackage, GeoJSON and CSV"):
            written = [
                hs.to_geopackage(table, out / "hotspots.gpkg"),
                hs.to_geojson(table, out / "hotspots.geojson"),
                hs.to_csv(table, out / "hotspots.csv"),
            ]
        with progress.step("drawing the map"):
            fig = _map(counts, table, harm=args.harm, cell_size_m=args.cell_size_m)
            fig.savefig(out / "hotspots_map.png", dpi=150, bbox_inches="tight")
            written.append(out / "hotspots_map.png")
        with progress.step("writing the report"):
            written.append(_report(out, crimes, counts, table, args, fig, n_asb=n_asb))
    report(args, [str(path) for path in written])


def _keep_types(crimes: gpd.GeoDataFrame, wanted: list[str] | None) -> gpd.GeoDataFrame:
    """Keep the crime types asked for (matched ignoring case); unknown types are an error."""
    if not wanted:
        return crimes
    present = crimes["crime_type"].value_counts()
    by_key = {str(name).casefold(): str(name) for name in present.index}
    unknown = [name for name in wanted if name.strip().casefold() not in by_key]
    if unknown:
        have = "; ".join(f"{name} ({n:,})" for name, n in present.items())
        raise CommandError(
            f"--crime-type {', '.join(map(repr, unknown))} is not in these files; "
            f"they have: {have}."
        )
    keep = {by_key[name.strip().casefold()] for name in wanted}
    return crimes[crimes["crime_type"].isin(keep).to_numpy()]


def _without_asb(crimes: gpd.GeoDataFrame, args: argparse.Namespace) -> tuple[Any, int]:
    """Leave out anti-social behaviour (not crime) unless asked for; return how many rows."""
    asked = any(name.strip().casefold() == ASB.casefold() for name in args.crime_type or [])
    is_asb = crimes["crime_type"].eq(ASB).to_numpy()
    if args.include_asb or asked or not is_asb.any():
        return crimes, 0
    if is_asb.all():
        raise CommandError(
            f"the files hold only anti-social behaviour ({int(is_asb.sum()):,} rows), which "
            "is not crime and is left out by default; pass --include-asb to count it."
        )
    return crimes[~is_asb], int(is_asb.sum())


def _briefing_table(places: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per place in rank order, ready to export, in select_places' column names.

    ``rank`` is written as ``hotspot_id``, the name the trial functions (and ``hotspotlib
    plan``) give a place's id.
    """
    table = places.reset_index().rename(columns={"rank": "hotspot_id"})
    columns = [
        "hotspot_id", "street", "lsoa_name", "lsoa_code", "count", "weight_sum",
        "cumulative_share", "longitude", "latitude", "cell_id", "geometry",
    ]  # fmt: skip
    table = table[[c for c in columns if c in table.columns]]
    return gpd.GeoDataFrame(table, geometry="geometry", crs=places.crs)


def _map(
    counts: Any, table: gpd.GeoDataFrame, *, harm: bool, cell_size_m: float, ax: Any = None
) -> Any:
    """Draw the counts' own map (cells with crime), the listed places outlined and numbered."""
    from hotspotlib._map_furniture import outline_places

    crime = np.flatnonzero(counts.count > 0)  # empty cells are left blank: a force-wide
    with_crime = dataclasses.replace(  # grid has far more of them than cells with crime
        counts,
        places=counts.cells.iloc[crime],
        count=counts.count[crime],
        weight_sum=None if counts.weight_sum is None else counts.weight_sum[crime],
    )
    axes = with_crime.plot(ax, column="weight_sum" if harm else "count")
    outline_places(axes, table, table["hotspot_id"])
    ranked = "harm" if harm else "crime count"
    axes.set_title(
        f"Top {len(table)} places by {ranked}, {cell_size_m:g} m cells\n"
        "(numbered by rank; blank cells: no crime)",
        fontsize=10,
    )
    return axes.figure


def _report(
    out: Path,
    crimes: gpd.GeoDataFrame,
    counts: Any,
    table: gpd.GeoDataFrame,
    args: argparse.Namespace,
    fig: Any,
    *,
    n_asb: int = 0,
) -> Path:
    """Write a short HTML report: what was read, how concentrated, the list and the map."""
    from hotspotlib._html import HtmlReport

    months = pd.to_datetime(crimes["month"])
    score = "weight_sum" if args.harm else "count"
    total = float(table[score].sum())
    everything = float(counts.to_frame()["weight_sum" if args.harm else "count"].sum())
    share = total / everything if everything > 0 else np.nan
    n_cells = int((counts.to_frame()["count"] > 0).sum())
    types = ", ".join(args.crime_type) if args.crime_type else "all crime types"
    kept_asb = int(crimes["crime_type"].eq(ASB).sum())
    if kept_asb and not args.crime_type:
        types += f", of which {kept_asb:,} anti-social behaviour incidents"
    page = HtmlReport(title=f"Top {len(table)} hot spots")
    page.text(
        f"{len(crimes):,} crimes ({types}) recorded by police.uk from "
        f"{months.min():%B %Y} to {months.max():%B %Y}, counted on {args.cell_size_m:g} m "
        f"square cells. Crime was recorded in {n_cells:,} cells; the {len(table)} places "
        f"listed hold {share:.0%} of the {'harm' if args.harm else 'crimes'}."
        + (
            f" {n_asb:,} anti-social behaviour incidents were left out: police.uk lists "
            "them with the crimes, but they are not crimes (--include-asb counts them)."
            if n_asb
            else ""
        )
    )
    page.heading("What this means")
    page.text(
        "These are the places where crime was most concentrated in the period: candidates "
        "for hot-spot patrols. police.uk moves each crime to a nearby anonymous point "
        "('On or near ...'), so a place is where crimes were recorded, not exact addresses; "
        "check the list with local knowledge before patrols are planned."
        + (" Harm weights each crime by the Cambridge Crime Harm Index (days of "
           "imprisonment its offence would draw), so one serious crime outweighs many "
           "minor ones." if args.harm else "")
    )  # fmt: skip
    page.heading("The places")
    shown = table.drop(columns=["geometry", "cell_id"]).rename(
        columns={
            "hotspot_id": "place",
            "lsoa_name": "LSOA",
            "lsoa_code": "LSOA code",
            "weight_sum": "harm",
            "cumulative_share": "share so far",
        }
    )
    shown["share so far"] = (100 * shown["share so far"]).round(0).astype("Int64").astype(str) + "%"
    if "harm" in shown.columns:
        shown["harm"] = shown["harm"].map("{:,.0f}".format)
    for column in ("longitude", "latitude"):
        shown[column] = shown[column].map("{:.5f}".format)
    page.table(shown.set_index("place"))
    page.heading("Map")
    page.figure(fig, alt=f"Map of the top {len(table)} places")
    page.text(
        "Files: hotspots.csv (Excel), hotspots.gpkg (QGIS/ArcGIS, British National Grid), "
        "hotspots.geojson (web maps, WGS84), hotspots_map.png."
    )
    return page.write(out / "report.html")
