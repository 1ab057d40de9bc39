import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hotspotlib as hs


def _visits(city, rows, **kwargs):
    """Visits from (officer, hotspot_id, 'YYYY-MM-DD HH:MM', minutes) rows."""
    schedule = pd.DataFrame(rows, columns=["officer_id", "hotspot_id", "arrival", "minutes"])
    schedule["arrival"] = pd.to_datetime(schedule["arrival"])
    sim = hs.simulate_patrol_pings(city.hotspots, schedule, noise_m=0, rng=0)
    return hs.patrol_visits(sim.pings, city.hotspots, **kwargs)


def _southend_like(n_places=20, n_days=10, per_day=8, seed=0):
    """Daily random assignment of `per_day` of `n_places` (Southend: 8 of 20 a day)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2024-03-01", periods=n_days)
    treated = np.zeros((n_places, n_days), dtype=bool)
    for d in range(n_days):  # a handful of days, not place-days
        treated[rng.choice(n_places, per_day, replace=False), d] = True
    return pd.DataFrame(
        {
            "hotspot_id": np.repeat(np.arange(n_places), n_days),
            "date": np.tile(days, n_places),
            "treated": treated.ravel(),
        }
    )


def test_hand_worked_panel(city):
    rows = [
        ("A", 0, "2024-01-01 10:00", 1),  # a drive-by: not qualifying
        ("A", 0, "2024-01-01 11:00", 15),
        ("B", 0, "2024-01-01 11:05", 20),  # overlaps A: union 11:00-11:25
        ("A", 1, "2024-01-03 09:00", 12),
    ]
    panel = hs.dosage_panel(_visits(city, rows), start="2024-01-01", end="2024-01-05")
    frame = panel.to_frame()
    assert frame.shape[0] == 20 * 4 and list(frame.columns[:2]) == ["hotspot_id", "date"]
    first = frame[frame["hotspot_id"] == 0].reset_index(drop=True)
    assert first["n_visits"].tolist() == [2, 0, 0, 0]
    assert first["n_qualifying_visits"].tolist() == [1, 0, 0, 0]
    assert first["patrol_minutes"].tolist() == [26.0, 0, 0, 0]
    assert first["officer_minutes"].tolist() == [36.0, 0, 0, 0]
    assert first["longest_visit_minutes"].iloc[0] == 25.0
    assert first["first_arrival"].iloc[0] == pd.Timestamp("2024-01-01 10:00")
    assert first["last_departure"].iloc[0] == pd.Timestamp("2024-01-01 11:25")
    assert first["first_arrival"].iloc[1:].isna().all()
    np.testing.assert_array_equal(first["days_since_last_visit"], [0, 1, 2, 3])
    second = frame[frame["hotspot_id"] == 1]["days_since_last_visit"].to_numpy()
    np.testing.assert_array_equal(second, [np.nan, np.nan, 0, 1])
    assert frame["n_koper_visits"].sum() == 1  # the 25-minute union is too long
    assert panel.counts["n_visits_outside_period"] == 0
    assert np.isnan(panel.compliance)


def test_visits_before_start_count_for_days_since(city):
    rows = [
        ("A", 2, "2023-12-30 10:00", 15),
        ("A", 2, "2024-01-05 10:00", 15),
        ("A", 5, "2024-01-02 10:00", 15),  # a panel needs some visit in its period
    ]
    panel = hs.dosage_panel(_visits(city, rows), start="2024-01-01", end="2024-01-04")
    frame = panel.to_frame()
    assert frame.loc[frame["hotspot_id"] == 2, "days_since_last_visit"].tolist() == [2, 3, 4]
    assert panel.counts["n_visits_outside_period"] == 2
    assert frame.loc[frame["hotspot_id"] == 2, "patrol_minutes"].sum() == 0


def test_compliance_and_background(city):
    assignment = _southend_like()
    treated = assignment[assignment["treated"]]
    rng = np.random.default_rng(1)
    missed = rng.choice(len(treated), 2, replace=False)
    rows = [
        (f"T{i}", p, f"{d.date()} 14:00", 15)
        for i, (p, d) in enumerate(zip(treated["hotspot_id"], treated["date"], strict=True))
        if i not in missed
    ]
    control = assignment[~assignment["treated"]].iloc[::10]
    rows += [
        (f"C{i}", p, f"{d.date()} 02:00", 5)
        for i, (p, d) in enumerate(zip(control["hotspot_id"], control["date"], strict=True))
    ]
    before = assignment.copy()
    panel = hs.dosage_panel(
        _visits(city, rows), start="2024-03-01", end="2024-03-11", assignment=assignment
    )
    pd.testing.assert_frame_equal(assignment, before)
    assert len(treated) == 80
    assert panel.compliance == pytest.approx(78 / 80)
    n_control = len(assignment) - 80
    assert panel.background_patrol_minutes == pytest.approx(5 * len(control) / n_control)
    frame = panel.to_frame()
    assert frame["treated"].dtype == "boolean" and frame["treated"].notna().all()
    assert panel.by_arm.loc["treated", "n_place_days"] == 80
    assert "compliance" in str(panel.summary())


def test_partial_assignment_and_period(city):
    assignment = _southend_like(n_days=3)
    extra = pd.DataFrame({"hotspot_id": [0], "date": [pd.Timestamp("2025-01-01")], "treated": [1]})
    panel = hs.dosage_panel(
        _visits(city, [("A", 0, "2024-03-01 10:00", 15)]),
        start="2024-03-01",
        end="2024-03-06",
        assignment=pd.concat([assignment, extra]),
    )
    frame = panel.to_frame()
    assert frame["treated"].isna().sum() == 20 * 2
    assert panel.counts["n_assignment_rows_outside_period"] == 1


def test_events_counted_per_place_day(city):
    visits = _visits(city, [("A", 0, "2024-01-01 10:00", 15)])
    events = city.events.copy()
    before = events.copy()
    panel = hs.dosage_panel(
        visits, start="2024-01-01", end="2024-02-01", events=events, weights="harm"
    )
    pd.testing.assert_frame_equal(events, before)
    where = hs.locate_events(events, city.hotspots)
    inside = events[(where >= 0) & (events["timestamp"] < "2024-02-01")]
    expected = inside.groupby([where[inside.index], inside["timestamp"].dt.normalize()])
    frame = panel.to_frame().set_index(["hotspot_id", "date"])
    for (place, date), group in expected:
        assert frame.loc[(place, date), "count"] == len(group)
        assert frame.loc[(place, date), "harm"] == pytest.approx(group["harm"].sum())
    assert frame["count"].sum() == len(inside)
    assert panel.counts["n_events_outside_places"] == int((where < 0).sum())


def test_grid_places(city):
    grid = hs.make_grid(city.boundary, cell_size_m=500)
    cell = int(grid.cells.index[grid.n_cells // 2])
    schedule = pd.DataFrame(
        {
            "officer_id": ["A"],
            "cell_id": [cell],
            "arrival": [pd.Timestamp("2024-01-01 09:00")],
            "minutes": [12],
        }
    )
    sim = hs.simulate_patrol_pings(grid.cells, schedule, noise_m=0, rng=0)
    visits = hs.patrol_visits(sim.pings, grid)
    panel = hs.dosage_panel(visits, grid, start="2024-01-01", end="2024-01-02", events=city.events)
    frame = panel.to_frame()
    assert panel.place_column == "cell_id" and len(frame) == grid.n_cells
    assert frame.loc[frame["cell_id"] == cell, "patrol_minutes"].item() == 12.0


def test_summary_and_plot(city):
    panel = hs.dosage_panel(
        _visits(city, [("A", 0, "2024-01-01 10:00", 15)]), start="2024-01-01", end="2024-01-08"
    )
    assert "mean_patrol_minutes" in str(panel.summary())
    ax = panel.plot()
    assert ax.get_ylabel() == "place (panel order)"


def test_errors(city):
    visits = _visits(city, [("A", 0, "2024-01-01 10:00", 15), ("A", 5, "2024-01-01 11:00", 15)])
    period = {"start": "2024-01-01", "end": "2024-01-03"}
    with pytest.raises(TypeError, match="PatrolVisits"):
        hs.dosage_panel(visits.visits, **period)
    with pytest.raises(ValueError, match="freq"):
        hs.dosage_panel(visits, freq="W", **period)
    with pytest.raises(ValueError, match="must be after"):
        hs.dosage_panel(visits, start="2024-01-03", end="2024-01-01")
    with pytest.raises(ValueError, match="`start` could not be parsed: 1 of 1 values"):
        hs.dosage_panel(visits, start="soon", end="2024-01-01")
    aware = hs.dosage_panel(
        visits, start=pd.Timestamp("2024-01-01", tz="Europe/London"), end="2024-01-03"
    )
    assert aware.start == pd.Timestamp("2024-01-01")  # read on its own local clock
    with pytest.raises(ValueError, match="not in `places`"):
        hs.dosage_panel(visits, city.hotspots.iloc[:3], **period)
    with pytest.raises(ValueError, match="repeated index values"):
        hs.dosage_panel(visits, pd.concat([city.hotspots, city.hotspots]), **period)
    assignment = _southend_like(n_days=2)
    assignment["date"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.tile([0, 1], 20), unit="D")
    with pytest.raises(ValueError, match="missing column"):
        hs.dosage_panel(visits, assignment=assignment.drop(columns="treated"), **period)
    bad = assignment.astype({"treated": float})
    bad.loc[0, "treated"] = np.nan
    with pytest.raises(ValueError, match="True/False"):
        hs.dosage_panel(visits, assignment=bad, **period)
    with pytest.raises(ValueError, match=r"repeated \(place, date\) rows"):
        hs.dosage_panel(visits, assignment=pd.concat([assignment, assignment]), **period)
    unknown = assignment.copy()
    unknown.loc[0, "hotspot_id"] = 999
    with pytest.raises(ValueError, match="not in `places`"):
        hs.dosage_panel(visits, assignment=unknown, **period)
    events = city.events.iloc[:10].copy()
    events.loc[events.index[0], "timestamp"] = pd.NaT
    with pytest.raises(ValueError, match="missing timestamps"):
        hs.dosage_panel(visits, events=events, **period)
    with pytest.raises(ValueError, match="missing column"):
        hs.dosage_panel(visits, events=city.events, time="when", **period)
    with pytest.raises(ValueError, match="geographic"):
        hs.dosage_panel(visits, events=gpd.GeoDataFrame(city.events.to_crs(4326)), **period)
