"""Référentiel d'évaluation – per orientation: axes, follow-up indicators with their sources,
evaluative questions; searchable; marks the indicators that already have figures here."""

import html
import itertools

import streamlit as st

from data.framework import RefIndicator, RefQuestion
from data.links import fold, linked_indicators
from data.links import proxy_note as links_proxy_note
from ui import cached
from ui.frame import page_setup, sources_footer, sync_query

page_setup(
    "Référentiel d'évaluation",
    "Outil d'animation de l'évaluation du contrat : pour chaque orientation stratégique, les **indicateurs de suivi** "
    "(avec leurs sources) et les **questions évaluatives**. Le contrat précise que ce référentiel est indicatif.",
)

ds = cached.dataset()
fw, cat = ds.framework, ds.catalogue


def data_for(text: str) -> list[str]:
    return linked_indicators(ds, text)


def proxy_note(text: str) -> str:
    return links_proxy_note(ds, text)


c1, c2 = st.columns([2, 1])
SEARCH_MAX = 100  # an address can carry anything: only the first 100 characters are searched
query = c1.text_input(
    "Rechercher (indicateur, source, question, mot-clé)",
    value=(st.query_params.get("recherche") or "")[:SEARCH_MAX],
    key="ref_search",
    placeholder="ex. NEET, CPAM, santé mentale…",
    max_chars=SEARCH_MAX,
)
orient_opts = ["toutes"] + [str(o.number) for o in fw.orientations]
o_url = st.query_params.get("orientation", "toutes")
o_choice = c2.selectbox(
    "Orientation",
    orient_opts,
    index=orient_opts.index(o_url) if o_url in orient_opts else 0,
    key="ref_orient",
    format_func=lambda x: "Toutes" if x == "toutes" else f"Orientation {x}",
)
only_data = st.toggle("Seulement les indicateurs qui ont déjà des chiffres dans le tableau de bord", key="ref_only_data")
sync_query("recherche", query, "")
sync_query("orientation", o_choice, "toutes")
q = fold(query.strip())


def matches(*texts: str) -> bool:
    return not q or any(q in fold(t) for t in texts)


def indicator_line(ind: RefIndicator) -> str:
    """One indicator as printed (its sub-bullets nested), with the figures the dashboard has for it."""
    ids = data_for(ind.label)
    badge = ""
    if ids:
        note = proxy_note(ind.label)
        badge = (
            " <span class='q-tag' style='background:#dcf2e3'>données disponibles : "
            + ", ".join(html.escape(cat[i].label) for i in ids)
            + (f" — approchées : {html.escape(note)}" if note else "")
            + "</span>"
        )
    sub = item_list([f"<li>{html.escape(b)}</li>" for b in ind.bullets]) if ind.bullets else ""
    return f"<li>{html.escape(ind.text)}{badge}{sub}</li>"


def indicator_lines(inds: list[RefIndicator]) -> list[str]:
    """The indicators in print order; bullets that continue one stem are listed under it, the stem once."""
    lines: list[str] = []
    for lead, group in itertools.groupby(inds, key=lambda i: i.lead):
        items = [indicator_line(i) for i in group]
        lines += [f"<li>{html.escape(lead)}{item_list(items)}</li>"] if lead else items
    return lines


def question_line(q: RefQuestion, em: bool = False) -> str:
    text = f"<em>{html.escape(q.text)}</em>" if em else html.escape(q.text)
    sub = item_list([f"<li>{html.escape(b)}</li>" for b in q.bullets]) if q.bullets else ""
    return f"<li>{text}{sub}</li>"


def item_list(lines: list[str]) -> str:
    """Contract text as an escaped HTML list: its addresses are shown, never turned into links."""
    return "<ul class='q-list'>" + "".join(lines) + "</ul>" if lines else "<p>—</p>"


AXIS_CSS = (
    "<style>.q-axis{border:1px solid #d0d7de;border-radius:8px;padding:0.8rem 1rem;margin:0 0 0.8rem}"
    ".q-axis p{margin:0.2rem 0}.q-axis-cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));"
    "gap:0.5rem 1.5rem}</style>"
)


total = 0
for o in fw.orientations:
    if o_choice != "toutes" and str(o.number) != o_choice:
        continue
    blocks = []
    for ax in o.referentiel.axes:
        texts = [ax.axis, *(i.label for i in ax.indicators), *ax.notes, *ax.sources, *(x.label for x in ax.questions)]
        if not matches(*texts):
            continue
        inds = [i for i in ax.indicators if not only_data or data_for(i.label)]
        if only_data and not inds:
            continue
        blocks.append((ax, inds))
    g = o.referentiel.general
    g_inds = [i for i in g.indicators if (not only_data or data_for(i.label))]
    g_show = matches(*(i.label for i in g.indicators), *(x.label for x in g.questions), *g.sources) and (
        bool(g_inds) or not only_data
    )
    if not blocks and not g_show:
        continue
    total += 1
    st.header(f"Orientation {o.number} – {o.title_referentiel or o.title}", anchor=False)
    # one element per block (an axis: its indicators and questions side by side, stacked on a narrow
    # screen): a page of 40 blocks reruns in a third of the time of 9 elements a block
    parts = []
    for ax, inds in blocks:
        elsewhere = (
            ""
            if ax.objective_ref.startswith(str(o.number) + ".")
            else " (imprimé dans le tableau de cette orientation par le contrat)"
        )
        notes = "".join(f"<p class='q-note'>{html.escape(n)}</p>" for n in ax.notes)
        sources = f"<p class='q-note'>{html.escape(' '.join(ax.sources))}</p>" if ax.sources else ""  # shown, not followed
        parts.append(
            f"<section class='q-axis'><p><strong>Axe de travail : {html.escape(ax.axis)}</strong><br>"
            f"<small>Objectif opérationnel {html.escape(ax.objective_ref)}{elsewhere}</small></p>"
            "<div class='q-axis-cols'>"
            f"<div><p><em>Indicateurs de suivi</em></p>{item_list(indicator_lines(inds))}{notes}{sources}</div>"
            f"<div><p><em>Questions évaluatives</em></p>{item_list([question_line(x) for x in ax.questions])}</div>"
            "</div></section>"
        )
    if g_show:
        g_notes = f" <small>{html.escape(' '.join(g.notes))}</small>" if g.notes else ""
        body = item_list(indicator_lines(g_inds)) if g_inds else ""
        if g.questions and not only_data:
            body += item_list([question_line(x, em=True) for x in g.questions])
        if g.sources:
            body += f"<p class='q-note'>{html.escape(' '.join(g.sources))}</p>"
        parts.append(f"<section class='q-axis'><p><strong>Pour l'ensemble de l'orientation</strong>{g_notes}</p>{body}</section>")
    st.html("".join(parts) + AXIS_CSS)
if total == 0:
    # the search text is not repeated here (it would be read as Markdown): it stays in the field above
    st.info("Aucun résultat : aucun axe, indicateur, source ni question ne correspond à cette recherche.")
st.caption(
    "Modalités proposées par le contrat pour répondre aux questions évaluatives : groupes de travail avec des "
    "professionnels, focus groupes avec des adolescents, des jeunes ou des parents, questionnaire auprès des "
    "professionnels ou des personnes concernées (note 15)."
)
sources_footer()
