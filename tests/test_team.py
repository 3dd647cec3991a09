"""The team's follow-up, probed as a careful attacker and a clumsy user would: exact values, tiny,
huge and ambiguous inputs, length limits, database faults in French, concurrent writers on both
databases, accounts (argon2, lock-out, roles enforced on the server, expiry), the command line
(all-or-nothing import, template, export) and the Alembic migration of an older database."""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
import time
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from data import db
from data.accounts import THROTTLE, Accounts, AuthError, require, session_expired
from data.dataset import load_dataset
from data.followup import FollowupError, FollowupStore, parse_number, referentiel_indicators
from data.formatting import fr_number

from .commands import cli, cli_process
from .test_followup import PASSWORD, fresh_url, open_suivi, pg_url, publish, sign_in, team_db

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    return fresh_url(request.param, tmp_path)


def add(store, ds, value="42", **kw):
    args = dict(
        indicator=referentiel_indicators(ds.framework)[0],
        territory="clos-des-roses",
        territories=ds.territories,
        year=2025,
        value_text=value,
        unit="enfants",
        source="Bilan 2025",
        author="marie",
    )
    args.update(kw)
    return store.add(**args)


def notices(at) -> str:
    """Messages shown as text (ui.frame.notice: never Markdown), as the page's HTML."""
    return " ".join(e.proto.body for e in at.get("html") if "q-notice" in e.proto.body or "q-note" in e.proto.body)


# --- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,shown",
    [
        ("0,00001", "0,00001"),
        ("0,1", "0,1"),
        ("999 999 999 999,999999", "999 999 999 999,999999"),
        ("12,5000", "12,5"),  # « 12,500 » is ambiguous (12,5 or 12 500?): refused with the question
        ("1 234", "1 234"),
    ],
)
def test_tiny_and_huge_values_are_stored_exactly_and_render(url, ds, text, shown):
    store = FollowupStore(url)
    add(store, ds, text)
    [e] = store.latest(published=False)
    assert isinstance(e.value, Decimal) and fr_number(e.value) == shown


def test_no_float_noise_on_either_database(url, ds):
    store = FollowupStore(url)
    for v in ("0,1", "0,2", "0,3"):
        add(store, ds, v, year=2024 + len(store.history()))
    values = [e.value for e in store.history()]
    assert values == [Decimal("0.1"), Decimal("0.2"), Decimal("0.3")] and sum(values) == Decimal("0.6")


@pytest.mark.parametrize(
    "text,message",
    [
        ("2.500", "« 2.500 » est ambigu : voulez-vous dire 2,5 ou 2 500 ?"),
        ("1.234", "« 1.234 » est ambigu : voulez-vous dire 1,234 ou 1 234 ?"),
        ("1.234,5", "écrivez les milliers avec une espace"),
        ("0,0000001", "au plus 6 décimales"),
        ("9" * 400, "la valeur dépasse 40 caractères"),
        ("9" * 13, "valeur trop grande"),
        ("1e5", "n'est pas un nombre"),
        ("inf", "n'est pas un nombre"),
        ("NaN", "n'est pas un nombre"),
        ("=1+1", "n'est pas un nombre"),
    ],
)
def test_tiny_huge_and_ambiguous_inputs_are_refused_with_the_question(text, message):
    with pytest.raises(FollowupError) as exc:
        parse_number(text)
    assert exc.value.field == "valeur" and message in str(exc.value)


@pytest.mark.parametrize(
    "kw,field,message",
    [
        ({"unit": "u" * 41}, "unité", "40 caractères au plus (41 saisis)"),
        ({"source": "s" * 301}, "source", "300 caractères au plus (301 saisis)"),
        ({"source": "x" * 100_000}, "source", "300 caractères au plus (100000 saisis)"),
        ({"author": "a" * 65}, "auteur", "64 caractères au plus"),
        ({"source": "bilan\x00caché"}, "source", "caractères de contrôle refusés"),
        ({"value_text": "120", "unit": "%"}, "valeur", "un pourcentage doit être compris entre 0 et 100"),
    ],
)
def test_length_limits_on_the_server(url, ds, kw, field, message):
    store = FollowupStore(url)
    with pytest.raises(FollowupError) as exc:
        add(store, ds, **kw)
    assert exc.value.field == field and message in str(exc.value)
    assert store.history() == []


