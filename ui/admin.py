"""The administrateur's tools on /suivi: accounts (list, create, disable) and the import of a year
of values from a spreadsheet (upload, preview of what will be written, confirm). Each action
re-checks the role on the server (ui.auth.require) at the moment it runs."""

from __future__ import annotations

import hashlib

import streamlit as st

from data.accounts import PASSWORD_MIN, REAUTH_SECONDS, ROLES, AuthError
from data.csvio import MAX_IMPORT_BYTES, ImportFileError, reference_csv, template_csv
from data.db import StoreError
from data.followup import check_import, recordable_territories, referentiel_indicators, year_label
from data.formatting import fr_number
from data.validation import REFUSED, VALIDATED, WITHDRAWN, ValidationError, decide
from ui import auth, cached
from ui import wording as w
from ui.frame import csv_button, notice
from ui.render import fr_date, html_table


def accounts_section() -> None:
    st.header("Comptes de l'équipe", anchor=False)
    try:
        rows = [
            [a.login, a.role, "connexion unique" if a.sso else "mot de passe", "actif" if a.active else "désactivé"]
            for a in cached.accounts().list()
        ]
    except StoreError as err:
        notice("error", f"Comptes indisponibles : {err}.")
        return
    st.html(html_table(["Identifiant", "Rôle", "Connexion", "État"], rows, caption="Comptes"))
    sso = auth.is_sso_session()
    if sso and not auth.fresh_sso_sign_in():
        notice(
            "info",
            "Créer un compte demande une connexion récente auprès du fournisseur d'identité "
            f"(moins de {REAUTH_SECONDS // 60} minutes) : reconnectez-vous pour confirmer que c'est bien vous.",
        )
        if st.button("Me reconnecter auprès du fournisseur", key="sso_reconnexion"):
            st.login()
    with st.form("compte_nouveau", clear_on_submit=False):
        c1, c2 = st.columns(2)
        login = c1.text_input("Identifiant du nouveau compte", key="compte_identifiant")
        role = c2.selectbox("Rôle", ROLES, key="compte_role")
        password = st.text_input(
            f"Mot de passe initial ({PASSWORD_MIN} caractères au moins, difficile à deviner)", type="password", key="compte_mdp"
        )
        mine = (
            ""
            if sso
            else st.text_input(
                "Votre propre mot de passe (confirmation de votre identité)",
                type="password",
                key="compte_confirmation",
                autocomplete="current-password",
            )
        )
        if st.form_submit_button("Créer le compte"):
            try:
                auth.confirm_identity(mine)  # the password again (or a fresh sign-in to the provider)
                acc = cached.accounts().add(login, role, password)
            except (AuthError, StoreError) as err:
                notice("error", f"Compte non créé – {err}.")
            else:
                notice("success", f"Compte créé : {acc.login} ({acc.role}).")
            finally:
                st.session_state.pop("compte_confirmation", None)
    active = [r[0] for r in rows if r[3] == "actif"]
    if active:
        with st.form("compte_desactiver"):
            login = st.selectbox("Compte à désactiver", active, key="compte_a_desactiver")
            if st.form_submit_button("Désactiver"):
                try:
                    me = auth.require("manage_accounts")
                    if login == me.login:
                        raise AuthError("vous ne pouvez pas désactiver votre propre compte")
                    cached.accounts().set_active(login, False)
                except (AuthError, StoreError) as err:
                    notice("error", f"Compte non désactivé – {err}.")
                else:
                    notice("success", f"Compte désactivé : {login}. Ses sessions ouvertes sont fermées.")


def _entry_label(ds, e) -> str:
    return (
        f"n° {e.id} – {e.indicator_label[:70]} – {w.name(ds, e.territory)} – {year_label(e.year)} – "
        f"{fr_number(e.value)} {e.unit} ({e.author})"
    )


