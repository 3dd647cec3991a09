"""Évolutions – series of the chosen indicators for the chosen quartiers with reference
territories, the same data as tables, and the « écart à la référence » view."""

import pandas as pd
import streamlit as st

from data import analysis
from data.formatting import MISSING, fr_change, period_label
from ui import cached
from ui.frame import PERIMETER_WARNING, csv_download, export_frame, page_setup, sources_footer, sync_query, tname

page_setup("Évolutions des indicateurs", PERIMETER_WARNING)

cat, df, ts, changes = cached.catalogue(), cached.series_frame(), cached.territories(), cached.changes_frame()
# an indicator is chartable when some territory has it at two periods or more
chartable = cached.chartable_indicators()
territory_ids = [t.id for t in sorted(ts.values(), key=lambda t: t.order)]
quartiers = [t for t in territory_ids if ts[t].kind in ("qpv", "poche")]
references = [t for t in territory_ids if ts[t].kind == "reference"]


def from_url(key: str, allowed: list[str], default: list[str]) -> list[str]:
    raw = st.query_params.get(key)
    if not raw:
        return default
    wanted = [x for x in raw.split(",") if x]
    bad = [x for x in wanted if x not in allowed]
    if bad:
        st.warning(f"Valeur(s) inconnue(s) dans l'adresse pour « {key} » : {', '.join(bad)} (ignorées).")
    return [x for x in wanted if x in allowed] or default


default_inds = ["poverty_rate"]
default_q = [q for q in quartiers if ts[q].kind == "qpv"]
sel_inds = st.multiselect("Indicateurs", chartable, default=from_url("ind", chartable, default_inds), key="evo_ind",
                          format_func=lambda i: cat[i].label)
sel_q = st.multiselect("Quartiers", quartiers, default=from_url("q", quartiers, default_q), key="evo_q",
                       format_func=lambda q: ts[q].name)
with_refs = st.toggle("Afficher les territoires de référence (ensemble des QPV, commune, EPCI, département, région, France)",
                      value=st.query_params.get("ref", "1") != "0", key="evo_ref")
sync_query("ind", ",".join(sel_inds), ",".join(default_inds))
sync_query("q", ",".join(sel_q), ",".join(default_q))
sync_query("ref", "1" if with_refs else "0", "1")

if not sel_inds:
    st.info("Choisissez au moins un indicateur.")
for ind_id in sel_inds:
    ind = cat[ind_id]
    terrs = tuple(sel_q + ([r for r in references] if with_refs else []))
    values, frame, table = cached.series_block(ind_id, terrs)
    st.subheader(ind.label)
    if frame.empty:
        st.info("Aucune valeur de cet indicateur pour les territoires choisis.")
        continue
    shown = frame.dropna(subset=["valeur"])
    missing = frame[frame["valeur"].isna()]
    periods = ", ".join(dict.fromkeys(frame.sort_values("order")["période"]))
    st.caption(f"{ind.definition} Périodes disponibles : {periods}. {ind.period_meaning}")
    if shown["période"].nunique() >= 1 and len(shown):
        st.vega_lite_chart(cached.chart_spec("series", ind_id, terrs, ind.label), width="content")
    if len(missing):
        st.warning("Non disponible (valeur « NA » dans le contrat, jamais remplacée par 0) : " +
                   "; ".join(f"{r['territoire']} – {r['période']}" for _, r in missing.iterrows()))
    no_data = [ts[t].name for t in sel_q if not analysis.series(df, t, ind_id)]
    if no_data:
        st.caption("Pas de chiffre dans le contrat pour : " + ", ".join(no_data) + ".")
    with st.expander(f"Données en tableau – {ind.label}", expanded=False):
        st.table(table)
        rows = df[(df["indicator"] == ind_id) & df["territory"].isin(terrs)]
        csv_download(export_frame(rows), f"quartiers2030-{ind_id}.csv", key=f"dl_{ind_id}")
        st.caption("Sources et périmètres : " + "; ".join(sorted({f"{r['source']} ({r['périmètre']})" for _, r in frame.iterrows()})))

# --- écart à la référence ----------------------------------------------------------------------
st.header("Écart à la référence")
st.markdown("Quartier moins territoire de référence, **pour la même période**, là où le contrat donne les deux valeurs "
            "(en points pour les taux). Pour la médiane des revenus, le contrat ne donne que l'évolution de l'écart à la commune.")
rows = []
views = cached.doc("views")["evolutions"]
for spec in views["gaps"]:
    ind_id, ref = spec["indicator"], spec["reference"]
    ind = cat[ind_id]
    ref_periods = [v.period for v in analysis.series(df, ref, ind_id)]
    for q in sel_q or default_q:
        for p in ref_periods:
            g = analysis.gap(df, q, ref, ind_id, p)
            rows.append({"Indicateur": ind.label, "Quartier": ts[q].name, "Référence": ts[ref].short, "Période": period_label(p),
                         "Écart": fr_change(g, ind.unit, 2 if ind_id == "single_parent_share" else 1) if g is not None else MISSING,
                         "écart (nombre)": g})
for spec in views["stated_gaps"]:
    ind = cat[spec["indicator"]]
    for q in sel_q or default_q:
        s = analysis.stated_change(changes, q, ind.id, spec["from"], spec["to"], measure=f"gap_to:{spec['reference']}")
        if s is not None:
            rows.append({"Indicateur": f"{ind.label} – évolution de l'écart", "Quartier": ts[q].name,
                         "Référence": ts[spec["reference"]].short, "Période": f"{spec['from']} → {spec['to']}",
                         "Écart": fr_change(float(s["change"]), ind.unit, 0), "écart (nombre)": None})
if rows:
    gaps = pd.DataFrame(rows)
    st.table(gaps.drop(columns=["écart (nombre)"]).set_index("Indicateur"))
    st.caption("Un écart positif du taux de NEET ou de la part de familles monoparentales signifie une situation plus "
               "défavorable que dans l'EPCI. Les écarts de revenu sont ceux énoncés par le contrat (écart = commune − quartier).")
sources_footer()
