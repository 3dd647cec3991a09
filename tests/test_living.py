"""The living diagnostic: the contract's series go on with validated points (data/series.py), on
both databases; the contract's own figures never change; no evolution, verdict or line across a
change of perimeter; every view (card, sentence, chart, CSV, slide, PDF, pages) renders the same
records; ?etat=contrat shows the contract as printed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from streamlit.testing.v1 import AppTest

from data import db, model
from data.accounts import Accounts
from data.dataset import load_dataset
from data.series import OFFICIAL, TEAM, SeriesStore
from data.validation import VALIDATED, WITHDRAWN, decide
from ui import wording as w
from ui.charts import chart_spec
from ui.sentences import fiche_sentences

from .test_followup import PASSWORD, fresh_url
from .test_pages import APP, page_text

INSEE = "Insee, Filosofi 2021, quartiers 2024 (valeur d'essai)"


@pytest.fixture(scope="module")
def ds():
    return load_dataset()


def point(territory="la-victoire", period="2021", perimeter="QPV 2024", value="11230", indicator="median_declared_income"):
    return {
        "indicator": indicator,
        "territory": territory,
        "period": period,
        "perimeter": perimeter,
        "value": None if value is None else Decimal(value),
        "decimals": len(value.split(".")[1]) if value and "." in value else 0,
        "unit": "euros",
        "source": INSEE,
    }


@pytest.fixture(params=["sqlite", "postgresql"])
def setup(request, tmp_path):
    url = fresh_url(request.param, tmp_path)
    engine = db.make_engine(url)
    accounts = Accounts(engine)
    admin = accounts.add("admin", "administrateur", PASSWORD)
    return SeriesStore(engine), accounts, admin


def living(ds, store):
    return ds.living(store.in_force(published=True), store.indicators())


def card_of(ds, territory, indicator):
    return next(c for c in model.fiche(ds, territory).cards if c.figure.indicator == indicator)


def test_propose_is_not_public_validate_is_everywhere_withdraw_takes_it_back(setup, ds):
    store, accounts, admin = setup
    written = store.write([point()], OFFICIAL, "admin", batch="essai").written
    assert [p.status for p in written] == ["proposee"]
    card = card_of(living(ds, store), "la-victoire", "median_declared_income")
    assert card.update is None and w.card_text(ds, card).value == "11 330 €"  # proposed: not public

    decide(store.engine, accounts, admin, [written[0].id], VALIDATED, kind="serie")
    lv = living(ds, store)
    card = card_of(lv, "la-victoire", "median_declared_income")
    text = w.card_text(lv, card)
    assert (text.value, text.period) == ("11 230 €", "2021")
    lines = [ln.text for ln in text.lines]
    assert lines[0] == ("Valeur du contrat : 11 330 € en 2020 (périmètre QPV 2015 ; contrat : Analyse statistique – La Victoire)")
    assert lines[1] == ("Pas de comparaison : périmètre QPV 2015 en 2020, QPV 2024 en 2021 (les contours ont changé).")
    assert "Dans le contrat, de 2015 à 2020 : +518 € (amélioration)" in lines
    assert text.source == f"Source : {INSEE} · période : 2021 · périmètre : QPV 2024 · source officielle importée, validée"

    decide(store.engine, accounts, admin, [written[0].id], WITHDRAWN, "erreur de colonne", kind="serie")
    card = card_of(living(ds, store), "la-victoire", "median_declared_income")
    assert card.update is None and [p.status for p in store.points()] == ["retiree"]  # nothing deleted


def test_the_sentence_says_there_is_no_comparison_across_perimeters(ds):
    lv = ds.living([_point(1, point())])
    sentences = [s.text for s in fiche_sentences(lv, model.fiche(lv, "la-victoire"))]
    assert sentences[0] == (
        "En 2021, sur le périmètre QPV 2024, la médiane des revenus déclarés de La Victoire est de 11 230 € ; "
        "la série du contrat s'arrête en 2020 sur le périmètre QPV 2015 : pas de comparaison."
    )
    assert not any(word in sentences[0] for word in ("amélioration", "dégradation", "+", "-100"))


def test_no_evolution_nor_verdict_across_a_change_of_perimeter(ds):
    lv = ds.living([_point(1, point())])
    a = lv.figure("la-victoire", "median_declared_income", "2020")
    b = lv.at("la-victoire", "median_declared_income", "2021")
    ev = model.evolution_between(lv, a, b)
    assert (ev.change, ev.verdict, ev.missing_reason) == (None, model.UNAVAILABLE, model.PERIMETER_BREAK)
    assert model.evolution(lv, "la-victoire", "median_declared_income", "2015", "2021").change is None


def test_on_the_same_perimeter_the_change_since_the_contract_is_given(ds):
    """Compiègne (commune) is the same perimeter before and after: the change is computed."""
    row = dict(point("compiegne", "2021", "commune", "40700", indicator="population"), unit="nombre")
    lv = ds.living([_point(1, row)])
    c = ds.figure("compiegne", "population", "2018")
    assert (c.perimeter, c.value) == ("commune", 40542)
    ev = model.evolution_between(lv, c, lv.at("compiegne", "population", "2021"))
    assert ev.available and ev.change == 158 and ev.missing_reason == ""


def test_a_secret_value_stays_missing_never_zero(ds):
    lv = ds.living([_point(1, point(value=None))])
    card = card_of(lv, "la-victoire", "median_declared_income")
    text = w.card_text(lv, card)
    assert text.value == "non disponible" and text.missing
    assert "0 €" not in text.value and lv.at("la-victoire", "median_declared_income", "2021").value is None


def test_the_contract_figures_stay_exactly_as_printed(ds):
    lv = ds.living([_point(1, point()), _point(2, point("la-victoire", "2020", "QPV 2024", "99999"))])
    for t in ds.territory_ids:
        for i in ds.catalogue:
            before = ds.series(t, i)
            after = [f for f in lv.series(t, i) if f.from_contract]
            assert before == after, (t, i)
    # a point never replaces a contract figure of the same period: the contract's is returned
    assert lv.figure("la-victoire", "median_declared_income", "2020").value == 11330
    assert lv.at("la-victoire", "median_declared_income", "2020").value == 11330


def test_a_point_never_fills_a_slot_the_contract_left_empty(ds):
    """The home grid's « <N/A> » for all the QPV, a stated change, a card's gap, the comparison:
    the contract's readings use the contract's figures only, whatever points exist."""
    rows = [
        point("ensemble-qpv", "2015", "QPV 2015", "10000"),
        point("ensemble-qpv", "2020", "QPV 2015", "10900"),
    ]
    lv = ds.living([_point(i, r) for i, r in enumerate(rows, start=1)])
    line = next(x for x in model.synthesis(lv) if x.indicator == "median_declared_income")
    before = next(x for x in model.synthesis(ds) if x.indicator == "median_declared_income")
    assert [(c.column, c.evolution.change, c.comparison) for c in line.cells] == [
        (c.column, c.evolution.change, c.comparison) for c in before.cells
    ]
    assert lv.figure("ensemble-qpv", "median_declared_income", "2015").status == "absent"
    assert model.comparison(lv, "la-victoire") == model.comparison(ds, "la-victoire")


def test_a_point_on_a_period_the_contract_gives_is_refused(ds):
    from data.followup import FollowupError
    from data.series import check_point

    with pytest.raises(FollowupError, match="le contrat donne déjà une valeur \\(QPV 2015\\) pour La Victoire en 2020"):
        check_point(
            ds,
            indicator="median_declared_income",
            territory="la-victoire",
            period="2020",
            perimeter="qpv-2015",
            value_text="11 400",
            source="Insee",
            author="marie",
        )
    with pytest.raises(FollowupError, match="ne se mesure pas sur le périmètre « commune »"):
        check_point(
            ds,
            indicator="median_declared_income",
            territory="la-victoire",
            period="2021",
            perimeter="commune",
            value_text="11 400",
            source="Insee",
            author="marie",
        )


def test_the_chart_draws_two_segments_and_says_the_break(ds):
    lv = ds.living([_point(1, point())])
    spec = chart_spec(lv, "series", "median_declared_income", ("clos-des-roses", "la-victoire"), "Médiane")
    line = spec["layer"][0]
    assert line["mark"]["type"] == "line" and line["encoding"]["detail"]["field"] == "segment"
    assert any(layer["mark"]["type"] == "rule" for layer in spec["layer"])
    assert "Rupture de série (changement de périmètre) : QPV 2015 → QPV 2024 entre 2020 et 2021" in spec["description"]
    contract = chart_spec(ds, "series", "median_declared_income", ("clos-des-roses", "la-victoire"), "Médiane")
    assert "Rupture" not in contract["description"] and len(contract["layer"]) == 2


def test_the_csv_export_carries_origin_perimeter_and_status(ds):
    from ui.exports import figures_csv

    lv = ds.living([_point(1, point())])
    rows = list(csv.reader(io.StringIO(figures_csv(lv, model.all_figures(lv, "la-victoire")).decode("utf-8-sig")), delimiter=";"))
    header = rows[0]
    for col in ("origine", "publication", "périmètre"):
        assert col in header, header
    new = [r for r in rows if "11230" in r]
    assert len(new) == 1
    row = dict(zip(header, new[0], strict=True))
    assert (row["origine"], row["publication"], row["périmètre"]) == ("source officielle importée", "validée", "QPV 2024")
    assert {dict(zip(header, r, strict=True))["publication"] for r in rows[1:] if r is not new[0]} == {"imprimé dans le contrat"}


def test_slides_and_pdf_show_the_same_latest_value(ds):
    from ui.pdf import fiche_pdf
    from ui.slides import build

    lv = ds.living([_point(1, point())])
    slides = build(lv, lambda *a: {})
    slide = next(s for s in slides if s.territory == "la-victoire")
    assert any(f.value == "11 230 €" and "2021" in f.label for f in slide.figures)
    assert any("pas de comparaison" in s.text for s in slide.sentences)
    pdf = fiche_pdf(lv, model.fiche(lv, "la-victoire"))
    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\u202f", " ").replace("\xa0", " ")
    assert "11 230 €" in text and "Valeur du contrat : 11 330 €" in text


def _point(i, row, origin=OFFICIAL, status=VALIDATED):
    from data.series import Point

    return Point(
        id=i,
        origin=origin,
        batch="essai",
        comment="",
        author="admin",
        recorded_at="2026-12-01T00:00:00+00:00",
        status=status,
        **row,
    )


# --- the pages ----------------------------------------------------------------------------------


def test_pages_show_the_published_point_and_etat_contrat_the_contract(tmp_path, monkeypatch):
    url = fresh_url("sqlite", tmp_path)
    monkeypatch.setenv("QUARTIERS_DB_URL", url)
    engine = db.make_engine(url)
    accounts = Accounts(engine)
    admin = accounts.add("admin", "administrateur", PASSWORD)
    store = SeriesStore(engine)
    ids = [p.id for p in store.write([point(value="11230")], TEAM, "marie").written]

    def fiche(query):
        at = AppTest.from_file(APP, default_timeout=60)
        for k, v in query.items():
            at.query_params[k] = v
        at.run()
        at.switch_page("pages/fiche.py").run()
        assert not at.exception, [e.value for e in at.exception]
        return page_text(at)

    assert "11 230 €" not in fiche({"q": "la-victoire"})  # proposed: not on any public view
    decide(engine, accounts, admin, ids, VALIDATED, kind="serie")
    import ui.cached

    ui.cached.published_changed()
    shown = fiche({"q": "la-victoire"})
    assert "11 230 €" in shown and "Valeur du contrat : 11 330 € en 2020" in shown
    assert "la série du contrat s&#x27;arrête en 2020" in shown or "la série du contrat s'arrête en 2020" in shown
    printed = fiche({"q": "la-victoire", "etat": "contrat"})
    assert "11 230 €" not in printed and "11 330 €" in printed
    assert "le contrat tel qu'imprimé" in printed
    home = AppTest.from_file(APP, default_timeout=60)
    home.query_params["etat"] = "<b>x</b>"
    home.run()
    said = " ".join(x.value for x in home.warning)
    assert "Le paramètre « etat » de l'adresse n'a pas une valeur connue" in said and "<b>x</b>" not in said


def test_the_map_opens_on_each_quartiers_latest_value_with_period_and_perimeter(ds):
    lv = ds.living([_point(1, point())])
    assert model.has_points(lv, "median_declared_income") and not model.has_points(ds, "median_declared_income")
    layer = model.map_layer(lv, "median_declared_income", model.LATEST)
    by = {f.territory: f.figure for f in layer.features}
    assert (by["la-victoire"].value, by["la-victoire"].period, by["la-victoire"].perimeter) == (11230, "2021", "QPV 2024")
    assert (by["clos-des-roses"].period, by["clos-des-roses"].perimeter) == ("2020", "QPV 2015")  # its own latest
    # the contract's period still shows the contract's figure
    assert {f.territory: f.figure.value for f in model.map_layer(lv, "median_declared_income", "2020").features}[
        "la-victoire"
    ] == 11330


def test_the_home_synthesis_says_what_came_since_without_comparing_perimeters(ds):
    lv = ds.living([_point(1, point())])
    line = next(x for x in model.synthesis(lv) if x.indicator == "median_declared_income")
    cell = next(c for c in line.cells if c.column == "la-victoire")
    assert w.since_text(cell.update) == (
        "Depuis : 11 230 € en 2021 (périmètre QPV 2024) ; pas de comparaison avec 2020 (QPV 2015)"
    )
    assert cell.evolution.change == 518  # the contract's own line is unchanged
    assert all(c.update is None for x in model.synthesis(ds) for c in x.cells)


def test_a_referentiel_indicator_and_its_catalogue_series_share_one_value(ds):
    """« Évolution de la part des NEETs sur les QPV » (orientations 7 and 8) IS the NEET rate series:
    a 2025 point of the series is the référentiel's 2025 value, over a value typed for that year."""
    from data.followup import Entry
    from data.links import shared_indicator
    from data.progress import progress

    row = dict(point("la-victoire", "2025", "QPV 2024", "27.5", indicator="neet_rate"), unit="pourcent")
    lv = ds.living([_point(7, row)])
    typed = Entry(1, "os7-ensemble-1", "NEET", 7, "la-victoire", 2025, Decimal("30"), "%", "saisie", "", "marie", "x", "validee")
    found = {
        i.key: i
        for o in progress(lv.framework, [typed], "la-victoire", ds=lv)
        for i in [*o.general_indicators, *(x for ob in o.objectives for x in ob.indicators)]
    }
    for key in ("os7-ensemble-1", "os8-ensemble-1"):
        assert shared_indicator(lv, found[key].label) == "neet_rate"
        e = found[key].by_year[2025]
        assert (e.value, e.id, e.source) == (Decimal("27.5"), 7, INSEE), key
    # approached links are never shared: « professionnels par habitants » ← 34 police officers (a count)
    police = next(i for i in found.values() if "professionnels par habitants" in i.label)
    assert shared_indicator(lv, police.label) is None


