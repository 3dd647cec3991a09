"""The team's journey in Chromium (network blocked): sign in, record a value, see it on
/avancement and on a public screen (without the author's name), import a year of values from a
spreadsheet (preview, confirm), user text shown as text; a team server and a consultation server
on the same database."""

from __future__ import annotations

import openpyxl
import pytest

from .conftest import ARTIFACTS, POLL_MS, TEAM_PASSWORD, offline_page, run_ended, serve, sign_in
from .test_browser import open_app, wait_texts

EVIL_SOURCE = "<img src=x onerror=alert(1)> [piège](https://evil.example) **gras**"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    folder = tmp_path_factory.mktemp("equipe")
    with serve(folder, "streamlit-e2e-team.log") as team:
        with serve(folder, "streamlit-e2e-team-public.log", QUARTIERS_MODE="consultation") as public:
            yield team, public, folder


def test_sign_in_record_then_see_it_on_avancement_and_the_public_screen(browser, servers):
    team, public, _ = servers
    ctx, page = offline_page(browser, 1400, 2400)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    open_app(page, team + "/suivi")
    # a wrong password: refused in French, nothing else happens
    page.get_by_label("Identifiant").fill("marie")
    page.get_by_label("Mot de passe").fill("pas-le-bon")
    page.get_by_role("button", name="Se connecter").click()
    wait_texts(page, ["Connexion refusée – identifiant ou mot de passe incorrect"])
    sign_in(page, "marie", TEAM_PASSWORD)
    page.get_by_label("Territoire", exact=True).click()
    page.get_by_role("option", name="Vivier Corax").click()
    page.get_by_label("Valeur", exact=True).fill("2.500")
    page.get_by_label("Unité", exact=True).fill("familles")
    page.get_by_label("Source", exact=True).fill(EVIL_SOURCE)
    page.get_by_label("Commentaire (facultatif)").fill("note interne de Marie")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, ["« 2.500 » est ambigu : voulez-vous dire 2,5 ou 2 500 ?"])
    assert page.get_by_label("Source", exact=True).input_value() == EVIL_SOURCE  # kept
    page.get_by_label("Valeur", exact=True).fill("2 500")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(
        page, ["2 500", "familles", "note interne de Marie", EVIL_SOURCE, "proposée", "La valeur sera publique après validation"]
    )
    main = page.locator("[data-testid=stMain]")
    assert main.locator("img[src=x]").count() == 0 and main.locator("a[href*='evil.example']").count() == 0
    assert main.locator("strong", has_text="gras").count() == 0  # Markdown shown as typed
    page.screenshot(path=str(ARTIFACTS / "team-suivi.png"))
    ctx.close()

    # proposed: the public screen does not show it yet
    ctx, page = offline_page(browser, 1920, 1080)
    open_app(page, public + "/suivi")
    wait_texts(page, ["Valeurs enregistrées"])
    assert "2 500" not in page.locator("[data-testid=stMain]").inner_text()
    ctx.close()

    # an administrateur validates it
    ctx, page = offline_page(browser, 1400, 2400)
    open_app(page, team + "/suivi")
    sign_in(page, "admin", TEAM_PASSWORD)
    wait_texts(page, ["Valeurs à valider", "1 valeur(s) proposée(s)"])
    page.get_by_label("Valeurs à publier").click()
    page.keyboard.type("marie")  # opens the list and filters it (a long page may re-render under the first click)
    page.get_by_role("option", name="2 500 familles (marie)").click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Valider et publier").click()
    wait_texts(page, ["1 valeur(s) validée(s) : elles sont publiques.", "Aucune valeur proposée n'attend de validation."])
    page.screenshot(path=str(ARTIFACTS / "team-validation.png"))

    open_app(page, team + "/avancement?quartier=vivier-corax&pilier=education")
    wait_texts(page, ["Complétude du suivi – Vivier Corax", "2 500 familles", "1 / 11"])
    page.screenshot(path=str(ARTIFACTS / "team-avancement.png"))
    ctx.close()

    ctx, page = offline_page(browser, 1920, 1080)
    for path in ("/avancement?quartier=vivier-corax&pilier=education", "/suivi"):
        open_app(page, public + path)
        text = wait_texts(page, ["2 500"])
        assert "marie" not in text and "note interne de Marie" not in text and "Se connecter" not in text
    assert page.locator("[data-testid=stMain] img[src=x]").count() == 0
    assert dialogs == [] and page.blocked == []
    ctx.close()


