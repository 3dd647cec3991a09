"""The contract's ambiguities, each made visible and correct in the data (issue « one home per
figure », §4), and the figures of its narrative that the dashboard now carries with their wording.
Each test reads the data and, where a person would see it, the page."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from data import model
from data.dataset import load_dataset
from data.followup import referentiel_indicators
from ui import wording as w
from ui.exports import figures_csv

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def page(path: str, query: dict | None = None) -> str:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(path).run()
    assert not at.exception
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.warning]
    parts += [e.value for e in at.subheader] + [e.label for e in at.expander] + [t.value.to_string() for t in at.table]
    parts += [e.proto.body for e in at.get("html") if "<style>" not in e.proto.body[:10]]
    joined = re.sub(r"</?span[^>]*>", "", "\n".join(parts))  # a number's no-break span is inline
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", joined)).replace("**", "").split())


def text(ds, territory, indicator, period="") -> str:
    f = ds.figure(territory, indicator, period)
    assert f.status == "ok", (territory, indicator, period)
    return w.value_text(f)


# --- « plus de 600 habitants des deux quartiers » ----------------------------------------------------
def test_renewal_consultation_is_the_two_renewal_quartiers_not_the_three(ds):
    group = ds.territories["clos-des-roses-la-victoire"]
    assert group.kind == "groupe" and group.members == ["clos-des-roses", "la-victoire"]
    assert text(ds, "clos-des-roses-la-victoire", "renewal_consultation_residents") == "plus de 600"
    assert not ds.series("ensemble-qpv", "renewal_consultation_residents")
    assert (
        "Habitants impliqués dans la concertation des PRU – Clos des Roses + Victoire · période non précisée plus de 600"
        in page("pages/cadre-de-vie.py")
    )


# --- « emplois pour 100 habitants » -------------------------------------------------------------------
def test_jobs_concentration_keeps_the_contract_words_with_insee_definition(ds):
    ind = ds.catalogue["jobs_per_100_inhabitants"]
    assert "« emplois pour 100 habitants » selon le contrat" in ind.label
    assert "pour 100 actifs ayant un emploi qui résident dans la zone" in ind.definition
    assert ind.contract_wording == "173 emplois pour 100 habitants en 2014, et 176 en 2020"
    assert text(ds, "compiegne", "jobs_per_100_inhabitants", "2014") == "173"
    assert text(ds, "compiegne", "jobs_per_100_inhabitants", "2020") == "176"
    item = next(i for i in ds.inconsistencies.items if i.id == "concentration-emploi-pour-100-habitants")
    assert item.indicators == ["jobs_per_100_inhabitants"] and "67 %" in item.summary
    emploi = page("pages/emploi.py")
    assert "Concentration de l'emploi (« emplois pour 100 habitants » selon le contrat)" in emploi
    assert "Incohérence du contrat : Compiègne : « 173 emplois pour 100 habitants" in emploi


# --- catalogue definitions ----------------------------------------------------------------------------
def test_poverty_rate_is_on_declared_income(ds):
    d = ds.catalogue["poverty_rate"].definition
    assert "60 % de la médiane nationale du revenu déclaré par unité de consommation" in d
    assert "FiLoSoFi" in d and "pas le taux de pauvreté usuel" in d


def test_neet_rate_is_the_contracts_measure_not_exactly_neet(ds):
    ind = ds.catalogue["neet_rate"]
    assert "« non scolarisés et sans emploi »" in ind.definition and "distincte" in ind.definition
    assert "Libellé du contrat : « Taux des 16-25 ans non scolarisés et sans emploi (NEET) »" in page(
        "pages/evolutions.py", {"ind": "neet_rate"}
    )


# --- attributions déduites ----------------------------------------------------------------------------
INFERRED = [
    ("zone-emploi-compiegne", "unemployment_rate", "2023-T3", "7,6 %", "période déduite"),
    ("arc", "long_term_unemployed", "", "1 270", "territoire déduit"),
    ("arc", "long_term_unemployed_share", "", "19 %", "territoire déduit"),
    ("arc", "youth_unemployed", "", "910", "territoire déduit"),
    ("arc", "youth_unemployed_share", "", "13 %", "territoire déduit"),
    ("arc", "car_commute_share", "", "66 %", "territoire déduit"),
    ("lycee-charles-de-gaulle", "bac_access_rate", "2022", "51 %", "sans « respectivement »"),
    ("lycee-m-grenet", "bac_access_rate", "2022", "56 %", "sans « respectivement »"),
    ("arc", "clsm_signatory_institutions", "2022", "35", "période déduite"),
    ("arc", "job_platform_candidate_accounts", "2023-06", "1 418", "3 intercommunalités du Pays Compiégnois"),
    ("arc", "job_platform_recruiters", "2023-06", "166", "3 intercommunalités du Pays Compiégnois"),
]


@pytest.mark.parametrize("territory,indicator,period,value,reason", INFERRED)
def test_inferred_attributions_carry_their_reason(ds, territory, indicator, period, value, reason):
    f = ds.figure(territory, indicator, period)
    assert w.value_text(f) == value
    assert reason in f.inferred
    assert w.inferred_text(f).startswith("attribution déduite : ")


def test_inferred_attribution_is_shown_beside_the_figure_and_listed(ds):
    cards = [model.Card("x", ds.figure("arc", "clsm_signatory_institutions", "2022"))]
    assert any(ln.text.startswith("attribution déduite : période déduite") for ln in w.card_text(ds, cards[0]).lines)
    sante = page("pages/sante.py")
    assert "attribution déduite : période déduite : « En 2022, un coordinateur" in sante
    sources = page("pages/sources.py")
    assert "Attributions déduites" in sources and sources.count("territoire déduit") >= 6
    read = sum(1 for f in model.all_figures(ds) if f.inferred)
    assert read == len(INFERRED) + 1  # + the « 3 classes » of the narrative figures
    csv = figures_csv(ds, [ds.figure("arc", "car_commute_share", "")]).decode("utf-8-sig")
    assert ";attribution déduite;" in csv.splitlines()[0] and "territoire déduit" in csv


def test_unmarked_figures_are_read_not_inferred(ds):
    assert ds.figure("clos-des-roses", "poverty_rate", "2019").inferred == ""
    assert ds.figure("hauts-de-france", "unemployment_rate", "2023-T3").inferred == ""


# --- DEFM : « le nombre » or the share ----------------------------------------------------------------
@pytest.mark.parametrize(
    "q,stated,share_from,share_to,count_change",
    [
        ("clos-des-roses", -1.6, 13, 11.4, -111),
        ("la-victoire", -0.9, 13, 12.1, -79),
        ("vivier-corax", -0.3, 10.2, 9.9, -44),
    ],
)
def test_defm_changes_are_share_points_and_the_sentence_is_quoted_whole(ds, q, stated, share_from, share_to, count_change):
    s = model.stated_change(ds, q, "defm_abcde_share", "2016-12-31", "2022-12-31")
    assert s.change == stated and s.change_unit == "points"
    assert s.quote.startswith("« Entre fin décembre 2016 et fin décembre 2022, le nombre de demandeurs d'emploi en fin de mois")
    assert model.evolution(ds, q, "defm_abcde_share", "2016-12-31", "2022-12-31").change == pytest.approx(stated)
    assert model.evolution(ds, q, "defm_abcde", "2016-12-31", "2022-12-31").change == count_change
    item = next(i for i in ds.inconsistencies.items if i.id == "defm-nombre-ou-part")
    assert "le nombre baisse de 111, 79 et 44" in item.summary


# --- inconsistencies not yet listed -------------------------------------------------------------------
@pytest.mark.parametrize(
    "item_id,words",
    [
        ("victoire-monoparentales-baisse-marquee", ["baisse marquée", "(-4)"]),
        ("acteurs-annexe-3-ou-4", ["cf. annexe 4", "annexe 3"]),
        ("clsm-5-groupes-quatre-cites", ["5 groupes de travail", "quatre"]),
        ("college-denain-initiale", ["G. DENAIN", "F. DENAIN"]),
        ("npnru-2020-ou-2021", ["depuis 2020", "5 novembre 2021"]),
        ("entetes-tableaux-periodes", ["2013 ou 2015", "2018, 2019 ou 2020", "2017-2018", "fin 2016"]),
        ("consensus-vivre-ensemble", ["consensus net", "2x"]),
    ],
)
def test_new_inconsistencies_are_listed(ds, item_id, words):
    item = next(i for i in ds.inconsistencies.items if i.id == item_id)
    for word in words:
        assert word in item.summary
    assert item.summary in page("pages/sources.py")


def test_pre_headcount_is_a_question_not_a_contradiction(ds):
    item = next(i for i in ds.inconsistencies.items if i.id == "pre-effectif")
    assert item.kind == "question" and "Les deux peuvent être vrais" in item.summary
    assert "Question ouverte — Plateforme de Réussite Éducative : 245 enfants" in page("pages/sources.py")


def test_consensus_claim_checked_against_the_ranks(ds):
    themes = {t.id: t for t in ds.residents.themes}
    assert themes["sante"].top3_count == 3 and themes["vivre-ensemble"].top3_count == 2


# --- framework slips ----------------------------------------------------------------------------------
def test_framework_slips_corrected(ds):
    obs = {ob.id: ob for o in ds.framework.orientations for ob in o.objectives}
    assert len(obs["8.1"].pistes_action) == 4
    assert obs["8.1"].pistes_action[-1] == "Orientation des jeunes vers l'offre de formation en lien avec les métiers découverts"
    assert "Subsistent des besoins en matière de : Connaissance par les demandeurs d'emploi" in obs["8.1"].notes[0]
    assert "avec le programme REV3 de la Région." in obs["8.1"].notes[0]
    assert "à poursuivre et renforcer" not in obs["10.3"].pistes_action
    assert obs["10.3"].pistes_action[0].startswith("Poursuite de l'accompagnement de la rénovation des copropriétés")
    assert "¹⁴" not in obs["10.1"].title and obs["10.1"].title.startswith("Conforter la GUSP notamment")
    cite_lab = [d for d in obs["7.4"].dispositifs if "Cité Lab" in d]
    assert len(cite_lab) == 1 and cite_lab[0].endswith("soutien à la création d'entreprise.")
    assert not any(d.startswith("dans leurs éventuels projets") for d in obs["7.4"].dispositifs)
    o5 = ds.framework.orientations[4]
    assert o5.title == "Relayer et promouvoir les actions de santé et de prévention en direction des différents publics des QPV"
    assert o5.title_summary_table.startswith("Relayer et promouvoir les actions et de prévention santé")


def test_rsa_referentiel_link_is_marked_as_a_proxy(ds):
    link = next(lk for lk in ds.referentiel_links.links if lk.match == "bénéficiaires du RSA")
    assert "pas ceux qui ont accédé à un emploi" in link.proxy
    text_ = page("pages/referentiel.py", {"recherche": "ayant accéder à un emploi"})
    assert "données disponibles : Allocataires du RSA, Part des allocataires RSA — approchées :" in text_
    assert "approchées : le contrat compte les allocataires du RSA, pas ceux qui ont accédé à un emploi" in text_


def test_income_gap_referentiel_link_is_a_proxy_not_a_shared_indicator(ds):
    """« Évolution des écarts de revenus médians entre les QPV et les autres quartiers de la commune »:
    the contract gives each QPV's median and the change of its gap to the whole commune (« une
    diminution des écarts avec la commune (-98€) »), not a gap to the other quartiers: approached, so
    the series' points are never the référentiel's values (data/links: a proxy is never shared)."""
    from data.links import proxy_note, shared_indicator, shared_links

    label = next(
        i.label for i in referentiel_indicators(ds.framework) if i.label.startswith("Évolution des écarts de revenus médians")
    )
    assert "entre les QPV et les autres quartiers de la commune" in label
    assert shared_indicator(ds, label) is None
    assert "pas l'écart aux autres quartiers de la commune" in proxy_note(ds, label)
    assert "median_declared_income" not in shared_links(ds).values()
    assert set(shared_links(ds).values()) == {"neet_rate"}  # the one référentiel indicator the series IS
    text_ = page("pages/referentiel.py", {"recherche": "revenus médians"})
    assert (
        "approchées : le contrat donne la médiane des revenus de chaque QPV et l'évolution de son écart à toute la commune"
        in text_
    )


# --- figures of the narrative, with their wording -----------------------------------------------------
@pytest.mark.parametrize(
    "territory,indicator,period,expected,page_path",
    [
        ("colleges-malraux-denain", "brevet_written_mean", "", "moins de 10 sur 20", "pages/education.py"),
        ("compiegne", "parents_house_qpv_share", "2023", "plus de 80 %", "pages/education.py"),
        ("compiegne", "pre_psychomotricity_slots", "2023", "9", "pages/sante.py"),
        ("compiegne", "pre_psychology_slots", "2023", "8", "pages/sante.py"),
        ("compiegne", "care_waiting_months_min", "", "20", "pages/sante.py"),
        ("compiegne", "care_waiting_months_max", "", "24", "pages/sante.py"),
        ("arc", "business_settlements_per_year", "", "5", "pages/emploi.py"),
        ("clos-des-roses", "npnru_demolished_buildings", "2023-06-30", "3", "pages/cadre-de-vie.py"),
        ("la-victoire", "npnru_demolished_buildings", "2023-06-30", "2,5", "pages/cadre-de-vie.py"),
        ("clos-des-roses", "npnru_built_tertiary_buildings", "2023-06-30", "1", "pages/cadre-de-vie.py"),
        ("clos-des-roses", "npnru_public_facilities", "2023-06-30", "3", "pages/cadre-de-vie.py"),
        ("la-victoire", "npnru_public_facilities", "2023-06-30", "1", "pages/cadre-de-vie.py"),
        ("clos-des-roses-la-victoire", "npnru_amount_stated", "", "environ 120 000 000 €", "pages/cadre-de-vie.py"),
        ("compiegne", "under_three_classes", "", "3", "pages/education.py"),
        ("compiegne", "population_share_epci", "", "environ la moitié", "pages/accueil.py"),
        ("ensemble-qpv", "neet_share_statement", "", "plus d'un tiers", "pages/emploi.py"),
        ("qpv-france", "good_health_share", "", "plus de la moitié", "pages/sante.py"),
        ("qpv-france", "overweight_share", "", "plus de la moitié", "pages/sante.py"),
        ("qpv-grand-est", "premature_excess_mortality", "", "plus de 67 %", "pages/sante.py"),
    ],
)
def test_narrative_figures_with_their_wording(ds, territory, indicator, period, expected, page_path):
    f = ds.figure(territory, indicator, period)
    assert w.value_text(f) == expected
    assert f.source and f.perimeter and f.contract_ref and f.note.startswith("«")
    shown = page(page_path)
    label = ds.catalogue[indicator].label if page_path != "pages/accueil.py" else "Compiègne en compte"  # a home card's phrase
    assert re.search(re.escape(label) + r".{0,120}" + re.escape(expected), shown), (label, expected)


def test_fractions_are_never_rounded_decimals(ds):
    csv = figures_csv(ds, [ds.figure("ensemble-qpv", "neet_share_statement", "")]).decode("utf-8-sig")
    assert ";1/3;" in csv and "0,33" not in csv


@pytest.mark.parametrize(
    "item_id,kind,quotes",
    [
        # the contract against itself, each with its two (or three) quotations
        (
            "colonne-evolution-des-ecarts",
            "contradiction",
            ["Evolution des écarts", "Une augmentation de 734€ des revenus déclarés"],
        ),
        ("defm-territoire-de-reference", "contradiction", ["Compiègne", "l'EPCI", "la ville"]),
        ("marechaux-2-5-immeubles", "question", ["2,5 immeubles"]),
        # corrected: quotes only the contract; names the section where « cf. annexe 4 » is printed
        ("npnru-2020-ou-2021", "question", ["depuis 2020", "5 novembre 2021"]),
        # not inconsistencies of the contract: notes
        ("la-victoire-code-extension", "note", ["étendu", "QN06008I"]),
        ("revenu-median-pas-de-niveau-commune", "note", []),
    ],
)
def test_the_inconsistency_list_is_the_contracts(ds, item_id, kind, quotes):
    item = next(i for i in ds.inconsistencies.items if i.id == item_id)
    assert item.kind == kind
    said = item.summary + " ".join(str(v.value) + v.where for v in item.versions)
    for q in quotes:
        assert q in said, (item_id, q)
    assert "dans les lectures des quartiers" not in item.summary  # the dashboard's own paraphrase is not quoted


def test_cf_annexe_4_is_located_where_the_contract_prints_it(ds):
    item = next(i for i in ds.inconsistencies.items if i.id == "acteurs-annexe-3-ou-4")
    assert item.versions[0].where.startswith("Emploi – Les ressources/ les avancées")


def test_notes_and_questions_are_labelled_as_such(ds):
    from ui import wording as w

    note = next(i for i in ds.inconsistencies.items if i.id == "la-victoire-code-extension")
    assert w.inconsistency_text(note).startswith("Précision : Périmètre de La Victoire")
    text_ = page("pages/sources.py")
    assert "Précision — Périmètre de La Victoire" in text_ and "Question ouverte — NPNRU, Maréchaux sud" in text_


# --- every quotation of the inconsistency list is the contract's, verbatim ---------------------------
CONTRACT = Path(__file__).resolve().parents[1] / "qpv_data" / "contrat" / "contrat-de-ville-arc-quartiers-2030.txt"


def _norm(s: str) -> str:
    """One space for any run of blanks; none inside the guillemets (the contract spaces them unevenly)."""
    s = " ".join(s.replace("\u00a0", " ").replace("\u202f", " ").split())
    return s.replace("« ", "«").replace(" »", "»")


@pytest.fixture(scope="module")
def contract() -> str:
    if not CONTRACT.exists():
        pytest.fail(f"texte du contrat introuvable : {CONTRACT} (tools/extract_framework.py lit le même fichier)")
    # the text export marks bold with ** and italics with <i>: what a reader sees is the words
    return _norm(re.sub(r"</?i>", "", CONTRACT.read_text(encoding="utf-8")).replace("**", ""))


def quotations(s: str) -> list[str]:
    """The outermost « … » of a text (a quotation may hold a quoted title)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch == "«":
            depth += 1
            if depth == 1:
                start = i + 1
        elif ch == "»" and depth:
            depth -= 1
            if depth == 0:
                out.append(s[start:i])
    return [q for q in (_norm(q) for q in out) if q]


