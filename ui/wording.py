"""The one place where model records become French text. No streamlit import: the page, the
PDF, the map and the CSV exports all word a record through these functions, so that what the
page says is what the PDF says (tested).

Every missing state has one wording: « non disponible », with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from data.dataset import STATUS_ABSENT, STATUS_NA, Dataset, Figure
from data.formatting import MISSING, fr_change, fr_qualified, fr_signed, fr_value, period_label
from data.model import (
    BETTER,
    CONFLICTING,
    DETERIORATION,
    DOWN,
    FIXED_PERCENT,
    FROM_DATA,
    FROM_STATEMENT,
    FROM_ZERO,
    IMPLIED_BY_GAPS,
    IMPROVEMENT,
    INTEGER_COUNTS,
    NO_JUDGEMENT,
    NOT_GIVEN,
    PERIMETER_BREAK,
    SAME,
    STABLE,
    STRONGER,
    UNAVAILABLE,
    UP,
    WEAKER,
    WORSE,
    Card,
    Evolution,
    Gap,
    ReferenceChange,
    StatedChange,
)

MISSING_REASON = {
    STATUS_NA: "valeur « NA » dans le contrat",
    STATUS_ABSENT: "le contrat ne donne pas cette valeur",
}
EVOLUTION_MISSING_REASON = {
    STATUS_NA: "valeur « NA » dans le contrat",
    STATUS_ABSENT: "le contrat ne donne pas la valeur aux deux dates",
    PERIMETER_BREAK: "périmètres différents : pas de comparaison",
}
ORIGIN = {"contrat": "contrat", "officielle": "source officielle importée", "equipe": "saisie de l'équipe"}
PUBLICATION = {"validee": "validée", "proposee": "proposée, pas encore validée"}
VERDICT = {
    IMPROVEMENT: "amélioration",
    DETERIORATION: "dégradation",
    STABLE: "stable",
    NO_JUDGEMENT: "sans jugement",
    UNAVAILABLE: MISSING,
}
DIRECTION = {UP: "hausse", DOWN: "baisse", STABLE: "stable", UNAVAILABLE: MISSING}
ARROW = {UP: "▲", DOWN: "▼", STABLE: "■", UNAVAILABLE: ""}
COMPARISON = {
    BETTER: "mieux que la référence",
    WORSE: "moins bien que la référence",
    SAME: "identique",
    STRONGER: "plus forte",
    WEAKER: "moins forte",
    UNAVAILABLE: MISSING,
}
REFERENCE_ORIGIN = {  # said under the reference's change in the home grid
    FROM_DATA: "calculé à partir des chiffres du contrat",
    FROM_STATEMENT: "énoncé du contrat",
    IMPLIED_BY_GAPS: "déduit des écarts énoncés par le contrat",
    NOT_GIVEN: "",
    CONFLICTING: "",
}
MAP_BASIS = {
    FIXED_PERCENT: "Classes fixes de 20 points, les mêmes pour tous les taux et toutes les périodes : une couleur veut "
    "toujours dire le même niveau.",
    FROM_ZERO: "Classes d'égale amplitude de zéro à la plus grande valeur des quartiers : "
    "une valeur ne paraît jamais faible parce qu'elle est la plus petite des quartiers.",
    INTEGER_COUNTS: "Classes de nombres entiers, de zéro à la plus grande valeur des quartiers, sans chevauchement : "
    "une valeur ne paraît jamais faible parce qu'elle est la plus petite des quartiers.",
}


def stability_note(ds: Dataset) -> str:
    """Which changes are « stable » and why: « « Stable » : une variation d'au plus 2 % de la valeur de
    départ (Allocataires du RSA). Le contrat appelle … » — from the catalogue's bands."""
    parts = []
    for ind in ds.catalogue.values():
        band = ind.stable_within
        if band is None:
            continue
        size = (
            f"{fr_value(band.percent, 'nombre', 0 if float(band.percent).is_integer() else 1)} % de la valeur de départ"
            if band.percent is not None
            else f"{fr_value(band.points or 0, 'nombre', 0 if float(band.points or 0).is_integer() else 1)} point"
        )
        parts.append(f"« Stable » : une variation d'au plus {size} ({ind.label}). {band.why}")
    return " ".join(parts) if parts else "« Stable » : aucune variation."


