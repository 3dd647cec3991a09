"""The team site as an attacker on the town's network would try it (issue « safe on a network »):
single sign-on claims, sessions that outlive their limits, a racy and weaponised lock-out, a
disabled account that keeps reading, a replayed session creating accounts, weak passwords,
Streamlit's clear_cache message, unbounded caches, user text rendered as Markdown. Each test was
written against the code before the fix and failed there. Both databases where storage counts."""

from __future__ import annotations

import ast
import statistics
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db
from data.accounts import (
    IDLE_MINUTES,
    SESSION_HOURS,
    THROTTLE,
    Accounts,
    AuthError,
    check_password,
    issuer_from_metadata_url,
    throttle_delay,
)
from data.followup import FollowupStore

from .test_followup import PASSWORD, fresh_url, open_suivi, sign_in, team_db

ROOT = Path(__file__).resolve().parents[1]
ISSUER = "https://idp.agglo.test/realms/quartiers"
SSO = "marie.sso@agglo.test"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path)


@pytest.fixture()
def accounts(url):
    return Accounts(FollowupStore(url).engine)


def claims(**kw) -> dict:
    base = {"iss": ISSUER, "sub": "sub-marie-1", "email": SSO, "email_verified": True, "iat": int(time.time()) - 10}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


# --- single sign-on: only verified claims open an account made for it -------------------------------


def test_sso_requires_a_verified_email_from_the_configured_issuer(accounts):
    accounts.add(SSO, "administrateur", None)
    with pytest.raises(AuthError, match="n'a pas vérifié cette adresse"):
        accounts.open_sso(claims(email_verified=False), ISSUER)
    with pytest.raises(AuthError, match="n'a pas vérifié cette adresse"):
        accounts.open_sso(claims(email_verified=None), ISSUER)
    with pytest.raises(AuthError, match="n'a pas vérifié cette adresse"):
        accounts.open_sso(claims(email_verified="true"), ISSUER)  # a string is not a verified claim
    with pytest.raises(AuthError, match="ne vient pas du fournisseur d'identité configuré"):
        accounts.open_sso(claims(iss="https://autre-fournisseur.example"), ISSUER)
    with pytest.raises(AuthError, match="ne vient pas du fournisseur"):
        accounts.open_sso(claims(), "")  # no configured issuer: nothing opens
    acc = accounts.open_sso(claims(email="Marie.SSO@Agglo.TEST"), ISSUER)  # e-mail case-insensitive
    assert (acc.login, acc.role, acc.sso) == (SSO, "administrateur", True)


def test_sso_never_opens_a_password_account_nor_matches_a_user_name(accounts):
    accounts.add("admin", "administrateur", PASSWORD)
    accounts.add("chef@agglo.test", "administrateur", PASSWORD)  # a password account named like an e-mail
    with pytest.raises(AuthError, match="n'ouvre aucun compte actif de connexion unique"):
        accounts.open_sso(claims(email=None, preferred_username="admin"), ISSUER)
    with pytest.raises(AuthError, match="n'ouvre aucun compte actif de connexion unique"):
        accounts.open_sso(claims(email="chef@agglo.test"), ISSUER)
    with pytest.raises(AuthError, match="connexion unique est l'adresse électronique"):
        accounts.add("sansarobase", "lecteur", None)


def test_sso_subject_is_pinned_at_the_first_sign_in(accounts, url):
    accounts.add(SSO, "contributeur", None)
    accounts.open_sso(claims(sub="sub-marie-1"), ISSUER)
    with db.make_engine(url).connect() as con:
        row = con.execute(sa.select(db.account).where(db.account.c.login == SSO)).first()
    assert (row.sso_subject, row.sso_issuer) == ("sub-marie-1", ISSUER)
    assert accounts.open_sso(claims(sub="sub-marie-1"), ISSUER).login == SSO
    with pytest.raises(AuthError, match="lié à une autre identité du fournisseur"):
        accounts.open_sso(claims(sub="sub-usurpateur"), ISSUER)


