"""The deployment files (deploy/): the nginx configuration accepted by Debian's nginx, with sticky
sessions, websockets and the security headers; what the hostile probe found closed in the
configuration (logs without ids, upload routes, Streamlit's internal routes, other Host names,
request rates, cookies under TLS); systemd units accepted by systemd; the compose file's proxy
command names real sites; Leaflet committed and identical to its package; nothing in the app
writes next to the code. The running cluster is tested in tests/e2e/test_cluster.py."""

from __future__ import annotations

import filecmp
import http.client
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import threading
import time
import tomllib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
import nginx as deploy_nginx  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def rendered(*sites: str, **kw) -> str:
    kw.setdefault("streamlit_static", deploy_nginx.streamlit_static_dir())
    kw.setdefault("code_dir", str(ROOT))
    kw.setdefault("access_log", "/dev/null")
    kw.setdefault("error_log", "/dev/null")
    kw.setdefault("server_names", ["localhost", "127.0.0.1"])
    return deploy_nginx.render([deploy_nginx.parse_site(s) for s in sites], **kw)


def servers(conf: str) -> list[str]:
    """The server blocks of a rendered configuration (top-level « server { … } »)."""
    return re.findall(r"(?ms)^server \{\n.*?^\}", conf)


def location(server: str, head: str) -> str:
    """The body of one location of a server block (up to its closing brace, indented like it)."""
    start = server.index(f"location {head} {{")
    return server[start : server.index("\n    }", start)]


def nginx_accepts(conf_text: str, tmp_path: Path) -> None:
    if not Path(NGINX).exists():
        pytest.fail("nginx introuvable : installez le paquet Debian « nginx » (la commande de test du README le fait)")
    conf = tmp_path / "nginx.conf"
    conf.write_text(deploy_nginx.standalone(conf_text, str(tmp_path)))
    (tmp_path / "nginx-tmp").mkdir(exist_ok=True)
    out = subprocess.run(
        [NGINX, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "err.log")], capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr


def test_nginx_configuration_sticky_websocket_headers(tmp_path):
    conf = rendered("equipe=127.0.0.1:8080@8501,8502", "public=127.0.0.1:8081@8601")
    nginx_accepts(conf, tmp_path)
    # two pools, each hashed on the route cookie (not on the client address)
    assert conf.count("hash $quartiers_route consistent;") == 2 and "ip_hash" not in conf.replace("ip_hash is not enough", "")
    assert "server 127.0.0.1:8501 max_fails=1" in conf and "server 127.0.0.1:8601 max_fails=1" in conf
    # idle upstream connections closed before uvicorn's 5 s: no request on a closing connection
    assert conf.count("keepalive_timeout 3s;") == 2
    assert re.search(r'""\s+"quartiers_route=\$request_id; Path=/; HttpOnly; SameSite=Lax";', conf)
    # websocket upgrade on Streamlit's stream, kept open
    ws = conf[conf.index("location = /_stcore/stream") :]
    assert "proxy_read_timeout 1d;" in ws[: ws.index("}")]
    assert "proxy_set_header Upgrade $http_upgrade;" in conf and "proxy_set_header Connection $quartiers_connection;" in conf
    # security headers, nothing remote allowed
    csp = re.search(r'Content-Security-Policy "([^"]+)"', conf)[1]
    assert "default-src 'self'" in csp and "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
    assert "http" not in csp  # no remote host at all unless tiles are asked for
    for header in ("X-Content-Type-Options nosniff", "Referrer-Policy same-origin", "X-Frame-Options SAMEORIGIN"):
        assert f"add_header {header} always;" in conf
    # static bundle from disk, cached; gzip
    assert "expires 1y;" in conf and "gzip on;" in conf and f"alias {ROOT}/static/;" in conf
    assert "Strict-Transport-Security" not in conf and "ssl_certificate" not in conf


