"""Before any page runs: the data must load. A broken data file shows one French message naming
the file, the line or feature and the reason — never an exception box."""

import streamlit as st

from data.errors import DataValidationError
from ui import cached


def require_data() -> None:
    try:
        cached.dataset()
        cached.shapes()
    except DataValidationError as err:
        st.error(
            f"Les données du tableau de bord sont invalides : {err}. Rien n'est affiché tant que ce fichier n'est pas corrigé.",
            icon=":material/error:",
        )
        st.stop()