def map_class_labels(breaks: tuple[float, ...], basis: str, unit: str, decimals: int) -> list[str]:
    """The legend's words for the map's classes (data/model.map_breaks): « 0 % – 20 % »; whole counts
    « 0 », « 1 », « 2 – 3 » (the integers of each class, never « 0 – 1, 1 – 1 »); one value alone."""
    if len(breaks) == 2:
        return [fr_value(breaks[0], unit, decimals)]
    labels = []
    for i in range(len(breaks) - 1):
        lo, hi = breaks[i], breaks[i + 1]
        if basis == INTEGER_COUNTS:
            lo = lo if i == 0 else lo + 1  # class i holds the integers above breaks[i]
            if lo == hi:
                labels.append(fr_value(hi, unit, 0))
                continue
            decimals = 0
        labels.append(f"{fr_value(lo, unit, decimals)} – {fr_value(hi, unit, decimals)}")
    return labels


KIND = {"qpv": "Quartier prioritaire de la politique de la ville", "poche": "Poche de pauvreté (carreau INSEE de 200 m)"}
KIND_SHORT = {"qpv": "Quartier prioritaire", "poche": "Poche de pauvreté"}
INFERRED = "attribution déduite"
# the verdict colours of every view (page CSS, slides, PDF chart): 4.5:1 on white at least
VERDICT_COLOUR = {IMPROVEMENT: "#1a7f37", DETERIORATION: "#b42318"}
PERIMETER_NOTE = (
    "La plupart des séries du contrat portent sur les anciens périmètres des QPV (2015) (note 3 du contrat) ; "
    "les cartes montrent les contours 2024. Les périodes diffèrent d'un indicateur à l'autre."
)


# a formatted number with a space in it: thousands (« 9 456 », « 118 412 000 € ») or a unit after it
# (« 59,3 % », « -2,5 points », « 12 sur 20 ») — the one definition of the page, the slides and the PDF
FORMATTED_NUMBER = re.compile(
    r"[+-]?\d{1,3}(?: \d{3})+(?:,\d+)?(?: (?:€|%|points?\b|sur 20\b))?|[+-]?\d+(?:,\d+)? (?:€|%|points?\b|sur 20\b)"
)


def nobreak(s: str) -> str:
    """The spaces inside a formatted number and before its unit made no-break (U+00A0): « 9 456 € »
    and « 59,3 % » are never split across two lines (PDF, slides, images). CSV cells are not worded here."""
    return FORMATTED_NUMBER.sub(lambda m: m.group(0).replace(" ", "\u00a0"), s)


def verdict_css(css: str) -> str:
    """A style sheet's « __IMPROVEMENT__ » / « __DETERIORATION__ » made the verdict colours (page, slides)."""
    return css.replace("__IMPROVEMENT__", VERDICT_COLOUR[IMPROVEMENT]).replace("__DETERIORATION__", VERDICT_COLOUR[DETERIORATION])


def share_text(ev) -> str:
    """A synthesis cell's second line for « Population en QPV (% commune) »: « part de la commune :
    7,57 % en 2013, 8,61 % en 2018 (+1,04 point) »."""
    a, b = ev.start, ev.end
    head = f"part de la commune : {value_text(a)} en {period_label(a.period)}, {value_text(b)} en {period_label(b.period)}"
    return head + (f" ({change_text(ev.change, b.unit, ev.decimals)})" if ev.available else "")


def rank_text(rank: int, tie: bool) -> str:
    """A priority's rank as annexe 1 prints it: « 3 » or « 3 (ex æquo) »."""
    return f"{rank} (ex æquo)" if tie else str(rank)


def priority_line(rank: str, theme: str) -> str:
    """« 3 (ex æquo). Bien grandir »: the page, the PDF, the slide and /priorites list themes so."""
    return f"{rank}. {theme}"


INCONSISTENCY_KIND = {"contradiction": "Incohérence du contrat", "question": "Question ouverte", "note": "Précision"}


def inconsistency_text(item) -> str:
    """« Incohérence du contrat : … », « Question ouverte : … » or « Précision : … » — one wording for
    the page, the pillar pages and the PDF."""
    return f"{INCONSISTENCY_KIND.get(item.kind, INCONSISTENCY_KIND['contradiction'])} : {item.summary}"


