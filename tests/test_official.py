"""Official tables in (issue 17, point 4 and 6): a table as INSEE publishes it, read through a
correspondence (YAML), from the Python API and from the command line, on SQLite and PostgreSQL.
Secret markers are « non disponible », never 0; every refusal names its line and column and writes
nothing; a re-import writes no duplicate and versions a changed value; an import may introduce an
indicator; a 1 584-row national table imports only the contract's territories, fast.

The sample table (tests/fixtures/filosofi-2021-qpv2024-SYNTHETIQUE.csv) and the national table
generated here are SYNTHETIC: INSEE's layout, invented values."""

from __future__ import annotations

import io
import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from data.accounts import Accounts
from data.dataset import load_dataset
from data.db import series_indicator, series_point
from data.followup import FollowupStore
from data.official import MappingError, check_table, import_table, load_mapping
from data.series import SeriesStore
from data.validation import VALIDATED, decide

from .commands import cli
from .test_followup import PASSWORD, fresh_url

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "qpv_data" / "correspondances" / "filosofi-2021-qpv2024.yaml"
SAMPLE = ROOT / "tests" / "fixtures" / "filosofi-2021-qpv2024-SYNTHETIQUE.csv"
HEADER = "CODGEO;LIBGEO;DEC_MED21;DEC_TP6021;DEC_D121"
CONTRACT_QPV = {"QN06007M": "clos-des-roses", "QN06008I": "la-victoire", "QN06006I": "vivier-corax"}


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


@pytest.fixture(scope="module")
def mapping():
    return load_mapping(MAPPING.read_bytes(), MAPPING.name)


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request, tmp_path):
    url = fresh_url(request.param, tmp_path)
    store = FollowupStore(url)
    accounts = Accounts(store.engine)
    accounts.add("admin", "administrateur", PASSWORD)
    accounts.add("marie", "contributeur", PASSWORD)
    return store, SeriesStore(store.engine), accounts


def stored(series: SeriesStore) -> tuple[int, int]:
    """(points, introduced indicators) in the database."""
    with series.engine.connect() as con:
        return (
            con.execute(sa.select(sa.func.count()).select_from(series_point)).scalar_one(),
            con.execute(sa.select(sa.func.count()).select_from(series_indicator)).scalar_one(),
        )


def table(*rows: str, header: str = HEADER) -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


GOOD = [
    "QN06007M;Clos;11 111;44,4;3 333",
    "QN06008I;Victoire;12 222;40,5;s",
    "QN06006I;Corax;10 101,5;nd;3 030",
]


def mapping_text(**over) -> str:
    fields = {
        "source": '"Insee, Filosofi 2021, quartiers 2024 (essai)"',
        "millesime": '"2021"',
        "perimetre": "qpv-2024",
        "code": "CODGEO",
    }
    fields.update({k: v for k, v in over.items() if k != "colonnes"})
    cols = over.get(
        "colonnes",
        '  DEC_MED21: {indicateur: median_declared_income, unite: "€"}\n  DEC_TP6021: {indicateur: poverty_rate, unite: "%"}\n',
    )
    return "".join(f"{k}: {v}\n" for k, v in fields.items()) + "colonnes:\n" + cols


# --- the Python API ---------------------------------------------------------------------------------


