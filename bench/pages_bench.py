"""Groups 1–2 of the benchmark on the real app: server start, page script times (cold, warm,
ratio to the reference page), browser time to the map's polygons, RSS after all pages,
bytes sent per page."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import psutil
from common import (
    BENCH_DB,
    CHROMIUM,
    CHROMIUM_ARGS,
    PAGES,
    PROBE,
    REFERENCE,
    RESULTS,
    ROOT,
    block_external,
    median,
    migrate_bench_db,
    start_server,
    stop_server,
    wait_rendered,
)

SCRIPT_RUNNER = r"""
import json, sys, time
import altair, folium, geopandas, pandas, streamlit, streamlit_folium  # library imports are not the page's cost
from streamlit.runtime import pages_manager
from streamlit.testing.v1 import AppTest

# On a server, « pages/ directory » mode ends with the first run of app.py, and every rerun then
# runs the router and the page. AppTest resets that flag at each run (so a switched page would run
# alone, router skipped): keep it off, so that what is timed is what a server runs.
_init = pages_manager.PagesManager.__init__
def _no_pages_dir(self, *a, **k):
    _init(self, *a, **k)
    pages_manager.PagesManager.uses_pages_directory = False
pages_manager.PagesManager.__init__ = _no_pages_dir

app, path, reps = sys.argv[1], sys.argv[2], int(sys.argv[3])
import streamlit as st
at = AppTest.from_file(app, default_timeout=180)
at.run()  # the router registers its pages (AppTest can only switch to a registered url_path afterwards)
st.cache_data.clear(); st.cache_resource.clear()  # cold = first run of the page with empty caches
if path != "-":
    at.switch_page(path)
t = time.perf_counter(); at.run(); cold = time.perf_counter() - t
assert not at.exception, [e.value for e in at.exception]
assert at.title, "page without title"
title = at.title[0].value
warm = []
for _ in range(reps):
    t = time.perf_counter(); at.run(); warm.append(time.perf_counter() - t)
print(json.dumps({"cold": cold, "warm": warm, "title": title}))
"""


def script_times(path: str, cold_reps: int, warm_reps: int, app: str = "app.py", db_url: str | None = None) -> dict:
    """Cold and warm script times of one page through the router (app.py), or of a standalone app
    (path « - »); `db_url`: another database (bench/living.py: six yearly points per series)."""
    colds, warms = [], []
    if db_url is None:
        migrate_bench_db()
    for _ in range(cold_reps):
        out = subprocess.run(
            [sys.executable, "-c", SCRIPT_RUNNER, str(ROOT / app), path, str(warm_reps)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=600,
            env={**os.environ, "PYTHONPATH": str(ROOT), "QUARTIERS_BENCH": "1", "QUARTIERS_DB_URL": db_url or BENCH_DB},
        )
        if out.returncode:
            raise RuntimeError(out.stderr[-2000:])
        r = json.loads(out.stdout.strip().splitlines()[-1])
        colds.append(r["cold"])
        title = r["title"]
        warms += r["warm"]
    return {
        "title": title,
        "cold_median_s": median(colds),
        "warm_median_s": median(warms),
        "cold_runs": colds,
        "warm_runs": warms,
    }


MAP_FRAME = 'iframe[title="Carte interactive des quartiers"], iframe[title="streamlit_folium.st_folium"]'


def run(reps: int = 5) -> dict:
    RESULTS.mkdir(parents=True, exist_ok=True)
    res: dict = {}
    # server start → first healthy response
    starts = []
    for _ in range(reps):
        proc, _, secs = start_server()
        starts.append(secs)
        stop_server(proc)
    res["server_start_s"] = {"median": median(starts), "runs": starts}

    # page script times, same run for all pages and the reference page
    times = {"reference": script_times("-", 3, reps, app=REFERENCE), "router": script_times(PROBE, 3, reps)}
    for name, (path, _) in PAGES.items():
        times[name] = script_times(path, 3, reps)
    ref_warm = times["reference"]["warm_median_s"]
    for t in times.values():
        t["warm_ratio_to_reference"] = t["warm_median_s"] / ref_warm
    res["script_times"] = times

    from playwright.sync_api import sync_playwright

    proc, url, _ = start_server(ROOT / "bench" / "results" / "server.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            # warm the server once (first run of the process loads the data)
            ctx = browser.new_context()
            block_external(ctx)
            pg = ctx.new_page()
            pg.goto(url + "/carte")
            wait_rendered(pg)
            ctx.close()
            # navigation → map polygons drawn
            map_times = []
            for _ in range(reps):
                ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
                blocked = block_external(ctx)
                pg = ctx.new_page()
                t = time.perf_counter()
                pg.goto(url + "/carte")
                # the app gives the map's frame a French title (ui/document.py); either is accepted
                frame = pg.frame_locator(MAP_FRAME).first
                frame.locator("path.q-quartier").nth(4).wait_for(state="attached", timeout=60_000)
                map_times.append(time.perf_counter() - t)
                assert not blocked, blocked
                ctx.close()
            res["map_drawn_s"] = {"median": median(map_times), "runs": map_times}

            # bytes per page (fresh context each: nothing cached) and RSS after every page
            per_page = {}
            for name, (_, path) in PAGES.items():
                ctx = browser.new_context(viewport={"width": 1400, "height": 1400})
                block_external(ctx)
                pg = ctx.new_page()
                ws_bytes = [0]
                http = []

                def on_ws(ws):
                    ws.on("framereceived", lambda payload: ws_bytes.__setitem__(0, ws_bytes[0] + len(payload)))

                pg.on("websocket", on_ws)
                pg.on("requestfinished", lambda r: http.append(r))
                pg.goto(url + path)
                wait_rendered(pg)
                pg.wait_for_timeout(1500)  # components (map iframe) finish loading
                http_bytes = 0
                for r in http:
                    try:
                        http_bytes += r.sizes()["responseBodySize"]
                    except Exception:
                        pass
                per_page[name] = {"websocket_bytes": ws_bytes[0], "http_bytes": http_bytes}
                ctx.close()
            res["bytes_per_page"] = per_page
            rss = psutil.Process(proc.pid).memory_info().rss
            res["rss_after_all_pages_mb"] = rss / 2**20
            browser.close()
    finally:
        stop_server(proc)
    return res


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
