#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine, then runs the whole suite: the fast
# (non-browser) tests first, then the browser tests. `bash scripts/test.sh tests/test_x.py` runs only those.
#   - Python packages into .venv/ (requirements-test.txt: the app's packages + pytest, Playwright, ruff…)
#   - Debian's chromium, in its headless build (chromium-headless-shell: the browser engine without the
#     desktop shell, a quarter less work per page), for the browser tests (Playwright drives it; it never
#     downloads one)
#   - a PostgreSQL server (Debian's postgresql) for the follow-up database tests, started here
#   - Debian's nginx for the deployment tests (deploy/local.sh starts its own, on loopback)
# A missing browser or database makes those tests fail, never skip.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)

. scripts/venv.sh
need=()
[ -x /usr/bin/chromium-headless-shell ] || need+=(chromium-headless-shell)
ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
[ -x /usr/sbin/nginx ] || need+=(nginx)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# PostgreSQL: the distribution's cluster, a role and an empty test database
PGVER=$(ls /usr/lib/postgresql | sort -n | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main" || $SUDO pg_createcluster "$PGVER" main >/dev/null
$SUDO pg_ctlcluster "$PGVER" main start 2>/dev/null || true
PGPORT=$(pg_lsclusters -h | awk -v v="$PGVER" '$1==v && $2=="main" {print $3}')
pgsql() { $SUDO su postgres -c "psql -p $PGPORT -tAc \"$1\""; }
[ "$(pgsql "SELECT 1 FROM pg_roles WHERE rolname='quartiers'")" = "1" ] || pgsql "CREATE ROLE quartiers LOGIN PASSWORD 'quartiers'" >/dev/null
[ "$(pgsql "SELECT 1 FROM pg_database WHERE datname='quartiers_test'")" = "1" ] || pgsql "CREATE DATABASE quartiers_test OWNER quartiers" >/dev/null
# the suite runs on several processes (pytest-xdist): each creates its own database next to this one
pgsql "ALTER ROLE quartiers CREATEDB" >/dev/null
export QUARTIERS_TEST_PG_URL="postgresql://quartiers:quartiers@127.0.0.1:$PGPORT/quartiers_test"
ensure_venv requirements-test.txt
# the project's own modules compiled once: with PYTHONDONTWRITEBYTECODE set (as on this machine) every
# process — a server, a command, a test worker — would otherwise compile them again
.venv/bin/python -m compileall -q -j 0 app.py data ui pages scripts >/dev/null

echo "ruff : lint et format"
.venv/bin/ruff check .
.venv/bin/ruff format --check .

mkdir -p artifacts
# Named tests (a path, a file::test) are run as asked, in one pytest, after mypy.
for arg in "$@"; do
  case "$arg" in -*) ;; *) if [ -e "${arg%%::*}" ]; then
    echo "mypy : types de data/ et ui/"
    .venv/bin/mypy
    exec .venv/bin/python -m pytest -q "$@"
  fi ;; esac
done
# The whole suite, fast suites first: a data or wording fault shows in the first minutes, before the
# browser tests. Both parts always run (every failure is reported); the exit code is non-zero if either
# failed. Options (-x, -k …) go to both; a part where -k selects nothing (pytest's code 5) is not a failure.
# Each part on several processes (pytest-xdist; each its own database, servers and browser): the fast
# suites on one per core; the browser suites on one more, for the tests that wait (idle resets, sign-in
# redirects) while the cores work (BENCHMARKS.md § 6). QUARTIERS_TEST_WORKERS=1 runs them in one process.
cores=$(nproc 2>/dev/null || echo 2)
fast_workers=${QUARTIERS_TEST_WORKERS:-$cores}
browser_workers=${QUARTIERS_TEST_WORKERS:-$((cores + 1))}
run_part() {
  local code=0
  .venv/bin/python -m pytest -q "$@" || code=$?
  [ "$code" -eq 5 ] && code=0
  return "$code"
}
status=0
start=$(date +%s)
# mypy (one process, ≈ 30 s of CPU on a fresh clone: no cache) checks the types at the lowest priority
# (nice 19): it takes only what the tests leave of the cores (the fast suites' processes leave ≈ 15 %), so it
# no longer slows them. Its verdict is printed as soon as it is known — after the fast suites, or after the
# browser suites if it is still running then — and counts like theirs.
nice -n 19 .venv/bin/mypy >artifacts/mypy.txt 2>&1 &
mypy_pid=$!
mypy_said=0
mypy_verdict() {
  echo "mypy : types de data/ et ui/"
  wait "$mypy_pid" || status=1
  cat artifacts/mypy.txt
  mypy_said=1
}
echo "pytest : tests rapides (données, libellés, exports, base) — hors navigateur, $fast_workers processus ; mypy à côté"
# --dist worksteal: a worker that is done takes tests queued on the other (a few tests last 5–11 s; with
# xdist's fixed shares one worker idled at the end: 118 → 111 s, measured side by side)
run_part tests --ignore=tests/e2e -n "$fast_workers" --dist worksteal "$@" || status=1
if kill -0 "$mypy_pid" 2>/dev/null; then
  echo "mypy : encore en cours (priorité basse), son verdict suit les tests dans Chromium"
else
  mypy_verdict
fi
middle=$(date +%s)
echo "pytest : tests dans Chromium (tests/e2e), $browser_workers processus"
# --dist loadgroup: the tests of a group (tests/e2e/conftest.py: a module, test_public in two) run on one worker
run_part tests/e2e -n "$browser_workers" --dist loadgroup "$@" || status=1
[ "$mypy_said" -eq 1 ] || mypy_verdict
end=$(date +%s)
echo "durées : mise en place, ruff $((start - t0)) s ; tests rapides (mypy à côté) $((middle - start)) s ; tests dans Chromium $((end - middle)) s ; en tout $((end - t0)) s"
exit "$status"
