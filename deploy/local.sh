#!/usr/bin/env bash
# A local cluster on loopback: nginx in front of N Streamlit processes of the app, one PostgreSQL.
#
#   bash deploy/local.sh up N     # start (N app processes, default 2); returns when all answer
#   bash deploy/local.sh down     # stop exactly what `up` started
#   bash deploy/local.sh status
#
# Installs Debian's nginx and postgresql where missing (like scripts/test.sh) and the app's Python
# packages into .venv/. Nothing is written next to the code: logs, pid files, nginx's files and
# the app's writable directory live in QUARTIERS_RUN_DIR.
#
# Configuration (environment):
#   QUARTIERS_PROXY_PORT   nginx port of the team site (default 8080)
#   QUARTIERS_APP_PORT     first app port, the next ones follow (default 8501)
#   QUARTIERS_PUBLIC_APPS  also start this many consultation processes (default 0) behind
#   QUARTIERS_PUBLIC_PORT  a second nginx site, read-only public screens (default 8081)
#   QUARTIERS_DB_URL       the shared database (default: a « quartiers » database created on
#                          Debian's local PostgreSQL cluster, owned by the role « quartiers »)
#   QUARTIERS_PUBLIC_DB_URL  with QUARTIERS_DB_URL: the consultation processes' address, a role that
#                          can only read (default: a role « quartiers_lecture » on the local cluster,
#                          given SELECT on the published tables by the migrate step)
#   QUARTIERS_DB_READ_ROLE with QUARTIERS_DB_URL: that read-only role's name, for the migrate step
#   QUARTIERS_HOSTS        the host names the sites answer (default « localhost 127.0.0.1 »): nginx's
#                          server_name and the processes' --server.allowedHosts; any other Host is
#                          refused (DNS rebinding)
#   QUARTIERS_RUN_DIR      run directory (default /tmp/quartiers-local)
#   QUARTIERS_READONLY_CODE=1  run each app process with the code directory (and its .venv)
#                          mounted read-only in its own mount namespace (needs root): proves that
#                          nothing is written next to the code; the cluster test uses it
set -euo pipefail
cd "$(dirname "$0")/.."
CODE=$(pwd)
RUN=${QUARTIERS_RUN_DIR:-/tmp/quartiers-local}
PROXY_PORT=${QUARTIERS_PROXY_PORT:-8080}
APP_PORT=${QUARTIERS_APP_PORT:-8501}
PUBLIC_APPS=${QUARTIERS_PUBLIC_APPS:-0}
PUBLIC_PORT=${QUARTIERS_PUBLIC_PORT:-8081}
HOSTS=${QUARTIERS_HOSTS:-localhost 127.0.0.1}
READ_ROLE=quartiers_lecture
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

say() { echo "local.sh : $*"; }
die() { echo "local.sh : $*" >&2; exit 1; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ok() {  # URL, seconds
  local t=0
  until [ "$(curl -s --max-time 2 "$1" 2>/dev/null)" = "ok" ]; do
    t=$((t + 1)); [ $t -gt $(($2 * 2)) ] && return 1; sleep 0.5
  done
}

start_postgres() {
  PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main" || $SUDO pg_createcluster "$PGVER" main >/dev/null
  if ! pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $4}' | grep -qx online; then
    $SUDO pg_ctlcluster "$PGVER" main start
    echo "$PGVER" > "$RUN/started-postgresql"   # `down` stops only what `up` started
  fi
  PGPORT=$(pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $3}')
  pgsql() { $SUDO su postgres -c "psql -p $PGPORT -tAc \"$1\""; }
  [ "$(pgsql "SELECT 1 FROM pg_roles WHERE rolname='quartiers'")" = "1" ] || pgsql "CREATE ROLE quartiers LOGIN PASSWORD 'quartiers'" >/dev/null
  [ "$(pgsql "SELECT 1 FROM pg_database WHERE datname='quartiers'")" = "1" ] || pgsql "CREATE DATABASE quartiers OWNER quartiers" >/dev/null
  DB_URL="postgresql://quartiers:quartiers@127.0.0.1:$PGPORT/quartiers"
  # the consultation processes' role: it logs in and reads what the migrate step grants it (SELECT
  # on the published values), nothing else. A fixed password like the owner's: loopback only, and
  # several local clusters (tests, benchmark) share the role
  [ "$(pgsql "SELECT 1 FROM pg_roles WHERE rolname='$READ_ROLE'")" = "1" ] || pgsql "CREATE ROLE $READ_ROLE LOGIN PASSWORD '$READ_ROLE'" >/dev/null
  PUBLIC_DB_URL="postgresql://$READ_ROLE:$READ_ROLE@127.0.0.1:$PGPORT/quartiers"
}