def test_nginx_tls_and_online_tiles(tmp_path):
    if not shutil.which("openssl"):
        pytest.fail("openssl introuvable")
    cert, key = tmp_path / "c.pem", tmp_path / "k.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=quartiers.test",
            "-keyout",
            key,
            "-out",
            cert,
        ],
        check=True,
        capture_output=True,
    )
    conf = rendered(
        "equipe=443@8501",
        "public=8443@8601,8602",
        tls_cert=str(cert),
        tls_key=str(key),
        tiles_host="tile.openstreetmap.org",
    )
    nginx_accepts(conf, tmp_path)
    assert "listen 443 ssl;" in conf and f"ssl_certificate {cert};" in conf
    assert "SameSite=Lax; Secure" in conf and "Strict-Transport-Security" in conf
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in conf
    # Streamlit's single sign-on cookies (_streamlit_user, _streamlit_user_tokens*) and its XSRF
    # cookie leave the proxy with Secure and SameSite=Lax (nginx ≥ 1.19.3; Debian 12: 1.22)
    sites = [b for b in servers(conf) if "return 444;" not in b]
    assert len(sites) == 2 and all("proxy_cookie_flags ~ secure samesite=lax;" in b for b in sites)
    # the catch-all servers refuse the TLS handshake of a name that is not ours (no certificate)
    defaults = [b for b in servers(conf) if "return 444;" in b]
    assert len(defaults) == 2 and all("ssl_reject_handshake on;" in b and "default_server" in b for b in defaults)
    # without TLS: no Secure flag forced (the cookies would not be sent back over plain HTTP)
    assert "proxy_cookie_flags" not in rendered("equipe=8080@8501")


@pytest.mark.parametrize("bad", ["equipe=8080", "Equipe=8080@8501", "e=8080@8501;rm -rf /", "e=8080@", "e=x:8080@8501"])
def test_nginx_site_syntax_refused_in_french(bad):
    with pytest.raises(SystemExit, match="--site attendu sous la forme"):
        deploy_nginx.parse_site(bad)


def test_systemd_units_accepted_by_systemd(tmp_path):
    if not shutil.which("systemd-analyze"):
        pytest.fail("systemd-analyze introuvable (paquet Debian systemd)")
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        # the same units, pointed at this checkout instead of /srv/quartiers
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/quartiers", str(ROOT)))
    (tmp_path / "quartiers@8501.service").symlink_to(tmp_path / "quartiers@.service")
    (tmp_path / "quartiers-public@8601.service").symlink_to(tmp_path / "quartiers-public@.service")
    units = ("quartiers@8501.service", "quartiers-public@8601.service", "quartiers-migrate.service", "quartiers.target")
    out = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *(str(tmp_path / u) for u in units)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stderr.strip() == "", out.stderr
    unit = (ROOT / "deploy" / "systemd" / "quartiers@.service").read_text()
    assert (
        "ProtectSystem=strict" in unit and "StateDirectory=quartiers" in unit and "QUARTIERS_VAR_DIR=/var/lib/quartiers" in unit
    )
    # the public processes: consultation mode, no upload, their own user and environment file
    # (the read-only database role), never the team's
    public = (ROOT / "deploy" / "systemd" / "quartiers-public@.service").read_text()
    assert "QUARTIERS_MODE=consultation" in public
    # started by the one launcher: loopback, no file watcher; the public one with no upload
    assert "ExecStart=/srv/quartiers/.venv/bin/python /srv/quartiers/scripts/serve.py --port %i --public\n" in public
    assert "ExecStart=/srv/quartiers/.venv/bin/python /srv/quartiers/scripts/serve.py --port %i\n" in unit
    assert "User=quartiers-public" in public and "EnvironmentFile=/etc/quartiers/public.env" in public
    assert "quartiers.env" not in public.split("[Service]")[1]
    # every app process refuses a Host nobody named (overridden by the environment files)
    for text in (unit, public):
        assert "Environment=STREAMLIT_SERVER_ALLOWED_HOSTS=localhost" in text
    # the migrate step grants the read-only role its SELECT (data.db.grant_read_role)
    migrate = (ROOT / "deploy" / "systemd" / "quartiers-migrate.service").read_text()
    assert "QUARTIERS_DB_READ_ROLE=quartiers_lecture" in migrate


