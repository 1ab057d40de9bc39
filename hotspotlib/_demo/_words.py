"""The demo report's plain words: a "What this means" paragraph and the glossary."""

from __future__ import annotations

import html

import pandas as pd

from hotspotlib._html import HtmlReport

GLOSSARY = {
    "Hot spot": "a small place (here a 150 m square) where crime is concentrated.",
    "KDE (kernel density)": "a smoothed map of crime: each crime spreads over a small "
    "circle around it, so nearby crimes add up.",
    "Gi* (Getis-Ord)": "a test of whether a cell and its neighbours together have more "
    "crime than the area as a whole; a large z-score marks a statistically significant "
    "cluster.",
    "FDR (false discovery rate)": "a correction for testing many cells at once, so that "
    "only a small share of the cells called hot are hot by chance.",
    "CCHI (Cambridge Crime Harm Index)": "a weight per crime type, the days of "
    "imprisonment the offence would draw, so that serious crimes count for more.",
    "Hit rate": "the share of crimes that happen in the places a map flagged.",
    "PAI (predictive accuracy index)": "the hit rate divided by the share of the area "
    "flagged: 10 means the map finds crime ten times better than chance.",
    "Crossover trial": "a trial in which every place is patrolled on some days and not "
    "on others, drawn at random, so each place is compared with itself.",
    "IRR (incident rate ratio)": "crime on patrol days divided by crime on control days: "
    "0.75 means 25% fewer crimes with patrol; 1 means no difference.",
    "95% CI (confidence interval)": "the range of effects the data are consistent with; "
    "an interval that excludes 1 is evidence of an effect.",
    "p-value": "how often a difference this large would appear by chance if patrols did "
    "nothing; below 0.05 is conventionally called significant.",
    "ITT (intention to treat)": "the effect of being assigned a patrol, whether or not "
    "the patrol was delivered: what a force can expect from its plan.",
    "CACE (complier average causal effect)": "the effect of a patrol actually delivered, "
    "estimated from the random assignment.",
    "Compliance": "the share of planned patrol days on which officers made at least one "
    "qualifying visit, measured from their GPS trackers.",
    "Carryover and washout": "a patrol can deter crime for a day or two after it ends, so "
    "control days just after patrols are partly treated; a washout leaves those days out.",
    "Displacement": "crime pushed round the corner by patrols; the opposite, crime falling "
    "nearby too, is called diffusion of benefits.",
}


def explain(report: HtmlReport, text: str) -> None:
    """Add a section's one-paragraph "What this means"."""
    report.raw(f'<p class="meaning"><b>What this means.</b> {html.escape(text)}</p>')


def glossary(report: HtmlReport) -> None:
    """Add the glossary of the terms the report uses."""
    report.heading("Glossary")
    items = "".join(
        f"<dt><b>{html.escape(term)}</b></dt><dd>{html.escape(meaning)}</dd>"
        for term, meaning in GLOSSARY.items()
    )
    report.raw(f"<dl>{items}</dl>")


def percent(value: float) -> str:
    """Write a share as a whole percentage (one decimal below 10%)."""
    if value == 0:
        return "0%"
    return f"{100 * value:.1f}%" if abs(value) < 0.1 else f"{100 * value:.0f}%"


def table(report: HtmlReport, frame: pd.DataFrame) -> None:
    """Add a table whose cells are already written as text."""
    report.raw(frame.to_html(border=0, na_rep=""))
