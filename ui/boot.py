"""Around every page run: the data must load, and no exception detail ever reaches a user.

A broken data file shows one French message naming the file, the line or feature and the reason.
Any other fault shows a French message and a way back home; the traceback goes to the server
log only (never a path, a secret or a stack to the screen)."""

import logging

import streamlit as st

from data.errors import DataValidationError
from ui import cached
from ui.registry import path_of

log = logging.getLogger("quartiers2030")


STATE_PARAM = "etat"


def apply_state_param() -> None:
    """?etat=contrat shows the diagnostic exactly as the contract printed it, ?etat=actuel the
    living one (the default); read before any page asks for its dataset, kept for the session (the
    toggle of every page changes it, ui/frame.state_toggle). An unknown value: a French warning."""
    raw = st.query_params.get(STATE_PARAM)
    if raw in (None, ""):
        return
    if raw == cached.CONTRACT_STATE:
        st.session_state["etat"] = cached.CONTRACT_STATE
    elif raw == "actuel":
        st.session_state["etat"] = cached.LIVING_STATE
    else:
        st.session_state["etat"] = cached.LIVING_STATE  # « affichage par défaut », as the message says
        st.session_state["etat_bad"] = True


def require_data() -> None:
    apply_state_param()
    try:
        cached.contract_dataset()
        cached.shapes()
    except DataValidationError as err:
        st.error(
            f"Les données du tableau de bord sont invalides : {err}. Rien n'est affiché tant que ce fichier n'est pas corrigé.",
            icon=":material/error:",
        )
        st.stop()


def run_page(nav) -> None:
    """Run the chosen page; a fault becomes a French message (details in the server log only)."""
    try:
        nav.run()
    except Exception:  # st.rerun / st.stop / st.switch_page are BaseExceptions and pass through
        log.exception("page en erreur")
        st.error(
            "Cette page n'a pas pu s'afficher. L'incident a été enregistré ; vous pouvez revenir à l'accueil.",
            icon=":material/error:",
        )
        st.page_link(path_of("accueil"), label="Revenir à l'accueil", icon=":material/home:")
