"""Data layer: loaders on the real files, figures checked by hand against the contract,
the consistency the contract allows, its inconsistencies surfaced, and every validation rule
exercised on a deliberately broken copy."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from data import analysis
from data.errors import DataValidationError
from data.formatting import fr_change, fr_euros, fr_percent, fr_value
from data.framework import load_framework, load_residents, load_yaml_doc, objectives, objectives_for_quartier
from data.geo import grid_square, load_arc_communes, load_poches, load_qpv, load_quartier_shapes
from data.indicators import load_all, load_catalogue, load_changes, load_indicators, load_territories
from data.paths import GEO, QPV_DATA


@pytest.fixture(scope="module")
def loaded():
    return load_all()


def val(df, territory, indicator, period):
    v = analysis.get_value(df, territory, indicator, period)
    assert v is not None, (territory, indicator, period)
    return v


# --- figures checked by hand against the contract -------------------------------------------

@pytest.mark.parametrize("territory,indicator,period,expected,text", [
    ("clos-des-roses", "median_declared_income", "2015", 9456, "9 456 €"),
    ("clos-des-roses", "median_declared_income", "2020", 10190, "10 190 €"),
    ("la-victoire", "median_declared_income", "2015", 10812, "10 812 €"),
    ("la-victoire", "median_declared_income", "2020", 11330, "11 330 €"),
    ("vivier-corax", "median_declared_income", "2015", 9978, "9 978 €"),
    ("vivier-corax", "median_declared_income", "2020", 9470, "9 470 €"),
    ("clos-des-roses", "poverty_rate", "2015", 66.4, "66,4 %"),
    ("clos-des-roses", "poverty_rate", "2019", 63.1, "63,1 %"),
    ("la-victoire", "poverty_rate", "2015", 56.0, "56,0 %"),
    ("vivier-corax", "poverty_rate", "2019", 64.5, "64,5 %"),
    ("clos-des-roses", "neet_rate", "2017-2018", 42, "42 %"),
    ("clos-des-roses", "neet_rate", "2020-2021", 35.5, "35,5 %"),
    ("arc", "neet_rate", "2020-2021", 15.9, "15,9 %"),
    ("vivier-corax", "single_parent_share", "2015", 22.68, "22,68 %"),
    ("arc", "single_parent_share", "2019", 14.97, "14,97 %"),
    ("ensemble-qpv", "population_share_commune", "2018", 23.20, "23,20 %"),
    ("clos-des-roses", "defm_abcde", "2016-12-31", 590, "590"),
    ("la-victoire", "job_seekers", "2023-T2", 522, "522"),
    ("ensemble-qpv", "job_seekers", "2021-T2", 1604, "1 604"),
    ("compiegne", "apl_general_practitioners", "", 3.6, "3,6"),
    ("hauts-de-france", "apl_nurses", "", 178, "178"),
    ("france", "apl_dentists", "", 59.9, "59,9"),
    ("echarde", "mean_living_standard", "2017", 14327, "14 327 €"),
    ("jean-moulin", "mean_living_standard", "2017", 16983, "16 983 €"),
    ("arc", "population", "2021", 85046, "85 046"),
    ("zone-emploi-compiegne", "unemployment_rate", "2013", 10.7, "10,7 %"),
    ("compiegne", "jobs_per_100_inhabitants", "2020", 176, "176"),
    ("lycee-charles-de-gaulle", "bac_access_rate", "2022", 51, "51 %"),
    ("la-victoire", "perimeter_extension_housing_units", "2024", 128, "128"),
])
def test_figures_match_the_contract(loaded, territory, indicator, period, expected, text):
    catalogue, _, df, _ = loaded
    v = val(df, territory, indicator, period)
    assert v.value == pytest.approx(expected)
    assert fr_value(v.value, catalogue[indicator].unit, v.decimals) == text


def test_every_figure_carries_source_period_perimeter(loaded):
    _, _, df, _ = loaded
    assert (df["source"].str.len() > 0).all()
    assert (df["perimeter"].str.len() > 0).all()
    assert (df["contract_ref"].str.len() > 0).all()
    stat_series = ["population", "population_share_commune", "median_declared_income", "poverty_rate", "rsa_recipients",
                   "rsa_share", "single_parent_recipients", "single_parent_share", "neet_rate", "defm_abcde",
                   "defm_abcde_share", "job_seekers"]
    qpv_series = df[df["territory"].isin(["clos-des-roses", "la-victoire", "vivier-corax", "ensemble-qpv"])
                    & df["indicator"].isin(stat_series)]
    assert len(qpv_series) == 79
    # footnote 3: the QPV series use the 2015 boundaries
    assert set(qpv_series["perimeter"]) == {"QPV 2015"}


def test_na_stays_missing_never_zero(loaded):
    _, _, df, _ = loaded
    na = df[df["value_status"] == "na"]
    assert len(na) == 5
    assert na["value"].isna().all()
    v = val(df, "clos-des-roses", "rsa_share", "2019")
    assert v.missing and v.status == "na"
    assert fr_percent(v.value) == "non disponible"
    assert val(df, "la-victoire", "single_parent_share", "2015").missing


def test_changes_without_levels_are_changes_not_levels(loaded):
    _, _, df, changes = loaded
    assert analysis.get_value(df, "arc", "poverty_rate", "2015") is None
    assert analysis.get_value(df, "arc", "poverty_rate", "2019") is None
    st = analysis.stated_change(changes, "arc", "poverty_rate", "2015", "2019")
    assert float(st["change"]) == pytest.approx(0.3) and st["change_unit"] == "points"
    assert analysis.get_value(df, "compiegne", "median_declared_income", "2015") is None


# --- consistency the contract allows ----------------------------------------------------------

@pytest.mark.parametrize("period", ["2013", "2018"])
def test_three_qpv_populations_sum_to_total(loaded, period):
    _, _, df, _ = loaded
    parts = sum(val(df, q, "population", period).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
    assert parts == val(df, "ensemble-qpv", "population", period).value
    shares = sum(val(df, q, "population_share_commune", period).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
    assert shares == pytest.approx(val(df, "ensemble-qpv", "population_share_commune", period).value)


@pytest.mark.parametrize("indicator,periods", [("single_parent_recipients", ("2015", "2019")),
                                                ("job_seekers", ("2021-T2", "2023-T2"))])
def test_other_totals_sum(loaded, indicator, periods):
    _, _, df, _ = loaded
    for p in periods:
        parts = sum(val(df, q, indicator, p).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
        assert parts == val(df, "ensemble-qpv", indicator, p).value


def test_income_gap_changes_imply_the_same_commune_change(loaded):
    catalogue, _, df, changes = loaded
    implied = []
    for q in ("clos-des-roses", "la-victoire", "vivier-corax"):
        ev = analysis.evolution(df, q, "median_declared_income", "2015", "2020", "euros")
        gap = analysis.stated_change(changes, q, "median_declared_income", "2015", "2020", measure="gap_to:compiegne")
        implied.append(analysis.implied_reference_change(ev.change, float(gap["change"])))
    assert implied == [636, 636, 636]
    ref = analysis.reference_change(df, changes, "compiegne", catalogue["median_declared_income"], "2015", "2020",
                                    ["clos-des-roses", "la-victoire", "vivier-corax"])
    assert ref.change == 636 and ref.origin == "déduit des écarts"
    assert fr_change(ref.change, "euros", 0) == "+636 €"


def test_stated_changes_agree_with_levels(loaded):
    """Every level change the contract states in words matches its own figures."""
    catalogue, _, df, changes = loaded
    for _, c in changes[changes["measure"] == "level"].iterrows():
        ev = analysis.evolution(df, c["territory"], c["indicator"], c["period_from"], c["period_to"],
                                catalogue[c["indicator"]].unit)
        if not ev.available:
            continue  # e.g. EPCI poverty: change only
        if c["change_unit"] == "%":
            assert round(ev.change_pct) == c["change"], c.to_dict()
        else:
            assert ev.change == pytest.approx(c["change"]), c.to_dict()


def test_synthesis_grid_directions(loaded):
    catalogue, _, df, changes = loaded
    grid = analysis.synthesis_grid(df, changes, catalogue, load_yaml_doc("synthesis"))
    cell = grid.set_index(["indicator", "column"])
    assert cell.loc[("poverty_rate", "clos-des-roses"), "verdict"] == "amélioration"
    assert cell.loc[("poverty_rate", "vivier-corax"), "verdict"] == "dégradation"
    assert cell.loc[("neet_rate", "vivier-corax"), "comparison"] == "moins bien que la référence"
    assert cell.loc[("median_declared_income", "ensemble-qpv"), "reason"] == "« <N/A> » dans la grille du contrat"
    assert cell.loc[("rsa_recipients", "la-victoire"), "direction"] == "hausse"


# --- inconsistencies surfaced, not fixed ---------------------------------------------------------

def test_jean_moulin_169_and_160_both_kept_and_flagged(loaded):
    _, _, df, _ = loaded
    assert val(df, "jean-moulin", "housing_units", "").value == 169
    assert val(df, "jean-moulin", "social_housing_units", "").value == 160
    ids = {i["id"] for i in load_yaml_doc("inconsistencies")["items"]}
    assert {"jean-moulin-logements", "la-victoire-code-extension"} <= ids


def test_la_victoire_code_letter_disagrees_with_text():
    facts = load_yaml_doc("perimeters")["qpv_2024"]["quartiers"]
    victoire = next(f for f in facts if f["territory"] == "la-victoire")
    assert victoire["code"].endswith("I") and victoire["consistent"] is False
    shapes = load_quartier_shapes()
    assert shapes.set_index("territory").loc["la-victoire", "code"] == "QN06008I"


# --- framework, residents ---------------------------------------------------------------------

def test_framework_has_10_orientations_and_34_objectives():
    fw = load_framework()
    obs = objectives(fw)
    assert len(fw["orientations"]) == 10 and len(obs) == 34
    assert [o["id"] for o in obs][:3] == ["1.1", "1.2", "1.3"] and obs[-1]["id"] == "10.3"
    by_id = {o["id"]: o for o in obs}
    assert by_id["9.1"]["target_quartiers"] == ["clos-des-roses", "la-victoire"]
    assert by_id["9.2"]["target_quartiers"] == ["vivier-corax"]
    assert "echarde" in by_id["3.3"]["target_quartiers"]
    assert "Police Nationale" in by_id["3.1"]["acteurs"]
    assert by_id["1.1"]["indicateurs_suivi"] == ["Taux de Réussite au Brevet et au Baccalauréat",
                                                 "Fréquentation des activités proposées sur le temps scolaire, péri et extra-scolaire"]
    for o in obs:
        assert o["resultats_attendus"] and o["acteurs"], o["id"]
    assert {o["id"] for o in objectives_for_quartier(fw, "vivier-corax", include_mentions=False)} == {"3.3", "9.2"}


def test_referentiel_axes_questions_and_sources():
    fw = load_framework()
    os5 = fw["orientations"][4]["referentiel"]
    assert len(os5["axes"]) == 6
    droits = next(a for a in os5["axes"] if a["axis"].startswith("Renforcer l'accès aux droits"))
    assert "Évolution de la part des habitants sans médecins traitant" in droits["indicators"]
    assert droits["sources"] == ["Sources CPAM : voir s'ils peuvent fournir les données à l'échelle des QPV"]
    os1_axes = [a["objective_ref"] for a in fw["orientations"][0]["referentiel"]["axes"]]
    assert os1_axes == ["1.1", "1.2", "1.3", "3.3"]  # the contract prints the 3.3 axis in OS1's table
    gov = load_yaml_doc("governance")
    assert [b["id"] for b in gov["bodies"]] == ["comite-pilotage", "comites-techniques", "journee-annuelle"]


def test_residents_ranks_keep_ex_aequo():
    r = load_residents()
    themes = {t["id"]: t for t in r["themes"]}
    assert themes["sante"]["ranks"]["clos-des-roses"] == {"rank": 1, "tie": False}
    assert themes["vivre-ensemble"]["ranks"]["clos-des-roses"] == {"rank": 4, "tie": True}
    assert themes["services"]["ranks"]["vivier-corax"]["rank"] == 11
    assert [t["top3_count"] for t in r["themes"]] == [3, 2, 2, 2, 1, 1]


# --- perimeters -----------------------------------------------------------------------------

def test_perimeters_loaded_and_inside_compiegne():
    shapes = load_quartier_shapes()
    assert list(shapes["territory"]) == ["vivier-corax", "clos-des-roses", "la-victoire", "echarde", "jean-moulin"]
    areas = shapes.to_crs(3035).area.round(0).tolist()
    assert areas[3:] == [40000.0, 40000.0]  # 200 m × 200 m squares
    assert 200_000 < areas[1] < 300_000  # Clos des Roses ≈ 25 ha
    assert len(load_arc_communes()) == 22


def test_grid_square_from_id():
    sq = grid_square("CRS3035RES200mN2948600E3802600")
    import geopandas as gpd
    s = gpd.GeoSeries([sq], crs=4326).to_crs(3035).iloc[0]
    assert s.bounds == pytest.approx((3802600, 2948600, 3802800, 2948800), abs=0.01)


# --- validation rules on broken copies -----------------------------------------------------------

def _broken_csv(tmp_path: Path, mutate) -> Path:
    df = pd.read_csv(QPV_DATA / "indicators.csv", dtype=str, keep_default_na=False)
    df = mutate(df)
    p = tmp_path / "indicators.csv"
    df.to_csv(p, index=False)
    return p


def _set(row, **kw):
    def m(df):
        for k, v in kw.items():
            df.loc[row, k] = v
        return df
    return m


@pytest.mark.parametrize("mutate,expected", [
    (_set(3, territory="clos-des-rose"), "indicators.csv, ligne 5 : territoire inconnu « clos-des-rose »"),
    (_set(4, indicator="median_income"), "indicators.csv, ligne 6 : indicateur inconnu « median_income »"),
    (_set(40, value="neuf mille"), "ligne 42 : valeur non numérique « neuf mille »"),
    (_set(41, value="0", value_status="na"), "ligne 43 : valeur « 0 » alors que le statut est « na »"),
    (_set(42, value="166.4"), "ligne 44 : pourcentage hors de 0–100 : 166.4 (poverty_rate)"),
    (_set(30, value="-5"), "ligne 32 : pourcentage hors de 0–100 : -5 (population_share_commune)"),
    (_set(16, value="-2645"), "ligne 18 : valeur négative -2645 pour « population »"),
    (_set(16, period="2013/2014"), "ligne 18 : période « 2013/2014 » hors format"),
    (_set(16, source=""), "ligne 18 : colonne « source » vide"),
    (_set(16, value_status="estimé"), "statut de valeur inconnu « estimé » (attendu : ok ou na)"),
    (_set(16, qualifier="à peu près"), "ligne 18 : qualificatif inconnu « à peu près »"),
    (lambda df: pd.concat([df, df.iloc[[16]]]), "ligne 180 : doublon pour (vivier-corax, population, « 2018 »)"),
    (lambda df: df.drop(columns=["perimeter"]), "colonne(s) manquante(s) : perimeter"),
])
def test_each_indicator_rule_fails_loudly(tmp_path, mutate, expected):
    p = _broken_csv(tmp_path, mutate)
    with pytest.raises(DataValidationError) as exc:
        load_indicators(p)
    assert expected in str(exc.value)


def test_real_indicator_file_rows_used_by_broken_copies_are_what_we_think():
    df = pd.read_csv(QPV_DATA / "indicators.csv", dtype=str, keep_default_na=False)
    assert (df.loc[16, "territory"], df.loc[16, "indicator"], df.loc[16, "period"]) == ("vivier-corax", "population", "2018")
    assert df.loc[42, "indicator"] == "poverty_rate" and df.loc[30, "indicator"] == "population_share_commune"


def test_changes_rules(tmp_path):
    df = pd.read_csv(QPV_DATA / "changes.csv", dtype=str, keep_default_na=False)
    df.loc[0, "change"] = "+0,3 pt"
    p = tmp_path / "changes.csv"
    df.to_csv(p, index=False)
    with pytest.raises(DataValidationError, match=r"changes.csv, ligne 2 : variation non numérique « \+0,3 pt »"):
        load_changes(p)


def test_catalogue_rules(tmp_path):
    doc = yaml.safe_load((QPV_DATA / "catalogue.yaml").read_text(encoding="utf-8"))
    doc["indicators"]["poverty_rate"]["unit"] = "percent"
    p = tmp_path / "catalogue.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataValidationError, match="indicateur « poverty_rate » : unité inconnue « percent »"):
        load_catalogue(p)


def test_framework_schema_rule(tmp_path):
    doc = yaml.safe_load((QPV_DATA / "framework.yaml").read_text(encoding="utf-8"))
    doc["orientations"][8]["objectives"][0]["target_quartiers"] = ["clos-des-roses", "vieux-compiegne"]
    p = tmp_path / "framework.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"orientations/8/objectives/0/target_quartiers/1 : 'vieux-compiegne'"):
        load_framework(p)


def test_residents_top3_rule(tmp_path):
    doc = yaml.safe_load((QPV_DATA / "residents.yaml").read_text(encoding="utf-8"))
    doc["themes"][0]["top3_count"] = 2
    p = tmp_path / "residents.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataValidationError, match="« 2x » dans le Top 3 alors que les rangs en donnent 3"):
        load_residents(p)


def test_geometry_outside_compiegne_fails(tmp_path):
    import json
    doc = json.loads((GEO / "qpv2024_compiegne.geojson").read_text(encoding="utf-8"))
    polys = doc["features"][1]["geometry"]["coordinates"]  # MultiPolygon
    doc["features"][1]["geometry"]["coordinates"] = [[[[x + 0.2, y] for x, y in ring] for ring in poly] for poly in polys]  # ~15 km east
    p = tmp_path / "qpv.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataValidationError, match="qpv.geojson, ligne 2 : « QN06007M » est en dehors de la commune de Compiègne"):
        load_qpv(p)


def test_invalid_geometry_fails(tmp_path):
    import json
    doc = json.loads((GEO / "qpv2024_compiegne.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [[[2.79, 49.39], [2.80, 49.40], [2.80, 49.39], [2.79, 49.40], [2.79, 49.39]]]}
    p = tmp_path / "qpv.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataValidationError, match="ligne 1 : géométrie invalide pour « QN06006I » \\(Self-intersection"):
        load_qpv(p)


def test_poche_square_must_match_its_id(tmp_path):
    import json
    doc = json.loads((GEO / "poches_pauvrete_carreaux_200m.geojson").read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["id_carreau"] = "CRS3035RES200mN2948400E3802600"
    p = tmp_path / "poches.geojson"
    p.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(DataValidationError, match="ligne 1 : le carreau « CRS3035RES200mN2948400E3802600 » ne correspond pas à son identifiant"):
        load_poches(p)


def test_unknown_qpv_code_fails(tmp_path):
    src = GEO / "qpv2024_compiegne.geojson"
    p = tmp_path / "qpv.geojson"
    p.write_text(src.read_text(encoding="utf-8").replace("QN06008I", "QN06099X"), encoding="utf-8")
    with pytest.raises(DataValidationError, match="code QPV inconnu « QN06099X »"):
        load_qpv(p)


# --- formatting -----------------------------------------------------------------------------

def test_french_formats():
    assert fr_euros(9456) == "9 456 €"
    assert fr_percent(66.4) == "66,4 %"
    assert fr_change(-3.3, "pourcent", 1) == "-3,3 points"
    assert fr_change(0.3, "pourcent", 1) == "+0,3 point"
    assert fr_change(-98, "euros", 0) == "-98 €"
    assert fr_value(None, "euros") == "non disponible"


@pytest.mark.parametrize("territory,indicator,period,expected,status", [
    ("clos-des-roses", "faroux_renovation_cost_ht", "", 8000000, "lower_bound"),  # « plus de 8 M HT »
    ("compiegne", "cite_educative_people", "2023", 6000, "approx"),  # « près de 6000 »
    ("arc", "insertion_clause_hours", "2023-S1", 14800, ""),
    ("vivier-corax", "bike_shelter_cost_ttc", "2024", 84179, ""),
    ("ensemble-qpv", "cctv_cameras", "", 40, "approx"),  # « une quarantaine »
])
def test_resource_figures_keep_their_qualifiers(loaded, territory, indicator, period, expected, status):
    _, _, df, _ = loaded
    v = val(df, territory, indicator, period)
    assert v.value == expected and v.status == "ok" and v.qualifier == status