def test_administrateur_imports_a_year_from_a_spreadsheet(browser, servers, tmp_path):
    team, public, _ = servers
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["indicateur", "territoire", "annee", "valeur", "unite", "source", "commentaire"])
    ws.append(["os5-axe1-1", "clos-des-roses", 2025, 14, "actions", "Bilan santé 2025", None])
    ws.append(["os5-axe1-1", "la-victoire", 2025, 9.5, "actions", "Bilan santé 2025", None])
    bad = tmp_path / "mauvais.xlsx"
    ws.append(["os5-axe1-1", "la-victoire", 2031, 3, "actions", "Bilan", None])
    wb.save(bad)
    ws.delete_rows(4)
    good = tmp_path / "annee-2025.xlsx"
    wb.save(good)

    ctx, page = offline_page(browser, 1400, 2400)
    open_app(page, team + "/suivi")
    sign_in(page, "marie")
    assert page.locator("[data-testid=stFileUploader]").count() == 0  # a contributeur cannot import
    ctx.close()

    ctx, page = offline_page(browser, 1400, 2600)
    open_app(page, team + "/suivi")
    sign_in(page, "admin")
    uploader = page.locator("[data-testid=stFileUploader]").first  # the year's values; then the official table's
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=stFileUploader]')?.innerText || '').includes('5 Mo au plus par fichier')",
        polling=POLL_MS,
    )
    shown = uploader.inner_text()
    assert "Choisir un fichier" in shown and "Upload" not in shown and "per file" not in shown, shown
    page.locator("[data-testid=stFileUploader] input[type=file]").first.set_input_files(str(bad))
    wait_texts(page, ["Import refusé, rien n'a été enregistré : 1 problème(s).", "ligne 4, colonne annee"])
    page.locator("[data-testid=stFileUploader] input[type=file]").first.set_input_files(str(good))
    wait_texts(page, ["2 valeurs seront enregistrées au nom de admin", "9,5"])
    page.screenshot(path=str(ARTIFACTS / "team-import-apercu.png"))
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    wait_texts(page, ["2 valeurs importées (proposées : publiques après validation ci-dessus)."])
    page.get_by_label("Valeurs à publier").click()
    page.keyboard.type("actions")  # opens the list and filters it (a long page may re-render under the first click)
    for name in ("14 actions (admin)", "9,5 actions (admin)"):
        page.get_by_role("option", name=name).click()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Valider et publier", exact=True).click()
    wait_texts(page, ["2 valeur(s) validée(s) : elles sont publiques."])
    ctx.close()

    ctx, page = offline_page(browser, 1400, 2400)
    open_app(page, public + "/avancement?quartier=la-victoire&pilier=sante")
    text = wait_texts(page, ["9,5 actions", "Bilan santé 2025"])
    assert "admin" not in text
    ctx.close()


def test_a_disabled_lecteur_can_no_longer_download_the_internal_history(browser, servers):
    """The internal CSV is produced at the click, for an account that still has the right: the page
    left open by a colleague whose account was disabled downloads nothing, says so in French, and its
    next run signs it out."""
    from data.accounts import Accounts
    from data.dataset import load_dataset
    from data.followup import FollowupStore
    from tests.test_team import add as add_value

    team, _, folder = servers
    store = FollowupStore(f"sqlite:///{folder / 'suivi.sqlite3'}")
    # a history to download whatever ran before (alone, the module's earlier tests have recorded nothing)
    add_value(store, load_dataset(), comment="note interne", author="agent.interne")
    ctx, page = offline_page(browser, 1400, 2400, accept_downloads=True)
    open_app(page, team + "/suivi")
    sign_in(page, "lea", TEAM_PASSWORD)
    button = page.get_by_role("button", name="Télécharger tout l'historique des saisies (CSV)")
    with page.expect_download(timeout=60_000) as dl:
        button.click()
    history = open(dl.value.path(), encoding="utf-8-sig").read()
    assert "auteur" in history.splitlines()[0] and "agent.interne" in history and "note interne" in history
    Accounts(store.engine).set_active("lea", False)
    downloads: list = []
    page.on("download", lambda d: downloads.append(d))
    # the click runs the producer only (no rerun of the page): refused, said in French on the button
    button.click()
    wait_texts(page, ["Le fichier n'a pas pu être produit : rechargez la page"])
    # announced, not only drawn (role « alert »)
    page.get_by_role("alert").filter(has_text="Le fichier n'a pas pu être produit").wait_for(timeout=5_000)
    page.get_by_text("Le fichier n'a pas pu être produit").screenshot(path=str(ARTIFACTS / "team-telechargement-refuse.png"))
    page.wait_for_timeout(1500)
    assert downloads == []
    # the page's next run (here Streamlit's « r », any action does it) re-reads the account: signed out
    page.locator("h1").first.click()
    page.keyboard.press("r")
    wait_texts(page, ["Votre session a été fermée"])
    run_ended(page)
    assert page.get_by_text("Connecté : lea").count() == 0
    assert button.count() == 0
    page.screenshot(path=str(ARTIFACTS / "team-compte-desactive.png"))
    ctx.close()


def test_administrateur_imports_an_official_table_and_publishes_it(browser, servers):
    """Issue 17, point 4, in Chromium: the synthetic INSEE-layout sample (invented values) through
    the saved correspondence; the preview beside the contract's figure; confirm; the points listed
    with their S-ids; validate them all."""
    from pathlib import Path

    team, _, _ = servers
    sample = Path(__file__).resolve().parents[1] / "fixtures" / "filosofi-2021-qpv2024-SYNTHETIQUE.csv"
    ctx, page = offline_page(browser, 1400, 3200)
    open_app(page, team + "/suivi")
    sign_in(page, "admin")
    wait_texts(page, ["Importer une table officielle (INSEE, ANCT)"])
    page.locator("[data-testid=stFileUploader] input[type=file]").nth(1).set_input_files(str(sample))
    wait_texts(
        page,
        [
            "15 nouvelle(s), 0 modifiée(s), 0 inchangée(s) ; 2 ligne(s) ignorée(s) hors contrat",
            "10 190 € (2020, QPV 2015)",
            "Codes ignorés (hors contrat) : QN01001M, QN93001M.",
        ],
    )
    preview = page.get_by_role("region", name="Aperçu de l'import : chaque valeur lue")
    preview.scroll_into_view_if_needed()
    preview.screenshot(path=str(ARTIFACTS / "team-table-officielle-apercu.png"))
    page.get_by_role("button", name="Confirmer l'import", exact=True).click()
    wait_texts(page, ["15 valeur(s) enregistrée(s) au nom de admin", "15 point(s) de série proposé(s)"])
    page.get_by_text("Tous les points proposés (15)").click()
    page.get_by_role("button", name="Valider et publier les points", exact=True).click()
    wait_texts(page, ["15 point(s) de série validé(s) : ils sont publics."])
    ctx.close()
