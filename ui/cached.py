"""The one place where data-layer functions are cached for Streamlit."""

from __future__ import annotations

import streamlit as st

from data import analysis
from data import framework as fw
from data import geo
from data import indicators


@st.cache_resource(show_spinner=False)
def _indicators():
    return indicators.load_all()


def catalogue():
    return _indicators()[0]


def territories():
    return _indicators()[1]


def series_frame():
    return _indicators()[2]


def changes_frame():
    return _indicators()[3]


@st.cache_resource(show_spinner=False)
def framework():
    return fw.load_framework()


@st.cache_resource(show_spinner=False)
def residents():
    return fw.load_residents()


@st.cache_resource(show_spinner=False)
def doc(name: str):
    return fw.load_yaml_doc(name)


@st.cache_resource(show_spinner=False)
def pillars():
    return indicators.load_pillars()


@st.cache_resource(show_spinner=False)
def shapes():
    return geo.load_quartier_shapes()


@st.cache_resource(show_spinner=False)
def commune():
    return geo.load_commune()


@st.cache_resource(show_spinner=False)
def geo_provenance() -> list[tuple[str, str]]:
    """The provenance notes beside the perimeter files (README first), read once."""
    from data.paths import GEO

    files = [GEO / "README.md"] + sorted(p for p in GEO.glob("*.md") if p.name != "README.md")
    return [(p.name, p.read_text(encoding="utf-8")) for p in files]


@st.cache_resource(show_spinner=False)
def arc_communes():
    return geo.load_arc_communes()


@st.cache_resource(show_spinner=False)
def synthesis_grid():
    return analysis.synthesis_grid(series_frame(), changes_frame(), catalogue(), doc("synthesis"))


@st.cache_resource(show_spinner=False)
def series_block(indicator: str, territories: tuple[str, ...]):
    """Values of one indicator for some territories, and the tidy frame charts and tables use."""
    from ui.charts import long_frame

    names = territories_map()
    values = [v for t in territories for v in analysis.series(series_frame(), t, indicator)]
    frame = long_frame(values, catalogue()[indicator].unit, lambda t: names[t])
    table = None
    if not frame.empty:
        table = frame.pivot_table(index="territoire", columns="période", values="valeur (texte)", aggfunc="first", sort=False)
        table = table[[p for p in dict.fromkeys(frame.sort_values("order")["période"]) if p in table.columns]].fillna("—")
    return values, frame, table


@st.cache_resource(show_spinner=False)
def territories_map() -> dict[str, str]:
    return {t.id: t.short for t in territories().values()}


@st.cache_resource(show_spinner=False)
def chart_spec(kind: str, indicator: str, territories: tuple[str, ...], title: str) -> dict:
    """Vega-Lite spec of a chart, built and validated by Altair once (validation dominates a rerun otherwise)."""
    from ui import charts

    ind = catalogue()[indicator]
    _, frame, _ = series_block(indicator, territories)
    names = territories_map()
    if kind == "series":
        chart = charts.series_chart(frame, title, ind.unit_label)
    elif kind == "bar_periods":
        chart = charts.bar_chart(frame, "territoire", title, ind.unit_label, color="période", sort=[names[t] for t in territories])
    else:
        chart = charts.bar_chart(frame, "territoire", title, ind.unit_label, sort=[names[t] for t in territories])
    return chart.to_dict()


@st.cache_resource(show_spinner=False)
def chartable_indicators() -> list[str]:
    """Indicators some territory has at two periods or more (those an evolution chart can show)."""
    df = series_frame()
    dated = df.dropna(subset=["value"])
    dated = dated[dated["period"] != ""]  # an undated figure is not a point in time
    counts = dated.groupby(["indicator", "territory"], observed=True)["period"].nunique()
    have = set(counts[counts >= 2].reset_index()["indicator"])
    return [i for i in catalogue() if i in have]


@st.cache_resource(show_spinner=False)
def _followup_store(url: str | None):
    from data.followup import FollowupStore

    return FollowupStore(url)


def followup_store():
    """One store per database address (QUARTIERS_DB_URL, read at each call so tests can point it elsewhere)."""
    import os

    from data.followup import DB_ENV

    return _followup_store(os.environ.get(DB_ENV))


@st.cache_resource(show_spinner=False)
def datasets_table():
    """One row per indicator: producers, millésimes, perimeters, territories, parts of the contract."""
    import pandas as pd

    from data.formatting import period_label

    cat, ts, df = catalogue(), territories(), series_frame()
    groups = dict(list(df.groupby("indicator", observed=True)))
    rows = []
    for ind_id in (i for i in cat if i in groups):  # catalogue order
        sub = groups[ind_id]
        rows.append({
            "Indicateur": cat[ind_id].label,
            "Producteur (selon le contrat)": " ; ".join(sorted(set(sub["source"]))),
            "Millésime(s)": ", ".join(period_label(p) for p in sorted(set(sub["period"]))),
            "Périmètre(s)": " ; ".join(sorted(set(sub["perimeter"]))),
            "Territoires": ", ".join(ts[t].short for t in dict.fromkeys(sub["territory"])),
            "Partie du contrat": " ; ".join(sorted(set(sub["contract_ref"]))),
            "Valeurs « NA »": int((sub["value_status"] == "na").sum()),
        })
    return pd.DataFrame(rows).set_index("Indicateur")


@st.cache_data(show_spinner=False, ttl=3600)
def fiche_pdf_bytes(territory: str) -> bytes:
    """The PDF of a fiche, built once an hour per quartier (it carries its edition date)."""
    from ui.pdf import fiche_pdf

    return fiche_pdf(territory, catalogue=catalogue(), territories=territories(), df=series_frame(), changes=changes_frame(),
                     views=doc("views")["fiche"], readings=doc("quartiers")["quartiers"],
                     inconsistencies=doc("inconsistencies")["items"], framework=framework())
