"""Deep links on a fresh server, in one place.

Streamlit decides once per process, at the first session, whether the app uses the old
« pages/ directory » mode: it does when a `pages/` folder sits beside the entry script (our
layout), and only leaves that mode once app.py has called st.navigation. A first visitor who
opens a deep link (/fiche?q=…) before anyone opened « / » would therefore get the bare page
script, without the router. The `ui` package calls `route_through_app()` when it is first
imported (every page imports it before reading its address): it leaves the mode and reruns
through app.py, keeping the address. For that mode to find the page at all, each file in pages/
is named after its address (pages/emploi.py for /emploi; tested). Tested in the browser suite
(tests/e2e: a fresh server whose first request is a deep link)."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx


def route_through_app() -> None:
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()