def test_sample_table_imports_with_secret_markers_as_not_available(setup, ds, mapping):
    _, series, _ = setup
    result, report = import_table(ds, series, SAMPLE.name, SAMPLE.read_bytes(), mapping, "admin")
    assert result.problems == [] and report is not None
    assert result.skipped == 2  # the two other QPV of France in the sample
    assert result.skipped_line() == "Codes ignorés (hors contrat) : QN01001M, QN93001M"
    assert result.summary() == (
        "15 nouvelle(s), 0 modifiée(s), 0 inchangée(s) ; 2 ligne(s) ignorée(s) hors contrat ; 2 valeur(s) non disponible(s)"
    )
    assert len(report.written) == 15 and report.indicators == ["declared_income_d1"]
    points = {(p.indicator, p.territory): p for p in series.points()}
    assert len(points) == 15 and {p.status for p in points.values()} == {"proposee"}
    assert {p.origin for p in points.values()} == {"officielle"} and {p.author for p in points.values()} == {"admin"}
    assert len({p.batch for p in points.values()}) == 1 and len(result.batch) == 12
    # secret « s » and missing « nd »: non disponible, never 0
    assert points[("declared_income_d1", "la-victoire")].value is None
    assert points[("poverty_rate", "vivier-corax")].value is None
    # exact decimals, as printed; the perimeter follows the territory's kind
    corax = points[("median_declared_income", "vivier-corax")]
    assert (corax.value, corax.decimals, corax.unit, corax.period, corax.perimeter) == (
        Decimal("10101.5"),
        1,
        "euros",
        "2021",
        "QPV 2024",
    )
    assert points[("poverty_rate", "arc")].value == Decimal("12.25") and points[("poverty_rate", "arc")].decimals == 2
    assert points[("median_declared_income", "compiegne")].perimeter == "commune"
    assert points[("median_declared_income", "arc")].perimeter == "EPCI"
    # the new indicator is stored with its label, unit, definition and direction
    (new,) = series.indicators()
    assert (new.id, new.label, new.unit, new.higher_is_better) == (
        "declared_income_d1",
        "Premier décile des revenus déclarés",
        "euros",
        True,
    )
    assert series.in_force(published=True) == []  # proposed: public once validated
    assert stored(series) == (15, 1)


def test_preview_shows_each_value_beside_the_current_one_and_the_contracts(setup, ds, mapping):
    _, series, _ = setup
    result = check_table(ds, series, SAMPLE.name, SAMPLE.read_bytes(), mapping)
    line = next(p for p in result.preview if p.territory == "clos-des-roses" and p.indicator == "median_declared_income")
    assert (line.line, line.column, line.value, line.kind, line.current) == (5, "DEC_MED21", "11 111 €", "nouvelle", "—")
    assert line.contract == "10 190 € (2020, QPV 2015)"  # the contract's latest figure, its period and perimeter
    assert line.perimeter == "QPV 2024" and line.territory_name == "Le Clos des Roses"
    new = next(p for p in result.preview if p.indicator == "declared_income_d1" and p.territory == "la-victoire")
    assert (new.value, new.contract, new.indicator_label) == (
        "non disponible",
        "— (indicateur hors contrat)",
        "Premier décile des revenus déclarés",
    )
    assert stored(series) == (0, 0)  # a check writes nothing


def test_reimport_writes_no_duplicate_and_versions_a_changed_value(setup, ds, mapping):
    _, series, accounts = setup
    data = SAMPLE.read_bytes()
    import_table(ds, series, SAMPLE.name, data, mapping, "admin")
    again, report = import_table(ds, series, SAMPLE.name, data, mapping, "admin")
    assert report is not None and report.written == [] and report.unchanged == 15
    assert again.summary().startswith("0 nouvelle(s), 0 modifiée(s), 15 inchangée(s)")
    assert stored(series) == (15, 1)
    # validated, then INSEE corrects one value: « modifiée », a new version, the old one kept
    decide(series.engine, accounts, accounts.get("admin"), [p.id for p in series.pending()], VALIDATED, kind="serie")
    changed = data.replace(b"QN06007M;Le Clos des Roses (synth\xc3\xa9tique);11 111", b"QN06007M;Le Clos des Roses;11 500")
    assert changed != data
    plan = check_table(ds, series, SAMPLE.name, changed, mapping)
    line = next(p for p in plan.preview if p.kind == "modifiée")
    assert (line.territory, line.indicator, line.value, line.current) == (
        "clos-des-roses",
        "median_declared_income",
        "11 500 €",
        "11 111 € (validée)",
    )
    assert plan.summary().startswith("0 nouvelle(s), 1 modifiée(s), 14 inchangée(s)")
    _, report = import_table(ds, series, SAMPLE.name, changed, mapping, "admin")
    assert report is not None and len(report.written) == 1 and report.changed == 1
    assert stored(series) == (16, 1)
    clos = [p for p in series.points() if p.key == ("median_declared_income", "clos-des-roses", "2021", "QPV 2024")]
    assert [(p.value, p.status) for p in clos] == [(Decimal(11111), "validee"), (Decimal(11500), "proposee")]
    public = {p.key: p.value for p in series.in_force(published=True)}
    assert public[clos[0].key] == Decimal(11111)  # public stays the validated one until the new one is validated


