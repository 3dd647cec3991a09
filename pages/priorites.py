"""Priorités des habitants – annexe 1 (ranks per quartier, ex æquo visible) and annexe 2 (partners)."""

import streamlit as st

from ui import cached
from ui import wording as w
from ui.frame import image_buttons, page_setup, sources_footer

page_setup(
    "Priorités des habitants",
    "Synthèse des priorités citoyennes exprimées lors des réunions d'habitants organisées fin 2023 dans les trois "
    "quartiers (annexe 1 du contrat), puis les enjeux relevés par les partenaires (annexe 2).",
)
ds = cached.dataset()
res = ds.residents


def tname(q: str, short: bool = False) -> str:
    return w.name(ds, q, short)


st.vega_lite_chart(cached.ranks_spec(), width="stretch")
image_buttons(
    cached.ranks_spec(),
    "Source : Contrat de Ville « Quartiers 2030 », annexe 1 (priorités des habitants)",
    "quartiers2030-priorites",
)
table = cached.priorities_table()
st.markdown("**Le tableau de l'annexe 1** (rang 1 = priorité la plus citée ; « ex æquo » conservé)")
st.table(table)

st.header("Le Top 3 de chaque quartier", anchor=False)
cols = st.columns(3)
for col, q in zip(cols, res.quartiers):
    top = sorted((th for th in res.themes if th.ranks[q].rank <= 3), key=lambda th: th.ranks[q].rank)
    col.markdown(
        f"**{tname(q)}**\n" + "\n".join(w.priority_line(w.rank_text(th.ranks[q].rank, th.ranks[q].tie), th.label) for th in top)
    )

st.header("Analyse du contrat", anchor=False)
for a in res.analysis:
    st.markdown(f"- {a}")
st.markdown("**Conditions de la concertation**")
for c in res.conditions:
    st.markdown(f"- {c}")

st.header("Ce qu'ont relevé les partenaires (annexe 2)", anchor=False)
cols = st.columns(3)
for i, block in enumerate(res.partners):
    with cols[i % 3]:
        st.markdown(f"**{block.theme}**\n" + "\n".join(f"- {x}" for x in block.items))
st.caption("Sujets non traités lors de la concertation avec les partenaires : " + " ; ".join(res.partners_not_covered))
sources_footer([f"Source : {res.source}."])
