"""Each objective's progress (/avancement): records from data/progress.py over recorded values,
then the page as a reader sees it (AppTest), on the team site and on a public screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data.dataset import load_dataset
from data.followup import FollowupStore, referentiel_indicators
from data.progress import FOLLOW_YEARS, progress

from .test_followup import fresh_url, open_suivi, publish  # noqa: F401 - fixtures' helpers
from .test_pages import page_text as _page_text
from .test_pages import run_page


def page_text(at) -> str:
    """What a reader sees, tables included (html_table bodies start with their style)."""
    return _page_text(at) + "".join(e.proto.body for e in at.get("html") if "<table" in e.proto.body)


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture()
def store(tmp_path, monkeypatch):
    url = fresh_url("sqlite", tmp_path)
    monkeypatch.setenv("QUARTIERS_DB_URL", url)
    return FollowupStore(url)


def record(store, ds, key, territory, year, value, unit="familles", comment="note interne", author="agent.interne"):
    ind = {i.key: i for i in referentiel_indicators(ds.framework)}[key]
    store.add(
        indicator=ind,
        territory=territory,
        territories=ds.territories,
        year=year,
        value_text=value,
        unit=unit,
        source="Bilan du centre social",
        author=author,
        comment=comment,
    )


def test_progress_records(store, ds):
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2025, "12")
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2027, "20")
    record(store, ds, "os1-axe1-2", "clos-des-roses", 2026, "5")  # no value in N
    record(store, ds, "os1-axe1-3", "clos-des-roses", 2025, "3", unit="élèves")
    record(store, ds, "os1-axe1-3", "clos-des-roses", 2026, "40", unit="%")  # the unit changed
    record(store, ds, "os1-axe1-1", "la-victoire", 2025, "99")  # another territory
    record(store, ds, "os1-axe1-2", "clos-des-roses", 2025, "7")  # proposed, never validated: not counted
    publish(store, keep=1)
    o1 = progress(ds.framework, store.latest(), "clos-des-roses")[0]
    ob = o1.objectives[0]
    assert ob.id == "1.1" and [i.key for i in ob.indicators] == ["os1-axe1-1", "os1-axe1-2", "os1-axe1-3"]
    first, second, third = ob.indicators
    assert [str(first.by_year[y].value) if first.by_year[y] else None for y in FOLLOW_YEARS] == [
        "12",
        None,
        "20",
        None,
        None,
        None,
    ]
    assert first.last.year == 2027 and str(first.change_since_n) == "8"
    assert second.change_since_n is None and second.change_note == "pas de valeur en N"
    assert third.change_since_n is None and third.change_note == "unités différentes (« élèves » en N, « % » en 2026)"
    assert [(c.with_value, c.expected) for c in ob.completeness] == [(2, 3), (2, 3), (1, 3), (0, 3), (0, 3), (0, 3)]
    assert (o1.completeness[0].with_value, o1.completeness[0].expected) == (2, 11)
    # la Victoire's value counts for la Victoire only
    lv = progress(ds.framework, store.latest(), "la-victoire")[0].objectives[0]
    assert [(c.with_value, c.expected) for c in lv.completeness][:2] == [(1, 3), (0, 3)]
    # the contract links an axis of orientation 1 to objective 3.3: it is followed there
    o3 = progress(ds.framework, [], "clos-des-roses")[2]
    assert [i.key for i in o3.objectives[2].indicators] == ["os1-axe4-1"]
    assert sum(len(o.objectives) for o in progress(ds.framework, [], "x")) == 34
    assert [o.number for o in progress(ds.framework, [], "x", "sante")] == [5, 6]


def test_page_shows_values_change_and_completeness_without_authors(store, ds):
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2025, "12")
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2027, "20,5")
    publish(store)
    text = page_text(run_page("pages/avancement.py", {"quartier": "clos-des-roses", "pilier": "education"}))
    assert "Complétude du suivi – Le Clos des Roses" in text
    assert "<td>12 familles</td><td>—</td><td>20,5 familles</td>" in text
    assert "+8,5 familles (N → 2027)" in text and "20,5 familles en 2027 · Bilan du centre social · saisie du" in text
    assert "<td>1 – " in text and "<td>1 / 11</td><td>0 / 11</td><td>1 / 11</td>" in text
    assert "agent.interne" not in text and "note interne" not in text
    assert "Orientation 5" not in text  # the pillar filter
    assert "Questions évaluatives" in text and "Indicateurs du plan d'actions" in text


@pytest.mark.parametrize("unit", ["%", "pourcent", "Pourcentage"])
def test_a_rate_changes_in_points_on_the_page(store, ds, unit):
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2025, "12,5", unit=unit)
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2027, "10", unit=unit)
    record(store, ds, "os1-axe1-2", "clos-des-roses", 2025, "40", unit=unit)
    record(store, ds, "os1-axe1-2", "clos-des-roses", 2026, "41,5", unit=unit)
    publish(store)
    text = page_text(run_page("pages/avancement.py", {"quartier": "clos-des-roses", "pilier": "education"}))
    assert "-2,5 points (N → 2027)" in text and "+1,5 point (N → 2026)" in text
    assert f"-2,5 {unit}" not in text and f"+1,5 {unit}" not in text
    assert f"<td>12,5 {unit}</td>" in text  # the values keep the unit they were recorded with


def test_public_screen_shows_the_same_published_values(store, ds, monkeypatch):
    record(store, ds, "os5-axe1-1", "vivier-corax", 2025, "7", unit="actions")
    publish(store)
    record(store, ds, "os5-axe1-1", "vivier-corax", 2026, "8", unit="actions")  # proposed, not validated
    record(store, ds, "os5-axe1-1", "vivier-corax", 2025, "9", unit="actions")  # a correction, not validated
    monkeypatch.setenv("QUARTIERS_MODE", "consultation")
    text = page_text(run_page("pages/avancement.py", {"quartier": "vivier-corax", "pilier": "sante"}))
    assert "<td>7 actions</td>" in text and "agent.interne" not in text and "note interne" not in text
    assert "8 actions" not in text and "9 actions" not in text  # public only once validated


def test_unknown_address_values_are_refused_in_french(store):
    at = run_page("pages/avancement.py", {"quartier": "<script>", "pilier": "x" * 500})
    warnings = [w.value for w in at.warning]
    assert any("Le paramètre « quartier » de l'adresse n'a pas une valeur connue" in w for w in warnings)
    assert any("« pilier »" in w for w in warnings) and "<script>" not in page_text(at)
    assert os.environ["QUARTIERS_DB_URL"].startswith("sqlite:///")


def test_the_fiche_shows_the_same_progress_for_its_quartier(store, ds):
    record(store, ds, "os1-axe1-1", "echarde", 2026, "4")
    publish(store)
    at = run_page("pages/fiche.py", {"q": "echarde"})
    text = page_text(at)
    assert "Suivi du contrat – Square de l&#x27;Echarde" in text or "Suivi du contrat – Square de l'Echarde" in text
    assert "<td>0 / 11</td><td>1 / 11</td>" in text  # orientation 1: nothing in N, one value in N+1
    link = [p for p in at.get("page_link") if "Avancement de chaque objectif" in p.proto.label]
    assert link and link[0].proto.query_string == "quartier=echarde"


@pytest.mark.parametrize(("setting", "expected"), [("", "2025"), ("2024", "2024"), ("2031", "2025"), ("abc", "2025")])
def test_year_n_is_the_teams_setting_within_the_contract(setting, expected):
    """The contract never dates N: 2025 by default, QUARTIERS_YEAR_N=2024 moves it; a value that would put
    N+5 past 2030 (or no year at all) keeps 2025."""
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", "from data.followup import YEAR_N, YEAR_N_NOTE; print(YEAR_N); print(YEAR_N_NOTE)"],
        env={**os.environ, "QUARTIERS_YEAR_N": setting},
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
    ).stdout.splitlines()
    assert out[0] == expected
    assert out[1] == f"N = {expected} : le contrat ne date pas N (il écrit « N, N+1… ») ; {expected} est un réglage de l'équipe"


def test_avancement_exports_csv_and_pdf_from_the_same_records(store, ds):
    """/avancement can be taken away: a CSV (French conventions, exact numbers, formulas
    neutralised) and a PDF with the same values, source and change as the page."""
    import io

    import pypdf

    from ui.pdf import progress_pdf
    from ui.progress_view import progress_csv

    record(store, ds, "os1-axe1-1", "clos-des-roses", 2025, "12")
    record(store, ds, "os1-axe1-1", "clos-des-roses", 2027, "1 234,5")
    publish(store)
    orientations = progress(ds.framework, store.latest(), "clos-des-roses", "education", ds=ds)
    csv_text = progress_csv(orientations).decode("utf-8-sig")
    head, *rows = csv_text.splitlines()
    assert head.startswith("orientation;objectif;indicateur de suivi;valeur N (")
    row = next(r.split(";") for r in rows if r.split(";")[2] == orientations[0].objectives[0].indicators[0].label)
    assert row[0].startswith("1 – ") and row[1].startswith("1.1 – ")
    assert row[3:9] == ["12", "", "1234,5", "", "", ""]  # exact, decimal comma, no thousands separator
    assert (
        row[9] == "familles" and "Bilan du centre social" in row[10] and row[11] == "'+1 222,5 familles (N → 2027)"
    )  # a leading + neutralised
    assert sum(len(ob.indicators) for o in orientations for ob in o.objectives) + sum(
        len(o.general_indicators) for o in orientations
    ) == len(rows)
    pdf = progress_pdf(orientations, "Le Clos des Roses", "Territoire : Le Clos des Roses · pilier Éducation")
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Avancement des objectifs – Le Clos des Roses" in text
    assert f"Objectif 1.1 – {orientations[0].objectives[0].title}"[:60] in text
    assert "1 234,5 familles en 2027 · Bilan du centre social" in text and "+1 222,5 familles (N → 2027)" in text


def test_avancement_is_folded_by_orientation_with_its_downloads(store, ds):
    at = run_page("pages/avancement.py", {"quartier": "clos-des-roses"})
    labels = [e.label for e in at.expander]
    assert len(labels) == 10 and labels[0].startswith("Orientation 1 – ") and "complétude N : 0 / " in labels[0]
    assert [b.label for b in at.get("download_button")] == ["Télécharger l'avancement (CSV)", "Télécharger l'avancement (PDF)"]
    assert not any(e.proto.expanded for e in at.expander)  # all folded
    one = run_page("pages/avancement.py", {"quartier": "clos-des-roses", "pilier": "sante"})
    assert [e.label[:14] for e in one.expander] == ["Orientation 5 ", "Orientation 6 "]
    assert all(e.proto.expanded for e in one.expander)  # a chosen pillar opens its orientations