def test_sso_password_sign_in_is_refused_for_a_single_sign_on_account(accounts):
    accounts.add(SSO, "administrateur", None)
    with pytest.raises(AuthError, match="^identifiant ou mot de passe incorrect$"):
        accounts.authenticate(SSO, PASSWORD)


def test_sso_identity_obeys_the_app_limits_and_sign_out(accounts):
    accounts.add(SSO, "administrateur", None)
    now = time.time()
    with pytest.raises(AuthError, match=f"plus de {SESSION_HOURS} heures"):
        accounts.open_sso(claims(iat=int(now - SESSION_HOURS * 3600 - 60)), ISSUER, now)
    # a tab closed 40 minutes ago: the next visitor of that browser is not signed in
    with pytest.raises(AuthError, match=f"plus de {IDLE_MINUTES} minutes sans action"):
        accounts.open_sso(claims(iat=int(now - 40 * 60)), ISSUER, now)
    fresh = claims(iat=int(now - 60))
    assert accounts.open_sso(fresh, ISSUER, now).login == SSO
    # activity recorded by the session keeps an older identity alive, idle time counts from it
    accounts.touch(SSO, now + 20 * 60)
    assert accounts.open_sso(fresh, ISSUER, now + 45 * 60).login == SSO
    # « Se déconnecter » anywhere: the copied identity cookie no longer opens anything
    accounts.end_sessions(SSO)
    with pytest.raises(AuthError, match="cette connexion a été fermée"):
        accounts.open_sso(fresh, ISSUER, time.time())
    later = claims(iat=int(time.time()) + 1)
    assert accounts.open_sso(later, ISSUER, time.time() + 1).login == SSO  # a new sign-in works
    accounts.set_active(SSO, False)
    with pytest.raises(AuthError, match="n'ouvre aucun compte actif"):
        accounts.open_sso(later, ISSUER, time.time() + 1)


def test_issuer_comes_from_the_discovery_address():
    assert issuer_from_metadata_url(ISSUER + "/.well-known/openid-configuration") == ISSUER
    assert issuer_from_metadata_url("https://idp.example/autre") == ""


def test_migration_marks_existing_password_less_accounts_as_single_sign_on(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'ancienne.sqlite3'}"
    command.upgrade(db.alembic_config(url), "0002_accounts")
    with db.make_engine(url).begin() as con:
        con.execute(
            sa.text(
                "INSERT INTO account (login, role, password_hash, active, failed_attempts, created_at) VALUES "
                "('a@b.fr', 'lecteur', NULL, 1, 0, '2026-01-01'), ('paul', 'lecteur', 'x', 1, 0, '2026-01-01')"
            )
        )
    db.migrate(url)
    assert {(a.login, a.sso) for a in Accounts(db.make_engine(url)).list()} == {("a@b.fr", True), ("paul", False)}


# --- lock-out: atomic, slows the attacker, never a weapon against the owner -------------------------


