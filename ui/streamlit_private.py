"""Streamlit's private API, in one place (written for Streamlit 1.67: STREAMLIT_SERIES).
tests/test_streamlit_private.py fails loudly on an upgrade: another series, a private attribute
gone, a `data-testid` our styles and scripts select that the new front end no longer has, an
English string we translate (ui/document.py) that it no longer shows. Review this module, then
raise STREAMLIT_SERIES.

0. What the page styles and scripts select (ui/frame.py, ui/document.py, pages/presentation.py):
the `data-testid` attributes of Streamlit's front end, listed in TESTIDS (a test checks that no
other one is used and that each one exists in the installed front end).

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
in the server log; the caches are rebuilt only when the process restarts or the data change.

3. Uploads. Streamlit hands upload URLs to any session that asks (a `file_urls_request` message)
and stores any file PUT for any active session, widget or not: an anonymous visitor of the team
site filled the memory with 30 × 4,5 MB. `refuse_anonymous_uploads()` accepts a file only for a
session signed in with the right to import (an administrateur, as of its last page run, which
re-reads the database), and never on a public screen; nginx also caps the size (deploy/)."""

import logging
import os

import streamlit as st
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner import get_script_run_ctx

log = logging.getLogger("quartiers2030")

STREAMLIT_SERIES = "1.67"  # the Streamlit series this module was written and tested for
TESTIDS = frozenset(
    {
        "stAppDeployButton", "stAppViewContainer", "stButton", "stCaptionContainer", "stCheckbox", "stDownloadButton",
        "stDownloadButtonError", "stElementToolbar", "stElementToolbarButton", "stExpander", "stFileUploader", "stForm", "stFormSubmitButton",
        "stHeader", "stHorizontalBlock", "stIFrame", "stMain", "stMainBlockContainer", "stMainMenu", "stMultiSelect",
        "stMultiSelectTagsContainer", "stPageLink", "stRadio", "stSelectbox", "stSidebar", "stStatusWidget",
        "stTable", "stTextArea", "stTextInput", "stToast", "stToolbar", "stToolbarActions", "stTopNav",
        "stTopNavDropdownLink", "stTopNavLink", "stTopNavSection", "stVegaLiteChart", "stWidgetLabel",
    }
)  # fmt: skip


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


ACCOUNT_KEY = "_quartiers_account"  # ui.auth.KEY (this module imports no other ui module)


def session_may_upload(session_id: str) -> bool:
    """A signed-in session whose account may import, on a team server; anything else: no."""
    if os.environ.get("QUARTIERS_MODE", "").strip().lower() == "consultation":
        return False
    try:
        from streamlit.runtime import Runtime

        info = Runtime.instance()._session_mgr.get_active_session_info(session_id)
        if info is None:
            return False
        state = info.session.session_state
        data = state[ACCOUNT_KEY] if ACCOUNT_KEY in state else None
        account = data.get("account") if isinstance(data, dict) else None
        return bool(account is not None and account.can("import"))
    except Exception:  # no runtime, a session being torn down: refuse
        return False


def refuse_anonymous_uploads() -> None:
    """Once per process: upload URLs and uploaded files only for sessions that may import."""
    if getattr(MemoryUploadedFileManager.add_file, "_quartiers", False):
        return
    add_file, get_upload_urls = MemoryUploadedFileManager.add_file, MemoryUploadedFileManager.get_upload_urls

    def guarded_add_file(self, session_id, file):
        if not session_may_upload(session_id):
            from starlette.exceptions import HTTPException

            log.warning("téléversement refusé : session sans droit d'import")
            raise HTTPException(status_code=403, detail="Téléversement refusé : réservé aux administrateurs connectés.")
        return add_file(self, session_id, file)

    def guarded_get_upload_urls(self, session_id, file_names):
        return get_upload_urls(self, session_id, file_names) if session_may_upload(session_id) else []

    guarded_add_file._quartiers = True  # type: ignore[attr-defined]
    MemoryUploadedFileManager.add_file = guarded_add_file  # type: ignore[method-assign]
    MemoryUploadedFileManager.get_upload_urls = guarded_get_upload_urls  # type: ignore[method-assign]
