import geopandas as gpd
import pandas as pd

from hotspotlib.__main__ import main


def test_demo_writes_report_and_gis_files(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "--seed", "7"]) == 0
    names = {p.name for p in tmp_path.iterdir()}
    assert {"report.html", "hotspots.geojson", "hotspots.csv", "patrol_schedule.csv"} <= names
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Planted truth" in html and "data:image/png;base64," in html
    assert all(name in html for name in ("crime_rates", "assign_arms", "street_segments"))
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