def test_the_team_extends_a_series_from_suivi_and_the_administrateur_publishes_it(tmp_path, monkeypatch):
    """A contributeur proposes La Victoire's 2023 NEET rate on the 2024 perimeter; refused input is
    said in French and loses nothing; the fiche shows it only once validated."""
    from .test_followup import open_suivi, sign_in, team_db

    team_db(tmp_path, monkeypatch, ("marie", "contributeur"), ("admin", "administrateur"))
    at = sign_in(open_suivi(), "marie")
    at.selectbox(key="serie_indicateur").select("neet_rate").run()
    at.selectbox(key="serie_territoire").select("la-victoire").run()
    assert "Dernière valeur publiée : 31,9 % en 2020-2021 (périmètre QPV 2015)." in _html(at)
    at.text_input(key="serie_millesime").input("2023")
    at.text_input(key="serie_valeur").input("127,5")
    at.text_input(key="serie_source").input("Mission locale, bilan 2023")
    next(b for b in at.button if b.label == "Proposer cette valeur").click().run()
    assert "Valeur non enregistrée – valeur : un taux est compris entre 0 et 100 % (saisi : 127,5)." in _html(at)
    assert at.text_input(key="serie_source").value == "Mission locale, bilan 2023"  # kept
    at.text_input(key="serie_valeur").input("27,5")
    next(b for b in at.button if b.label == "Proposer cette valeur").click().run()
    said = _html(at)
    assert "Proposé (n° S1) : 27,5 % pour « La Victoire », Taux de NEET" in said and "(périmètre QPV 2024)" in said
    assert "<td>S1</td>" in said and "<td>proposée</td>" in said and "<td>saisie de l&#x27;équipe</td>" in said
    store = SeriesStore(db.make_engine(__import__("os").environ["QUARTIERS_DB_URL"]))
    assert [(p.period, p.perimeter, str(p.value), p.origin) for p in store.pending()] == [("2023", "QPV 2024", "27.5", TEAM)]
    assert store.in_force() == []  # nothing public yet

    admin = sign_in(open_suivi(), "admin")
    admin.checkbox(key="valider_series_tous").check()
    next(b for b in admin.button if b.label == "Valider et publier les points").click().run()
    assert "1 point(s) de série validé(s) : ils sont publics." in _html(admin)
    fiche = AppTest.from_file(APP, default_timeout=60)
    fiche.query_params["q"] = "la-victoire"
    fiche.run()
    fiche.switch_page("pages/fiche.py").run()
    text = page_text(fiche)
    assert "27,5 %" in text and "Valeur du contrat : 31,9 % en 2020-2021 (périmètre QPV 2015" in text
    assert "En 2023, sur le périmètre QPV 2024, le taux de NEET (16-25 ans) de La Victoire est de 27,5 %" in text