def validation_section(store, ds) -> None:
    """Proposed values: validate (publish) or refuse with a reason; withdraw a published value with a
    reason. Each decision re-checks the role in the database and is kept (who, when, why)."""
    st.header("Valeurs à valider", anchor=False)
    done = st.session_state.pop("_validation_message", None)
    if done:
        notice("success", done)
    try:
        pending = store.pending()
        published = store.latest()
    except StoreError as err:
        notice("error", f"Valeurs indisponibles : {err}.")
        return
    by_id = {e.id: e for e in [*pending, *published]}

    def run(ids: list[int], action: str, reason: str = "", message: str = "") -> None:
        try:
            me = auth.require("validate")
            decide(store.engine, cached.accounts(), me, ids, action, reason)
        except (AuthError, ValidationError, StoreError) as err:
            notice("error", f"Rien n'a été changé – {err}.")
        else:
            st.session_state["_validation_message"] = message
            st.rerun()

    if not pending:
        notice("info", "Aucune valeur proposée n'attend de validation.")
    else:
        st.html(
            html_table(
                ["N°", "Indicateur de suivi", "Territoire", "Année", "Valeur", "Unité", "Source", "Proposé par", "Le"],
                [
                    [
                        str(e.id),
                        e.indicator_label,
                        w.name(ds, e.territory),
                        year_label(e.year),
                        fr_number(e.value),
                        e.unit,
                        e.source,
                        e.author,
                        fr_date(e.recorded_at),
                    ]
                    for e in pending
                ],
                caption=f"{len(pending)} valeur(s) proposée(s), visibles de l'équipe seulement",
            )
        )
        with st.form("valider"):
            chosen = st.multiselect(
                "Valeurs à publier",
                [e.id for e in pending],
                key="valider_choix",
                format_func=lambda i: _entry_label(ds, by_id[i]),
            )
            if st.form_submit_button("Valider et publier"):
                run(chosen, VALIDATED, message=f"{len(chosen)} valeur(s) validée(s) : elles sont publiques.")
        with st.form("refuser"):
            one = st.selectbox(
                "Valeur à refuser", [e.id for e in pending], key="refuser_choix", format_func=lambda i: _entry_label(ds, by_id[i])
            )
            reason = st.text_input("Raison du refus (conservée avec la décision)", key="refuser_raison")
            if st.form_submit_button("Refuser"):
                run([one], REFUSED, reason, message=f"Valeur n° {one} refusée.")
    if published:
        with st.expander("Retirer une valeur publiée"):
            with st.form("retirer"):
                one = st.selectbox(
                    "Valeur publiée",
                    [e.id for e in published],
                    key="retirer_choix",
                    format_func=lambda i: _entry_label(ds, by_id[i]),
                )
                reason = st.text_input("Raison du retrait (conservée)", key="retirer_raison")
                if st.form_submit_button("Retirer la valeur"):
                    run(
                        [one],
                        WITHDRAWN,
                        reason,
                        message=f"Valeur n° {one} retirée : la précédente valeur validée, s'il y en a une, est de nouveau en vigueur.",
                    )


def import_section(store, ds) -> None:
    st.header("Importer un fichier de valeurs", anchor=False)
    st.caption(
        "Un fichier .csv (séparateur « ; », UTF-8) ou .xlsx aux colonnes indicateur, territoire, annee, valeur, unite, "
        "source, commentaire : partez du modèle ci-dessous (une ligne par indicateur de suivi) et de la liste des "
        "territoires et indicateurs acceptés. Tout ou rien : une seule ligne invalide et rien n'est enregistré ; "
        "les valeurs importées sont proposées, à valider."
    )
    indicators = referentiel_indicators(ds.framework)
    c1, c2 = st.columns(2)
    with c1:
        csv_button(template_csv(indicators), "quartiers2030-modele-import.csv", "Modèle d'import (CSV)")
    with c2:
        territories = [(t, w.name(ds, t)) for t in recordable_territories(ds)]
        csv_button(
            reference_csv(territories, indicators),
            "quartiers2030-territoires-indicateurs.csv",
            "Territoires et indicateurs acceptés (CSV)",
        )
    done = st.session_state.pop("_import_message", None)
    if done:
        notice("success", done)
    # a new key after each import: Streamlit forgets the previous upload and frees its memory
    gen = st.session_state.get("_import_gen", 0)
    up = st.file_uploader(
        "Fichier à importer", type=["csv", "xlsx"], key=f"import_fichier_{gen}", max_upload_size=MAX_IMPORT_BYTES // 2**20
    )
    if up is None:
        return
    data = up.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    try:
        me = auth.require("import")
        rows, problems = check_import(ds, up.name, data, me.login)
    except (AuthError, ImportFileError, StoreError) as err:
        notice("error", f"Import impossible – {err}.")
        return
    if problems:
        notice("error", f"Import refusé, rien n'a été enregistré : {len(problems)} problème(s).")
        st.html(html_table(["Problème"], [[p] for p in problems], caption="Lignes refusées"))
        return
    notice("note", f"{len(rows)} valeurs seront enregistrées au nom de {me.login} :")
    st.html(
        html_table(
            ["Indicateur de suivi", "Territoire", "Année", "Valeur", "Unité", "Source"],
            [
                [
                    r["indicator_label"],
                    w.name(ds, r["territory"]),
                    year_label(r["year"]),
                    fr_number(r["value"]),
                    r["unit"],
                    r["source"],
                ]
                for r in rows
            ],
            caption="Aperçu de l'import",
        )
    )
    if st.button("Confirmer l'import", key="import_confirmer"):
        if st.session_state.get("_import_done") == digest:
            notice("info", "Ce fichier vient déjà d'être importé.")
            return
        try:
            auth.require("import")
            store.add_many(rows)
        except (AuthError, StoreError) as err:
            notice("error", f"Import non enregistré – {err}.")
        else:
            st.session_state["_import_done"] = digest
            st.session_state["_import_gen"] = gen + 1
            st.session_state["_import_message"] = (
                f"{len(rows)} valeurs importées (proposées : publiques après validation ci-dessus)."
            )
            st.rerun()
