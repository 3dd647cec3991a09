"""Altair chart builders. Each returns a chart of layers with a title and units; pages render it
and always show the same data as a table (the chart's text alternative)."""

from __future__ import annotations

import calendar
import json
import re
from typing import Any

import altair as alt
import pandas as pd

from data.dataset import Dataset
from data.formatting import period_label
from data.indicators import period_sort_key
from data.series import segment
from ui import wording as w

# d3 formats in en-US; rewrite to French separators in the axis labels.
FR_AXIS = "replace(replace(format(datum.value, ',~r'), regexp(',', 'g'), ' '), '.', ',')"
# charts take their container's width, axis labels and legend included (phones, portrait screens)
FIT = alt.AutoSizeParams(type="fit-x", contains="padding")
BAR_PADDING = {"left": 5, "top": 5, "right": 14, "bottom": 5}  # Vega's 5 px, and room for a value label
# the chart's width on screen, read by the browser (0 where there is no screen: the image export)
WIDTH_EXPR = "containerSize()[0]"
# below these widths (px) a title is said on several lines and the legend takes one column
NARROW, MEDIUM = 560, 900
# what layering charts gives (`alt.layer`, `+`): a FacetChart only when every layer has the same
# facet channels, which no chart here has
Layered = alt.LayerChart | alt.FacetChart


def text_px() -> int:
    """Chart text: 16 px, 18 px on public screens (their floor, tests/e2e/test_resident.py)."""
    from ui.document import consultation

    return 18 if consultation() else 16


