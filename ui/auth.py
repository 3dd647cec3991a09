"""Sign-in of the politique de la ville team (local accounts and single sign-on, data/accounts.py).

The signed-in account lives in the Streamlit session on the server (never in the URL or a cookie
the page can read). At EVERY rerun the account is re-read from the database: a disabled account,
a role change or a « Se déconnecter » in any browser ends the session at its next action. A
session also ends after SESSION_HOURS, after IDLE_MINUTES without action, and when its client
address changes (a replayed session id from another machine gets nothing). Single sign-on goes
through Streamlit's st.login (OpenID Connect); the identity is checked by
`data.accounts.Accounts.open_sso` (issuer, verified e-mail, account created for it, pinned
subject, age, revocation, idle time). Never built in consultation mode."""

from __future__ import annotations

import ipaddress
import os
import time

import streamlit as st

from data.accounts import (
    IDLE_MINUTES,
    REAUTH_SECONDS,
    SESSION_HOURS,
    Account,
    AuthError,
    issuer_from_metadata_url,
    session_expired,
)
from data.db import StoreError
from ui import cached
from ui.frame import notice

KEY = "_quartiers_account"
SSO_LABEL_ENV = "QUARTIERS_SSO_LABEL"  # the provider's name on the button (ProConnect, Entra ID…)
TRUSTED_PROXIES_ENV = "QUARTIERS_TRUSTED_PROXIES"  # addresses whose X-Real-IP is believed (nginx)
TOUCH_EVERY_S = 60  # how often a provider-backed session records its last action in the database


def sso_configured() -> bool:
    """Single sign-on is offered when Streamlit's [auth] secrets are set (st.login, OpenID Connect)."""
    try:
        return bool(st.secrets.load_if_toml_exists()) and "auth" in st.secrets
    except Exception:  # unreadable secrets: no single sign-on, the local accounts still work
        return False


def sso_issuer() -> str:
    """The configured provider's issuer, from its discovery address (server_metadata_url)."""
    try:
        return issuer_from_metadata_url(str(st.secrets["auth"].get("server_metadata_url", "")))
    except Exception:
        return ""


def client_address() -> str:
    """The browser's address: the connection's, or nginx's X-Real-IP when the connection comes from
    loopback or a configured proxy (never believed from anyone else)."""
    peer = st.context.ip_address  # None on loopback
    peer = peer if isinstance(peer, str) else None  # (Streamlit's test harness hands out a mock)
    trusted = {a.strip() for a in os.environ.get(TRUSTED_PROXIES_ENV, "").split(",") if a.strip()}
    if peer is None or peer in trusted:
        real = str(st.context.headers.get("X-Real-IP") or "").strip()
        try:
            return str(ipaddress.ip_address(real))
        except ValueError:
            return peer or "boucle-locale"
    return peer


def _claims() -> dict:
    try:
        return dict(st.user.to_dict())
    except Exception:
        return {}


def _from_identity() -> Account | None:
    """The account the provider's identity opens (rules in Accounts.open_sso), if any."""
    if not sso_configured() or not st.user.is_logged_in:
        return None
    claims = _claims()
    now = time.time()
    try:
        acc = cached.accounts().open_sso(claims, sso_issuer(), now)
    except StoreError as err:
        notice("error", f"Connexion impossible – {err}.")
        return None
    except AuthError as err:
        notice("warning", f"Connexion refusée – {err}.")
        shown = str(claims.get("email") or "")[:200]
        if shown:
            st.text(f"Identité reçue : {shown}")  # shown as text, never as Markdown
        if st.button("Se déconnecter du fournisseur", key="sso_deconnexion"):
            st.logout()
        return None
    iat = float(claims.get("iat") or now)
    st.session_state[KEY] = {
        "account": acc,
        "since": iat,  # the limits count from the identity's issue time, not from this tab
        "opened": now,  # a « Se déconnecter » after this instant ends this session
        "seen": now,
        "touched": now,
        "sso": True,
        "address": client_address(),
    }
    return acc


def _end(data: dict, message: str) -> None:
    st.session_state.pop(KEY, None)
    notice("info", message)
    if data.get("sso"):
        st.logout()  # the provider-backed identity cookie goes too, or it would sign in again at once


