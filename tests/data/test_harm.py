from __future__ import annotations

import pandas as pd
import pytest

import hotspotlib as hs
from hotspotlib.data import CRIME_TYPES, apply_harm, harm_table, harm_weights
from hotspotlib.data.harm import canonical_crime_types


def test_table_covers_the_fourteen_police_uk_types() -> None:
    table = harm_table()
    assert len(CRIME_TYPES) == 14
    assert table["source"].notna().all()
    assert table.loc["Anti-social behaviour", "cchi_days"] == 0
    assert table.loc["Violence and sexual offences", "api_slug"] == "violent-crime"


def test_apply_harm_matches_the_table(city: hs.SyntheticCity) -> None:
    before = city.events.copy()
    harm = apply_harm(city.events)
    pd.testing.assert_frame_equal(city.events, before)
    expected = city.events["crime_type"].map(harm_weights("cchi"))
    pd.testing.assert_series_equal(harm, expected.astype(float).rename("harm"))
    pd.testing.assert_series_equal(harm, city.events["harm"].astype(float))


def test_apply_harm_accepts_legacy_labels_slugs_and_custom_labels() -> None:
    events = pd.DataFrame(
        {"offence": ["Violent crime", "public-order", "Public disorder and weapons"]},
        index=[5, 5, 7],  # duplicated index labels are fine
    )
    assert apply_harm(events, crime_type="offence").tolist() == [200.0, 7.5, 7.5]
    assert apply_harm(events, crime_type="offence").index.tolist() == [5, 5, 7]
    custom = pd.DataFrame({"crime_type": ["8N", "Robbery"]})
    assert apply_harm(custom, scheme={"8N": 184, "Robbery": 365}).tolist() == [184.0, 365.0]
    assert events["offence"].tolist()[0] == "Violent crime"


def test_canonical_crime_types_leaves_unknown_labels() -> None:
    values = pd.Series([" violent-crime", "Littering", None])
    out = canonical_crime_types(values)
    assert out.tolist()[:2] == ["Violence and sexual offences", "Littering"]
    assert pd.isna(out.iloc[2])


def test_apply_harm_errors() -> None:
    events = pd.DataFrame({"crime_type": ["Robbery", "Littering", None]})
    with pytest.raises(
        ValueError,
        match=r"has 2 of 3 rows' crime types not in `the harm weights` .*'Littering', (nan|None)",
    ):
        apply_harm(events)
    with pytest.raises(ValueError, match="missing column"):
        apply_harm(events, crime_type="type")
    with pytest.raises(ValueError, match="Crime Severity Score"):
        apply_harm(events, scheme="css")
    with pytest.raises(ValueError, match=r"`scheme\['Robbery'\]` must be a finite number >= 0"):
        apply_harm(events, scheme={"Robbery": -1})


def test_none_scheme_weighs_crimes_one_and_asb_zero() -> None:
    weights = harm_weights("none")
    assert weights["Anti-social behaviour"] == 0
    assert (weights.drop("Anti-social behaviour") == 1).all()