def test_every_located_quotation_is_verbatim_in_the_contract(ds, contract):
    """Where an entry says « … » is printed, it is printed: every quotation of every `where`."""
    missing = [
        (item.id, q) for item in ds.inconsistencies.items for v in item.versions for q in quotations(v.where) if q not in contract
    ]
    assert not missing


@pytest.mark.parametrize(
    "item_id,kind,quotes",
    [
        (
            "neet-plus-d-un-tiers",
            "question",
            ["qui représentent plus d'un tiers des jeunes des QPV", "NEETs (2020-2021)", "31,9%"],
        ),
        (
            "neet-definition",
            "question",
            [
                "Taux des 16-25 ans non scolarisés et sans emploi",
                "Le niveau de jeunes ni scolarisés, ni en formation, ni en emploi (NEET)",
                "des jeunes hors système scolaire, sans emploi, ni formation",
            ],
        ),
        ("annexe-1-clos-des-roses-3-ex-aequo", "contradiction", ["Bien habiter dans mon quartier", "3 (ex æquo)"]),
        (
            "rsa-stabilisation-ou-croissance",
            "question",
            [
                "Une stabilisation du nombre de bénéficiaires du RSA",
                "Le nombre d'allocataires RSA a légèrement diminué entre 2015 et 2019 dans le quartier (-5)",
                "croissance du taux de pauvreté et du nombre de BRSA",
                "Le nombre d'allocataires RSA a légèrement augmenté entre 2015 et 2019 dans le quartier (+2)",
            ],
        ),
        (
            "maison-des-parents-ou-des-familles",
            "question",
            [
                "2.1 Renforcer la Maison des Parents et l'axe Famille du Centre social",
                "fréquenté au moins une fois la Maison des familles",
            ],
        ),
        ("urgences-medecin-oise", "question", ["Urgence Médicale Oise", "Urgences Médecin Oise (installé en 2023)"]),
        ("pole-emploi-france-travail", "note", ["Pôle Emploi", "France Travail"]),
        (
            "bailleur-picardie-habitat-clesence",
            "question",
            ["Bailleurs sociaux (OPAC de l'Oise, Picardie Habitat)", "bailleurs sociaux (OPAC, Clésence)"],
        ),
    ],
)
def test_new_entries_quote_the_contract(ds, contract, item_id, kind, quotes):
    """Each entry found on a second full reading: its kind, its quotations as the entry gives them
    (summary or versions) and as the contract prints them; every « … » of its summary is printed too."""
    item = next(i for i in ds.inconsistencies.items if i.id == item_id)
    assert item.kind == kind
    said = _norm(item.summary + " " + " ".join(f"{v.value} {v.where}" for v in item.versions))
    for q in quotes:
        assert _norm(q) in said, (item_id, q)
        assert _norm(q) in contract, (item_id, q)
    assert [q for q in quotations(item.summary) if q not in contract] == []
    assert len(item.versions) >= 2


