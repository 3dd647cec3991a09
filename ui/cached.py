"""The one place where data-layer functions are cached for Streamlit."""

from __future__ import annotations

import streamlit as st

from data import analysis
from data import framework as fw
from data import geo
from data import indicators


@st.cache_resource(show_spinner=False)
def catalogue():
    return indicators.load_all()[0]


@st.cache_resource(show_spinner=False)
def territories():
    return indicators.load_all()[1]


@st.cache_resource(show_spinner=False)
def series_frame():
    return indicators.load_all()[2]


@st.cache_resource(show_spinner=False)
def changes_frame():
    return indicators.load_all()[3]


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
def synthesis_grid():
    return analysis.synthesis_grid(series_frame(), changes_frame(), catalogue(), doc("synthesis"))
