"""Every validation rule, exercised on a deliberately broken copy of the data: each test breaks one
thing in one file and checks the French message names the file, the line (or feature) and the
reason. A last test checks the app shows that one message, and nothing else, for a broken file."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from data.dataset import load_dataset
from data.errors import DataValidationError
from data.geo import load_arc_communes, load_commune, load_poches, load_qpv
from data.paths import GEO, QPV_DATA

YAML_FILES = [
    "catalogue.yaml",
    "territories.yaml",
    "views.yaml",
    "synthesis.yaml",
    "quartiers.yaml",
    "inconsistencies.yaml",
    "perimeters.yaml",
    "governance.yaml",
    "glossary.yaml",
    "referentiel_links.yaml",
    "residents.yaml",
    "framework.yaml",
]


@pytest.fixture()
def data(tmp_path) -> Path:
    folder = tmp_path / "qpv_data"
    shutil.copytree(QPV_DATA, folder)
    return folder


def fails(folder: Path, *expected: str) -> str:
    with pytest.raises(DataValidationError) as exc:
        load_dataset(folder)
    msg = str(exc.value)
    for e in expected:
        assert e in msg, msg
    assert "Traceback" not in msg and str(folder) not in msg  # no path, no trace
    return msg


def edit_yaml(folder: Path, name: str, change) -> None:
    p = folder / name
    doc = yaml.load(p.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)  # libyaml: the same, 14 times faster
    change(doc)
    p.write_text(yaml.dump(doc, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_the_real_data_loads():
    ds = load_dataset()
    assert len(ds.catalogue) >= 69 and len(ds.quartier_ids) == 5


# --- rules every YAML file obeys ------------------------------------------------------------------
@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_unreadable(data, name):
    (data / name).write_text("cle: [pas fermé\n  autre: 1\n", encoding="utf-8")
    fails(data, f"{name}, ligne", "YAML illisible")


@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_not_utf8(data, name):
    (data / name).write_bytes(b"cl\xe9: \xff\xfe\n")
    fails(data, name, "fichier illisible")


@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_empty(data, name):
    (data / name).write_text("# rien\n", encoding="utf-8")
    fails(data, name, "fichier vide")


@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_missing_file(data, name):
    (data / name).unlink()
    fails(data, name, "fichier introuvable")


@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_duplicate_key(data, name):
    text = (data / name).read_text(encoding="utf-8")
    first = re.search(r"^([a-z_0-9]+):", text, re.M)[1]
    lines = text.count("\n")
    (data / name).write_text(text + f"\n{first}: null\n", encoding="utf-8")
    fails(data, f"{name}, ligne {lines + 2}", f"clé « {first} » en double")


@pytest.mark.parametrize("name", YAML_FILES)
def test_yaml_unknown_key(data, name):
    edit_yaml(data, name, lambda d: d.update(champ_inconnu=1))
    fails(data, name, "champ inconnu")


# --- one rule, one file -----------------------------------------------------------------------------
def _del(path):
    def change(doc):
        node = doc
        for k in path[:-1]:
            node = node[k]
        del node[path[-1]]

    return change


def _set(path, value):
    def change(doc):
        node = doc
        for k in path[:-1]:
            node = node[k]
        node[path[-1]] = value

    return change


CASES = [
    # file, change, expected parts of the message
    (
        "catalogue.yaml",
        _del(["indicators", "poverty_rate", "label"]),
        ["indicators › poverty_rate › label : champ obligatoire absent"],
    ),
    (
        "catalogue.yaml",
        _set(["indicators", "poverty_rate", "unit"], "percent"),
        ["poverty_rate › unit : valeur non autorisée", "reçu « percent »"],
    ),
    (
        "catalogue.yaml",
        _set(["indicators", "poverty_rate", "higher_is_better"], "oui"),
        ["higher_is_better", "true ou false attendu"],
    ),
    (
        "catalogue.yaml",
        _set(["pillars", 0, "diagnostic", 0, "indicator"], "revenu"),
        ["catalogue.yaml : indicateur inconnu « revenu »"],
    ),
    (
        "catalogue.yaml",
        _set(["pillars", 0, "diagnostic", 0, "territories"], ["vieux-compiegne"]),
        ["territoire inconnu « vieux-compiegne »"],
    ),
    (
        "catalogue.yaml",
        _set(["indicators", "rsa_recipients", "stable_within", "points"], 1.0),
        ["stable_within : donner soit « percent » (part de la valeur de départ), soit « points » (taux)"],
    ),
    (
        "catalogue.yaml",
        _set(["indicators", "rsa_recipients", "stable_within", "percent"], 50.0),
        ["stable_within › percent"],
    ),
    ("territories.yaml", _del(["territories", 0, "name"]), ["territories › 0 › name : champ obligatoire absent"]),
    ("territories.yaml", _set(["territories", 0, "order"], "un"), ["territories › 0 › order : nombre entier attendu"]),
    ("territories.yaml", lambda d: d["territories"].append(dict(d["territories"][7])), ["territoire « arc » en double"]),
    ("territories.yaml", _set(["territories", 0, "colour"], "rouge"), ["colour : format invalide"]),
    ("views.yaml", _del(["fiche", "qpv_compare"]), ["fiche › qpv_compare : champ obligatoire absent"]),
    ("views.yaml", _set(["fiche", "qpv_cards", 0, "period"], 2018), ["fiche › qpv_cards › 0 › period : texte attendu"]),
    ("views.yaml", _set(["fiche", "qpv_cards", 0, "indicator"], "revenu"), ["views.yaml : indicateur inconnu « revenu »"]),
    ("views.yaml", _set(["fiche", "qpv_compare", "territories"], ["arc", "paris"]), ["territoire inconnu « paris »"]),
    ("views.yaml", _set(["carte", "population", "qpv"], "habitants"), ["indicateur inconnu « habitants »"]),
    ("synthesis.yaml", _del(["rows", 0, "reference"]), ["rows › 0 › reference : champ obligatoire absent"]),
    ("synthesis.yaml", _set(["columns"], "vivier-corax"), ["columns : liste attendue"]),
    ("synthesis.yaml", _set(["rows", 1, "indicator"], "revenu"), ["synthesis.yaml : indicateur inconnu « revenu »"]),
    ("quartiers.yaml", _del(["quartiers", "echarde"]), ["lecture du contrat manquante pour « echarde »"]),
    (
        "quartiers.yaml",
        lambda d: d["quartiers"].update({"vieux-compiegne": d["quartiers"]["echarde"]}),
        ["territoire inconnu « vieux-compiegne »"],
    ),
    (
        "quartiers.yaml",
        _set(["quartiers", "la-victoire", "findings"], "texte"),
        ["quartiers › la-victoire › findings : liste attendue"],
    ),
    (
        "inconsistencies.yaml",
        lambda d: d["items"].append(dict(d["items"][0])),
        ["identifiant « jean-moulin-logements » en double"],
    ),
    ("inconsistencies.yaml", _set(["items", 0, "territory"], "paris"), ["territoire inconnu « paris »"]),
    ("inconsistencies.yaml", _set(["items", 0, "indicators"], ["logements"]), ["indicateur inconnu « logements »"]),
    ("inconsistencies.yaml", _del(["items", 1, "summary"]), ["items › 1 › summary : champ obligatoire absent"]),
    ("inconsistencies.yaml", _set(["items", 1, "kind"], "erreur"), ["items › 1 › kind : valeur non autorisée"]),
    ("perimeters.yaml", _del(["qpv_2015", "note"]), ["qpv_2015 › note : champ obligatoire absent"]),
    ("perimeters.yaml", _set(["qpv_2024", "quartiers", 2, "consistent"], "non"), ["consistent : true ou false attendu"]),
    (
        "perimeters.yaml",
        _set(["qpv_2024", "quartiers", 2, "code"], "QN06008M"),
        ["code « QN06008M » de « la-victoire » différent"],
    ),
    ("perimeters.yaml", _set(["poches", "squares", 0, "territory"], "paris"), ["territoire inconnu « paris »"]),
    ("governance.yaml", lambda d: d["bodies"].append(dict(d["bodies"][0])), ["identifiant d'instance en double"]),
    ("governance.yaml", _set(["bodies", 0, "missions"], "réunion"), ["bodies › 0 › missions : liste attendue"]),
    ("glossary.yaml", lambda d: d["terms"].append(dict(d["terms"][0])), ["terme « QPV » en double"]),
    ("glossary.yaml", _del(["terms", 2, "definition"]), ["terms › 2 › definition : champ obligatoire absent"]),
    ("referentiel_links.yaml", _set(["links", 0, "indicators"], ["neet"]), ["indicateur inconnu « neet »"]),
    ("referentiel_links.yaml", _set(["links", 0, "match"], 12), ["links › 0 › match : texte attendu"]),
    ("residents.yaml", _set(["themes", 0, "top3_count"], 2), ["« 2x » dans le Top 3 alors que les rangs en donnent 3"]),
    (
        "residents.yaml",
        _del(["themes", 1, "ranks", "la-victoire"]),
        ["thème « vivre-ensemble » : rang manquant pour « la-victoire »"],
    ),
    ("residents.yaml", _set(["themes", 1, "ranks", "la-victoire", "rank"], "3"), ["rank : nombre entier attendu"]),
    ("residents.yaml", _set(["themes", 1, "ranks", "la-victoire", "rank"], 0), ["rank : valeur trop petite"]),
    ("residents.yaml", _set(["quartiers"], ["vivier-corax", "clos-des-roses", "paris"]), ["territoire inconnu « paris »"]),
    (
        "framework.yaml",
        _del(["orientations", 2, "title"]),
        ["framework.yaml, ligne", "orientations › 2 › title : champ obligatoire absent"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 8, "objectives", 0, "target_quartiers"], ["clos-des-roses", "vieux-compiegne"]),
        ["framework.yaml", "target_quartiers › 1"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 0, "number"], "1"),
        ["orientations › 0 › number : nombre entier attendu, reçu « 1 »"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 8, "referentiel", "axes", 2, "indicators", 1, "key"], "os9-axe3-2"),
        ["clé d'indicateur en double : os9-axe3-2"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 6, "referentiel", "axes", 1, "indicators", 0, "key"], "os7-axe2"),
        ["framework.yaml, ligne", "orientations › 6 › referentiel › axes › 1 › indicators › 0 › key : format invalide"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 6, "referentiel", "axes", 1, "indicators", 0, "key"], "os8-axe2-2"),
        ["indicateur « os8-axe2-2 » rangé sous l'orientation 7"],
    ),
    (
        "framework.yaml",
        _set(["orientations", 8, "referentiel", "axes", 0, "questions", 0], "Les habitants ?"),
        ["framework.yaml, ligne", "axes › 0 › questions › 0 : bloc (clé : valeur) attendu"],
    ),
    ("framework.yaml", _set(["orientations", 1, "referentiel", "axes", 0, "objective_ref"], "2.9"), ["objectif 2.9 inconnu"]),
    (
        "framework.yaml",
        lambda d: d["orientations"][1]["objectives"].append(dict(d["orientations"][1]["objectives"][0])),
        ["objectif(s) en double"],
    ),
]


@pytest.mark.parametrize("name,change,expected", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_yaml_rule(data, name, change, expected):
    edit_yaml(data, name, change)
    msg = fails(data, name, *expected)
    assert re.search(rf"{re.escape(name)}(, ligne \d+)? : ", msg)


def test_yaml_message_gives_the_line(data):
    p = data / "views.yaml"
    lines = p.read_text(encoding="utf-8").splitlines()
    i = next(n for n, line in enumerate(lines) if "Population en QPV" in line)
    lines[i] = lines[i].replace('period: "2018"', "period: 2018")
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fails(data, f"views.yaml, ligne {i + 1} : fiche › qpv_cards › 0 › period : texte attendu, reçu « 2018 »")


# --- the CSV files ------------------------------------------------------------------------------------
def _csv(folder: Path, name: str, mutate) -> None:
    p = folder / name
    df = pd.read_csv(p, dtype=str, keep_default_na=False)
    mutate(df).to_csv(p, index=False)


def _cell(row, **kw):
    def m(df):
        for k, v in kw.items():
            df.loc[row, k] = v
        return df

    return m


def test_real_indicator_rows_used_below_are_what_we_think():
    df = pd.read_csv(QPV_DATA / "indicators.csv", dtype=str, keep_default_na=False)
    assert (df.loc[16, "territory"], df.loc[16, "indicator"], df.loc[16, "period"]) == ("vivier-corax", "population", "2018")
    assert df.loc[42, "indicator"] == "poverty_rate" and df.loc[30, "indicator"] == "population_share_commune"


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (_cell(3, territory="clos-des-rose"), "indicators.csv, ligne 5 : territoire inconnu « clos-des-rose »"),
        (_cell(4, indicator="median_income"), "indicators.csv, ligne 6 : indicateur inconnu « median_income »"),
        (_cell(40, value="neuf mille"), "ligne 42 : valeur non numérique « neuf mille »"),
        (_cell(41, value="0", value_status="na"), "ligne 43 : valeur « 0 » alors que le statut est « na »"),
        (_cell(42, value="166.4"), "ligne 44 : pourcentage hors de 0–100 : 166.4 (poverty_rate)"),
        (_cell(30, value="-5"), "ligne 32 : pourcentage hors de 0–100 : -5 (population_share_commune)"),
        (_cell(16, value="-2645"), "ligne 18 : valeur négative -2645 pour « population »"),
        (_cell(16, period="2013/2014"), "ligne 18 : période « 2013/2014 » hors format"),
        (_cell(16, source=""), "ligne 18 : colonne « source » vide"),
        (_cell(16, value_status="estimé"), "statut de valeur inconnu « estimé » (attendu : ok ou na)"),
        (_cell(16, qualifier="à peu près"), "ligne 18 : qualificatif inconnu « à peu près »"),
        (lambda df: pd.concat([df, df.iloc[[16]]]), "doublon pour (vivier-corax, population, « 2018 »)"),
        (lambda df: df.drop(columns=["perimeter"]), "colonne(s) manquante(s) : perimeter"),
        (lambda df: df.iloc[0:0], "aucune ligne de données (en-tête seul)"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_indicator_csv_rule(data, mutate, expected):
    _csv(data, "indicators.csv", mutate)
    fails(data, "indicators.csv", expected)


@pytest.mark.parametrize(
    "mutate,expected",
    [
        (_cell(0, change="+0,3 pt"), "changes.csv, ligne 2 : variation non numérique « +0,3 pt »"),
        (_cell(0, change_unit="pts"), "changes.csv, ligne 2 : unité de variation inconnue « pts »"),
        (_cell(2, measure="gap:compiegne"), "changes.csv, ligne 4 : mesure inconnue « gap:compiegne »"),
        (_cell(1, territory="epci"), "changes.csv, ligne 3 : territoire inconnu « epci »"),
        (_cell(1, indicator="neet"), "changes.csv, ligne 3 : indicateur inconnu « neet »"),
        (_cell(1, period_to="2021/22"), "changes.csv, ligne 3 : période « 2021/22 » hors format"),
        (lambda df: pd.concat([df, df.iloc[[5]]]), "doublon pour (clos-des-roses, population, 2013→2018)"),
        (lambda df: df.drop(columns=["quote"]), "colonne(s) manquante(s) : quote"),
        (lambda df: df.iloc[0:0], "aucune ligne de données (en-tête seul)"),
    ],
    ids=lambda x: x if isinstance(x, str) else "",
)
def test_changes_csv_rule(data, mutate, expected):
    _csv(data, "changes.csv", mutate)
    fails(data, "changes.csv", expected)


@pytest.mark.parametrize("name", ["indicators.csv", "changes.csv"])
@pytest.mark.parametrize(
    "content,expected",
    [(b"", "fichier vide"), (b"territory,indicator\n\xff\xfe\xfa,\x00\n", "CSV illisible"), (None, "fichier introuvable")],
)
def test_csv_unreadable(data, name, content, expected):
    if content is None:
        (data / name).unlink()
    else:
        (data / name).write_bytes(content)
    fails(data, name, expected)


# --- the GeoJSON files --------------------------------------------------------------------------------
def _geo_copy(tmp_path, name: str, change=None, raw: bytes | None = None) -> Path:
    p = tmp_path / name
    if raw is not None:
        p.write_bytes(raw)
        return p
    doc = json.loads((GEO / name).read_text(encoding="utf-8"))
    change(doc)
    p.write_text(json.dumps(doc), encoding="utf-8")
    return p


QPV, POCHES = "qpv2024_compiegne.geojson", "poches_pauvrete_carreaux_200m.geojson"


def _shift(doc):
    polys = doc["features"][1]["geometry"]["coordinates"]  # MultiPolygon, ~15 km east
    doc["features"][1]["geometry"]["coordinates"] = [[[[x + 0.2, y] for x, y in ring] for ring in p] for p in polys]


def _bowtie(doc):
    doc["features"][0]["geometry"] = {
        "type": "Polygon",
        "coordinates": [[[2.79, 49.39], [2.80, 49.40], [2.80, 49.39], [2.79, 49.40], [2.79, 49.39]]],
    }


@pytest.mark.parametrize(
    "name,loader,change,raw,expected",
    [
        (QPV, load_qpv, None, b"{pas du json", "fichier géographique illisible (GeoJSON attendu)"),
        (QPV, load_qpv, None, b"", "fichier vide"),
        (QPV, load_qpv, lambda d: d.update(features=[]), None, "aucune entité géographique"),
        (QPV, load_qpv, lambda d: [f["properties"].pop("code_qp") for f in d["features"]], None, "propriété « code_qp » absente"),
        (QPV, load_qpv, lambda d: d["features"].append(d["features"][0]), None, "« QN06006I » en double (entité n° 4)"),
        (
            QPV,
            load_qpv,
            lambda d: d["features"][2]["properties"].update(code_qp="QN06099X"),
            None,
            "entité n° 3 : code QPV inconnu « QN06099X »",
        ),
        (QPV, load_qpv, _shift, None, "entité n° 2 : « QN06007M » est en dehors de la commune de Compiègne"),
        (QPV, load_qpv, _bowtie, None, "entité n° 1 : géométrie invalide pour « QN06006I » (Self-intersection"),
        (
            QPV,
            load_qpv,
            lambda d: d["features"][0].update(geometry={"type": "Point", "coordinates": [2.8, 49.4]}),
            None,
            "entité n° 1 : géométrie de type « Point » pour « QN06006I » (polygone attendu)",
        ),
        (
            POCHES,
            load_poches,
            lambda d: d["features"][0]["properties"].update(id_carreau="CRS3035RES200mN2948400E3802600"),
            None,
            "entité n° 1 : le carreau « CRS3035RES200mN2948400E3802600 » ne correspond pas à son identifiant",
        ),
        (
            POCHES,
            load_poches,
            lambda d: d["features"][0]["properties"].update(id_carreau="carreau-12"),
            None,
            "entité n° 1 : identifiant de carreau INSEE invalide : « carreau-12 »",
        ),
        (POCHES, load_poches, lambda d: d["features"][1]["properties"].update(slug="echarde"), None, "« echarde » en double"),
        (
            "arc_communes_200067965.geojson",
            load_arc_communes,
            lambda d: d["features"].pop(),
            None,
            "21 communes au lieu des 22 communes de l'ARC",
        ),
        ("compiegne_commune_60159.geojson", load_commune, None, b"[]", "fichier géographique illisible"),
    ],
)
def test_geojson_rule(tmp_path, name, loader, change, raw, expected):
    p = _geo_copy(tmp_path, name, change, raw)
    with pytest.raises(DataValidationError) as exc:
        loader(p)
    assert str(exc.value).startswith(f"{name} : "), str(exc.value)
    assert expected in str(exc.value)
    assert str(tmp_path) not in str(exc.value)


# --- the app shows one French message, nothing else ---------------------------------------------------
@pytest.mark.parametrize("name,change", [("views.yaml", "period2018"), ("indicators.csv", "territory")])
def test_app_shows_one_french_message_for_a_broken_file(data, monkeypatch, name, change):
    from streamlit.testing.v1 import AppTest

    if change == "period2018":
        p = data / name
        p.write_text(
            p.read_text(encoding="utf-8").replace('period: "2018", from: "2013"}', 'period: 2018, from: "2013"}', 1),
            encoding="utf-8",
        )
        expected = "views.yaml, ligne"
    else:
        _csv(data, name, _cell(3, territory="clos-des-rose"))
        expected = "indicators.csv, ligne 5 : territoire inconnu « clos-des-rose »"
    monkeypatch.setenv("QUARTIERS_DATA_DIR", str(data))
    at = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "app.py"), default_timeout=60)
    at.run()
    assert not at.exception
    assert len(at.error) == 1 and expected in at.error[0].value
    assert str(data) not in at.error[0].value
    assert not at.title and not at.markdown  # nothing else rendered
