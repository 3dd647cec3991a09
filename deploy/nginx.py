"""Render the nginx configuration of a Quartiers 2030 deployment from deploy/nginx/*.conf.in.

One team site (sign-in, writes) and/or one public consultation site, each in front of its own pool
of Streamlit processes on loopback ports, all sharing one PostgreSQL. Standard library only: it
runs on the server with Debian's python3, before any virtual environment exists.

    python3 deploy/nginx.py --site equipe=127.0.0.1:8080@8501,8502 \\
        --site public=0.0.0.0:443@8601,8602 --tls-cert /etc/ssl/… --tls-key /etc/ssl/… \\
        --server-name "tableau.agglo.fr" \\
        --streamlit-static /srv/quartiers/.venv/lib/python3.11/site-packages/streamlit/static \\
        --code-dir /srv/quartiers --access-log /var/log/nginx/quartiers.log > quartiers.conf

The site named « equipe » is the team site (sign-in, single sign-on routes, the import upload
route); every other site is a consultation site (no upload, no sign-in route). Requests for any
Host but the --server-name ones are closed unanswered (a default server per listen socket).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PLACEHOLDER = re.compile(r"@[A-Z_]+@")


def fill(template: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        template = template.replace(f"@{key}@", value)
    left = PLACEHOLDER.findall(template)
    if left:
        raise SystemExit(f"nginx.py : paramètre non rempli {sorted(set(left))}")
    return template


BACKEND = r"(?:[a-z0-9][a-z0-9.-]*:)?\d+"
TEAM_SITE = "equipe"  # the one site with uploads (imports) and Streamlit's single sign-on routes
HOST_NAME = re.compile(r"(?:\*\.)?[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?")

# What /_stcore/host-config answers (nginx, both sites): Streamlit 1.67's keys
# (streamlit/web/server/starlette/starlette_routes.py, create_host_config_routes) with no outside
# origin allowed to drive the app from a frame (.streamlit/config.toml says the same).
HOST_CONFIG = {
    "allowedOrigins": [],
    "useExternalAuthToken": False,
    "enableCustomParentMessages": False,
    "enforceDownloadInNewTab": False,
    "metricsUrl": "",
    "blockErrorDialogs": False,
    "resourceCrossOriginMode": None,
}


def parse_site(text: str) -> tuple[str, str, list[str]]:
    """« nom=adresse:port@app,app » → (nom, adresse:port, [hôte:port]); an app is a loopback port
    (« 8501 ») or a host and port (« app1:8501 », containers)."""
    m = re.fullmatch(rf"([a-z][a-z0-9_]*)=((?:[0-9.]+|\[[0-9a-f:]+\]|\*):)?(\d+)@({BACKEND}(?:,{BACKEND})*)", text)
    if not m:
        raise SystemExit(f"nginx.py : --site attendu sous la forme nom=127.0.0.1:8080@8501,8502, reçu « {text} »")
    apps = [a if ":" in a else f"127.0.0.1:{a}" for a in m[4].split(",")]
    return m[1], f"{m[2] or ''}{m[3]}", apps


def parse_server_names(text: str) -> list[str]:
    """« tableau.agglo.fr 127.0.0.1 » → the host names nginx answers (the Streamlit processes get the
    same list: --server.allowedHosts). Lower case; « *.example.fr » allowed; no catch-all « _ »."""
    names = text.lower().replace(",", " ").split()
    bad = [n for n in names if not HOST_NAME.fullmatch(n)]
    if not names or bad:
        raise SystemExit(
            "nginx.py : --server-name attend les noms d'hôte du déploiement (ex. « tableau.agglo.fr » ou "
            f"« localhost 127.0.0.1 »), reçu « {text} »"
        )
    return names


def streamlit_static_dir() -> str:
    import streamlit  # only when not given: the venv's python knows where its package is

    return str(Path(streamlit.__file__).parent / "static")


def render(
    sites: list[tuple[str, str, list[str]]],
    *,
    streamlit_static: str,
    code_dir: str,
    access_log: str,
    server_names: list[str],
    error_log: str = "/var/log/nginx/quartiers-error.log",
    tls_cert: str = "",
    tls_key: str = "",
    tiles_host: str = "",
) -> str:
    tls = bool(tls_cert and tls_key)
    if not server_names:
        raise SystemExit("nginx.py : --server-name est obligatoire (les noms d'hôte du déploiement)")
    ssl = " ssl" if tls else ""
    logs = {"ACCESS_LOG": access_log, "ERROR_LOG": error_log}
    upstreams, servers = [], []
    for name, listen, apps in sites:
        pool = f"quartiers_{name}"
        lines = [f"upstream {pool} {{", "    hash $quartiers_route consistent;"]
        # passive health check (open-source nginx): one failed connection takes the process out
        # for 10 s, and the request is retried on the next process (proxy_next_upstream)
        lines += [f"    server {app} max_fails=1 fail_timeout=10s;" for app in apps]
        # idle upstream connections closed by nginx before the app's server closes them (uvicorn:
        # 5 s); otherwise a request sent on a connection the app is closing fails, and max_fails=1
        # takes a healthy process out for 10 s (seen in the cluster test)
        lines += ["    keepalive 32;", "    keepalive_timeout 3s;", "}"]
        upstreams.append("\n".join(lines))
        # any other Host on this socket (DNS rebinding, scanners): closed unanswered; under TLS the
        # handshake itself is refused unless the client names one of ours (SNI)
        servers.append(
            fill(
                (HERE / "nginx" / "default.conf.in").read_text(),
                {
                    "LISTEN": f"listen {listen}{ssl} default_server;",
                    "LISTEN_ADDR": listen,
                    **logs,
                    "TLS": "    ssl_reject_handshake on;\n" if tls else "",
                },
            )
        )
        site_locations = fill(
            (HERE / "nginx" / ("team.conf.in" if name == TEAM_SITE else "public.conf.in")).read_text(),
            {"UPSTREAM": pool},
        )
        servers.append(
            fill(
                (HERE / "nginx" / "server.conf.in").read_text(),
                {
                    "SITE_LOCATIONS": site_locations,
                    "LISTEN": f"listen {listen}{ssl};",
                    "SERVER_NAME": " ".join(server_names),
                    **logs,
                    "HOST_CONFIG": json.dumps(HOST_CONFIG, separators=(",", ":")),
                    "TLS": (
                        f"    ssl_certificate {tls_cert};\n    ssl_certificate_key {tls_key};\n"
                        "    ssl_protocols TLSv1.2 TLSv1.3;\n    ssl_session_cache shared:quartiers_tls:10m;\n"
                        if tls
                        else "    # TLS: render with --tls-cert and --tls-key (certificate and key paths)\n"
                    ),
                    "HSTS": (
                        '    add_header Strict-Transport-Security "max-age=31536000" always;\n'
                        # the app's cookies (Streamlit's single sign-on _streamlit_user*, its XSRF
                        # cookie) only over TLS, and never sent by cross-site requests
                        "    proxy_cookie_flags ~ secure samesite=lax;\n"
                        if tls
                        else ""
                    ),
                    "CSP_IMG_EXTRA": f" https://{tiles_host}" if tiles_host else "",
                    "UPSTREAM": pool,
                    "STREAMLIT_STATIC": streamlit_static,
                    "CODE_DIR": code_dir,
                },
            )
        )
    return fill(
        (HERE / "nginx" / "http.conf.in").read_text(),
        {"UPSTREAMS": "\n\n".join(upstreams), "SERVERS": "\n".join(servers), "COOKIE_SECURE": "; Secure" if tls else ""},
    )


def standalone(site_config: str, run_dir: str, user: str = "") -> str:
    """A whole nginx.conf for an nginx started by hand (deploy/local.sh, tests): pid, logs and
    temporary files in run_dir, the site configuration inline."""
    temp = "\n".join(
        f"    {kind}_temp_path {run_dir}/nginx-tmp/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    body = "\n".join("    " + line if line else "" for line in site_config.splitlines())
    return (
        (f"user {user};\n" if user else "")
        + f"worker_processes auto;\npid {run_dir}/nginx.pid;\nerror_log {run_dir}/nginx-error.log warn;\n"
        + "events { worker_connections 4096; }\nhttp {\n    include /etc/nginx/mime.types;\n"
        + "    default_type application/octet-stream;\n    sendfile on;\n"
        + temp
        + "\n"
        + body
        + "\n}\n"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Configuration nginx de Quartiers 2030")
    ap.add_argument(
        "--site",
        action="append",
        required=True,
        help="nom=adresse:port@app,app (répétable) ; app = port en boucle locale ou hôte:port ; le site « equipe » "
        "reçoit les téléversements (imports) et l'authentification unique, tout autre site est un site de consultation",
    )
    ap.add_argument("--streamlit-static", default="", help="dossier static du paquet streamlit installé")
    ap.add_argument("--code-dir", default=str(ROOT), help="dossier du code (pour /app/static)")
    ap.add_argument("--access-log", default="/var/log/nginx/quartiers-access.log")
    ap.add_argument("--error-log", default="/var/log/nginx/quartiers-error.log", help="niveau crit seulement")
    ap.add_argument("--tls-cert", default="")
    ap.add_argument("--tls-key", default="")
    ap.add_argument(
        "--server-name",
        required=True,
        help="noms d'hôte du déploiement, séparés par des espaces (« tableau.agglo.fr » ; local : « localhost 127.0.0.1 ») ; "
        "les processus Streamlit reçoivent les mêmes (--server.allowedHosts)",
    )
    ap.add_argument("--tiles-host", default="", help="hôte des tuiles en ligne, si QUARTIERS_TILES=osm")
    ap.add_argument("--standalone", default="", metavar="RUN_DIR", help="un nginx.conf complet (pid, journaux dans RUN_DIR)")
    ap.add_argument("--user", default="", help="avec --standalone : utilisateur des workers (si lancé en root)")
    a = ap.parse_args(argv)
    site = render(
        [parse_site(s) for s in a.site],
        streamlit_static=a.streamlit_static or streamlit_static_dir(),
        code_dir=a.code_dir,
        access_log=a.access_log,
        error_log=a.error_log,
        server_names=parse_server_names(a.server_name),
        tls_cert=a.tls_cert,
        tls_key=a.tls_key,
        tiles_host=a.tiles_host,
    )
    sys.stdout.write(standalone(site, a.standalone, a.user) if a.standalone else site)


if __name__ == "__main__":
    main()