def test_the_contracts_numbers_behind_the_new_entries(ds):
    """The figures the entries argue from are the data's: La Victoire under a third, the Clos des Roses
    column of Annexe 1 without another rank 3, the RSA's -1,8 % and +0,8 %."""
    assert model.evolution(ds, "la-victoire", "neet_rate", "2017-2018", "2020-2021").end.value == 31.9
    assert ds.figure("la-victoire", "neet_rate", "2020-2021").value < 100 / 3
    ranks = [t.ranks["clos-des-roses"] for t in ds.residents.themes]
    assert [r.rank for r in ranks if r.rank == 3] == [3] and next(r for r in ranks if r.rank == 3).tie
    cdr = model.evolution(ds, "clos-des-roses", "rsa_recipients", "2015", "2019")
    vic = model.evolution(ds, "la-victoire", "rsa_recipients", "2015", "2019")
    assert (cdr.change, round(cdr.change_pct, 1), vic.change, round(vic.change_pct, 1)) == (-5, -1.8, 2, 0.8)


# --- stability is what the contract calls it -------------------------------------------------------
def test_rsa_within_two_percent_is_stable_as_the_contract_says(ds):
    """« Une stabilisation du nombre de bénéficiaires du RSA » (276 → 271, -1,8 %): stable, not an
    improvement; the band is the catalogue's, quoting the contract; a larger change is still judged."""
    band = ds.catalogue["rsa_recipients"].stable_within
    assert band.percent == 2 and band.points is None and "« Une stabilisation du nombre de bénéficiaires du RSA »" in band.why
    assert "Une stabilisation du nombre de bénéficiaires du RSA" in ds.readings.quartiers["clos-des-roses"].findings
    verdicts = {
        q: model.evolution(ds, q, "rsa_recipients", "2015", "2019") for q in ("clos-des-roses", "la-victoire", "vivier-corax")
    }
    assert {q: (e.change, e.verdict, e.direction) for q, e in verdicts.items()} == {
        "clos-des-roses": (-5, model.STABLE, model.DOWN),  # the direction stays what it is: a fall of 5
        "la-victoire": (2, model.STABLE, model.UP),
        "vivier-corax": (-15, model.IMPROVEMENT, model.DOWN),  # -6,8 %
    }
    # no other indicator has a band: the contract names a direction for every other small change
    assert [i for i, ind in ds.catalogue.items() if ind.stable_within] == ["rsa_recipients"]
    assert model.evolution(ds, "la-victoire", "single_parent_recipients", "2015", "2019").verdict == model.IMPROVEMENT