def test_compose_same_layout_and_proxy_sites_parse():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "migrate", "app1", "app2", "public1", "proxy"} <= set(services)
    assert all(services[s]["read_only"] for s in ("app1", "app2", "public1", "proxy", "migrate"))
    public = services["public1"]
    assert public["environment"]["QUARTIERS_MODE"] == "consultation"
    # the public process reads with the read-only role and takes no upload
    assert public["environment"]["QUARTIERS_DB_URL"].startswith("postgresql://quartiers_lecture:")
    assert public["command"] == [".venv/bin/python", "scripts/serve.py", "--port", "8501", "--address", "0.0.0.0", "--public"]
    assert "command" not in services["app1"]  # the image's CMD: the same launcher, without --public
    assert services["migrate"]["environment"]["QUARTIERS_DB_READ_ROLE"] == "quartiers_lecture"
    assert "CREATE ROLE quartiers_lecture LOGIN" in services["db-roles"]["command"][-1]
    assert services["migrate"]["depends_on"]["db-roles"] == {"condition": "service_completed_successfully"}
    # host names: nginx's server_name and the processes' allowedHosts from the same variable; the
    # apps believe X-Real-IP from the proxy's fixed address only
    for name in ("app1", "app2", "public1"):
        env = services[name]["environment"]
        assert env["STREAMLIT_SERVER_ALLOWED_HOSTS"] == "${QUARTIERS_HOSTS:-localhost 127.0.0.1}"
        assert env["QUARTIERS_TRUSTED_PROXIES"] == services["proxy"]["networks"]["quartiers"]["ipv4_address"]
    command = services["proxy"]["command"][-1]
    assert '--server-name "$$QUARTIERS_HOSTS"' in command
    assert services["proxy"]["environment"]["QUARTIERS_HOSTS"] == "${QUARTIERS_HOSTS:-localhost 127.0.0.1}"
    sites = re.findall(r"--site (\S+)", command)
    parsed = [deploy_nginx.parse_site(s) for s in sites]
    assert parsed == [("equipe", "80", ["app1:8501", "app2:8501"]), ("public", "8081", ["public1:8501"])]
    docker = (ROOT / "deploy" / "Dockerfile").read_text()
    assert "chmod -R a-w /srv/quartiers" in docker and "QUARTIERS_VAR_DIR=/var/lib/quartiers" in docker


def test_leaflet_committed_and_identical_to_its_package():
    import xstatic.pkg.leaflet as xleaflet

    src, dst = Path(xleaflet.BASE_DIR), ROOT / "static" / "vendor" / "leaflet"
    names = ["leaflet.js", "leaflet.css", *[f"images/{p.name}" for p in (src / "images").glob("*.png")]]
    assert len(names) >= 7
    for name in names:
        assert filecmp.cmp(src / name, dst / name, shallow=False), name
    tracked = subprocess.run(["git", "ls-files", "static/vendor/leaflet"], cwd=ROOT, capture_output=True, text=True).stdout
    assert "static/vendor/leaflet/leaflet.js" in tracked and "PROVENANCE.md" in tracked


def test_nothing_in_the_app_writes_next_to_the_code():
    """The default SQLite file is the one write; it follows QUARTIERS_VAR_DIR. No other code path
    creates files or folders (the old Leaflet copy into static/ is gone)."""
    import os

    from data import followup

    os.environ["QUARTIERS_VAR_DIR"] = "/var/lib/quartiers-test"
    try:
        assert followup.default_db() == "sqlite:////var/lib/quartiers-test/suivi.sqlite3"
    finally:
        del os.environ["QUARTIERS_VAR_DIR"]
    writers = re.compile(r"\.mkdir\(|copytree|\.write_text\(|\.write_bytes\(|open\([^)]*['\"][wa]b?['\"]")
    offenders = []
    for folder in ("app.py", "pages", "ui", "data"):
        for f in [ROOT / folder] if folder.endswith(".py") else (ROOT / folder).rglob("*.py"):
            for n, line in enumerate(f.read_text().splitlines(), 1):
                if writers.search(line) and "cli" not in f.name:
                    offenders.append(f"{f.relative_to(ROOT)}:{n}: {line.strip()}")
    # the one allowed: the SQLite file's folder, under QUARTIERS_VAR_DIR, made by the migration
    # (data/db.py; the command line's own output files are the user's choice, data/cli.py)
    assert [o for o in offenders if not o.startswith("data/db.py")] == [], offenders


