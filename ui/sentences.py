"""French sentences generated from the figure records by fixed rules (no language model, no
network): « Entre 2015 et 2020, la médiane des revenus déclarés du Clos des Roses est passée de
9 456 € à 10 190 € (+734 €), une amélioration ; l'écart à Compiègne s'est réduit de 98 € (énoncé du
contrat). » The fiche page and the PDF show the same strings.

Rules, each tested (tests/test_sentences.py):
- an evolution the records give: both periods, both values as printed (qualifiers kept: « environ »,
  « plus de »), the signed change in the indicator's unit; the verdict word only when the catalogue
  says which direction is better (« une amélioration » / « une dégradation »), « une stabilisation »
  for a change within the indicator's stability band (catalogue `stable_within`);
- a change of the gap to a reference that the contract states, over the same periods: « s'est
  réduit de » / « s'est creusé de » / « est resté le même », marked as the contract's statement;
- a reference territory's own change that the contract states: « à l'échelle de … : +0,3 point »;
- a quartier's share of the town's population: « la part du Clos des Roses dans la population de
  Compiègne »;
- a value the contract gives as NA or does not give: « n'est pas disponible » with the reason, and the
  earlier value if there is one; never a change computed across a missing value;
- nothing else: no sentence for a card without evolution."""

from __future__ import annotations

from dataclasses import dataclass

from data.formatting import elides, period_label
from data.model import DETERIORATION, IMPROVEMENT, PERIMETER_BREAK, STABLE, Card, Fiche
from ui import wording as w

FEMININE = {"médiane", "part", "population", "densité", "proportion", "moyenne"}
MASCULINE = {"taux", "niveau", "revenu", "nombre", "indice", "solde"}
# « une stabilisation »: the contract's word for a change within the indicator's stability band
# (catalogue `stable_within`: the Clos des Roses' RSA, 276 → 271)
VERDICT_WORD = {IMPROVEMENT: "une amélioration", DETERIORATION: "une dégradation", STABLE: "une stabilisation"}
MAX_SENTENCES = 3
# « Part de la population de Compiègne »: the part of the town living in the quartier, said
# « la part du Clos des Roses dans la population de Compiègne » (not « … de Compiègne du Clos des Roses »)
SHARE_OF_WHOLE = "Part de la population de "


@dataclass(frozen=True)
class Sentence:
    text: str
    source: str  # the end figure's source · période · périmètre line


def subject(label: str) -> tuple[str, bool]:
    """« Médiane des revenus déclarés » → (« la médiane des revenus déclarés », feminine);
    « Allocataires RSA » → (« le nombre d'allocataires RSA », masculine)."""
    first, _, rest = label.partition(" ")
    low = first.lower()
    if low in FEMININE:
        return f"la {low} {rest}".strip(), True
    if low in MASCULINE:
        return f"le {low} {rest}".strip(), False
    noun = label if first.isupper() else label[0].lower() + label[1:]
    return (f"le nombre d'{noun}" if elides(noun) else f"le nombre de {noun}"), False


def of_territory(name: str) -> str:
    """« Le Clos des Roses » → « du Clos des Roses »; « La Victoire » → « de La Victoire »;
    « Square de l'Echarde » → « du square de l'Echarde »; « Vivier Corax » → « de Vivier Corax »."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    if name.startswith("Square "):
        return "du square " + name[7:]
    if elides(name):
        return "d'" + name
    return "de " + name


def de(value: str) -> str:
    """« de 9 456 € », « d'environ 40 » (élision before a vowel)."""
    return ("d'" if elides(value) else "de ") + value


def when(period: str) -> str:
    """« 2015 » → « 2015 »; a date or a quarter gets its article: « le 31/12/2016 », « le T2 2021 »."""
    label = period_label(period)
    return f"le {label}" if "/" in label or label.startswith("T") else label


def update_sentence(ds, territory: str, c: Card) -> Sentence | None:
    """A card with a later point: « En 2021, sur le périmètre QPV 2024, la médiane … de La Victoire
    est de 11 230 € ; la série du contrat s'arrête en 2020 sur le périmètre QPV 2015 : pas de
    comparaison. » — or, on the same perimeter, the change since the contract's value."""
    u = c.update
    if u is None:
        return None
    subj, fem = _subject(ds, territory, c)
    p1, p0 = when(u.latest.period), when(u.contract.period)
    head = f"En {p1}, sur le périmètre {u.latest.perimeter}, {subj}"
    if u.latest.missing:
        text = f"{head} n'est pas disponible (secret statistique ou valeur non publiée par la source)"
    else:
        text = f"{head} est {de(w.value_text(u.latest))}"
    ev = u.evolution
    if u.latest.missing:
        said = w.value_text(u.contract) if not u.contract.missing else "non disponible"
        text += f" ; le contrat donnait {said} en {p0} (périmètre {u.contract.perimeter})"
    elif ev.available:
        change = w.change_text(ev.change, ev.end.unit, ev.decimals)
        text += f" ; {'elle' if fem else 'il'} était {de(w.value_text(u.contract))} en {p0} dans le contrat ({change}"
        text += f", {VERDICT_WORD[ev.verdict]})" if ev.verdict in VERDICT_WORD else ")"
    elif ev.missing_reason == PERIMETER_BREAK:
        text += f" ; la série du contrat s'arrête en {p0} sur le périmètre {u.contract.perimeter} : pas de comparaison"
    else:
        text += f" ; la valeur du contrat en {p0} n'est pas disponible : aucune évolution n'est calculée"
    return Sentence(text + ".", w.source_line(u.latest))


