"""Fiche quartier – one QPV or poche: perimeter, key figures with evolution and gap, the
contract's reading, residents' priorities, targeted objectives, comparison."""

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from data import analysis
from data.framework import objectives_for_quartier
from data.formatting import MISSING, fr_change, fr_value, period_label
from ui import cached
from ui.frame import (PERIMETER_WARNING, csv_download, export_frame, figure_card, page_setup, query_choice,
                      quartier_ids, sources_footer, sync_query, tname, verdict_class)
from ui.maps import quartier_map

ids = quartier_ids()
current = query_choice("q", ids, ids[0])
if st.session_state.get("fiche_q") not in ids or st.session_state.get("_fiche_url") != current:
    st.session_state["fiche_q"] = current  # the URL wins when it changed (link, back button)
    st.session_state["_fiche_url"] = current

ts, cat, df, changes = cached.territories(), cached.catalogue(), cached.series_frame(), cached.changes_frame()
header = st.container()  # the title goes above the selector, once the choice is known
choice = st.selectbox("Quartier", ids, key="fiche_q", format_func=lambda q: ts[q].name)
st.session_state["_fiche_url"] = choice
sync_query("q", choice)
t = ts[choice]
reading = cached.doc("quartiers")["quartiers"][choice]

kind = "Quartier prioritaire de la politique de la ville" if t.kind == "qpv" else "Poche de pauvreté (carreau INSEE de 200 m)"
with header:
    page_setup(t.name, f"{kind} · code officiel **`{t.code}`**" + (f"  \n{t.description}" if t.description else ""))
    st.download_button("Télécharger la fiche (PDF)", data=cached.fiche_pdf_bytes(choice), file_name=f"fiche-{choice}.pdf",
                       mime="application/pdf", icon=":material/picture_as_pdf:", key=f"pdf_{choice}")

left, right = st.columns([1, 2])
with left:
    m, _ = quartier_map(tuple((q, None) for q in ids),
                                 tuple((q, (("Quartier", ts[q].name), ("Code", ts[q].code))) for q in ids),
                                 highlight=choice, locator=True)
    st_folium(m, key=f"fiche_map_{choice}", height=330, use_container_width=True, returned_objects=[])
    st.caption(f"{'Périmètre 2024' if t.kind == 'qpv' else 'Carreau INSEE de 200 m'} de « {t.name} » (en orange) ; "
               "en gris, les autres quartiers." + (" " + PERIMETER_WARNING.replace("**", "") if t.kind == "qpv" else ""))
with right:
    st.markdown(f"**Lecture du contrat.** {reading['headline']}")
    for item in reading["findings"]:
        st.markdown(f"- {item}")
    st.markdown(f"→ *{reading['conclusion']}*")
    if reading.get("perimeter_2024"):
        st.markdown(f"**Périmètre 2024.** {reading['perimeter_2024']}")
    if reading.get("renewal"):
        st.markdown(f"**Renouvellement urbain.** {reading['renewal']}")


def evo_html(indicator: str, p_from: str, p_to: str) -> str:
    ind = cat[indicator]
    ev = analysis.evolution(df, choice, indicator, p_from, p_to, ind.unit)
    if not ev.available:
        return f"Évolution {period_label(p_from)} → {period_label(p_to)} : {MISSING} ({ev.reason})"
    verdict = analysis.judge(ev.change, ind.higher_is_better)
    pct = f" ({fr_change(round(ev.change_pct, 1), 'pourcent', 1).replace(' points', ' %').replace(' point', ' %')})" \
        if ev.change_pct is not None and ind.unit == "nombre" else ""
    return (f"Évolution depuis {period_label(p_from)} : <b>{html.escape(fr_change(ev.change, ind.unit, ev.decimals))}</b>{pct} "
            f"<span class='{verdict_class(verdict)}'>{verdict}</span>")


def gap_html(indicator: str, period: str, reference: str) -> str:
    g = analysis.gap(df, choice, reference, indicator, period)
    if g is None:
        return ""
    return (f"<br>Écart à {html.escape(tname(reference, short=True))} ({period_label(period)}) : "
            f"<b>{html.escape(fr_change(g, cat[indicator].unit, 1))}</b>")


def stated_gap_html(indicator: str, p_from: str, p_to: str, reference: str) -> str:
    st_ = analysis.stated_change(changes, choice, indicator, p_from, p_to, measure=f"gap_to:{reference}")
    if st_ is None:
        return ""
    return (f"<br>Écart à la commune : <b>{html.escape(fr_change(float(st_['change']), 'euros', 0))}</b> "
            f"entre {p_from} et {p_to} (énoncé du contrat)")