def test_the_band_rule():
    from data.schemas import StableWithin

    pct, pts = StableWithin(percent=2.0, why="x"), StableWithin(points=0.5, why="x")
    assert model.judge(-5, False, 276, pct) == model.STABLE
    assert model.judge(-6, False, 276, pct) == model.IMPROVEMENT  # 2,2 %
    assert model.judge(6, False, 276, pct) == model.DETERIORATION
    assert model.judge(-0.5, False, 20.0, pts) == model.STABLE and model.judge(-0.6, False, 20.0, pts) == model.IMPROVEMENT
    assert model.judge(1, True, 0, pct) == model.IMPROVEMENT  # no share of zero
    assert model.judge(-5, False, 276) == model.IMPROVEMENT  # no band: any change is judged
    assert model.judge(None, False, 276, pct) == model.UNAVAILABLE


def test_every_view_says_stable(ds):
    from ui.sentences import card_sentence

    card = next(c for c in model.fiche(ds, "clos-des-roses").cards if c.label == "Allocataires RSA")
    assert card_sentence(ds, "clos-des-roses", card).text == (
        "Entre 2015 et 2019, le nombre d'allocataires RSA du Clos des Roses est passé de 276 à 271 (-5, soit -1,8 %), "
        "une stabilisation."
    )
    assert "Évolution depuis 2015 : -5 (-1,8 %) (stable)" in w.card_text(ds, card).all_text()
    fiche_text = page("pages/fiche.py", {"q": "clos-des-roses"})
    assert "(-5, soit -1,8 %), une stabilisation." in fiche_text and "-5 (-1,8 %) (stable)" in fiche_text
    assert "271 (-5, soit -1,8 %), une amélioration" not in fiche_text
    # the home page's synthesis grid: the fall is a fall, the verdict « stable »
    home = page("pages/accueil.py")
    assert re.search(
        r"Allocataires RSA Période : 2015 – 2019 ▼ baisse -15 amélioration ▼ baisse -5 stable ▲ hausse \+2 stable", home
    )
    # the grid's reading note says which change is « stable », and the contract's words for it
    assert (
        "« Stable » : une variation d'au plus 2 % de la valeur de départ (Allocataires du RSA). Le contrat appelle "
        "« Une stabilisation du nombre de bénéficiaires du RSA » la baisse de 276 à 271 allocataires au Clos des Roses (-1,8 %)."
    ) in home


