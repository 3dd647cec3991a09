"""The deployment past one process (deploy/): `deploy/local.sh up 2` starts nginx in front of two
Streamlit processes of the team app and one consultation process, on Debian's PostgreSQL, each
app process running with the code directory mounted read-only. Pages and fiches are opened
through the proxy in Chromium with the network blocked; a browser stays on one process; killing
a process loses no recorded value and the proxy sends new sessions to the survivor.

Needs root (apt, PostgreSQL, read-only mounts), nginx and chromium: missing ones are a failure."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid

import pytest

from .conftest import ARTIFACTS, ROOT, TEAM_PASSWORD, offline_page, sign_in
from .test_browser import MAP_FRAME, open_app, wait_texts

LOCAL = ROOT / "deploy" / "local.sh"


def free_ports(n: int) -> int:
    """First of n consecutive free loopback ports."""
    for base in range(24000, 60000, 97):
        ok = True
        for p in range(base, base + n):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", p))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise AssertionError("aucun port libre")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    run = tmp_path_factory.mktemp("cluster")
    apps = free_ports(5)  # 3 app processes, then the two nginx sites
    proxy, public = apps + 3, apps + 4
    env = {k: v for k, v in os.environ.items() if k not in ("QUARTIERS_DB_URL", "QUARTIERS_MODE")}
    env.update(
        QUARTIERS_RUN_DIR=str(run),
        QUARTIERS_APP_PORT=str(apps),
        QUARTIERS_PROXY_PORT=str(proxy),
        QUARTIERS_PUBLIC_APPS="1",
        QUARTIERS_PUBLIC_PORT=str(public),
        QUARTIERS_READONLY_CODE="1",
    )
    up = subprocess.run(["bash", str(LOCAL), "up", "2"], env=env, capture_output=True, text=True, timeout=600)
    (ARTIFACTS / "cluster-up.log").write_text(up.stdout + up.stderr)
    if up.returncode != 0:
        subprocess.run(["bash", str(LOCAL), "down"], env=env, timeout=120)
        pytest.fail(f"deploy/local.sh up 2 a échoué ({up.returncode}) :\n{up.stdout[-2000:]}\n{up.stderr[-2000:]}")
    assert f"http://127.0.0.1:{proxy}/" in up.stdout
    info = {
        "run": run,
        "url": f"http://127.0.0.1:{proxy}",
        "public_url": f"http://127.0.0.1:{public}",
        "team_ports": [apps, apps + 1],
        "public_port": apps + 2,
    }
    try:
        yield info
    finally:
        down = subprocess.run(["bash", str(LOCAL), "down"], env=env, capture_output=True, text=True, timeout=120)
        for f in ("access.log", "nginx-error.log", *[f"app-{p}.log" for p in range(apps, apps + 3)]):
            if (run / f).exists():
                (ARTIFACTS / f"cluster-{f}").write_text((run / f).read_text(errors="replace"))
        assert down.returncode == 0, down.stderr
        # `down` stops exactly what `up` started: no app process nor nginx is left on these ports
        for p in (*info["team_ports"], info["public_port"], proxy):
            with socket.socket() as s:
                assert s.connect_ex(("127.0.0.1", p)) != 0, f"le port {p} répond encore après down"


def access_lines(cluster) -> list[dict]:
    out = []
    for line in (cluster["run"] / "access.log").read_text().splitlines():
        m = re.search(r'"(\w+) (\S+) [^"]*" (\d+) .* upstream=(.+?) route=(\w+)', line)
        if m:
            out.append({"method": m[1], "path": m[2], "status": int(m[3]), "upstream": m[4], "route": m[5]})
    return out


def route_of(ctx) -> str:
    cookies = {c["name"]: c["value"] for c in ctx.cookies()}
    assert "quartiers_route" in cookies, "nginx n'a pas posé le cookie d'affinité"
    return cookies["quartiers_route"]


def watch_csp(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def test_pages_and_fiches_render_through_the_proxy(browser, cluster):
    url = cluster["url"]
    ctx, page = offline_page(browser, 1400, 1400)
    csp = watch_csp(page)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_app(page, url + "/")
    wait_texts(page, ["Le Clos des Roses", "La Victoire", "Vivier Corax"])
    open_app(page, url + "/carte")
    frame = page.frame_locator(MAP_FRAME).first
    frame.locator("path.q-quartier").nth(4).wait_for(state="attached", timeout=30_000)  # Leaflet served by nginx
    for q, figure in [("clos-des-roses", "10 190 €"), ("la-victoire", "11 330 €"), ("vivier-corax", "9 470 €")]:
        open_app(page, f"{url}/fiche?q={q}")
        wait_texts(page, [figure])
    for path, text in [("/emploi", "Emploi"), ("/referentiel", "Orientation 1"), ("/sources", "Licence")]:
        open_app(page, url + path)
        wait_texts(page, [text])
    page.screenshot(path=str(ARTIFACTS / "cluster-sources.png"))
    assert page.blocked == [], page.blocked
    assert csp == [], csp  # the Content-Security-Policy set by nginx allows everything the app needs
    assert errors == [], errors
    ctx.close()
    # security headers and static caching, as a browser receives them
    import urllib.request

    with urllib.request.urlopen(url + "/") as r:
        h = r.headers
    assert "frame-ancestors 'self'" in h["Content-Security-Policy"] and "default-src 'self'" in h["Content-Security-Policy"]
    assert h["X-Content-Type-Options"] == "nosniff" and h["Referrer-Policy"] == "same-origin"
    js = re.search(r'src="\.?/?(static/js/[^"]+)"', urllib.request.urlopen(url + "/").read().decode())[1]
    req = urllib.request.Request(f"{url}/{js}", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req) as r:
        assert r.headers["Content-Encoding"] == "gzip" and "max-age=31536000" in r.headers["Cache-Control"]


def test_a_browser_stays_on_one_process_and_browsers_are_spread(browser, cluster):
    url = cluster["url"]
    routes = []
    for i in range(12):
        ctx, page = offline_page(browser, 1400, 1000)
        open_app(page, url + "/")
        if i == 0:
            # reruns on the same websocket, then a reload (a new websocket): same process throughout
            page.locator("[data-testid=stTopNavSection]").first.click()
            page.locator("[data-testid=stTopNavDropdownLink]").first.click()
            page.wait_for_timeout(1500)
            page.reload()
            page.wait_for_selector("h1", timeout=60_000)
            open_app(page, url + "/fiche?q=vivier-corax")
        routes.append(route_of(ctx))
        ctx.close()  # the websocket closes: nginx logs it with its upstream
        if i >= 3 and len({line["upstream"] for line in access_lines(cluster) if line["route"] in routes}) == 2:
            break
    time.sleep(1)
    lines = access_lines(cluster)
    # a failed try shows as « dead:port, live:port »: none expected here, every process is up
    first = [ln for ln in lines if ln["route"] == routes[0] and ln["upstream"] != "-"]
    streams = [ln for ln in first if ln["path"] == "/_stcore/stream"]
    assert len(streams) >= 2, first  # two websockets (before and after the reload)
    assert len({ln["upstream"] for ln in first}) == 1, first  # …and every request on one process
    used = {ln["upstream"] for ln in lines if ln["route"] in routes and ln["upstream"] != "-"}
    team = {f"127.0.0.1:{p}" for p in cluster["team_ports"]}
    assert used == team, f"les navigateurs ne sont pas répartis sur les deux processus : {used}"


def test_public_site_beside_the_team_site_is_read_only(browser, cluster):
    ctx, page = offline_page(browser, 1400, 1400)
    open_app(page, cluster["public_url"] + "/suivi")
    text = page.locator("[data-testid=stMain]").inner_text()
    assert "Enregistrer une valeur" not in text and page.get_by_role("button", name="Enregistrer").count() == 0
    ctx.close()


def test_killing_a_process_loses_no_value_and_new_sessions_reach_the_survivor(browser, cluster):
    url = cluster["url"]
    tag = uuid.uuid4().hex[:8]
    source, login = f"Bilan grappe {tag}", f"grappe-{tag}"
    # an account on the cluster's database, made with the command line as an administrateur would
    db_url = (cluster["run"] / "db-url").read_text().strip()
    added = subprocess.run(
        [sys.executable, "-m", "data.cli", "user", "add", login, "--role", "contributeur"],
        input=TEAM_PASSWORD + "\n",
        env={**os.environ, "QUARTIERS_DB_URL": db_url},
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert added.returncode == 0, added.stderr
    ctx, page = offline_page(browser, 1400, 2000)
    open_app(page, url + "/suivi")
    sign_in(page, login)
    wait_texts(page, ["Enregistrer une valeur"])
    page.get_by_label("Valeur", exact=True).fill("4 321")
    page.get_by_label("Unité").fill("familles")
    page.get_by_label("Source").fill(source)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_texts(page, [source, "4 321"])
    mine = route_of(ctx)
    served = {ln["upstream"] for ln in access_lines(cluster) if ln["route"] == mine and ln["upstream"] != "-"}
    assert len(served) == 1, served
    victim = int(served.pop().rsplit(":", 1)[1])
    survivor = next(p for p in cluster["team_ports"] if p != victim)
    pid = int((cluster["run"] / f"app-{victim}.pid").read_text())
    os.kill(pid, signal.SIGKILL)  # a crash, not a clean stop
    deadline = time.time() + 10
    while time.time() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", victim)) != 0:
                break
        time.sleep(0.2)
    # the same browser (its cookie points to the dead process) reloads: served by the survivor
    page.reload()
    page.wait_for_selector("h1", timeout=60_000)
    wait_texts(page, [source, "4 321"])
    ctx.close()
    # new sessions: all on the survivor, and the value recorded on the dead process is there
    for _ in range(4):
        ctx, page = offline_page(browser, 1400, 2000)
        open_app(page, url + "/suivi")
        wait_texts(page, [source, "4 321", "familles"])
        route = route_of(ctx)
        ctx.close()
        time.sleep(0.3)
        ups = {ln["upstream"].split(", ")[-1] for ln in access_lines(cluster) if ln["route"] == route and ln["upstream"] != "-"}
        assert ups == {f"127.0.0.1:{survivor}"}, ups
