"""The administrateur's tools on /suivi: accounts (list, create, disable), the import of a year
of values from a spreadsheet (upload, preview of what will be written, confirm), the import of an
official table (INSEE, ANCT) through a correspondence, and the validation of proposed values —
the référentiel's (n° 12) and the series points past the contract (n° S12). Each action
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
from ui.frame import csv_button, download, notice
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

    def run(ids: list[int], action: str, reason: str = "", message: str = "", kind: str = "suivi") -> None:
        try:
            me = auth.require("validate")
            decide(store.engine, cached.accounts(), me, ids, action, reason, kind=kind)
        except (AuthError, ValidationError, StoreError) as err:
            notice("error", f"Rien n'a été changé – {err}.")
        else:
            cached.published_changed()  # this process shows the new published state at once (others within 30 s)
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
    _series_validation(store, ds, run)


def _series_validation(store, ds, run) -> None:
    """The points past the contract (official tables imported, n° S12): validate, refuse, withdraw,
    with the same steps as the référentiel's values."""
    from data.formatting import fr_value
    from data.series import ORIGIN_LABELS, SeriesStore

    series = SeriesStore(store.engine)
    try:
        pending = series.pending()
        published = series.in_force(published=True)
        introduced = {i.id: i.label for i in series.indicators()}
    except StoreError as err:
        notice("error", f"Points des séries indisponibles : {err}.")
        return
    by_id = {p.id: p for p in [*pending, *published]}

    def label(p) -> str:
        ind = ds.catalogue.get(p.indicator)
        return ind.label if ind is not None else introduced.get(p.indicator, p.indicator)

    def value(p) -> str:
        return "non disponible" if p.value is None else fr_value(p.value, p.unit, p.decimals)

    def option(i: int) -> str:
        p = by_id[i]
        return f"n° S{p.id} – {label(p)[:70]} – {w.name(ds, p.territory)} – {p.period} ({p.perimeter}) – {value(p)} ({p.author})"

    st.subheader("Points des séries (tables officielles, saisies de l'équipe : n° S…)", anchor=False)
    if not pending:
        notice("info", "Aucun point de série (table officielle importée, saisie de l'équipe) n'attend de validation.")
    else:
        st.html(
            html_table(
                ["N°", "Indicateur", "Territoire", "Millésime", "Périmètre", "Valeur", "Origine", "Source", "Proposé par", "Le"],
                [
                    [
                        f"S{p.id}",
                        label(p),
                        w.name(ds, p.territory),
                        p.period,
                        p.perimeter,
                        value(p),
                        ORIGIN_LABELS.get(p.origin, p.origin),
                        p.source,
                        p.author,
                        fr_date(p.recorded_at),
                    ]
                    for p in pending
                ],
                caption=f"{len(pending)} point(s) de série proposé(s), visibles de l'équipe seulement",
            )
        )
        with st.form("valider_series"):
            chosen = st.multiselect("Points à publier", [p.id for p in pending], key="valider_series_choix", format_func=option)
            everything = st.checkbox(f"Tous les points proposés ({len(pending)})", key="valider_series_tous")
            if st.form_submit_button("Valider et publier les points"):
                ids = [p.id for p in pending] if everything else chosen
                run(ids, VALIDATED, message=f"{len(ids)} point(s) de série validé(s) : ils sont publics.", kind="serie")
        with st.form("refuser_series"):
            one = st.selectbox("Point à refuser", [p.id for p in pending], key="refuser_series_choix", format_func=option)
            reason = st.text_input("Raison du refus (conservée avec la décision)", key="refuser_series_raison")
            if st.form_submit_button("Refuser le point"):
                run([one], REFUSED, reason, message=f"Point n° S{one} refusé.", kind="serie")
    if published:
        with st.expander("Retirer un point de série publié"):
            with st.form("retirer_series"):
                one = st.selectbox("Point publié", [p.id for p in published], key="retirer_series_choix", format_func=option)
                reason = st.text_input("Raison du retrait (conservée)", key="retirer_series_raison")
                if st.form_submit_button("Retirer le point"):
                    run(
                        [one],
                        WITHDRAWN,
                        reason,
                        message=f"Point n° S{one} retiré : la précédente valeur validée, s'il y en a une, est de nouveau en vigueur.",
                        kind="serie",
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


# --- official tables (INSEE, ANCT) ---------------------------------------------------------------------

UNIT_CHOICES = {
    "€": "euros (€)",
    "%": "pourcentage (%)",
    "nombre": "nombre",
    "ratio": "ratio",
    "fraction": "fraction",
    "note": "note",
}
MODE_SAVED, MODE_FILE, MODE_COLUMNS = (
    "Une correspondance enregistrée",
    "Un fichier de correspondance (.yaml)",
    "Choisir les colonnes ici",
)


def _saved_correspondences() -> dict[str, bytes]:
    from data import paths

    folder = paths.qpv_data() / "correspondances"
    try:
        return {p.name: p.read_bytes()[: 64 * 2**10 + 1] for p in sorted(folder.glob("*.yaml"))}
    except OSError:
        return {}


def _mapping_from_columns(ds, series, name: str, data: bytes):
    """The correspondence chosen with the table's own column names (selectboxes): None until complete."""
    from data.official import mapping_from, table_header
    from data.series import PERIMETERS

    try:
        header = table_header(name, data)
    except ImportFileError as err:
        notice("error", f"Table illisible – {err}.")
        return None
    c1, c2, c3 = st.columns(3)
    source = c1.text_input(
        "Source (producteur, base, millésime)", key="table_source", placeholder="ex. Insee, Filosofi 2021, quartiers 2024"
    )
    millesime = c2.text_input("Millésime", key="table_millesime", placeholder="ex. 2021")
    perimetre = c3.selectbox(
        "Périmètre des lignes de quartiers", list(PERIMETERS), key="table_perimetre", format_func=lambda k: PERIMETERS[k], index=1
    )
    c4, c5 = st.columns(2)
    code = c4.selectbox("Colonne du code officiel (QN…, 60159, 200067965) ou de l'identifiant", header, key="table_code")
    decimale = c5.selectbox(
        "Séparateur décimal du fichier",
        ["", ",", "."],
        key="table_decimale",
        format_func=lambda d: {"": "non précisé (« 1,234 » refusé comme ambigu)", ",": "virgule", ".": "point"}[d],
    )
    chosen = st.multiselect("Colonnes à importer", [h for h in header if h != code], key="table_colonnes")
    try:
        introduced = {i.id: i.label for i in series.indicators()}
    except StoreError:
        introduced = {}
    labels = {k: i.label for k, i in ds.catalogue.items()} | introduced
    columns = {}
    for col in chosen:
        a, b = st.columns([3, 1])
        ind = a.selectbox(
            f"Indicateur de la colonne {col}",
            sorted(labels, key=lambda k: labels[k]),
            key=f"table_ind_{col}",
            format_func=lambda k: labels[k],
        )
        unit = b.selectbox(
            f"Unité de la colonne {col}", list(UNIT_CHOICES), key=f"table_unite_{col}", format_func=lambda u: UNIT_CHOICES[u]
        )
        columns[col] = {"indicateur": ind, "unite": unit}
    st.caption(
        "Un indicateur que le catalogue n'a pas s'introduit par un fichier de correspondance (libellé, définition, sens "
        "souhaitable) : voir l'exemple commenté à télécharger avec « Une correspondance enregistrée »."
    )
    if not chosen or not source.strip() or not millesime.strip():
        notice("info", "Indiquez la source, le millésime et au moins une colonne à importer pour voir l'aperçu.")
        return None
    doc = {"source": source, "millesime": millesime, "perimetre": perimetre, "code": code, "colonnes": columns}
    if decimale:
        doc["decimale"] = decimale
    return mapping_from(doc, "correspondance choisie")


def official_table_section(store) -> None:
    """« Importer une table officielle (INSEE, ANCT) »: the table, its correspondence (a saved one,
    a YAML file, or columns chosen here), the preview of every mapped value beside the value in
    force and the contract's latest figure, then « Confirmer l'import » writes it all (proposed
    values, to validate) or nothing."""
    from data.official import MappingError, check_table, load_mapping, mapping_yaml, write_result
    from data.series import SeriesStore

    st.header("Importer une table officielle (INSEE, ANCT)", anchor=False)
    st.caption(
        "Une table telle que l'Insee ou l'ANCT la publient : une ligne par territoire, repéré par son code officiel (quartier "
        "2024 QN06007M, commune 60159, EPCI 200067965) ou l'identifiant du tableau de bord, une colonne par variable. La "
        "correspondance dit quelle colonne est quel indicateur, avec le millésime, le périmètre, l'unité et la source. Les "
        "autres territoires d'une table nationale sont ignorés ; le secret statistique (s, nd, NA, c…) devient « non "
        "disponible ». Tout ou rien ; les valeurs importées sont proposées, à valider ; réimporter le même millésime "
        "n'enregistre que ce qui a changé."
    )
    done = st.session_state.pop("_table_message", None)
    if done:
        notice("success", done)
    series = SeriesStore(store.engine)
    ds = cached.contract_dataset()  # the contract's figures beside the imported values
    gen = st.session_state.get("_table_gen", 0)
    up = st.file_uploader(
        "Table à importer (.csv ou .xlsx)",
        type=["csv", "xlsx"],
        key=f"table_fichier_{gen}",
        max_upload_size=MAX_IMPORT_BYTES // 2**20,
    )
    mode = st.radio("Correspondance des colonnes", [MODE_SAVED, MODE_FILE, MODE_COLUMNS], key="table_mode")
    mapping = None
    try:
        if mode == MODE_SAVED:
            saved = _saved_correspondences()
            if not saved:
                notice("info", "Aucune correspondance enregistrée dans qpv_data/correspondances/.")
            else:
                pick = st.selectbox("Correspondance", list(saved), key="table_correspondance")
                download(
                    "Télécharger cette correspondance (pour l'adapter)",
                    saved[pick],
                    pick,
                    "application/yaml",
                    "table_correspondance_dl",
                )
                mapping = load_mapping(saved[pick], pick)
        elif mode == MODE_FILE:
            yml = st.file_uploader(
                "Fichier de correspondance (.yaml)", type=["yaml", "yml"], key=f"table_yaml_{gen}", max_upload_size=1
            )
            if yml is not None:
                mapping = load_mapping(yml.getvalue(), yml.name)
        elif up is not None:
            mapping = _mapping_from_columns(ds, series, up.name, up.getvalue())
            if mapping is not None:
                download(
                    "Télécharger cette correspondance (.yaml, pour le prochain millésime)",
                    mapping_yaml(mapping).encode("utf-8"),
                    f"correspondance-{mapping.millesime}.yaml",
                    "application/yaml",
                    "table_correspondance_faite",
                )
    except MappingError as err:
        notice("error", f"Correspondance refusée – {err}.")
        return
    if up is None or mapping is None:
        return
    data = up.getvalue()
    try:
        me = auth.require("import")
        result = check_table(ds, series, up.name, data, mapping)
    except (AuthError, StoreError) as err:
        notice("error", f"Import impossible – {err}.")
        return
    if result.problems:
        notice("error", f"Import refusé, rien n'a été enregistré : {len(result.problems)} problème(s).")
        st.html(html_table(["Problème"], [[p] for p in result.problems[:200]], caption="Lignes et colonnes refusées"))
        return
    notice(
        "note",
        f"{mapping.source} – millésime {mapping.millesime}, périmètre des quartiers : {mapping.perimeter_label}. "
        f"{result.summary()}.",
    )
    if result.skipped:
        notice("note", result.skipped_line() + ".")
    for ind in result.indicators:
        notice("note", f"Nouvel indicateur introduit par cet import : {ind.label} ({ind.id}, {ind.unit}).")
    st.html(
        html_table(
            [
                "Ligne",
                "Colonne",
                "Territoire",
                "Indicateur",
                "Millésime",
                "Périmètre",
                "Valeur importée",
                "Valeur en vigueur",
                "Dernier chiffre du contrat",
                "Effet",
            ],
            [
                [
                    str(p.line),
                    p.column,
                    p.territory_name,
                    p.indicator_label,
                    p.period,
                    p.perimeter,
                    p.value,
                    p.current,
                    p.contract,
                    p.kind,
                ]
                for p in result.preview
            ],
            caption="Aperçu de l'import : chaque valeur lue à côté de la valeur en vigueur et du chiffre du contrat",
        )
    )
    writes = result.count("nouvelle") + result.count("modifiée")
    if writes == 0:
        notice("info", "Rien à enregistrer : toutes ces valeurs sont déjà celles en vigueur (aucun doublon n'est écrit).")
        return
    if st.button("Confirmer l'import", key="table_confirmer"):
        digest = hashlib.sha256(data + mapping_yaml(mapping).encode()).hexdigest()
        if st.session_state.get("_table_done") == digest:
            notice("info", "Cette table vient déjà d'être importée.")
            return
        try:
            me = auth.require("import")  # re-read now: disabled or signed out since the preview
            report = write_result(series, result, me.login)
        except (AuthError, StoreError) as err:
            notice("error", f"Import non enregistré – {err}.")
            return
        written = len(report.written) if report is not None else 0
        st.session_state["_table_done"] = digest
        st.session_state["_table_gen"] = gen + 1
        st.session_state["_table_message"] = (
            f"{written} valeur(s) enregistrée(s) au nom de {me.login} (lot {result.batch}) : proposées, publiques après "
            "validation ci-dessus (n° S…)."
        )
        st.rerun()