def test_under_three_classes_source_names_the_objectives_that_print_it(ds):
    """« 3 classes avec la scolarisation des moins de 3 ans » is a dispositif of objectives 1.1 and 1.2
    (not 2.1): the figure's source line names the objectives whose lists print it."""
    printed = [
        ob.id
        for o in ds.framework.orientations
        for ob in o.objectives
        if "3 classes avec la scolarisation des moins de 3 ans." in ob.dispositifs
    ]
    assert printed == ["1.1", "1.2"]
    f = ds.figure("compiegne", "under_three_classes", "")
    assert f.contract_ref == "Éducation – dispositifs des objectifs 1.1 et 1.2"
    assert w.source_line(f).endswith("contrat : Éducation – dispositifs des objectifs 1.1 et 1.2")


# --- the référentiel read as printed (issue 19) --------------------------------------------------------
# (indicators, evaluative questions) of each objective in the contract's « Référentiel d'évaluation »
# tables: the indicators of the axes the contract links to the objective, its questions. A stem
# paragraph followed by bullets is no indicator: its bullets are; breakdown bullets (« Par tranche
# d'âge », « Par sexe ») stay in their indicator; time hints (« N, N+1, N+2, N+3... », « Entre 2025
# et 2028 - 2028 et 2030 », « Comparatif période N - N+3 ; N+3 -N+5 ») are notes of the row.
REFERENTIEL_COUNTS = {
    "1.1": (3, 1),
    "1.2": (4, 2),  # « Entre 2025 et 2028 - 2028 et 2030 » qualifies the first question, it is none
    "1.3": (1, 0),
    "2.1": (2, 1),
    "2.2": (0, 1),
    "3.1": (6, 1),  # two rows: « Optimiser la coordination des acteurs » (2) and « Réduire les phénomènes… » (4)
    "3.2": (1, 2),
    "3.3": (1, 2),  # printed in orientation 1's table
    "4.1": (1, 1),
    "4.2": (1, 0),
    "4.3": (0, 1),
    "5.1": (3, 1),
    "5.2": (1, 1),
    "5.3": (1, 0),
    "5.4": (2, 3),
    "5.5": (1, 1),
    "5.6": (0, 2),
    "6.1": (2, 1),
    "6.2": (2, 0),
    "6.3": (1, 0),
    "7.1": (2, 1),
    "7.2": (3, 0),
    "7.3": (0, 0),
    "7.4": (3, 0),
    "8.1": (2, 1),
    "8.2": (0, 1),
    "8.3": (2, 0),
    "9.1": (2, 1),  # one question whose three bullets are the determinants it asks about
    "9.2": (0, 2),
    "9.3": (3, 0),
    "9.4": (2, 1),
    "10.1": (2, 2),
    "10.2": (2, 0),
    "10.3": (1, 0),
}
# « Indicateurs de suivi et/ou question évaluative pour l'orientation stratégique / l'objectif général »
GENERAL_COUNTS = {1: (3, 0), 2: (0, 1), 3: (0, 4), 4: (0, 3), 5: (0, 1), 6: (0, 2), 7: (3, 1), 8: (3, 2), 9: (0, 3), 10: (0, 1)}