REFUSALS = [
    # (rows or raw bytes, mapping overrides, the French line a person reads)
    ([*GOOD, "XYZ;Inconnu;1;2;3"], {}, "ligne 5, colonne CODGEO : code « XYZ » inconnu"),
    ([*GOOD, ";Sans code;1;2;3"], {}, "ligne 5, colonne CODGEO : code vide"),
    ([*GOOD, "60;Oise;1;2;3"], {}, "ligne 5, colonne CODGEO : code « 60 » : département ou région ?"),
    ([*GOOD, "QN06007M;Clos encore;1;2;3"], {}, "ligne 5, colonne CODGEO : Le Clos des Roses déjà lu ligne 2"),
    (["QN06007M;Clos;11 111;1.234;3"], {}, "ligne 2, colonne DEC_TP6021 : « 1.234 » est ambigu"),
    (["QN06007M;Clos;1,234;44;3"], {}, "ligne 2, colonne DEC_MED21 : « 1,234 » est ambigu"),
    (
        ["QN06007M;Clos;11 111;104,2;3"],
        {},
        "ligne 2, colonne DEC_TP6021 : un taux doit être compris entre 0 et 100 % (lu : 104,2)",
    ),
    (["QN06007M;Clos;11 111;-0,5;3"], {}, "ligne 2, colonne DEC_TP6021 : un taux doit être compris entre 0 et 100 %"),
    (["QN06007M;Clos;-5;44;3"], {}, "ligne 2, colonne DEC_MED21 : un montant ne peut pas être négatif (lu : -5)"),
    (["QN06007M;Clos;onze mille;44;3"], {}, "ligne 2, colonne DEC_MED21 : « onze mille » n'est pas un nombre"),
    (
        GOOD,
        {"colonnes": '  DEC_MED21: {indicateur: median_declared_income, unite: "%"}\n'},
        "colonne DEC_MED21 : unité « % » contradictoire : l'indicateur median_declared_income est en euros",
    ),
    (
        GOOD,
        {"colonnes": '  DEC_MED22: {indicateur: median_declared_income, unite: "€"}\n'},
        "colonne DEC_MED22 : absente du fichier",
    ),
    (
        GOOD,
        {"colonnes": '  DEC_D121: {indicateur: declared_income_d1, unite: "€"}\n'},
        "colonne DEC_D121 : indicateur « declared_income_d1 » inconnu du catalogue ; pour l'introduire, donnez aussi "
        "libelle, definition, sens",
    ),
    (GOOD, {"perimetre": "qpv-2015"}, "ligne 2, colonne CODGEO : le code QN06007M désigne le quartier sur son périmètre 2024"),
    (GOOD, {"perimetre": "poche"}, "ligne 2, colonne CODGEO : Le Clos des Roses est un quartier prioritaire"),
    (GOOD, {"code": "CODE_QPV"}, "colonne CODE_QPV (code des territoires) absente du fichier : ce n'est pas la table attendue"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "ce fichier n'est pas une table (contenu binaire)"),
    (b"Bonjour,\nceci est une lettre, pas une table.\n", {}, "colonne CODGEO (code des territoires) absente du fichier"),
]


@pytest.mark.parametrize("rows, over, said", REFUSALS, ids=[r[2][:40] for r in REFUSALS])
def test_every_refusal_names_line_and_column_and_writes_nothing(ds, rows, over, said, tmp_path):
    url = f"sqlite:///{tmp_path / 'suivi.sqlite3'}"
    from data import db

    db.migrate(url)
    series = SeriesStore(FollowupStore(url).engine)
    data = rows if isinstance(rows, bytes) else table(*rows)
    result, report = import_table(ds, series, "table.csv", data, load_mapping(mapping_text(**over)), "admin")
    assert report is None and any(said in p for p in result.problems), result.problems
    assert stored(series) == (0, 0)  # all or nothing: the good rows are not written either


