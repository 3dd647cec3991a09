"""Router only: the page registry (ui/registry.py) handed to st.navigation."""

import os

import streamlit as st

from ui.boot import require_data
from ui.registry import PROBE, sections

st.set_page_config(page_title="Quartiers 2030 – ARC", page_icon="ui/favicon.png", layout="wide")
pages = {
    section: [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path or None, default=not p.url_path) for p in entries]
    for section, entries in sections().items()
}
if os.environ.get("QUARTIERS_BENCH"):  # the benchmark's router probe, hidden from the navigation
    pages[PROBE.section].append(st.Page(PROBE.path, title=PROBE.title, url_path=PROBE.url_path, visibility="hidden"))
nav = st.navigation(pages)
require_data()
nav.run()
