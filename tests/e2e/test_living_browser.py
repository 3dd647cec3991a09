"""The living diagnostic in Chromium, network blocked (issue 17): a contributeur proposes La
Victoire's 2023 NEET rate on the 2024 perimeter from /suivi; the public site does not show it; an
administrateur validates it; within a minute, with no restart, the public site shows it on the fiche
card (the contract's value beside, no comparison across perimeters), in a sentence, on the
Évolutions chart (second segment, break said), in the map legend, on the slide and in the PDF;
?etat=contrat still shows the contract's figures unchanged."""

from __future__ import annotations

import io
import time

import pypdf
import pytest

from ui.cached import VERSION_TTL

from .conftest import ARTIFACTS, POLL_MS, TEAM_PASSWORD, offline_page, serve, sign_in
from .test_browser import map_paths, open_app, wait_texts

NEW = "27,5 %"
SENTENCE = "En 2023, sur le périmètre QPV 2024, le taux de NEET (16-25 ans) de La Victoire est de 27,5 %"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("vivant")
    with serve(folder, "streamlit-e2e-living-team.log") as team:
        with serve(folder, "streamlit-e2e-living-public.log", QUARTIERS_MODE="consultation") as public:
            yield team, public


def main_text(page) -> str:
    return page.locator("[data-testid=stMain]").inner_text()


def choose(page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.keyboard.type(option[:14])  # a long list is virtualised: filter it first
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(600)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=30_000, polling=POLL_MS)


def test_a_proposed_value_is_validated_then_shown_in_every_public_view(browser, servers):
    team, public = servers
    # 1. a contributeur proposes the value
    ctx, page = offline_page(browser, 1366, 2400)
    open_app(page, team + "/suivi")
    sign_in(page, "marie", TEAM_PASSWORD)
    choose(page, "Série du diagnostic", "Taux de NEET (16-25 ans non scolarisés et sans emploi) (% des 16-25 ans)")
    choose(page, "Territoire de la série", "La Victoire")
    wait_texts(page, ["Dernière valeur publiée : 31,9 % en 2020-2021 (périmètre QPV 2015)."])
    page.get_by_label("Millésime", exact=True).fill("2023")
    page.get_by_label("Valeur (% des 16-25 ans)", exact=True).fill("27,5")
    page.get_by_label("Source de la valeur", exact=True).fill("Mission locale, bilan 2023")
    page.get_by_role("button", name="Proposer cette valeur", exact=True).click()
    wait_texts(page, ["Proposé (n° S1) : 27,5 % pour « La Victoire »", "Valeurs des séries en attente de validation"])
    page.screenshot(path=str(ARTIFACTS / "vivant-proposition.png"), full_page=True)
    ctx.close()

    # 2. not public while proposed
    ctx, page = offline_page(browser, 1920, 1080)
    open_app(page, public + "/fiche?q=la-victoire")
    wait_texts(page, ["31,9 %"])
    assert NEW not in main_text(page)
    public_read = time.monotonic()  # the public process has read the published version by now (its only page yet)
    ctx.close()

    # 3. an administrateur validates it
    ctx, page = offline_page(browser, 1366, 2400)
    open_app(page, team + "/suivi")
    sign_in(page, "admin", TEAM_PASSWORD)
    wait_texts(page, ["Points des séries"])
    page.get_by_text("Tous les points proposés (1)").click()
    page.get_by_role("button", name="Valider et publier les points", exact=True).click()
    wait_texts(page, ["1 point(s) de série validé(s) : ils sont publics."])
    ctx.close()

    # 4. the public process shows it with no restart: it keeps the published version it read at most
    # VERSION_TTL seconds, so a page opened once that delay has passed since its last read (step 2, its only
    # page) and after the validation shows it — one load, not a reload every 3 s until the value appears
    ctx, page = offline_page(browser, 1920, 1080)
    page.wait_for_timeout(max(0.0, VERSION_TTL + 1 - (time.monotonic() - public_read)) * 1000)
    open_app(page, public + "/fiche?q=la-victoire")
    text = wait_texts(page, [NEW, "Valeur du contrat : 31,9 % en 2020-2021 (périmètre QPV 2015", SENTENCE])
    assert "Pas de comparaison : périmètre QPV 2015 en 2020-2021, QPV 2024 en 2023" in text
    page.screenshot(path=str(ARTIFACTS / "vivant-fiche.png"), full_page=True)
    with page.expect_download(timeout=90_000) as dl:
        page.get_by_role("button", name="Télécharger la fiche (PDF)").click()
    pdf = open(dl.value.path(), "rb").read()
    pdf_text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = " ".join(pdf_text.replace("\u202f", " ").replace("\xa0", " ").split())
    assert NEW in flat and "Valeur du contrat : 31,9 %" in flat, flat[:2000]

    # the Évolutions chart: a second segment, the break said in its text alternative and its table
    open_app(page, public + "/evolutions?ind=neet_rate")
    page.locator(".vega-embed").first.wait_for(timeout=30_000)
    text = wait_texts(page, ["Rupture de série (changement de périmètre) : QPV 2015 → QPV 2024 entre 2020-2021 et 2023"])
    label = page.locator(".vega-embed [aria-label]").first.get_attribute("aria-label") or ""
    assert "Rupture de série" in label or "Rupture de série" in text
    page.screenshot(path=str(ARTIFACTS / "vivant-evolutions.png"), full_page=True)

    # the map: « dernière valeur » by default, period and perimeter in the legend
    open_app(page, public + "/carte?ind=neet_rate")
    wait_texts(
        page, ["dernière valeur de chaque quartier", "La Victoire 2023 (QPV 2024)", "ARC (EPCI) : 15,9 % (2020-2021, EPCI)"]
    )
    map_paths(page, 5)
    page.screenshot(path=str(ARTIFACTS / "vivant-carte.png"))

    # the slide
    open_app(page, public + "/presentation?q=la-victoire")
    wait_texts(page, [NEW])
    page.screenshot(path=str(ARTIFACTS / "vivant-diapositive.png"))

    # ?etat=contrat: the contract as printed
    open_app(page, public + "/fiche?q=la-victoire&etat=contrat")
    text = wait_texts(page, ["31,9 %", "le contrat tel qu'imprimé"])
    assert NEW not in text and SENTENCE not in text
    page.screenshot(path=str(ARTIFACTS / "vivant-etat-contrat.png"), full_page=True)
    ctx.close()
