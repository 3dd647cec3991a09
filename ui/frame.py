"""The shared page frame: title, reading conventions, figure cards, sources footer, and
the view <-> URL link (quartier, indicator, pillar live in st.query_params)."""

from __future__ import annotations

import html

import streamlit as st

from data.analysis import Value
from data.formatting import MISSING, fr_qualified, period_label
from ui import cached

APP_TITLE = "Quartiers 2030 – Contrat de Ville de l'ARC"
CONTRACT = "Contrat de Ville « Quartiers 2030 » de l'Agglomération de la Région de Compiègne"
PERIMETER_WARNING = ("La plupart des séries du contrat portent sur les **anciens périmètres des QPV (2015)** "
                     "(note 3 du contrat) ; les cartes montrent les contours 2024. Les périodes diffèrent d'un indicateur à l'autre.")

CSS = """
<style>
.q-card {border:1px solid #d0d7de; border-radius:8px; padding:0.7rem 0.9rem; margin-bottom:0.6rem; background:#fbfcfe; min-height:9.5rem}
.q-label {font-size:0.95rem; color:#31465f; font-weight:600}
.q-value {font-size:2.1rem; font-weight:700; color:#1f4e79; white-space:nowrap; line-height:1.25}
.q-value.q-long {font-size:1.45rem; white-space:normal}
.q-value.q-na {font-size:1.3rem; color:#8a5a00; font-style:italic}
.q-sub {font-size:0.92rem; color:#1b1f24; white-space:normal}
.q-sub b {white-space:nowrap}
.q-src {font-size:0.78rem; color:#57606a; margin-top:0.25rem}
.q-better {color:#1a7f37; font-weight:600}
.q-worse {color:#b42318; font-weight:600}
.q-neutral {color:#57606a; font-weight:600}
.q-tag {display:inline-block; border-radius:4px; padding:0 0.35rem; font-size:0.8rem; background:#eef2f7; margin-right:0.25rem}
</style>
"""


def page_setup(title: str, intro: str | None = None) -> None:
    st.markdown(CSS, unsafe_allow_html=True)
    st.title(title)
    if intro:
        st.markdown(intro)


def quartier_ids() -> list[str]:
    ts = cached.territories()
    return [t.id for t in sorted(ts.values(), key=lambda t: t.order) if t.kind in ("qpv", "poche")]



def tname(territory: str, short: bool = False) -> str:
    t = cached.territories().get(territory)
    if t is None:
        return territory
    return t.short if short else t.name


def source_line(v: Value) -> str:
    """« Source : … · période : … · périmètre : … » — carried by every figure."""
    return (f"Source : {v.source} · période : {period_label(v.period)} · périmètre : {v.perimeter} "
            f"· contrat : {v.contract_ref}")


def value_text(v: Value | None, unit: str) -> str:
    if v is None:
        return MISSING
    return fr_qualified(v.value, unit, v.decimals, v.qualifier)


def na_reason(v: Value | None) -> str:
    if v is None:
        return "le contrat ne donne pas cette valeur"
    if v.status == "na":
        return "valeur « NA » dans le contrat"
    return ""


def verdict_class(verdict: str) -> str:
    return {"amélioration": "q-better", "dégradation": "q-worse"}.get(verdict, "q-neutral")


def figure_card(label: str, v: Value | None, unit: str, sub_html: str = "") -> None:
    """A big, legible figure with its period, source and perimeter; « non disponible » + reason if missing."""
    missing = v is None or v.missing
    val = html.escape(value_text(v, unit)) if not missing else MISSING
    reason = na_reason(v) if missing else ""
    period = f"{period_label(v.period)}" if v is not None else ""
    src = html.escape(source_line(v)) if v is not None else "—"
    st.markdown(
        f'<div class="q-card"><div class="q-label">{html.escape(label)}'
        f'{" · " + html.escape(period) if period else ""}</div>'
        f'<div class="q-value{" q-na" if missing else " q-long" if len(val) > 13 else ""}">{val}</div>'
        f'{f"<div class=q-sub>{html.escape(reason)}</div>" if reason else ""}'
        f'<div class="q-sub">{sub_html}</div><div class="q-src">{src}</div></div>',
        unsafe_allow_html=True,
    )


def sources_footer(extra: list[str] | None = None) -> None:
    st.divider()
    lines = [f"Source des chiffres : {CONTRACT} (texte intégral), tableaux et notes cités à côté de chaque chiffre.",
             "Contours : ANCT, QPV 2024 (Licence Ouverte) ; carreaux INSEE de 200 m reconstruits depuis leurs identifiants ; "
             "commune : IGN Admin Express COG 2018 simplifié. Détails : page « Sources & méthode »."]
    for line in (extra or []) + lines:
        st.caption(line)


def query_choice(key: str, options: list[str], default: str) -> str:
    """Read a choice from the URL; an unknown value is rejected with a French message and the default used."""
    raw = st.query_params.get(key)
    if raw is None or raw == "":
        return default
    if raw in options:
        return raw
    st.warning(f"Valeur « {raw} » inconnue pour « {key} » dans l'adresse : affichage de « {default} » à la place.")
    return default


def sync_query(key: str, value: str, default: str | None = None) -> None:
    """Keep the view in the URL (defaults stay out of it)."""
    if value == default:
        if key in st.query_params:
            del st.query_params[key]
    elif st.query_params.get(key) != value:
        st.query_params[key] = value


def csv_download(df, filename: str, label: str = "Télécharger les données (CSV)", key: str | None = None) -> None:
    """Export for spreadsheets set to French conventions: « ; » separator, decimal comma, UTF-8 with BOM."""
    data = df.to_csv(index=False, sep=";", decimal=",").encode("utf-8-sig")
    st.download_button(label, data=data, file_name=filename, mime="text/csv", key=key or f"dl_{filename}",
                       icon=":material/download:")


EXPORT_COLUMNS = {"territory": "territoire", "indicator": "indicateur", "period": "période", "value": "valeur",
                  "value_status": "statut", "qualifier": "qualificatif", "source": "source", "perimeter": "périmètre", "contract_ref": "référence du contrat",
                  "note": "note"}


def export_frame(df):
    """The validated rows as people export them: French headers, NA left empty with status « na »."""
    out = df[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)
    return out.astype({c: "object" for c in out.columns if c != "valeur"})