def _lines(text: str, width: int) -> list[str]:
    """Words in lines of at most `width` characters (a longer word stays whole on its line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def fitted(text: str | list[str], narrow: int = 30, medium: int = 55) -> alt.ExprRef:
    """A title (or subtitle lines) that never runs past the chart's right edge: as given on a wide
    screen, wrapped at `medium` characters under MEDIUM px and at `narrow` under NARROW px. The
    expression picks in the list [as given, medium, narrow]: `plain` reads the first back."""
    parts = [text] if isinstance(text, str) else list(text)

    def wrap(width: int) -> list[str]:
        return [line for part in parts for line in _lines(part, width)]

    choices = json.dumps([parts if len(parts) > 1 else parts[0], wrap(medium), wrap(narrow)], ensure_ascii=False)
    return alt.ExprRef(
        f"{choices}[{WIDTH_EXPR} > 0 && {WIDTH_EXPR} < {NARROW} ? 2 : ({WIDTH_EXPR} > 0 && {WIDTH_EXPR} < {MEDIUM} ? 1 : 0)]"
    )


def short_lines(text: str | list[str], width: int = 36) -> list[str]:
    """Subtitle lines short enough for a phone (Vega-Lite takes no expression for a subtitle)."""
    return [line for part in ([text] if isinstance(text, str) else text) for line in _lines(part, width)]


def plain(value):
    """A title or subtitle as given (the wide screen's), from a spec where `fitted` may have put it."""
    if isinstance(value, dict) and str(value.get("expr", "")).startswith("["):
        expr = value["expr"]
        return json.loads(expr[: expr.rindex("][") + 1])[0]
    return value


def legend_columns(wide: int = 3) -> alt.ExprRef:
    """One column of legend entries on a narrow chart (a phone), `wide` otherwise."""
    return alt.ExprRef(f"{WIDTH_EXPR} > 0 && {WIDTH_EXPR} < {NARROW} ? 1 : {wide}")


def long_frame(ds: Dataset, figures) -> pd.DataFrame:
    """Figure records to a tidy frame with French text for tooltips and tables."""
    rows = []
    for f in figures:
        rows.append(
            {
                "territoire": w.name(ds, f.territory, True),
                "territory": f.territory,
                "période": period_label(f.period),
                "period": f.period,
                "order": period_sort_key(f.period),
                "an": period_middle(f.period),
                "valeur": f.value,
                "valeur (texte)": w.value_text(f),
                "source": f.source,
                "périmètre": f.perimeter,
                "segment": segment(f.perimeter),
                "origine": w.ORIGIN.get(f.origin, f.origin),
                "couleur": ds.territories[f.territory].colour,
            }
        )
    df = pd.DataFrame(rows)
    if len(df):
        df = df.sort_values(["order", "territoire"]).reset_index(drop=True)
    return df


def period_span(period: str) -> tuple[float, float] | None:
    """The stretch of time a contract period covers, in years, so that « 2017-2018 », « 2019 » and
    « 2020-2021 » are not drawn as equal steps: « 2019 » → 2019–2020, « 2017-2018 » → 2017–2019,
    « 2021-T2 » → 2021,25–2021,5, « 2023-S1 », « 2023-06 », a date « 2016-12-31 » → that day (an
    instant). None for a period the contract leaves unsaid (« période non précisée »)."""
    m = re.match(r"^(\d{4})(?:-(\d{4})|-T([1-4])|-S([12])|-(\d{2})-(\d{2})|-(\d{2}))?$", period or "")
    if not m:
        return None
    year = int(m[1])
    if m[2]:
        return (float(year), float(int(m[2]) + 1))
    if m[3]:
        return (year + (int(m[3]) - 1) / 4, year + int(m[3]) / 4)
    if m[4]:
        return (year + (int(m[4]) - 1) / 2, year + int(m[4]) / 2)
    if m[5]:
        days = 366 if calendar.isleap(year) else 365
        at = year + (pd.Timestamp(period).day_of_year - 0.5) / days
        return (at, at)
    if m[7]:
        return (year + (int(m[7]) - 1) / 12, year + int(m[7]) / 12)
    return (float(year), float(year + 1))


def period_middle(period: str) -> float | None:
    """Where a period sits on a chart's time axis: the middle of its span (rounded to 1/10 000 year)."""
    span = period_span(period)
    return None if span is None else round((span[0] + span[1]) / 2, 4)


def _time_axis(data: pd.DataFrame) -> alt.X | None:
    """A quantitative year axis: each period at its middle, labelled with the contract's period
    string (and nowhere else: no tick between the periods). None when a period cannot be placed."""
    if not len(data) or data["an"].isna().any():
        return None
    labels = dict(zip(data["an"], data["période"], strict=False))
    spans = [span for span in map(period_span, data["period"]) if span is not None]
    low = min(min(a for a, _ in spans), min(labels) - 0.5)
    high = max(max(b for _, b in spans), max(labels) + 0.5)
    expr = "''"
    for at, label in sorted(labels.items(), reverse=True):
        expr = f"datum.value == {at} ? {json.dumps(label, ensure_ascii=False)} : {expr}"
    return alt.X(
        "an:Q",
        title="Période (au milieu de sa durée)",
        scale=alt.Scale(domain=[low, high], zero=False, nice=False),
        axis=alt.Axis(values=sorted(labels), labelExpr=expr, labelAngle=0, grid=True, labelOverlap=False),
    )


def _colour_scale(df: pd.DataFrame) -> alt.Scale:
    pairs = dict(zip(df["territoire"], df["couleur"], strict=True))
    return alt.Scale(domain=list(pairs), range=list(pairs.values()))


def series_chart(
    df: pd.DataFrame,
    title: str,
    unit_label: str,
    breaks: list[tuple[str, str, str, str]] | None = None,
    said: str = "",
    stroke: float = 2.5,
    point: float = 80,
) -> Layered:
    """Honest by construction (README, « Règles des graphiques »): every value axis starts at 0
    (counts, rates and amounts alike, in every view: the PDF's panels too; a 3-point change of a 60 % rate does not fill the chart);
    periods sit on a time scale at the middle of their span (« 2017-2018 », « 2019 », « 2020-2021 »
    are not equal steps), labelled with the contract's period strings. A change of perimeter splits a
    territory's line in two segments (never joined) and is marked by a dashed rule between the last
    period of the old perimeter and the first of the new one, said in the subtitle. `stroke` and
    `point` (area, px²) are larger on slides."""
    order = list(dict.fromkeys(df.sort_values("order")["période"]))
    data = df.dropna(subset=["valeur"])
    time = _time_axis(data)
    x = time if time is not None else alt.X("période:N", sort=order, title="Période", axis=alt.Axis(labelAngle=0))
    # the full sentence is under the chart and in its text alternative; the subtitle stays one short line
    subtitle = [f"Unité : {unit_label}"] + (
        ["Pointillés verticaux : changement de périmètre, segments non reliés"] if said else []
    )
    names = list(dict.fromkeys(data["territoire"]))
    legend = alt.Legend(orient="bottom", columns=legend_columns(), labelLimit=220)
    base = alt.Chart(data, title=alt.TitleParams(fitted(title), subtitle=short_lines(subtitle), anchor="start")).encode(
        x=x,
        y=alt.Y("valeur:Q", title=unit_label, axis=alt.Axis(labelExpr=FR_AXIS, tickCount=6), scale=alt.Scale(zero=True)),
        color=alt.Color("territoire:N", title="Territoire", scale=_colour_scale(data), legend=legend),
        # told apart without colour too: a dash pattern and a point shape per territory, in the same
        # legend (one entry per territory: its colour, dash and shape; the same order as the colours)
        strokeDash=alt.StrokeDash("territoire:N", title="Territoire", scale=alt.Scale(domain=names), legend=legend),
        shape=alt.Shape("territoire:N", title="Territoire", scale=alt.Scale(domain=names), legend=legend),
        tooltip=[
            alt.Tooltip("territoire:N"),
            alt.Tooltip("période:N"),
            alt.Tooltip("valeur (texte):N", title="valeur"),
            alt.Tooltip("source:N"),
            alt.Tooltip("périmètre:N"),
            alt.Tooltip("origine:N"),
        ],
    )
    layers = [base.mark_line(strokeWidth=stroke).encode(detail="segment:N"), base.mark_point(size=point, filled=True)]
    found = breaks or []
    if found:
        if time is not None:  # between the two periods, on the time scale
            at = dict(zip(data["période"], data["an"], strict=False))
            marks = pd.DataFrame(
                [
                    {"an": round((at[before] + at[after]) / 2, 4), "rupture": f"Changement de périmètre ({change})"}
                    for _, before, after, change in found
                ]
            ).drop_duplicates()
            rule = alt.Chart(marks).encode(x=alt.X("an:Q"))
            offset, dx = 0, 4
        else:
            marks = pd.DataFrame(
                [{"période": after, "rupture": f"Changement de périmètre ({change})"} for _, _, after, change in found]
            ).drop_duplicates()
            rule = alt.Chart(marks).encode(x=alt.X("période:N", sort=order))
            offset, dx = -20, -16
        layers += [
            rule.mark_rule(color="#57606a", strokeDash=[6, 4], strokeWidth=2, xOffset=offset).encode(tooltip=["rupture:N"]),
            rule.mark_text(
                align="left", baseline="top", dx=dx, y=4, fontSize=14 if text_px() == 16 else text_px(), color="#3d434b"
            ).encode(text=alt.value("changement de périmètre")),
        ]
    return alt.layer(*layers).properties(width="container", height=300, autosize=FIT)


def bar_chart(
    df: pd.DataFrame, x: str, title: str, unit_label: str, color: str | None = None, sort: list[str] | None = None
) -> Layered:
    data = df.dropna(subset=["valeur"])
    # the channels differ in type (alt.Y, alt.X, a list of alt.Tooltip…): Any, as encode() takes each by name
    enc: dict[str, Any] = dict(
        # whole territory names (Vega cuts a label at 180 px by default): « Square Jean Moulin » at 18 px
        y=alt.Y(f"{x}:N", sort=sort or None, title=None, axis=alt.Axis(labelLimit=240)),
        x=alt.X("valeur:Q", title=short_lines(unit_label, 26), axis=alt.Axis(labelExpr=FR_AXIS, tickCount=8)),
        tooltip=[alt.Tooltip(f"{x}:N"), alt.Tooltip("valeur (texte):N", title="valeur")],
    )
    if color:
        enc["color"] = alt.Color(f"{color}:N", title=None, legend=alt.Legend(orient="bottom"))
        enc["yOffset"] = alt.YOffset(f"{color}:N")
    chart = alt.Chart(
        data, title=alt.TitleParams(fitted(title), subtitle=short_lines(f"Unité : {unit_label}"), anchor="start")
    ).encode(**enc)
    bars = chart.mark_bar() if color else chart.mark_bar(color="#3182bd")
    # a colour encoding overrides mark_text(color=…): the value labels get theirs explicitly
    text = chart.mark_text(align="left", dx=4, fontSize=text_px()).encode(text="valeur (texte):N", color=alt.value("#1b1f24"))
    # Vega places the value labels by its own measure of the text; a browser may draw them a few pixels
    # wider (« 1 604 » at 18 px: 39,4 px in Chromium, 41 px in its headless build): room on the right
    # so that the longest bar's label never runs past the chart's edge on a phone
    return (bars + text).properties(width="container", height=alt.Step(30), autosize=FIT, padding=BAR_PADDING)


def ranks_chart(df: pd.DataFrame, title: str) -> Layered:
    """Annexe 1: rank of each theme per quartier (1 = première priorité); « ex æquo » marked."""
    base = alt.Chart(
        df,
        title=alt.TitleParams(
            fitted(title), subtitle=short_lines("Rang de priorité (1 = priorité la plus citée) ; « = » : ex æquo"), anchor="start"
        ),
    ).encode(
        # on a phone the plot keeps room: theme labels cut at 200 px (full text in the tooltip and
        # in the table under the chart), quartier names steeply angled so that none is dropped
        x=alt.X("quartier:N", title=None, axis=alt.Axis(labelAngle=-60, orient="top", labelLimit=120, labelOverlap=False)),
        y=alt.Y("thème:N", title=None, sort=list(dict.fromkeys(df["thème"])), axis=alt.Axis(labelLimit=200)),
        tooltip=["thème:N", "quartier:N", "rang (texte):N"],
    )
    # light fills only, so that the dark rank text keeps at least 4.5:1 on every cell
    heat = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color("rang:Q", scale=alt.Scale(domain=[1, 11], range=["#6baed6", "#f7fbff"]), legend=alt.Legend(title="Rang"))
    )
    text = base.mark_text(fontSize=text_px(), fontWeight="bold").encode(text="rang (texte):N", color=alt.value("#111418"))
    return (heat + text).properties(width="container", height=alt.Step(44), autosize=FIT)