def current() -> Account | None:
    """The signed-in account of this session as the database says now, or None."""
    data = st.session_state.get(KEY)
    if not data:
        return _from_identity()
    now = time.time()
    if session_expired(data["since"], data["seen"], now):
        _end(
            data,
            f"Votre session a expiré (plus de {IDLE_MINUTES} minutes sans action, ou plus de {SESSION_HOURS} heures) : reconnectez-vous.",
        )
        return None
    if data.get("address") != client_address():
        _end(data, "Votre session a été fermée : elle est utilisée depuis une autre adresse réseau. Reconnectez-vous.")
        return None
    try:
        acc = cached.accounts().session_account(data["account"].login, data.get("opened", data["since"]))
    except StoreError as err:
        notice("error", f"Compte indisponible – {err}.")
        return None
    if acc is None:
        _end(data, "Votre session a été fermée (déconnexion, compte désactivé ou modifié) : reconnectez-vous.")
        return None
    if acc.role != data["account"].role:  # role changed: rights as the database says, never as the session remembers
        data["account"] = acc
    data["seen"] = now
    if data.get("sso") and now - data.get("touched", 0) > TOUCH_EVERY_S:
        data["touched"] = now
        try:
            cached.accounts().touch(acc.login, now)
        except StoreError:
            pass  # the idle limit of this tab still holds
    return acc


def sign_in_form() -> None:
    if sso_configured():
        label = os.environ.get(SSO_LABEL_ENV, "").strip() or "le fournisseur d'identité de la collectivité"
        if st.button(f"Se connecter avec {label}", key="sso_connexion", icon=":material/login:"):
            st.login()
    with st.form("connexion", clear_on_submit=False):
        st.markdown("**Connexion de l'équipe** – saisir, importer ou lire les commentaires internes demande un compte.")
        login = st.text_input("Identifiant", key="connexion_identifiant", autocomplete="username")
        password = st.text_input("Mot de passe", type="password", key="connexion_mdp", autocomplete="current-password")
        submitted = st.form_submit_button("Se connecter")
    if submitted:
        address = client_address()
        try:
            acc = cached.accounts().authenticate(login, password, address)
        except (AuthError, StoreError) as err:
            notice("error", f"Connexion refusée – {err}.")
            return
        now = time.time()
        st.session_state[KEY] = {"account": acc, "since": now, "opened": now, "seen": now, "address": address}
        st.session_state.pop("connexion_mdp", None)
        st.rerun()


def signed_in_bar(acc: Account) -> None:
    c1, c2 = st.columns([4, 1])
    # the login (an e-mail under single sign-on) as text: never a Markdown link
    with c1:
        notice("note", f"Connecté : {acc.login} ({acc.role})")
    if c2.button("Se déconnecter", key="deconnexion"):
        sign_out()


def sign_out() -> None:
    """Ends this session and every other session of the account (database `not_before`), and the
    provider-backed identity cookie of this browser."""
    data = st.session_state.pop(KEY, None) or {}
    acc = data.get("account")
    if acc is not None:
        try:
            cached.accounts().end_sessions(acc.login)
        except StoreError:
            pass  # this session ends anyway
    if data.get("sso"):
        st.logout()
    st.rerun()


def require(action: str) -> Account:
    """The current account, re-read from the database, if it may do `action` (AuthError otherwise)."""
    from data.accounts import require as check

    return check(current(), action, cached.accounts())


def fresh_sso_sign_in() -> bool:
    """Single sign-on session whose identity was issued less than REAUTH_SECONDS ago."""
    data = st.session_state.get(KEY) or {}
    return bool(data.get("sso")) and time.time() - float(data.get("since", 0)) <= REAUTH_SECONDS


def is_sso_session() -> bool:
    return bool((st.session_state.get(KEY) or {}).get("sso"))


def confirm_identity(password: str) -> Account:
    """Re-authentication before creating an account: the password of the signed-in account, or a
    sign-in to the provider younger than REAUTH_SECONDS. AuthError otherwise."""
    me = require("manage_accounts")
    if is_sso_session():
        if not fresh_sso_sign_in():
            raise AuthError(
                f"pour créer un compte, reconnectez-vous auprès du fournisseur (connexion de moins de {REAUTH_SECONDS // 60} minutes)"
            )
        return me
    if not password:
        raise AuthError("saisissez votre propre mot de passe pour confirmer")
    return cached.accounts().confirm_password(me.login, password, client_address())


def internal_download(build):
    """A download callable (st.download_button's deferred data) that produces the internal file only
    when clicked, and only if the session's account still may read internal data at that moment
    (re-read from the database: the click is served outside the page run)."""
    data = st.session_state.get(KEY) or {}
    acc = data.get("account")
    return cached.accounts().internal_producer(acc.login if acc else None, float(data.get("opened", 0)), build)