def test_failure_counter_is_atomic_under_60_parallel_failures(accounts):
    barrier = threading.Barrier(20)

    def hammer():
        barrier.wait()
        for _ in range(3):
            accounts.record_failure("marie", "10.0.0.66")

    threads = [threading.Thread(target=hammer) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert accounts.failures("compte:marie") == 60
    assert accounts.failures("paire:marie|10.0.0.66") == 60
    assert accounts.failures("adresse:10.0.0.66") == 60


def test_every_refused_parallel_password_is_counted(accounts):
    """60 wrong passwords at once: each is either counted or refused as throttled, none lost
    (read-then-write left the counter at 3 for 60 attempts)."""
    accounts.add("marie", "contributeur", PASSWORD)
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(12)

    def attempt():
        barrier.wait()
        for _ in range(5):
            try:
                accounts.authenticate("marie", "mauvais-mot-de-passe", "10.0.0.66")
            except AuthError as err:
                with lock:
                    outcomes.append("incorrect" if "incorrect" in str(err) else "ralenti")

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 60
    assert accounts.failures("compte:marie") == outcomes.count("incorrect") >= THROTTLE["paire"][0]


def test_an_attacker_is_slowed_but_never_locks_the_owner_out(accounts):
    accounts.add("marie", "contributeur", PASSWORD)
    start = time.time() - 39 * 60 - 40  # the last failure was 40 s ago
    for i in range(40):  # 40 failures from the attacker's address, one a minute
        accounts.record_failure("marie", "203.0.113.9", now=start + i * 60)
    last = start + 39 * 60
    attacker = accounts.wait_seconds("marie", "203.0.113.9", now=last + 1)
    owner = accounts.wait_seconds("marie", "192.0.2.10", now=last + 1)
    assert attacker > 800  # the pair and the address: up to 15 minutes
    assert 0 < owner <= THROTTLE["compte"][2]  # the account-wide delay is capped (≤ 100 guesses an hour)
    assert accounts.wait_seconds("marie", "192.0.2.10", now=last + THROTTLE["compte"][2] + 1) == 0
    # so the owner signs in from the office while the attacker is still refused
    assert accounts.authenticate("marie", PASSWORD, "192.0.2.10").login == "marie"
    with pytest.raises(AuthError, match="trop d'essais manqués"):
        accounts.authenticate("marie", PASSWORD, "203.0.113.9")
    # the owner's success cleared only her own pair's count: the attacker stays slowed
    assert accounts.failures("compte:marie") == 40 and accounts.failures("adresse:203.0.113.9") == 40
    assert accounts.failures("paire:marie|192.0.2.10") == 0


def test_a_distributed_attacker_cannot_keep_the_owner_out_of_a_known_address(accounts):
    """The probe kept the owner out for ever: failures from 12 addresses fed the account-wide delay,
    which was applied to the owner's address too. An address the account signed in from is exempt
    from the account-wide and address-wide delays (only its own pair's count applies)."""
    accounts.add("lea", "lecteur", PASSWORD)
    assert accounts.authenticate("lea", PASSWORD, "192.0.2.10").login == "lea"  # her office, once
    now = time.time()
    for i in range(60):  # 60 failures from 60 addresses, the last one just now
        accounts.record_failure("lea", f"198.51.100.{i}", now=now - 60 + i)
    assert accounts.wait_seconds("lea", "203.0.113.77", now=now) > 0  # a new address: slowed
    assert accounts.wait_seconds("lea", "192.0.2.10", now=now) == 0  # her office: never
    assert accounts.authenticate("lea", PASSWORD, "192.0.2.10").login == "lea"
    with pytest.raises(AuthError, match="trop d'essais manqués"):
        accounts.authenticate("lea", PASSWORD, "203.0.113.77")


def test_a_disabled_account_answers_like_a_wrong_password(accounts):
    accounts.add("lea", "lecteur", PASSWORD)
    accounts.set_active("lea", False)
    with pytest.raises(AuthError, match="^identifiant ou mot de passe incorrect$"):
        accounts.authenticate("lea", PASSWORD, "192.0.2.10")
    assert accounts.failures("compte:lea") == 1  # counted like any failure


def test_delays_grow_and_are_capped():
    assert [throttle_delay("paire", n) for n in range(4, 9)] == [0, 2, 4, 8, 16]
    assert throttle_delay("paire", 60) == 900 and throttle_delay("adresse", 200) == 900
    assert throttle_delay("compte", 9) == 0 and throttle_delay("compte", 1000) == 36


def test_same_answer_and_cost_whether_the_login_exists_or_not(accounts):
    accounts.add("marie", "contributeur", PASSWORD)
    messages = set()
    for login in ("marie", "personne"):
        for _ in range(THROTTLE["paire"][0]):
            with pytest.raises(AuthError, match="^identifiant ou mot de passe incorrect$"):
                accounts.authenticate(login, "mauvais-mot-de-passe", "198.51.100.7")
        with pytest.raises(AuthError) as err:
            accounts.authenticate(login, "mauvais-mot-de-passe", "198.51.100.7")
        messages.add(str(err.value).split(" : ")[0])
    assert messages == {"trop d'essais manqués pour cet identifiant ou depuis cette adresse"}

    def timed(login, address):
        t = time.perf_counter()
        with pytest.raises(AuthError):
            accounts.authenticate(login, "mauvais-mot-de-passe", address)
        return time.perf_counter() - t

    samples: dict[str, list[float]] = {"ralenti": [], "faux": [], "inconnu": []}
    for i in range(7):  # interleaved, so that a busy machine slows the three alike
        samples["ralenti"].append(timed("marie", "198.51.100.7"))
        samples["faux"].append(timed("marie", f"192.0.2.{i}"))
        samples["inconnu"].append(timed("inconnu", f"192.0.2.{i + 50}"))
    throttled, wrong, unknown = (statistics.median(samples[k]) for k in ("ralenti", "faux", "inconnu"))
    # the probe saw 55 ms (locked) against 170 ms (ratio 0,32): the same reads, argon2 and write now
    assert 0.5 < throttled / wrong < 2 and 0.5 < unknown / wrong < 2, (throttled, wrong, unknown)


# --- passwords ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password,why",
    [
        ("aaaaaaaaaa", "12 à 256"),
        ("aaaaaaaaaaaa", "trop facile"),
        ("            ", "vide"),
        ("azertyuiop12", "trop facile"),
        ("motdepasse123", "trop facile"),
        ("compiegne2024", "trop facile"),
        ("123456789012", "trop facile"),
        ("marie.dupont1", "trop facile"),
    ],
)
def test_weak_passwords_are_refused(password, why):
    with pytest.raises(AuthError, match=why):
        check_password(password, "marie.dupont")


