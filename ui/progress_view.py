"""Renders the progress records of data/progress.py (page /avancement and the fiche): one wording
for years, ratios, values, changes."""

from __future__ import annotations

from data.csvio import decimal_cell, neutralise, to_csv
from data.followup import PERCENT_UNITS, YEAR_N
from data.formatting import fr_change, fr_number
from data.progress import FOLLOW_YEARS
from ui.render import html_table

YEAR_HEADS = [f"{'N' if y == YEAR_N else f'N+{y - YEAR_N}'} ({y})" for y in FOLLOW_YEARS]


def ratio(c) -> str:
    return f"{c.with_value} / {c.expected}" if c.expected else "—"


def completeness_html(orientations, territory_name: str) -> str:
    return html_table(
        ["Orientation", *YEAR_HEADS],
        [[f"{o.number} – {o.title}", *(ratio(c) for c in o.completeness)] for o in orientations],
        caption=f"Suivi du contrat – {territory_name} : indicateurs renseignés / indicateurs attendus, par année",
    )


def value_text(e) -> str:
    return "—" if e is None else f"{fr_number(e.value)} {e.unit}"


def change_text(i) -> str:
    if i.change_since_n is None:
        return i.change_note
    if i.last.unit.lower() in PERCENT_UNITS:  # a rate moves in points, never in « % »
        return f"{fr_change(i.change_since_n, 'pourcent')} (N → {i.last.year})"
    sign = "+" if i.change_since_n > 0 else ""
    return f"{sign}{fr_number(i.change_since_n)} {i.last.unit} (N → {i.last.year})"


def last_text(i) -> str:
    if i.last is None:
        return "—"
    d = i.last.recorded_at[:10]
    return f"{value_text(i.last)} en {i.last.year} · {i.last.source} · saisie du {d[8:10]}/{d[5:7]}/{d[0:4]}"


def indicator_rows(inds) -> list[list[str]]:
    return [[i.label, *(value_text(i.by_year[y]) for y in FOLLOW_YEARS), last_text(i), change_text(i)] for i in inds]


PROGRESS_CSV_HEAD = [
    "orientation",
    "objectif",
    "indicateur de suivi",
    *(f"valeur {h}" for h in YEAR_HEADS),
    "unité",
    "dernière valeur · source · date",
    "évolution depuis N",
]


def _cell(e, unit: str) -> str:
    """A year's value for a spreadsheet: the exact number (decimal comma, no thousands separator); its
    unit in the « unité » column, or beside it when this year's unit differs."""
    if e is None:
        return ""
    number = decimal_cell(e.value)
    return number if e.unit == unit else f"{number} {e.unit}"


def progress_csv(orientations) -> bytes:
    """/avancement as a CSV (French conventions, formulas neutralised): one row per follow-up
    indicator, the same records and wording as the page."""
    rows = []
    for o in orientations:
        groups = [(f"{ob.id} – {ob.title}", ob.indicators) for ob in o.objectives]
        groups.append((f"ensemble de l'orientation {o.number}", o.general_indicators))
        for objective, inds in groups:
            for i in inds:
                unit = i.last.unit if i.last is not None else ""
                rows.append(
                    [
                        f"{o.number} – {o.title}",
                        objective,
                        i.label,
                        *(_cell(i.by_year[y], unit) for y in FOLLOW_YEARS),
                        unit,
                        last_text(i),
                        change_text(i),
                    ]
                )
    return to_csv(PROGRESS_CSV_HEAD, [[neutralise(str(c)) for c in row] for row in rows])
