"""AppTest over every page (real content, no exception), then tests that drive the widgets
by key and assert on the figures a person reads."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from ui.registry import PAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def page_text(at: AppTest) -> str:
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.title]
    parts += [e.value for e in at.header] + [e.value for e in at.subheader] + [e.value for e in at.warning]
    parts += [e.value for e in at.info]
    parts += [e.proto.body for e in at.get("html") if "<style>" not in e.proto.body[:10]]
    for exp in at.expander:
        parts.append(exp.label)
    for t in at.table:
        parts.append(t.value.to_string())
    # a number's no-break span (ui.render.nobreak_html) is inline: the text reads through it
    return re.sub(r"<span class='q-nb'>([^<]*)</span>", r"\1", "\n".join(str(p) for p in parts))


def run_page(path: str, query: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(path).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("entry", PAGES, ids=[p.url_path or "accueil" for p in PAGES])
def test_every_registered_page_shows_real_content(entry):
    assert entry.expected, f"{entry.path} : la page doit déclarer ce qu'un lecteur y trouve"
    at = run_page(entry.path)
    text = page_text(at)
    for e in entry.expected:
        assert e in text, (entry.path, e)
    # a download never reruns the page: the click's rerun dropped a file produced at the click before
    # the browser's request for it was served (ui/frame.download)
    rerunning = [b.proto.label for b in at.get("download_button") if not b.proto.ignore_rerun]
    assert not rerunning, (entry.path, rerunning)


def test_page_files_are_named_after_their_address():
    """In Streamlit's « pages/ directory » mode (a fresh server's first request) a page's address
    comes from its file name: /emploi must be pages/emploi.py for a first visitor's deep link."""
    for p in PAGES:
        assert Path(p.path).stem == (p.url_path or "accueil"), p.path


def test_every_page_file_is_registered():
    files = {str(p.relative_to(Path(APP).parent)) for p in (Path(APP).parent / "pages").glob("*.py")}
    assert files == {p.path for p in PAGES}


def test_fiche_selector_shows_each_quartier_figures():
    at = run_page("pages/fiche.py")
    assert at.title[0].value == "Le Clos des Roses"
    text = page_text(at)
    assert "10 190 €" in text and "63,1 %" in text and "+734 €" in text
    at.selectbox(key="fiche_q").select("vivier-corax").run()
    assert at.title[0].value == "Vivier Corax"
    text = page_text(at)
    gap = "L&#x27;écart à Compiègne s&#x27;est creusé de 1 144 € entre 2015 et 2020 (énoncé du contrat)"  # HTML-escaped
    assert "9 470 €" in text and "64,5 %" in text and gap in text
    assert at.query_params["q"] == ["vivier-corax"] or at.query_params["q"] == "vivier-corax"


def test_fiche_offers_its_pdf():
    at = run_page("pages/fiche.py", {"q": "vivier-corax"})
    buttons = [b for b in at.get("download_button")]
    assert any("fiche (PDF)" in b.proto.label for b in buttons)
    assert all(b.proto.ignore_rerun for b in buttons), [b.proto.label for b in buttons]


def test_fiche_by_url_and_na_is_shown_as_missing():
    at = run_page("pages/fiche.py", {"q": "la-victoire"})
    assert at.title[0].value == "La Victoire"
    text = page_text(at)
    assert "11 330 €" in text
    # La Victoire's single-parent share is « <NA> » in the contract: shown as missing, never 0
    assert "valeur « NA » dans le contrat" in text
    assert "0,0 %" not in text and ">0 %<" not in text
    assert "QN06008I" in text and "Incohérence du contrat" in text


def test_fiche_unknown_quartier_in_url_is_rejected_in_french():
    at = run_page("pages/fiche.py", {"q": "vieux-compiegne"})
    assert "Le paramètre « q » de l'adresse n'a pas une valeur connue" in at.warning[0].value
    assert "vieux-compiegne" not in at.warning[0].value  # an address can carry anything: never echoed
    assert at.title[0].value == "Le Clos des Roses"


def test_poche_fiche():
    at = run_page("pages/fiche.py", {"q": "jean-moulin"})
    text = page_text(at)
    assert "16 983 €" in text and "169" in text and "160" in text
    assert "Poche de pauvreté (carreau INSEE de 200 m)" in text and "périmètre : carreau INSEE de 200 m" in text
    assert "CRS3035" not in text  # the grid id is internal (listed on /sources for the team)


def test_carte_indicator_and_period_selectors():
    at = run_page("pages/carte.py")
    at.selectbox(key="carte_ind").select("median_declared_income").run()
    text = page_text(at)
    assert "10 190 €" in text and "9 470 €" in text and "11 330 €" in text
    at.selectbox(key="carte_periode_median_declared_income").select("2015").run()
    text = page_text(at)
    assert "9 456 €" in text and "9 978 €" in text
    at.selectbox(key="carte_ind").select("mean_living_standard").run()
    text = page_text(at)
    assert "14 327 €" in text and "non disponible (le contrat ne donne pas cette valeur)" in text


