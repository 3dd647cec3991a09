"""One pillar page: its diagnostic figures (from catalogue.yaml `pillars[].diagnostic`), then
its orientations → objectives, filterable by the quartier the contract targets."""

from __future__ import annotations

import html

import streamlit as st

from data import analysis
from data.formatting import period_label
from ui import cached
from ui.frame import figure_card, page_setup, query_choice, quartier_ids, sources_footer, sync_query, tname

ALL = "tous"


def _chart_block(spec: dict) -> None:
    cat, ts = cached.catalogue(), cached.territories()
    ind = cat[spec["indicator"]]
    terrs = tuple(spec["territories"])
    values, frame, table = cached.series_block(ind.id, terrs)
    if frame.empty:
        return
    kind = spec["chart"]
    st.markdown(f"#### {ind.label}")
    flags = [i for i in cached.doc("inconsistencies")["items"] if ind.id in i.get("indicators", [])]
    title = ind.label if kind in ("series", "bar_periods") else f"{ind.label} ({period_label(values[0].period)})"
    st.vega_lite_chart(cached.chart_spec(kind, ind.id, terrs, title), width="content")
    missing = frame[frame["valeur"].isna()]
    if len(missing):
        st.caption("Non disponible (« NA » dans le contrat) : " + "; ".join(f"{r['territoire']} – {r['période']}" for _, r in missing.iterrows()))
    with st.expander(f"Données en tableau – {ind.label}"):
        st.table(table)
    for f in flags:
        st.warning(f"Incohérence du contrat : {f['summary']}")
    srcs = sorted({f"{v.source} · {v.perimeter} · {v.contract_ref}" for v in values})
    st.caption("Source : " + " | ".join(srcs) + f". {ind.definition}")


def _figures_grid(specs: list[dict]) -> None:
    """Single figures (no series to chart) as one grid of cards, each with its source and period."""
    cat, ts = cached.catalogue(), cached.territories()
    st.subheader("Autres chiffres du contrat")
    cols = st.columns(4)
    n = 0
    flags = []
    for spec in specs:
        ind = cat[spec["indicator"]]
        values, _, _ = cached.series_block(ind.id, tuple(spec["territories"]))
        for v in values:
            with cols[n % 4]:
                figure_card(f"{ind.label} – {ts[v.territory].short}", v, ind.unit)
            n += 1
        flags += [i for i in cached.doc("inconsistencies")["items"] if ind.id in i.get("indicators", []) and i not in flags]
    for f in flags:
        st.warning(f"Incohérence du contrat : {f['summary']}")


def _objective(ob: dict) -> None:
    ts = cached.territories()
    tags = "".join(f"<span class='q-tag'>cible : {html.escape(ts[q].short)}</span>" for q in ob["target_quartiers"])
    tags += "".join(f"<span class='q-tag'>cité : {html.escape(ts[q].short)}</span>" for q in ob["mentioned_quartiers"]
                    if q not in ob["target_quartiers"])
    with st.expander(f"{ob['id']} – {ob['title']}"):
        if tags:
            st.markdown(tags, unsafe_allow_html=True)
        if ob.get("title_summary_table") and ob["title_summary_table"] != ob["title"]:
            st.caption(f"Intitulé dans le tableau de synthèse du contrat : « {ob['title_summary_table']} »")
        for label, key in (("Résultats attendus", "resultats_attendus"), ("Acteurs", "acteurs"),
                           ("Indicateurs de suivi", "indicateurs_suivi"), ("Dispositifs mobilisés / mobilisables", "dispositifs"),
                           ("Pistes d'action", "pistes_action"), ("Question évaluative", "questions_evaluatives")):
            items = ob.get(key) or []
            if items:
                st.markdown(f"**{label}**\n" + "\n".join(f"- {html.escape(i)}" for i in items))
        if ob.get("notes"):
            st.caption(" ".join(ob["notes"]))
        if ob.get("target_basis"):
            st.caption(f"Ciblage : {ob['target_basis']}")


def render(pillar_id: str) -> None:
    pillar = next(p for p in cached.pillars() if p["id"] == pillar_id)
    fw = cached.framework()
    orientations = [o for o in fw["orientations"] if o["pillar"] == pillar_id]
    page_setup(pillar["name"], f"Orientations stratégiques {', '.join(str(o['number']) for o in orientations)} du contrat : "
                               "diagnostic chiffré, puis objectifs opérationnels.")
    st.header("Diagnostic")
    charts = [spec for spec in pillar["diagnostic"] if spec["chart"] != "figures"]
    figures = [spec for spec in pillar["diagnostic"] if spec["chart"] == "figures"]
    for spec in charts:
        _chart_block(spec)
    if figures:
        _figures_grid(figures)

    st.header("Orientations et objectifs opérationnels")
    ids = quartier_ids()
    options = [ALL] + ids
    chosen = query_choice("quartier", options, ALL)
    chosen = st.selectbox("Filtrer par quartier", options, index=options.index(chosen), key=f"pilier_{pillar_id}_q",
                          format_func=lambda q: "Tous les objectifs" if q == ALL else tname(q))
    sync_query("quartier", chosen, ALL)
    strict = False
    if chosen != ALL:
        strict = st.toggle("Seulement les objectifs qui ciblent explicitement ce quartier (sinon : ciblés ou cités)",
                           key=f"pilier_{pillar_id}_strict")
    shown = 0
    for o in orientations:
        obs = o["objectives"]
        if chosen != ALL:
            obs = [ob for ob in obs if chosen in ob["target_quartiers"] or (not strict and chosen in ob["mentioned_quartiers"])]
        if not obs:
            continue
        st.subheader(f"Orientation {o['number']} – {o['title']}")
        for ob in obs:
            _objective(ob)
            shown += 1
    if shown == 0:
        st.info(f"Aucun objectif de ce pilier ne cible ni ne cite « {tname(chosen)} » : les objectifs transversaux s'appliquent "
                "à tous les quartiers prioritaires.")
    gov = cached.doc("governance")
    tech = next(b for b in gov["bodies"] if b["id"] == "comites-techniques")
    st.caption(f"Suivi : {tech['name']} ({tech['frequency']}) — " + " ; ".join(tech["missions"]))
    sources_footer()
