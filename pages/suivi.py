"""Suivi des indicateurs – the politique de la ville team records the référentiel's follow-up
values year after year (N … N+5); everyone reads them. Writing needs a signed-in account
(contributeur or administrateur; ui/auth.py), the author is the account. On public screens
(QUARTIERS_MODE=consultation) the store is opened read-only and neither sign-in nor a write path
is built: the public sees published values (value, unit, year, source), never authors or
comments; so does a visitor of the team site who is not signed in."""

import streamlit as st

from data.accounts import AuthError
from data.followup import (
    MAX_COMMENT,
    MAX_SOURCE,
    MAX_UNIT,
    RETIRED_KEYS,
    YEAR_N,
    YEAR_N_NOTE,
    YEARS,
    FollowupError,
    FollowupStoreError,
    orphaned,
    recordable_territories,
    referentiel_indicators,
    year_label,
)
from data.formatting import fr_number
from data.links import shared_links
from data.validation import STATUS_LABELS
from ui import auth, cached
from ui import wording as w
from ui.document import consultation
from ui.exports import followup_csv
from ui.frame import csv_button, notice, page_setup, sources_footer
from ui.render import fr_date, html_table

READ_ONLY = consultation()

page_setup(
    "Suivi des indicateurs du référentiel",
    f"Valeurs des **indicateurs de suivi** du référentiel d'évaluation, saisies chaque année par l'équipe politique "
    f"de la ville (de N à N+5 ; {YEAR_N_NOTE})."
    + (
        ""
        if READ_ONLY
        else " Chaque valeur porte sa source, son auteur (le compte connecté) et sa date ; une correction s'ajoute "
        "comme une nouvelle saisie, l'historique est conservé."
    ),
)

ds = cached.dataset()
ts = ds.territories
indicators = referentiel_indicators(ds.framework)
by_key = {i.key: i for i in indicators}
territory_ids = recordable_territories(ds)

# --- what has been recorded -------------------------------------------------------------------------
st.header("Valeurs enregistrées", anchor=False)
account = None if READ_ONLY else auth.current()
internal = account is not None and account.can("read_internal")
try:
    store = cached.followup_store(read_only=READ_ONLY)
    if not READ_ONLY:
        store.check_schema()
    # the public (and a visitor not signed in) sees validated values only; the team also sees the
    # values still proposed, marked
    latest = store.latest(published=not internal)
except FollowupStoreError as err:
    notice("error", f"Valeurs de suivi indisponibles : {err}.")
    st.stop()
if not latest:
    st.info("Aucune valeur n'a encore été enregistrée.")
else:
    public_cols = ["Orientation", "Indicateur de suivi", "Territoire", "Année", "Valeur", "Unité", "Source"]
    team_cols = ["Statut", "N°", "Saisi par", "Le", "Commentaire"]
    rows = [
        [str(e.orientation), e.indicator_label, w.name(ds, e.territory), year_label(e.year), fr_number(e.value), e.unit, e.source]
        + ([STATUS_LABELS[e.status], str(e.id), e.author, fr_date(e.recorded_at), e.comment] if internal else [])
        for e in latest
    ]
    if internal:
        notice(
            "note",
            "Une valeur « proposée » n'est visible que de l'équipe : elle devient publique (écrans publics, avancement, "
            "fiches, CSV public) quand un administrateur la valide.",
        )
        lost = orphaned(ds.framework, latest)
        if lost:
            # never silent: a value whose key no longer names an indicator is counted nowhere (/avancement, fiches)
            notice(
                "warning",
                f"{len(lost)} valeur(s) en vigueur sont enregistrées sous une clé qui ne désigne plus un indicateur du "
                "référentiel : elles restent dans l'historique mais ne comptent plus dans l'avancement ; ressaisissez-les "
                "sous le bon indicateur.",
            )
            st.html(
                html_table(
                    ["Clé", "Indicateur (libellé à la saisie)", "Territoire", "Année", "Raison"],
                    [
                        [
                            e.indicator_key,
                            e.indicator_label,
                            w.name(ds, e.territory),
                            year_label(e.year),
                            RETIRED_KEYS.get(e.indicator_key, "clé inconnue du référentiel"),
                        ]
                        for e in lost
                    ],
                    caption="Valeurs à ressaisir",
                )
            )
    # stored text is shown as text: escaped, in cells that interpret nothing
    st.html(html_table(public_cols + (team_cols if internal else []), rows, caption="Valeurs de suivi en vigueur"))
    if not internal:
        csv_button(followup_csv(latest, public=True), "quartiers2030-suivi.csv", "Télécharger les valeurs publiées (CSV)")
    else:
        # produced when clicked, for an account that still has the right at that moment (re-read
        # from the database): a disabled or signed-out account downloads nothing
        csv_button(
            auth.internal_download(lambda: followup_csv(store.history(), public=False)),
            "quartiers2030-suivi-historique.csv",
            "Télécharger tout l'historique des saisies (CSV)",
        )

