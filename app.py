"""Router only: the page registry (ui/registry.py) handed to st.navigation."""

import streamlit as st

from ui.boot import require_data
from ui.registry import sections

st.set_page_config(page_title="Quartiers 2030 – ARC", page_icon="ui/favicon.png", layout="wide")
nav = st.navigation(
    {
        section: [st.Page(p.path, title=p.title, icon=p.icon, url_path=p.url_path or None, default=not p.url_path) for p in pages]
        for section, pages in sections().items()
    }
)
require_data()
nav.run()