def _html(at) -> str:
    return " ".join(e.proto.body for e in at.get("html"))


def test_an_indicator_an_import_introduced_is_shown_like_the_others(ds):
    from data.series import NewIndicator

    new = NewIndicator("declared_income_d1", "Premier décile des revenus déclarés", "euros", "Décile (Filosofi).", True)
    rows = [
        _point(i, dict(point(t, "2021", "QPV 2024", v, indicator="declared_income_d1")))
        for i, (t, v) in enumerate((("clos-des-roses", "5100"), ("la-victoire", "4870"), ("vivier-corax", "4950")), start=1)
    ] + [_point(9, dict(point("clos-des-roses", "2022", "QPV 2024", "5230", indicator="declared_income_d1")))]
    lv = ds.living(rows, [new])
    assert lv.catalogue["declared_income_d1"].label == "Premier décile des revenus déclarés"
    assert "declared_income_d1" in model.mappable_indicators(lv) and "declared_income_d1" in model.chartable_indicators(lv)
    layer = model.map_layer(lv, "declared_income_d1", model.LATEST)
    assert [w.value_text(f.figure) for f in layer.features][:3] == ["5 230 €", "4 870 €", "4 950 €"]
    assert "declared_income_d1" not in ds.catalogue  # the contract's catalogue is untouched


