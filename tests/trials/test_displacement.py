import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import box

import hotspotlib as hs


def test_w2_time_weights():
    # W2 (domain reference section 6; Wheeler & Ratcliffe 2018 via ptools tests)
    test = hs.wdd(target=(80, 20), control=(100, 50), time_weights=(2, 1))
    assert test.estimate == pytest.approx(-20)
    assert test.std_error == pytest.approx(np.sqrt(115))
    assert round(test.std_error, 4) == 10.7238


def test_paper_example_with_displacement():
    # Wheeler & Ratcliffe (2018) worked example, as in the ptools test suite:
    # control (308, 318), treated (207, 110), disp. control (150, 140), disp. treated (178, 157)
    test = hs.wdd(
        target=(207, 110),
        control=(308, 318),
        displacement=(178, 157),
        displacement_control=(150, 140),
    )
    assert test.estimate == -118
    assert test.std_error == pytest.approx(np.sqrt(1568))
    assert round(test.table.loc["total", "z_score"], 2) == -2.98
    assert test.table.loc["local", "estimate"] == -107
    assert test.table.loc["displacement", "estimate"] == -11


def test_ptools_simple_cases():
    assert hs.wdd(target=(20, 10), control=(20, 20)).table.loc["local", "estimate"] == -10
    both = hs.wdd(
        target=(20, 10), control=(20, 20), displacement=(20, 10), displacement_control=(20, 20)
    )
    assert both.estimate == -20


def test_area_weights_and_harm_aggregation():
    plain = hs.wdd(target=(40, 20), control=(30, 30))
    scaled = hs.wdd(target=(80, 40), control=(30, 30), area_weights={"target": 2})
    assert scaled.estimate == pytest.approx(plain.estimate)
    # harm: sum_k w_k WDD_k, SE = sqrt(sum_k w_k^2 Var_k)
    counts_t = np.array([[20, 10], [5, 2]])
    counts_c = np.array([[20, 20], [5, 5]])
    weights = np.array([1.0, 365.0])
    harm = hs.wdd(target=counts_t, control=counts_c, harm_weights=weights)
    each = [hs.wdd(target=t, control=c) for t, c in zip(counts_t, counts_c, strict=True)]
    assert harm.estimate == pytest.approx(
        sum(w * e.estimate for w, e in zip(weights, each, strict=True))
    )
    expected_se = np.sqrt(sum((w * e.std_error) ** 2 for w, e in zip(weights, each, strict=True)))
    assert harm.std_error == pytest.approx(expected_se)
    assert len(harm.by_type) == 2
    assert "Poisson" in str(harm.summary())


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target": (1, 2, 3), "control": (1, 2)}, "before, after"),
        ({"target": (-1, 2), "control": (1, 2)}, "must hold finite numbers >= 0"),
        ({"target": (1, 2), "control": (1, 2), "time_weights": (0, 1)}, "`time_weights`"),
        ({"target": (1, 2), "control": (1, 2), "area_weights": {"buffer": 2}}, "keys"),
        ({"target": (1, 2), "control": (1, 2), "harm_weights": [1, 2]}, "`harm_weights`"),
        ({"target": (1, 2), "control": (np.nan, 2)}, "NaN"),
    ],
)
def test_wdd_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        hs.wdd(**kwargs)


def test_wdq_formulas_and_readings():
    r = hs.wdq(target=(100, 60), buffer=(80, 70), control=(500, 500))
    assert r.success_measure == pytest.approx(-0.08)
    assert r.buffer_measure == pytest.approx(-0.02)
    assert r.wdq == pytest.approx(0.25)
    assert r.gross_effect == 40 and r.net_effect == pytest.approx(0.08)
    assert r.total_net_effect == pytest.approx(50)
    assert r.interpretation == "diffusion of benefits"
    displaced = hs.wdq(target=(100, 60), buffer=(80, 100), control=(500, 500))
    assert displaced.wdq == pytest.approx(-0.5)
    assert "smaller than the direct gain" in displaced.interpretation
    worse = hs.wdq(target=(100, 90), buffer=(80, 120), control=(500, 500))
    assert "outweighing" in worse.interpretation
    big = hs.wdq(target=(100, 90), buffer=(80, 40), control=(500, 500))
    assert "greater than the direct effect" in big.interpretation
    failed = hs.wdq(target=(100, 120), buffer=(80, 70), control=(500, 500))
    assert "not interpretable" in failed.interpretation
    assert set(r.to_frame().columns) >= {"wdq", "total_net_effect"}
    assert "WDQ" in str(r.summary())