STATED = "énoncé du contrat"


def name(ds: Dataset, territory: str, short: bool = False) -> str:
    t = ds.territories.get(territory)
    if t is None:
        return territory
    return t.short if short else t.name


def place(ds: Dataset, territory: str) -> str:
    """The short name with its article, as a sentence names it: « l'ARC (EPCI) », « la France »,
    « le Clos des Roses », « Compiègne »."""
    t = ds.territories.get(territory)
    if t is None or not t.article:
        return name(ds, territory, True)
    return t.article + ("" if t.article.endswith("'") else " ") + t.short


def to_place(ds: Dataset, territory: str) -> str:
    """« à l'ARC (EPCI) », « au Clos des Roses », « aux Hauts-de-France », « à Compiègne »."""
    return _with_preposition(ds, territory, "à", {"le": "au", "les": "aux"})


def of_place(ds: Dataset, territory: str) -> str:
    """« de l'ARC (EPCI) », « du Clos des Roses », « des Hauts-de-France », « de Compiègne »."""
    return _with_preposition(ds, territory, "de", {"le": "du", "les": "des"})


def _with_preposition(ds: Dataset, territory: str, preposition: str, contracted: dict[str, str]) -> str:
    t = ds.territories.get(territory)
    if t is not None and t.article in contracted:  # à le → au, de les → des
        return f"{contracted[t.article]} {t.short}"
    return f"{preposition} {place(ds, territory)}"


def value_text(f: Figure) -> str:
    """« 10 190 € », « environ 40 », « plus de 600 », or « non disponible »."""
    return MISSING if f.missing else fr_qualified(f.value, f.unit, f.decimals, f.qualifier)


def missing_text(f: Figure) -> str:
    """« non disponible (valeur « NA » dans le contrat) » — only for a missing figure."""
    return f"{MISSING} ({MISSING_REASON[f.status]})" if f.missing else ""


def value_or_reason(f: Figure) -> str:
    return missing_text(f) or value_text(f)


def source_line(f: Figure) -> str:
    """« Source : … · période : … · périmètre : … · contrat : … » — carried by every figure; a point
    past the contract says its origin and status instead of a place in the contract."""
    if f.status == STATUS_ABSENT:
        return "—"
    head = f"Source : {f.source} · période : {period_label(f.period)} · périmètre : {f.perimeter}"
    if not f.from_contract:
        return f"{head} · {ORIGIN.get(f.origin, f.origin)}, {PUBLICATION.get(f.publication, f.publication)}"
    return f"{head} · contrat : {f.contract_ref}"


def series_breaks(ds: Dataset, figures) -> list[tuple[str, str, str, str]]:
    """Where a territory's series changes perimeter (data/series.segment): (territory short name,
    last period before, first period after, « QPV 2015 → QPV 2024 »), chronologically. Charts draw
    no line across it and nothing is compared across it."""
    from data.indicators import period_sort_key
    from data.series import segment

    out = []
    by: dict[str, list[Figure]] = {}
    for f in figures:
        if not f.missing:
            by.setdefault(f.territory, []).append(f)
    for territory, series in by.items():
        series = sorted(series, key=lambda f: period_sort_key(f.period))
        for a, b in zip(series, series[1:], strict=False):
            if segment(a.perimeter) != segment(b.perimeter):
                out.append(
                    (name(ds, territory, True), period_label(a.period), period_label(b.period), f"{a.perimeter} → {b.perimeter}")
                )
    return out


def break_sentence(ds: Dataset, figures) -> str:
    """The breaks said in words (under a chart, in its text alternative); "" without one."""
    found = series_breaks(ds, figures)
    if not found:
        return ""
    parts = sorted({f"{change} entre {before} et {after}" for _, before, after, change in found})
    return (
        "Rupture de série (changement de périmètre) : "
        + " ; ".join(parts)
        + ". Les deux segments ne sont pas reliés et aucune évolution n'est calculée entre eux."
    )


def break_text(a: Figure, b: Figure) -> str:
    """Why two figures of a series are not compared: « périmètre QPV 2015 en 2020, QPV 2024 en 2021 »."""
    return (
        f"pas de comparaison : périmètre {a.perimeter} en {period_label(a.period)}, "
        f"{b.perimeter} en {period_label(b.period)} (les contours ont changé)"
    )


