"""Browser fixtures: the real app on loopback, Debian's chromium driven by Playwright, every
non-loopback request blocked. A missing chromium or a server that does not start is a
failure, never a skip."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from scripts.serve import command as launch_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
# Debian's chromium in its headless build (package chromium-headless-shell, installed by scripts/test.sh:
# the same engine without the desktop shell, a quarter less work per page); CHROMIUM_PATH=/usr/bin/chromium
# runs the suite in the full browser
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium-headless-shell")
# wait_for_function checks its condition every 100 ms, not on every animation frame (Playwright's
# default): a frame-by-frame check keeps the page drawing 60 frames a second while a test waits —
# 0,08 s of CPU per second waited against 0,02 s (measured on a fiche, BENCHMARKS.md § 6.2)
POLL_MS = 100
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# every address that is not this machine's loopback (127.0.0.1, any port) nor the browser's own: only these
# requests are handed to the test's route (they are blocked and recorded); Playwright's driver matches the
# pattern itself, so the page's own requests (≈ 40 per load: Streamlit's scripts, styles, fonts) no longer
# make the round trip to Python for a decision (−0,2 s of CPU per load, BENCHMARKS.md § 6.3)
NOT_LOOPBACK = re.compile(r"^(?!(?:https?|wss?)://127\.0\.0\.1(?:[:/]|$)|data:|blob:|about:)")


def worker_name(name: str) -> str:
    """A server log's file name, per pytest-xdist worker (« streamlit-e2e.gw1.log ») when the suite runs
    on several: two workers' servers never write the same log (each screenshot has its own test's name)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return name
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{worker}.{ext}" if dot else f"{name}.{worker}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# the team accounts of every test server (created with the schema, as an administrateur would)
TEAM_PASSWORD = "mot-de-passe-equipe"
TEAM_ACCOUNTS = {"marie": "contributeur", "admin": "administrateur", "lea": "lecteur"}


def prepare_team_db(url: str) -> None:
    """Schema by Alembic (as scripts/run.sh does) and the test accounts."""
    from data import db
    from data.accounts import Accounts

    db.migrate(url)
    accounts = Accounts(db.make_engine(url))
    for login, role in TEAM_ACCOUNTS.items():
        accounts.add(login, role, TEAM_PASSWORD)


# Streamlit's front end marks its root with the state of the page's run (Streamlit 1.67's own test attribute)
RUN_STATE_JS = "() => document.querySelector('[data-testid=stApp]')?.getAttribute('data-test-script-state')"


def run_ended(page) -> None:
    """Wait until the page's run (and any rerun it asked for) has ended: Streamlit's own state attribute."""
    page.wait_for_function(f"() => ({RUN_STATE_JS})() === 'notRunning'", timeout=60_000, polling=POLL_MS)


def sign_in(page, login: str = "marie", password: str = TEAM_PASSWORD):
    """Sign in on the page where the sign-in form is shown (/suivi), and wait for the signed-in page's run
    to end (a button clicked while it is still drawn was once lost on a busy machine)."""
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_text(f"Connecté : {login}").wait_for(timeout=30_000)
    run_ended(page)


@contextmanager
def serve(db_dir: Path, log_name: str, extra_args: tuple[str, ...] = (), **extra_env):
    """A real Streamlit server of the app on a free loopback port; yields its address. Team mode:
    the database is migrated and holds TEAM_ACCOUNTS; consultation mode: nothing is created."""
    port = free_port()
    # no online base map, ever, in tests; follow-up values go to a throw-away database
    env = {k: v for k, v in os.environ.items() if k != "QUARTIERS_MODE"}
    env.update({"QUARTIERS_TILES": "", "QUARTIERS_DB_URL": f"sqlite:///{db_dir / 'suivi.sqlite3'}", **extra_env})
    own_db = "QUARTIERS_DB_URL" not in extra_env  # a test giving its own address gets it as is
    if own_db and env.get("QUARTIERS_MODE") != "consultation" and not (db_dir / "suivi.sqlite3").exists():
        prepare_team_db(env["QUARTIERS_DB_URL"])
    ARTIFACTS.mkdir(exist_ok=True)
    log_name = worker_name(log_name)
    log = open(ARTIFACTS / log_name, "w")
    proc = subprocess.Popen(
        launch_command(port=port, extra=extra_args),  # the one launcher (scripts/serve.py), as deployed: no file watcher
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"le serveur Streamlit s'est arrêté (code {proc.returncode}), voir artifacts/{log_name}")
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("le serveur Streamlit ne répond pas sur /_stcore/health après 60 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def app_url(tmp_path_factory):
    with serve(tmp_path_factory.mktemp("suivi"), "streamlit-e2e.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"chromium introuvable à {CHROMIUM} : installez le paquet Debian « chromium-headless-shell » (la commande de test du README le fait)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def offline_page(browser, width: int = 1400, height: int = 2400, **options):
    """A fresh context whose only reachable host is 127.0.0.1; blocked requests are recorded on
    `page.blocked`. Returns (context, page)."""
    ctx = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR", **options)
    blocked: list[str] = []

    def route(r):
        blocked.append(r.request.url)
        return r.abort()

    ctx.route(NOT_LOOPBACK, route)
    pg = ctx.new_page()
    pg.blocked = blocked
    return ctx, pg


@pytest.fixture()
def page(browser):
    ctx, pg = offline_page(browser)
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.js_errors = errors
    yield pg
    ctx.close()


# --- several workers (pytest-xdist, scripts/test.sh: --dist loadgroup) ----------------------------------
# The browser suites are bound by the machine's cores (measured: 95 % busy on 3 workers; a page load is
# ≈ 2 s of the browser's work and 0,5 s of the server's, a server's start and first loads more): the
# least work is each module on one worker — its servers started once, its loads shared by its checks
# (test_public's `loaded`). test_public is split in two: the checks reading the consultation site's pages
# and those reading the team's, each sharing its loads. test_cluster's one cluster (deploy/local.sh: the
# « quartiers » database, consecutive ports) is thus never started twice at once. Tried and dropped
# (BENCHMARKS.md §6): smaller groups (more servers started and stopped) and handing out the heaviest
# groups first (three heavy groups at once: slower than xdist's own order, by number of tests).


def _group(item) -> str:
    module = item.module.__name__.rsplit(".", 1)[-1]
    if module == "test_public" and "loaded" in item.fixturenames:
        team = item.name.startswith("test_distinct_browser_titles") or "[equipe-" in item.name
        return "test_public-equipe" if team else "test_public-site"
    return module


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook, which reads the marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