TEAM_AND_PUBLIC = ("equipe=127.0.0.1:8080@8501,8502", "public=127.0.0.1:8081@8601")


def test_nginx_logs_format_has_no_request_line(tmp_path):
    """Finding 1: « $request » put /_stcore/upload_file/<session id>/… and query strings in the log."""
    conf = rendered(*TEAM_AND_PUBLIC)
    nginx_accepts(conf, tmp_path)
    fmt = re.search(r"(?s)log_format quartiers (.*?);\n", conf)[1]
    allowed = {
        "$remote_addr",
        "$time_local",
        "$request_method",
        "$quartiers_log_path",
        "$server_protocol",
        "$status",
        "$body_bytes_sent",
        "$upstream_addr",
        "$quartiers_route_log",
        "$request_time",
        "$upstream_status",
    }
    assert set(re.findall(r"\$\w+", fmt)) <= allowed, set(re.findall(r"\$\w+", fmt)) - allowed
    for block in servers(conf):
        # every server logs with that format, and nginx's error messages (which quote the request
        # line) only from « crit » up
        assert "access_log /dev/null quartiers;" in block and "error_log /dev/null crit;" in block, block[:300]
    directives = "\n".join(line.split("#")[0] for line in conf.splitlines())
    assert not re.search(r"\$(request|request_uri|args|query_string|is_args|arg_\w+)\b", directives)


def test_nginx_sites_uploads_internal_routes_and_rates():
    conf = rendered(*TEAM_AND_PUBLIC)
    blocks = [b for b in servers(conf) if "return 444;" not in b]
    team, public = (next(b for b in blocks if f"quartiers_{name};" in b) for name in ("equipe", "public"))
    for block in (team, public):
        assert "server_tokens off;" in block and "proxy_set_header X-Real-IP $remote_addr;" in block
        # finding 2: no route takes a body but the team site's upload route
        assert "\n    client_max_body_size 16k;" in block
        # finding 3: Streamlit's metrics and agent API refused, host-config answered by nginx
        assert "return 404;" in location(block, "^~ /_stcore/metrics")
        assert "return 404;" in location(block, "^~ /_stcore/agent")
        answer = re.search(r"return 200 '(.*)';", location(block, "^~ /_stcore/host-config"))[1]
        assert json.loads(answer) == deploy_nginx.HOST_CONFIG and deploy_nginx.HOST_CONFIG["allowedOrigins"] == []
        # finding 5: new websockets counted per address (loopback exempt)
        assert "limit_req zone=quartiers_stream burst=100 nodelay;" in location(block, "= /_stcore/stream")
    # team: imports up to the app's 5 MB (+ multipart envelope); single sign-on routes rate-limited
    upload = location(team, "^~ /_stcore/upload_file/")
    assert "client_max_body_size 6m;" in upload and "proxy_pass http://quartiers_equipe;" in upload
    for head in ("^~ /auth/", "^~ /oauth2callback"):
        assert "limit_req zone=quartiers_auth burst=20 nodelay;" in location(team, head)
    # public: no upload route at all, no sign-in route
    for head in ("^~ /_stcore/upload_file", "^~ /auth/", "^~ /oauth2callback"):
        assert "return 404;" in location(public, head) and "proxy_pass" not in location(public, head)
    assert "6m" not in public
    # the zones: per address, loopback given an empty key (not counted: bench/cluster.py opens 60
    # sessions from 127.0.0.1)
    assert "limit_req_zone $quartiers_limit_key zone=quartiers_stream:10m rate=2r/s;" in conf
    assert "limit_req_zone $binary_remote_addr zone=quartiers_auth:10m rate=10r/m;" in conf
    assert re.search(r"geo \$quartiers_loopback \{[^}]*127\.0\.0\.1/32 1;[^}]*::1/128 +1;", conf)
    assert re.search(r'map \$quartiers_loopback \$quartiers_limit_key \{\s*1\s+"";\s*default \$binary_remote_addr;', conf)