def test_concurrent_writers_lose_nothing(url, ds):
    store = FollowupStore(url)
    errors: list[BaseException] = []

    def writer(n):
        try:
            for i in range(20):
                add(store, ds, f"{n},{i:02d}", comment=f"{n}-{i}")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    history = store.history()
    assert len(history) == 160 and len({e.id for e in history}) == 160
    assert {e.comment for e in history} == {f"{n}-{i}" for n in range(8) for i in range(20)}


# --- database faults ------------------------------------------------------------------------------


def test_locked_sqlite_gets_a_french_message_within_seconds_and_nothing_written(tmp_path, ds):
    url = fresh_url("sqlite", tmp_path)
    store = FollowupStore(url)
    holder = sqlite3.connect(tmp_path / "suivi.sqlite3")
    holder.execute("BEGIN EXCLUSIVE")
    t = time.monotonic()
    with pytest.raises(db.StoreError) as exc:
        add(store, ds)
    assert time.monotonic() - t < 8
    assert "occupée par une autre saisie" in str(exc.value) and "rien n'a été enregistré" in str(exc.value)
    holder.rollback()
    holder.close()
    assert store.history() == []


def test_read_only_store_refuses_to_write_in_french(tmp_path, ds):
    url = fresh_url("sqlite", tmp_path)
    with pytest.raises(db.StoreError, match="lecture seule"):
        add(FollowupStore(url, read_only=True), ds)


def test_unreachable_postgresql_answers_in_french_in_seconds_without_the_password(ds):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    store = FollowupStore(f"postgresql://quartiers:s3cret-mdp@127.0.0.1:{port}/quartiers")
    t = time.monotonic()
    with pytest.raises(db.StoreError) as exc:
        store.history()
    assert time.monotonic() - t < 5
    assert "injoignable" in str(exc.value) and "s3cret" not in str(exc.value) and str(port) not in str(exc.value)