def test_refusals_write_nothing_on_both_databases(setup, ds):
    _, series, _ = setup
    for rows, over, said in REFUSALS:
        data = rows if isinstance(rows, bytes) else table(*rows)
        result, report = import_table(ds, series, "table.csv", data, load_mapping(mapping_text(**over)), "admin")
        assert report is None and any(said in p for p in result.problems), (said, result.problems)
    assert stored(series) == (0, 0)


def test_not_a_spreadsheet_and_not_a_file_format(ds, mapping):
    r = check_table(ds, None, "table.xlsx", b"ceci n'est pas un classeur", mapping)
    assert r.problems == [
        "classeur .xlsx illisible : ce n'est pas un classeur Excel (enregistrez-le en « Classeur Excel (.xlsx) » ou en « CSV UTF-8 »)"
    ]
    r = check_table(ds, None, "table.pdf", b"%PDF-1.4", mapping)
    assert r.problems == ["format non pris en charge : un fichier .csv ou .xlsx est attendu"]


def test_a_correspondence_is_refused_in_french_with_its_line():
    with pytest.raises(MappingError, match=r"correspondance, ligne 3 : perimetre : valeur non autorisée \(attendu : qpv-2015"):
        load_mapping(mapping_text(perimetre="quartier"))
    with pytest.raises(
        MappingError, match=r"ligne 2 : millesime : format invalide \(ex. « 2021 » ou « 2020-2021 »\), reçu « 21 »"
    ):
        load_mapping(mapping_text(millesime='"21"'))
    with pytest.raises(MappingError, match="colonnes › DEC_MED21 › sens : valeur non autorisée"):
        load_mapping(mapping_text(colonnes="  DEC_MED21: {indicateur: x, unite: €, libelle: a, definition: b, sens: mieux}\n"))
    with pytest.raises(MappingError, match="ligne 1 : sourse : champ inconnu"):
        load_mapping("sourse: x\n" + mapping_text())
    with pytest.raises(MappingError, match="YAML illisible"):
        load_mapping("source: [\n")
    with pytest.raises(MappingError, match=r"alias YAML \(\*nom\) refusés"):
        load_mapping("a: &x [1, 2]\nb: [*x, *x, *x]\n" + mapping_text())
    with pytest.raises(MappingError, match="une correspondance est un bloc"):
        load_mapping("- une liste\n")
    assert load_mapping(mapping_text(millesime="2021")).millesime == "2021"  # unquoted: read as the text 2021


def test_an_unknown_unit_word_is_refused(ds):
    m = load_mapping(mapping_text(colonnes="  DEC_MED21: {indicateur: median_declared_income, unite: brouzoufs}\n"))
    r = check_table(ds, None, "t.csv", table(*GOOD), m)
    assert r.problems == ["colonne DEC_MED21 : unité « brouzoufs » inconnue (attendu : €, %, nombre, ratio, fraction, note)"]


def test_a_declared_decimal_mark_lifts_the_ambiguity(ds):
    m = load_mapping(mapping_text(decimale='"."'))
    r = check_table(ds, None, "t.csv", table("QN06007M;Clos;11111.5;1.234;3"), m)
    assert r.problems == []
    tp = next(row for row in r.rows if row["indicator"] == "poverty_rate")
    assert (tp["value"], tp["decimals"]) == (Decimal("1.234"), 3)
    r = check_table(ds, None, "t.csv", table("QN06007M;Clos;11111,5;1.2;3"), m)
    assert r.problems == [
        "ligne 2, colonne DEC_MED21 : « 11111,5 » : la correspondance annonce « . » comme séparateur décimal, pas « , »"
    ]


