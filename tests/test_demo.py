import html
import re
import warnings

import geopandas as gpd
import pandas as pd

import hotspotlib as hs
from hotspotlib.__main__ import main


def _visible_text(page: str) -> str:
    page = re.sub(r"<style>.*?</style>|<img[^>]*>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_demo_writes_report_and_gis_files(tmp_path, capsys):
    # Seed 7 made the Koper step's Cox fit print numpy warnings under the default
    # warning filters (the suite turns warnings into errors, which hid them): none now.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(["demo", "--out", str(tmp_path), "--seed", "7"]) == 0
    assert [str(w.message) for w in caught] == []
    names = {p.name for p in tmp_path.iterdir()}
    assert {"report.html", "hotspots.geojson", "hotspots.csv", "patrol_schedule.csv"} <= names
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Planted truth" in page and "data:image/png;base64," in page
    assert all(name in page for name in ("crime_rates", "assign_arms", "street_segments"))
    places = gpd.read_file(tmp_path / "hotspots.geojson", engine="pyogrio")
    assert len(places) == 20 and places.crs.to_epsg() == 4326  # RFC 7946
    projected = gpd.read_file(tmp_path / "hotspots.gpkg", engine="pyogrio")
    assert len(projected) == 20 and projected.crs.to_epsg() == 27700
    table = pd.read_csv(tmp_path / "hotspots.csv")
    assert {"longitude", "latitude"} <= set(table.columns) and "geometry" not in table
    schedule = pd.read_csv(tmp_path / "patrol_schedule.csv")
    assert schedule["treated"].sum() == 720 and len(schedule) == 1_800
    progress = capsys.readouterr().err
    assert "[1/" in progress and "finished in" in progress
    _check_plain_english(page)


def _check_plain_english(page: str) -> None:
    text = _visible_text(page)
    # no internal keys: snake_case words are only public function names and file names
    public = set(hs.__all__)
    words = set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b(?!\.(?:csv|gpkg|geojson|md))", text))
    assert words <= public, words - public
    assert not re.search(r"\bNaN\b|<NA>|\bNone\b", text)
    assert not re.search(r"\d\.\d{4,}", text)  # rounded numbers
    # each table once: no two tables with the same header row
    headers = re.findall(r"<thead>(.*?)</thead>", page, flags=re.S)
    assert len(headers) == len(set(headers)) >= 4
    # a "What this means" paragraph for each of the seven steps, and a glossary
    assert text.count("What this means.") == 7
    for term in ("IRR", "CACE", "ITT", "PAI", "FDR", "Gi*"):
        assert re.search(rf"<dt><b>{re.escape(term)}", page), term