def test_host_config_is_what_streamlit_answers_with_no_origin():
    """nginx's answer has the keys and values of the installed Streamlit's own, and the app is
    configured the same way (.streamlit/config.toml)."""
    import asyncio

    from starlette.requests import Request
    from streamlit.web.server.starlette.starlette_routes import create_host_config_routes

    scope = {"type": "http", "method": "GET", "headers": [], "path": "/_stcore/host-config", "query_string": b""}
    scope |= {"server": ("127.0.0.1", 80), "scheme": "http", "root_path": ""}
    # in a thread of its own: an earlier test of the same run (browser, AppTest) may leave an event
    # loop running in this one, where asyncio.run() refuses to start
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        answer = pool.submit(asyncio.run, create_host_config_routes(None)[0].endpoint(Request(scope))).result()
    own = json.loads(answer.body)
    assert set(own) == set(deploy_nginx.HOST_CONFIG)
    assert {k: v for k, v in own.items() if k != "allowedOrigins"} == {
        k: v for k, v in deploy_nginx.HOST_CONFIG.items() if k != "allowedOrigins"
    }
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["allowedOrigins"] == []
    # uploads: the app takes at most an import's size, nginx a little more for the envelope
    from data.csvio import MAX_IMPORT_BYTES

    assert config["server"]["maxUploadSize"] == 5 and MAX_IMPORT_BYTES <= 5 * 2**20
    # started by hand (scripts/run.sh), the app listens on loopback only unless told otherwise
    assert config["server"]["address"] == "127.0.0.1"


def test_nginx_other_host_names_closed():
    """Finding 4 (DNS rebinding): a default server on every listen socket closes the connection."""
    conf = rendered(*TEAM_AND_PUBLIC, server_names=["tableau.agglo.fr", "127.0.0.1"])
    defaults = [b for b in servers(conf) if "return 444;" in b]
    listens = sorted(re.findall(r"listen (\S+) default_server;", conf))
    assert listens == ["127.0.0.1:8080", "127.0.0.1:8081"] and len(defaults) == 2
    for block in defaults:
        assert "server_name _;" in block and "server_tokens off;" in block and "proxy_pass" not in block
    assert conf.count("server_name tableau.agglo.fr 127.0.0.1;") == 2
    assert deploy_nginx.parse_server_names("Tableau.Agglo.fr, 127.0.0.1") == ["tableau.agglo.fr", "127.0.0.1"]
    for bad in ("_", "", "a;b", "exemple.fr/x"):
        with pytest.raises(SystemExit, match="--server-name"):
            deploy_nginx.parse_server_names(bad)
    with pytest.raises(SystemExit):  # the command line asks for them
        deploy_nginx.main(["--site", "equipe=8080@8501", "--streamlit-static", "/tmp"])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ask(port: int, method: str, path: str, host: str = "localhost", body: bytes | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"Host": host})
        r = conn.getresponse()
        return r.status, r.read()
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        return None, b""
    finally:
        conn.close()


