"""The one place where data-layer and renderer functions are cached for Streamlit. It only
caches: every function here calls one function that is tested without Streamlit. Every cache whose
key comes from an address or a widget has max_entries (an attacker looping over URL choices cannot
grow a process without bound; tests/test_security.py checks that none is unbounded)."""

from __future__ import annotations

import datetime as dt
import functools
import os

import sqlalchemy as sa
import streamlit as st

from data import geo, model, paths
from data.dataset import load_dataset
from data.db import StoreError


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset(folder: str):
    return load_dataset(paths.Path(folder))


def contract_dataset():
    """The contract as printed, checked (QUARTIERS_DATA_DIR, read at each call)."""
    return _dataset(str(paths.qpv_data()))


# The state a view shows: the contract exactly as printed (?etat=contrat, the toggle of every
# page), or the living diagnostic: the contract followed by every VALIDATED point past it
# (data/series.py). Every cache below is keyed by this state, so a validation reaches every
# running process within VERSION_TTL seconds, with no restart.
CONTRACT_STATE, LIVING_STATE = "contrat", "vivant"
VERSION_TTL = 30


@st.cache_data(show_spinner=False, ttl=VERSION_TTL, max_entries=4)
def _published_version(db_url: str | None) -> tuple:
    from data.series import SeriesStore

    try:
        return SeriesStore(_followup_store(db_url, True).engine, read_only=True).version()
    except (StoreError, sa.exc.SQLAlchemyError, OSError):  # no database yet (a public screen): the contract alone
        return ("sans base",)


@st.cache_resource(show_spinner=False, max_entries=4)
def _living(folder: str, db_url: str | None, version: tuple):
    """The contract and the published points; a database fault raises (never cached)."""
    from data.series import SeriesStore

    store = SeriesStore(_followup_store(db_url, True).engine, read_only=True)
    return _dataset(folder).living(store.in_force(published=True), store.indicators())


def state() -> tuple:
    """(data folder, « contrat » | « vivant », published version): the key of every cache."""
    from data.followup import DB_ENV

    folder = str(paths.qpv_data())
    if st.session_state.get("etat") == CONTRACT_STATE:
        return (folder, CONTRACT_STATE, None, ())
    url = os.environ.get(DB_ENV)
    return (folder, LIVING_STATE, url, _published_version(url))


def dataset_of(key: tuple):
    folder, mode, url, version = key
    if mode == CONTRACT_STATE:
        return _dataset(folder)
    try:
        return _living(folder, url, version)
    except (StoreError, sa.exc.SQLAlchemyError, OSError):
        # a database fault (locked, unreachable) never takes the contract's figures away, and is not
        # cached: the next rerun tries again
        return _dataset(folder).living([])


def dataset():
    """The dataset the view shows, in the state in force (contract as printed, or living)."""
    return dataset_of(state())


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
def _fiche(key: tuple, territory: str):
    return model.fiche(dataset_of(key), territory)


def fiche(territory: str):
    return _fiche(state(), territory)


@st.cache_resource(show_spinner=False, max_entries=8)
def _home_cards(key: tuple):
    return model.home_cards(dataset_of(key))


