# Sourced by scripts/run.sh and scripts/test.sh: create or reuse the project's virtual environment
# (.venv/) and install a requirements file into it. Debian's own python3 refuses system-wide pip
# installs (PEP 668) and may lack venv/ensurepip: the Debian package python3-venv brings them.
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
UV_VERSION=0.13.9

ensure_venv() {
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    rm -rf .venv
    if ! python3 -m venv .venv >/dev/null 2>&1; then
      rm -rf .venv
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv .venv
    fi
  fi
  # uv (from PyPI, pinned) installs the same pinned packages as pip would, downloading and unpacking them in
  # parallel, compiled like pip does: ≈ 12 s instead of ≈ 70 s for the tests' packages on a fresh machine (BENCHMARKS.md § 6.2).
  # Where uv cannot (not reachable, an index only pip is set up for), pip does it, as before.
  if .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION" >/dev/null 2>&1 &&
    UV_INDEX_URL="${UV_INDEX_URL:-${PIP_INDEX_URL:-}}" .venv/bin/uv pip install -q --system-certs --compile-bytecode \
      --python .venv/bin/python -r "$1"; then
    return 0
  fi
  echo "uv indisponible : installation par pip (plus lente)" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$1"
}