def test_referentiel_counts_are_the_contracts(ds):
    from data.progress import FOLLOW_YEARS, progress

    fw = ds.framework
    counts: dict[str, list[int]] = {ob.id: [0, 0] for o in fw.orientations for ob in o.objectives}
    for o in fw.orientations:
        for ax in o.referentiel.axes:
            counts[ax.objective_ref][0] += len(ax.indicators)
            counts[ax.objective_ref][1] += len(ax.questions)
    assert {k: tuple(v) for k, v in counts.items()} == REFERENTIEL_COUNTS
    general = {o.number: (len(o.referentiel.general.indicators), len(o.referentiel.general.questions)) for o in fw.orientations}
    assert general == GENERAL_COUNTS
    # the completeness denominators of /avancement and the fiche follow: every year expects exactly
    # the objective's indicators (7.3 expects none), an orientation its objectives' and its own
    for o in progress(fw, [], "clos-des-roses"):
        for ob in o.objectives:
            assert [c.expected for c in ob.completeness] == [REFERENTIEL_COUNTS[ob.id][0]] * len(FOLLOW_YEARS), ob.id
            assert all(c.with_value == 0 for c in ob.completeness)
        own = sum(REFERENTIEL_COUNTS[ob.id][0] for ob in o.objectives) + GENERAL_COUNTS[o.number][0]
        assert o.completeness[0].expected == own, o.number
    assert sum(n for n, _ in REFERENTIEL_COUNTS.values()) + sum(n for n, _ in GENERAL_COUNTS.values()) == 66


