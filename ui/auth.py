"""Sign-in of the politique de la ville team (local accounts, data/accounts.py). The signed-in
account lives in the Streamlit session on the server (never in the URL or a cookie the page can
read); it expires after SESSION_HOURS, or IDLE_MINUTES without action. Every write re-checks the
account in the database (`data.accounts.require`): a disabled account or a replayed form after
sign-out writes nothing. Never built in consultation mode."""

from __future__ import annotations

import time

import streamlit as st

from data.accounts import IDLE_MINUTES, PASSWORD_MAX, Account, AuthError, session_expired
from data.db import StoreError
from ui import cached

KEY = "_quartiers_account"


def current() -> Account | None:
    """The signed-in account of this session, or None (expired sessions end here)."""
    data = st.session_state.get(KEY)
    if not data:
        return None
    now = time.time()
    if session_expired(data["since"], data["seen"], now):
        del st.session_state[KEY]
        st.info(f"Votre session a expiré (plus de {IDLE_MINUTES} minutes sans action, ou fin de journée) : reconnectez-vous.")
        return None
    data["seen"] = now
    return data["account"]


def sign_in_form() -> None:
    with st.form("connexion", clear_on_submit=False):
        st.markdown("**Connexion de l'équipe** – saisir, importer ou lire les commentaires internes demande un compte.")
        login = st.text_input("Identifiant", key="connexion_identifiant", max_chars=64, autocomplete="username")
        password = st.text_input(
            "Mot de passe", type="password", key="connexion_mdp", max_chars=PASSWORD_MAX, autocomplete="current-password"
        )
        submitted = st.form_submit_button("Se connecter")
    if submitted:
        try:
            acc = cached.accounts().authenticate(login, password)
        except (AuthError, StoreError) as err:
            st.error(f"Connexion refusée – {err}.")
            return
        now = time.time()
        st.session_state[KEY] = {"account": acc, "since": now, "seen": now}
        st.session_state.pop("connexion_mdp", None)
        st.rerun()


def signed_in_bar(acc: Account) -> None:
    c1, c2 = st.columns([4, 1])
    c1.caption(f"Connecté : {acc.login} ({acc.role})")
    if c2.button("Se déconnecter", key="deconnexion"):
        sign_out()


def sign_out() -> None:
    st.session_state.pop(KEY, None)
    st.rerun()


def require(action: str) -> Account:
    """The current account, re-read from the database, if it may do `action` (AuthError otherwise)."""
    from data.accounts import require as check

    return check(current(), action, cached.accounts())
