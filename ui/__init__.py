"""Streamlit-side helpers: the one cache layer, the shared page frame, chart and map builders."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

# Streamlit 1.67 starts in « pages/ directory » mode (MPA v1) because ./pages exists, and only
# leaves it once app.py has called st.navigation. A first visitor who opens a deep link
# (/fiche?q=…) before anyone opened "/" would get the bare page, without the router's
# navigation and titles. Leave that mode and rerun through app.py (the URL is kept).
if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
    PagesManager.uses_pages_directory = False
    st.rerun()