def test_carte_map_is_built_offline():
    at = run_page("pages/carte.py")
    comps = [c for c in at.get("component_instance")]
    assert comps, "st_folium component missing"
    html = comps[0].proto.json_args
    assert "/app/static/vendor/leaflet/leaflet.js" in html
    assert "cdn.jsdelivr" not in html and "code.jquery" not in html and "unpkg" not in html
    assert "Margny" not in html
    at.toggle(key="carte_arc").set_value(True).run()
    html = [c for c in at.get("component_instance")][0].proto.json_args
    assert "Margny-l" in html and html.count("nom_cog_2026") >= 22  # the 22 ARC communes as context


def tables_of(at) -> str:
    """Every table a reader sees: st.table frames and the HTML tables (ui.render.frame_html)."""
    return "\n".join(t.value.to_string() for t in at.table) + "".join(
        h.proto.body for h in at.get("html") if "<table" in h.proto.body
    )


def test_evolutions_selectors():
    at = run_page("pages/evolutions.py")
    at.multiselect(key="evo_ind").set_value(["neet_rate", "job_seekers"]).run()
    text = page_text(at)
    assert "Taux de NEET (16-25 ans non scolarisés et sans emploi)" in text
    assert "Demandeurs d'emploi (2e trimestre)" in text
    tables = tables_of(at)
    assert "35,5 %" in tables and "1 604" in tables and "15,9 %" in tables
    at.multiselect(key="evo_q").set_value(["vivier-corax"]).run()
    at.toggle(key="evo_ref").set_value(False).run()
    tables = tables_of(at)
    assert "34,5 %" in tables and "15,9 %" not in tables and "42 %" not in tables


def test_evolutions_na_values_are_listed_not_zero():
    at = run_page("pages/evolutions.py", {"ind": "single_parent_share"})
    warnings = " ".join(w.value for w in at.warning)
    assert "jamais remplacée par 0" in warnings and "La Victoire – 2015" in warnings and "Clos des Roses – 2019" in warnings


def test_pillar_filter_by_quartier():
    at = run_page("pages/cadre-de-vie.py")
    at.selectbox(key="pilier_cadre-de-vie_q").select("vivier-corax").run()
    labels = [e.label for e in at.expander if e.label[:2] in ("9.", "10")]
    assert any(lbl.startswith("9.2 – ") for lbl in labels)
    assert not any(lbl.startswith("9.1 – ") for lbl in labels)
    at.toggle(key="pilier_cadre-de-vie_strict").set_value(True).run()
    labels = [e.label for e in at.expander if e.label[:2] in ("9.", "10")]
    assert [lbl.split(" – ")[0] for lbl in labels] == ["9.2"]


def test_referentiel_search_and_data_marks():
    at = run_page("pages/referentiel.py")
    at.text_input(key="ref_search").input("santé mentale").run()
    text = page_text(at)
    assert "Orientation 6" in text and "Orientation 9" not in text
    at.text_input(key="ref_search").input("").run()
    at.toggle(key="ref_only_data").set_value(True).run()
    text = page_text(at)
    assert "données disponibles : Taux de NEET" in text
    assert "Nombre de manifestations sportives" not in text


def test_csv_export_keeps_na_empty_and_french_decimals():
    from data.dataset import load_dataset
    from data.model import all_figures
    from ui.exports import figures_csv

    ds = load_dataset()
    data = figures_csv(ds, all_figures(ds, territory="clos-des-roses"))
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("territoire;indicateur;libellé;période;valeur;unité;statut;qualificatif;source;périmètre")
    assert any(ln.startswith("clos-des-roses;poverty_rate;Taux de pauvreté à 60 % du revenu déclaré;2015;66,4;") for ln in lines)
    assert any(ln.startswith("clos-des-roses;rsa_share;") and ";2019;;" in ln and ";na;" in ln for ln in lines)  # NA stays empty
    assert any(
        ";22,68;" in ln for ln in figures_csv(ds, all_figures(ds, territory="vivier-corax")).decode("utf-8-sig").splitlines()
    )


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1"])
def test_csv_export_neutralises_formulas(cell):
    import csv
    import io

    from ui.exports import HEADER, neutralise, to_csv

    assert neutralise(cell) == "'" + cell
    out = to_csv(HEADER[:2], [["x", neutralise(cell)]]).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(out, newline=""), delimiter=";"))
    assert rows[1] == ["x", "'" + cell]  # read back by a spreadsheet: the apostrophe first, the text intact


def test_home_links_use_the_app_navigation_not_plain_links():
    """A plain <a href> reloads the whole app (and loses the session): every link of the home page
    is a page link of Streamlit's navigation, the synthesis grid's curves included."""
    at = run_page("pages/accueil.py")
    bodies = [e.proto.body for e in at.get("markdown")] + [e.proto.body for e in at.get("html")]
    assert not any("<a " in b for b in bodies)
    links = {p.proto.query_string for p in at.get("page_link") if p.proto.query_string.startswith("ind=")}
    assert {"ind=median_declared_income", "ind=poverty_rate"} <= links


def test_evolutions_gap_table_says_a_stated_change_of_the_gap_as_a_change():
    """The contract's « augmentation des écarts avec la commune de +1 144€ » is a change of the gap, not
    a gap: the table says « L'écart à Compiègne s'est creusé de 1 144 € », never « +1 144 € » alone."""
    at = run_page("pages/evolutions.py", {"ind": "median_declared_income"})
    tables = tables_of(at)
    assert "L'écart à Compiègne s'est creusé de 1 144 €" in tables
    assert "L'écart à Compiègne s'est réduit de 98 €" in tables
