"""/suivi › « Prolonger une série du diagnostic »: a team member records a later value of one of the
diagnostic's series (a NEET rate, a median income… from a publication the team received), with
its millésime and perimeter. The value is « proposée » (data/series.py), shown to the team below,
marked, and public only once an administrateur validates it (« Valeurs à valider »); the
contract's own figures are never touched."""

from __future__ import annotations

import streamlit as st

from data.accounts import AuthError
from data.followup import FollowupError, FollowupStoreError
from data.formatting import fr_value, period_label
from data.series import PERIMETERS, TEAM, SeriesStore, allowed_perimeters, check_point, default_perimeter, team_territories
from data.validation import STATUS_LABELS
from ui import auth
from ui import wording as w
from ui.frame import notice
from ui.render import fr_date, html_table


def series_section(ds, engine) -> None:
    st.header("Prolonger une série du diagnostic", anchor=False)
    st.caption(
        "Une valeur plus récente qu'un chiffre du contrat (taux de NEET, revenu médian…), avec son millésime et son "
        "périmètre. Elle s'ajoute après les chiffres du contrat, qui restent tels qu'imprimés ; publique après "
        "validation. Deux périmètres différents (QPV 2015 et QPV 2024) ne sont jamais comparés."
    )
    series = sorted(
        {i for i in ds.catalogue if any(ds.series(t, i) for t in ds.quartier_ids)}, key=lambda i: ds.catalogue[i].label
    )
    store = SeriesStore(engine)
    said = st.session_state.pop("_serie_confirm", None)
    if said:
        notice("success", said)
    if st.session_state.pop("_serie_saved", False):
        st.session_state["serie_valeur"] = ""
        st.session_state["serie_commentaire"] = ""
    territories = team_territories(ds)
    c0, c1 = st.columns([2, 1])
    indicator = c0.selectbox(
        "Série du diagnostic",
        series,
        key="serie_indicateur",
        format_func=lambda i: f"{ds.catalogue[i].label} ({ds.catalogue[i].unit_label})",
    )
    territory = c1.selectbox("Territoire de la série", territories, key="serie_territoire", format_func=lambda t: w.name(ds, t))
    last = [f for f in ds.series(territory, indicator) if not f.missing]
    if last:
        f = last[-1]
        notice("note", f"Dernière valeur publiée : {w.value_text(f)} en {period_label(f.period)} (périmètre {f.perimeter}).")
    codes = allowed_perimeters(ds, territory)
    with st.form("serie_form", clear_on_submit=False):
        c2, c3, c4 = st.columns(3)
        period = c2.text_input("Millésime", key="serie_millesime", placeholder="ex. 2023 ou 2022-2023")
        perimeter = c3.selectbox(
            "Périmètre",
            codes,
            index=codes.index(default_perimeter(ds, territory)),
            key=f"serie_perimetre_{territory}",
            format_func=lambda c: PERIMETERS[c],
        )
        value = c4.text_input(f"Valeur ({ds.catalogue[indicator].unit_label})", key="serie_valeur", placeholder="ex. 27,5")
        source = st.text_input("Source de la valeur", key="serie_source", placeholder="ex. Insee, Filosofi 2021, quartiers 2024")
        comment = st.text_area("Commentaire interne (facultatif)", key="serie_commentaire")
        submitted = st.form_submit_button("Proposer cette valeur")
    if submitted:
        try:
            writer = auth.require("record")  # re-read now
            row = check_point(
                ds,
                indicator=indicator,
                territory=territory,
                period=period,
                perimeter=perimeter,
                value_text=value,
                source=source,
                author=writer.login,
                comment=comment,
            )
            report = store.write([row], TEAM, writer.login)
        except FollowupError as err:
            notice("error", f"Valeur non enregistrée – {err.field} : {err}")
        except (AuthError, FollowupStoreError) as err:
            notice("error", f"Valeur non enregistrée – {err}. Ce que vous avez saisi est conservé.")
        else:
            if not report.written:
                notice("info", "Cette valeur est déjà celle en vigueur (même valeur, même source) : rien n'a été ajouté.")
            else:
                p = report.written[0]
                st.session_state["_serie_saved"] = True
                st.session_state["_serie_confirm"] = (
                    f"Proposé (n° S{p.id}) : {fr_value(p.value, p.unit, p.decimals)} pour « {w.name(ds, p.territory)} », "
                    f"{ds.catalogue[p.indicator].label}, {period_label(p.period)} (périmètre {p.perimeter}). "
                    "Publique après validation par un administrateur."
                )
                st.rerun()
    pending = store.pending()
    if pending:
        st.subheader("Valeurs des séries en attente de validation", anchor=False)
        rows = [
            [
                f"S{p.id}",
                ds.catalogue[p.indicator].label if p.indicator in ds.catalogue else p.indicator,
                w.name(ds, p.territory),
                period_label(p.period),
                p.perimeter,
                w.MISSING if p.value is None else fr_value(p.value, p.unit, p.decimals),
                w.ORIGIN.get(p.origin, p.origin),
                STATUS_LABELS.get(p.status, p.status),
                p.author,
                fr_date(p.recorded_at),
            ]
            for p in pending
        ]
        st.html(
            html_table(
                ["N°", "Série", "Territoire", "Millésime", "Périmètre", "Valeur", "Origine", "Statut", "Par", "Le"],
                rows,
                caption="Proposées, visibles de l'équipe seulement",
            )
        )
