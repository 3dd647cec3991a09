"""Validated before public: a value the team records is « proposée »; only an administrateur's
validation makes it public (public screens, /avancement, fiches, public CSV); refusal and
withdrawal need a reason; every step is kept; nothing is deleted. Both databases; the command
line; the pages."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db
from data.accounts import Accounts, AuthError
from data.dataset import load_dataset
from data.followup import FollowupStore
from data.validation import REFUSED, VALIDATED, WITHDRAWN, ValidationError, decide, events

from .commands import cli
from .test_followup import PASSWORD, fresh_url, open_suivi, sign_in, team_db
from .test_team import add

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request, tmp_path):
    url = fresh_url(request.param, tmp_path)
    store = FollowupStore(url)
    accounts = Accounts(store.engine)
    admin = accounts.add("admin", "administrateur", PASSWORD)
    marie = accounts.add("marie", "contributeur", PASSWORD)
    return store, accounts, admin, marie


def test_a_proposed_value_is_public_only_once_validated(setup, ds):
    store, accounts, admin, _ = setup
    e = add(store, ds, "12", author="marie")
    assert e.status == "proposee"
    assert store.latest() == [] and [x.id for x in store.pending()] == [e.id]
    assert [(x.id, x.status) for x in store.latest(published=False)] == [(e.id, "proposee")]
    decide(store.engine, accounts, admin, [e.id], VALIDATED)
    assert [(x.id, x.status, str(x.value)) for x in store.latest()] == [(e.id, "validee", "12")]
    assert store.pending() == []
    assert [(v.action, v.actor) for v in events(store.engine, e.id)] == [("proposee", "marie"), ("validee", "admin")]


def test_only_an_active_administrateur_decides(setup, ds):
    store, accounts, admin, marie = setup
    e = add(store, ds, "12", author="marie")
    with pytest.raises(AuthError, match="le rôle « contributeur » ne permet pas cette action"):
        decide(store.engine, accounts, marie, [e.id], VALIDATED)
    with pytest.raises(AuthError, match="connectez-vous"):
        decide(store.engine, accounts, None, [e.id], VALIDATED)
    accounts.set_active("admin", False)
    with pytest.raises(AuthError, match="désactivé"):
        decide(store.engine, accounts, admin, [e.id], VALIDATED)  # the session still holds the account
    assert store.latest() == []


def test_refusal_needs_a_reason_and_keeps_it(setup, ds):
    store, accounts, admin, _ = setup
    e = add(store, ds, "12", author="marie")
    with pytest.raises(ValidationError, match="indiquez la raison"):
        decide(store.engine, accounts, admin, [e.id], REFUSED, "  ")
    decide(store.engine, accounts, admin, [e.id], REFUSED, "valeur de 2024, pas de 2025")
    assert store.pending() == [] and store.latest() == [] and store.latest(published=False) == []
    assert events(store.engine, e.id)[-1].reason == "valeur de 2024, pas de 2025"
    with pytest.raises(ValidationError, match="« refusée » : elle ne peut pas être validée"):
        decide(store.engine, accounts, admin, [e.id], VALIDATED)
    assert [x.id for x in store.history()] == [e.id]  # nothing deleted


def test_withdrawing_a_published_value_brings_back_the_previous_one(setup, ds):
    store, accounts, admin, _ = setup
    first = add(store, ds, "40", author="marie")
    decide(store.engine, accounts, admin, [first.id], VALIDATED)
    second = add(store, ds, "42", author="marie")
    assert [str(x.value) for x in store.latest()] == ["40"]  # the correction is not public yet
    decide(store.engine, accounts, admin, [second.id], VALIDATED)
    assert [str(x.value) for x in store.latest()] == ["42"]
    with pytest.raises(ValidationError, match="indiquez la raison"):
        decide(store.engine, accounts, admin, [second.id], WITHDRAWN)
    decide(store.engine, accounts, admin, [second.id], WITHDRAWN, "erreur de saisie")
    assert [str(x.value) for x in store.latest()] == ["40"]
    assert [(x.id, x.status) for x in store.history()] == [(first.id, "validee"), (second.id, "retiree")]
    assert [v.action for v in events(store.engine, second.id)] == ["proposee", "validee", "retiree"]


def test_a_batch_is_all_or_nothing(setup, ds):
    store, accounts, admin, _ = setup
    a = add(store, ds, "1", author="marie")
    b = add(store, ds, "2", author="marie", year=2026)
    decide(store.engine, accounts, admin, [b.id], REFUSED, "doublon")
    with pytest.raises(ValidationError, match=f"la valeur n° {b.id} est « refusée »"):
        decide(store.engine, accounts, admin, [a.id, b.id], VALIDATED)
    with pytest.raises(ValidationError, match="valeur inconnue : n° 999"):
        decide(store.engine, accounts, admin, [a.id, 999], VALIDATED)
    assert store.latest() == [] and [x.id for x in store.pending()] == [a.id]


def test_two_administrateurs_deciding_at_once_decide_once(setup, ds):
    store, accounts, admin, _ = setup
    accounts.add("admin2", "administrateur", PASSWORD)
    e = add(store, ds, "5", author="marie")
    outcomes: list[str] = []

    def go(who, action, reason):
        try:
            decide(store.engine, accounts, accounts.get(who), [e.id], action, reason)
            outcomes.append(action)
        except (ValidationError, db.StoreError):
            outcomes.append("refusé")

    threads = [
        threading.Thread(target=go, args=("admin", VALIDATED, "")),
        threading.Thread(target=go, args=("admin2", REFUSED, "hors périmètre")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) in (["refusé", VALIDATED], [REFUSED, "refusé"])  # one decision, the other refused
    decided = [v for v in events(store.engine, e.id) if v.action != "proposee"]
    assert len(decided) == 1


def test_values_recorded_before_validation_existed_stay_public(tmp_path):
    from alembic import command

    url = f"sqlite:///{tmp_path / 'avant.sqlite3'}"
    command.upgrade(db.alembic_config(url), "0003_sign_in_hardening")
    with db.make_engine(url).begin() as con:
        con.execute(
            sa.text(
                "INSERT INTO followup_value (indicator_key, indicator_label, orientation, territory, year, value, unit, "
                "source, comment, author, recorded_at) VALUES ('os1-axe1-1', 'x', 1, 'clos-des-roses', 2025, '12', "
                "'enfants', 'Bilan', '', 'marie', '2026-01-01')"
            )
        )
    db.migrate(url)
    store = FollowupStore(url)
    assert [(e.status, str(e.value)) for e in store.latest()] == [("validee", "12")]
    assert [(v.action, v.actor) for v in events(store.engine)] == [("validee", "reprise-0004")]


# --- the command line ------------------------------------------------------------------------------


def test_command_line_pending_validate_refuse_withdraw(setup, ds):
    store, _, _, _ = setup
    a = add(store, ds, "12", author="marie")
    b = add(store, ds, "3", author="marie", year=2026)
    r = cli(store.url, "pending")
    assert r.returncode == 0 and r.stdout.splitlines()[0].startswith(f"{a.id}\tos1-axe1-1\tclos-des-roses\t2025\t12\t")
    assert "2 valeur(s) à valider" in r.stderr
    r = cli(store.url, "validate", "--all", "--author", "marie")
    assert r.returncode == 1 and "le rôle « contributeur » ne permet pas cette action" in r.stderr and store.latest() == []
    r = cli(store.url, "validate", str(a.id), "--author", "admin")
    assert r.returncode == 0 and f"1 valeur(s) validée(s) par admin : n° {a.id}" in r.stdout
    r = cli(store.url, "refuse", str(b.id), "--author", "admin")
    assert r.returncode == 2 and "Traceback" not in r.stderr  # --reason is required
    r = cli(store.url, "refuse", str(b.id), "--reason", "doublon du bilan", "--author", "admin")
    assert r.returncode == 0 and f"valeur n° {b.id} refusée par admin" in r.stdout
    r = cli(store.url, "withdraw", str(b.id), "--reason", "x", "--author", "admin")
    assert r.returncode == 1 and "« refusée » : elle ne peut pas être retirée" in r.stderr
    r = cli(store.url, "withdraw", str(a.id), "--reason", "erreur de saisie", "--author", "admin")
    assert r.returncode == 0 and store.latest() == []
    r = cli(store.url, "validate", "abc", "--author", "admin")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    export = Path(store.url.removeprefix("sqlite:///")).with_name("export.csv") if store.kind == "sqlite" else None
    if export:
        assert cli(store.url, "export", str(export)).returncode == 0
        text = export.read_text(encoding="utf-8-sig")
        assert ";retirée;marie;" in text and ";refusée;marie;" in text


# --- the pages -------------------------------------------------------------------------------------


def _html(at) -> str:
    return " ".join(e.proto.body for e in at.get("html"))


def test_the_team_sees_proposals_marked_the_administrateur_publishes_them(tmp_path, monkeypatch, ds):
    acc = team_db(tmp_path, monkeypatch, ("marie", "contributeur"), ("admin", "administrateur"))
    store = FollowupStore(os.environ["QUARTIERS_DB_URL"])
    e = add(store, ds, "31", author="marie", territory="la-victoire")
    visitor = open_suivi()  # the team site, signed out: published values only
    assert "Aucune valeur n&#x27;a encore été enregistrée." in _html(visitor) or "Aucune valeur n'a encore" in " ".join(
        i.value for i in visitor.info
    )
    marie = sign_in(open_suivi(), "marie")
    assert "<td>proposée</td>" in _html(marie) and "Valider et publier" not in [b.label for b in marie.button]
    admin = sign_in(open_suivi(), "admin")
    assert "1 valeur(s) proposée(s)" in _html(admin)
    admin.multiselect(key="valider_choix").select(e.id)
    next(b for b in admin.button if b.label == "Valider et publier").click().run()
    assert "1 valeur(s) validée(s) : elles sont publiques." in _html(admin)
    assert [x.id for x in store.latest()] == [e.id]
    visitor.run()
    assert "<td>31</td>" in _html(visitor) and "marie" not in _html(visitor)
    assert acc.get("admin").role == "administrateur"