TEXT = "#1b1f24"


def inline_data(spec: dict) -> dict:
    """Each layer carries its own rows (`data.values`) instead of a named top-level dataset: Streamlit
    converts named datasets to Arrow at every rerun (≈ 1,5 ms a chart, the largest cost of a
    pillar page's warm rerun) and leaves a layer's inline values as they are. Same chart."""
    datasets = spec.pop("datasets", None)
    if not datasets or "layer" not in spec:
        if datasets:
            spec["datasets"] = datasets
        return spec
    top = spec.pop("data", None)

    def resolve(data):
        return {"values": datasets[data["name"]]} if isinstance(data, dict) and data.get("name") in datasets else data

    for layer in spec["layer"]:
        if "data" in layer:
            layer["data"] = resolve(layer["data"])
        elif top is not None:
            layer["data"] = resolve(top)
    return spec


def accessible(chart: Layered, description: str) -> dict:
    """French description (read by screen readers instead of « Vega visualization ») and text at
    4.5:1 or more: axis labels and titles, legends, titles."""
    px = text_px()
    return inline_data(
        chart.properties(description=description)
        .configure_axis(
            labelColor=TEXT, titleColor=TEXT, labelFontSize=px, titleFontSize=px, domainColor="#6e7781", tickColor="#6e7781"
        )
        .configure_legend(labelColor=TEXT, titleColor=TEXT, labelFontSize=px, titleFontSize=px)
        .configure_title(color=TEXT, subtitleColor="#3d434b", fontSize=px + 2, subtitleFontSize=px)
        .to_dict()
    )


