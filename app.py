"""Router only: the page registry (ui/registry.py) handed to st.navigation, for the mode in force."""

import os

import streamlit as st

from ui.boot import require_data, run_page
from ui.document import consultation
from ui.registry import PROBE, sections

st.set_page_config(page_icon="ui/favicon.png", layout="wide")
public = consultation()
pages = {
    section: [
        st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path or None, default=not p.url_path)
        for p in entries
        if p.public or not public
    ]
    for section, entries in sections().items()
}
if os.environ.get("QUARTIERS_BENCH"):  # the benchmark's router probe, hidden from the navigation
    pages[PROBE.section].append(st.Page(PROBE.path, title=PROBE.title, url_path=PROBE.url_path, visibility="hidden"))
# top navigation: Streamlit's sidebar list fails the list/listitem accessibility rules
nav = st.navigation({s: p for s, p in pages.items() if p}, position="top")
# the page's own title in the browser's tab, also after a menu click: once a page (a fiche, a slide) has set
# a title of its own, Streamlit keeps it on the next pages of the session unless each page sets one
st.set_page_config(page_title=nav.title)
require_data()
run_page(nav)