def test_an_xlsx_table_with_title_lines_and_numeric_cells(ds, mapping):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Échantillon SYNTHÉTIQUE (valeurs inventées)"])
    ws.append([])
    ws.append(["CODGEO", "LIBGEO", "DEC_MED21", "DEC_TP6021", "DEC_D121"])
    ws.append(["QN06007M", "Clos", 11111, 44.4, "s"])
    ws.append(["QN06008I", "Victoire", 12222.5, 40.25, 3333])
    ws.append(["QN01001M", "Ailleurs", 9999, 1.234, "c"])  # another QPV: skipped, never read
    buf = io.BytesIO()
    wb.save(buf)
    r = check_table(ds, None, "table.xlsx", buf.getvalue(), mapping)
    assert r.problems == [] and r.skipped == 1
    got = {(row["territory"], row["indicator"]): (row["value"], row["decimals"]) for row in r.rows}
    assert got[("clos-des-roses", "poverty_rate")] == (Decimal("44.4"), 1)
    assert got[("la-victoire", "median_declared_income")] == (Decimal("12222.5"), 1)
    assert got[("clos-des-roses", "declared_income_d1")] == (None, 0)


def test_a_national_table_of_1584_quartiers_imports_the_contracts_three_fast(setup, ds, mapping):
    """One row per QPV 2024 of France (synthetic values): the three of Compiègne are written, the
    1 581 others skipped and counted — even those with values this contract would refuse."""
    _, series, _ = setup
    rows = []
    n = 0
    for dept in range(1, 96):
        for k in range(1, 18):
            code = f"QN{dept:02d}0{k:02d}M"
            if len(rows) < 1581 and code not in CONTRACT_QPV:
                value = "1.234" if n % 97 == 0 else f"{10000 + n}"
                rows.append(f"{code};Quartier synthétique {n};{value};{(n % 90) + 0.5:.1f}".replace(".", ",", 1))
                n += 1
    rows[700:700] = [f"{code};Quartier du contrat;{11000 + i};4{i},5" for i, code in enumerate(CONTRACT_QPV)]
    assert len(rows) == 1584
    data = table(*rows, header="CODGEO;LIBGEO;DEC_MED21;DEC_TP6021")
    m = load_mapping(mapping_text())
    start = time.perf_counter()
    result, report = import_table(ds, series, "national.csv", data, m, "admin")
    elapsed = time.perf_counter() - start
    assert result.problems == [] and report is not None
    assert result.skipped == 1581 and len(report.written) == 6
    assert result.skipped_line().startswith("Codes ignorés (hors contrat) : QN01001M, QN01002M,")
    assert result.skipped_line().endswith(" et 1571 autre(s)")
    assert {p.territory for p in series.points()} == set(CONTRACT_QPV.values())
    assert elapsed < 10, f"{elapsed:.1f} s"


# --- the command line --------------------------------------------------------------------------------


