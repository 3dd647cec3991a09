"""Data layer: loaders on the real files, figures checked by hand against the contract,
the consistency the contract allows, its inconsistencies surfaced, and every validation rule
exercised on a deliberately broken copy."""

from __future__ import annotations

import pytest

from data import model
from data.dataset import load_dataset
from data.formatting import fr_change, fr_euros, fr_percent, fr_value
from data.framework import objectives, objectives_for_quartier
from data.geo import grid_square, load_arc_communes, load_quartier_shapes


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def val(ds, territory, indicator, period):
    v = ds.figure(territory, indicator, period)
    assert v.status != "absent", (territory, indicator, period)
    return v


# --- figures checked by hand against the contract -------------------------------------------


@pytest.mark.parametrize(
    "territory,indicator,period,expected,text",
    [
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
    ],
)
def test_figures_match_the_contract(ds, territory, indicator, period, expected, text):
    v = val(ds, territory, indicator, period)
    assert v.value == pytest.approx(expected)
    assert fr_value(v.value, ds.catalogue[indicator].unit, v.decimals) == text


def test_every_figure_carries_source_period_perimeter(ds):
    df = ds.frame
    assert (df["source"].str.len() > 0).all()
    assert (df["perimeter"].str.len() > 0).all()
    assert (df["contract_ref"].str.len() > 0).all()
    stat_series = [
        "population",
        "population_share_commune",
        "median_declared_income",
        "poverty_rate",
        "rsa_recipients",
        "rsa_share",
        "single_parent_recipients",
        "single_parent_share",
        "neet_rate",
        "defm_abcde",
        "defm_abcde_share",
        "job_seekers",
    ]
    qpv_series = df[
        df["territory"].isin(["clos-des-roses", "la-victoire", "vivier-corax", "ensemble-qpv"])
        & df["indicator"].isin(stat_series)
    ]
    assert len(qpv_series) == 79
    # footnote 3: the QPV series use the 2015 boundaries
    assert set(qpv_series["perimeter"]) == {"QPV 2015"}


def test_na_stays_missing_never_zero(ds):
    df = ds.frame
    na = df[df["value_status"] == "na"]
    assert len(na) == 5
    assert na["value"].isna().all()
    v = val(ds, "clos-des-roses", "rsa_share", "2019")
    assert v.missing and v.status == "na"
    assert fr_percent(v.value) == "non disponible"
    assert val(ds, "la-victoire", "single_parent_share", "2015").missing


def test_changes_without_levels_are_changes_not_levels(ds):
    assert ds.figure("arc", "poverty_rate", "2015").status == "absent"
    assert ds.figure("arc", "poverty_rate", "2019").status == "absent"
    st = model.stated_change(ds, "arc", "poverty_rate", "2015", "2019")
    assert st.change == pytest.approx(0.3) and st.change_unit == "points" and st.decimals == 1
    assert ds.figure("compiegne", "median_declared_income", "2015").status == "absent"


# --- consistency the contract allows ----------------------------------------------------------


