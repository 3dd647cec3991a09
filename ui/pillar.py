"""One pillar page: its diagnostic figures (from catalogue.yaml `pillars[].diagnostic`), then
its orientations → objectives, filterable by the quartier the contract targets."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import streamlit as st

from data import model
from data.formatting import period_label
from ui import cached
from ui import wording as w
from ui.frame import figure_cards, figures_source, image_buttons, page_setup, query_choice, sources_footer, sync_query
from ui.render import inert_links, md_escape

if TYPE_CHECKING:  # types only: an import here would change the order of concurrent first imports
    from data.framework import Objective
    from data.schemas import Inconsistency

ALL = "tous"


def pillar_slug(indicator: str) -> str:
    return indicator.replace("_", "-")


def _chart_block(spec) -> None:
    ds = cached.dataset()
    ind = ds.catalogue[spec.indicator]
    terrs = tuple(spec.territories)
    figures, table = cached.series_table(ind.id, terrs)
    if table is None:
        return
    st.subheader(md_escape(ind.label), anchor=False)
    title = ind.label if spec.chart in ("series", "bar_periods") else f"{ind.label} ({period_label(figures[0].period)})"
    chart = cached.chart_spec(spec.chart, ind.id, terrs, title)
    st.vega_lite_chart(chart, width="stretch")
    image_buttons(chart, figures_source(figures), f"quartiers2030-{pillar_slug(ind.id)}-{spec.chart}")
    missing = [f for f in figures if f.missing]
    if missing:
        st.caption(
            f"{w.MISSING.capitalize()} (« NA » dans le contrat) : "
            + "; ".join(f"{w.name(ds, f.territory, True)} – {period_label(f.period)}" for f in missing)
        )
    with st.expander(f"Données en tableau – {md_escape(ind.label)}"):
        st.html(cached.series_table_html(ind.id, terrs, f"{ind.label} ({ind.unit_label})"))
    for f in model.inconsistencies_for(ds, indicator=ind.id):
        st.warning(w.inconsistency_text(f))
    for f in (f for f in figures if f.inferred):
        st.caption(f"{w.name(ds, f.territory, True)} : {w.inferred_text(f)}")
    srcs = sorted({f"{f.source} · {f.perimeter} · {f.contract_ref}" for f in figures})
    st.caption(
        md_escape(
            "Source : "
            + " | ".join(srcs)
            + f". {ind.definition}"
            + (f" Libellé du contrat : « {ind.contract_wording} »." if ind.contract_wording else "")
        )
    )


def _figures_grid(specs) -> None:
    """Single figures (no series to chart) as one grid of cards, each with its source and period."""
    ds = cached.dataset()
    st.subheader("Autres chiffres du contrat", anchor=False)
    figures = [f for spec in specs for f in model.series_figures(ds, spec.indicator, tuple(spec.territories))]
    figure_cards(figures)
    for ind in dict.fromkeys(ds.catalogue[spec.indicator] for spec in specs if ds.catalogue[spec.indicator].contract_wording):
        st.caption(md_escape(f"{ind.label} : {ind.definition} Libellé du contrat : « {ind.contract_wording} »."))
    flags: dict[str, Inconsistency] = {}
    for spec in specs:
        flags |= {i.id: i for i in model.inconsistencies_for(ds, indicator=spec.indicator)}
    for f in flags.values():
        st.warning(w.inconsistency_text(f))


def _objective(ob: Objective) -> None:
    ts = cached.dataset().territories
    tags = "".join(f"<span class='q-tag'>cible : {html.escape(ts[q].short)}</span>" for q in ob.target_quartiers)
    tags += "".join(
        f"<span class='q-tag'>cité : {html.escape(ts[q].short)}</span>"
        for q in ob.mentioned_quartiers
        if q not in ob.target_quartiers
    )
    # one element per objective (the rerun of a pillar page costs per element): tags, the summary
    # table's title, the contract's lists, its footnotes and the targeting, as escaped HTML
    parts = [f"<p>{tags}</p>"] if tags else []
    if ob.title_summary_table and ob.title_summary_table != ob.title:
        parts.append(
            f"<p class='q-note'>Intitulé dans le tableau de synthèse du contrat : « {html.escape(ob.title_summary_table)} »</p>"
        )
    for label, items in (
        ("Résultats attendus", ob.resultats_attendus),
        ("Acteurs", ob.acteurs),
        ("Indicateurs de suivi", ob.indicateurs_suivi),
        ("Dispositifs mobilisés / mobilisables", ob.dispositifs),
        ("Pistes d'action", ob.pistes_action),
        ("Question évaluative", ob.questions_evaluatives),
    ):
        if items:
            # contract text as an escaped HTML list: addresses shown, never turned into links
            parts.append(
                f"<p><strong>{label}</strong></p><ul class='q-list'>"
                + "".join(f"<li>{html.escape(i)}</li>" for i in items)
                + "</ul>"
            )
    if ob.notes:
        # footnotes of the contract: plain text (their links are shown, not followed: offline screens)
        parts.append(f"<p class='q-note'>{html.escape(inert_links(' '.join(ob.notes)))}</p>")
    if ob.target_basis:
        parts.append(f"<p class='q-note'>Ciblage : {html.escape(ob.target_basis)}</p>")
    with st.expander(f"{ob.id} – {ob.title}"):
        st.html("".join(parts))


def render(pillar_id: str) -> None:
    ds = cached.dataset()
    pillar = next(p for p in ds.pillars if p.id == pillar_id)
    orientations = [o for o in ds.framework.orientations if o.pillar == pillar_id]
    page_setup(
        pillar.name,
        f"Orientations stratégiques {', '.join(str(o.number) for o in orientations)} du contrat : "
        "diagnostic chiffré, puis objectifs opérationnels.",
    )
    st.header("Diagnostic", anchor=False)
    for spec in (s for s in pillar.diagnostic if s.chart != "figures"):
        _chart_block(spec)
    figures = [s for s in pillar.diagnostic if s.chart == "figures"]
    if figures:
        _figures_grid(figures)

    st.header("Orientations et objectifs opérationnels", anchor=False)
    options = [ALL, *ds.quartier_ids]
    chosen = query_choice("quartier", options, ALL)
    chosen = st.selectbox(
        "Filtrer par quartier",
        options,
        index=options.index(chosen),
        key=f"pilier_{pillar_id}_q",
        format_func=lambda q: "Tous les objectifs" if q == ALL else w.name(ds, q),
    )
    sync_query("quartier", chosen, ALL)
    strict = False
    if chosen != ALL:
        strict = st.toggle(
            "Seulement les objectifs qui ciblent explicitement ce quartier (sinon : ciblés ou cités)",
            key=f"pilier_{pillar_id}_strict",
        )
    shown = 0
    for o in orientations:
        obs = o.objectives
        if chosen != ALL:
            obs = [ob for ob in obs if chosen in ob.target_quartiers or (not strict and chosen in ob.mentioned_quartiers)]
        if not obs:
            continue
        st.subheader(f"Orientation {o.number} – {o.title}", anchor=False)
        for ob in obs:
            _objective(ob)
            shown += 1
    if shown == 0:
        st.info(
            f"Aucun objectif de ce pilier ne cible ni ne cite « {w.name(ds, chosen)} » : les objectifs transversaux "
            "s'appliquent à tous les quartiers prioritaires."
        )
    tech = next(b for b in ds.governance.bodies if b.id == "comites-techniques")
    st.caption(f"Suivi : {tech.name} ({tech.frequency}) — " + " ; ".join(tech.missions))
    sources_footer()