def test_a_points_internal_comment_never_reaches_the_public_csv(ds):
    from ui.exports import figures_csv

    p = _point(1, point())
    p = type(p)(**{**p.__dict__, "comment": "note interne : appeler la Mission locale"})
    lv = ds.living([p])
    assert "note interne" not in figures_csv(lv, model.all_figures(lv, "la-victoire")).decode("utf-8-sig")


def test_imported_text_is_shown_as_typed_never_as_markdown(tmp_path, monkeypatch):
    """An indicator an import introduced, with a label and a source that Markdown would turn into a
    link, an image or a colour: every header, caption and link label shows them as text."""
    from data.series import NewIndicator

    url = fresh_url("sqlite", tmp_path)
    monkeypatch.setenv("QUARTIERS_DB_URL", url)
    engine = db.make_engine(url)
    admin = Accounts(engine).add("admin", "administrateur", PASSWORD)
    evil = "Décile [piège](https://evil.example) ![](https://evil.example/p.png) :red[rouge] $x$"
    new = NewIndicator("piege_d1", evil, "euros", "Définition *grasse* `code`", True)
    rows = [
        dict(point(t, y, "QPV 2024", v, indicator="piege_d1"), source="[source](https://evil.example)")
        for t, y, v in (("clos-des-roses", "2021", "5100"), ("clos-des-roses", "2022", "5200"), ("la-victoire", "2021", "4900"))
    ]
    store = SeriesStore(engine)
    written = store.write(rows, OFFICIAL, "admin", indicators=[new]).written
    decide(engine, Accounts(engine), admin, [p.id for p in written], VALIDATED, kind="serie")
    import ui.cached

    ui.cached.published_changed()
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["ind"] = "piege_d1"
    at.run()
    at.switch_page("pages/evolutions.py").run()
    assert not at.exception
    markdown_read = [e.value for e in at.header] + [e.value for e in at.caption] + [e.label for e in at.expander]
    joined = " ".join(markdown_read)
    assert "Décile \\[piège\\](https://evil.example) !\\[\\](https://evil.example/p.png) :red\\[rouge\\] \\$x\\$" in joined
    assert "\\[source\\](https://evil.example)" in joined and "Définition \\*grasse\\* \\`code\\`" in joined
    assert "[piège](" not in joined.replace("\\[piège\\](", "")  # every occurrence escaped