def test_a_long_passphrase_is_accepted():
    assert check_password("girafe velours cantine orage", "marie")


# --- the page: rights re-read at every rerun, sign-out everywhere, re-authentication ---------------


def _texts(at) -> str:
    return " ".join(e.proto.body for e in at.get("html"))


def test_a_disabled_account_stops_reading_at_its_next_rerun(tmp_path, monkeypatch):
    from tests.test_team import add as add_value

    acc = team_db(tmp_path, monkeypatch, ("lea", "lecteur"))
    import os

    from data.dataset import load_dataset

    add_value(FollowupStore(os.environ["QUARTIERS_DB_URL"]), load_dataset(), comment="note interne", author="agent.interne")
    at = sign_in(open_suivi(), "lea")
    assert "note interne" in _texts(at) and "agent.interne" in _texts(at)
    acc.set_active("lea", False)
    at.run()  # any action: a rerun
    assert "note interne" not in _texts(at) and "agent.interne" not in _texts(at)
    assert "Votre session a été fermée" in _texts(at)
    assert "Se connecter" in [b.label for b in at.button]


def test_internal_download_is_produced_per_click_for_an_account_that_still_may(accounts):
    accounts.add("lea", "lecteur", PASSWORD)
    started = time.time() - 5
    produce = accounts.internal_producer("lea", started, lambda: b"historique")
    assert produce() == b"historique"
    accounts.set_active("lea", False)
    with pytest.raises(AuthError, match="n'a plus accès"):
        produce()
    assert pytest.raises(AuthError, accounts.internal_producer(None, started, lambda: b"x"))


