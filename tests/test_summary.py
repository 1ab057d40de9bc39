import pandas as pd

from hotspotlib._summary import Summary


def test_summary_renders_all_formats():
    s = Summary(
        title="Gi*",
        parameters={"alpha": 0.05, "n": 10},
        table=pd.DataFrame({"estimate": [1.5], "p_value": [0.01]}),
        notes=["Two-sided p."],
    )
    text = str(s)
    assert "alpha : 0.05" in text and "Two-sided p." in text and "estimate" in text
    assert "<table>" in s._repr_html_() and "<li>Two-sided p.</li>" in s._repr_html_()
    md = s.to_markdown()
    assert "| alpha | 0.05 |" in md and "| estimate | p_value |" in md
