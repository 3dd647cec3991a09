"""Follow-up values in a real database: SQLite (the default) and PostgreSQL (started by
scripts/test.sh; without it these tests fail, they never skip), schema by Alembic. Then the page,
driven by AppTest, signed in as a contributeur."""

from __future__ import annotations

import functools
import html
import os
from decimal import Decimal
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import db
from data.accounts import Accounts
from data.dataset import load_dataset
from data.followup import FollowupError, FollowupStore, parse_number, referentiel_indicators, year_label

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PG_ENV = "QUARTIERS_TEST_PG_URL"


def pg_url() -> str:
    """The test database; with pytest-xdist, each worker's own (« <base>_gw0 »…), created on first use:
    the tests of two workers never empty each other's tables."""
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} non défini : lancez la suite par « bash scripts/test.sh », qui démarre PostgreSQL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return _worker_database(url, worker) if worker else url


@functools.cache
def _worker_database(url: str, worker: str) -> str:
    import psycopg
    import sqlalchemy as sa

    base = sa.make_url(url)
    name = f"{base.database}_{worker}"
    with psycopg.connect(url, autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            try:
                con.execute(f'CREATE DATABASE "{name}"')
            except psycopg.errors.InsufficientPrivilege:
                pytest.fail(
                    f"le rôle {base.username} ne peut pas créer la base {name} d'un processus de test : "
                    "lancez la suite par « bash scripts/test.sh » (qui lui en donne le droit) ou sans -n"
                )
    return base.set(database=name).render_as_string(hide_password=False)


def empty_pg(url: str) -> str:
    import psycopg

    with psycopg.connect(url) as con:
        con.execute(
            "DROP TABLE IF EXISTS series_event, series_point, series_indicator, followup_event, followup_value, account, login_throttle, login_known, alembic_version"
        )
    return url


def fresh_url(kind: str, tmp_path) -> str:
    """An empty database of that kind, migrated to the head revision by Alembic."""
    url = f"sqlite:///{tmp_path / 'suivi.sqlite3'}" if kind == "sqlite" else empty_pg(pg_url())
    db.migrate(url)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    return FollowupStore(fresh_url(request.param, tmp_path))


@pytest.fixture(scope="module")
def indicators():
    return {i.key: i for i in referentiel_indicators(load_dataset().framework)}


@pytest.fixture(scope="module")
def territories():
    return load_dataset().territories


VALIDATOR = "valideur.tests"


def publish(store, keep: int = 0) -> list[int]:
    """Every proposed value (but the last `keep`) validated by an administrateur, as the team does on
    /suivi: public."""
    from data.accounts import Accounts
    from data.validation import VALIDATED, decide

    accounts = Accounts(store.engine)
    admin = accounts.get(VALIDATOR) or accounts.add(VALIDATOR, "administrateur", "girafe velours cantine orage")
    ids = [e.id for e in store.pending()]
    ids = ids[: len(ids) - keep]
    return decide(store.engine, accounts, admin, ids, VALIDATED) if ids else []


def record(store, indicators, territories, **kw):
    args = dict(
        indicator=indicators["os1-axe1-1"],
        territory="clos-des-roses",
        territories=territories,
        year=2025,
        value_text="42",
        unit="enfants",
        source="Bilan Éducation nationale 2025",
        author="marie",
    )
    args.update(kw)
    return store.add(**args)


def test_referentiel_indicators_have_stable_keys(indicators):
    assert indicators["os1-axe1-1"].label.startswith("Nombre d'enfants issus des QPV bénéficiaires")
    assert indicators["os7-ensemble-1"].label.startswith("Évolution de la part des NEETs sur les QPV")
    assert not any(i.label.startswith(("(décomposition", "Par sexe", "N, N+1")) for i in indicators.values())
    # a breakdown stays in its indicator's label, a stem leads each of its bullets
    assert indicators["os1-axe3-1"].label.endswith("ayant une licence sportive • Par tranche d'âge • Par sexe")
    assert indicators["os9-axe3-3"].label.startswith("Commerces et services publics • nombre de disparition d'activités")


# Every key the follow-up used before issue 19 (keys derived from positions in the référentiel): each
# still names the same measure, but the two stems that were counted as indicators (RETIRED_KEYS).
KEYS_BEFORE_ISSUE_19 = (
    "os1-axe1-1 os1-axe1-2 os1-axe1-3 os1-axe2-2 os1-axe2-3 os1-axe2-4 os1-axe2-5 os1-axe3-1 os1-axe4-1 os1-ensemble-1 "
    "os1-ensemble-2 os1-ensemble-3 os2-axe1-1 os2-axe1-2 os3-axe1-1 os3-axe1-2 os3-axe2-1 os3-axe2-3 os3-axe2-4 os3-axe2-5 "
    "os3-axe3-1 os4-axe1-1 os4-axe2-1 os5-axe1-1 os5-axe1-2 os5-axe1-3 os5-axe2-1 os5-axe3-1 os5-axe4-1 os5-axe4-2 "
    "os5-axe5-1 os6-axe1-1 os6-axe1-2 os6-axe2-1 os6-axe2-2 os6-axe3-1 os7-axe1-1 os7-axe1-2 os7-axe2-1 os7-axe2-2 "
    "os7-axe2-3 os7-axe2-4 os7-axe4-1 os7-axe4-2 os7-axe4-3 os7-ensemble-1 os7-ensemble-2 os7-ensemble-3 os8-axe1-1 "
    "os8-axe1-2 os8-axe3-1 os8-axe3-2 os8-ensemble-1 os8-ensemble-2 os8-ensemble-3 os9-axe1-1 os9-axe1-2 os9-axe3-2 "
    "os9-axe4-1 os9-axe4-2 os10-axe1-1 os10-axe1-2 os10-axe2-1 os10-axe2-2 os10-axe3-1"
).split()


def test_stored_keys_survive_the_referentiel_read_as_printed(indicators):
    from data.followup import RETIRED_KEYS

    assert set(RETIRED_KEYS) == {"os3-axe2-1", "os7-axe2-1"}
    assert [k for k in KEYS_BEFORE_ISSUE_19 if k not in indicators] == ["os3-axe2-1", "os7-axe2-1"]
    assert not set(RETIRED_KEYS) & set(indicators)  # a retired key is never reused
    assert sorted(set(indicators) - set(KEYS_BEFORE_ISSUE_19)) == ["os3-axe2-2", "os9-axe3-3", "os9-axe3-4"]
    # the same measure under the same key (its label now carries its printed stem)
    assert indicators["os7-axe2-2"].label.endswith(
        "en particuliers : • Jeunes non diplômés, (part des jeunes des QPV / total de jeunes accompagnés sur Compiègne)."
    )
    assert indicators["os3-axe2-3"].label.endswith("sur : • Des actes de délinquance dans les espaces publics")


def test_a_value_under_a_retired_key_is_listed_never_counted(store, indicators, territories):
    from data.followup import FollowupIndicator, check_import, orphaned
    from data.progress import progress

    ds = load_dataset()
    stem = FollowupIndicator(
        "os3-axe2-1", 3, "Réduire les phénomènes…", "3.1", "Évolution du nombre de professionnels … sur :", ""
    )
    common = dict(territory="la-victoire", territories=territories, year=2025, unit="agents", source="Bilan", author="agent")
    old = store.add(indicator=stem, value_text="9", **common)  # as recorded before the référentiel was read as printed
    store.add(indicator=indicators["os3-axe2-2"], value_text="4", **common)
    publish(store)
    latest = store.latest()
    assert [e.id for e in orphaned(ds.framework, latest)] == [old.id]
    o3 = progress(ds.framework, latest, "la-victoire")[2]
    ob31 = o3.objectives[0]
    assert [i.key for i in ob31.indicators] == [
        "os3-axe1-1",
        "os3-axe1-2",
        "os3-axe2-2",
        "os3-axe2-3",
        "os3-axe2-4",
        "os3-axe2-5",
    ]
    assert (ob31.completeness[0].with_value, ob31.completeness[0].expected) == (1, 6)  # the stem's 9 is not counted
    assert [h.value for h in store.history(indicator_key="os3-axe2-1")] == [9]  # kept in the history
    csv = "indicateur;territoire;annee;valeur;unite;source;commentaire\nos3-axe2-1;echarde;2026;3;agents;Bilan;\n"
    rows, problems = check_import(ds, "valeurs.csv", csv.encode(), "agent")
    assert rows == [] and problems == [
        "ligne 2, colonne indicateur : « os3-axe2-1 » ne désigne plus un indicateur du référentiel : l'amorce « Évolution du "
        "nombre de professionnels en proximité en mesure de prévenir, d'alerter, de sensibiliser les habitants sur : » n'est "
        "pas un indicateur : ses deux puces le sont (os3-axe2-2 « Des actes d'incivilité », os3-axe2-3 « Des actes de "
        "délinquance dans les espaces publics »)"
    ]


def test_record_and_read_back(store, indicators, territories):
    e = record(store, indicators, territories, value_text="1 234,5")
    assert e.value == 1234.5 and e.step == "N"
    assert store.latest() == []  # proposed: public once validated
    publish(store)
    latest = store.latest()
    assert [(x.territory, x.year, x.value, x.unit, x.source) for x in latest] == [
        ("clos-des-roses", 2025, 1234.5, "enfants", "Bilan Éducation nationale 2025")
    ]


def test_a_correction_is_a_new_record_and_history_is_kept(store, indicators, territories):
    record(store, indicators, territories, value_text="40")
    record(store, indicators, territories, value_text="42", comment="chiffre corrigé après le bilan définitif")
    record(store, indicators, territories, year=2026, value_text="45")
    assert [e.value for e in store.history(indicator_key="os1-axe1-1")] == [40, 42, 45]
    publish(store)
    latest = store.latest()
    assert [(e.year, e.value) for e in latest] == [(2025, 42), (2026, 45)]
    assert latest[0].comment == "chiffre corrigé après le bilan définitif"


@pytest.mark.parametrize(
    "kw,field,message",
    [
        ({"value_text": "douze"}, "valeur", "« douze » n'est pas un nombre"),
        ({"value_text": ""}, "valeur", "n'est pas un nombre"),
        ({"value_text": "-3"}, "valeur", "ne peut pas être négative"),
        ({"value_text": "120", "unit": "%"}, "valeur", "un pourcentage doit être compris entre 0 et 100"),
        ({"unit": " "}, "unité", "précisez l'unité"),
        ({"source": ""}, "source", "indiquez la source"),
        ({"author": ""}, "auteur", "connectez-vous"),
        ({"year": 2031}, "année", "entre 2024 et 2030"),
        ({"territory": "vieux-compiegne"}, "territoire", "territoire inconnu « vieux-compiegne »"),
        ({"comment": "x" * 1001}, "commentaire", "1000 caractères au plus (1001 saisis)"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_written(store, indicators, territories, kw, field, message):
    with pytest.raises(FollowupError) as exc:
        record(store, indicators, territories, **kw)
    assert exc.value.field == field and message in str(exc.value)
    assert store.history() == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("12", "12"),
        ("1 234", "1234"),
        ("66,4", "66.4"),
        ("66,4 %", "66.4"),
        ("1\u00a0234,5", "1234.5"),
        ("3.5", "3.5"),
        ("0,00001", "0.00001"),
        ("3.25", "3.25"),
        ("1234.5", "1234.5"),
        ("999 999 999 999,999999", "999999999999.999999"),
    ],
)
def test_french_numbers_are_exact_decimals(text, expected):
    assert parse_number(text) == Decimal(expected) and isinstance(parse_number(text), Decimal)


def test_year_labels():
    assert year_label(2025) == "2025 (N)" and year_label(2030) == "2030 (N+5)" and year_label(2024) == "2024 (N-1)"


# --- the page -----------------------------------------------------------------------------------


PASSWORD = "mot-de-passe-de-test"


def team_db(tmp_path, monkeypatch, *accounts: tuple[str, str]) -> Accounts:
    url = fresh_url("sqlite", tmp_path)
    monkeypatch.setenv("QUARTIERS_DB_URL", url)
    acc = Accounts(FollowupStore(url).engine)
    for login, role in accounts:
        acc.add(login, role, PASSWORD)
    return acc


def open_suivi() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/suivi.py").run()
    assert not at.exception
    return at


def sign_in(at, login, password=PASSWORD):
    at.text_input(key="connexion_identifiant").input(login)
    at.text_input(key="connexion_mdp").input(password)
    next(b for b in at.button if b.label == "Se connecter").click().run()
    return at


@pytest.fixture()
def app(tmp_path, monkeypatch):
    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    at = sign_in(open_suivi(), "marie")
    assert not at.exception and any("Connecté : marie (contributeur)" in e.proto.body for e in at.get("html"))
    return at


def fill(at, value, unit="enfants", source="Bilan 2025 du centre social"):
    at.text_input(key="suivi_valeur").input(value)
    at.text_input(key="suivi_unite").input(unit)
    at.text_input(key="suivi_source").input(source)
    next(b for b in at.button if b.label == "Enregistrer").click().run()


def test_page_refuses_bad_value_in_french_and_keeps_what_was_typed(app):
    assert "Aucune valeur n'a encore été enregistrée." in [i.value for i in app.info]
    fill(app, "douze")
    shown = " ".join(e.proto.body for e in app.get("html") if "q-notice-error" in e.proto.body)
    assert "Valeur non enregistrée – valeur : « douze » n&#x27;est pas un nombre" in shown  # as text, never Markdown
    assert app.text_input(key="suivi_source").value == "Bilan 2025 du centre social"  # nothing lost
    assert app.text_input(key="suivi_unite").value == "enfants"
    assert not app.table


def test_page_records_and_shows_the_value(app):
    app.selectbox(key="suivi_territoire").select("vivier-corax")
    fill(app, "1 234")
    assert not app.exception
    table = tables_html(app)
    assert "<td>1 234</td><td>enfants</td>" in table  # the unit in its own cell: a shown number cannot be spoofed
    assert "Vivier Corax" in table and "2025 (N)" in table and "Bilan 2025 du centre social" in table
    assert app.text_input(key="suivi_valeur").value == ""  # emptied for the next entry, no double save
    assert app.text_input(key="suivi_source").value == "Bilan 2025 du centre social"


def test_consultation_mode_has_no_form(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTIERS_DB_URL", f"sqlite:///{tmp_path / 'suivi.sqlite3'}")
    monkeypatch.setenv("QUARTIERS_MODE", "consultation")  # no migrate: a public screen before anything
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page("pages/suivi.py").run()
    assert not at.button and not at.text_input and not at.get("form")
    text = " ".join(str(e.value) for e in [*at.markdown, *at.caption, *at.info])
    assert "Aucune valeur n'a encore été enregistrée." in text
    assert "QUARTIERS_MODE" not in text and "sqlite" not in text
    assert not (tmp_path / "suivi.sqlite3").exists()  # a public screen never creates the database


def tables_html(at) -> str:
    """The escaped HTML tables the page shows (st.html elements other than the page head)."""
    return "".join(e.proto.body for e in at.get("html") if "<table" in e.proto.body)


def test_stored_markdown_and_html_are_shown_as_text(app):
    app.selectbox(key="suivi_territoire").select("echarde")
    fill(
        app,
        "12",
        unit="[Site](https://evil.example/login)",
        source="<img src=https://evil.example/x.png> ![x](https://evil.example/y.png)",
    )
    table = tables_html(app)
    assert "<img" not in table and "&lt;img src=https://evil.example/x.png&gt;" in table
    assert "[Site](https://evil.example/login)" in table and "<a " not in table


def test_follow_up_exports_public_without_authors_and_formulas_neutralised(store, indicators, territories):
    from ui.exports import followup_csv

    ind = next(iter(indicators.values()))
    store.add(
        indicator=ind,
        territory="la-victoire",
        territories=territories,
        year=2026,
        value_text="7",
        unit='=HYPERLINK("http://x")',
        source="@SUM(A1)",
        author="agent.interne",
        comment="-2+3 note",
    )
    publish(store)
    entries = store.latest()
    public = followup_csv(entries, public=True).decode("utf-8-sig")
    team = followup_csv(store.history(), public=False).decode("utf-8-sig")
    assert public.splitlines()[0] == "indicateur;orientation;territoire;année;valeur;unité;source"
    assert "agent.interne" not in public and "-2+3 note" not in public
    assert "'=HYPERLINK" in public and "'@SUM(A1)" in public
    assert team.splitlines()[0].endswith(";statut;auteur;enregistré le;commentaire") and "agent.interne" in team
    assert "'-2+3 note" in team and ";validée;agent.interne;" in team


def test_suivi_lists_the_team_values_left_under_a_retired_key(tmp_path, monkeypatch):
    from data.followup import FollowupIndicator

    team_db(tmp_path, monkeypatch, ("marie", "contributeur"))
    store = FollowupStore()
    stem = FollowupIndicator(
        "os7-axe2-1", 7, "Poursuivre l'accompagnement…", "7.2", "Évolution du nombre de personnes … en particuliers :", ""
    )
    store.add(
        indicator=stem,
        territory="vivier-corax",
        territories=load_dataset().territories,
        year=2026,
        value_text="31",
        unit="personnes",
        source="France Travail",
        author="marie",
    )
    at = sign_in(open_suivi(), "marie")
    boxes = " ".join(e.proto.body for e in at.get("html") if "q-notice-warning" in e.proto.body)
    assert "1 valeur(s) en vigueur sont enregistrées sous une clé qui ne désigne plus un indicateur du référentiel" in boxes
    table = next(e.proto.body for e in at.get("html") if "Valeurs à ressaisir" in e.proto.body)
    assert "os7-axe2-1" in table and "Vivier Corax" in table and "2026 (N+1)" in table
    assert "ses trois puces le sont (os7-axe2-2, os7-axe2-3, os7-axe2-4)" in html.unescape(table)