def test_sign_out_ends_every_session_of_the_account(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    first, second = sign_in(open_suivi(), "marie"), sign_in(open_suivi(), "marie")
    assert "Connecté : marie" in _texts(second)
    next(b for b in first.button if b.label == "Se déconnecter").click().run()
    second.run()
    assert "Connecté : marie" not in _texts(second) and "Votre session a été fermée" in _texts(second)


def test_a_session_used_from_another_address_ends(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie")
    assert "Connecté : marie" in _texts(at)
    monkeypatch.setattr("ui.auth.client_address", lambda: "203.0.113.50")  # a replayed session id elsewhere
    at.run()
    assert "Connecté : marie" not in _texts(at) and "autre adresse réseau" in _texts(at)


def test_creating_an_account_asks_for_the_password_again(tmp_path, monkeypatch):
    acc = team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    at = sign_in(open_suivi(), "admin")

    def create(confirmation: str):
        at.text_input(key="compte_identifiant").input("paul")
        at.text_input(key="compte_mdp").input("girafe velours cantine orage")
        at.text_input(key="compte_confirmation").input(confirmation)
        next(b for b in at.button if b.label == "Créer le compte").click().run()

    create("")
    assert "Compte non créé – saisissez votre propre mot de passe" in _texts(at)
    create("pas-le-bon-mot-de-passe")
    assert "Compte non créé – identifiant ou mot de passe incorrect" in _texts(at)
    assert acc.get("paul") is None
    create(PASSWORD)
    assert "Compte créé : paul (lecteur)" in _texts(at) and acc.get("paul") is not None


# --- user text is never Markdown, errors included -----------------------------------------------------


def test_a_markdown_link_typed_as_a_value_is_shown_as_typed(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie")
    typed = "[ici](https://phishing.example)"
    at.text_input(key="suivi_valeur").input(typed)
    at.text_input(key="suivi_unite").input("**gras**")
    at.text_input(key="suivi_source").input("Bilan")
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    html = _texts(at)
    assert "« [ici](https://phishing.example) » n&#x27;est pas un nombre" in html
    assert "href=" not in html.replace("href='#", "")
    assert not any("phishing" in e.value for e in [*at.error, *at.markdown, *at.warning, *at.info])


# --- Streamlit: clear_cache refused, caches bounded ---------------------------------------------------


def test_a_browser_clear_cache_message_empties_no_cache():
    import streamlit as st
    from streamlit.runtime.app_session import AppSession

    import ui  # noqa: F401  (installs the refusal, as every page does)

    calls = []

    @st.cache_resource
    def costly():
        calls.append(1)
        return 1

    costly()
    AppSession._handle_clear_cache_request(object())  # what Streamlit runs for a « clear_cache » message
    costly()
    assert calls == [1]


def test_every_cache_keyed_by_a_choice_is_bounded():
    tree = ast.parse((ROOT / "ui" / "cached.py").read_text())
    unbounded = []
    for fn in tree.body:
        if not isinstance(fn, ast.FunctionDef) or not fn.args.args:
            continue
        for dec in fn.decorator_list:
            if isinstance(dec, ast.Call) and "cache" in ast.unparse(dec.func):
                if not any(k.arg == "max_entries" for k in dec.keywords):
                    unbounded.append(fn.name)
    assert unbounded == []


def test_uploads_are_kept_only_for_a_session_that_may_import(monkeypatch):
    """The probe filled the team process's memory from an anonymous session (upload URLs asked with
    a file_urls_request, then PUTs). Streamlit's file manager now refuses both for any session that
    is not signed in with the right to import, and always on a public screen."""
    from starlette.exceptions import HTTPException
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    import ui  # noqa: F401  (installs the guard, as every page does)
    from data.accounts import Account
    from ui import streamlit_private

    mgr = MemoryUploadedFileManager("/_stcore/upload_file")
    rec = UploadedFileRec(file_id="f1", name="a.xlsx", type="application/octet-stream", data=b"x" * 10)
    sessions = {
        "anonyme": {},
        "contributeur": {streamlit_private.ACCOUNT_KEY: {"account": Account("marie", "contributeur", True)}},
        "admin": {streamlit_private.ACCOUNT_KEY: {"account": Account("admin", "administrateur", True)}},
    }

    class Info:
        def __init__(self, state):
            self.session = type("S", (), {"session_state": state})()

    class Manager:
        def get_active_session_info(self, session_id):
            return Info(sessions[session_id]) if session_id in sessions else None

    monkeypatch.setattr("streamlit.runtime.Runtime.instance", lambda: type("R", (), {"_session_mgr": Manager()})())
    for sid in ("anonyme", "contributeur", "inconnue"):
        assert mgr.get_upload_urls(sid, ["a.xlsx"]) == []
        with pytest.raises(HTTPException) as refused:
            mgr.add_file(sid, rec)
        assert refused.value.status_code == 403
        assert mgr.get_files(sid, ["f1"]) == []
    assert len(mgr.get_upload_urls("admin", ["a.xlsx"])) == 1
    mgr.add_file("admin", rec)
    assert [f.name for f in mgr.get_files("admin", ["f1"])] == ["a.xlsx"]
    monkeypatch.setenv("QUARTIERS_MODE", "consultation")  # a public screen: never, even signed in
    with pytest.raises(HTTPException):
        mgr.add_file("admin", rec)
