"""Group 4: 20 concurrent browser sessions (Playwright contexts) on loopback for a bounded
time, each switching pages and quartiers; errors, page times (median, p95) and server memory.
Loopback only; bounded in sessions, time and requests."""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time

import psutil
from common import CHROMIUM, CHROMIUM_ARGS, LOOPBACK, PAGES, ROOT, median, p95, start_server, stop_server

QUARTIERS = ["clos-des-roses", "la-victoire", "vivier-corax", "echarde", "jean-moulin"]


def targets() -> list[str]:
    paths = [path for _, path in PAGES.values()]
    paths += [f"/fiche?q={q}" for q in QUARTIERS]
    paths += [
        "/carte?ind=median_declared_income&periode=2015",
        "/evolutions?ind=neet_rate,job_seekers",
        "/emploi?quartier=vivier-corax",
        "/referentiel?recherche=NEET",
    ]
    return paths


def summary(sessions, seconds, times, errors, visits, rss, **extra) -> dict:
    """What both load tests report: views, errors, page times, server memory."""
    return {
        "sessions": sessions,
        "seconds": seconds,
        "page_loads": len(times),
        "errors": len(errors),
        "error_samples": errors[:10],
        "page_time_median_s": median(times),
        "page_time_p95_s": p95(times),
        "page_time_max_s": max(times) if times else None,
        "rss_median_mb": median(rss),
        "rss_max_mb": max(rss),
        "distinct_views": len(set(visits)),
        **extra,
    }


async def session(browser, url: str, deadline: float, seed: int, times: list, errors: list, visits: list, click_retries: list):
    rnd = random.Random(seed)
    ctx = await browser.new_context(viewport={"width": 1280, "height": 900})

    async def route(r):
        if r.request.url.startswith(LOOPBACK):
            await r.continue_()
        else:
            errors.append(f"requête externe bloquée : {r.request.url}")
            await r.abort()

    await ctx.route("**/*", route)
    page = await ctx.new_page()
    paths = targets()
    loaded = False
    while time.monotonic() < deadline:
        t = time.perf_counter()
        # most moves are clicks in the navigation bar (in-app navigation, one websocket session);
        # some are deep links opened afresh (a shared link, a quartier by URL)
        use_link = loaded and rnd.random() < 0.7
        path = ""
        try:
            sections = page.locator("[data-testid=stTopNavSection]")
            if use_link and not await sections.count():
                use_link = False  # /presentation has no navigation bar (full-screen slides): a deep link
            if use_link:
                # the top navigation: open a section, then pick one of its pages
                await sections.nth(rnd.randrange(await sections.count())).click(timeout=15_000)
                links = page.locator("[data-testid=stTopNavDropdownLink]")
                await links.first.wait_for(timeout=15_000)
                n = await links.count()
                link = links.nth(rnd.randrange(n))
                path = await link.get_attribute("href") or "?"
                before = page.url
                try:
                    await link.click(timeout=15_000)
                except Exception:
                    # the navigation was being re-rendered under the pointer: the harness, not the app,
                    # missed its click; open the same page by its address instead
                    click_retries.append(path)
                    await page.goto(path if path.startswith("http") else url + path, timeout=60_000)
                    before = None
                if before is not None:
                    if page.url == before:
                        continue
                    await page.wait_for_url(lambda u: u != before, timeout=60_000)
            else:
                path = rnd.choice(paths)
                await page.goto(url + path, timeout=60_000)
            await page.wait_for_selector("h1", timeout=60_000)
            await page.wait_for_timeout(100)
            await page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=60_000)
            if await page.locator("[data-testid=stException]").count():
                errors.append(f"exception Streamlit sur {path}")
            times.append(time.perf_counter() - t)
            visits.append(path)
            loaded = True
        except Exception as exc:  # a timeout is an error of the run, recorded, not raised
            errors.append(f"{path}: {type(exc).__name__}: {str(exc)[:120]}")
        await asyncio.sleep(rnd.uniform(0.5, 1.5))  # a person reads a little before the next click
    await ctx.close()


