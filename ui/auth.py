"""Sign-in of the politique de la ville team (local accounts, data/accounts.py). The signed-in
account lives in the Streamlit session on the server (never in the URL or a cookie the page can
read); it expires after SESSION_HOURS, or IDLE_MINUTES without action. Every write re-checks the
account in the database (`data.accounts.require`): a disabled account or a replayed form after
sign-out writes nothing. Never built in consultation mode."""

from __future__ import annotations

import html
import os
import time

import streamlit as st

from data.accounts import IDLE_MINUTES, PASSWORD_MAX, Account, AuthError, session_expired
from data.db import StoreError
from ui import cached

KEY = "_quartiers_account"
SSO_LABEL_ENV = "QUARTIERS_SSO_LABEL"  # the provider's name on the button (ProConnect, Entra ID…)


def sso_configured() -> bool:
    """Single sign-on is offered when Streamlit's [auth] secrets are set (st.login, OpenID Connect)."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # unreadable secrets: no single sign-on, the local accounts still work
        return False


def _from_identity() -> Account | None:
    """The account of the identity the provider vouched for (its e-mail, else its username), if an
    administrateur created one (`python -m data.cli user add … --sso`). Never created on the fly."""
    if not sso_configured() or not st.user.is_logged_in:
        return None
    ident = str(st.user.get("email") or st.user.get("preferred_username") or "").strip().lower()
    try:
        acc = cached.accounts().get(ident) if ident else None
    except StoreError as err:
        st.error(f"Connexion impossible – {err}.")
        return None
    if acc is None or not acc.active:
        st.warning(
            "Votre identité a été vérifiée par le fournisseur, mais elle n'ouvre aucun compte actif du tableau de "
            "bord : demandez à un administrateur de vous en créer un (lecteur, contributeur ou administrateur)."
        )
        st.text(f"Identité reçue : {ident[:200]}")  # shown as text, never as Markdown
        if st.button("Se déconnecter du fournisseur", key="sso_deconnexion"):
            st.logout()
        return None
    now = time.time()
    st.session_state[KEY] = {"account": acc, "since": now, "seen": now, "sso": True}
    return acc


def current() -> Account | None:
    """The signed-in account of this session, or None (expired sessions end here)."""
    data = st.session_state.get(KEY)
    if not data:
        return _from_identity()
    now = time.time()
    if session_expired(data["since"], data["seen"], now):
        del st.session_state[KEY]
        if data.get("sso"):
            st.logout()  # the provider-backed identity ends too, or it would sign in again at once
        st.info(f"Votre session a expiré (plus de {IDLE_MINUTES} minutes sans action, ou fin de journée) : reconnectez-vous.")
        return None
    data["seen"] = now
    return data["account"]


def sign_in_form() -> None:
    if sso_configured():
        label = os.environ.get(SSO_LABEL_ENV, "").strip() or "le fournisseur d'identité de la collectivité"
        if st.button(f"Se connecter avec {label}", key="sso_connexion", icon=":material/login:"):
            st.login()
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
    # the login (an e-mail under single sign-on) as text: never a Markdown link
    c1.html(f"<p class='q-note'>Connecté : {html.escape(acc.login)} ({acc.role})</p>")
    if c2.button("Se déconnecter", key="deconnexion"):
        sign_out()


def sign_out() -> None:
    data = st.session_state.pop(KEY, None) or {}
    if data.get("sso"):
        st.logout()  # also ends the provider-backed identity cookie
    st.rerun()


def require(action: str) -> Account:
    """The current account, re-read from the database, if it may do `action` (AuthError otherwise)."""
    from data.accounts import require as check

    return check(current(), action, cached.accounts())
