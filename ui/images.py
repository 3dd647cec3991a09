"""Charts and the map as images people can put in a report: PNG and SVG rendered offline by
vl-convert (Vega-Lite's own renderer, bundled: no browser, no network) from the same specs the
pages show, with the source line inside the image. Generated only when a download is clicked."""

from __future__ import annotations

import copy
import html

WIDTH = 1000
MAX_SOURCE = 240  # characters of the source line printed in the image


def source_line(source: str) -> str:
    """The source line printed in an image, cut at MAX_SOURCE characters with an ellipsis."""
    return source if len(source) <= MAX_SOURCE else source[: MAX_SOURCE - 1] + "…"


def export_spec(spec: dict, source: str) -> dict:
    """The page's spec at a fixed width, its title on top with the unit and the source line."""
    spec = copy.deepcopy(spec)
    layers = spec.get("layer") or [spec]
    title = next((ly.pop("title") for ly in layers if "title" in ly), spec.pop("title", None)) or {}
    if isinstance(title, str):
        title = {"text": title}
    from ui.charts import plain  # a title wrapped for a narrow screen: the image is wide

    title = {**title, "text": plain(title.get("text", "")), "subtitle": plain(title.get("subtitle"))}
    sub = title.get("subtitle") or []
    sub = [sub] if isinstance(sub, str) else list(sub)
    spec["title"] = {**title, "subtitle": [*sub, source_line(source)], "anchor": "start"}
    spec["width"] = WIDTH
    spec["autosize"] = {"type": "pad"}
    return spec


def chart_png(spec: dict, source: str) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_png(export_spec(spec, source), scale=2)


def chart_svg(spec: dict, source: str) -> bytes:
    import vl_convert as vlc

    return vlc.vegalite_to_svg(export_spec(spec, source)).encode("utf-8")


def map_svg(body_svg: str, title: str, legend: list[tuple[str, str]], source: str) -> str:
    """A map drawn as SVG (ui/locator.py geometry) framed with its title, legend and source."""
    e = html.escape
    items = "".join(
        f"<rect x='20' y='{70 + 26 * i}' width='22' height='16' fill='{c}' stroke='#333'/>"
        f"<text x='50' y='{83 + 26 * i}' font-size='16'>{e(t)}</text>"
        for i, (c, t) in enumerate(legend)
    )
    inner = body_svg.replace(" width='100%' style='max-height:100%'", "").replace(
        "<svg ", "<svg x='300' y='50' width='640' height='640' ", 1
    )
    return (
        "<svg xmlns='http://www.w3.org/2000/svg' width='980' height='760' font-family='DejaVu Sans, sans-serif'>"
        "<rect width='980' height='760' fill='#ffffff'/>"
        f"<text x='20' y='34' font-size='22' font-weight='bold'>{e(title)}</text>{items}{inner}"
        f"<text x='20' y='740' font-size='13' fill='#3d434b'>{e(source_line(source))}</text></svg>"
    )


def svg_to_png(svg: str) -> bytes:
    import vl_convert as vlc

    return vlc.svg_to_png(svg, scale=2)