def _axis(ds, objective: str, starts: str = ""):
    return next(
        ax
        for o in ds.framework.orientations
        for ax in o.referentiel.axes
        if ax.objective_ref == objective and ax.axis.startswith(starts)
    )


def test_referentiel_9_3_has_the_three_bulleted_indicators(ds):
    # Contract, orientation 9, « Conforter une offre de service diversifiées et de proximité » (a page
    # break moved the last two bullets into the questions column of the conversion):
    # « Commerces et services publics
    #   • nombre de disparition / nombre de création de nouveaux commerces sur les QPV
    #   • nombre de disparition d'activités de service / nombre de création de services privés dans les QPV
    #     (Petite enfance, cabinets paramédicaux, services bancaires...)
    #   • nombre de disparition / nombre de création de nouveaux services publics de proximité au sein des QPV.
    #   Comparatif période N - N+3 ; N+3 -N+5
    #   Source : Observation de terrain, CCI »
    ax = _axis(ds, "9.3")
    assert [i.text for i in ax.indicators] == [
        "nombre de disparition / nombre de création de nouveaux commerces sur les QPV",
        "nombre de disparition d'activités de service / nombre de création de services privés dans les QPV (Petite enfance, "
        "cabinets paramédicaux, services bancaires...)",
        "nombre de disparition / nombre de création de nouveaux services publics de proximité au sein des QPV.",
    ]
    assert {i.lead for i in ax.indicators} == {"Commerces et services publics"}
    assert [i.key for i in ax.indicators] == ["os9-axe3-2", "os9-axe3-3", "os9-axe3-4"]
    assert ax.questions == [] and ax.notes == ["Comparatif période N - N+3 ; N+3 -N+5"]
    assert ax.sources == ["Source : Observation de terrain, CCI"]


def test_referentiel_3_1_counts_each_bullet_not_the_stem(ds):
    # Contract, orientation 3, « Réduire les phénomènes des délinquances et les problèmes de tranquillité
    # publique en assurant une présence de proximité »:
    # « Évolution du nombre de professionnels en proximité en mesure de prévenir, d'alerter, de sensibiliser
    #   les habitants sur :
    #   • Des actes d'incivilité
    #   • Des actes de délinquance dans les espaces publics
    #   Evolution du nombre de professionnels en proximité en mesure d'intervenir pour faire cesser des actes
    #   de délinquances au sein des QPV
    #   Evolution du nombre de professionnels par habitants en année N , N+1 N+2, N+3. »
    stem = (
        "Évolution du nombre de professionnels en proximité en mesure de prévenir, d'alerter, de sensibiliser les habitants sur :"
    )
    ax = _axis(ds, "3.1", "Réduire les phénomènes")
    assert [(i.lead, i.text) for i in ax.indicators] == [
        (stem, "Des actes d'incivilité"),
        (stem, "Des actes de délinquance dans les espaces publics"),
        (
            "",
            "Evolution du nombre de professionnels en proximité en mesure d'intervenir pour faire cesser des actes de délinquances au sein des QPV",
        ),
        ("", "Evolution du nombre de professionnels par habitants en année N , N+1 N+2, N+3."),
    ]
    assert ax.indicators[0].label == f"{stem} • Des actes d'incivilité"


