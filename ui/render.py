"""Records to HTML and tables (no streamlit import: tested on their own). User, URL and data text
is always escaped; the only markup is ours."""

from __future__ import annotations

import html
import re

import pandas as pd

from data.dataset import Dataset
from data.formatting import period_label
from data.indicators import period_sort_key
from data.model import DETERIORATION, IMPROVEMENT, Card
from ui import wording as w

VERDICT_CLASS = {IMPROVEMENT: "q-better", DETERIORATION: "q-worse"}


def nobreak_html(text: str) -> str:
    """Escaped text where every formatted number with a space (« 9 456 € », « 59,3 % », « -2,5 points »)
    sits in a span the line never breaks (the text itself is unchanged: copy, search and screen readers
    read the same characters)."""
    return w.FORMATTED_NUMBER.sub(lambda m: f"<span class='q-nb'>{m.group(0)}</span>", html.escape(str(text)))


def card_html(ds: Dataset, card: Card) -> str:
    """A big, legible figure with its period, lines (evolution, gaps, stated changes) and source."""
    t = w.card_text(ds, card)
    e = nobreak_html
    value_class = " q-na" if t.missing else (" q-long" if len(t.value) > 13 else "")
    lines = []
    for ln in t.lines:
        cls = VERDICT_CLASS.get(ln.verdict, "q-neutral" if ln.verdict else "")
        lines.append(f"<div class='q-sub {cls}'>{e(ln.text)}</div>" if cls else f"<div class='q-sub'>{e(ln.text)}</div>")
    return (
        f"<div class='q-card'><div class='q-label'>{e(t.label)}{' · ' + e(t.period) if t.period else ''}</div>"
        f"<div class='q-value{value_class}' style='--n:{len(t.value)}'>{e(t.value)}</div>{''.join(lines)}"
        f"<div class='q-src'>{e(t.source)}</div></div>"
    )


def series_table(ds: Dataset, indicator: str, territories: tuple[str, ...]):
    """Figures of one indicator for some territories, and the same as a territory × period table."""
    figures = [f for t in territories for f in ds.series(t, indicator)]
    if not figures:
        return figures, None
    periods = sorted({f.period for f in figures}, key=period_sort_key)
    table = pd.DataFrame(
        index=list(dict.fromkeys(w.name(ds, f.territory, True) for f in figures)),
        columns=[period_label(p) for p in periods],
        dtype=object,
    ).fillna("—")
    for f in figures:
        table.loc[w.name(ds, f.territory, True), period_label(f.period)] = w.value_text(f)
    table.index.name = "territoire"
    return figures, table


def ranks_frame(ds: Dataset) -> pd.DataFrame:
    """Annexe 1 as one row per (theme, quartier): the data of the ranks chart."""
    res = ds.residents
    return pd.DataFrame(
        [
            {
                "thème": th.label,
                "quartier": w.name(ds, q, True),
                "rang": th.ranks[q].rank,
                "rang (texte)": f"{th.ranks[q].rank}{' =' if th.ranks[q].tie else ''}",
            }
            for th in res.themes
            for q in res.quartiers
        ]
    )


def priorities_table(ds: Dataset) -> pd.DataFrame:
    """The table of annexe 1 as printed: ranks with « ex æquo », and the Top 3 count."""
    res = ds.residents
    return pd.DataFrame(
        [
            {
                "Thème": f"{th.label} ({th.detail})",
                **{w.name(ds, q, True): w.rank_text(th.ranks[q].rank, th.ranks[q].tie) for q in res.quartiers},
                "Nombre de fois dans le Top 3": f"{th.top3_count}x",
            }
            for th in res.themes
        ]
    ).set_index("Thème")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]$~])")  # code, emphasis, links and images, LaTeX, strikethrough
_MD_SHORTCODE = re.compile(r":(?=[A-Za-z0-9_/+-]+[:\[])")  # :emoji:, :red[…], :material/icon:
_MD_LINE_START = re.compile(r"^(\s*)([#>+-]|\d+[.)])", re.M)  # a heading, a quote, a list


def md_escape(text: str) -> str:
    """Text for a place Streamlit reads as Markdown (a header, a caption, an expander or link label):
    what Markdown could turn into a link, an image, code, emphasis, LaTeX (« $ »), a colour or an
    emoji (« :x: »), a heading or a list is backslash-escaped, so an imported label or a typed source
    shows exactly as typed (HTML is already shown as text by these elements). Ordinary French text
    — « Taux (16-25 ans) : 66,4 % » — is left as it is."""
    t = _MD_SPECIAL.sub(r"\\\1", str(text))
    t = _MD_SHORTCODE.sub(r"\\:", t)
    return _MD_LINE_START.sub(
        lambda m: m.group(1) + (m.group(2)[:-1] + "\\" + m.group(2)[-1] if m.group(2)[0].isdigit() else "\\" + m.group(2)), t
    )


def html_table(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """A plain HTML table whose every cell is escaped text: stored or typed text is never read as
    Markdown or HTML (links, images, headings, colours, formulas stay inert). Headers never break
    inside a word, cells only inside an over-long one (a pasted address): « enfants » stays whole; a
    table wider than the screen scrolls inside its own region (focusable, named by its caption: WCAG
    1.4.10 allows two-dimensional data tables to scroll), never the page."""
    e = html.escape
    head = "".join(f"<th scope='col'>{e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    cap = f"<caption style='text-align:left;font-weight:600'>{e(caption)}</caption>" if caption else ""
    style = (
        "<style>.q-table-wrap{overflow-x:auto;max-width:100%}.q-table{border-collapse:collapse;width:100%}"
        ".q-table th,.q-table td{border:1px solid #d0d7de;padding:0.3rem 0.5rem;text-align:left;vertical-align:top}"
        ".q-table td{overflow-wrap:break-word}.q-table th{background:#eef2f7;overflow-wrap:normal}</style>"
    )
    label = f" role='region' aria-label='{e(caption or 'Tableau')}' tabindex='0'"
    return f"<div class='q-table-wrap'{label}><table class='q-table'>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{style}"


def frame_html(table: pd.DataFrame, caption: str) -> str:
    """A text DataFrame (index = first column) as html_table: one element, no Arrow encoding at each
    rerun (st.table re-encodes its frame every time)."""
    header = [str(table.index.name or ""), *map(str, table.columns)]
    rows = [[str(i), *map(str, r)] for i, r in zip(table.index, table.itertuples(index=False), strict=True)]
    return html_table(header, rows, caption)


def fr_date(iso: str) -> str:
    """« 2026-12-01T10:00:00+00:00 » → « 01/12/2026 » (French, and never broken at a hyphen)."""
    y, m, d = iso[:10].split("-")
    return f"{d}/{m}/{y}"


_MD_LINK = re.compile(r"\[((?:[^\]\\]|\\.)*)\]\((https?://[^)\s]+)\)")


def inert_links(text: str) -> str:
    """« [label](https://…) » → « label (https://…) »: the address shown, nothing to follow."""
    return _MD_LINK.sub(lambda m: f"{m.group(1).replace(chr(92), '')} ({m.group(2)})", text)