start_app() {  # port, mode
  local port=$1 mode=$2 ro=() url=$DB_URL extra=() h
  # Host names: the websocket refuses any other (DNS rebinding), as nginx does
  for h in $HOSTS; do extra+=(--server.allowedHosts "$h"); done
  # consultation: the read-only role, and no upload (1 MB is Streamlit's minimum; nginx refuses the route)
  [ "$mode" = consultation ] && { url=$PUBLIC_DB_URL; extra+=(--public); }
  port_busy "$port" && die "le port $port est déjà occupé (QUARTIERS_APP_PORT pour en choisir d'autres)"
  if [ "${QUARTIERS_READONLY_CODE:-0}" = 1 ]; then
    # unshare execs (same pid); sh mounts the code read-only for this process only, then execs python
    ro=(unshare --mount sh -c 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && shift && exec "$@"' "$CODE" _)
  fi
  env QUARTIERS_DB_URL="$url" QUARTIERS_MODE="$mode" QUARTIERS_VAR_DIR="$RUN/var" \
      QUARTIERS_TILES="${QUARTIERS_TILES:-}" PYTHONDONTWRITEBYTECODE=1 \
      STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$RUN/cookie-secret")" \
    nohup "${ro[@]}" "$CODE/.venv/bin/python" "$CODE/scripts/serve.py" --port "$port" "${extra[@]}" \
      >"$RUN/app-$port.log" 2>&1 &
  echo $! > "$RUN/app-$port.pid"
}

up() {
  local n=${1:-2}
  [[ "$n" =~ ^[1-9][0-9]?$ ]] || die "nombre de processus invalide « $n » (1 à 99)"
  [ -e "$RUN/nginx.pid" ] && die "un cluster tourne déjà dans $RUN (bash deploy/local.sh down)"
  local need=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || [ -n "${QUARTIERS_DB_URL:-}" ] || need+=(postgresql)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ ${#need[@]} -gt 0 ]; then
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
    # Debian starts its own nginx on port 80 after install: not ours, leave it as the admin wants
  fi
  . scripts/venv.sh
  ensure_venv requirements.txt

  mkdir -p "$RUN/var" "$RUN/nginx-tmp"
  port_busy "$PROXY_PORT" && die "le port $PROXY_PORT est déjà occupé (QUARTIERS_PROXY_PORT pour en choisir un autre)"
  DB_URL=${QUARTIERS_DB_URL:-}
  PUBLIC_DB_URL=${QUARTIERS_PUBLIC_DB_URL:-$DB_URL}
  if [ -n "$DB_URL" ]; then READ_ROLE=${QUARTIERS_DB_READ_ROLE:-}; else start_postgres; fi
  if [ "$PUBLIC_APPS" -gt 0 ] && [ "$PUBLIC_DB_URL" = "$DB_URL" ]; then
    say "attention : les processus de consultation utilisent le rôle propriétaire de la base (QUARTIERS_PUBLIC_DB_URL pour un rôle en lecture seule)"
  fi
  # one cookie secret for all processes (Streamlit's XSRF token must validate on any of them)
  [ -s "$RUN/cookie-secret" ] || .venv/bin/python -c "import secrets; print(secrets.token_hex(32))" > "$RUN/cookie-secret"
  chmod 600 "$RUN/cookie-secret"
  # schema created or upgraded once by Alembic, before the processes start (never at page load)
  # …and the read-only role given SELECT on the published tables only (data.db.grant_read_role)
  QUARTIERS_DB_URL="$DB_URL" QUARTIERS_DB_READ_ROLE="$READ_ROLE" QUARTIERS_VAR_DIR="$RUN/var" \
    .venv/bin/python -m data.cli migrate >/dev/null \
    || die "base de données injoignable ou refusée (voir ci-dessus)"
  echo "$DB_URL" > "$RUN/db-url"; chmod 600 "$RUN/db-url"   # for `python -m data.cli user add` on this cluster
  echo "$PUBLIC_DB_URL" > "$RUN/db-url-public"; chmod 600 "$RUN/db-url-public"

  local ports=() public=() sites
  for i in $(seq 0 $((n - 1))); do ports+=($((APP_PORT + i))); done
  for i in $(seq 0 $((PUBLIC_APPS - 1))); do public+=($((APP_PORT + n + i))); done
  for p in "${ports[@]}" "${public[@]}"; do
    [ "$p" = "$PROXY_PORT" ] || [ "$p" = "$PUBLIC_PORT" ] && die "le port $p serait à la fois celui de nginx et d'un processus (QUARTIERS_APP_PORT, QUARTIERS_PROXY_PORT, QUARTIERS_PUBLIC_PORT)"
  done
  for p in "${ports[@]}"; do start_app "$p" equipe; done
  for p in "${public[@]}"; do start_app "$p" consultation; done
  sites=(--site "equipe=127.0.0.1:$PROXY_PORT@$(IFS=,; echo "${ports[*]}")")
  [ ${#public[@]} -gt 0 ] && sites+=(--site "public=127.0.0.1:$PUBLIC_PORT@$(IFS=,; echo "${public[*]}")")
  # nginx's workers run as the user who started it (as root: root, as the clone may be mode 700)
  local user=""; [ "$(id -u)" -eq 0 ] && user=root
  .venv/bin/python deploy/nginx.py "${sites[@]}" --code-dir "$CODE" --server-name "$HOSTS" \
    --access-log "$RUN/access.log" --error-log "$RUN/nginx-error.log" \
    --standalone "$RUN" --user "$user" > "$RUN/nginx.conf"
  local NGINX; NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  "$NGINX" -t -q -c "$RUN/nginx.conf" -p "$RUN" -e "$RUN/nginx-error.log" || die "configuration nginx refusée (voir $RUN/nginx-error.log)"
  "$NGINX" -c "$RUN/nginx.conf" -p "$RUN" -e "$RUN/nginx-error.log"

  for p in "${ports[@]}" "${public[@]}"; do
    wait_ok "http://127.0.0.1:$p/_stcore/health" 90 || { down; die "le processus du port $p ne répond pas (journal : $RUN/app-$p.log)"; }
  done
  wait_ok "http://127.0.0.1:$PROXY_PORT/healthz" 30 || { down; die "nginx ne répond pas sur le port $PROXY_PORT"; }
  say "équipe : http://127.0.0.1:$PROXY_PORT/ (${#ports[@]} processus : ${ports[*]})"
  [ ${#public[@]} -gt 0 ] && say "consultation : http://127.0.0.1:$PUBLIC_PORT/ (${#public[@]} processus : ${public[*]})"
  say "fichiers de travail : $RUN"
}

down() {
  [ -d "$RUN" ] || { say "rien à arrêter ($RUN n'existe pas)"; return 0; }
  local NGINX; NGINX=$(command -v nginx || echo /usr/sbin/nginx)
  if [ -s "$RUN/nginx.pid" ]; then
    "$NGINX" -c "$RUN/nginx.conf" -p "$RUN" -e "$RUN/nginx-error.log" -s quit 2>/dev/null || kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -e "$RUN/nginx.pid" ] || break; sleep 0.1; done
    rm -f "$RUN/nginx.pid"
  fi
  for f in "$RUN"/app-*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  if [ -s "$RUN/started-postgresql" ]; then
    $SUDO pg_ctlcluster "$(cat "$RUN/started-postgresql")" main stop || true
    rm -f "$RUN/started-postgresql"
  fi
  say "arrêté"
}

status() {
  for f in "$RUN"/app-*.pid "$RUN/nginx.pid"; do
    [ -e "$f" ] || continue
    if kill -0 "$(cat "$f")" 2>/dev/null; then say "$(basename "$f" .pid) : en marche"; else say "$(basename "$f" .pid) : arrêté"; fi
  done
}

case "${1:-}" in
  up) shift; up "${1:-2}" ;;
  down) down ;;
  status) status ;;
  *) echo "usage : bash deploy/local.sh up [N] | down | status" >&2; exit 2 ;;
esac