def test_nginx_behaviour_in_front_of_a_stub(tmp_path):
    """The rendered configuration in a real nginx, in front of a stub app that records what reaches
    it: ids and query strings masked in the logs, uploads refused on the public site and above
    6 MB on the team site, internal routes and other Host names never reach the app."""
    if not Path(NGINX).exists():
        pytest.fail("nginx introuvable : installez le paquet Debian « nginx »")
    seen: list[tuple[str, str]] = []

    class Stub(BaseHTTPRequestHandler):
        def _answer(self):
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            seen.append((self.command, self.path))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, *args):
            pass

    stub = ThreadingHTTPServer(("127.0.0.1", 0), Stub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    team, public = _free_port(), _free_port()
    app = stub.server_address[1]
    site = rendered(
        f"equipe=127.0.0.1:{team}@{app}",
        f"public=127.0.0.1:{public}@{app}",
        access_log=str(tmp_path / "access.log"),
        error_log=str(tmp_path / "error.log"),
    )
    import os

    (tmp_path / "nginx-tmp").mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(deploy_nginx.standalone(site, str(tmp_path), "root" if os.geteuid() == 0 else ""))
    nginx = [NGINX, "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")]
    subprocess.run(nginx, check=True, capture_output=True)
    session, file_id = "1b4e28ba-2fa1-11d2-883f-0016d3cca427", "6fa459ea-ee8a-3ca4-894e-db77e160355e"
    try:
        for _ in range(50):
            if _ask(team, "GET", "/healthz")[0] == 200:
                break
            time.sleep(0.1)
        assert _ask(team, "GET", "/fiche?q=clos-des-roses")[0] == 200
        assert _ask(team, "GET", "/oauth2callback?code=secret-code&state=etat")[0] == 200
        assert _ask(team, "GET", "/media/" + "ab12" * 14 + ".png")[0] == 200
        assert _ask(team, "GET", "/component/carte/0123456789abcdef0123/index.html")[0] == 200
        assert _ask(team, "PUT", f"/_stcore/upload_file/{session}/{file_id}", body=b"x" * 2**20)[0] == 200
        assert _ask(team, "PUT", f"/_stcore/upload_file/{session}/{file_id}", body=b"x" * 7 * 2**20)[0] == 413
        assert _ask(public, "PUT", f"/_stcore/upload_file/{session}/{file_id}", body=b"x" * 2**20)[0] == 413
        assert _ask(public, "PUT", f"/_stcore/upload_file/{session}/{file_id}", body=b"x")[0] == 404
        assert _ask(public, "GET", "/auth/login")[0] == 404
        for port in (team, public):
            assert _ask(port, "GET", "/_stcore/metrics")[0] == 404
            assert _ask(port, "GET", "/_stcore/agent/openapi.json")[0] == 404
            status, body = _ask(port, "GET", "/_stcore/host-config")
            assert status == 200 and json.loads(body) == deploy_nginx.HOST_CONFIG
            assert _ask(port, "GET", "/", host="rebind.example")[0] is None
    finally:
        subprocess.run([*nginx, "-s", "quit"], capture_output=True)
        for _ in range(50):
            if not (tmp_path / "nginx.pid").exists():
                break
            time.sleep(0.1)
        stub.shutdown()
    # what reached the app: no internal route, no public upload, nothing for another Host
    paths = [p for _, p in seen]
    assert not [p for p in paths if "metrics" in p or "agent" in p or "host-config" in p or "auth/login" in p], paths
    assert [m for m, p in seen if "upload_file" in p] == ["PUT"]  # the team site's 1 MB upload only
    access, errors = (tmp_path / "access.log").read_text(), (tmp_path / "error.log").read_text()
    assert '"PUT /_stcore/upload_file/:id HTTP/1.1" 413' in access and '"GET /media/:id HTTP/1.1" 200' in access
    assert '"GET /component/carte/:id HTTP/1.1" 200' in access and '"GET /fiche HTTP/1.1" 200' in access
    for text in (access, errors):
        assert session not in text and file_id not in text and "ab12ab12" not in text
        assert "?" not in text and "secret-code" not in text and "clos-des-roses" not in text
        assert not re.search(r"[0-9a-f]{16}", text)