async def main(sessions: int, seconds: float) -> dict:
    from playwright.async_api import async_playwright

    proc, url, _ = start_server(ROOT / "bench" / "results" / "load-server.log")
    ps = psutil.Process(proc.pid)
    rss = []
    times: list[float] = []
    errors: list[str] = []
    visits: list[str] = []
    click_retries: list[str] = []
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            deadline = time.monotonic() + seconds

            async def sample():
                while time.monotonic() < deadline:
                    rss.append(ps.memory_info().rss / 2**20)
                    await asyncio.sleep(1)

            await asyncio.gather(
                sample(), *[session(browser, url, deadline, i, times, errors, visits, click_retries) for i in range(sessions)]
            )
            await browser.close()
        rss.append(ps.memory_info().rss / 2**20)
    finally:
        stop_server(proc)
    return summary(sessions, seconds, times, errors, visits, rss, click_retries=len(click_retries))


# --- the same load from lightweight clients speaking Streamlit's own websocket protocol -----------
# 20 Chromium tabs on 2 cores measure mostly Chromium (seen: server ≈ 10 % CPU, browsers ≈ 180 %).
# These clients send what the frontend sends (a rerun request for a page name and query string)
# and wait for « script finished », so the server is what gets measured.

PAGE_NAMES = {path: (path.split("?")[0].strip("/") or "accueil", path.split("?")[1] if "?" in path else "") for path in targets()}


async def ws_session(url: str, deadline: float, seed: int, times: list, errors: list, visits: list, sizes: list):
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    rnd = random.Random(seed)
    ws_url = url.replace("http://", "ws://") + "/_stcore/stream"
    async with websockets.connect(ws_url, subprotocols=["streamlit"], max_size=None) as ws:
        while time.monotonic() < deadline:
            path = rnd.choice(list(PAGE_NAMES))
            page_name, query = PAGE_NAMES[path]
            msg = BackMsg()
            msg.rerun_script.page_name = page_name
            msg.rerun_script.query_string = query
            t = time.perf_counter()
            await ws.send(msg.SerializeToString())
            size, titles, failed = 0, [], False
            try:
                while True:
                    raw = await asyncio.wait_for(ws.recv(), 60)
                    size += len(raw)
                    fwd = ForwardMsg()
                    fwd.ParseFromString(raw)
                    kind = fwd.WhichOneof("type")
                    if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                        el = fwd.delta.new_element
                        if el.WhichOneof("type") == "exception":
                            failed = True
                            errors.append(f"exception Streamlit sur {path}: {el.exception.message[:100]}")
                        elif el.WhichOneof("type") == "heading" and el.heading.tag == "h1":
                            titles.append(el.heading.body)
                    if kind == "script_finished":
                        if fwd.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue  # the script asked for a rerun (st.rerun): the page follows
                        if fwd.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                            failed = True
                            errors.append(f"erreur de compilation sur {path}")
                        break
            except TimeoutError:
                errors.append(f"{path}: pas de fin de script en 60 s")
                continue
            if not titles and not failed:
                errors.append(f"{path}: page sans titre")
            times.append(time.perf_counter() - t)
            sizes.append(size)
            visits.append(path)
            await asyncio.sleep(rnd.uniform(0.5, 1.5))


async def ws_main(sessions: int, seconds: float) -> dict:
    proc, url, _ = start_server(ROOT / "bench" / "results" / "load-ws-server.log")
    ps = psutil.Process(proc.pid)
    rss, cpu = [], []
    times: list[float] = []
    errors: list[str] = []
    visits: list[str] = []
    sizes: list[int] = []
    try:
        deadline = time.monotonic() + seconds
        ps.cpu_percent()

        async def sample():
            while time.monotonic() < deadline:
                await asyncio.sleep(1)
                rss.append(ps.memory_info().rss / 2**20)
                cpu.append(ps.cpu_percent())

        await asyncio.gather(sample(), *[ws_session(url, deadline, i, times, errors, visits, sizes) for i in range(sessions)])
        rss.append(ps.memory_info().rss / 2**20)
    finally:
        stop_server(proc)
    return summary(
        sessions, seconds, times, errors, visits, rss, server_cpu_median_pct=median(cpu), bytes_per_view_median=median(sizes)
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "ws":
        print(json.dumps(asyncio.run(ws_main(int(sys.argv[2]), float(sys.argv[3]))), indent=2))
        raise SystemExit(0)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    secs = float(sys.argv[2]) if len(sys.argv) > 2 else 120
    print(json.dumps(asyncio.run(main(n, secs)), indent=2))