def test_referentiel_7_2_three_bullets_and_7_3_a_source_only(ds):
    # Contract, orientation 7, « Poursuivre l'accompagnement sur la levée des freins périphériques notamment
    # au niveau de la mobilité »:
    # « Évolution du nombre de personnes en difficulté pour accéder à l'emploi dans les QPV bénéficiant d'un
    #   accompagnement personnalisé par un acteur/opérateur du service public de l'emploi, en particuliers :
    #   • Jeunes non diplômés, (part des jeunes des QPV / total de jeunes accompagnés sur Compiègne).
    #   • Parent d'une famille monoparentale en situation de chômage (Part des parents seuls des QPV / Part
    #     total des parents seuls accompagnés).
    #   • Demandeur d'emploi de longue durée. (Part des DELD QPV / Part total DELD° »
    # and the next row, « Renforcer l'accompagnement individualisé sur la levée des freins périphériques dans
    # une logique de parcours, avec un suivi personnalisé », prints « Source : France Travail » and nothing else.
    ax = _axis(ds, "7.2")
    assert [i.text.split(" ")[0] for i in ax.indicators] == ["Jeunes", "Parent", "Demandeur"]
    assert all(i.lead.endswith("en particuliers :") for i in ax.indicators)
    assert ax.indicators[2].text == "Demandeur d'emploi de longue durée. (Part des DELD QPV / Part total DELD°"  # as printed
    ax73 = _axis(ds, "7.3")
    assert ax73.indicators == [] and ax73.questions == [] and ax73.sources == ["Source : France Travail"]
    from data.progress import progress

    o7 = next(o for o in progress(ds.framework, [], "echarde") if o.number == 7)
    ob73 = next(ob for ob in o7.objectives if ob.id == "7.3")
    assert ob73.indicators == [] and all(c.share is None for c in ob73.completeness)  # no « 0 % » of nothing


def test_referentiel_breakdowns_notes_and_question_bullets(ds):
    # « Progression de N, N+1, N+2, N+3+N+4 du nombre d'enfants jeunes issus des QPV ayant une licence sportive
    #   • Par tranche d'âge • Par sexe »: one indicator, broken down
    ax13 = _axis(ds, "1.3")
    assert len(ax13.indicators) == 1 and ax13.indicators[0].bullets == ["Par tranche d'âge", "Par sexe"]
    assert _axis(ds, "1.1").notes == ["(décomposition primaire, collège, lycée pour les 3 indicateurs de suivi)"]
    assert _axis(ds, "2.1").notes == ["N, N+1, N+2, N+3..."]
    assert _axis(ds, "6.1").notes == ["Année N à année N+5."]
    assert _axis(ds, "1.2").notes == ["Entre 2025 et 2028 - 2028 et 2030"]
    # « … considèrent-ils que les opérations de renouvellement urbain ont amélioré les déterminants d'un cadre
    #   de vie agréable : • La situation, en termes de tranquillité publique • L'état des logements, • Les
    #   équipements publics destinés aux habitants »: one question
    (q,) = _axis(ds, "9.1").questions
    assert q.text.endswith("les déterminants d'un cadre de vie agréable :")
    assert q.bullets == [
        "La situation, en termes de tranquillité publique",
        "L'état des logements,",
        "Les équipements publics destinés aux habitants",
    ]
    # the 3.3 row printed in orientation 1's table: its source is a source, not part of the indicator
    ax33 = _axis(ds, "3.3")
    assert not any("Sources" in i.text for i in ax33.indicators)
    assert ax33.sources == ["Sources : bilans d'activité de l'éventuel service de prévention spécialisée"]


def test_referentiel_page_prints_a_stem_once_with_its_bullets():
    text_ = page("pages/referentiel.py", {"orientation": "9"})
    assert text_.count("Commerces et services publics") == 1
    for bullet in (
        "nouveaux commerces sur les QPV",
        "création de services privés dans les QPV",
        "services publics de proximité au sein des QPV",
    ):
        assert bullet in text_
    assert "Comparatif période N - N+3 ; N+3 -N+5" in text_
    assert "L'état des logements," in text_


def test_the_population_row_shows_what_its_title_says():
    """« Population en QPV (% commune) »: each cell gives the change of the population AND of the
    quartier's share of the commune, as the contract's tables print both (« 3 059 (7,6%) 3 490 (8,6%) »);
    the reference's change says where it comes from in words (not « +112 données »)."""
    home = page("pages/accueil.py")
    assert "▲ hausse +431 sans jugement plus forte part de la commune : 7,57 % en 2013, 8,61 % en 2018 (+1,04 point)" in home
    assert "▼ baisse -25 sans jugement moins forte part de la commune : 6,60 % en 2013, 6,52 % en 2018 (-0,08 point)" in home
    assert "Compiègne : +112 calculé à partir des chiffres du contrat" in home
    assert "+112 données" not in home
