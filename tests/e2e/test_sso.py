"""Single sign-on through Streamlit's own st.login (OpenID Connect) against a local test provider
(oidc-provider-mock, in this process, on loopback), in Chromium with the network blocked. The
provider vouches for an identity; the app maps it onto an account an administrateur created with
`python -m data.cli user add … --sso`, with its role. Never skipped."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from .conftest import ARTIFACTS, ROOT, TEAM_PASSWORD, offline_page, prepare_team_db, serve
from .test_browser import open_app, wait_texts

SSO_USER = "marie.sso@agglo.test"


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory):
    import oidc_provider_mock

    folder = tmp_path_factory.mktemp("sso")
    url = f"sqlite:///{folder / 'suivi.sqlite3'}"
    prepare_team_db(url)
    added = subprocess.run(
        [sys.executable, "-m", "data.cli", "user", "add", SSO_USER, "--role", "contributeur", "--sso"],
        env={**os.environ, "QUARTIERS_DB_URL": url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    with oidc_provider_mock.run_server_in_thread(port=0) as provider:
        secrets = folder / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "secret-de-test-pour-signer-le-cookie-d-identite"\n'
            'client_id = "quartiers-test"\n'
            'client_secret = "secret-client-de-test"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        with serve(folder, "streamlit-e2e-sso.log", ("--secrets.files", str(secrets)), QUARTIERS_SSO_LABEL="ProConnect") as app:
            yield app, url


def provider_sign_in(page, app: str, sub: str) -> None:
    open_app(page, app + "/suivi")
    page.get_by_role("button", name="Se connecter avec ProConnect").click()
    page.wait_for_url("**/oauth2/authorize**", timeout=30_000)  # the provider's own page
    page.locator("input[name=sub]").fill(sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(app + "/**", timeout=30_000)  # back in the app
    page.wait_for_selector("h1", timeout=60_000)
    open_app(page, app + "/suivi")


def test_sign_in_with_the_provider_maps_onto_the_account_and_its_role(browser, sso_app):
    app, url = sso_app
    ctx, page = offline_page(browser, 1400, 2000)
    provider_sign_in(page, app, SSO_USER)
    wait_texts(page, [f"Connecté : {SSO_USER} (contributeur)", "Enregistrer une valeur"])
    assert page.locator("[data-testid=stMain] a[href^='mailto:']").count() == 0  # the e-mail is text
    page.get_by_label("Valeur", exact=True).fill("17")
    page.get_by_label("Unité").fill("ateliers")
    page.get_by_label("Source").fill("Bilan via ProConnect")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, ["Bilan via ProConnect", SSO_USER])
    page.screenshot(path=str(ARTIFACTS / "sso-suivi.png"))
    # the only blocked request is the test provider's own style sheet (its page, not the app's)
    assert [u for u in page.blocked if "/@picocss/" not in u] == [], page.blocked
    ctx.close()
    from data.followup import FollowupStore

    assert [e.author for e in FollowupStore(url).history()] == [SSO_USER]


def test_an_identity_without_an_account_gets_no_access(browser, sso_app):
    app, _ = sso_app
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, "inconnu@agglo.test")
    wait_texts(page, ["n'ouvre aucun compte actif du tableau de bord", "Identité reçue : inconnu@agglo.test"])
    assert page.get_by_role("button", name="Enregistrer", exact=True).count() == 0
    ctx.close()


def test_a_single_sign_on_account_has_no_password(browser, sso_app):
    app, _ = sso_app
    ctx, page = offline_page(browser, 1400, 1600)
    open_app(page, app + "/suivi")
    page.get_by_label("Identifiant").fill(SSO_USER)
    page.get_by_label("Mot de passe").fill(TEAM_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    wait_texts(page, ["Connexion refusée – identifiant ou mot de passe incorrect"])
    ctx.close()
