"""Single sign-on through Streamlit's own st.login (OpenID Connect) against a local test provider
(oidc-provider-mock, in this process, on loopback), in Chromium with the network blocked. The
provider vouches for an identity; the app maps it onto an account an administrateur created with
`python -m data.cli user add … --sso`, with its role — only for a verified e-mail from the
configured issuer, never a password account nor a user name, the subject pinned at the first
sign-in, and never after « Se déconnecter » (a copied identity cookie opens nothing). Never skipped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request

import pytest

from .conftest import ARTIFACTS, ROOT, TEAM_PASSWORD, offline_page, prepare_team_db, serve
from .test_browser import open_app, wait_texts

SSO_USER = "marie.sso@agglo.test"
SSO_ADMIN = "chef.sso@agglo.test"


def set_claims(provider_url: str, sub: str, **claims) -> None:
    """The identity the test provider will vouch for (its PUT /users/<sub>)."""
    req = urllib.request.Request(
        f"{provider_url}/users/{sub}",
        data=json.dumps(claims).encode(),
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as r:
        assert r.status == 204


@pytest.fixture(scope="module")
def sso_app(tmp_path_factory):
    import oidc_provider_mock

    folder = tmp_path_factory.mktemp("sso")
    url = f"sqlite:///{folder / 'suivi.sqlite3'}"
    prepare_team_db(url)
    for login, role in ((SSO_USER, "contributeur"), (SSO_ADMIN, "administrateur")):
        added = subprocess.run(
            [sys.executable, "-m", "data.cli", "user", "add", login, "--role", role, "--sso"],
            env={**os.environ, "QUARTIERS_DB_URL": url},
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert added.returncode == 0, added.stderr
    with oidc_provider_mock.run_server_in_thread(port=0) as provider:
        provider_url = f"http://127.0.0.1:{provider.server_port}"
        set_claims(provider_url, SSO_USER, email=SSO_USER, email_verified=True)
        set_claims(provider_url, SSO_ADMIN, email=SSO_ADMIN, email_verified=True)
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
            yield app, url, provider_url


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
    app, url, _ = sso_app
    ctx, page = offline_page(browser, 1400, 2000)
    provider_sign_in(page, app, SSO_USER)
    wait_texts(page, [f"Connecté : {SSO_USER} (contributeur)", "Enregistrer une valeur"])
    assert page.locator("[data-testid=stMain] a[href^='mailto:']").count() == 0  # the e-mail is text
    page.get_by_label("Valeur", exact=True).fill("17")
    page.get_by_label("Unité", exact=True).fill("ateliers")
    page.get_by_label("Source", exact=True).fill("Bilan via ProConnect")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, ["Bilan via ProConnect", SSO_USER])
    page.screenshot(path=str(ARTIFACTS / "sso-suivi.png"))
    # the only blocked request is the test provider's own style sheet (its page, not the app's)
    assert [u for u in page.blocked if "/@picocss/" not in u] == [], page.blocked
    ctx.close()
    from data.followup import FollowupStore

    assert [e.author for e in FollowupStore(url).history()] == [SSO_USER]


def test_an_identity_without_an_account_gets_no_access(browser, sso_app):
    app, _, provider_url = sso_app
    set_claims(provider_url, "inconnu@agglo.test", email="inconnu@agglo.test", email_verified=True)
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, "inconnu@agglo.test")
    wait_texts(page, ["n'ouvre aucun compte actif de connexion unique du tableau de bord", "Identité reçue : inconnu@agglo.test"])
    assert page.get_by_role("button", name="Enregistrer", exact=True).count() == 0
    ctx.close()


def test_a_single_sign_on_account_has_no_password(browser, sso_app):
    app, _, _ = sso_app
    ctx, page = offline_page(browser, 1400, 1600)
    open_app(page, app + "/suivi")
    page.get_by_label("Identifiant").fill(SSO_USER)
    page.get_by_label("Mot de passe").fill(TEAM_PASSWORD)
    page.get_by_role("button", name="Se connecter", exact=True).click()
    wait_texts(page, ["Connexion refusée – identifiant ou mot de passe incorrect"])
    ctx.close()


def assert_refused(page, reason: str) -> None:
    wait_texts(page, ["Connexion refusée", reason])
    assert page.get_by_text("Connecté :").count() == 0
    assert page.get_by_role("button", name="Enregistrer", exact=True).count() == 0


def test_an_unverified_email_opens_nothing_not_even_an_administrateur(browser, sso_app):
    app, _, provider_url = sso_app
    set_claims(provider_url, "faux-chef", email=SSO_ADMIN, email_verified=False)
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, "faux-chef")
    assert_refused(page, "le fournisseur n'a pas vérifié cette adresse électronique")
    ctx.close()


def test_a_user_name_never_opens_the_local_password_account(browser, sso_app):
    app, _, provider_url = sso_app
    set_claims(provider_url, "usurpateur", preferred_username="admin", email_verified=True)
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, "usurpateur")
    assert_refused(page, "n'ouvre aucun compte actif de connexion unique")
    ctx.close()


def test_another_subject_with_the_same_email_is_refused(browser, sso_app):
    app, _, provider_url = sso_app
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, SSO_ADMIN)  # pins chef.sso's subject
    wait_texts(page, [f"Connecté : {SSO_ADMIN} (administrateur)"])
    ctx.close()
    set_claims(provider_url, "autre-sujet", email=SSO_ADMIN, email_verified=True)
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, "autre-sujet")
    assert_refused(page, "ce compte est lié à une autre identité du fournisseur")
    ctx.close()


def test_a_copied_identity_cookie_is_dead_after_sign_out(browser, sso_app):
    app, _, _ = sso_app
    ctx, page = offline_page(browser, 1400, 1600)
    provider_sign_in(page, app, SSO_USER)
    wait_texts(page, [f"Connecté : {SSO_USER} (contributeur)"])
    stolen = [c for c in ctx.cookies() if c["name"].startswith("_streamlit_user")]
    assert stolen, ctx.cookies()
    page.get_by_role("button", name="Se déconnecter", exact=True).click()
    page.wait_for_timeout(3000)
    ctx.close()
    # someone replays the cookie copied before « Se déconnecter »
    ctx, page = offline_page(browser, 1400, 1600)
    ctx.add_cookies(stolen)
    open_app(page, app + "/suivi")
    assert_refused(page, "cette connexion a été fermée")
    page.screenshot(path=str(ARTIFACTS / "sso-cookie-rejoue.png"))
    ctx.close()