def description(ds: Dataset, indicator: str, territories: tuple[str, ...], title: str, said: str = "") -> str:
    names = ", ".join(w.name(ds, t, True) for t in territories if ds.series(t, indicator))
    return (
        f"Graphique : {title} ({ds.catalogue[indicator].unit_label}) pour {names}. "
        + (said + " " if said else "")
        + "Les mêmes chiffres sont dans le tableau « Données en tableau » ci-dessous."
    )


def chart_spec(ds: Dataset, kind: str, indicator: str, territories: tuple[str, ...], title: str) -> dict:
    """The Vega-Lite spec of one chart of figure records: « series » (over periods), « bar »
    (across territories) or « bar_periods » (territories × periods)."""
    ind = ds.catalogue[indicator]
    figures = [f for t in territories for f in ds.series(t, indicator)]
    frame = long_frame(ds, figures)
    breaks, said = w.series_breaks(ds, figures), w.break_sentence(ds, figures)
    names = [w.name(ds, t, True) for t in territories]
    if kind == "series":
        chart = series_chart(frame, title, ind.unit_label, breaks=breaks, said=said)
    elif kind == "bar_periods":
        chart = bar_chart(frame, "territoire", title, ind.unit_label, color="période", sort=names)
    else:
        chart = bar_chart(frame, "territoire", title, ind.unit_label, sort=names)
    return accessible(chart, description(ds, indicator, territories, title, said))


SLIDE_STROKE = 5.0  # px: lines a room tells apart (≥ 4 px)
SLIDE_POINT = 260.0  # px² (Vega-Lite's point size is an area): a circle of 18 px, a square of 16 px (≥ 14 px)
SLIDE_TEXT = 20  # px: value labels beside the bars


def slide_marks(spec: dict) -> dict:
    """A chart spec drawn for a projector, seen from the back of the room: thick lines, large points
    and legend symbols, the legend on one row, value labels at the slides' text size. Changes
    `spec` in place (the caller's copy) and returns it."""
    for layer in spec.get("layer", [spec]):
        mark = layer.get("mark", {})
        kind = mark.get("type") if isinstance(mark, dict) else mark
        if kind == "line":
            mark["strokeWidth"] = max(mark.get("strokeWidth", 0), SLIDE_STROKE)
        elif kind == "point":
            mark.update(size=max(mark.get("size", 0), SLIDE_POINT), opacity=1)
        elif kind == "text" and isinstance(mark, dict) and "fontSize" in mark and "y" not in mark:
            mark["fontSize"] = max(mark["fontSize"], SLIDE_TEXT)
        for channel in ("color", "shape", "strokeDash"):
            legend = layer.get("encoding", {}).get(channel, {}).get("legend")
            if isinstance(legend, dict):
                legend["columns"] = 6
    spec.setdefault("config", {}).setdefault("legend", {}).update(symbolSize=SLIDE_POINT, symbolStrokeWidth=SLIDE_STROKE - 1)
    return spec