def stated_ref_html(indicator: str, p_from: str, p_to: str, reference: str) -> str:
    """A reference change the contract states without levels (EPCI poverty « +0,3 point »)."""
    st_ = analysis.stated_change(changes, reference, indicator, p_from, p_to)
    if st_ is None:
        return ""
    return (f"<br>{html.escape(tname(reference, short=True))} sur la même période : "
            f"<b>{html.escape(fr_change(float(st_['change']), cat[indicator].unit, 1))}</b> (énoncé du contrat)")


st.subheader("Chiffres clés")
views = cached.doc("views")["fiche"]
cols = st.columns(4)
shown = 0
for card in views["qpv_cards" if t.kind == "qpv" else "poche_cards"]:
    indicator, period = card["indicator"], card["period"]
    v = analysis.get_value(df, choice, indicator, period)
    if v is None and card.get("optional"):
        continue
    sub = card.get("note", "")
    if card.get("from"):
        sub += evo_html(indicator, card["from"], period)
    if card.get("stated_gap"):
        sub += stated_gap_html(indicator, card["from"], period, card["stated_gap"])
    if card.get("stated_reference"):
        sub += stated_ref_html(indicator, card["from"], period, card["stated_reference"])
    if card.get("gap"):
        sub += gap_html(indicator, card["gap"]["period"], card["gap"]["reference"])
    if card.get("share"):
        first = analysis.get_value(df, choice, card["share"], card["from"])
        last = analysis.get_value(df, choice, card["share"], period)
        if first is not None or last is not None:
            def share_text(x):
                if x is None:
                    return "non donnée"
                return "non disponible (NA)" if x.missing else fr_value(x.value, "pourcent", x.decimals)
            sub += f"<br>Part : {share_text(first)} en {card['from']}, {share_text(last)} en {period}"
    with cols[shown % 4]:
        figure_card(card["label"], v, cat[indicator].unit, sub)
    shown += 1

flags = [i for i in cached.doc("inconsistencies")["items"] if i.get("territory") == choice]
for f in flags:
    st.warning(f"Incohérence du contrat : {f['summary']}")

# --- residents' priorities -------------------------------------------------------------------------
if t.kind == "qpv":
    st.subheader("Priorités exprimées par les habitants")
    res = cached.residents()
    ranked = sorted(res["themes"], key=lambda th: th["ranks"][choice]["rank"])
    st.table(pd.DataFrame([{"Rang": f"{th['ranks'][choice]['rank']}{' (ex æquo)' if th['ranks'][choice]['tie'] else ''}",
                            "Thème": th["label"]} for th in ranked]).set_index("Rang"))
    st.page_link("pages/priorites.py", label="Toutes les priorités des habitants", icon=":material/groups:")

# --- objectives that target it ---------------------------------------------------------------------
st.subheader("Objectifs du contrat qui le concernent")
targeted = objectives_for_quartier(cached.framework(), choice, include_mentions=False)
mentioned = [ob for ob in objectives_for_quartier(cached.framework(), choice) if ob not in targeted]
if not targeted and not mentioned:
    st.markdown("Aucun objectif opérationnel ne cible explicitement ce quartier : tous les objectifs transversaux s'y appliquent.")
for ob in targeted:
    st.markdown(f"- **{ob['id']} {ob['title']}** — ciblé explicitement ({ob['target_basis']})")
for ob in mentioned:
    st.markdown(f"- {ob['id']} {ob['title']} — le quartier est cité dans la fiche de l'objectif")

# --- comparison --------------------------------------------------------------------------------
st.subheader("Comparaison avec les autres quartiers")
spec = views["qpv_compare" if t.kind == "qpv" else "poche_compare"]
compare_inds, terrs = spec["rows"], spec["territories"]
table = []
for ind, period in compare_inds:
    row = {"Indicateur": f"{cat[ind].label} ({period_label(period)})"}
    for q in terrs:
        v = analysis.get_value(df, q, ind, period)
        row[ts[q].short + (" ◀" if q == choice else "")] = fr_value(v.value, cat[ind].unit, v.decimals) if v else MISSING
    table.append(row)
st.table(pd.DataFrame(table).set_index("Indicateur"))
st.caption("« non disponible » : le contrat ne donne pas la valeur (ou l'imprime « NA »). Source : contrat, tableaux par quartier"
           + (" ; périmètres QPV 2015 pour les séries des QPV." if t.kind == "qpv" else " ; carreaux INSEE de 200 m."))
csv_download(export_frame(df[df["territory"] == choice]), f"quartiers2030-{choice}.csv",
             f"Télécharger tous les chiffres de « {t.name} » (CSV)", key=f"dl_fiche_{choice}")
st.page_link("pages/evolutions.py", label="Voir les courbes d'évolution de ce quartier", icon=":material/show_chart:",
             query_params={"q": choice})
sources_footer()
