"""Run the whole benchmark and write BENCHMARKS.md (not part of the pass/fail test suite).

python bench/run.py            # all four groups (≈ 10 min on 2 cores)
python bench/run.py --quick    # fewer repetitions, 30 s load test (for a smoke check)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load
import pages_bench
import scale
from common import RESULTS, ROOT, machine

TARGETS = {"warm_ratio": 2.0, "map_s": 2.0, "rss_mb": 300.0, "load_validate_s": 3.0, "choropleth_s": 1.0, "fiche_s": 0.5}


def ok(flag: bool) -> str:
    return "✅" if flag else "❌"


def fmt(x: float, nd: int = 3) -> str:
    return f"{x:.{nd}f}"


def render(res: dict) -> str:
    m = res["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Measured {res['date']} with `{res['command']}` on: {m['cpus']} cores ({m['cpu'] or 'CPU non identifié'}), "
        f"{m['memory']} RAM, {m['platform']}, Python {m['python']}, Streamlit {m['streamlit']}. Medians over repeated runs; "
        "raw figures in `bench/results/latest.json`. Not part of the pass/fail test suite."
        + (f" Group 4 re-measured {res['date_load']} (`python bench/run.py --only-load`)." if res.get("date_load") else ""),
        "",
        "## 1–2. The app: start, page scripts, map, memory, bytes",
        "",
    ]
    p = res["pages"]
    lines += [
        f"- Server start → first healthy `/_stcore/health`: **{fmt(p['server_start_s']['median'], 2)} s** "
        f"(median of {len(p['server_start_s']['runs'])}).",
        f"- Browser, navigation → the map's 5 quartier polygons drawn (`/carte`, network blocked): "
        f"**{fmt(p['map_drawn_s']['median'], 2)} s** (target < {TARGETS['map_s']} s {ok(p['map_drawn_s']['median'] < TARGETS['map_s'])}).",
        f"- Server RSS after visiting every page: **{fmt(p['rss_after_all_pages_mb'], 0)} MB** "
        f"(target < {TARGETS['rss_mb']:.0f} MB {ok(p['rss_after_all_pages_mb'] < TARGETS['rss_mb'])}).",
        "",
        "Page script run time (AppTest driven as a server runs a page: `app.py`, the router, then the page, on every rerun; "
        "cold = first run with empty caches, warm = rerun). The reference is a standalone one-file Streamlit app — no "
        "router, no page frame — drawing one folium map of the three QPV polygons (offline Leaflet) and one Altair line "
        "chart (`bench/reference_app.py`), measured in the same run. « router » is the router and page frame with no "
        "page content (`bench/router_probe.py`): what every page pays before its own code. Target: every page's warm "
        "rerun ≤ 2 × reference.",
        "",
        "| page | cold (s) | warm (s) | warm ÷ reference | target | WebSocket bytes | HTTP bytes (incl. app bundle) |",
        "|---|---|---|---|---|---|---|",
    ]
    st = p["script_times"]
    for name, t in st.items():
        b = p["bytes_per_page"].get(name, {})
        ratio = t["warm_ratio_to_reference"]
        ws = f"{b['websocket_bytes']:,}".replace(",", " ") if b else "—"
        http = f"{b['http_bytes']:,}".replace(",", " ") if b else "—"
        lines.append(
            f"| {name} | {fmt(t['cold_median_s'])} | {fmt(t['warm_median_s'])} | {ratio:.2f} | "
            f"{'—' if name in ('reference', 'router') else ok(ratio <= TARGETS['warm_ratio'])} | {ws} | {http} |"
        )
    s = res["scale"]
    lines += [
        "",
        "## 3. Scale: 3 → 1 584 quartiers (generated national-size data)",
        "",
        f"Synthetic dataset: {s['n_indicators']} indicators × {s['n_periods']} periods per quartier, "
        f"{s['rows_national']:,} rows at 1 584 quartiers (`bench/scale.py`); ".replace(",", " ")
        + "random QPV-like polygons (80 vertices) over metropolitan France. Same loaders, validation, fiche "
        "computations and choropleth builder as the app.",
        "",
        "| quartiers | rows | load + validate (s) | first fiche (s, builds the index) | fiche (s) | choropleth build + render (s) | map HTML (KB) | RSS for the frame (MB) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in s["sizes"]:
        rows = f"{r['rows']:,}".replace(",", " ")
        lines.append(
            f"| {r['quartiers']} | {rows} | {fmt(r['load_validate_s'], 2)} | {fmt(r['first_fiche_s'], 3)} | "
            f"{r['fiche_s']:.4f} | {fmt(r['choropleth_s'], 2)} | {r['choropleth_html_kb']:.0f} | "
            f"{r['rss_delta_load_mb']:.0f} |"
        )
    big = s["sizes"][-1]
    lines += [
        "",
        f"Targets at 1 584 quartiers: load + validate < {TARGETS['load_validate_s']} s "
        f"{ok(big['load_validate_s'] < TARGETS['load_validate_s'])}, choropleth < {TARGETS['choropleth_s']} s "
        f"{ok(big['choropleth_s'] < TARGETS['choropleth_s'])}, one fiche (first, index included) < {TARGETS['fiche_s']} s "
        f"{ok(big['first_fiche_s'] < TARGETS['fiche_s'])}.",
    ]
    lw = res["load_ws"]
    lines += [
        "",
        "## 4. Load test: 20 concurrent sessions for 2 minutes",
        "",
        "### Websocket clients (the server's capacity)",
        "",
        f"{lw['sessions']} clients speaking Streamlit's websocket protocol (what the browser sends: a rerun request for "
        f"a page and its query string; then wait for « script finished », checking for exception elements and a page "
        f"title) for {lw['seconds']:.0f} s on loopback, 0,5–1,5 s pause between pages, random pages and quartiers "
        "(`bench/load.py ws`).",
        "",
        f"- Page views: **{lw['page_loads']}** ({lw['distinct_views']} distinct addresses); errors: **{lw['errors']}**"
        + (f" — {'; '.join(lw['error_samples'][:3])}" if lw["errors"] else "")
        + ".",
        f"- Page time (request → script finished, all messages received): median **{fmt(lw['page_time_median_s'], 2)} s**, "
        f"p95 **{fmt(lw['page_time_p95_s'], 2)} s**, max {fmt(lw['page_time_max_s'], 2)} s; "
        f"median {lw['bytes_per_view_median']:.0f} bytes sent per page view.",
        f"- Server RSS: median {fmt(lw['rss_median_mb'], 0)} MB, max **{fmt(lw['rss_max_mb'], 0)} MB**; server CPU median "
        f"{lw['server_cpu_median_pct']:.0f} % (one Python process: the GIL caps it at one core, which is the limit here).",
        "",
    ]
    ld = res["load"]
    lines += [
        "### Real browsers",
        "",
        f"{ld['sessions']} Playwright contexts in one headless Chromium on loopback for {ld['seconds']:.0f} s, each moving "
        "between pages (70 % sidebar clicks, 30 % deep links: fiches by `?q=`, map with an indicator, "
        "filtered pillar, référentiel search), 0,5–1,5 s pause between moves (`bench/load.py`). The 20 Chromium tabs and "
        "the server share the same 2 cores; measured during such a run, Chromium used ≈ 180 % CPU and the server ≈ 10 %: "
        "these page times are those of an overloaded client machine, not of the server (see the websocket figures above).",
        "",
        f"- Page views: **{ld['page_loads']}** ({ld['distinct_views']} distinct addresses); errors: **{ld['errors']}**"
        + (f" — {'; '.join(ld['error_samples'][:3])}" if ld["errors"] else "")
        + ".",
        f"- Page time (navigation → script finished): median **{fmt(ld['page_time_median_s'], 2)} s**, "
        f"p95 **{fmt(ld['page_time_p95_s'], 2)} s**, max {fmt(ld['page_time_max_s'], 2)} s.",
        f"- Server RSS during the test: median {fmt(ld['rss_median_mb'], 0)} MB, max **{fmt(ld['rss_max_mb'], 0)} MB**.",
        f"- Harness click retries (sidebar re-rendered under the pointer, page then opened by address): {ld['click_retries']}.",
        "",
    ]
    cluster = ROOT / "bench" / "CLUSTER.md"  # bench/cluster.py: 1 vs 2 processes behind nginx
    if cluster.exists():
        lines += [cluster.read_text(encoding="utf-8").strip(), ""]
    living = ROOT / "bench" / "LIVING.md"  # bench/living.py: six yearly values per series, national import
    if living.exists():
        lines += [living.read_text(encoding="utf-8").strip(), ""]
    notes = ROOT / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines)


def main() -> int:
    if "--only-load" in sys.argv:  # rerun group 4 only, keep the other groups' last results
        res = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        res["load_ws"] = asyncio.run(load.ws_main(20, 120))
        res["load"] = asyncio.run(load.main(20, 120))
        res["date_load"] = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        (RESULTS / "latest.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
        (ROOT / "BENCHMARKS.md").write_text(render(res), encoding="utf-8")
        return 0
    if "--render-only" in sys.argv:  # rewrite BENCHMARKS.md from the last results
        res = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        (ROOT / "BENCHMARKS.md").write_text(render(res), encoding="utf-8")
        return 0
    quick = "--quick" in sys.argv
    RESULTS.mkdir(parents=True, exist_ok=True)
    res = {
        "date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "command": "python bench/run.py" + (" --quick" if quick else ""),
        "machine": machine(),
    }
    print("pages…", file=sys.stderr)
    res["pages"] = pages_bench.run(3 if quick else 5)
    print("scale…", file=sys.stderr)
    res["scale"] = scale.run()
    print("load…", file=sys.stderr)
    res["load_ws"] = asyncio.run(load.ws_main(20, 30 if quick else 120))
    res["load"] = asyncio.run(load.main(20, 30 if quick else 120))
    (RESULTS / "latest.json").write_text(json.dumps(res, indent=2), encoding="utf-8")
    (ROOT / "BENCHMARKS.md").write_text(render(res), encoding="utf-8")
    print((ROOT / "BENCHMARKS.md").read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