@pytest.mark.parametrize("period", ["2013", "2018"])
def test_three_qpv_populations_sum_to_total(ds, period):
    parts = sum(val(ds, q, "population", period).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
    assert parts == val(ds, "ensemble-qpv", "population", period).value
    shares = sum(val(ds, q, "population_share_commune", period).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
    assert shares == pytest.approx(val(ds, "ensemble-qpv", "population_share_commune", period).value)


@pytest.mark.parametrize(
    "indicator,periods", [("single_parent_recipients", ("2015", "2019")), ("job_seekers", ("2021-T2", "2023-T2"))]
)
def test_other_totals_sum(ds, indicator, periods):
    for p in periods:
        parts = sum(val(ds, q, indicator, p).value for q in ("clos-des-roses", "la-victoire", "vivier-corax"))
        assert parts == val(ds, "ensemble-qpv", indicator, p).value


def test_income_gap_changes_imply_the_same_commune_change(ds):
    implied = []
    for q in ("clos-des-roses", "la-victoire", "vivier-corax"):
        ev = model.evolution(ds, q, "median_declared_income", "2015", "2020")
        gap = model.stated_change(ds, q, "median_declared_income", "2015", "2020", reference="compiegne")
        implied.append(ev.change + gap.change)
    assert implied == [636, 636, 636]
    ref = model.reference_change(
        ds, "compiegne", "median_declared_income", "2015", "2020", ["clos-des-roses", "la-victoire", "vivier-corax"]
    )
    assert ref.change == 636 and ref.origin == model.IMPLIED_BY_GAPS
    assert fr_change(ref.change, "euros", ref.decimals) == "+636 €"


def test_stated_changes_agree_with_levels(ds):
    """Every level change the contract states in words matches its own figures."""
    checked = 0
    for c in model.stated_changes(ds):
        if c.reference:
            continue
        ev = model.evolution(ds, c.territory, c.indicator, c.period_from, c.period_to)
        if not ev.available:
            continue  # e.g. EPCI poverty, DEFM shares: change only
        if c.change_unit == "%":
            assert round(ev.change_pct) == c.change, c
        else:
            assert ev.change == pytest.approx(c.change), c
        checked += 1
    assert checked >= 20


def test_synthesis_grid_directions(ds):
    cells = {(line.indicator, c.column): c for line in model.synthesis(ds) for c in line.cells}
    assert cells[("poverty_rate", "clos-des-roses")].evolution.verdict == model.IMPROVEMENT
    assert cells[("poverty_rate", "vivier-corax")].evolution.verdict == model.DETERIORATION
    assert cells[("neet_rate", "vivier-corax")].comparison == model.WORSE
    assert cells[("median_declared_income", "ensemble-qpv")].contract_cell == "<N/A>"
    assert not cells[("median_declared_income", "ensemble-qpv")].evolution.available
    assert cells[("rsa_recipients", "la-victoire")].evolution.direction == model.UP


# --- inconsistencies surfaced, not fixed ---------------------------------------------------------


def test_jean_moulin_169_and_160_both_kept_and_flagged(ds):
    assert val(ds, "jean-moulin", "housing_units", "").value == 169
    assert val(ds, "jean-moulin", "social_housing_units", "").value == 160
    ids = {i.id for i in ds.inconsistencies.items}
    assert {"jean-moulin-logements", "la-victoire-code-extension"} <= ids


def test_la_victoire_code_letter_disagrees_with_text(ds):
    facts = ds.perimeters.qpv_2024.quartiers
    victoire = next(f for f in facts if f.territory == "la-victoire")
    assert victoire.code.endswith("I") and victoire.consistent is False
    shapes = load_quartier_shapes()
    assert shapes.set_index("territory").loc["la-victoire", "code"] == "QN06008I"


# --- framework, residents ---------------------------------------------------------------------


def test_framework_has_10_orientations_and_34_objectives(ds):
    fw = ds.framework
    obs = objectives(fw)
    assert len(fw.orientations) == 10 and len(obs) == 34
    assert [o.id for o in obs][:3] == ["1.1", "1.2", "1.3"] and obs[-1].id == "10.3"
    by_id = {o.id: o for o in obs}
    assert by_id["9.1"].target_quartiers == ["clos-des-roses", "la-victoire"]
    assert by_id["9.2"].target_quartiers == ["vivier-corax"]
    assert "echarde" in by_id["3.3"].target_quartiers
    assert "Police Nationale" in by_id["3.1"].acteurs
    assert by_id["1.1"].indicateurs_suivi == [
        "Taux de Réussite au Brevet et au Baccalauréat",
        "Fréquentation des activités proposées sur le temps scolaire, péri et extra-scolaire",
    ]
    for o in obs:
        assert o.resultats_attendus and o.acteurs, o.id
    assert {o.id for o in objectives_for_quartier(fw, "vivier-corax", include_mentions=False)} == {"3.3", "9.2"}


def test_referentiel_axes_questions_and_sources(ds):
    fw = ds.framework
    os5 = fw.orientations[4].referentiel
    assert len(os5.axes) == 6
    droits = next(a for a in os5.axes if a.axis.startswith("Renforcer l'accès aux droits"))
    assert "Évolution de la part des habitants sans médecins traitant" in [i.text for i in droits.indicators]
    assert droits.sources == ["Sources CPAM : voir s'ils peuvent fournir les données à l'échelle des QPV"]
    os1_axes = [a.objective_ref for a in fw.orientations[0].referentiel.axes]
    assert os1_axes == ["1.1", "1.2", "1.3", "3.3"]  # the contract prints the 3.3 axis in OS1's table
    assert [b.id for b in ds.governance.bodies] == ["comite-pilotage", "comites-techniques", "journee-annuelle"]


def test_residents_ranks_keep_ex_aequo(ds):
    themes = {t.id: t for t in ds.residents.themes}
    assert (themes["sante"].ranks["clos-des-roses"].rank, themes["sante"].ranks["clos-des-roses"].tie) == (1, False)
    assert (themes["vivre-ensemble"].ranks["clos-des-roses"].rank, themes["vivre-ensemble"].ranks["clos-des-roses"].tie) == (
        4,
        True,
    )
    assert themes["services"].ranks["vivier-corax"].rank == 11
    assert [t.top3_count for t in ds.residents.themes] == [3, 2, 2, 2, 1, 1]


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


# --- formatting -----------------------------------------------------------------------------


def test_french_formats():
    assert fr_euros(9456) == "9 456 €"
    assert fr_percent(66.4) == "66,4 %"
    assert fr_change(-3.3, "pourcent", 1) == "-3,3 points"
    assert fr_change(0.3, "pourcent", 1) == "+0,3 point"
    assert fr_change(-98, "euros", 0) == "-98 €"
    assert fr_value(None, "euros") == "non disponible"


@pytest.mark.parametrize(
    "territory,indicator,period,expected,status",
    [
        ("clos-des-roses", "faroux_renovation_cost_ht", "", 8000000, "lower_bound"),  # « plus de 8 M HT »
        ("compiegne", "cite_educative_people", "2023", 6000, "approx"),  # « près de 6000 »
        ("arc", "insertion_clause_hours", "2023-S1", 14800, ""),
        ("vivier-corax", "bike_shelter_cost_ttc", "2024", 84179, ""),
        ("ensemble-qpv", "cctv_cameras", "", 40, "approx"),  # « une quarantaine »
    ],
)
def test_resource_figures_keep_their_qualifiers(ds, territory, indicator, period, expected, status):
    v = val(ds, territory, indicator, period)
    assert v.value == expected and v.status == "ok" and v.qualifier == status


@pytest.mark.parametrize(
    "value,text",
    [
        (1234.0, "1 234"),
        (1e-05, "0,00001"),
        (66.4, "66,4"),
        (100.0, "100"),
        (1e20, "100 000 000 000 000 000 000"),
        (float("inf"), "valeur hors limites"),
    ],
)
def test_french_number_never_breaks_on_any_value(value, text):
    from data.formatting import fr_number

    assert fr_number(value) == text