def _subject(ds, territory: str, c: Card) -> tuple[str, bool]:
    subj, fem = subject(c.label)
    where = of_territory(w.name(ds, territory))
    if c.label.startswith(SHARE_OF_WHOLE):  # the quartier's share of a larger population
        return f"la part {where} dans la population de {c.label[len(SHARE_OF_WHOLE) :]}", True
    return f"{subj} {where}", fem


def card_sentence(ds, territory: str, c: Card) -> Sentence | None:
    if c.update is not None:
        return update_sentence(ds, territory, c)
    ev = c.evolution
    if ev is None:
        return None
    subj, fem = subject(c.label)
    where = of_territory(w.name(ds, territory))
    if c.label.startswith(SHARE_OF_WHOLE):  # the quartier's share of a larger population
        subj, where = "la part", f"{where} dans la population de {c.label[len(SHARE_OF_WHOLE) :]}"
    p0, p1 = when(ev.start.period), when(ev.end.period)
    if not ev.available:
        if ev.end.missing and not ev.start.missing:
            text = (
                f"En {p1}, {subj} {where} n'est pas disponible ({w.MISSING_REASON[ev.end.status]}) ; "
                f"{'elle' if fem else 'il'} était {de(w.value_text(ev.start))} en {p0}."
            )
        elif ev.start.missing and not ev.end.missing:
            text = (
                f"En {p1}, {subj} {where} est {de(w.value_text(ev.end))} ; la valeur de {p0} n'est pas disponible "
                f"({w.MISSING_REASON[ev.start.status]}) : aucune évolution n'est calculée."
            )
        else:
            text = f"{subj[0].upper()}{subj[1:]} {where} n'est disponible ni en {p0} ni en {p1}."
        return Sentence(text, w.source_line(ev.end if not ev.end.missing else ev.start))
    change = w.change_text(ev.change, ev.end.unit, ev.decimals)
    pct = w.pct_text(ev).strip()
    if pct:  # « (+14,1 %) » → « +431, soit +14,1 % »
        change += f", soit {pct[1:-1]}"
    text = (
        f"Entre {p0} et {p1}, {subj} {where} est passé{'e' if fem else ''} {de(w.value_text(ev.start))} "
        f"à {w.value_text(ev.end)} ({change})"
    )
    if ev.verdict in VERDICT_WORD:
        text += f", {VERDICT_WORD[ev.verdict]}"
    for s in c.stated:
        same = (s.period_from, s.period_to) == (ev.start.period, ev.end.period)
        span = "" if same else f" entre {when(s.period_from)} et {when(s.period_to)}"
        if s.reference:
            text += f" ; {w.gap_change_text(ds, s, c.figure.unit)}{span} ({w.STATED})"
        else:
            signed = w.change_text(s.change, w.stated_unit(s, c.figure.unit), s.decimals)
            text += f" ; à l'échelle {w.of_place(ds, s.territory)} : {signed}{span} ({w.STATED})"
    return Sentence(text + ".", w.source_line(ev.end))


def judged_cards(cards) -> list[Card]:
    """The cards with a later point (the living diagnostic: what is new comes first), then those
    whose evolution the catalogue can judge (better, worse or stable), in their order: what the sentences,
    the slides and the PDF's evolution chart put first."""
    updated = [c for c in cards if c.update is not None]
    return updated + [c for c in cards if c.update is None and c.evolution is not None and c.evolution.verdict in VERDICT_WORD]


def fiche_sentences(ds, fiche: Fiche, limit: int = MAX_SENTENCES) -> list[Sentence]:
    """The first `limit` cards whose evolution the catalogue can judge (better, worse or stable), in the
    fiche's order; then, if fewer, cards with any evolution (missing ones included)."""
    t = fiche.territory.id
    judged = judged_cards(fiche.cards)
    others = [c for c in fiche.cards if (c.evolution is not None or c.update is not None) and c not in judged]
    out = []
    for c in [*judged, *others]:
        s = card_sentence(ds, t, c)
        if s is not None:
            out.append(s)
        if len(out) == limit:
            break
    return out