def inferred_text(f: Figure) -> str:
    return f"{INFERRED} : {f.inferred}" if f.inferred else ""


def change_text(change: float | None, unit: str, decimals: int) -> str:
    return fr_change(change, unit, decimals)


def pct_text(ev: Evolution) -> str:
    """« (-12,2 %) » beside a change of a count."""
    if ev.change_pct is None or ev.end.unit != "nombre":
        return ""
    return f" ({fr_signed(round(ev.change_pct, 1), 1)} %)"


def evolution_text(ev: Evolution, in_contract: bool = False) -> str:
    """« Évolution depuis 2015 : +734 € (amélioration) » or why it is not available. `in_contract`:
    the card shows a later point, so the contract's own evolution says its two dates."""
    if in_contract and ev.available:
        return (
            f"Dans le contrat, de {period_label(ev.start.period)} à {period_label(ev.end.period)} : "
            f"{change_text(ev.change, ev.end.unit, ev.decimals)}{pct_text(ev)} ({VERDICT[ev.verdict]})"
        )
    if ev.missing_reason == PERIMETER_BREAK:
        return f"Évolution : {break_text(ev.start, ev.end)}"
    if not ev.available:
        return (
            f"Évolution de {period_label(ev.start.period)} à {period_label(ev.end.period)} : {MISSING} "
            f"({EVOLUTION_MISSING_REASON[ev.missing_reason]})"
        )
    return (
        f"Évolution depuis {period_label(ev.start.period)} : "
        f"{change_text(ev.change, ev.end.unit, ev.decimals)}{pct_text(ev)} ({VERDICT[ev.verdict]})"
    )


def gap_text(ds: Dataset, g: Gap) -> str:
    if g.value is None:
        return f"Écart {to_place(ds, g.reference)} ({period_label(g.period)}) : {MISSING}"
    return f"Écart {to_place(ds, g.reference)} ({period_label(g.period)}) : {change_text(g.value, g.unit, g.decimals)}"


def stated_unit(s: StatedChange, unit: str) -> str:
    return {"€": "euros", "points": "pourcent"}.get(s.change_unit, unit)


def gap_change_text(ds: Dataset, s: StatedChange, unit: str) -> str:
    """A change of the gap to a reference, said as a change (« Écart : +1 144 € » read as a level):
    « l'écart à Compiègne s'est creusé de 1 144 € ». The contract's sign is the gap's size: « une
    augmentation des écarts avec la commune de +1 144€ », « une diminution des écarts (-98€) »."""
    ref = to_place(ds, s.reference or "")
    if s.change == 0:
        return f"l'écart {ref} est resté le même"
    amount = change_text(abs(s.change), stated_unit(s, unit), s.decimals).lstrip("+")
    return f"l'écart {ref} s'est {'creusé' if s.change > 0 else 'réduit'} de {amount}"


def sentence_case(s: str) -> str:
    return s[:1].upper() + s[1:]


def stated_text(ds: Dataset, s: StatedChange, unit: str) -> str:
    """A change the contract states: of the gap to a reference, or of a reference territory."""
    amount = change_text(s.change, stated_unit(s, unit), s.decimals)
    if s.reference:
        said = gap_change_text(ds, s, unit)
        return f"{said[:1].upper()}{said[1:]} entre {period_label(s.period_from)} et {period_label(s.period_to)} ({STATED})"
    who = place(ds, s.territory)
    return f"{who[:1].upper()}{who[1:]} sur la même période : {amount} ({STATED})"


def companions_text(pair: tuple[Figure, ...]) -> str:
    if not pair:
        return ""
    parts = [
        f"{value_text(f) if not f.missing else MISSING + (' (NA)' if f.status == STATUS_NA else '')} en {period_label(f.period)}"
        for f in pair
    ]
    return "Part : " + ", ".join(parts)


def reference_change_text(ds: Dataset, r: ReferenceChange, label: str) -> str:
    if r.change is None:
        if r.origin == CONFLICTING:
            return f"{label} : {MISSING} (les écarts du contrat impliquent des évolutions différentes)"
        return f"{label} : {MISSING}"
    return f"{label} : {change_text(r.change, r.unit, r.decimals)}"


