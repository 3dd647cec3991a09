"""The one place where data-layer and renderer functions are cached for Streamlit. It only
caches: every function here calls one function that is tested without Streamlit. Every cache whose
key comes from an address or a widget has max_entries (an attacker looping over URL choices cannot
grow a process without bound; tests/test_security.py checks that none is unbounded)."""

from __future__ import annotations

import datetime as dt
import os

import streamlit as st

from data import geo, model, paths
from data.dataset import load_dataset


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset(folder: str):
    return load_dataset(paths.Path(folder))


def dataset():
    """The validated dataset of the data folder in force (QUARTIERS_DATA_DIR, read at each call)."""
    return _dataset(str(paths.qpv_data()))


@st.cache_resource(show_spinner=False, max_entries=4)
def _shapes(folder: str):
    return geo.load_quartier_shapes()


def shapes():
    return _shapes(str(paths.geo()))


@st.cache_resource(show_spinner=False)
def commune():
    return geo.load_commune()


@st.cache_resource(show_spinner=False)
def arc_communes():
    return geo.load_arc_communes()


@st.cache_resource(show_spinner=False)
def geo_provenance() -> list[tuple[str, str]]:
    return geo.provenance_notes()


@st.cache_resource(show_spinner=False, max_entries=16)
def fiche(territory: str):
    return model.fiche(dataset(), territory)


@st.cache_resource(show_spinner=False)
def home_cards():
    return model.home_cards(dataset())


@st.cache_resource(show_spinner=False)
def quartier_tiles():
    return model.quartier_tiles(dataset())


@st.cache_resource(show_spinner=False)
def synthesis():
    return model.synthesis(dataset())


@st.cache_resource(show_spinner=False, max_entries=64)
def map_layer(indicator: str, period: str):
    return model.map_layer(dataset(), indicator, period)


@st.cache_resource(show_spinner=False)
def locator_layer():
    return model.locator_layer(dataset())


@st.cache_resource(show_spinner=False)
def mappable_indicators():
    return model.mappable_indicators(dataset())


@st.cache_resource(show_spinner=False)
def chartable_indicators():
    return model.chartable_indicators(dataset())


@st.cache_resource(show_spinner=False)
def chartable_territories():
    return model.chartable_territories(dataset())


@st.cache_resource(show_spinner=False)
def all_figures():
    return model.all_figures(dataset())


@st.cache_resource(show_spinner=False)
def dataset_summaries():
    return model.dataset_summaries(dataset())


@st.cache_resource(show_spinner=False, max_entries=64)
def gap_table(quartiers: tuple[str, ...]):
    return model.gap_table(dataset(), list(quartiers))


@st.cache_resource(show_spinner=False, max_entries=128)
def series_table(indicator: str, territories: tuple[str, ...]):
    from ui.render import series_table as build

    return build(dataset(), indicator, territories)


@st.cache_resource(show_spinner=False, max_entries=256)
def chart_spec(kind: str, indicator: str, territories: tuple[str, ...], title: str) -> dict:
    """Vega-Lite spec, built and validated by Altair once (validation dominates a rerun otherwise)."""
    from ui.charts import chart_spec as build

    return build(dataset(), kind, indicator, territories, title)


@st.cache_resource(show_spinner=False)
def ranks_spec() -> dict:
    from ui.charts import accessible, ranks_chart
    from ui.render import ranks_frame

    return accessible(
        ranks_chart(ranks_frame(dataset()), "Rang de chaque thème par quartier"),
        "Graphique : rang de chaque thème de priorité des habitants par quartier (1 = le plus cité). "
        "Les mêmes rangs sont dans le tableau de l'annexe 1 ci-dessous.",
    )


@st.cache_resource(show_spinner=False)
def priorities_table():
    from ui.render import priorities_table as build

    return build(dataset())


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def fiche_pdf_bytes(territory: str, today: dt.date) -> bytes:
    """The PDF of a fiche, per quartier and day (it carries its edition date)."""
    from ui.pdf import fiche_pdf

    return fiche_pdf(dataset(), fiche(territory), today=today)


@st.cache_data(show_spinner=False, max_entries=64)
def figures_csv(territory: str | None = None, indicator: str | None = None) -> bytes:
    from ui.exports import figures_csv as build

    return build(dataset(), model.all_figures(dataset(), territory, indicator))


@st.cache_resource(show_spinner=False, max_entries=4)
def _followup_store(url: str | None, read_only: bool):
    from data.followup import FollowupStore

    return FollowupStore(url, read_only=read_only)


def followup_store(read_only: bool = False):
    """One store per database address (QUARTIERS_DB_URL, read at each call so tests can point it
    elsewhere) and mode; public screens open it read-only."""
    from data.followup import DB_ENV

    return _followup_store(os.environ.get(DB_ENV), read_only)


@st.cache_resource(show_spinner=False, max_entries=4)
def _accounts(url: str | None):
    from data.accounts import Accounts

    return Accounts(_followup_store(url, False).engine)


def accounts():
    """The team's accounts, in the follow-up database (never built in consultation mode)."""
    from data.followup import DB_ENV

    return _accounts(os.environ.get(DB_ENV))


@st.cache_resource(show_spinner=False)
def slides():
    """The presentation's slides (ui/slides.py), built once from the records."""
    from ui.slides import build

    return build(dataset(), chart_spec)


@st.cache_resource(show_spinner=False, max_entries=16)
def locator_img(territory: str) -> str:
    """The locator map as an <img> (an SVG data URI: no sanitiser touches it, nothing fetched)."""
    import base64
    import html

    from ui.locator import alt_text, locator_svg

    ds = dataset()
    svg = locator_svg(territory, {q: ds.territories[q].name for q in ds.quartier_ids})
    alt = alt_text(ds.territories[territory].name)
    data = base64.b64encode(svg.encode()).decode()
    return f"<img src='data:image/svg+xml;base64,{data}' alt='{html.escape(alt)}' style='width:100%;max-height:640px'>"