# --- the team: sign-in, then recording ---------------------------------------------------------------
if READ_ONLY:
    sources_footer()
    st.stop()  # public screens: no sign-in, no form, no write path
st.header("Espace de l'équipe", anchor=False)
if account is None:
    auth.sign_in_form()
    sources_footer()
    st.stop()
auth.signed_in_bar(account)
if not account.can("record"):
    notice("info", f"Le rôle « {account.role} » permet de lire les valeurs et les commentaires internes, pas d'en saisir.")
else:
    st.header("Enregistrer une valeur", anchor=False)
    orientations = sorted({i.orientation for i in indicators})
    orient = st.selectbox(
        "Orientation stratégique",
        orientations,
        key="suivi_orientation",
        format_func=lambda n: f"{n} – {ds.framework.orientation(n).title}",
    )
    # a référentiel indicator that IS a series of the diagnostic is recorded there (one value, never two)
    shared = shared_links(ds)
    keys = [i.key for i in indicators if i.orientation == orient and i.key not in shared]
    for k in (k for k in shared if by_key[k].orientation == orient):
        notice(
            "note",
            f"« {by_key[k].label[:90]}… » est la série « {ds.catalogue[shared[k]].label} » du diagnostic : "
            "saisissez sa valeur dans « Prolonger une série du diagnostic » ci-dessous (une seule valeur pour les deux).",
        )
    confirmed = st.session_state.pop("_suivi_confirm", None)
    if confirmed:
        notice("success", confirmed)
    if st.session_state.pop("_suivi_saved", False):
        # after a successful save, empty the value and comment (the rest is often the same for the next entry)
        st.session_state["suivi_valeur"] = ""
        st.session_state["suivi_commentaire"] = ""
    with st.form("suivi_form", clear_on_submit=False):
        key = st.selectbox("Indicateur de suivi", keys, key="suivi_indicateur", format_func=lambda k: by_key[k].label)
        if by_key[key].sources:
            st.caption(f"Source suggérée par le référentiel : {by_key[key].sources}")
        c1, c2 = st.columns(2)
        territory = c1.selectbox("Territoire", territory_ids, key="suivi_territoire", format_func=lambda t: w.name(ds, t))
        year = c2.selectbox("Année", YEARS, index=YEARS.index(YEAR_N), key="suivi_annee", format_func=year_label)
        c3, c4 = st.columns(2)
        # no max_chars: the browser would cut a pasted text silently; the server refuses it, naming the field
        value = c3.text_input("Valeur", key="suivi_valeur", placeholder="ex. 1 234 ou 66,4")
        unit = c4.text_input("Unité", key="suivi_unite", placeholder=f"ex. enfants, actions, % ({MAX_UNIT} caractères au plus)")
        source = st.text_input(
            "Source",
            key="suivi_source",
            placeholder=f"ex. bilan d'activité 2025 du centre social ({MAX_SOURCE} caractères au plus)",
        )
        comment = st.text_area(
            "Commentaire (facultatif)", key="suivi_commentaire", placeholder=f"{MAX_COMMENT} caractères au plus"
        )
        submitted = st.form_submit_button("Enregistrer")
    if submitted:
        try:
            writer = auth.require("record")  # re-read now: disabled or signed out since the form was drawn
            entry = store.add(
                indicator=by_key[key],
                territory=territory,
                territories=ts,
                year=year,
                value_text=value,
                unit=unit,
                source=source,
                author=writer.login,
                comment=comment,
            )
        except FollowupError as err:
            # the form keeps everything typed: only the faulty field needs correcting
            notice("error", f"Valeur non enregistrée – {err.field} : {err}")
        except (AuthError, FollowupStoreError) as err:
            notice("error", f"Valeur non enregistrée – {err}. Ce que vous avez saisi est conservé.")
        else:
            st.session_state["_suivi_saved"] = True
            # confirmed as text (the unit is the user's): shown above the form after the rerun
            st.session_state["_suivi_confirm"] = (
                f"Enregistré (n° {entry.id}, proposé) : {fr_number(entry.value)} {entry.unit} pour « {w.name(ds, entry.territory)} », "
                f"{year_label(entry.year)}. La valeur sera publique après validation par un administrateur."
            )
            st.rerun()
    from ui.series_entry import series_section

    series_section(ds, store.engine)
if account.can("validate"):
    from ui import admin

    admin.validation_section(store, ds)
if account.can("manage_accounts"):
    from ui import admin

    admin.import_section(store, ds)
if account.can("import"):
    from ui import admin

    admin.official_table_section(store)
if account.can("manage_accounts"):
    from ui import admin

    admin.accounts_section()
sources_footer()
