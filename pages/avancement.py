"""Avancement des objectifs – for each orientation and each of the 34 operational objectives: its
follow-up indicators, the years N … N+5 that have a value, the last value with its source and
date, its change since N and how complete each year's follow-up is; filterable by territory and
pillar; the référentiel's evaluative questions alongside. Records from data/progress.py, values
from the follow-up store (published values only: no author, no comment, on every screen)."""

import html

import streamlit as st

from data.followup import YEAR_N, YEAR_N_NOTE, FollowupStoreError
from data.progress import progress
from ui import cached
from ui import wording as w
from ui.document import consultation, kiosk
from ui.frame import download, page_setup, query_choice, sources_footer, sync_query
from ui.pdf import progress_pdf
from ui.progress_view import YEAR_HEADS, completeness_html, indicator_rows, progress_csv, ratio
from ui.render import html_table

page_setup(
    "Avancement des objectifs",
    "Pour chaque orientation stratégique et chacun des 34 objectifs opérationnels : les **indicateurs de suivi** du "
    f"référentiel, les années renseignées de N ({YEAR_N}) à N+5, la dernière valeur avec sa source et sa date, "
    "l'évolution depuis N et la **complétude** du suivi de chaque année (indicateurs renseignés / indicateurs attendus). "
    f"{YEAR_N_NOTE}.",
)

ds = cached.dataset()
territories = [*ds.quartier_ids, "ensemble-qpv", "compiegne"]
pillars = {p.id: p.name for p in ds.pillars}
c1, c2 = st.columns(2)
t_default = query_choice("quartier", territories, "ensemble-qpv")
p_default = query_choice("pilier", ["tous", *pillars], "tous")
territory = c1.selectbox(
    "Territoire", territories, index=territories.index(t_default), key="av_territoire", format_func=lambda t: w.name(ds, t)
)
pillar = c2.selectbox(
    "Pilier",
    ["tous", *pillars],
    index=["tous", *pillars].index(p_default),
    key="av_pilier",
    format_func=lambda p: "Tous les piliers" if p == "tous" else pillars[p],
)
sync_query("quartier", territory, "ensemble-qpv")
sync_query("pilier", pillar, "tous")

try:
    entries = cached.followup_store(read_only=consultation()).latest()
except FollowupStoreError as err:
    st.error(f"Valeurs de suivi indisponibles : {err}.")
    st.stop()

orientations = progress(ds.framework, entries, territory, None if pillar == "tous" else pillar, ds=ds)


def text_list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in items) + "</ul>"


scope = f"Territoire : {w.name(ds, territory)} · {'tous les piliers' if pillar == 'tous' else 'pilier ' + pillars[pillar]}"
if not kiosk():  # an unattended screen has nowhere to take a file
    d1, d2 = st.columns(2)
    slug = f"avancement-{territory}" + ("" if pillar == "tous" else f"-{pillar}")
    download(
        "Télécharger l'avancement (CSV)",
        lambda: progress_csv(orientations),
        f"{slug}.csv",
        "text/csv",
        f"dl_av_csv_{slug}",
        icon=":material/download:",
        where=d1,
    )
    download(
        "Télécharger l'avancement (PDF)",
        lambda: progress_pdf(orientations, w.name(ds, territory), scope),
        f"{slug}.pdf",
        "application/pdf",
        f"dl_av_pdf_{slug}",
        icon=":material/picture_as_pdf:",
        where=d2,
    )

st.header(f"Complétude du suivi – {w.name(ds, territory)}", anchor=False)
st.html(completeness_html(orientations, w.name(ds, territory)))
if not entries:
    st.info("Aucune valeur de suivi n'a encore été enregistrée : toutes les années sont à renseigner.")

HEAD = ["Indicateur de suivi", *YEAR_HEADS, "Dernière valeur · source · date", "Évolution depuis N"]


def render_objectives(o) -> None:
    for ob in o.objectives:
        st.subheader(f"Objectif {ob.id} – {ob.title}", anchor=False)
        if ob.indicators:
            st.html(html_table(HEAD, indicator_rows(ob.indicators), caption=f"Indicateurs de suivi de l'objectif {ob.id}"))
            st.caption("Complétude : " + " · ".join(f"{h} {ratio(c)}" for h, c in zip(YEAR_HEADS, ob.completeness, strict=True)))
        else:
            st.caption("Aucun indicateur de suivi du référentiel n'est rattaché à cet objectif.")
        if ob.plan_indicators:
            st.html(
                "<p><strong>Indicateurs du plan d'actions</strong> (à suivre, non saisis ici) :</p>"
                + text_list(ob.plan_indicators)
            )
        if ob.questions:
            st.html("<p><strong>Questions évaluatives</strong> :</p>" + text_list(ob.questions))
    if o.general_indicators or o.general_questions:
        st.subheader(f"Ensemble de l'orientation {o.number}", anchor=False)
        if o.general_indicators:
            st.html(
                html_table(
                    HEAD, indicator_rows(o.general_indicators), caption=f"Indicateurs de l'ensemble de l'orientation {o.number}"
                )
            )
        if o.general_questions:
            st.html("<p><strong>Questions évaluatives</strong> :</p>" + text_list(o.general_questions))


st.header("Les orientations, objectif par objectif", anchor=False)
st.caption("Chaque orientation se déplie : ses objectifs, leurs indicateurs de suivi et leurs questions évaluatives.")
for o in orientations:
    label = f"Orientation {o.number} – {o.title} · pilier : {pillars.get(o.pillar, o.pillar)} · complétude N : {ratio(o.completeness[0])}"
    with st.expander(label, expanded=pillar != "tous"):  # one pillar chosen: its orientations open
        render_objectives(o)
sources_footer()
