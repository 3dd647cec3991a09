"""The deployment files (deploy/): the nginx configuration accepted by Debian's nginx, with sticky
sessions, websockets and the security headers; systemd units accepted by systemd; the compose
file's proxy command names real sites; Leaflet committed and identical to its package; nothing in
the app writes next to the code. The running cluster is tested in tests/e2e/test_cluster.py."""

from __future__ import annotations

import filecmp
import re
import shutil
import subprocess
import sys
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
    return deploy_nginx.render([deploy_nginx.parse_site(s) for s in sites], **kw)


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
    conf = rendered("public=443@8601,8602", tls_cert=str(cert), tls_key=str(key), tiles_host="tile.openstreetmap.org")
    nginx_accepts(conf, tmp_path)
    assert "listen 443 ssl;" in conf and f"ssl_certificate {cert};" in conf
    assert "SameSite=Lax; Secure" in conf and "Strict-Transport-Security" in conf
    assert "img-src 'self' data: blob: https://tile.openstreetmap.org;" in conf


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
    out = subprocess.run(
        [
            "systemd-analyze",
            "verify",
            "--man=no",
            *(str(tmp_path / u) for u in ("quartiers@8501.service", "quartiers-migrate.service", "quartiers.target")),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stderr.strip() == "", out.stderr
    unit = (ROOT / "deploy" / "systemd" / "quartiers@.service").read_text()
    assert (
        "ProtectSystem=strict" in unit and "StateDirectory=quartiers" in unit and "QUARTIERS_VAR_DIR=/var/lib/quartiers" in unit
    )


def test_compose_same_layout_and_proxy_sites_parse():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    assert {"db", "migrate", "app1", "app2", "public1", "proxy"} <= set(services)
    assert all(services[s]["read_only"] for s in ("app1", "app2", "public1", "proxy", "migrate"))
    assert services["public1"]["environment"]["QUARTIERS_MODE"] == "consultation"
    command = services["proxy"]["command"][-1]
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
