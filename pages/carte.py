"""Carte – the 2024 QPV perimeters and the two poches coloured by an indicator; click opens the fiche."""

import html

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from data import analysis
from data.formatting import MISSING, fr_value, period_label
from data.indicators import period_sort_key
from ui import cached
from ui.frame import PERIMETER_WARNING, page_setup, query_choice, quartier_ids, sources_footer, sync_query, tname
from ui.maps import NA_STYLE, PALETTE, quartier_map

page_setup("Carte des quartiers",
           "Périmètres **2024** des trois QPV et carreaux de 200 m des deux poches de pauvreté, sur le contour de Compiègne. "
           "Choisissez un indicateur et une période pour colorer les quartiers ; **cliquez un quartier pour ouvrir sa fiche**.")

cat, df, ts = cached.catalogue(), cached.series_frame(), cached.territories()
ids = quartier_ids()
on_map = df[df["territory"].isin(ids)]
# indicators a map can compare: figures for at least two quartiers, in catalogue order
per_ind = on_map.groupby("indicator", observed=True)["territory"].nunique()
mappable = [i for i in cat if per_ind.get(i, 0) >= 2]
default_ind = "poverty_rate"
ind_id = query_choice("ind", mappable, default_ind)
c1, c2 = st.columns([2, 1])
ind_id = c1.selectbox("Indicateur", mappable, index=mappable.index(ind_id), key="carte_ind",
                      format_func=lambda i: f"{cat[i].label} ({cat[i].unit_label})")
periods = sorted(set(on_map[on_map["indicator"] == ind_id]["period"]), key=period_sort_key)
period = query_choice("periode", periods, periods[-1]) if st.query_params.get("ind", default_ind) == ind_id else periods[-1]
period = c2.selectbox("Période", periods, index=periods.index(period), key=f"carte_periode_{ind_id}", format_func=period_label)
sync_query("ind", ind_id, default_ind)
sync_query("periode", period, periods[-1])

ind = cat[ind_id]
values, tooltips, table = {}, {}, []
for q in ids:
    v = analysis.get_value(df, q, ind_id, period)
    pop = analysis.get_value(df, q, "population_qpv2024", "") or analysis.get_value(df, q, "estimated_population", "")
    missing = v is None or v.missing
    values[q] = None if missing else v.value
    text = fr_value(v.value, ind.unit, v.decimals) if not missing else (
        MISSING + (" (NA dans le contrat)" if v is not None else " (pas de chiffre dans le contrat)"))
    tooltips[q] = {
        "Quartier": ts[q].name,
        "Code officiel": ts[q].code,
        "Population": (fr_value(pop.value, "nombre", 0) + (" hab. (périmètre 2024)" if ts[q].kind == "qpv" else " pers. (estimation)")) if pop else MISSING,
        ind.label: f"{text} – {period_label(period)}",
    }
    table.append({"Quartier": ts[q].name, "Code officiel": ts[q].code, f"{ind.label} ({period_label(period)})": text,
                  "Source": v.source if v else "—", "Périmètre des données": v.perimeter if v else "—"})

with_arc = st.toggle("Vue d'ensemble : les 22 communes de l'ARC autour de Compiègne", key="carte_arc",
                     value=st.query_params.get("arc") == "1")
sync_query("arc", "1" if with_arc else "0", "0")
m, breaks = quartier_map(tuple(values.items()), tuple((q, tuple(rows.items())) for q, rows in tooltips.items()),
                                  with_arc=with_arc)
left, right = st.columns([3, 1])
with left:
    out = st_folium(m, key=f"carte_{ind_id}_{period}_{int(with_arc)}", height=560, use_container_width=True,
                    returned_objects=["last_active_drawing"])
with right:
    st.markdown(f"**{html.escape(ind.label)}**  \n{html.escape(ind.unit_label)} · {period_label(period)}")
    legend = []
    if breaks:
        if len(breaks) == 2:
            legend.append((PALETTE[2], fr_value(breaks[0], ind.unit, 1 if ind.unit == "pourcent" else 0)))
        else:
            for i, colour in enumerate(PALETTE):
                lo, hi = breaks[i], breaks[i + 1]
                dec = 1 if ind.unit in ("pourcent", "apl_consultations") else 0
                legend.append((colour, f"{fr_value(lo, ind.unit, dec)} – {fr_value(hi, ind.unit, dec)}"))
    items = "".join(f"<div style='display:flex;align-items:center;margin:2px 0'><span style='display:inline-block;width:22px;"
                    f"height:14px;background:{c};border:1px solid #333;margin-right:6px'></span>{html.escape(t)}</div>"
                    for c, t in legend)
    items += ("<div style='display:flex;align-items:center;margin:2px 0'><span style='display:inline-block;width:22px;height:14px;"
              f"border:2px dashed {NA_STYLE['color']};background:#fff;margin-right:6px'></span>non disponible</div>")
    st.markdown(f"<div role='img' aria-label='Légende'>{items}</div>", unsafe_allow_html=True)
    st.caption("Classes d'égale amplitude entre la plus petite et la plus grande valeur affichée. Un quartier sans valeur "
               "est dessiné en pointillés, jamais comme une valeur faible.")
    st.caption(PERIMETER_WARNING.replace("**", ""))

clicked = (out or {}).get("last_active_drawing")
if clicked:
    q = (clicked.get("properties") or {}).get("territory")
    if q in ids:
        st.switch_page("pages/fiche.py", query_params={"q": q})

st.markdown("**Les mêmes données en tableau**")
st.table(pd.DataFrame(table).set_index("Quartier"))
st.caption(f"Définition : {ind.definition}")
cols = st.columns(5)
for col, q in zip(cols, ids):
    col.page_link("pages/fiche.py", label=f"Fiche {ts[q].short}", query_params={"q": q})
sources_footer(["Fond de carte : aucun par défaut (la carte fonctionne sans internet) ; QUARTIERS_TILES=osm ajoute les tuiles "
                "OpenStreetMap quand une connexion existe."])
