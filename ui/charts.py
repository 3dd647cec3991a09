"""Altair chart builders. Each returns an alt.Chart with a title and units; pages render it
and always show the same data as a table (the chart's text alternative)."""

from __future__ import annotations

import json

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
# the chart's width on screen, read by the browser (0 where there is no screen: the image export)
WIDTH_EXPR = "containerSize()[0]"
# below these widths (px) a title is said on several lines and the legend takes one column
NARROW, MEDIUM = 560, 900


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


def _colour_scale(df: pd.DataFrame) -> alt.Scale:
    pairs = dict(zip(df["territoire"], df["couleur"], strict=True))
    return alt.Scale(domain=list(pairs), range=list(pairs.values()))


def series_chart(
    df: pd.DataFrame,
    title: str,
    unit_label: str,
    zero: bool = False,
    breaks: list[tuple[str, str, str, str]] | None = None,
    said: str = "",
) -> alt.Chart:
    """`zero`: counts start at 0 (a cropped axis would exaggerate a change of 276 → 271). A change
    of perimeter splits a territory's line in two segments (never joined) and is marked by a
    dashed rule at the first period of the new perimeter, said in the subtitle."""
    order = list(dict.fromkeys(df.sort_values("order")["période"]))
    data = df.dropna(subset=["valeur"])
    # the full sentence is under the chart and in its text alternative; the subtitle stays one short line
    subtitle = [f"Unité : {unit_label}"] + (
        ["Pointillés verticaux : changement de périmètre, segments non reliés"] if said else []
    )
    base = alt.Chart(data, title=alt.TitleParams(fitted(title), subtitle=short_lines(subtitle), anchor="start")).encode(
        x=alt.X("période:N", sort=order, title="Période", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("valeur:Q", title=unit_label, axis=alt.Axis(labelExpr=FR_AXIS, tickCount=6), scale=alt.Scale(zero=zero)),
        color=alt.Color(
            "territoire:N",
            title="Territoire",
            scale=_colour_scale(data),
            legend=alt.Legend(orient="bottom", columns=legend_columns(), labelLimit=220),
        ),
        # told apart without colour too: a dash pattern and a point shape per territory
        strokeDash=alt.StrokeDash(
            "territoire:N", title="Territoire", legend=alt.Legend(orient="bottom", columns=legend_columns())
        ),
        shape=alt.Shape("territoire:N", title="Territoire", legend=alt.Legend(orient="bottom", columns=legend_columns())),
        tooltip=[
            alt.Tooltip("territoire:N"),
            alt.Tooltip("période:N"),
            alt.Tooltip("valeur (texte):N", title="valeur"),
            alt.Tooltip("source:N"),
            alt.Tooltip("périmètre:N"),
            alt.Tooltip("origine:N"),
        ],
    )
    layers = [base.mark_line(strokeWidth=2.5).encode(detail="segment:N"), base.mark_point(size=80, filled=True)]
    found = breaks or []
    if found:
        marks = pd.DataFrame(
            [{"période": after, "rupture": f"Changement de périmètre ({change})"} for _, _, after, change in found]
        ).drop_duplicates()
        rule = alt.Chart(marks).encode(x=alt.X("période:N", sort=order))
        layers += [
            rule.mark_rule(color="#57606a", strokeDash=[6, 4], strokeWidth=2, xOffset=-20).encode(tooltip=["rupture:N"]),
            rule.mark_text(
                align="left", baseline="top", dx=-16, y=4, fontSize=14 if text_px() == 16 else text_px(), color="#3d434b"
            ).encode(text=alt.value("changement de périmètre")),
        ]
    return alt.layer(*layers).properties(width="container", height=300, autosize=FIT)


def bar_chart(
    df: pd.DataFrame, x: str, title: str, unit_label: str, color: str | None = None, sort: list[str] | None = None
) -> alt.Chart:
    data = df.dropna(subset=["valeur"])
    enc = dict(
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
    return (bars + text).properties(width="container", height=alt.Step(30), autosize=FIT)


def ranks_chart(df: pd.DataFrame, title: str) -> alt.Chart:
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


def accessible(chart, description: str) -> dict:
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
        chart = series_chart(frame, title, ind.unit_label, zero=ind.unit == "nombre", breaks=breaks, said=said)
    elif kind == "bar_periods":
        chart = bar_chart(frame, "territoire", title, ind.unit_label, color="période", sort=names)
    else:
        chart = bar_chart(frame, "territoire", title, ind.unit_label, sort=names)
    return accessible(chart, description(ds, indicator, territories, title, said))
