"""Évolutions – series of the chosen indicators for the chosen quartiers with reference
territories, the same data as tables, and the « écart à la référence » view (data.model.gap_table)."""

import pandas as pd
import streamlit as st

from data.formatting import period_label
from data.indicators import period_sort_key
from ui import cached
from ui import wording as w
from ui.frame import PERIMETER_WARNING, csv_button, figures_source, image_buttons, page_setup, sources_footer, sync_query
from ui.render import md_escape

page_setup("Évolutions des indicateurs", PERIMETER_WARNING)

ds = cached.dataset()
cat = ds.catalogue
chartable = cached.chartable_indicators()
quartiers = ds.quartier_ids
references = [t for t in ds.territory_ids if ds.territories[t].kind == "reference"]


def from_url(key: str, allowed: list[str], default: list[str]) -> list[str]:
    """A comma-separated choice from the address: unknown values dropped (and not repeated), duplicates once."""
    raw = (st.query_params.get(key) or "")[:2000]  # an address can carry anything
    if not raw:
        return default
    wanted = list(dict.fromkeys(x for x in raw.split(",") if x))
    if any(x not in allowed for x in wanted):
        st.warning(f"Le paramètre « {key} » de l'adresse contient des valeurs inconnues : elles sont ignorées.")
    return [x for x in wanted if x in allowed] or default


default_inds = [i for i in ds.views.evolutions.default_indicators if i in chartable]
default_q = [q for q in quartiers if ds.territories[q].kind == "qpv"]
sel_inds = st.multiselect(
    "Indicateurs", chartable, default=from_url("ind", chartable, default_inds), key="evo_ind", format_func=lambda i: cat[i].label
)
sel_q = st.multiselect(
    "Quartiers", quartiers, default=from_url("q", quartiers, default_q), key="evo_q", format_func=lambda q: ds.territories[q].name
)
with_refs = st.toggle(
    "Afficher les territoires de référence (ensemble des QPV, commune, EPCI, département, région, France)",
    value=st.query_params.get("ref", "1") != "0",
    key="evo_ref",
)
sync_query("ind", ",".join(sel_inds), ",".join(default_inds))
sync_query("q", ",".join(sel_q), ",".join(default_q))
sync_query("ref", "1" if with_refs else "0", "1")

if not sel_inds:
    st.info("Choisissez au moins un indicateur.")
for ind_id in sel_inds:
    ind = cat[ind_id]
    terrs = tuple(sel_q + (references if with_refs else []))
    figures, table = cached.series_table(ind_id, terrs)
    st.header(md_escape(ind.label), anchor=False)
    if table is None:
        st.info("Aucune valeur de cet indicateur pour les territoires choisis.")
        continue
    periods = ", ".join(dict.fromkeys(period_label(f.period) for f in sorted(figures, key=lambda f: period_sort_key(f.period))))
    st.caption(
        md_escape(
            f"{ind.definition} Périodes disponibles : {periods}. {ind.period_meaning}"
            + (f" Libellé du contrat : « {ind.contract_wording} »." if ind.contract_wording else "")
        )
    )
    if with_refs and not any(ds.series(r, ind_id) for r in references):
        st.caption(
            "Aucun territoire de référence n'a de valeur de cet indicateur dans le contrat : le graphique ne montre que "
            "les quartiers (aucune ligne de référence n'est inventée)."
        )
    if any(not f.missing for f in figures):
        chart = cached.chart_spec("series", ind_id, terrs, ind.label)
        st.vega_lite_chart(chart, width="stretch")
        if said := w.break_sentence(ds, figures):  # the break, said under the chart too
            st.caption(said)
        image_buttons(chart, figures_source(figures), f"quartiers2030-evolution-{ind_id.replace('_', '-')}")
    missing = [f for f in figures if f.missing]
    if missing:
        st.warning(
            f"{w.MISSING.capitalize()} ({w.MISSING_REASON['na']}, jamais remplacée par 0) : "
            + "; ".join(f"{w.name(ds, f.territory, True)} – {period_label(f.period)}" for f in missing)
        )
    no_data = [ds.territories[t].name for t in sel_q if not ds.series(t, ind_id)]
    if no_data:
        st.caption("Pas de chiffre dans le contrat pour : " + ", ".join(no_data) + ".")
    inferred = [f for f in figures if f.inferred]
    for f in inferred:
        st.caption(f"{w.name(ds, f.territory, True)} – {period_label(f.period)} : {w.inferred_text(f)}")
    with st.expander(f"Données en tableau – {md_escape(ind.label)}", expanded=False):
        st.html(cached.series_table_html(ind_id, terrs, f"{ind.label} ({ind.unit_label})"))
        csv_button(cached.figures_csv(indicator=ind_id), f"quartiers2030-{ind_id}.csv", key=f"dl_{ind_id}")
        st.caption(md_escape("Sources et périmètres : " + "; ".join(sorted({f"{f.source} ({f.perimeter})" for f in figures}))))

# --- écart à la référence ----------------------------------------------------------------------
st.header("Écart à la référence", anchor=False)
st.markdown(
    "Quartier moins territoire de référence, **pour la même période**, là où le contrat donne les deux valeurs "
    "(en points pour les taux). Pour la médiane des revenus, le contrat ne donne que l'évolution de l'écart à la commune."
)
measured, stated = cached.gap_table(tuple(sel_q or default_q))
# the gaps of the chosen indicators only (the table used to list every gap whatever the choice)
available = sorted({cat[g.indicator].label for g in (*measured, *stated)})
measured = [g for g in measured if g.indicator in sel_inds]
stated = [g for g in stated if g.indicator in sel_inds]
rows = [
    {
        "Indicateur": cat[g.indicator].label,
        "Quartier": ds.territories[g.territory].name,
        "Référence": w.name(ds, g.reference, True),
        "Période": period_label(g.period),
        "Écart": w.change_text(g.value, g.unit, g.decimals),
    }
    for g in measured
]
rows += [
    {
        "Indicateur": f"{cat[s.indicator].label} – évolution de l'écart",
        "Quartier": ds.territories[s.territory].name,
        "Référence": w.name(ds, s.reference, True),
        "Période": f"{period_label(s.period_from)} → {period_label(s.period_to)}",
        "Écart": w.sentence_case(w.gap_change_text(ds, s, cat[s.indicator].unit)),  # a change said as a change
    }
    for s in stated
]
if not rows:
    st.info(
        "Le contrat ne donne d'écart à une référence pour aucun des indicateurs choisis. Il en donne pour : "
        + ", ".join(available)
        + "."
    )
if rows:
    st.table(pd.DataFrame(rows).set_index("Indicateur"))
    st.caption(
        "Un écart positif du taux de NEET ou de la part de familles monoparentales signifie une situation plus "
        "défavorable que dans l'EPCI. Les écarts de revenu sont ceux énoncés par le contrat (écart = commune − quartier)."
    )
sources_footer()