@dataclass(frozen=True)
class Line:
    text: str
    verdict: str = ""  # an evolution line carries its verdict (the page colours it)


@dataclass(frozen=True)
class CardText:
    label: str
    period: str
    value: str
    missing: bool
    lines: tuple[Line, ...]
    source: str

    def all_text(self) -> list[str]:
        return [self.label, self.value, *(ln.text for ln in self.lines), self.source]


def update_lines(c: Card) -> list[Line]:
    """A card showing a later point: the contract's value beside it, and the change since the
    contract when both are on the same perimeter (otherwise why there is none)."""
    u = c.update
    if u is None:
        return []
    lines = [
        Line(
            f"Valeur du contrat : {value_or_reason(u.contract)} en {period_label(u.contract.period)} "
            f"(périmètre {u.contract.perimeter} ; contrat : {u.contract.contract_ref})"
        )
    ]
    ev = u.evolution
    if ev.available:
        lines.append(
            Line(
                f"Évolution depuis la valeur du contrat ({period_label(ev.start.period)}) : "
                f"{change_text(ev.change, ev.end.unit, ev.decimals)}{pct_text(ev)} ({VERDICT[ev.verdict]})",
                ev.verdict,
            )
        )
    elif ev.missing_reason == PERIMETER_BREAK:
        text = break_text(ev.start, ev.end)
        lines.append(Line(text[0].upper() + text[1:] + "."))
    return lines


def since_text(u) -> str:
    """A synthesis cell's later point: « Depuis : 11 230 € en 2021 (périmètre QPV 2024) ; pas de
    comparaison avec 2020 (QPV 2015) » or « … ; +158 depuis 2018 »."""
    head = f"Depuis : {value_text(u.latest)} en {period_label(u.latest.period)} (périmètre {u.latest.perimeter})"
    ev = u.evolution
    if ev.available:
        return f"{head} ; {change_text(ev.change, ev.end.unit, ev.decimals)} depuis {period_label(ev.start.period)}"
    if ev.missing_reason == PERIMETER_BREAK:
        return f"{head} ; pas de comparaison avec {period_label(ev.start.period)} ({ev.start.perimeter})"
    return head


def card_text(ds: Dataset, c: Card) -> CardText:
    """Everything a card says, in order: page and PDF render exactly these strings. A card with a
    later point (c.update) shows that point, then the contract's value and its own lines."""
    if c.update is not None:
        latest = c.update.latest
        lines = update_lines(c)
        if latest.missing:
            lines.insert(0, Line(f"{MISSING} (secret statistique ou valeur non publiée par la source)"))
        rest = _contract_lines(ds, c, in_contract=True)
        return CardText(
            c.label, period_label(latest.period), value_text(latest), latest.missing, (*lines, *rest), source_line(latest)
        )
    f = c.figure
    lines = _contract_lines(ds, c)
    period = period_label(f.period) if f.status != STATUS_ABSENT else ""
    return CardText(c.label, period, value_text(f), f.missing, tuple(lines), source_line(f))


def _contract_lines(ds: Dataset, c: Card, in_contract: bool = False) -> list[Line]:
    f = c.figure
    lines: list[Line] = []
    if f.missing and not in_contract:
        lines.append(Line(MISSING_REASON[f.status]))
    if c.note:
        lines.append(Line(c.note))
    for part in c.context:
        lines.append(Line(" ".join(x for x in (part.before, value_text(part.figure), part.after) if x)))
    if c.evolution is not None:
        lines.append(Line(evolution_text(c.evolution, in_contract), c.evolution.verdict))
    for s in c.stated:
        lines.append(Line(stated_text(ds, s, f.unit)))
    for g in c.gaps:
        lines.append(Line(gap_text(ds, g)))
    if c.companions:
        lines.append(Line(companions_text(c.companions)))
    if f.inferred:
        lines.append(Line(inferred_text(f)))
    return lines


def plain_value(f: Figure) -> str:
    """The value as printed, for tables: « 66,4 % »; missing: « non disponible »."""
    return MISSING if f.missing else fr_value(f.value, f.unit, f.decimals)
