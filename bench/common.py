"""Shared helpers for the benchmark: start the app on loopback, Playwright with the network
blocked, medians, machine facts."""

from __future__ import annotations

import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")

# every registered page with the address a visitor opens (ui/registry.py is the one list)
from scripts import serve  # noqa: E402
from ui.registry import PAGES as _REGISTERED  # noqa: E402

_QUERY = {"fiche": "?q=clos-des-roses"}
PAGES = {(p.url_path or "accueil"): (p.path, "/" + p.url_path + _QUERY.get(p.url_path, "")) for p in _REGISTERED}
# the follow-up page writes to a database: the benchmark uses its own throw-away SQLite file
BENCH_DB = f"sqlite:///{RESULTS / 'suivi-bench.sqlite3'}"
REFERENCE = "bench/reference_app.py"  # a standalone one-file app, not a page of the router
PROBE = "bench/router_probe.py"


def migrate_bench_db() -> None:
    """The follow-up schema, by Alembic, as scripts/run.sh does before starting the app."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "data.cli", "migrate"],
        cwd=ROOT,
        env={**os.environ, "QUARTIERS_DB_URL": BENCH_DB},
        check=True,
        capture_output=True,
    )


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def p95(xs):
    if not xs:
        return float("nan")
    s = sorted(xs)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(log_path: Path | None = None) -> tuple[subprocess.Popen, str, float]:
    """Start the app; return (process, url, seconds from spawn to the first healthy answer)."""
    migrate_bench_db()
    port = free_port()
    log = open(log_path, "w") if log_path else subprocess.DEVNULL
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        serve.command(port=port),  # the one launcher (scripts/serve.py), as deployed: no file watcher
        cwd=ROOT,
        env={**os.environ, "QUARTIERS_TILES": "", "QUARTIERS_DB_URL": BENCH_DB},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    while time.perf_counter() - t0 < 60:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=1).read() == b"ok":
                return proc, url, time.perf_counter() - t0
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("server not healthy after 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def machine() -> dict:
    mem = ""
    try:
        mem = next(l for l in open("/proc/meminfo") if l.startswith("MemTotal")).split(":")[1].strip()
    except OSError:
        pass
    cpu = ""
    try:
        cpu = next(l for l in open("/proc/cpuinfo") if l.startswith("model name")).split(":")[1].strip()
    except (OSError, StopIteration):
        pass
    import streamlit

    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "streamlit": streamlit.__version__,
    }


def block_external(ctx) -> list[str]:
    blocked: list[str] = []

    def route(r):
        if r.request.url.startswith(LOOPBACK):
            return r.continue_()
        blocked.append(r.request.url)
        return r.abort()

    ctx.route("**/*", route)
    return blocked


def wait_rendered(page, timeout=60_000):
    page.wait_for_selector("h1", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)