# --- one launcher ---------------------------------------------------------------------------------
def _serve(*args: str) -> list[str]:
    """What `python scripts/serve.py ARGS` runs."""
    out = subprocess.run([sys.executable, str(ROOT / "scripts" / "serve.py"), *args, "--print"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return shlex.split(out.stdout)


def test_one_launcher_keeps_every_process_as_it_was():
    """scripts/serve.py builds the command line each launcher used to write out: the same flags."""
    from scripts.serve import command

    app, py = str(ROOT / "app.py"), sys.executable
    base = [py, "-m", "streamlit", "run", app]
    common = ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
    deployed = [*common, "--server.fileWatcherType", "none"]
    # the browser tests (watcher on, as before), the benchmarks
    assert command(port=8642, watch=True, extra=("--x.y", "1")) == [
        *base,
        "--server.port",
        "8642",
        "--server.address",
        "127.0.0.1",
        *common,
        "--x.y",
        "1",
    ]
    assert command(port=8642) == [*base, "--server.port", "8642", "--server.address", "127.0.0.1", *deployed]
    # systemd and deploy/local.sh: a team process, a public one (no upload), host names passed through
    assert _serve("--port", "8501") == [*base, "--server.port", "8501", "--server.address", "127.0.0.1", *deployed]
    assert _serve("--port", "8601", "--public", "--server.allowedHosts", "a.fr") == [
        *base,
        "--server.port",
        "8601",
        "--server.address",
        "127.0.0.1",
        *deployed,
        "--server.maxUploadSize",
        "1",
        "--server.allowedHosts",
        "a.fr",
    ]
    # the Dockerfile's CMD: every interface inside the container
    cmd = re.search(r"^CMD \[(.*)\]$", (ROOT / "deploy" / "Dockerfile").read_text(), re.M).group(1)
    args = json.loads(f"[{cmd}]")
    assert args[:2] == [".venv/bin/python", "scripts/serve.py"]
    assert _serve(*args[2:]) == [*base, "--server.port", "8501", "--server.address", "0.0.0.0", *deployed]
    # scripts/run.sh: loopback by default, code reloaded when edited; an address given replaces it
    run_sh = (ROOT / "scripts" / "run.sh").read_text()
    assert 'exec .venv/bin/python scripts/serve.py --watch "$@"' in run_sh
    assert _serve("--watch") == [*base, "--server.address", "127.0.0.1", *common]
    assert _serve("--watch", "--server.port", "8502", "--server.address", "0.0.0.0") == [
        *base,
        *common,
        "--server.port",
        "8502",
        "--server.address",
        "0.0.0.0",
    ]


def test_no_launcher_builds_its_own_command_line():
    """Every place that starts the app goes through scripts/serve.py (its flags in one spot)."""
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    code = [
        p for p in tracked if p.endswith((".py", ".sh", ".yaml", ".yml", ".service", ".toml", ".in")) or p.endswith("Dockerfile")
    ]
    own = re.compile(r"streamlit\W{0,6}run\b|-m\W{0,4}streamlit\b")
    # (this file writes the former command lines out, to compare)
    found = [
        p for p in code if p not in ("scripts/serve.py", "tests/test_deploy.py") and own.search((ROOT / p).read_text("utf-8"))
    ]
    assert found == []
    launchers = [
        "scripts/run.sh",
        "deploy/local.sh",
        "deploy/Dockerfile",
        "deploy/compose.yaml",
        "deploy/systemd/quartiers@.service",
        "deploy/systemd/quartiers-public@.service",
        "tests/e2e/conftest.py",
        "bench/common.py",
    ]
    assert [p for p in launchers if "serve" not in (ROOT / p).read_text()] == []
    assert 'scripts/serve.py" --port "$port"' in (ROOT / "deploy" / "local.sh").read_text()


def test_the_launcher_starts_the_app_in_its_own_process(tmp_path):
    """`python scripts/serve.py --port P --public` becomes the Streamlit server itself (exec: the pid a
    service manager or local.sh's pid file holds), answering on loopback."""
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "QUARTIERS_TILES": "",
        "QUARTIERS_MODE": "consultation",
        "QUARTIERS_DB_URL": f"sqlite:///{tmp_path / 'suivi.sqlite3'}",
    }
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve.py"), "--port", str(port), "--public"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 60
        while True:
            assert proc.poll() is None, f"arrêté (code {proc.returncode})"
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                assert time.time() < deadline, "pas de réponse sur /_stcore/health après 60 s"
                time.sleep(0.3)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
        assert b"streamlit" in cmdline and b"run" in cmdline and b"--server.maxUploadSize" in cmdline
        assert Path(f"/proc/{proc.pid}/cwd").resolve() == ROOT  # .streamlit/config.toml is read from there
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
