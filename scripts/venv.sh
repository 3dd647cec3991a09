# Sourced by scripts/run.sh and scripts/test.sh: create or reuse the project's virtual environment
# (.venv/) and install a requirements file into it. Debian's own python3 refuses system-wide pip
# installs (PEP 668) and may lack venv/ensurepip: the Debian package python3-venv brings them.
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

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
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$1"
}
