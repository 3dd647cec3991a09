"""The one command line that starts the app (Streamlit), its flags in one place.

Every launcher goes through it: scripts/run.sh (by hand), the browser tests (tests/e2e/conftest.py),
the benchmarks (bench/common.py), deploy/local.sh, the systemd units, the Dockerfile and the compose
file (tests/test_deploy.py checks that none builds its own).

    python scripts/serve.py [--port N] [--address A] [--public] [--watch] [--print] [streamlit option …]

- loopback (127.0.0.1) unless --address says otherwise (a deployment puts nginx in front);
- the port: --port, else Streamlit's (8501);
- always headless, no usage statistics (also in .streamlit/config.toml, read from the code's
  directory: the launcher runs there);
- no file watcher: a deployed process never reloads its code; --watch for development (run.sh);
- --public: a consultation process takes no upload (--server.maxUploadSize 1, Streamlit's minimum;
  nginx refuses the route anyway);
- any other option goes to Streamlit as given; one the launcher also sets (--server.address 0.0.0.0)
  replaces the launcher's;
- --print: print the command line instead of running it.

Python callers (tests, benchmarks) use `command()` and start the process themselves."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "app.py"
LOOPBACK = "127.0.0.1"
# every process, whoever starts it
ALWAYS = (("--server.headless", "true"), ("--browser.gatherUsageStats", "false"))
NO_WATCHER = ("--server.fileWatcherType", "none")
NO_UPLOAD = ("--server.maxUploadSize", "1")


def _option_names(args: Sequence[str]) -> set[str]:
    return {a.split("=", 1)[0] for a in args if a.startswith("--")}


def command(
    *,
    port: int | str | None = None,
    address: str = LOOPBACK,
    public: bool = False,
    watch: bool = False,
    extra: Sequence[str] = (),
    python: str = sys.executable,
) -> list[str]:
    """`python -m streamlit run <app.py> …` with the app's flags; `extra` last, and an option given
    there replaces the launcher's own."""
    flags: list[tuple[str, str]] = []
    if port is not None:
        flags.append(("--server.port", str(port)))
    if address:
        flags.append(("--server.address", address))
    flags += ALWAYS
    if not watch:
        flags.append(NO_WATCHER)
    if public:
        flags.append(NO_UPLOAD)
    given = _option_names(extra)
    args = [python, "-m", "streamlit", "run", str(APP)]
    for name, value in flags:
        if name not in given:
            args += [name, value]
    return args + list(extra)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="serve.py", description="Démarre le tableau de bord (Streamlit).", allow_abbrev=False)
    parser.add_argument("--port", help="port d'écoute (par défaut celui de Streamlit, 8501)")
    parser.add_argument("--address", default=LOOPBACK, help="adresse d'écoute (par défaut 127.0.0.1)")
    parser.add_argument("--public", action="store_true", help="processus de consultation : aucun dépôt de fichier")
    parser.add_argument("--watch", action="store_true", help="recharger le code modifié (développement)")
    parser.add_argument("--print", action="store_true", dest="print_only", help="afficher la commande sans la lancer")
    opts, extra = parser.parse_known_args(argv)
    args = command(port=opts.port, address=opts.address, public=opts.public, watch=opts.watch, extra=extra)
    if opts.print_only:
        print(shlex.join(args))
        return
    os.chdir(ROOT)  # Streamlit reads .streamlit/config.toml from the working directory
    os.execv(args[0], args)  # the same process (systemd, local.sh's pid file, Docker's PID 1)


if __name__ == "__main__":
    main()
