"""Carte – the 2024 QPV perimeters and the two poches coloured by an indicator (data.model.MapLayer);
click opens the fiche."""

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from data import model
from data.formatting import period_label
from data.model import FIXED_PERCENT
from ui import cached
from ui import wording as w
from ui.document import consultation
from ui.frame import map_image_buttons, page_setup, query_choice, sources_footer, sync_query
from ui.maps import NA_STYLE, PALETTE, POCHE_CODE, quartier_map
from ui.registry import path_of
from ui.render import md_escape

page_setup(
    "Carte des quartiers",
    "Périmètres **2024** des trois QPV et carreaux de 200 m des deux poches de pauvreté, sur le contour de Compiègne. "
    "Choisissez un indicateur et une période pour colorer les quartiers ; **cliquez un quartier pour ouvrir sa fiche**.",
)

ds = cached.dataset()
cat = ds.catalogue
mappable = cached.mappable_indicators()
default_ind = ds.views.carte.default_indicator
ind_id = query_choice("ind", mappable, default_ind)
c1, c2 = st.columns([2, 1])
ind_id = c1.selectbox(
    "Indicateur",
    mappable,
    index=mappable.index(ind_id),
    key="carte_ind",
    format_func=lambda i: f"{cat[i].label} ({cat[i].unit_label})",
)
periods = ds.periods(ind_id, ds.quartier_ids)
# a series that goes on past the contract: « dernière valeur » (each quartier's own latest) first and by default
if model.has_points(ds, ind_id):
    periods = [model.LATEST, *periods]
    first = model.LATEST
else:
    first = periods[-1]
period = query_choice("periode", periods, first) if st.query_params.get("ind", default_ind) == ind_id else first
period = c2.selectbox(
    "Période",
    periods,
    index=periods.index(period),
    key=f"carte_periode_{ind_id}",
    format_func=lambda p: "Dernière valeur de chaque quartier" if p == model.LATEST else period_label(p),
)
sync_query("ind", ind_id, default_ind)
sync_query("periode", period, first)

ind = cat[ind_id]
layer = cached.map_layer(ind_id, period)
with_arc = st.toggle(
    "Vue d'ensemble : les 22 communes de l'ARC autour de Compiègne", key="carte_arc", value=st.query_params.get("arc") == "1"
)
sync_query("arc", "1" if with_arc else "0", "0")
m = quartier_map(layer, with_arc=with_arc)
left, right = st.columns([3, 1])
with left:
    out = st_folium(
        m,
        key=f"carte_{ind_id}_{period}_{int(with_arc)}",
        height=560,
        use_container_width=True,
        returned_objects=["last_active_drawing"],
    )
with right:
    if period == model.LATEST:
        st.markdown(f"**{md_escape(ind.label)}**  \n{md_escape(ind.unit_label)} · dernière valeur de chaque quartier")
        st.html(
            "<p class='q-note'>Période et périmètre : "
            + html.escape(
                " ; ".join(
                    f"{ds.territories[f.territory].short} {period_label(f.figure.period)} ({f.figure.perimeter or '—'})"
                    for f in layer.features
                    if not f.figure.missing
                )
            )
            + ". Des périmètres différents ne se comparent pas : les couleurs situent chaque valeur, sans évolution.</p>"
        )
    else:
        st.markdown(f"**{md_escape(ind.label)}**  \n{md_escape(ind.unit_label)} · {period_label(period)}")
    b = layer.breaks
    dec = (
        0 if layer.basis == FIXED_PERCENT else max((f.figure.decimals for f in layer.features if not f.figure.missing), default=0)
    )
    labels = w.map_class_labels(b, layer.basis, ind.unit, dec)
    legend = [(PALETTE[len(PALETTE) // 2], labels[0])] if len(b) == 2 else list(zip(PALETTE, labels, strict=False))
    # a list screen readers read (the swatches themselves are decorative)
    swatch = "display:inline-block;width:22px;height:14px;margin-right:6px;flex:none"
    row = "display:flex;align-items:center;margin:2px 0"
    items = "".join(
        f"<li style='{row}'><span aria-hidden='true' style='{swatch};background:{c};border:1px solid #333'></span>"
        f"{html.escape(t)}</li>"
        for c, t in legend
    )
    items += (
        f"<li style='{row}'><span aria-hidden='true' style='{swatch};border:2px dashed {NA_STYLE['color']};"
        f"background:#fff'></span>{w.MISSING} (pointillés)</li>"
    )
    st.markdown(
        f"<ul aria-label='Légende de la carte' style='list-style:none;padding:0;margin:0'>{items}</ul>", unsafe_allow_html=True
    )
    for r in layer.references:  # the references' own values, to read the colours against
        when = f" ({period_label(r.period)}, {r.perimeter})" if period == model.LATEST else ""
        st.html(
            f"<p style='margin:0.1rem 0'>{html.escape(w.name(ds, r.territory, True))} : {html.escape(w.value_text(r) + when)}</p>"
        )
    st.caption(
        w.MAP_BASIS.get(layer.basis, "") + " Un quartier sans valeur est dessiné en pointillés, jamais comme une valeur faible."
    )
    st.caption(w.PERIMETER_NOTE)
    map_image_buttons(ds, ind, period, layer, legend)

clicked = (out or {}).get("last_active_drawing")
if clicked:
    q = (clicked.get("properties") or {}).get("territory")
    if q in ds.quartier_ids:
        st.switch_page(path_of("fiche"), query_params={"q": q})

st.markdown("**Les mêmes données en tableau**")
st.table(
    pd.DataFrame(
        [
            {
                "Quartier": ds.territories[f.territory].name,
                "Code officiel": ds.territories[f.territory].code
                if ds.territories[f.territory].kind == "qpv" or not consultation()
                else POCHE_CODE,
                f"{ind.label} ({'dernière valeur' if period == model.LATEST else period_label(period)})": w.value_or_reason(
                    f.figure
                ),
                "Période": period_label(f.figure.period) or "—",
                "Source": f.figure.source or "—",
                "Périmètre des données": f.figure.perimeter or "—",
            }
            for f in layer.features
        ]
    ).set_index("Quartier")
)
st.caption(md_escape(f"Définition : {ind.definition}"))
for col, q in zip(st.columns(len(ds.quartier_ids)), ds.quartier_ids, strict=True):
    col.page_link(path_of("fiche"), label=f"Fiche {ds.territories[q].short}", query_params={"q": q})
sources_footer(
    [
        "Fond de carte : aucun, la carte fonctionne sans internet."
        if consultation()
        else "Fond de carte : aucun par défaut, la carte fonctionne sans internet (les tuiles OpenStreetMap peuvent être "
        "ajoutées là où une connexion existe : voir le README)."
    ]
)