def test_hung_postgresql_times_out_after_a_few_seconds_not_130(ds):
    """A server that accepts the connection and never answers (a hung host): a French message
    after the connect timeout (3 s), not the driver's minutes."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    port = srv.getsockname()[1]
    try:
        store = FollowupStore(f"postgresql://quartiers:x@127.0.0.1:{port}/quartiers")
        t = time.monotonic()
        with pytest.raises(db.StoreError) as exc:
            store.history()
        elapsed = time.monotonic() - t
    finally:
        srv.close()
    assert elapsed < 10, elapsed
    assert "n'a pas répondu à temps" in str(exc.value) or "injoignable" in str(exc.value)


def test_missing_directory_and_unmigrated_database_are_said_in_french(tmp_path):
    with pytest.raises(db.StoreError, match="introuvable ou inaccessible"):
        FollowupStore(f"sqlite:///{tmp_path / 'absent' / 'x.sqlite3'}").history()
    empty = FollowupStore(f"sqlite:///{tmp_path / 'vide.sqlite3'}")
    with pytest.raises(db.StoreError, match=r"n'est pas à jour \(l'administrateur lance « python -m data.cli migrate »\)"):
        empty.check_schema()
    with pytest.raises(db.StoreError, match="adresse de base de données non reconnue") as exc:
        FollowupStore("mysql://root:hunter2@db/x")
    assert "hunter2" not in str(exc.value)


def test_the_app_runs_no_ddl_at_page_load(tmp_path, monkeypatch):
    """A team server on an empty database says so in French; it creates no table."""
    monkeypatch.setenv("QUARTIERS_DB_URL", f"sqlite:///{tmp_path / 'vide.sqlite3'}")
    at = open_suivi()
    assert "n&#x27;est pas à jour" in notices(at)
    con = sqlite3.connect(tmp_path / "vide.sqlite3")
    assert con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0] == 0


def test_a_pre_alembic_database_is_migrated_keeping_its_values(tmp_path):
    path = tmp_path / "ancienne.sqlite3"
    con = sqlite3.connect(path)
    con.execute(
        "CREATE TABLE followup_value (id INTEGER PRIMARY KEY AUTOINCREMENT, indicator_key TEXT NOT NULL, indicator_label TEXT NOT NULL, "
        "orientation INTEGER NOT NULL, territory TEXT NOT NULL, year INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL, unit TEXT NOT NULL, "
        "source TEXT NOT NULL, comment TEXT NOT NULL DEFAULT '', author TEXT NOT NULL, recorded_at TEXT NOT NULL)"
    )
    con.execute(
        "INSERT INTO followup_value VALUES (1,'os1-axe1-1','x',1,'clos-des-roses',2025,66.4,'%','Bilan','', 'Équipe', '2026-01-01')"
    )
    con.commit()
    con.close()
    assert db.migrate(f"sqlite:///{path}") == db.SCHEMA_VERSION
    store = FollowupStore(f"sqlite:///{path}")
    store.check_schema()
    assert [e.value for e in store.history()] == [Decimal("66.4")]


# --- accounts -------------------------------------------------------------------------------------


@pytest.fixture()
def accounts(url):
    return Accounts(FollowupStore(url).engine)


def test_passwords_are_argon2_hashes_and_wrong_ones_refused(accounts, url):
    accounts.add("Marie", "contributeur", PASSWORD)
    with db.make_engine(url).connect() as con:
        stored = con.execute(db.account.select()).first()
    assert stored.login == "marie" and stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert accounts.authenticate("marie", PASSWORD).role == "contributeur"
    for login in ("marie", "personne"):  # same words whether the login exists or not
        with pytest.raises(AuthError, match="^identifiant ou mot de passe incorrect$"):
            accounts.authenticate(login, "mauvais-mot-de-passe")
    with pytest.raises(AuthError, match="12 à 256 caractères"):
        accounts.add("paul", "lecteur", "court")
    with pytest.raises(AuthError, match="existe déjà"):
        accounts.add("MARIE", "lecteur", PASSWORD)


def test_slowed_after_repeated_failures_even_with_the_right_password(accounts):
    accounts.add("marie", "contributeur", PASSWORD)
    free = THROTTLE["paire"][0]
    for _ in range(free):
        with pytest.raises(AuthError, match="incorrect"):
            accounts.authenticate("marie", "essai-au-hasard", "10.1.2.3")
    with pytest.raises(AuthError, match="trop d'essais manqués pour cet identifiant ou depuis cette adresse : réessayez dans"):
        accounts.authenticate("marie", "essai-au-hasard", "10.1.2.3")
    for _ in range(4):  # a few more failures (each after its delay): the next wait is over a minute
        accounts.record_failure("marie", "10.1.2.3")
    with pytest.raises(AuthError, match="trop d'essais manqués"):
        accounts.authenticate("marie", PASSWORD, "10.1.2.3")


def test_roles_and_disabled_accounts_enforced_on_the_server(accounts):
    lecteur = accounts.add("lea", "lecteur", PASSWORD)
    contrib = accounts.add("marie", "contributeur", PASSWORD)
    admin = accounts.add("admin", "administrateur", PASSWORD)
    with pytest.raises(AuthError, match="le rôle « lecteur » ne permet pas cette action"):
        require(lecteur, "record", accounts)
    with pytest.raises(AuthError, match="le rôle « contributeur » ne permet pas cette action"):
        require(contrib, "import", accounts)
    with pytest.raises(AuthError, match="connectez-vous"):
        require(None, "record", accounts)
    assert require(admin, "import", accounts).login == "admin"
    accounts.set_active("marie", False)
    with pytest.raises(AuthError, match="désactivé"):
        require(contrib, "record", accounts)  # the session still holds the account: refused anyway
    # signing in: the same words as a wrong password (a disabled account's password is not confirmed)
    with pytest.raises(AuthError, match="^identifiant ou mot de passe incorrect$"):
        accounts.authenticate("marie", PASSWORD)


def test_sessions_expire():
    now = 1_000_000.0
    assert not session_expired(now - 3600, now - 60, now)
    assert session_expired(now - 3600, now - 31 * 60, now)  # 31 minutes idle
    assert session_expired(now - 9 * 3600, now - 60, now)  # more than a working day


# --- the page: roles, replay, expiry --------------------------------------------------------------


def test_signed_out_visitor_of_the_team_site_sees_published_values_only(tmp_path, monkeypatch, ds):
    team_db(tmp_path, monkeypatch)
    store = FollowupStore(os.environ["QUARTIERS_DB_URL"])
    add(store, ds, comment="note interne", author="agent.interne")
    publish(store)
    at = open_suivi()
    html = "".join(e.proto.body for e in at.get("html") if "<table" in e.proto.body)
    assert "42" in html and "agent.interne" not in html and "note interne" not in html
    assert [b.label for b in at.button if b.label == "Enregistrer"] == []
    assert "Se connecter" in [b.label for b in at.button]


def test_lecteur_reads_internal_comments_but_gets_no_form(tmp_path, monkeypatch, ds):
    team_db(tmp_path, monkeypatch, ("lea", "lecteur"))
    add(FollowupStore(os.environ["QUARTIERS_DB_URL"]), ds, comment="note interne", author="agent.interne")
    at = sign_in(open_suivi(), "lea")
    html = "".join(e.proto.body for e in at.get("html") if "<table" in e.proto.body)
    assert "agent.interne" in html and "note interne" in html
    assert "Enregistrer" not in [b.label for b in at.button] and not at.get("file_uploader")
    assert "permet de lire les valeurs" in notices(at)


def test_a_form_submitted_after_the_account_was_disabled_writes_nothing(tmp_path, monkeypatch):
    acc = team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie")
    at.text_input(key="suivi_valeur").input("12")
    at.text_input(key="suivi_unite").input("familles")
    at.text_input(key="suivi_source").input("Bilan")
    acc.set_active("marie", False)  # an administrateur disables the account meanwhile
    next(b for b in at.button if b.label == "Enregistrer").click().run()
    # the rerun re-reads the account: the session ends before the form is even read
    assert "Votre session a été fermée" in notices(at)
    assert "Enregistrer" not in [b.label for b in at.button]
    assert FollowupStore(os.environ["QUARTIERS_DB_URL"]).history() == []


def test_wrong_password_on_the_page_and_expired_session(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie", "pas-le-bon-mot-de-passe")
    assert "Connexion refusée – identifiant ou mot de passe incorrect" in notices(at)
    assert "Enregistrer" not in [b.label for b in at.button]
    at = sign_in(at, "marie")
    assert "Enregistrer" in [b.label for b in at.button]
    at.session_state["_quartiers_account"]["seen"] -= 31 * 60  # 31 minutes without action
    at.run()
    assert "Votre session a expiré" in notices(at)
    assert "Enregistrer" not in [b.label for b in at.button]


def test_contributeur_cannot_import_administrateur_can(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"), ("admin", "administrateur"))
    at = sign_in(open_suivi(), "marie")
    assert not at.get("file_uploader")
    at = sign_in(open_suivi(), "admin")
    assert at.get("file_uploader") and "Créer le compte" in [b.label for b in at.button]


# --- the command line -----------------------------------------------------------------------------


GOOD_ROWS = [
    "os1-axe1-1;clos-des-roses;2025;1 234;enfants;Bilan EN 2025;",
    "os1-axe1-2;la-victoire;2025;66,4;%;Bilan;ok",
    "os1-axe1-3;vivier-corax;2026;0,00001;part;INSEE;",
]
HEADER = "indicateur;territoire;annee;valeur;unite;source;commentaire"


def test_cli_users_template_import_all_or_nothing_and_export(tmp_path):
    cli = cli_process  # this whole session as an administrator types it: a real `python -m data.cli` per command
    url = f"sqlite:///{tmp_path / 'suivi.sqlite3'}"
    assert cli(url, "migrate").returncode == 0
    r = cli(url, "user", "add", "Marie", "--role", "administrateur", stdin=PASSWORD + "\n")
    assert r.returncode == 0 and "compte créé : marie (administrateur)" in r.stdout
    assert cli(url, "user", "add", "lea", "--role", "lecteur", stdin=PASSWORD + "\n").returncode == 0
    assert cli(url, "user", "add", "paul", "--role", "contributeur", stdin=PASSWORD + "\n").returncode == 0
    assert "marie\tadministrateur\tactif" in cli(url, "user", "list").stdout

    r = cli(url, "template", str(tmp_path / "modele.csv"))
    lines = (tmp_path / "modele.csv").read_text(encoding="utf-8-sig").splitlines()
    indicators = referentiel_indicators(load_dataset().framework)
    assert r.returncode == 0 and lines[0] == "indicateur;libelle;territoire;annee;valeur;unite;source;commentaire"
    assert len(lines) == 1 + len(indicators) and lines[1].startswith(f"{indicators[0].key};{indicators[0].label[:30]}")

    bad = tmp_path / "annee.csv"
    bad.write_text(
        "\n".join([HEADER, *GOOD_ROWS[:2], "os1-axe1-2;vivier-corax;2025;2.500;enfants;Bilan;", GOOD_ROWS[2]]) + "\n",
        encoding="utf-8",
    )
    r = cli(url, "import", str(bad), "--author", "marie")
    assert r.returncode == 1 and "import refusé, rien n'a été enregistré" in r.stderr
    assert "ligne 4, colonne valeur : « 2.500 » est ambigu" in r.stderr
    assert FollowupStore(url).history() == []  # all or nothing

    r = cli(url, "import", str(bad), "--author", "lea")
    assert r.returncode == 1 and "le rôle « lecteur » ne permet pas cette action" in r.stderr
    # importing is the administrateur's, on the command line as in the app
    r = cli(url, "import", str(bad), "--author", "paul")
    assert r.returncode == 1 and "le rôle « contributeur » ne permet pas cette action" in r.stderr

    good = tmp_path / "annee-bom.csv"
    good.write_bytes(("\n".join([HEADER, *GOOD_ROWS]) + "\n").encode("utf-8-sig"))
    r = cli(url, "import", str(good), "--author", "marie")
    assert r.returncode == 0 and "3 valeurs importées au nom de marie" in r.stdout
    values = {e.territory: e.value for e in FollowupStore(url).history()}
    assert values == {"clos-des-roses": Decimal("1234"), "la-victoire": Decimal("66.4"), "vivier-corax": Decimal("0.00001")}

    r = cli(url, "export", str(tmp_path / "public.csv"), "--public")
    assert r.returncode == 0 and "0 valeurs exportées" in r.stdout  # proposed: nothing public yet
    publish(FollowupStore(url))
    r = cli(url, "export", str(tmp_path / "public.csv"), "--public")
    public = (tmp_path / "public.csv").read_text(encoding="utf-8-sig")
    assert r.returncode == 0 and "marie" not in public and ";ok" not in public and ";0,00001;" in public
    cli(url, "export", str(tmp_path / "tout.csv"))
    assert ";marie;" in (tmp_path / "tout.csv").read_text(encoding="utf-8-sig")

    assert cli(url, "user", "disable", "marie").returncode == 0
    r = cli(url, "import", str(good), "--author", "marie")
    assert r.returncode == 1 and "désactivé" in r.stderr

    r = cli(url, "nimporte-quoi")
    assert r.returncode == 2 and "erreur : commande incomplète ou inconnue" in r.stderr and "usage" not in r.stderr.lower()


def test_cli_imports_xlsx_and_refuses_broken_files(tmp_path):
    url = f"sqlite:///{tmp_path / 'suivi.sqlite3'}"
    cli(url, "migrate")
    cli(url, "user", "add", "admin", "--role", "administrateur", stdin=PASSWORD + "\n")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.split(";"))
    ws.append(["os1-axe1-1", "echarde", 2025, 12.5, "enfants", "Bilan", None])
    ws.append(["os1-axe1-1", "jean-moulin", 2025, "3", "enfants", '=HYPERLINK("http://x")', None])
    wb.save(tmp_path / "annee.xlsx")
    # a formula is never evaluated (nor its cached result read): refused, and the whole file with it
    r = cli(url, "import", str(tmp_path / "annee.xlsx"), "--author", "admin")
    assert r.returncode == 1 and "ligne 3, colonne source : formule refusée" in r.stderr
    ws["F3"] = "Bilan du centre social"
    wb.save(tmp_path / "annee.xlsx")
    r = cli(url, "import", str(tmp_path / "annee.xlsx"), "--author", "admin")
    assert r.returncode == 0, r.stderr
    hist = FollowupStore(url).history()
    assert [e.value for e in hist] == [Decimal("12.5"), Decimal("3")] and hist[1].source == "Bilan du centre social"
    (tmp_path / "faux.xlsx").write_bytes(b"PK\x03\x04 pas un classeur")
    r = cli(url, "import", str(tmp_path / "faux.xlsx"), "--author", "admin")
    assert r.returncode == 1 and "classeur .xlsx illisible" in r.stderr
    (tmp_path / "latin1.csv").write_bytes((HEADER + "\nos1-axe1-1;echarde;2025;3;élèves;Bilan;\n").encode("latin-1"))
    r = cli(url, "import", str(tmp_path / "latin1.csv"), "--author", "admin")
    assert r.returncode == 1 and "n'est pas en UTF-8" in r.stderr
    (tmp_path / "virgules.csv").write_text(HEADER.replace(";", ",") + "\n", encoding="utf-8")
    r = cli(url, "import", str(tmp_path / "virgules.csv"), "--author", "admin")
    assert r.returncode == 1 and "colonnes manquantes" in r.stderr and "Traceback" not in r.stderr
    assert len(FollowupStore(url).history()) == 2


def test_postgresql_migration_is_idempotent():
    url = pg_url()
    assert db.migrate(url) == db.SCHEMA_VERSION
    assert db.migrate(url) == db.SCHEMA_VERSION
    FollowupStore(url).check_schema()


def test_a_signed_out_session_replaying_the_form_writes_nothing(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie")
    at.text_input(key="suivi_valeur").input("12")
    at.text_input(key="suivi_unite").input("familles")
    at.text_input(key="suivi_source").input("Bilan")
    button = next(b for b in at.button if b.label == "Enregistrer")
    del at.session_state["_quartiers_account"]  # signed out (another tab, expiry) meanwhile
    button.click().run()  # the old form's submit arrives anyway
    assert FollowupStore(os.environ["QUARTIERS_DB_URL"]).history() == []
    assert "Se connecter" in [b.label for b in at.button]


def test_the_import_template_and_the_accepted_ids_are_downloadable_in_the_app(tmp_path, monkeypatch, ds):
    from data.csvio import reference_csv
    from data.followup import recordable_territories

    team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    at = sign_in(open_suivi(), "admin")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Modèle d'import (CSV)" in labels and "Territoires et indicateurs acceptés (CSV)" in labels
    text = reference_csv([(t, ds.territories[t].name) for t in recordable_territories(ds)], referentiel_indicators(ds.framework))
    lines = text.decode("utf-8-sig").splitlines()
    assert lines[0] == "colonne;valeur à écrire;signification"
    assert "territoire;clos-des-roses;Le Clos des Roses" in lines and "territoire;compiegne;Compiègne (commune)" in lines
    assert sum(1 for ln in lines if ln.startswith("indicateur;")) == len(referentiel_indicators(ds.framework))
    assert not any(ln.startswith("territoire;france") for ln in lines)  # only what the form offers


def test_team_tables_break_no_word_and_write_dates_the_french_way():
    from ui.render import fr_date, html_table

    table = html_table(["Unité", "Le"], [["enfants", fr_date("2026-12-01T10:00:00+00:00")]])
    # « anywhere » let a narrow column cut « enfan ts » at 1 366 px; break-word cuts only an over-long word
    assert "overflow-wrap:anywhere" not in table and ".q-table td{overflow-wrap:break-word}" in table
    assert "<td>01/12/2026</td>" in table  # no hyphen to break at (« 2026 -12- 01 »)


# --- official tables in the app (issue 17, point 4) --------------------------------------------------

SAMPLE_TABLE = ROOT / "tests" / "fixtures" / "filosofi-2021-qpv2024-SYNTHETIQUE.csv"  # synthetic values


def page_text(at) -> str:
    import html

    return html.unescape(" ".join(e.proto.body for e in at.get("html")))


@pytest.fixture(autouse=False)
def uploads(monkeypatch):
    """AppTest has no Streamlit runtime, so the guard that keeps uploads for sessions with the import
    right (ui/streamlit_private.py, tested in tests/test_security.py) cannot see the session: let it pass.
    The page itself re-checks the right (auth.require("import")) before reading anything."""
    import ui.streamlit_private

    monkeypatch.setattr(ui.streamlit_private, "session_may_upload", lambda session_id: True)


def upload_table(at, name: str, data: bytes):
    at.file_uploader(key="table_fichier_0").set_value((name, data, "text/csv")).run()
    assert not at.exception
    return at


def test_administrateur_imports_an_official_table_previews_confirms_and_validates(tmp_path, monkeypatch, uploads):
    from data.series import SeriesStore

    team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    series = SeriesStore(FollowupStore(os.environ["QUARTIERS_DB_URL"]).engine)
    at = sign_in(open_suivi(), "admin")
    assert "Importer une table officielle (INSEE, ANCT)" in [h.value for h in at.header]
    assert at.selectbox(key="table_correspondance").value == "filosofi-2021-qpv2024.yaml"
    upload_table(at, SAMPLE_TABLE.name, SAMPLE_TABLE.read_bytes())
    text = page_text(at)
    assert (
        "15 nouvelle(s), 0 modifiée(s), 0 inchangée(s) ; 2 ligne(s) ignorée(s) hors contrat ; 2 valeur(s) non disponible(s)"
        in text
    )
    # each mapped value beside the value in force and the contract's latest figure
    assert (
        "<td>5</td><td>DEC_MED21</td><td>Le Clos des Roses</td><td>Médiane des revenus déclarés</td><td>2021</td>"
        "<td>QPV 2024</td><td>11 111 €</td><td>—</td><td>10 190 € (2020, QPV 2015)</td><td>nouvelle</td>"
    ) in text
    assert "Nouvel indicateur introduit par cet import : Premier décile des revenus déclarés" in text
    assert series.points() == []  # a preview writes nothing
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    assert not at.exception
    text = page_text(at)
    assert "15 valeur(s) enregistrée(s) au nom de admin" in text
    assert "15 point(s) de série proposé(s), visibles de l'équipe seulement" in text
    first = series.pending()[0]
    assert f"<td>S{first.id}</td>" in text and "<td>source officielle importée</td>" in text
    assert at.file_uploader(key="table_fichier_1").value is None  # the upload is forgotten after the import
    at.checkbox(key="valider_series_tous").check()
    next(b for b in at.button if b.label == "Valider et publier les points").click().run()
    assert "15 point(s) de série validé(s) : ils sont publics." in page_text(at)
    assert len(series.in_force(published=True)) == 15 and series.pending() == []


def test_a_reimport_in_the_app_writes_no_duplicate(tmp_path, monkeypatch, uploads, ds):
    from data.official import import_table, load_mapping
    from data.series import SeriesStore

    team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    series = SeriesStore(FollowupStore(os.environ["QUARTIERS_DB_URL"]).engine)
    mapping_file = ROOT / "qpv_data" / "correspondances" / "filosofi-2021-qpv2024.yaml"
    import_table(ds, series, SAMPLE_TABLE.name, SAMPLE_TABLE.read_bytes(), load_mapping(mapping_file.read_bytes()), "admin")
    at = upload_table(sign_in(open_suivi(), "admin"), SAMPLE_TABLE.name, SAMPLE_TABLE.read_bytes())
    text = page_text(at)
    assert "0 nouvelle(s), 0 modifiée(s), 15 inchangée(s)" in text and "<td>11 111 € (proposée)</td>" in text
    assert "Rien à enregistrer : toutes ces valeurs sont déjà celles en vigueur (aucun doublon n'est écrit)." in text
    assert "Confirmer l'import" not in [b.label for b in at.button]
    changed = SAMPLE_TABLE.read_bytes().replace(b"11 111", b"11 500")
    at = upload_table(at, SAMPLE_TABLE.name, changed)
    assert "0 nouvelle(s), 1 modifiée(s), 14 inchangée(s)" in page_text(at)
    next(b for b in at.button if b.label == "Confirmer l'import").click().run()
    assert "1 valeur(s) enregistrée(s) au nom de admin" in page_text(at) and len(series.points()) == 16


YAML_BAD_PERIMETER = (
    b'source: x\nmillesime: "2021"\nperimetre: quartier\ncode: CODGEO\ncolonnes:\n  A: {indicateur: poverty_rate, unite: "%"}\n'
)


def test_a_refused_table_is_said_with_line_and_column_and_writes_nothing(tmp_path, monkeypatch, uploads):
    from data.series import SeriesStore

    team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    series = SeriesStore(FollowupStore(os.environ["QUARTIERS_DB_URL"]).engine)
    bad = SAMPLE_TABLE.read_bytes().replace(b";40,5;", b";140,5;").replace(b"10 101,5", b"1.234")
    at = upload_table(sign_in(open_suivi(), "admin"), "table.csv", bad)
    text = page_text(at)
    assert "Import refusé, rien n'a été enregistré : 2 problème(s)." in text
    assert "ligne 6, colonne DEC_TP6021 : un taux doit être compris entre 0 et 100 % (lu : 140,5)" in text
    assert "ligne 7, colonne DEC_MED21 : « 1.234 » est ambigu" in text
    assert "Confirmer l'import" not in [b.label for b in at.button] and series.points() == []
    # a correspondence file that is not one: said in French, as text
    at.radio(key="table_mode").set_value("Un fichier de correspondance (.yaml)").run()
    at.file_uploader(key="table_yaml_0").set_value(("c.yaml", YAML_BAD_PERIMETER, "application/yaml")).run()
    assert "Correspondance refusée – c.yaml, ligne 3 : perimetre : valeur non autorisée" in page_text(at)


def test_columns_chosen_in_the_app_make_a_correspondence(tmp_path, monkeypatch, uploads):
    team_db(tmp_path, monkeypatch, ("admin", "administrateur"))
    at = upload_table(sign_in(open_suivi(), "admin"), SAMPLE_TABLE.name, SAMPLE_TABLE.read_bytes())
    at.radio(key="table_mode").set_value("Choisir les colonnes ici").run()
    assert at.selectbox(key="table_code").options[:3] == ["CODGEO", "LIBGEO", "DEC_MED21"]
    at.text_input(key="table_source").input("Insee, Filosofi 2021, quartiers 2024")
    at.text_input(key="table_millesime").input("2021")
    at.multiselect(key="table_colonnes").select("DEC_TP6021").run()
    at.selectbox(key="table_ind_DEC_TP6021").set_value("poverty_rate")
    at.selectbox(key="table_unite_DEC_TP6021").set_value("%").run()
    assert not at.exception
    text = page_text(at)
    assert "5 nouvelle(s), 0 modifiée(s)" in text and "<td>44,4 %</td>" in text and "63,1 % (2019, QPV 2015)" in text
    at.selectbox(key="table_unite_DEC_TP6021").set_value("€").run()
    assert "unité « € » contradictoire : l'indicateur poverty_rate est en pourcentage (%)" in page_text(at)


def test_administrateur_refuses_a_series_point_with_a_reason(tmp_path, monkeypatch, ds):
    from data.official import import_table, load_mapping
    from data.series import SeriesStore
    from data.validation import events

    team_db(tmp_path, monkeypatch, ("admin", "administrateur"), ("marie", "contributeur"))
    series = SeriesStore(FollowupStore(os.environ["QUARTIERS_DB_URL"]).engine)
    mapping_file = ROOT / "qpv_data" / "correspondances" / "filosofi-2021-qpv2024.yaml"
    import_table(ds, series, SAMPLE_TABLE.name, SAMPLE_TABLE.read_bytes(), load_mapping(mapping_file.read_bytes()), "admin")
    marie = sign_in(open_suivi(), "marie")
    assert "Valider et publier les points" not in [b.label for b in marie.button] and not marie.get("file_uploader")
    at = sign_in(open_suivi(), "admin")
    one = series.pending()[0].id
    at.selectbox(key="refuser_series_choix").set_value(one)
    at.text_input(key="refuser_series_raison").input("colonne mal choisie")
    next(b for b in at.button if b.label == "Refuser le point").click().run()
    assert f"Point n° S{one} refusé." in page_text(at)
    assert events(series.engine, one, kind="serie")[-1].reason == "colonne mal choisie"
    assert len(series.pending()) == 14