def test_command_line_table_import_pending_validate_refuse(setup, tmp_path):
    store, series, _ = setup
    args = ("table", "import", str(SAMPLE), "--mapping", str(MAPPING))
    r = cli(store.url, *args, "--author", "marie")
    assert r.returncode == 1 and "le rôle « contributeur » ne permet pas cette action" in r.stderr
    r = cli(store.url, *args, "--author", "admin", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert (
        "15 nouvelle(s), 0 modifiée(s), 0 inchangée(s) ; 2 ligne(s) ignorée(s) hors contrat ; 2 valeur(s) non disponible(s)"
        in r.stdout
    )
    assert "essai (--dry-run) : rien n'a été enregistré" in r.stdout
    assert (
        "nouvelle\tclos-des-roses\tmedian_declared_income\t2021\tQPV 2024\t11 111 €\ten vigueur : —\tcontrat : 10 190 € (2020, QPV 2015)"
        in r.stdout
    )
    assert "nouvel indicateur : declared_income_d1 — Premier décile des revenus déclarés (euros)" in r.stdout
    assert "Codes ignorés (hors contrat) : QN01001M, QN93001M" in r.stdout
    assert stored(series) == (0, 0)
    r = cli(store.url, *args, "--author", "admin")
    assert r.returncode == 0 and "15 valeur(s) enregistrée(s) au nom de admin" in r.stdout, r.stderr
    r = cli(store.url, *args, "--author", "admin")  # the same millésime again: nothing new
    assert r.returncode == 0 and "0 nouvelle(s), 0 modifiée(s), 15 inchangée(s)" in r.stdout
    assert "0 valeur(s) enregistrée(s)" in r.stdout and stored(series) == (15, 1)

    r = cli(store.url, "pending")
    assert r.returncode == 0 and "15 valeur(s) à valider" in r.stderr
    lines = {tuple(line.split("\t")[1:3]): line for line in r.stdout.splitlines()}
    clos = lines[("median_declared_income", "clos-des-roses")]
    assert clos.startswith("S") and "\t2021\tQPV 2024\t11111\teuros\tsource officielle importée\tadmin\t" in clos
    assert "\tnon disponible\t" in lines[("declared_income_d1", "la-victoire")]
    ids = [line.split("\t")[0] for line in r.stdout.splitlines()]
    r = cli(store.url, "validate", ids[0], ids[1], "--author", "admin")
    assert r.returncode == 0 and f"2 valeur(s) validée(s) par admin : n° {ids[0]}, {ids[1]}" in r.stdout
    assert len(series.in_force(published=True)) == 2
    r = cli(store.url, "refuse", ids[2], "--reason", "ligne mal lue", "--author", "admin")
    assert r.returncode == 0 and f"valeur n° {ids[2]} refusée par admin" in r.stdout
    r = cli(store.url, "withdraw", ids[2], "--reason", "x", "--author", "admin")
    assert r.returncode == 1 and f"la valeur n° {ids[2]} est « refusée » : elle ne peut pas être retirée" in r.stderr
    r = cli(store.url, "validate", "S999999", "--author", "admin")
    assert r.returncode == 1 and "valeur inconnue : n° S999999" in r.stderr
    r = cli(store.url, "validate", "--all", "--author", "admin")
    assert r.returncode == 0 and "12 valeur(s) validée(s) par admin" in r.stdout
    assert len(series.in_force(published=True)) == 14 and series.pending() == []
    r = cli(store.url, "withdraw", ids[0], "--reason", "erreur de millésime", "--author", "admin")
    assert r.returncode == 0 and f"valeur n° {ids[0]} retirée par admin" in r.stdout
    assert len(series.in_force(published=True)) == 13


def test_command_line_refusals_are_french_and_write_nothing(setup, tmp_path):
    store, series, _ = setup
    bad = tmp_path / "table.csv"
    bad.write_bytes(table(*GOOD, "60159;Compiègne;22 222;104,2;3"))
    r = cli(store.url, "table", "import", str(bad), "--mapping", str(MAPPING), "--author", "admin")
    assert r.returncode == 1 and "import refusé, rien n'a été enregistré" in r.stderr
    assert "ligne 5, colonne DEC_TP6021 : un taux doit être compris entre 0 et 100 % (lu : 104,2)" in r.stderr
    broken = tmp_path / "corresp.yaml"
    broken.write_text(mapping_text(perimetre="quartier"), encoding="utf-8")
    r = cli(store.url, "table", "import", str(SAMPLE), "--mapping", str(broken), "--author", "admin")
    assert r.returncode == 1 and "erreur : corresp.yaml, ligne 3 : perimetre : valeur non autorisée" in r.stderr
    r = cli(store.url, "table", "import", str(tmp_path / "absent.csv"), "--mapping", str(MAPPING), "--author", "admin")
    assert r.returncode == 1 and "erreur : fichier ou dossier introuvable" in r.stderr
    r = cli(store.url, "table", "import", str(SAMPLE), "--author", "admin")
    assert r.returncode == 2 and "Traceback" not in r.stderr  # --mapping is required
    assert stored(series) == (0, 0)


def test_a_formula_cell_is_refused_never_computed(ds, mapping):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["CODGEO", "LIBGEO", "DEC_MED21", "DEC_TP6021", "DEC_D121"])
    ws.append(["QN06007M", "Clos", "=10000+1111", 44.4, 3333])
    buf = io.BytesIO()
    wb.save(buf)
    r = check_table(ds, None, "table.xlsx", buf.getvalue(), mapping)
    assert r.problems == ["ligne 2, colonne DEC_MED21 : formule refusée (une formule n'est jamais calculée à l'import)"]
    assert r.rows == [] or all(row["indicator"] != "median_declared_income" for row in r.rows)
