"""Concurrent first imports are safe. Streamlit runs each session on its own thread; at server start
20 sessions import the app's modules at the same time, entering the module graph at different
points. An import cycle there (a package __init__ that imports its submodules is one) makes Python
hand out half-built modules — « cannot import name … from partially initialized module », seen in
the load test. Two checks: no cycle in the module-level imports of data/ and ui/, and a real race
of threads in fresh interpreters."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("data", "ui")


def module_graph() -> dict[str, set[str]]:
    mods = {}
    for pkg in PACKAGES:
        for f in (ROOT / pkg).glob("*.py"):
            mods[pkg if f.stem == "__init__" else f"{pkg}.{f.stem}"] = f
    edges: dict[str, set[str]] = {m: set() for m in mods}
    for m, f in mods.items():
        pkg = m if m in PACKAGES else m.rsplit(".", 1)[0]
        if m not in PACKAGES:
            edges[m].add(pkg)  # importing a submodule imports (or waits for) its package
        for top in ast.parse(f.read_text(encoding="utf-8")).body:  # module level: what runs at import
            for n in ast.walk(top) if isinstance(top, (ast.If, ast.Try)) else [top]:
                if isinstance(n, ast.ImportFrom):
                    base = (pkg + ("." + n.module if n.module else "")) if n.level else (n.module or "")
                    for a in n.names:
                        target = next((c for c in (f"{base}.{a.name}", base) if c in mods), None)
                        if target and target != m:
                            edges[m].add(target)
                elif isinstance(n, ast.Import):
                    edges[m] |= {a.name for a in n.names if a.name in mods and a.name != m}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found, done = [], set()

    def visit(node, path):
        for nxt in sorted(edges[node]):
            if nxt in path:
                found.append(path[path.index(nxt) :] + [nxt])
            elif nxt not in done:
                visit(nxt, path + [nxt])
        done.add(node)

    for m in sorted(edges):
        if m not in done:
            visit(m, [m])
    return found


def test_no_import_cycle_in_the_app_modules():
    edges = module_graph()
    assert len(edges) > 30
    # the one allowed: ui/__init__ imports ui.streamlit_private, which imports nothing of ui
    assert edges["ui"] <= {"ui.streamlit_private"} and edges["ui.streamlit_private"] == {"ui"}, edges["ui"]
    assert edges["data"] == set(), edges["data"]
    found = [c for c in cycles(edges) if set(c) != {"ui", "ui.streamlit_private"}]
    assert found == [], found


RACE = """
import importlib, sys, threading
sys.path.insert(0, {root!r})
mods = {mods!r}
barrier, errors = threading.Barrier(len(mods)), []
def go(m):
    barrier.wait()
    try:
        importlib.import_module(m)
    except BaseException as e:
        errors.append(m + ": " + type(e).__name__ + ": " + str(e))
threads = [threading.Thread(target=go, args=(m,)) for m in mods]
[t.start() for t in threads]; [t.join() for t in threads]
print("ERREURS" if errors else "OK", errors)
"""

# entry points of the pages (what their first lines import), all started at the same instant
ENTRIES = [
    "data.followup", "data.model", "ui.wording", "ui.pillar", "data.accounts", "ui.frame",
    "data.dataset", "ui.maps", "data.progress", "ui.pdf", "ui.auth", "data.db",
]  # fmt: skip


def test_threads_importing_the_app_at_once_get_whole_modules():
    """Before the fix this failed in 6 runs out of 6 (deadlock detected, half-built modules)."""
    for _ in range(4):
        out = subprocess.run(
            [sys.executable, "-c", RACE.format(root=str(ROOT), mods=ENTRIES)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 0, out.stderr[-2000:]
        assert out.stdout.strip() == "OK []", out.stdout[-2000:]