def home_cards():
    return _home_cards(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _quartier_tiles(key: tuple):
    return model.quartier_tiles(dataset_of(key))


def quartier_tiles():
    return _quartier_tiles(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _synthesis(key: tuple):
    return model.synthesis(dataset_of(key))


def synthesis():
    return _synthesis(state())


@st.cache_resource(show_spinner=False, max_entries=64)
def _map_layer(key: tuple, indicator: str, period: str):
    return model.map_layer(dataset_of(key), indicator, period)


def map_layer(indicator: str, period: str):
    return _map_layer(state(), indicator, period)


@st.cache_resource(show_spinner=False, max_entries=8)
def _locator_layer(key: tuple):
    return model.locator_layer(dataset_of(key))


def locator_layer():
    return _locator_layer(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _mappable_indicators(key: tuple):
    return model.mappable_indicators(dataset_of(key))


def mappable_indicators():
    return _mappable_indicators(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _chartable_indicators(key: tuple):
    return model.chartable_indicators(dataset_of(key))


def chartable_indicators():
    return _chartable_indicators(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _chartable_territories(key: tuple):
    return model.chartable_territories(dataset_of(key))


def chartable_territories():
    return _chartable_territories(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _all_figures(key: tuple):
    return model.all_figures(dataset_of(key))


def all_figures():
    return _all_figures(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _dataset_summaries(key: tuple):
    return model.dataset_summaries(dataset_of(key))


def dataset_summaries():
    return _dataset_summaries(state())


@st.cache_resource(show_spinner=False, max_entries=64)
def _gap_table(key: tuple, quartiers: tuple[str, ...]):
    return model.gap_table(dataset_of(key), list(quartiers))


def gap_table(quartiers: tuple[str, ...]):
    return _gap_table(state(), quartiers)


@st.cache_resource(show_spinner=False, max_entries=128)
def _series_table(key: tuple, indicator: str, territories: tuple[str, ...]):
    from ui.render import series_table as build

    return build(dataset_of(key), indicator, territories)


def series_table(indicator: str, territories: tuple[str, ...]):
    return _series_table(state(), indicator, territories)


@st.cache_resource(show_spinner=False, max_entries=128)
def _series_table_html(key: tuple, indicator: str, territories: tuple[str, ...], caption: str) -> str:
    from ui.render import frame_html

    _, table = _series_table(key, indicator, territories)
    return "" if table is None else frame_html(table, caption)


def series_table_html(indicator: str, territories: tuple[str, ...], caption: str) -> str:
    """The same table as escaped HTML, built once (the chart's text alternative)."""
    return _series_table_html(state(), indicator, territories, caption)


@st.cache_resource(show_spinner=False, max_entries=256)
def _chart_spec(key: tuple, kind: str, indicator: str, territories: tuple[str, ...], title: str) -> dict:
    from ui.charts import chart_spec as build

    return build(dataset_of(key), kind, indicator, territories, title)


def chart_spec(kind: str, indicator: str, territories: tuple[str, ...], title: str) -> dict:
    """Vega-Lite spec, built and validated by Altair once (validation dominates a rerun otherwise)."""
    return _chart_spec(state(), kind, indicator, territories, title)


@st.cache_resource(show_spinner=False, max_entries=8)
def _ranks_spec(key: tuple) -> dict:
    from ui.charts import accessible, ranks_chart
    from ui.render import ranks_frame

    return accessible(
        ranks_chart(ranks_frame(dataset_of(key)), "Rang de chaque thème par quartier"),
        "Graphique : rang de chaque thème de priorité des habitants par quartier (1 = le plus cité). "
        "Les mêmes rangs sont dans le tableau de l'annexe 1 ci-dessous.",
    )


def ranks_spec() -> dict:
    return _ranks_spec(state())


@st.cache_resource(show_spinner=False, max_entries=8)
def _priorities_table(key: tuple):
    from ui.render import priorities_table as build

    return build(dataset_of(key))


def priorities_table():
    return _priorities_table(state())


@st.cache_data(show_spinner=False, max_entries=16, ttl=3600)
def _fiche_pdf_bytes(key: tuple, territory: str, today: dt.date) -> bytes:
    from ui.pdf import fiche_pdf

    return fiche_pdf(dataset_of(key), _fiche(key, territory), today=today)


def fiche_pdf_bytes(territory: str, today: dt.date) -> bytes:
    """The PDF of a fiche, per quartier and day (it carries its edition date)."""
    return _fiche_pdf_bytes(state(), territory, today)


@st.cache_data(show_spinner=False, max_entries=64)
def _figures_csv(key: tuple, territory: str | None = None, indicator: str | None = None) -> bytes:
    from ui.exports import figures_csv as build

    return build(dataset_of(key), model.all_figures(dataset_of(key), territory, indicator))


def figures_csv(territory: str | None = None, indicator: str | None = None) -> bytes:
    return _figures_csv(state(), territory, indicator)


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


@st.cache_resource(show_spinner=False, max_entries=8)
def _slides(key: tuple):
    from ui.slides import build

    return build(dataset_of(key), functools.partial(_chart_spec, key))


def slides():
    """The presentation's slides (ui/slides.py), built once from the records."""
    return _slides(state())


@st.cache_resource(show_spinner=False, max_entries=16)
def _locator_img(key: tuple, territory: str) -> str:
    import base64
    import html

    from ui.locator import alt_text, locator_svg

    ds = dataset_of(key)
    svg = locator_svg(territory, {q: ds.territories[q].name for q in ds.quartier_ids})
    alt = alt_text(ds.territories[territory].name)
    data = base64.b64encode(svg.encode()).decode()
    return f"<img src='data:image/svg+xml;base64,{data}' alt='{html.escape(alt)}' style='width:100%;max-height:640px'>"


def locator_img(territory: str) -> str:
    """The locator map as an <img> (an SVG data URI: no sanitiser touches it, nothing fetched)."""
    return _locator_img(state(), territory)


def published_changed() -> None:
    """A validation or a withdrawal in this process: its next rerun reads the new published set at
    once (other processes within VERSION_TTL seconds)."""
    _published_version.clear()
