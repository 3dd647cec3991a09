"""Streamlit's private API, in one place (Streamlit 1.67; tests/test_security.py and the browser
suite fail loudly if an upgrade removes what is used here).

1. Deep links on a fresh server. Streamlit decides once per process, at the first session,
whether the app uses the old « pages/ directory » mode: it does when a `pages/` folder sits beside
the entry script (our layout), and only leaves that mode once app.py has called st.navigation. A
first visitor who opens a deep link (/fiche?q=…) before anyone opened « / » would therefore get the
bare page script, without the router. The `ui` package calls `route_through_app()` when it is
first imported (every page imports it before reading its address): it leaves the mode and reruns
through app.py, keeping the address. For that mode to find the page at all, each file in pages/
is named after its address (pages/emploi.py for /emploi; tested). Tested in the browser suite
(tests/e2e: a fresh server whose first request is a deep link).

2. Streamlit's « clear_cache » message. Any browser can send it over its websocket (the hidden
developer menu's « Clear cache »); Streamlit then empties every cache of the process for every
user (the next pages cost ×7). `refuse_clear_cache()` turns that message into a no-op with a line
in the server log; the caches are rebuilt only when the process restarts or the data change."""

import logging

import streamlit as st
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

log = logging.getLogger("quartiers2030")


def route_through_app() -> None:
    if PagesManager.uses_pages_directory and get_script_run_ctx() is not None:
        PagesManager.uses_pages_directory = False
        st.rerun()


def _refused_clear_cache(self) -> None:
    log.warning("message « clear_cache » d'un navigateur refusé (les caches sont communs à tous les visiteurs)")


def refuse_clear_cache() -> None:
    """Once per process: a browser's clear_cache message no longer empties the shared caches."""
    if AppSession._handle_clear_cache_request is not _refused_clear_cache:
        AppSession._handle_clear_cache_request = _refused_clear_cache  # type: ignore[method-assign]