def test_wdq_zero_control():
    with pytest.raises(ValueError, match="control"):
        hs.wdq(target=(10, 5), buffer=(5, 5), control=(0, 3))


@pytest.fixture
def places():
    return gpd.GeoDataFrame(
        {"name": ["a", "b", "c"]},
        geometry=[box(0, 0, 150, 150), box(250, 0, 400, 150), box(2_000, 0, 2_150, 150)],
        crs=27700,
    ).rename_axis("hotspot_id")


def test_buffer_rings_exclude_places(places):
    rings = hs.buffer_rings(places, widths_m=[50, 100])
    assert len(rings) == 6
    assert rings.crs == places.crs
    union = shapely.union_all(places.geometry.to_numpy())
    assert np.allclose(shapely.area(shapely.intersection(rings.geometry.to_numpy(), union)), 0)
    # the isolated place c has full rings; a's first ring loses the part inside b
    c_ring = rings[(rings["hotspot_id"] == 2) & (rings["ring"] == 1)]["area_m2"].iloc[0]
    a_ring2 = rings[(rings["hotspot_id"] == 0) & (rings["ring"] == 2)]["area_m2"].iloc[0]
    c_ring2 = rings[(rings["hotspot_id"] == 2) & (rings["ring"] == 2)]["area_m2"].iloc[0]
    assert c_ring == pytest.approx(150**2 + 4 * 150 * 50 + np.pi * 50**2 - 150**2, rel=0.01)
    assert a_ring2 < c_ring2
    assert rings.attrs["n_overlapping_pairs"] > 0
    # rings do not overlap their own inner rings
    inner = rings.geometry.to_numpy()[0::2]
    outer = rings.geometry.to_numpy()[1::2]
    assert np.allclose(shapely.area(shapely.intersection(inner, outer)), 0)


def test_buffer_rings_exclude_and_errors(places):
    extra = gpd.GeoDataFrame(geometry=[box(2_150, 0, 2_300, 150)], crs=27700)
    rings = hs.buffer_rings(places, widths_m=100, exclude=extra)
    full = hs.buffer_rings(places, widths_m=100)
    assert rings["area_m2"].iloc[2] < full["area_m2"].iloc[2]
    with pytest.raises(ValueError, match="increasing"):
        hs.buffer_rings(places, widths_m=[100, 50])
    with pytest.raises(ValueError, match="geographic"):
        hs.buffer_rings(places.to_crs(4326), widths_m=100)
    with pytest.raises(ValueError, match="must share one CRS"):
        hs.buffer_rings(places, widths_m=100, exclude=extra.to_crs(32630))
    points = gpd.GeoDataFrame(geometry=places.centroid, crs=27700)
    with pytest.raises(ValueError, match="Polygon"):
        hs.buffer_rings(points, widths_m=100)


def test_wdd_needs_both_displacement_areas():
    with pytest.raises(ValueError, match="`displacement_control` is required with `displacement`"):
        hs.wdd(target=(100, 60), control=(100, 100), displacement=(80, 80))
    with pytest.raises(
        ValueError, match="`displacement_control` does not apply without `displacement`"
    ):
        hs.wdd(target=(100, 60), control=(100, 100), displacement_control=(80, 80))
    both = hs.wdd(
        target=(100, 60), control=(100, 100), displacement=(80, 60), displacement_control=(90, 90)
    )
    # (60 - 100) - (100 - 100) = -40 local; (60 - 80) - (90 - 90) = -20 displacement
    assert both.table.loc["displacement", "estimate"] == -20
    assert both.table.loc["displacement", "std_error"] == pytest.approx(np.sqrt(80 + 60 + 180))


def test_wdd_shape_and_weight_messages_show_the_values():
    with pytest.raises(ValueError, match=r"`target` must have shape \(3, 2\).*got shape \(2, 2\)"):
        hs.wdd(target=[(1, 2), (3, 4)], control=[(1, 2), (3, 4), (5, 6)])
    with pytest.raises(
        ValueError, match=r"`harm_weights` must have shape \(2,\).*got shape \(1,\)"
    ):
        hs.wdd(target=[(1, 2), (3, 4)], control=[(1, 2), (3, 4)], harm_weights=[1.0])
